"""Checking uploaded photos: a whole, well-formed JPEG of sane size, judged by its bytes.

The check reads the file's own signature (never its name or the uploader's word),
then walks the JPEG's marker structure from the start-of-image marker to the
end-of-image marker: every segment must fit in the file, a frame header must come
before the first scan, each scan's entropy-coded data must end at a real marker,
and the end-of-image marker must be there and end the file. That refuses files that are not JPEGs,
files cut anywhere (inside a header, inside any scan of a baseline or progressive
JPEG, or just before the end marker), files whose structure is broken, and files
that carry anything after the end marker (HTML, a script or a second file hidden
behind the picture, which would be served as the photo's bytes). A picture
whose frame header announces more pixels than `MAX_PIXELS` is refused before a
single pixel is decoded (a decompression bomb).

No pixel is decoded: the walk is one pass of a compiled regular expression over the
bytes (about 1 ms for a 4 MB photo), where decoding the whole file, even at 1/8
scale, costs about 30 ms and refuses no more in practice: libjpeg decodes most
damage inside a scan's data into wrong pixels with a warning, not an error (see
docs/photos.md). Pixels are decoded later, when a public copy is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Most pixels a photo may have (50 MP: more than any phone or tablet camera takes).
MAX_PIXELS = 50_000_000
JPEG_SIGNATURE = b"\xff\xd8\xff"
#: Colour components of a photo: grey, YCbCr (or RGB), CMYK (or YCCK).
PHOTO_COMPONENTS = (1, 3, 4)
_EOI = 0xD9
_SOS = 0xDA
#: Start-of-frame markers (baseline, extended, progressive, lossless; Huffman and arithmetic).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
#: Markers that stand alone, without a length: SOI, EOI, RST0-7 and TEM.
_STANDALONE = frozenset({0x01, 0xD8, _EOI, *range(0xD0, 0xD8)})
#: Inside a scan's data 0xFF is followed by 0x00 (a stuffed byte), a restart marker, or
#: more 0xFF fill bytes; anything else ends the scan.
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


class ImageRefused(ValueError):
    """The file is not a photo the server keeps; the message says why, for the uploader."""


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    width: int
    height: int


def check_jpeg(data: bytes, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    """The JPEG's size if its structure is whole and sound; ImageRefused with the reason if not."""
    if not data.startswith(JPEG_SIGNATURE):
        raise ImageRefused("not a JPEG image (its bytes do not start with a JPEG signature)")
    size: tuple[int, int] | None = None
    scans = 0
    end = len(data)
    pos = 2
    while True:
        if pos >= end:
            raise _truncated()
        if data[pos] != 0xFF:
            raise _broken(pos, "a marker was expected")
        while pos < end and data[pos] == 0xFF:  # fill bytes may precede a marker
            pos += 1
        if pos >= end:
            raise _truncated()
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            break
        if marker in _STANDALONE:
            raise _broken(pos - 2, f"marker 0x{marker:02X} is out of place")
        if pos + 2 > end:
            raise _truncated()
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2:
            raise _broken(pos, f"segment 0x{marker:02X} has length {length}")
        segment_end = pos + length
        if segment_end > end:
            raise _truncated()
        if marker in _SOF:
            size = _frame_size(data, pos, length, max_pixels)
        if marker != _SOS:
            pos = segment_end
            continue
        if size is None:
            raise _broken(pos - 2, "a scan comes before the frame header")
        scans += 1
        scan_end = _SCAN_END.search(data, segment_end)
        if scan_end is None:
            raise _truncated()
        pos = scan_end.start()
    if size is None or not scans:
        raise _broken(pos - 2, "the image ends before any picture data")
    if pos != end:
        raise ImageRefused(
            f"the JPEG has {end - pos} bytes after its end-of-image marker; a photo must end there"
        )
    width, height = size
    return ImageInfo(content_type="image/jpeg", width=width, height=height)


def _frame_size(data: bytes, pos: int, length: int, max_pixels: int) -> tuple[int, int]:
    """(width, height) from a frame header; a bomb is refused here, before anything else is read."""
    if length < 8:
        raise _broken(pos, "the frame header is too short")
    height = int.from_bytes(data[pos + 3 : pos + 5], "big")
    width = int.from_bytes(data[pos + 5 : pos + 7], "big")
    components = data[pos + 7]
    if components not in PHOTO_COMPONENTS:
        raise ImageRefused(f"not a photo: the JPEG has {components} colour components")
    if not width or not height:
        raise _broken(pos, f"the frame header gives a size of {width}×{height} pixels")
    if width * height > max_pixels:
        raise ImageRefused(f"the image is {width}×{height} pixels, more than the {max_pixels:,} allowed")
    return width, height


def _truncated() -> ImageRefused:
    return ImageRefused("the JPEG is truncated (the upload is incomplete or damaged)")


def _broken(pos: int, what: str) -> ImageRefused:
    return ImageRefused(f"the JPEG cannot be decoded: its structure is broken at byte {pos} ({what})")
