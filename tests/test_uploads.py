"""Resumable photo uploads (tus 1.0.0) against real case server processes, on both databases."""

from __future__ import annotations

import base64
import io
import select
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from photohelpers import (
    TUS,
    PhotoServer,
    auth,
    blob,
    head_offset,
    jpeg_with_gps,
    north_ticket,
    photo_server,
    push_photo,
    recorded_uploader,
    sha256,
    uploader,
)
from PIL import Image
from s3server import S3Server
from serverproc import start_server
from sqlalchemy import create_engine, text
from tusclient.exceptions import TusUploadFailed

from sync.wire import PHOTO_STORED_HEADER


@pytest.fixture(scope="module")
def photos(
    photo_setup: tuple[str, S3Server | None], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PhotoServer]:
    backend, s3 = photo_setup
    with photo_server(backend, tmp_path_factory.mktemp(f"uploads-{backend}"), s3) as server:
        yield server


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _upload_id(upload_url: str) -> str:
    return upload_url.rstrip("/").rsplit("/", 1)[1]


def test_a_dropped_connection_resumes_without_resending_what_arrived(
    photos: PhotoServer, tmp_path: Path
) -> None:
    data = jpeg_with_gps(1024, 768, seed=1)
    path = _write(tmp_path, "before.jpg", data)
    token = photos.server.token("aino")
    up = recorded_uploader(photos, token, path)
    up.set_url(up.create_url())
    # One PATCH announcing the whole file, cut after `part` bytes of it.
    part = len(data) // 3
    target = urlsplit(up.url)
    head = (
        f"PATCH {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nAuthorization: Bearer {token}\r\n"
        f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    with socket.create_connection((target.hostname, target.port)) as conn:
        conn.sendall(head.encode() + data[:part])
        time.sleep(0.5)  # the server reads what arrived; then the line drops
    deadline = time.monotonic() + 10
    while (offset := int(head_offset(up.url, token).headers["Upload-Offset"])) == 0:
        assert time.monotonic() < deadline, "the server never recorded the bytes that arrived"
        time.sleep(0.1)
    assert offset == part  # every byte that arrived was kept
    up.offset = offset
    up.upload()
    sent = part + (len(data) - offset)
    assert sent == len(data)
    stored = blob(photos.url, token, sha256(data))
    assert stored.status_code == 200
    assert stored.json() == {
        "sha256": sha256(data),
        "size": len(data),
        "content_type": "image/jpeg",
        "width": 1024,
        "height": 768,
    }


def test_an_upload_survives_a_server_restart(
    photo_setup: tuple[str, S3Server | None], tmp_path: Path
) -> None:
    data = jpeg_with_gps(seed=2)
    path = _write(tmp_path, "after.jpg", data)
    with photo_server(photo_setup[0], tmp_path, photo_setup[1]) as photos:
        token = photos.server.token("eero")
        up = recorded_uploader(photos, token, path, chunk_size=40_000)
        up.upload(stop_at=120_000)
        photos.server.stop()
        port = int(photos.url.rsplit(":", 1)[1])
        again = start_server(photos.server.database_url, tmp_path, seed=False, port=port, **photos.env)
        try:
            resumed = uploader(again.url, token, path, chunk_size=40_000)
            resumed.set_url(up.url)
            resumed.offset = resumed.get_offset()  # HEAD on the restarted server
            assert resumed.offset == 120_000
            resumed.upload()
            assert blob(again.url, token, sha256(data)).status_code == 200
            assert photos.stored_bytes(sha256(data)) == data
        finally:
            again.stop()


def test_expired_unfinished_uploads_are_swept_when_the_server_starts(
    photo_setup: tuple[str, S3Server | None], tmp_path: Path
) -> None:
    with photo_server(photo_setup[0], tmp_path, photo_setup[1]) as photos:
        token = photos.server.token("aino")
        first = _write(tmp_path, "a.jpg", jpeg_with_gps(seed=21))
        abandoned = recorded_uploader(photos, token, first, chunk_size=10_000)
        abandoned.upload(stop_at=30_000)
        data = jpeg_with_gps(seed=22)
        current = recorded_uploader(photos, token, _write(tmp_path, "b.jpg", data), chunk_size=10_000)
        current.upload(stop_at=30_000)
        photos.server.stop()
        assert photos.upload_bytes_held(_upload_id(abandoned.url)) == 30_000
        engine = create_engine(photos.server.database_url)
        try:
            with engine.begin() as conn:
                conn.execute(
                    text("UPDATE uploads SET expires_at = :t WHERE id = :id"),
                    {"t": datetime.now(UTC) - timedelta(hours=1), "id": _upload_id(abandoned.url)},
                )
        finally:
            engine.dispose()
        port = int(photos.url.rsplit(":", 1)[1])
        again = start_server(photos.server.database_url, tmp_path, seed=False, port=port, **photos.env)
        try:
            left = photos.keys(f"uploads/{_upload_id(abandoned.url)}/")
            deadline = time.monotonic() + 10
            while left and time.monotonic() < deadline:  # the sweep runs beside the first requests
                time.sleep(0.05)
                left = photos.keys(f"uploads/{_upload_id(abandoned.url)}/")
            assert left == []
            assert head_offset(abandoned.url, token).status_code == 404
            assert int(head_offset(current.url, token).headers["Upload-Offset"]) == 30_000
            current.upload()
            assert blob(again.url, token, sha256(data)).status_code == 200
        finally:
            again.stop()


def test_the_same_photo_uploaded_twice_is_stored_once(photos: PhotoServer, tmp_path: Path) -> None:
    data = jpeg_with_gps(seed=3)
    path = _write(tmp_path, "twice.jpg", data)
    before = photos.stored_blobs()
    photo_id = push_photo(photos.server, photos.server.token("aino"), north_ticket(photos.server), data)
    for user in ("aino", "eero"):  # two tablets of the crew send the same file
        up = uploader(photos.url, photos.server.token(user), path, photo_id=photo_id)
        up.upload()
        assert int(head_offset(up.url, photos.server.token(user)).headers["Upload-Offset"]) == len(data)
    added = [p for p in photos.stored_blobs() if p not in before]
    assert [key.rsplit("/", 1)[1] for key in added] == [sha256(data)]
    engine = create_engine(photos.server.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM blobs WHERE sha256 = :s"), {"s": sha256(data)})
            assert rows.scalar() == 1
    finally:
        engine.dispose()


def _bomb() -> bytes:
    """A small JPEG whose header announces 9000×9000 pixels (81 MP)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "gray").save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (9000).to_bytes(2, "big") + (9000).to_bytes(2, "big")
    return bytes(data)


def _progressive(seed: int) -> bytes:
    """A progressive JPEG: its pixels arrive in several scans, the last ones at the file's end."""
    out = io.BytesIO()
    Image.open(io.BytesIO(jpeg_with_gps(seed=seed))).save(out, "JPEG", quality=90, progressive=True)
    return out.getvalue()


# The structure check reads every scan to the end marker; these prove refusals reach the uploader.
REFUSALS = {
    "hash mismatch": (jpeg_with_gps(seed=4), sha256(b"other bytes"), "SHA-256"),
    "not an image": (b"%PDF-1.7\n" + b"x" * 5000, None, "not a JPEG"),
    "truncated JPEG": (jpeg_with_gps(seed=5)[:-3000], None, "truncated"),
    "JPEG missing only its end marker": (jpeg_with_gps(seed=6)[:-2], None, "truncated"),
    "JPEG cut in its first rows": (jpeg_with_gps(seed=7)[:2000], None, "truncated"),
    "progressive JPEG missing its last scan's end": (_progressive(8)[:-40], None, "truncated"),
    "JPEG with a broken scan": (
        (lambda d: d[: len(d) // 2] + b"\xff\xc4\x00\x03\x99" + d[len(d) // 2 + 5 :])(jpeg_with_gps(seed=9)),
        None,
        "cannot be decoded",
    ),
    "decompression bomb": (_bomb(), None, "9000×9000 pixels"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_bad_upload_is_refused_with_its_reason_and_nothing_is_stored(
    photos: PhotoServer, tmp_path: Path, case: str
) -> None:
    data, announced, reason = REFUSALS[case]
    token = photos.server.token("aino")
    good_data = jpeg_with_gps(seed=len(case) + 100)
    good = recorded_uploader(photos, token, _write(tmp_path, "good.jpg", good_data))
    good.upload(stop_at=10_000)  # another upload under way meanwhile
    before = photos.stored_blobs()
    bad = recorded_uploader(photos, token, _write(tmp_path, "photo.jpg", data), sha=announced)
    with pytest.raises(TusUploadFailed) as refused:
        bad.upload()
    assert refused.value.status_code == 422
    assert reason in refused.value.response_content.decode()
    for sha in {sha256(data), announced or sha256(data)}:
        assert blob(photos.url, token, sha).status_code == 404
    assert photos.stored_blobs() == before
    assert photos.keys(f"uploads/{_upload_id(bad.url)}/") == []
    assert head_offset(bad.url, token).status_code == 404
    good.upload()  # unharmed
    assert blob(photos.url, token, sha256(good_data)).status_code == 200


def _create(server_url: str, headers: dict[str, str], length: int, metadata: str) -> requests.Response:
    return requests.post(
        f"{server_url}/api/v1/uploads/",
        headers={**TUS, **headers, "Upload-Length": str(length), "Upload-Metadata": metadata},
        timeout=30,
    )


def _metadata(**values: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


META = _metadata(sha256="a" * 64, photo_id="0b7c6d8e-2f4a-4c1e-9a77-1d2e3f405162")


def test_an_oversize_photo_is_refused_at_creation(photos: PhotoServer) -> None:
    token = photos.server.token("aino")
    before = photos.uploads_left()
    r = _create(photos.url, auth(token), 25 * 1024 * 1024 + 1, META)
    assert r.status_code == 413
    assert "more than the 26214400 allowed" in r.json()["detail"]
    assert photos.uploads_left() == before


def test_creation_needs_the_photos_hash_and_id(photos: PhotoServer) -> None:
    token = photos.server.token("aino")
    r = _create(photos.url, auth(token), 1000, _metadata(filename="x.jpg"))
    assert r.status_code == 400 and "sha256" in r.json()["detail"]
    r = _create(photos.url, auth(token), 1000, _metadata(sha256="a" * 64))
    assert r.status_code == 400 and "photo_id" in r.json()["detail"]


def test_uploads_need_a_valid_token(photos: PhotoServer, tmp_path: Path) -> None:
    r = _create(photos.url, {}, 1000, META)
    assert r.status_code == 401
    token = photos.server.token("aino")
    up = recorded_uploader(photos, token, _write(tmp_path, "p.jpg", jpeg_with_gps(seed=6)))
    up.upload(stop_at=5_000)
    patch = {**TUS, "Upload-Offset": "5000", "Content-Type": "application/offset+octet-stream"}
    r = requests.patch(up.url, data=b"\0" * 1000, headers=patch, timeout=30)
    assert r.status_code == 401
    assert int(head_offset(up.url, token).headers["Upload-Offset"]) == 5_000  # not a byte written

    expired = photos.server.token("eero")
    engine = create_engine(photos.server.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE devices SET expires_at = :t WHERE token_hash = :h"),
                {"t": datetime.now(UTC) - timedelta(minutes=1), "h": sha256(expired.encode())},
            )
    finally:
        engine.dispose()
    r = requests.patch(up.url, data=b"\0" * 1000, headers={**patch, **auth(expired)}, timeout=30)
    assert r.status_code == 401 and "expired" in r.json()["detail"]

    revoked = photos.server.token("aino")
    assert requests.post(f"{photos.url}/api/v1/auth/logout", headers=auth(revoked), timeout=30).ok
    r = _create(photos.url, auth(revoked), 1000, META)
    assert r.status_code == 401
    assert head_offset(up.url, revoked).status_code == 401
    assert int(head_offset(up.url, token).headers["Upload-Offset"]) == 5_000


def test_blob_confirmation_answers_404_before_and_422_for_a_malformed_hash(photos: PhotoServer) -> None:
    token = photos.server.token("aino")
    assert blob(photos.url, token, "0" * 64).status_code == 404
    assert blob(photos.url, token, "XYZ").status_code == 422
    assert blob(photos.url, token, "A" * 64).status_code == 422
    r = requests.get(f"{photos.url}/api/v1/blobs/{'0' * 64}", timeout=30)
    assert r.status_code == 401


def test_two_server_processes_share_unfinished_uploads(photos: PhotoServer, tmp_path: Path) -> None:
    """Another process on the same database and blob folder continues an upload it never saw."""
    other = start_server(photos.server.database_url, tmp_path, seed=False, **photos.env)
    try:
        data = jpeg_with_gps(seed=7)
        path = _write(tmp_path, "shared.jpg", data)
        token = photos.server.token("aino")
        first = recorded_uploader(photos, token, path, chunk_size=30_000)
        first.upload(stop_at=60_000)
        second = uploader(other.url, token, path, chunk_size=30_000)
        second.set_url(other.url + urlsplit(first.url).path)
        second.offset = second.get_offset()
        assert second.offset == 60_000
        second.upload()
        assert blob(photos.url, token, sha256(data)).status_code == 200
    finally:
        other.stop()


def _refused_creation(photos: PhotoServer, token: str, data: bytes, **metadata: str) -> requests.Response:
    """A creation that must be refused: nothing is left in the uploads folder or the blob store."""
    uploads, stored = photos.uploads_left(), photos.stored_blobs()
    r = _create(photos.url, auth(token), len(data), _metadata(filename="p.jpg", **metadata))
    assert photos.uploads_left() == uploads
    assert photos.stored_blobs() == stored
    assert blob(photos.url, token, sha256(data)).status_code == 404
    return r


def test_an_upload_needs_the_photos_record_on_the_server(photos: PhotoServer) -> None:
    data = jpeg_with_gps(seed=11)
    r = _refused_creation(
        photos, photos.server.token("aino"), data, sha256=sha256(data), photo_id=str(uuid.uuid4())
    )
    assert r.status_code == 409
    assert r.json() == {"detail": "the photo's record has not reached the server yet: sync first"}


def test_an_upload_must_announce_the_hash_and_length_its_record_has(photos: PhotoServer) -> None:
    token = photos.server.token("aino")
    data = jpeg_with_gps(seed=12)
    photo_id = push_photo(photos.server, token, north_ticket(photos.server), data)
    other = sha256(b"other bytes")
    r = _refused_creation(photos, token, data, sha256=other, photo_id=photo_id)
    assert r.status_code == 422
    assert r.json()["detail"] == (
        f"photo refused: the announced SHA-256 {other} is not the photo record's {sha256(data)}"
    )
    meta = _metadata(sha256=sha256(data), photo_id=photo_id)
    uploads = photos.uploads_left()
    longer = _create(photos.url, auth(token), len(data) + 1, meta)
    assert longer.status_code == 422
    assert longer.json()["detail"] == (
        f"photo refused: Upload-Length {len(data) + 1} is not the photo record's size {len(data)}"
    )
    assert photos.uploads_left() == uploads
    right = _create(photos.url, auth(token), len(data), meta)
    assert right.status_code == 201  # the record's own hash and length are accepted


def test_another_crews_photo_cannot_be_uploaded_and_is_not_revealed(photos: PhotoServer) -> None:
    data = jpeg_with_gps(seed=13)
    photo_id = push_photo(photos.server, photos.server.token("aino"), north_ticket(photos.server), data)
    mikko = photos.server.token("mikko")  # crew central
    for announced in (sha256(data), sha256(b"other bytes")):  # a wrong hash says nothing more
        r = _refused_creation(photos, mikko, data, sha256=announced, photo_id=photo_id)
        assert r.status_code == 404
        assert r.json() == {"detail": "no such photo"}
    for user in ("eero", "sanna", "admin"):  # the crew, its supervisor, the office
        meta = _metadata(sha256=sha256(data), photo_id=photo_id)
        assert _create(photos.url, auth(photos.server.token(user)), len(data), meta).status_code == 201, user


def test_only_the_uploads_creator_may_continue_query_or_end_it(photos: PhotoServer, tmp_path: Path) -> None:
    data = jpeg_with_gps(seed=14)
    aino = photos.server.token("aino")
    up = recorded_uploader(photos, aino, _write(tmp_path, "mine.jpg", data), chunk_size=20_000)
    up.upload(stop_at=20_000)
    eero = photos.server.token("eero")  # same crew, sees the photo, but did not start this upload
    patch = {**TUS, **auth(eero), "Upload-Offset": "20000", "Content-Type": "application/offset+octet-stream"}
    r = requests.patch(up.url, data=data[20_000:], headers=patch, timeout=30)
    assert r.status_code == 404 and r.json() == {"detail": "no such upload"}
    assert head_offset(up.url, eero).status_code == 404
    assert requests.delete(up.url, headers={**TUS, **auth(eero)}, timeout=30).status_code == 404
    assert int(head_offset(up.url, aino).headers["Upload-Offset"]) == 20_000  # not a byte written
    assert blob(photos.url, aino, sha256(data)).status_code == 404
    up.upload()  # the creator carries on, with a new token of the same user too
    assert blob(photos.url, aino, sha256(data)).status_code == 200
    assert int(head_offset(up.url, photos.server.token("aino")).headers["Upload-Offset"]) == len(data)
    assert head_offset(up.url, eero).status_code == 404


def test_only_the_patch_that_stores_the_photo_says_so_in_its_answer(
    photos: PhotoServer, tmp_path: Path
) -> None:
    aino = photos.server.token("aino")
    patch = {**TUS, **auth(aino), "Content-Type": "application/offset+octet-stream"}
    data = jpeg_with_gps(seed=21)
    up = recorded_uploader(photos, aino, _write(tmp_path, "told.jpg", data), chunk_size=20_000)
    up.upload(stop_at=20_000)
    assert PHOTO_STORED_HEADER.lower() not in up.request.response_headers  # more to come
    last = requests.patch(up.url, data=data[20_000:], headers={**patch, "Upload-Offset": "20000"}, timeout=30)
    assert last.status_code == 204 and last.headers[PHOTO_STORED_HEADER] == sha256(data)
    assert blob(photos.url, aino, sha256(data)).json()["size"] == len(data)

    cut = data[:-1000]  # the whole announced length arrives, but it is no whole JPEG
    bad = recorded_uploader(photos, aino, _write(tmp_path, "cut.jpg", cut), chunk_size=20_000)
    bad.upload(stop_at=20_000)
    refused = requests.patch(
        bad.url, data=cut[20_000:], headers={**patch, "Upload-Offset": "20000"}, timeout=30
    )
    assert refused.status_code == 422 and PHOTO_STORED_HEADER not in refused.headers


PATCH_OK = {**TUS, "Content-Type": "application/offset+octet-stream"}
#: PATCHes every tus server must refuse, each carrying the rest of the photo: (headers, status).
REFUSED_PATCHES = {
    "wrong Content-Type": ({"Content-Type": "application/octet-stream"}, 415),
    "no Content-Type": ({"Content-Type": None}, 415),
    "no Tus-Resumable": ({"Tus-Resumable": None}, 412),
    "an old Tus-Resumable": ({"Tus-Resumable": "0.2.2"}, 412),
    "no Upload-Offset": ({"Upload-Offset": None}, 400),
    "a malformed Upload-Offset": ({"Upload-Offset": "5e3"}, 400),
    "a negative Upload-Offset": ({"Upload-Offset": "-1"}, 400),
    "a malformed Upload-Length": ({"Upload-Length": "lots"}, 400),
    "another Upload-Length": ({"Upload-Length": "1"}, 400),
    "a wrong Upload-Offset": ({"Upload-Offset": "0"}, 409),
    "Upload-Concat": ({"Upload-Concat": "partial"}, 400),
}


def _raw_patch(url: str, headers: dict[str, str | None], body: bytes, *, chunked: bool = False) -> int:
    """A PATCH sent byte for byte as given (None drops a header): its status.

    The body goes only if no answer came to the head within a second (a server that
    refuses on the headers answers at once, and may close before reading a body).
    """
    target = urlsplit(url)
    lines = [f"PATCH {target.path} HTTP/1.1", f"Host: {target.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items() if value is not None]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        payload = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        payload = body
    with socket.create_connection((target.hostname, target.port), timeout=30) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        if not select.select([conn], [], [], 1.0)[0]:
            conn.sendall(payload)
        return int(conn.recv(65536).split(b" ", 2)[1])


@pytest.mark.parametrize("case", [*REFUSED_PATCHES, "chunked, no Content-Length", "past the length"])
def test_a_refused_patch_writes_nothing_and_the_upload_still_finishes(
    photos: PhotoServer, tmp_path: Path, case: str
) -> None:
    """A refused PATCH leaves the offset, the file and the completion check as they were."""
    data = jpeg_with_gps(seed=300 + len(case))
    token = photos.server.token("aino")
    up = recorded_uploader(photos, token, _write(tmp_path, "p.jpg", data), chunk_size=5_000)
    up.upload(stop_at=5_000)
    headers: dict[str, str | None] = {**PATCH_OK, **auth(token), "Upload-Offset": "5000"}
    body, chunked, status = data[5_000:], False, 0
    if case == "chunked, no Content-Length":
        chunked, status = True, 411
    elif case == "past the length":
        body, status = data[5_000:] + b"\xff\xd9 trailing", 413
    else:
        changes, status = REFUSED_PATCHES[case]
        headers.update(changes)
    assert _raw_patch(up.url, headers, body, chunked=chunked) == status
    assert int(head_offset(up.url, token).headers["Upload-Offset"]) == 5_000
    assert photos.upload_bytes_held(_upload_id(up.url)) == 5_000  # not a byte of the refused body
    assert blob(photos.url, token, sha256(data)).status_code == 404
    up.offset = up.get_offset()
    up.chunk_size = len(data)
    up.upload()  # the same upload carries on, and its completion check runs
    assert up.request.response_headers[PHOTO_STORED_HEADER.lower()] == sha256(data)
    assert blob(photos.url, token, sha256(data)).status_code == 200


@pytest.mark.parametrize("method", ["PATCH", "DELETE", "HEAD"])
@pytest.mark.parametrize("upload_id", ["%00", "x%00y", "%2e%2e", "..%2Fuploads", "A" * 32, "0" * 33, "%ff"])
def test_malformed_upload_ids_are_404(photos: PhotoServer, method: str, upload_id: str) -> None:
    token = photos.server.token("aino")
    headers = {**PATCH_OK, **auth(token), "Upload-Offset": "0"}
    r = requests.request(
        method, f"{photos.url}/api/v1/uploads/{upload_id}", headers=headers, data=b"x", timeout=30
    )
    assert r.status_code == 404, (method, upload_id, r.status_code, r.text)


@pytest.mark.parametrize("path", ["/api/v1/uploads", "/api/v1/uploads/"])
def test_tus_discovery_answers_without_credentials_and_lists_only_what_works(
    photos: PhotoServer, path: str
) -> None:
    for headers in ({}, TUS, {"Authorization": "Bearer not-a-token"}):
        r = requests.options(f"{photos.url}{path}", headers=headers, timeout=30)
        assert r.status_code == 204, (headers, r.status_code, r.text)
        assert r.headers["Tus-Version"] == "1.0.0"
        assert r.headers["Tus-Resumable"] == "1.0.0"
        assert r.headers["Tus-Max-Size"] == str(25 * 1024 * 1024)
        assert r.headers["Tus-Extension"].split(",") == [
            "creation",
            "creation-with-upload",
            "expiration",
            "termination",
        ]


def test_every_advertised_extension_works_and_the_others_are_refused(
    photos: PhotoServer, tmp_path: Path
) -> None:
    token = photos.server.token("aino")
    data = jpeg_with_gps(seed=401)
    photo_id = push_photo(photos.server, token, north_ticket(photos.server), data)
    meta = _metadata(sha256=sha256(data), photo_id=photo_id)
    created = _create(photos.url, auth(token), len(data), meta)  # creation
    assert created.status_code == 201
    assert created.headers["Upload-Expires"]  # expiration
    url = f"{photos.url}{created.headers['Location']}"
    gone = requests.delete(url, headers={**TUS, **auth(token)}, timeout=30)  # termination
    assert gone.status_code == 204 and head_offset(url, token).status_code == 404
    with_upload = requests.post(  # creation-with-upload
        f"{photos.url}/api/v1/uploads/",
        headers={
            **TUS,
            **auth(token),
            "Upload-Length": str(len(data)),
            "Upload-Metadata": meta,
            "Content-Type": "application/offset+octet-stream",
        },
        data=data,
        timeout=30,
    )
    assert with_upload.status_code == 201, with_upload.text
    assert with_upload.headers["Upload-Offset"] == str(len(data))
    uploads = photos.uploads_left()
    deferred = requests.post(  # creation-defer-length: not offered
        f"{photos.url}/api/v1/uploads/",
        headers={**TUS, **auth(token), "Upload-Defer-Length": "1", "Upload-Metadata": meta},
        timeout=30,
    )
    assert deferred.status_code == 400 and "deferred length" in deferred.json()["detail"]
    partial = _create(photos.url, {**auth(token), "Upload-Concat": "partial"}, len(data), meta)
    assert partial.status_code == 400 and "Upload-Concat" in partial.json()["detail"]  # concatenation
    assert photos.uploads_left() == uploads


def _create_with(server_url: str, token: str, length: int, meta: str, body: bytes, **headers: str):
    return requests.post(
        f"{server_url}/api/v1/uploads/",
        headers={
            **TUS,
            **auth(token),
            "Upload-Length": str(length),
            "Upload-Metadata": meta,
            "Content-Type": "application/offset+octet-stream",
            **headers,
        },
        data=body,
        timeout=30,
    )


def test_a_photo_sent_in_its_creation_request_is_stored_and_confirmed(photos: PhotoServer) -> None:
    token = photos.server.token("aino")
    data = jpeg_with_gps(2048, 1536, seed=402)
    photo_id = push_photo(photos.server, token, north_ticket(photos.server), data)
    r = _create_with(photos.url, token, len(data), _metadata(sha256=sha256(data), photo_id=photo_id), data)
    assert r.status_code == 201, r.text
    assert r.headers["Upload-Offset"] == str(len(data))
    assert r.headers[PHOTO_STORED_HEADER] == sha256(data)
    assert r.headers["Location"].startswith("/api/v1/uploads/")
    assert blob(photos.url, token, sha256(data)).json()["size"] == len(data)
    original = requests.get(
        f"{photos.url}/api/v1/photos/{photo_id}/original", headers=auth(token), timeout=30
    )
    assert original.status_code == 200 and original.content == data  # its creator showed the bytes
    url = f"{photos.url}{r.headers['Location']}"
    assert int(head_offset(url, token).headers["Upload-Offset"]) == len(data)


def test_a_creation_with_the_first_bytes_is_continued_by_tuspy(photos: PhotoServer, tmp_path: Path) -> None:
    token = photos.server.token("aino")
    data = jpeg_with_gps(seed=403)
    path = _write(tmp_path, "first.jpg", data)
    photo_id = push_photo(photos.server, token, north_ticket(photos.server), data)
    meta = _metadata(sha256=sha256(data), photo_id=photo_id)
    r = _create_with(photos.url, token, len(data), meta, data[:30_000])
    assert r.status_code == 201 and r.headers["Upload-Offset"] == "30000"
    assert PHOTO_STORED_HEADER not in r.headers
    up = uploader(photos.url, token, path, photo_id=photo_id)
    up.set_url(urljoin(f"{photos.url}/api/v1/uploads/", r.headers["Location"]))
    up.offset = up.get_offset()
    assert up.offset == 30_000
    up.upload()
    assert up.request.response_headers[PHOTO_STORED_HEADER.lower()] == sha256(data)
    assert blob(photos.url, token, sha256(data)).status_code == 200


@pytest.mark.parametrize(
    ("case", "status"),
    [("a truncated JPEG", 422), ("wrong Content-Type", 415), ("more than Upload-Length", 413)],
)
def test_a_refused_creation_with_upload_leaves_nothing(photos: PhotoServer, case: str, status: int) -> None:
    token = photos.server.token("aino")
    data = jpeg_with_gps(seed=404)[:-2000] if case == "a truncated JPEG" else jpeg_with_gps(seed=405)
    photo_id = push_photo(photos.server, token, north_ticket(photos.server), data)
    meta = _metadata(sha256=sha256(data), photo_id=photo_id)
    body, headers = data, {}
    if case == "wrong Content-Type":
        headers = {"Content-Type": "image/jpeg"}
    elif case == "more than Upload-Length":
        body = data + b"more"
    uploads, stored = photos.uploads_left(), photos.stored_blobs()
    r = _create_with(photos.url, token, len(data), meta, body, **headers)
    assert r.status_code == status, r.text
    assert PHOTO_STORED_HEADER not in r.headers
    assert photos.uploads_left() == uploads
    assert photos.stored_blobs() == stored
    assert blob(photos.url, token, sha256(data)).status_code == 404


def test_the_upload_location_never_echoes_the_host_header(photos: PhotoServer) -> None:
    token = photos.server.token("aino")
    data = jpeg_with_gps(seed=406)
    photo_id = push_photo(photos.server, token, north_ticket(photos.server), data)
    meta = _metadata(sha256=sha256(data), photo_id=photo_id)
    spoofed = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
    r = _create(photos.url, {**auth(token), **spoofed}, len(data), meta)
    assert r.status_code == 201
    assert "attacker" not in r.headers["Location"]
    assert head_offset(urljoin(photos.url, r.headers["Location"]), token).status_code == 200


def test_a_photo_the_server_failed_to_store_is_finished_by_sending_its_last_byte_again(
    backend: str, tmp_path: Path
) -> None:
    """A completion that fails (here: a file where the blob's folder must go) is not a finished upload."""
    with photo_server(backend, tmp_path) as photos:
        _failed_store_then_fixed(photos, tmp_path)


def _failed_store_then_fixed(photos: PhotoServer, tmp_path: Path) -> None:
    data = jpeg_with_gps(seed=500)
    token = photos.server.token("aino")
    up = recorded_uploader(photos, token, _write(tmp_path, "p.jpg", data), chunk_size=len(data))
    folder = photos.blob_dir / "blobs" / sha256(data)[:2] / sha256(data)[2:4]
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(b"")  # the store cannot make the blob's folder
    with pytest.raises(TusUploadFailed) as failed:
        up.upload()
    assert failed.value.status_code == 503
    assert int(head_offset(up.url, token).headers["Upload-Offset"]) == len(data) - 1  # not finished
    assert blob(photos.url, token, sha256(data)).status_code == 404
    folder.unlink()  # the disk is fixed
    up.offset = up.get_offset()
    up.upload()  # the last byte again: the check runs again
    assert up.request.response_headers[PHOTO_STORED_HEADER.lower()] == sha256(data)
    assert blob(photos.url, token, sha256(data)).status_code == 200
    assert (folder / sha256(data)).read_bytes() == data


def test_a_head_while_bytes_arrive_waits_and_counts_every_byte_of_the_cut_request(
    photos: PhotoServer, tmp_path: Path
) -> None:
    """A device reconnecting at once after a cut asks while the server still takes the cut
    request's bytes: the answer waits for them, so nothing that arrived is sent again."""
    data = jpeg_with_gps(1024, 768, seed=600)
    token = photos.server.token("aino")
    up = recorded_uploader(photos, token, _write(tmp_path, "p.jpg", data))
    up.set_url(up.create_url())
    target = urlsplit(up.url)
    head = (
        f"PATCH {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nAuthorization: Bearer {token}\r\n"
        f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    sent = len(data) // 2
    answers: list[requests.Response] = []
    with socket.create_connection((target.hostname, target.port)) as conn:
        conn.sendall(head.encode() + data[:sent])
        time.sleep(0.5)  # the server holds the upload while the bytes come
        asking = threading.Thread(target=lambda: answers.append(head_offset(up.url, token)))
        asking.start()
        asking.join(1.0)
        assert answers == []  # it waits: the request in flight may still move the offset
    asking.join(15)  # the line dropped: the bytes that came are kept, then the answer goes
    assert answers[0].status_code == 200
    assert int(answers[0].headers["Upload-Offset"]) == sent
    up.offset = sent
    up.upload()
    assert up.request.response_headers[PHOTO_STORED_HEADER.lower()] == sha256(data)
