"""Where photos' bytes live: a content-addressed store of originals, public copies and the
parts of unfinished uploads, on the file system or in an S3-compatible object store.

Every store holds objects under the same keys:

- ``blobs/ab/cd/<sha256>``: an original, named by its hash (the same bytes uploaded twice
  are stored once);
- ``public/<sha256>-<edge>.jpg``: a copy for the public or a thumbnail, derived on first
  use (upright, resized, every EXIF field removed);
- ``uploads/<upload id>/<start>-<token>``: the bytes one tus request brought to an
  unfinished upload (caseserver.uploadstate keeps which parts count).

`open_blob_store` picks the store from the settings: `CASESERVER_BLOB_URL=s3://bucket/prefix`
for object storage (caseserver.s3store), else the folder `CASESERVER_BLOB_DIR`
(caseserver.filestore). A `put` returns only once the bytes are durably stored.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

if TYPE_CHECKING:
    from caseserver.config import Settings

#: Longest edge of a public copy, in pixels.
PUBLIC_EDGE = 1600
PUBLIC_QUALITY = 82


class UndecodablePhoto(ValueError):
    """A stored photo's pixels cannot be read (damaged in the store, or a JPEG variant Pillow lacks)."""


class BlobMissing(LookupError):
    """No object under this key (a blob not stored, or removed behind the server's back)."""


class StoreUnavailable(OSError):
    """The store did not take or give the bytes (a full disk, an object store that does not answer)."""


def blob_key(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def public_key(sha256: str, edge: int) -> str:
    return f"public/{sha256}-{edge}.jpg"


def part_key(upload_id: str, start: int, token: str) -> str:
    return f"uploads/{upload_id}/{start:012d}-{token}"


class BlobStore(ABC):
    """Originals, derived copies and upload parts, over a store's four primitives."""

    #: Shown in logs and the readiness answer: the folder or the s3:// address.
    location: str

    # The primitives a store provides. Keys are '/'-separated and never start with '/'.
    @abstractmethod
    def get(self, key: str) -> bytes:
        """The object's bytes; BlobMissing when there is none."""

    @abstractmethod
    def put(self, key: str, data: bytes) -> None:
        """Store the bytes under the key, replacing any; durable and checked when it returns."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Remove every object whose key starts with `prefix` (a folder's worth); how many went."""

    @abstractmethod
    def keys(self, prefix: str) -> Iterator[str]:
        """Every key under `prefix`, in no set order."""

    @abstractmethod
    def probe(self) -> str | None:
        """Write, read back and remove a small object: None when the store works, else why not."""

    # Originals.
    def has(self, sha256: str) -> bool:
        return self.exists(blob_key(sha256))

    def read(self, sha256: str) -> bytes:
        return self.get(blob_key(sha256))

    def store(self, sha256: str, data: bytes) -> None:
        """Keep bytes whose SHA-256 the caller has checked; bytes already stored are kept as they are."""
        if not self.has(sha256):
            self.put(blob_key(sha256), data)

    # Copies for the public and thumbnails.
    def public_copy(self, sha256: str, edge: int = PUBLIC_EDGE) -> bytes:
        """A JPEG of the blob for the public: turned upright, at most `edge` pixels on its
        longest side, and with no EXIF, GPS, maker notes or other metadata."""
        key = public_key(sha256, edge)
        try:
            return self.get(key)
        except BlobMissing:
            pass
        copy = clean_copy(self.read(sha256), sha256, edge)
        self.put(key, copy)
        return copy

    # Parts of unfinished uploads.
    def put_part(self, upload_id: str, start: int, token: str, data: bytes) -> None:
        self.put(part_key(upload_id, start, token), data)

    def read_part(self, upload_id: str, start: int, token: str) -> bytes:
        return self.get(part_key(upload_id, start, token))

    def drop_upload(self, upload_id: str) -> None:
        self.delete_prefix(f"uploads/{upload_id}/")


def clean_copy(original: bytes, sha256: str, edge: int) -> bytes:
    """The pixels alone, upright and at most `edge` px, as a JPEG: a new image carries no
    metadata of the original. UndecodablePhoto when the bytes are no readable JPEG."""
    try:
        with Image.open(io.BytesIO(original), formats=["JPEG"]) as image:
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((edge, edge), Image.Resampling.LANCZOS)
            clean = Image.new("RGB", upright.size)
            clean.paste(upright.convert("RGB"))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UndecodablePhoto(f"the stored photo {sha256} cannot be decoded: {exc}") from exc
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=PUBLIC_QUALITY, optimize=True)
    return out.getvalue()


def open_blob_store(settings: Settings) -> BlobStore:
    """The store the settings name: object storage for an s3:// `blob_url`, else the blob folder."""
    if settings.blob_url:
        from caseserver.s3store import S3BlobStore

        return S3BlobStore.from_url(settings.blob_url)
    from caseserver.filestore import FileBlobStore

    return FileBlobStore(settings.blob_dir)
