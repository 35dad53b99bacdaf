"""Two server processes that share only the database and an S3 bucket, behind haproxy.

Each process has a data folder of its own: whatever one process took of an upload is
in the database and the bucket, so the other continues it, and serves what it stored.
"""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from conftest import BACKENDS
from loadbalancer import haproxy_program, load_balancer
from photohelpers import auth, head_offset, jpeg_with_gps, north_ticket, push_photo, sha256, uploader
from s3server import S3Server
from serverproc import CaseServer, fresh_database_url, start_server
from sqlalchemy import create_engine, text
from tusclient.exceptions import TusUploadFailed

from sync.wire import PHOTO_STORED_HEADER

pytestmark = pytest.mark.skipif(haproxy_program() is None, reason="haproxy is not installed")
CUT_MESSAGE = "the connection was cut after"


def _cut_patch(upload_url: str, token: str, data: bytes, send: int) -> None:
    """A PATCH announcing the whole photo whose line drops after `send` bytes of it."""
    target = urlsplit(upload_url)
    head = (
        f"PATCH {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nAuthorization: Bearer {token}\r\n"
        "Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    with socket.create_connection((target.hostname, target.port)) as conn:
        conn.sendall(head.encode() + data[:send])
        time.sleep(0.5)  # the bytes reach the process; then the line drops


def _took_the_cut(processes: list[CaseServer]) -> CaseServer:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        took = [p for p in processes if CUT_MESSAGE in p.log()]
        if took:
            assert len(took) == 1
            return took[0]
        time.sleep(0.05)
    raise AssertionError("no process recorded the cut upload")


def test_an_upload_cut_on_one_process_is_resumed_through_the_other(s3: S3Server, tmp_path: Path) -> None:
    """Begun and cut on one process; that process stops; the device resumes through the load
    balancer and sends again at most 5% of the photo; a third process serves the stored photo."""
    env = s3.env(s3.new_bucket())
    folders = [tmp_path / name for name in ("a", "b", "c")]
    for folder in folders:
        folder.mkdir()
    with fresh_database_url(BACKENDS[-1], tmp_path) as database_url:
        first = start_server(database_url, folders[0], access_log=True, **env)
        second = start_server(database_url, folders[1], seed=False, access_log=True, **env)
        try:
            with load_balancer(tmp_path, [first.url, second.url]) as front_url:
                front = replace(first, url=front_url)
                token = front.token("aino")
                data = jpeg_with_gps(2400, 1800, seed=77)
                path = tmp_path / "photo.jpg"
                path.write_bytes(data)
                photo_id = push_photo(front, token, north_ticket(front), data)
                up = uploader(front_url, token, path, photo_id=photo_id, chunk_size=len(data))
                up.set_url(up.create_url())
                sent_first = len(data) * 3 // 5
                _cut_patch(up.url, token, data, sent_first)
                took = _took_the_cut([first, second])
                took.stop()  # the process that took the bytes is gone
                survivor = second if took is first else first

                up.offset = up.get_offset()  # HEAD through the load balancer
                sent_again = sent_first - up.offset
                assert 0 <= sent_again <= len(data) * 0.05, (sent_first, up.offset)
                up.upload()
                assert up.request.response_headers[PHOTO_STORED_HEADER.lower()] == sha256(data)
                assert int(head_offset(up.url, token).headers["Upload-Offset"]) == len(data)
                assert CUT_MESSAGE not in survivor.log()

            third = start_server(database_url, folders[2], seed=False, **env)
            try:
                for process in (survivor, third):
                    original = requests.get(
                        f"{process.url}/api/v1/photos/{photo_id}/original", headers=auth(token), timeout=30
                    )
                    assert original.status_code == 200 and original.content == data
            finally:
                third.stop()
        finally:
            first.stop()
            second.stop()


def test_an_object_store_that_stops_answering_loses_no_photo(tmp_path: Path) -> None:
    """The store stops: the process is not ready, the last bytes of an upload get 503 and the
    upload stays unfinished; the store comes back empty (its parts lost): the device is told to
    start again, and its new upload is stored."""
    store = S3Server(tmp_path)
    bucket = store.new_bucket()
    with fresh_database_url(BACKENDS[-1], tmp_path) as database_url:
        # One attempt per call: the store that stopped is found out at once, not after retries.
        server = start_server(database_url, tmp_path, AWS_MAX_ATTEMPTS="1", **store.env(bucket))
        try:
            token = server.token("aino")
            data = jpeg_with_gps(seed=88)
            path = tmp_path / "p.jpg"
            path.write_bytes(data)
            photo_id = push_photo(server, token, north_ticket(server), data)
            up = uploader(server.url, token, path, photo_id=photo_id, chunk_size=40_000)
            up.upload(stop_at=40_000)
            store.stop()

            ready = requests.get(f"{server.url}/health/ready", timeout=60)
            assert ready.status_code == 503 and "object store" in ready.json()["blob_store"]
            assert requests.get(f"{server.url}/health/live", timeout=10).status_code == 200
            rest = requests.patch(
                up.url,
                data=data[40_000:],
                headers={
                    **auth(token),
                    "Tus-Resumable": "1.0.0",
                    "Upload-Offset": "40000",
                    "Content-Type": "application/offset+octet-stream",
                },
                timeout=60,
            )
            assert rest.status_code == 503 and "Retry-After" in rest.headers
            assert _held_until(database_url, up.url) is None  # the failed request holds nothing
            assert int(head_offset(up.url, token).headers["Upload-Offset"]) < len(data)  # not finished

            store = S3Server(tmp_path, port=store.port)  # back, but empty: the parts are gone
            store.client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
            )
            up.offset = up.get_offset()
            with pytest.raises(TusUploadFailed) as lost:
                up.upload()
            assert lost.value.status_code in (404, 410)
            again = uploader(server.url, token, path, photo_id=photo_id, chunk_size=len(data))
            again.upload()
            assert again.request.response_headers[PHOTO_STORED_HEADER.lower()] == sha256(data)
            original = requests.get(
                f"{server.url}/api/v1/photos/{photo_id}/original", headers=auth(token), timeout=30
            )
            assert original.content == data
        finally:
            server.stop()
            store.stop()


def _held_until(database_url: str, upload_url: str) -> object:
    """Until when a request holds the upload (None: no request does)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = text("SELECT receiving_until FROM uploads WHERE id = :id")
            return conn.execute(query, {"id": upload_url.rsplit("/", 1)[1]}).scalar_one()
    finally:
        engine.dispose()
