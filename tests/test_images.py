"""The server's JPEG structure check (caseserver.images), on real Pillow-made JPEGs."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from photohelpers import jpeg_with_gps
from PIL import Image

from caseserver.images import ImageRefused, check_jpeg
from sync.photos import process_photo


def _jpeg(**options: object) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((320, 200), 60).convert("RGB").save(out, "JPEG", **options)
    return out.getvalue()


KINDS = {
    "baseline": _jpeg(),
    "progressive": _jpeg(progressive=True),
    "restart markers": _jpeg(restart_marker_blocks=4),
    "optimized, no subsampling": _jpeg(optimize=True, subsampling=0),
    "camera-like, with EXIF and GPS": jpeg_with_gps(seed=1),
}


@pytest.mark.parametrize("kind", KINDS)
def test_whole_jpegs_pass_with_their_size(kind: str) -> None:
    data = KINDS[kind]
    with Image.open(io.BytesIO(data)) as image:
        expected = image.size
    info = check_jpeg(data)
    assert (info.width, info.height) == expected
    assert info.content_type == "image/jpeg"


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=150, deadline=None)
@given(cut=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_every_cut_short_jpeg_is_refused_as_truncated(kind: str, cut: float) -> None:
    data = KINDS[kind]
    keep = int(cut * len(data))
    with pytest.raises(ImageRefused) as refused:
        check_jpeg(data[:keep])
    message = str(refused.value)
    if keep < 3:
        assert "not a JPEG" in message  # not even the signature is there
    else:
        assert "truncated" in message or "structure is broken" in message


def test_a_jpeg_missing_only_its_end_marker_is_refused() -> None:
    with pytest.raises(ImageRefused, match="truncated"):
        check_jpeg(KINDS["progressive"][:-2])


def test_fill_bytes_before_markers_are_accepted() -> None:
    data = KINDS["baseline"]
    sos = data.index(b"\xff\xda")
    padded = data[:sos] + b"\xff\xff\xff" + data[sos:]
    assert check_jpeg(padded).width == 320


@pytest.mark.parametrize("trailer", [b"<html><script>alert(1)</script></html>", b"\x00", b"\xff\xd9"])
def test_anything_after_the_end_marker_is_refused(trailer: bytes) -> None:
    with pytest.raises(ImageRefused, match="after its end-of-image marker"):
        check_jpeg(KINDS["baseline"] + trailer)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_device_pipeline_never_writes_bytes_after_the_end_marker(kind: str, tmp_path: Path) -> None:
    source = tmp_path / "camera.jpg"
    source.write_bytes(KINDS[kind] + b"maker trailer")  # cameras may append data; the device re-encodes
    stored = process_photo(source, tmp_path / "photos", str(uuid.uuid4()))
    data = stored.path.read_bytes()
    assert data.endswith(b"\xff\xd9")
    assert check_jpeg(data).width == stored.width


def test_a_marker_inside_a_scan_that_breaks_the_structure_is_refused() -> None:
    data = KINDS["baseline"]
    middle = len(data) // 2
    broken = data[:middle] + b"\xff\xc4\x00\x03\x99" + data[middle + 5 :]
    with pytest.raises(ImageRefused, match="structure is broken"):
        check_jpeg(broken)


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    data = bytearray(KINDS["baseline"])
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (9000).to_bytes(2, "big") + (9000).to_bytes(2, "big")
    with pytest.raises(ImageRefused, match="9000×9000 pixels, more than the 50,000,000 allowed"):
        check_jpeg(bytes(data))
    assert check_jpeg(bytes(data), max_pixels=100_000_000).width == 9000


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xd8", b"\xff\xd8\xff", b"%PDF-1.7", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, b"\xff\xd8\xff\xd9"],
)
def test_what_is_not_a_whole_jpeg_is_refused(data: bytes) -> None:
    with pytest.raises(ImageRefused):
        check_jpeg(data)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(sorted(KINDS)),
    changes=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=40
    ),
)
def test_damaged_bytes_give_a_size_or_a_refusal_never_another_error(
    kind: str, changes: list[tuple[float, int]]
) -> None:
    data = bytearray(KINDS[kind])
    for where, value in changes:
        data[int(where * len(data))] = value
    try:
        info = check_jpeg(bytes(data))
    except ImageRefused:
        return
    assert info.width > 0 and info.height > 0


def test_a_jpeg_with_a_colour_layout_photos_do_not_have_is_refused() -> None:
    data = bytearray(KINDS["baseline"])
    sof = data.index(b"\xff\xc0")
    data[sof + 9] = 2  # two colour components
    with pytest.raises(ImageRefused, match="not a photo: the JPEG has 2 colour components"):
        check_jpeg(bytes(data))
