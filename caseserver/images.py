"""Checking uploaded photos: a whole, decodable JPEG of sane size, judged by its bytes.

The check reads the file's own signature (never its name or the uploader's word),
refuses a picture whose header announces more pixels than `MAX_PIXELS` before a
single pixel is decoded (a decompression bomb), then decodes the whole file with
Pillow, so a truncated or corrupt file is refused too.

The decode is at 1/8 scale (`Image.draft`, libjpeg's DCT scaling): libjpeg still
reads and entropy-decodes every scan up to the end-of-image marker, exactly as for a
full-size decode, so the same files are refused (a missing end, a cut inside any scan
of a baseline or progressive JPEG, broken marker structure), while the inverse DCT,
colour conversion and pixel memory shrink to 1/64: about half the time of a
full-resolution decode of a 4 MB photo.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

#: Most pixels a photo may have (50 MP: more than any phone or tablet camera takes).
MAX_PIXELS = 50_000_000
JPEG_SIGNATURE = b"\xff\xd8\xff"
#: libjpeg's smallest DCT scale: every coefficient is still decoded, 1/64 of the pixels kept.
CHECK_SCALE = 8


class ImageRefused(ValueError):
    """The file is not a photo the server keeps; the message says why, for the uploader."""


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    width: int
    height: int


def check_photo(path: Path, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    """Decode the whole file as a JPEG (at 1/8 scale); ImageRefused with the reason if it is not one."""
    with open(path, "rb") as stream:
        signature = stream.read(len(JPEG_SIGNATURE))
    if signature != JPEG_SIGNATURE:
        raise ImageRefused("not a JPEG image (its bytes do not start with a JPEG signature)")
    with warnings.catch_warnings():
        # Pillow's own bomb limit is process-wide and only warns below twice its
        # value; `max_pixels` is applied here, before anything is decoded.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=["JPEG"]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageRefused(
                        f"the image is {width}×{height} pixels, more than the {max_pixels:,} allowed"
                    )
                image.draft(None, (max(1, width // CHECK_SCALE), max(1, height // CHECK_SCALE)))
                image.load()
        except ImageRefused:
            raise
        except Image.DecompressionBombError as exc:
            raise ImageRefused(f"the image has too many pixels ({exc})") from exc
        except UnidentifiedImageError as exc:
            raise ImageRefused("not a readable JPEG image") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            if "truncated" in str(exc):
                raise ImageRefused("the JPEG is truncated (the upload is incomplete or damaged)") from exc
            raise ImageRefused(f"the JPEG cannot be decoded: {exc}") from exc
    return ImageInfo(content_type="image/jpeg", width=width, height=height)
