"""Running the case server: liveness and readiness, request ids in JSON logs on both sides,
and a graceful shutdown that finishes the request in flight.

Real `caseserver serve` processes; the device is the real `fieldapp` command line.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from photohelpers import jpeg_with_gps, north_ticket, push_photo
from serverproc import PASSWORDS, CaseServer, fresh_database_url, start_server
from sqlalchemy import create_engine, text
from test_cli import fieldapp


def json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for raw in path.read_text().splitlines():
        if raw.strip():
            lines.append(json.loads(raw))  # every line is one JSON object
    return lines


@pytest.fixture
def logged_server(backend: str, tmp_path: Path) -> Any:
    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(url, tmp_path, access_log=True)
        try:
            yield server
        finally:
            server.stop()


def test_liveness_and_readiness(logged_server: CaseServer, tmp_path: Path) -> None:
    live = requests.get(f"{logged_server.url}/health/live", timeout=10)
    assert live.status_code == 200 and live.json() == {"status": "live"}
    ready = requests.get(f"{logged_server.url}/health/ready", timeout=10)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "blob_store": "ok"}

    # The blob store cannot take writes (its folder is gone, a file in its place): not ready.
    blobs = tmp_path / "blobs"
    moved = tmp_path / "blobs-away"
    blobs.rename(moved)
    blobs.write_text("not a folder")
    try:
        broken = requests.get(f"{logged_server.url}/health/ready", timeout=10)
        assert broken.status_code == 503 and broken.headers["Retry-After"] == "5"
        body = broken.json()
        assert body["status"] == "not ready" and body["database"] == "ok"
        assert body["blob_store"].startswith("the blob store takes no writes")
        assert requests.get(f"{logged_server.url}/health/live", timeout=10).status_code == 200
    finally:
        blobs.unlink()
        moved.rename(blobs)
    assert requests.get(f"{logged_server.url}/health/ready", timeout=10).status_code == 200


@pytest.mark.skipif(
    not os.environ.get("CASESERVER_TEST_DATABASE_URL"), reason="stopping the database needs PostgreSQL"
)
def test_readiness_fails_while_the_database_refuses_connections(tmp_path: Path) -> None:
    with fresh_database_url("postgresql", tmp_path) as url:
        server = start_server(url, tmp_path)
        name = url.rsplit("/", 1)[1]
        admin = create_engine(
            "postgresql+psycopg://"
            + os.environ["CASESERVER_TEST_DATABASE_URL"].removeprefix("postgresql://"),
            isolation_level="AUTOCOMMIT",
        )
        try:
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                    {"n": name},
                )
            down = requests.get(f"{server.url}/health/ready", timeout=30)
            assert down.status_code == 503
            assert down.json()["database"].startswith("the database does not answer")
            assert down.json()["blob_store"] == "ok"
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            assert requests.get(f"{server.url}/health/ready", timeout=30).status_code == 200
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            admin.dispose()
            server.stop()


def test_one_sync_can_be_followed_by_its_request_ids_on_device_and_server(
    logged_server: CaseServer, tmp_path: Path
) -> None:
    profile = tmp_path / "tablet"
    login = fieldapp(
        profile, "login", "--server", logged_server.url, "--user", "aino", "--password", PASSWORDS["aino"]
    )
    assert login.returncode == 0, login.stderr
    assert fieldapp(profile, "sync").returncode == 0

    device_lines = (profile / "sync.log").read_text().splitlines()
    device_ids = {line.rsplit("request id ", 1)[1] for line in device_lines if "request id " in line}
    assert device_ids and any("POST /push" in line or "GET /feed" in line for line in device_lines)
    server_lines = json_lines(logged_server.log_path)
    access = [line for line in server_lines if line["logger"] == "caseserver.access"]
    served = {line["request_id"]: line for line in access}
    assert device_ids <= served.keys()  # every request the device logged, the server logged with its id
    feed = next(line for line in access if line["path"] == "/api/v1/feed")
    assert feed["status"] == 200 and feed["method"] == "GET" and isinstance(feed["ms"], float)

    # Any client: a plain id is kept and answered; anything else is replaced by one of the server's.
    kept = requests.get(f"{logged_server.url}/health", headers={"X-Request-Id": "sync-7f3a.12"}, timeout=10)
    assert kept.headers["X-Request-Id"] == "sync-7f3a.12"
    odd = requests.get(f"{logged_server.url}/health", headers={"X-Request-Id": 'a b"c' * 30}, timeout=10)
    assert len(odd.headers["X-Request-Id"]) == 32 and odd.headers["X-Request-Id"].isalnum()
    time.sleep(0.2)
    ids = {line["request_id"] for line in json_lines(logged_server.log_path)}
    assert {"sync-7f3a.12", odd.headers["X-Request-Id"]} <= ids


def test_shutdown_finishes_the_request_in_flight(backend: str, tmp_path: Path) -> None:
    """SIGTERM while a photo's bytes are half sent: the upload completes and is stored, then it exits."""
    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(url, tmp_path, CASESERVER_SHUTDOWN_SECONDS="20")
        try:
            token = server.token("aino")
            ticket_id = north_ticket(server)
            data = jpeg_with_gps(1600, 1200)
            photo_id = push_photo(server, token, ticket_id, data)
            sha256 = hashlib.sha256(data).hexdigest()
            created = requests.post(
                f"{server.url}/api/v1/uploads/",
                headers={
                    "Authorization": f"Bearer {token}",
                    "Tus-Resumable": "1.0.0",
                    "Upload-Length": str(len(data)),
                    "Upload-Metadata": _metadata(sha256=sha256, photo_id=photo_id),
                },
                timeout=30,
            )
            assert created.status_code == 201, created.text
            path = created.headers["Location"]
            host, port = server.url.removeprefix("http://").split(":")
            with socket.create_connection((host, int(port)), timeout=30) as conn:
                head = (
                    f"PATCH {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                    f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                    f"Content-Type: application/offset+octet-stream\r\nContent-Length: {len(data)}\r\n\r\n"
                )
                half = len(data) // 2
                conn.sendall(head.encode() + data[:half])
                time.sleep(0.5)
                server.process.send_signal(signal.SIGTERM)
                time.sleep(1.0)  # the server is shutting down; the rest of the body still arrives
                conn.sendall(data[half:])
                answer = conn.recv(65536).decode("latin-1")
            assert answer.startswith("HTTP/1.1 204"), answer
            assert f"photo-stored: {sha256}" in answer.lower()
            # Uvicorn finishes, then ends by the signal it was sent (its default action): a clean stop.
            assert server.process.wait(30) in (0, -signal.SIGTERM)
            assert (tmp_path / "blobs" / "blobs" / sha256[:2] / sha256[2:4] / sha256).read_bytes() == data
        finally:
            if server.process.poll() is None:
                server.stop()


def _metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())
