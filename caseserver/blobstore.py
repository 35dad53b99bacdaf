"""Content-addressed blob store on the file system.

A blob lives at ``<root>/blobs/ab/cd/<sha256>``: the same bytes uploaded twice are
stored once. Public copies for reporters (resized, every EXIF field removed) are
derived on first use and kept at ``<root>/public/<sha256>-<edge>.jpg``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from sync.wire import file_sha256

#: Longest edge of a public copy, in pixels.
PUBLIC_EDGE = 1600
PUBLIC_QUALITY = 82


class HashMismatch(ValueError):
    """The bytes are not the ones the uploader announced."""


class BlobStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        (self.root / "blobs").mkdir(parents=True, exist_ok=True)
        (self.root / "public").mkdir(parents=True, exist_ok=True)
        (self.root / "incoming").mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / "blobs" / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_file(self, source: Path, expected_sha256: str | None = None, *, move: bool = False) -> str:
        """Store the file's bytes; returns their SHA-256.

        Raises HashMismatch (and stores nothing) when they do not hash to
        `expected_sha256`. Storing bytes that are already there is a no-op.
        """
        actual = file_sha256(source)
        if expected_sha256 is not None and actual != expected_sha256:
            raise HashMismatch(f"the file's SHA-256 is {actual}, not {expected_sha256}")
        return self._store(source, actual, move=move)

    def adopt(self, source: Path, sha256: str) -> str:
        """Move in a file whose SHA-256 the caller has just computed (no second read).

        A rename within the store's file system; a file already there is a no-op
        and `source` is removed either way.
        """
        return self._store(source, sha256, move=True)

    def _store(self, source: Path, actual: str, *, move: bool) -> str:
        target = self.path_for(actual)
        if target.is_file():
            if move:
                source.unlink(missing_ok=True)
            return actual
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, staging = tempfile.mkstemp(dir=self.root / "incoming")
        os.close(fd)
        try:
            if move:
                shutil.move(source, staging)
            else:
                shutil.copyfile(source, staging)
            os.chmod(staging, 0o640)
            os.replace(staging, target)  # atomic: a reader never sees half a blob
        finally:
            Path(staging).unlink(missing_ok=True)
        return actual

    def put_bytes(self, data: bytes, expected_sha256: str | None = None) -> str:
        fd, staging = tempfile.mkstemp(dir=self.root / "incoming")
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        return self.put_file(Path(staging), expected_sha256, move=True)

    def public_copy(self, sha256: str, edge: int = PUBLIC_EDGE) -> Path:
        """A JPEG of the blob for the public: turned upright, at most `edge` pixels
        on its longest side, and with no EXIF, GPS, maker notes or other metadata."""
        target = self.root / "public" / f"{sha256}-{edge}.jpg"
        if target.is_file():
            return target
        with Image.open(self.path_for(sha256)) as original:
            upright = ImageOps.exif_transpose(original)
            upright.thumbnail((edge, edge), Image.Resampling.LANCZOS)
            # A new image from the pixels alone carries no metadata of the original.
            clean = Image.new("RGB", upright.size)
            clean.paste(upright.convert("RGB"))
        fd, staging = tempfile.mkstemp(dir=self.root / "incoming", suffix=".jpg")
        os.close(fd)
        clean.save(staging, "JPEG", quality=PUBLIC_QUALITY, optimize=True)
        os.replace(staging, target)
        return target
