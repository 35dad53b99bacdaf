"""The blob store in a folder: each key is a file under the root (see caseserver.blobstore).

Writes go to a staging file in ``<root>/incoming``, are flushed to the disk and renamed
into place (with the folder's entry flushed too), so a reader never sees half an object
and a stored object survives a power cut.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from caseserver.blobstore import BlobMissing, BlobStore, StoreUnavailable


class FileBlobStore(BlobStore):
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.location = str(self.root)
        for folder in ("blobs", "public", "incoming", "uploads"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise BlobMissing(key) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def put(self, key: str, data: bytes) -> None:
        target = self._path(key)
        try:
            new_folders = [f for f in reversed(target.parents) if f != self.root and not f.is_dir()]
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, staging = tempfile.mkstemp(dir=self.root / "incoming")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(staging, 0o640)
                os.replace(staging, target)
            finally:
                Path(staging).unlink(missing_ok=True)
            # The rename, and any folder made for it, survive a power cut.
            for folder in {target.parent, *(f.parent for f in new_folders)}:
                fsync_path(folder)
        except OSError as exc:
            raise StoreUnavailable(f"{key}: {exc.strerror or exc}") from exc

    def delete_prefix(self, prefix: str) -> int:
        path = self._path(prefix.rstrip("/"))
        if prefix.endswith("/"):
            count = sum(1 for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0
            shutil.rmtree(path, ignore_errors=True)
            return count
        removed = 0
        for candidate in path.parent.glob(f"{path.name}*"):
            if candidate.is_dir():
                removed += sum(1 for p in candidate.rglob("*") if p.is_file())
                shutil.rmtree(candidate, ignore_errors=True)
            else:
                candidate.unlink(missing_ok=True)
                removed += 1
        return removed

    def keys(self, prefix: str) -> Iterator[str]:
        folder = self._path(prefix.rstrip("/")) if prefix.endswith("/") else self._path(prefix).parent
        if not folder.is_dir():
            return
        for path in folder.rglob("*"):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and key.startswith(prefix):
                yield key

    def probe(self) -> str | None:
        key = f"incoming/.ready-{uuid.uuid4().hex}"
        try:
            self.put(key, b"ready")
            self._path(key).unlink()
        except StoreUnavailable as exc:
            return f"the blob store takes no writes: {exc}"
        return None


def fsync_path(path: Path | str) -> None:
    """Flush a file's bytes, or a folder's entries, from the page cache to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
