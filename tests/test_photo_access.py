"""Who may fetch which photo: originals and thumbnails in the caller's scope, public copies without EXIF."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from photohelpers import PhotoServer, auth, jpeg_with_gps, photo_server, push_photo, sha256, uploader
from PIL import ExifTags, Image
from s3server import S3Server

from caseserver.blobstore import blob_key


@pytest.fixture(scope="module")
def photos(
    photo_setup: tuple[str, S3Server | None], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PhotoServer]:
    backend, s3 = photo_setup
    with photo_server(backend, tmp_path_factory.mktemp(f"photo-access-{backend}"), s3) as server:
        yield server


def _north_photo(
    photos: PhotoServer, folder: Path, *, upload: bool = True, **meta: object
) -> tuple[str, bytes]:
    """A ticket of crew north with a GPS-tagged photo attached by aino (and uploaded)."""
    admin = photos.server.token("admin")
    ticket_id = photos.server.create_ticket(admin, assigned_crew="north")["id"]
    aino = photos.server.token("aino")
    data = jpeg_with_gps(2400, 1800, seed=uuid.uuid4().int % 1000)
    photo_id = push_photo(photos.server, aino, ticket_id, data, **meta)
    if upload:
        path = folder / f"{photo_id}.jpg"
        path.write_bytes(data)
        uploader(photos.url, aino, path, chunk_size=1 << 20, photo_id=photo_id).upload()
    return photo_id, data


def _get(photos: PhotoServer, path: str, token: str | None = None, **headers: str) -> requests.Response:
    return requests.get(
        f"{photos.url}{path}", headers={**(auth(token) if token else {}), **headers}, timeout=30
    )


def test_the_crew_and_its_supervisor_fetch_the_original_and_a_thumbnail(
    photos: PhotoServer, tmp_path: Path
) -> None:
    photo_id, data = _north_photo(photos, tmp_path)
    for user in ("aino", "eero", "sanna", "admin"):
        token = photos.server.token(user)
        original = _get(photos, f"/api/v1/photos/{photo_id}/original", token)
        assert original.status_code == 200, user
        assert original.content == data
        assert original.headers["content-type"] == "image/jpeg"
        assert original.headers["etag"] == f'"{sha256(data)}"'
        thumb = _get(photos, f"/api/v1/photos/{photo_id}/thumb", token)
        assert thumb.status_code == 200
        assert max(Image.open(io.BytesIO(thumb.content)).size) == 320
    token = photos.server.token("aino")
    again = _get(
        photos, f"/api/v1/photos/{photo_id}/original", token, **{"If-None-Match": f'"{sha256(data)}"'}
    )
    assert again.status_code == 304 and again.content == b""


def test_another_crew_cannot_fetch_the_photo(photos: PhotoServer, tmp_path: Path) -> None:
    photo_id, _ = _north_photo(photos, tmp_path)
    mikko = photos.server.token("mikko")  # crew central
    for kind in ("original", "thumb"):
        r = _get(photos, f"/api/v1/photos/{photo_id}/{kind}", mikko)
        assert r.status_code == 404
        assert r.json() == {"detail": "no such photo"}
        assert _get(photos, f"/api/v1/photos/{photo_id}/{kind}").status_code == 401


def test_a_photo_not_uploaded_yet_or_unknown_is_404(photos: PhotoServer, tmp_path: Path) -> None:
    photo_id, _ = _north_photo(photos, tmp_path, upload=False)
    aino = photos.server.token("aino")
    r = _get(photos, f"/api/v1/photos/{photo_id}/original", aino)
    assert r.status_code == 404 and "not been uploaded" in r.json()["detail"]
    assert _get(photos, f"/api/v1/photos/{uuid.uuid4()}/original", aino).status_code == 404
    assert _get(photos, "/api/v1/photos/not-a-uuid/thumb", aino).status_code == 404
    assert _get(photos, f"/public/photos/{photo_id}.jpg").status_code == 404


def test_the_public_copy_has_no_exif_although_the_original_has_gps(
    photos: PhotoServer, tmp_path: Path
) -> None:
    photo_id, data = _north_photo(photos, tmp_path, for_reporter=True)
    with Image.open(io.BytesIO(data)) as original:
        gps = original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert gps[ExifTags.GPS.GPSLatitudeRef] == "N"  # the test photo really carries a position
    r = _get(photos, f"/public/photos/{photo_id}.jpg")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    # The public copy is tagged with its own bytes' hash: it never tells the original's.
    assert r.headers["etag"] == f'"{sha256(r.content)}"'
    assert sha256(data) not in r.headers["etag"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"].startswith("public")
    with Image.open(io.BytesIO(r.content)) as public:
        assert public.format == "JPEG"
        assert public.size == (1600, 1200)
        assert len(public.getexif()) == 0
        assert "exif" not in public.info and "icc_profile" not in public.info
    assert b"Exif\x00\x00" not in r.content and b"FieldCam" not in r.content
    assert (
        _get(photos, f"/public/photos/{photo_id}.jpg", **{"If-None-Match": r.headers["etag"]}).status_code
        == 304
    )


def test_a_photo_not_for_the_reporter_has_no_public_copy(photos: PhotoServer, tmp_path: Path) -> None:
    photo_id, _ = _north_photo(photos, tmp_path, for_reporter=False)
    assert _get(photos, f"/public/photos/{photo_id}.jpg").status_code == 404
    assert _get(photos, f"/api/v1/photos/{photo_id}/original", photos.server.token("aino")).status_code == 200
    assert _get(photos, f"/public/photos/{uuid.uuid4()}.jpg").status_code == 404
    assert _get(photos, "/public/photos/..%2F..%2Fetc.jpg").status_code == 404


def test_a_stored_photo_damaged_on_disk_is_a_clear_422_not_a_server_error(
    photos: PhotoServer, tmp_path: Path
) -> None:
    photo_id, data = _north_photo(photos, tmp_path, for_reporter=True)
    digest = sha256(data)
    photos.write(blob_key(digest), data[:200] + b"\x00" * (len(data) - 200))  # the store lost the pixels
    token = photos.server.token("aino")
    for path, who in ((f"/api/v1/photos/{photo_id}/thumb", token), (f"/public/photos/{photo_id}.jpg", None)):
        r = _get(photos, path, who)
        assert r.status_code == 422, (path, r.status_code, r.text)
        assert r.json() == {"detail": "the photo's image data is damaged: it cannot be shown smaller"}
    original = _get(photos, f"/api/v1/photos/{photo_id}/original", token)
    assert original.status_code == 200  # the bytes as stored are still there to look into


def test_knowing_a_photos_hash_does_not_give_another_crew_its_bytes(
    photos: PhotoServer, tmp_path: Path
) -> None:
    """The attack: read a public copy's tag, confirm the hash, claim it on one's own ticket."""
    photo_id, data = _north_photo(photos, tmp_path, for_reporter=True)
    digest = sha256(data)
    public = _get(photos, f"/public/photos/{photo_id}.jpg")
    assert public.status_code == 200 and digest not in public.headers["etag"]

    liisa = photos.server.token("liisa")  # crew south
    refused = _get(photos, f"/api/v1/blobs/{digest}", liisa)
    missing = _get(photos, f"/api/v1/blobs/{'0' * 64}", liisa)
    assert (refused.status_code, refused.json()) == (missing.status_code, missing.json())
    assert refused.status_code == 404

    south_ticket = photos.server.create_ticket(photos.server.token("admin"), assigned_crew="south")["id"]
    claim = push_photo(photos.server, liisa, south_ticket, data, for_reporter=True)  # a record, bytes pending
    for path in (f"/api/v1/photos/{claim}/original", f"/api/v1/photos/{claim}/thumb"):
        r = _get(photos, path, liisa)
        assert r.status_code == 404 and "not been uploaded" in r.json()["detail"]
    assert _get(photos, f"/public/photos/{claim}.jpg").status_code == 404
    assert _get(photos, f"/api/v1/blobs/{digest}", liisa).status_code == 404


def test_the_crew_that_sees_a_shown_photo_may_confirm_its_bytes(photos: PhotoServer, tmp_path: Path) -> None:
    _, data = _north_photo(photos, tmp_path)
    for user in ("aino", "eero", "sanna"):  # its author, a crewmate, their supervisor
        r = _get(photos, f"/api/v1/blobs/{sha256(data)}", photos.server.token(user))
        assert r.status_code == 200, user
        assert r.json()["sha256"] == sha256(data)


def test_a_photo_claiming_stored_bytes_is_served_once_its_author_uploads_them(
    photos: PhotoServer, tmp_path: Path
) -> None:
    """Two crews with the same file: the second shows it by uploading, then its photo is served."""
    _, data = _north_photo(photos, tmp_path, for_reporter=True)
    liisa = photos.server.token("liisa")
    south_ticket = photos.server.create_ticket(photos.server.token("admin"), assigned_crew="south")["id"]
    claim = push_photo(photos.server, liisa, south_ticket, data)
    path = tmp_path / "same.jpg"
    path.write_bytes(data)
    uploader(photos.url, liisa, path, chunk_size=1 << 20, photo_id=claim).upload()
    original = _get(photos, f"/api/v1/photos/{claim}/original", liisa)
    assert original.status_code == 200 and original.content == data
    assert _get(photos, f"/api/v1/blobs/{sha256(data)}", liisa).status_code == 200


def test_every_answer_forbids_content_sniffing(photos: PhotoServer, tmp_path: Path) -> None:
    photo_id, _ = _north_photo(photos, tmp_path)
    aino = photos.server.token("aino")
    for path, token in (
        (f"/api/v1/photos/{photo_id}/original", aino),
        (f"/api/v1/photos/{photo_id}/thumb", aino),
        ("/api/v1/me", aino),
        ("/api/v1/me", None),  # an error answer too
        ("/health", None),
    ):
        assert _get(photos, path, token).headers["x-content-type-options"] == "nosniff", path
