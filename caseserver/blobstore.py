"""Content-addressed blob store on the file system.

A blob lives at ``<root>/blobs/ab/cd/<sha256>``: the same bytes uploaded twice are
stored once. Public copies for reporters (resized, every EXIF field removed) are
derived on first use and kept at ``<root>/public/<sha256>-<edge>.jpg``.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

#: Longest edge of a public copy, in pixels.
PUBLIC_EDGE = 1600
PUBLIC_QUALITY = 82


class UndecodablePhoto(ValueError):
    """A stored photo's pixels cannot be read (damaged on disk, or a JPEG variant Pillow lacks)."""


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

    def adopt(self, source: Path, sha256: str) -> None:
        """Move in a file whose SHA-256 the caller has just computed (and flushed to disk);
        `source` is gone afterwards.

        A rename when `source` is on the store's file system (the upload folder is
        inside it), so a reader never sees half a blob; bytes already stored are kept
        and `source` is removed.
        """
        target = self.path_for(sha256)
        if target.is_file():
            source.unlink(missing_ok=True)
            return
        new_folders = [f for f in (target.parent.parent, target.parent) if not f.is_dir()]
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(source, 0o640)
        try:
            os.replace(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            self._copy_in(source, target)
        # The rename, and any folder made for it, survive a power cut.
        for folder in (target.parent, *(f.parent for f in new_folders)):
            fsync_path(folder)

    def _copy_in(self, source: Path, target: Path) -> None:
        """From another file system: copy to a staging file beside the blobs, then rename."""
        fd, staging = tempfile.mkstemp(dir=self.root / "incoming")
        os.close(fd)
        try:
            shutil.copyfile(source, staging)
            fsync_path(staging)
            os.chmod(staging, 0o640)
            os.replace(staging, target)
        finally:
            Path(staging).unlink(missing_ok=True)
        source.unlink(missing_ok=True)

    def public_copy(self, sha256: str, edge: int = PUBLIC_EDGE) -> Path:
        """A JPEG of the blob for the public: turned upright, at most `edge` pixels
        on its longest side, and with no EXIF, GPS, maker notes or other metadata."""
        target = self.root / "public" / f"{sha256}-{edge}.jpg"
        if target.is_file():
            return target
        try:
            with Image.open(self.path_for(sha256), formats=["JPEG"]) as original:
                upright = ImageOps.exif_transpose(original)
                upright.thumbnail((edge, edge), Image.Resampling.LANCZOS)
                # A new image from the pixels alone carries no metadata of the original.
                clean = Image.new("RGB", upright.size)
                clean.paste(upright.convert("RGB"))
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise UndecodablePhoto(f"the stored photo {sha256} cannot be decoded: {exc}") from exc
        fd, staging = tempfile.mkstemp(dir=self.root / "incoming", suffix=".jpg")
        os.close(fd)
        clean.save(staging, "JPEG", quality=PUBLIC_QUALITY, optimize=True)
        os.replace(staging, target)
        return target


def fsync_path(path: Path | str) -> None:
    """Flush a file's bytes, or a folder's entries, from the page cache to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
