"""Test helpers for the reporter loop: a real SMTP server process, test photos, device pushes."""

from __future__ import annotations

import io
import mailbox
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, TypeVar

import requests
from PIL import Image
from serverproc import CaseServer, Device, free_port, fresh_database_url, start_server
from sqlalchemy import create_engine, text

T = TypeVar("T")

RED = (220, 30, 30)
GREEN = (30, 170, 60)


class MailServer:
    """`python -m aiosmtpd` on a fixed localhost port, storing what it receives in a Maildir."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        mailbox.Maildir(folder, create=True)  # new/, cur/, tmp/

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.port}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the SMTP server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def messages(self) -> list[EmailMessage]:
        box = mailbox.Maildir(self.folder, create=False)
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(box.get_bytes(key)) for key in list(box.iterkeys())]  # type: ignore[misc]

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages() if address in str(m["To"])]


def wait_for(produce: Callable[[], T], timeout: float = 30.0, interval: float = 0.2) -> T:
    """Poll until `produce()` is truthy; returns it, or fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = produce()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing after {timeout} s")
        time.sleep(interval)


def jpeg_with_exif(color: tuple[int, int, int], size: tuple[int, int] = (800, 600)) -> bytes:
    """A photo as a camera makes it: JPEG with EXIF (make, model, GPS position)."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "CrewCam"  # Make
    exif[0x0110] = "Tablet 9000"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (60.0, 10.0, 12.0)
    gps[3] = "E"
    gps[4] = (24.0, 56.0, 18.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def device_push(device: Device, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Push ops with the device's own token and id, as its sync engine does."""
    with device.replica() as replica:
        token = replica.get("token")
        device_id = replica.device_id
    for op in ops:
        op.setdefault("device_id", device_id)
        op.setdefault("device_time", datetime.now(UTC).isoformat())
    r = requests.post(
        f"{device.server.url}/api/v1/push",
        json={"ops": ops},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def photo_op(ticket_id: str, data: bytes, kind: str, *, for_reporter: bool = True) -> dict[str, Any]:
    import hashlib

    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    return {
        "op_id": str(uuid.uuid4()),
        "ticket_id": ticket_id,
        "kind": "photo",
        "value": {
            "kind": kind,
            "caption": f"{kind} photo",
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "width": width,
            "height": height,
            "for_reporter": for_reporter,
        },
    }


def upload_photo(device: Device, op: dict[str, Any], data: bytes, folder: Path) -> None:
    """Send a photo's bytes the way the device's upload queue does: tus, with its own token."""
    from tusclient.client import TusClient

    with device.replica() as replica:
        token = replica.get("token")
    path = folder / f"{op['op_id']}.jpg"
    path.write_bytes(data)
    metadata = {"sha256": op["value"]["sha256"], "photo_id": op["op_id"], "filename": path.name}
    client = TusClient(f"{device.server.url}/api/v1/uploads/", headers={"Authorization": f"Bearer {token}"})
    client.uploader(str(path), chunk_size=256 * 1024, metadata=metadata).upload()
    r = requests.get(
        f"{device.server.url}/api/v1/blobs/{op['value']['sha256']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text  # stored and its hash confirmed


def query(server: CaseServer, sql: str, **params: Any) -> list[Any]:
    """Rows straight from the server's database (to see the outbox of notifications)."""
    url = server.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def resolve_on_device(device: Device, ticket_id: str, note: str, code: str = "fixed") -> None:
    """The crew works the ticket on its device and syncs: in progress, outcome, resolved."""
    device.sync()
    device.set(ticket_id, "status", "in_progress")
    device.set(ticket_id, "resolution_code", code)
    device.set(ticket_id, "resolution_note", note)
    device.set(ticket_id, "status", "resolved")
    report = device.sync()
    assert device.ticket(ticket_id)["status"] == "resolved", report


PUBLIC_URL = "https://city.example"
OPEN311_KEY = "open311-test-key"
#: How long a reporter email waits for photo bytes in the tests: long enough to see the wait.
PHOTO_WAIT_HOURS = 0.0015  # 5.4 s


def reporter_env(mail: MailServer, blob_dir: Path) -> dict[str, str]:
    """Server settings for the reporter loop: email to `mail`, fast worker rounds, Open311 keys."""
    return {
        "CASESERVER_SMTP_URL": f"smtp://127.0.0.1:{mail.port}?from=noreply@city.example",
        "CASESERVER_PUBLIC_URL": PUBLIC_URL,
        "CASESERVER_BLOB_DIR": str(blob_dir),
        "CASESERVER_NOTIFY_POLL_SECONDS": "0.3",
        "CASESERVER_NOTIFY_RETRY_SECONDS": "0.5",
        "CASESERVER_NOTIFY_PHOTO_WAIT_HOURS": str(PHOTO_WAIT_HOURS),
        "CASESERVER_AGENCY_NAME": "Helsinki Public Works",
        "CASESERVER_OPEN311_API_KEYS": f"other-key, {OPEN311_KEY}",
    }


@dataclass
class ReporterServer:
    """A case server set up for the reporter loop, with its SMTP server and blob folder."""

    server: CaseServer
    mail: MailServer
    blob_dir: Path


@contextmanager
def running_reporter_server(backend: str, folder: Path, **env: str) -> Iterator[ReporterServer]:
    mail = MailServer(folder / "mail", free_port())
    mail.start()
    blob_dir = folder / "blobs"
    try:
        with fresh_database_url(backend, folder) as url:
            server = start_server(url, folder, **{**reporter_env(mail, blob_dir), **env})
            try:
                yield ReporterServer(server, mail, blob_dir)
            finally:
                server.stop()
    finally:
        mail.stop()
