"""The device's photo pipeline and the replica's photo records, on real files and real SQLite."""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import ExifTags, Image

from sync.errors import LocalError
from sync.photos import (
    PhotoError,
    PipelineSettings,
    attach_photo,
    images_in,
    process_photo,
    save_settings,
)
from sync.replica import Replica
from sync.wire import Op, PhotoMeta

RED, BLUE = (220, 20, 20), (20, 20, 220)


def _photo(
    path: Path,
    size: tuple[int, int] = (400, 200),
    *,
    orientation: int | None = None,
    taken: str | None = None,
    offset: str | None = None,
    gps: tuple[float, float] | None = None,
    camera: bool = False,
) -> Path:
    """A JPEG whose left half is red and right half blue, with the EXIF asked for."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if camera:
        exif[ExifTags.Base.Make] = "Rugged"
        exif[ExifTags.Base.Model] = "T-800"
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "SN-123456"
    if taken:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        sub[ExifTags.Base.DateTimeOriginal] = taken
        if offset:
            sub[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps:
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        for (ref_tag, val_tag), value, refs in (
            ((ExifTags.GPS.GPSLatitudeRef, ExifTags.GPS.GPSLatitude), gps[0], "NS"),
            ((ExifTags.GPS.GPSLongitudeRef, ExifTags.GPS.GPSLongitude), gps[1], "EW"),
        ):
            whole = abs(value)
            degrees, minutes = int(whole), int((whole % 1) * 60)
            seconds = round(((whole % 1) * 60 - minutes) * 60, 4)
            info[ref_tag] = refs[0] if value >= 0 else refs[1]
            info[val_tag] = (float(degrees), float(minutes), seconds)
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def _ticket_doc(ticket_id: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "id": ticket_id,
        "service_code": "pothole",
        "description": "Deep pothole",
        "address": "Mannerheimintie 5",
        "lat": 60.17,
        "lon": 24.94,
        "priority": 3,
        "status": "in_progress",
        "assigned_crew": "north",
        "due_at": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "resolution_code": None,
        "resolution_note": None,
        "notes": [],
        "events": [],
        "photos": [],
    }


@pytest.fixture
def replica(tmp_path: Path) -> Any:
    replica = Replica(tmp_path / "profile" / "replica.sqlite")
    replica.apply_page({"cursor": 1, "more": False, "tickets": [_ticket_doc(TICKET)], "revoked": []})
    yield replica
    replica.close()


TICKET = str(uuid.uuid4())


def test_rotated_exif_comes_out_upright(tmp_path: Path) -> None:
    # Orientation 6: the camera was held upright; the pixels lie on their side.
    source = _photo(tmp_path / "side.jpg", (400, 200), orientation=6)
    photo = process_photo(source, tmp_path / "out", "p1")
    with Image.open(photo.path) as stored:
        assert stored.size == (200, 400) == (photo.width, photo.height)
        assert stored.getexif().get(ExifTags.Base.Orientation) in (None, 1)
        top, bottom = stored.getpixel((100, 20)), stored.getpixel((100, 380))
    assert top[0] > 180 and top[2] < 80, top  # the red (left) half is now on top
    assert bottom[2] > 180 and bottom[0] < 80, bottom


def test_downscaled_to_the_longest_edge_and_never_enlarged(tmp_path: Path) -> None:
    big = process_photo(_photo(tmp_path / "big.jpg", (4000, 3000)), tmp_path / "out", "big")
    assert (big.width, big.height) == (2560, 1920)
    small = process_photo(
        _photo(tmp_path / "big2.jpg", (4000, 3000)),
        tmp_path / "out",
        "set",
        settings=PipelineSettings(max_edge=1000, quality=60),
    )
    assert (small.width, small.height) == (1000, 750)
    assert small.size < big.size
    tiny = process_photo(_photo(tmp_path / "tiny.jpg", (300, 100)), tmp_path / "out", "tiny")
    assert (tiny.width, tiny.height) == (300, 100)


def test_thumbnail_and_hash_of_the_stored_file(tmp_path: Path) -> None:
    photo = process_photo(_photo(tmp_path / "a.jpg", (3000, 2000)), tmp_path / "out", "p2")
    assert photo.path == tmp_path / "out" / "p2.jpg"
    data = photo.path.read_bytes()
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.size == len(data)
    with Image.open(photo.thumb_path) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320
        assert thumb.size == (320, 213)


def test_capture_time_and_gps_are_read_from_exif(tmp_path: Path) -> None:
    source = _photo(
        tmp_path / "gps.jpg", taken="2026:05:01 10:30:00", offset="+03:00", gps=(60.170000, -24.938333)
    )
    device = {"lat": 1.0, "lon": 2.0}
    photo = process_photo(source, tmp_path / "out", "p3", position=device)
    assert photo.taken_at == "2026-05-01T07:30:00Z"
    assert photo.position is not None
    assert photo.position["lat"] == pytest.approx(60.17, abs=1e-5)
    assert photo.position["lon"] == pytest.approx(-24.938333, abs=1e-5)


def test_without_exif_the_device_position_is_used_and_time_is_unknown(tmp_path: Path) -> None:
    device = {"lat": 60.2, "lon": 24.9, "accuracy_m": 8.0}
    photo = process_photo(_photo(tmp_path / "plain.jpg"), tmp_path / "out", "p4", position=device)
    assert photo.position == device
    assert photo.taken_at is None


def test_stored_jpeg_keeps_capture_time_but_no_gps_or_camera_serial(tmp_path: Path) -> None:
    source = _photo(
        tmp_path / "full.jpg", taken="2026:05:01 10:30:00", offset="+03:00", gps=(60.17, 24.94), camera=True
    )
    photo = process_photo(source, tmp_path / "out", "p5")
    with Image.open(photo.path) as stored:
        exif = stored.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        assert ExifTags.Base.BodySerialNumber not in sub
        assert sub[ExifTags.Base.DateTimeOriginal] == "2026:05:01 07:30:00"
        assert sub[ExifTags.Base.OffsetTimeOriginal] == "+00:00"
    assert b"SN-123456" not in photo.path.read_bytes()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"this is a shopping list, not a photo", "not an image this app can read"),
        (b"", "not an image this app can read"),
        (None, "damaged"),  # a real JPEG cut in half
    ],
)
def test_broken_or_non_image_file_gives_a_clear_error_and_stores_nothing(
    tmp_path: Path, content: bytes | None, words: str
) -> None:
    source = tmp_path / "IMG_0001.jpg"
    if content is None:
        whole = _photo(tmp_path / "whole.jpg", (1200, 900)).read_bytes()
        source.write_bytes(whole[: len(whole) // 3])
    else:
        source.write_bytes(content)
    out = tmp_path / "out"
    with pytest.raises(PhotoError) as raised:
        process_photo(source, out, "bad")
    assert "IMG_0001.jpg" in str(raised.value) and words in str(raised.value)
    assert not out.exists() or list(out.iterdir()) == []


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PhotoError, match="no such file"):
        process_photo(tmp_path / "gone.jpg", tmp_path / "out", "x")


def test_a_camera_card_folder_lists_its_images(tmp_path: Path) -> None:
    card = tmp_path / "DCIM"
    (card / "100CAM").mkdir(parents=True)
    _photo(card / "100CAM" / "B.JPG")
    _photo(card / "A.jpg")
    (card / "notes.txt").write_text("not a photo")
    assert sorted(p.name for p in images_in(card)) == ["A.jpg", "B.JPG"]
    with pytest.raises(PhotoError):
        images_in(tmp_path / "nowhere")


# -- the replica's photo records -----------------------------------------------------------
def test_photo_row_and_its_op_are_written_together_and_survive_reopening(
    replica: Replica, tmp_path: Path
) -> None:
    source = _photo(tmp_path / "before.jpg", taken="2026:05:01 10:30:00", offset="+03:00")
    position = {"lat": 60.17, "lon": 24.94, "accuracy_m": 5.0}
    row = attach_photo(replica, TICKET, source, kind="before", caption="Hole before", position=position)
    assert row["path"].is_file() and row["path"].parent == replica.photos_dir
    assert row["upload_state"] == "queued" and row["op_pending"]
    path = replica.path
    replica.close()

    reopened = Replica(path)
    try:
        (photo,) = reopened.photos(TICKET)
        assert photo["id"] == row["id"] and photo["kind"] == "before" and photo["caption"] == "Hole before"
        assert photo["thumb_path"].is_file()
        (op,) = reopened.pending_ops(10)
        assert op["op_id"] == row["id"] and op["kind"] == "photo"
        wire = Op.model_validate(op)  # what the server will validate
        meta = PhotoMeta.model_validate(wire.value)
        assert meta.sha256 == hashlib.sha256(photo["path"].read_bytes()).hexdigest()
        assert meta.kind == "before" and meta.for_reporter is True
        assert meta.taken_at == datetime(2026, 5, 1, 7, 30, tzinfo=UTC)
        assert meta.position is not None and meta.position.accuracy_m == 5.0
        assert wire.position == meta.position
        # Photos wait for their metadata to reach the server before their bytes go.
        assert reopened.photos_to_upload() == []
        assert reopened.upload_counts() == {"waiting": 1, "failed": 0, "confirmed": 0}
    finally:
        reopened.close()


def test_the_profile_chooses_size_and_quality_and_bad_choices_change_nothing(
    replica: Replica, tmp_path: Path
) -> None:
    assert PipelineSettings.of_profile(replica) == PipelineSettings()
    save_settings(replica, max_edge=1600, quality=70)
    row = attach_photo(replica, TICKET, _photo(tmp_path / "wide.jpg", (4000, 3000)), kind="after")
    assert (row["width"], row["height"]) == (1600, 1200)
    with pytest.raises(PhotoError, match="longest edge"):
        save_settings(replica, max_edge=50)
    with pytest.raises(PhotoError, match="quality"):
        save_settings(replica, quality=100)
    assert PipelineSettings.of_profile(replica) == PipelineSettings(max_edge=1600, quality=70)


def test_photo_row_is_rolled_back_when_its_op_cannot_be_queued(replica: Replica, tmp_path: Path) -> None:
    photo = process_photo(_photo(tmp_path / "x.jpg"), replica.photos_dir, str(uuid.uuid4()))
    # An op with the photo's id already in the outbox makes the second insert fail.
    replica.conn.execute(
        "INSERT INTO outbox (op_id, ticket_id, kind, device_time) VALUES (?, ?, 'note', 'now')",
        (photo.id, TICKET),
    )
    replica.conn.commit()
    with pytest.raises(sqlite3.IntegrityError):
        replica.add_photo(TICKET, photo, kind="after")
    assert replica.conn.execute("SELECT count(*) FROM photos").fetchone()[0] == 0


def test_a_bad_file_or_kind_or_ticket_attaches_nothing(replica: Replica, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_text("nope")
    good = _photo(tmp_path / "good.jpg")
    with pytest.raises(PhotoError):
        attach_photo(replica, TICKET, bad, kind="before")
    with pytest.raises(PhotoError, match="before, after, other"):
        attach_photo(replica, TICKET, good, kind="during")
    with pytest.raises(LocalError, match="no ticket"):
        attach_photo(replica, str(uuid.uuid4()), good, kind="before")
    with pytest.raises(LocalError, match="caption"):
        attach_photo(replica, TICKET, good, kind="before", caption="x" * 501)
    assert replica.photos(TICKET) == [] and replica.pending_ops(10) == []
    assert not replica.photos_dir.exists() or list(replica.photos_dir.iterdir()) == []


def test_photos_from_other_devices_are_listed_from_the_feed(replica: Replica, tmp_path: Path) -> None:
    mine = attach_photo(replica, TICKET, _photo(tmp_path / "m.jpg"), kind="before")
    theirs = {
        "id": str(uuid.uuid4()),
        "author": "eero",
        "kind": "after",
        "caption": "done",
        "sha256": "a" * 64,
        "size": 1000,
        "width": 10,
        "height": 10,
        "for_reporter": False,
        "created_at": datetime.now(UTC).isoformat(),
    }
    doc = _ticket_doc(TICKET) | {"version": 2, "photos": [dict(theirs), {**theirs, "id": mine["id"]}]}
    replica.apply_page({"cursor": 2, "more": False, "tickets": [doc], "revoked": []})
    listed = {p["id"]: p for p in replica.photos(TICKET)}
    assert set(listed) == {mine["id"], theirs["id"]}
    assert listed[mine["id"]]["origin"] == "device" and listed[mine["id"]]["upload_state"] == "queued"
    assert listed[theirs["id"]]["origin"] == "server" and listed[theirs["id"]]["upload_state"] == "remote"
    assert listed[theirs["id"]]["author"] == "eero"
