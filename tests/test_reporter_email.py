"""The reporter hears back: one email per resolution, with the before/after photos and the link.

Real parts only: case server processes, an aiosmtpd SMTP server process writing what
it receives to a Maildir, a crew device that pushes its photo records and the
resolution through the sync API.
"""

from __future__ import annotations

import io
import os
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from reporterkit import (
    GREEN,
    PHOTO_WAIT_HOURS,
    PUBLIC_URL,
    RED,
    MailServer,
    ReporterServer,
    device_push,
    jpeg_with_exif,
    photo_op,
    query,
    reporter_env,
    resolve_on_device,
    upload_photo,
    wait_for,
)
from serverproc import CaseServer, Device, free_port, fresh_database_url, start_server

CREW_WORDS = ("aino", "eero", "north", "North streets crew", "sanna")


class Setup:
    def __init__(self, server: CaseServer, mail: MailServer, blob_dir: Path, folder: Path) -> None:
        self.server = server
        self.mail = mail
        self.blob_dir = blob_dir
        self.folder = folder
        self.crew = Device(folder / "aino", server, "aino")
        self.office = server.token("sanna")

    def report(self, **fields: Any) -> tuple[str, str]:
        """The office logs a report for crew north; returns (ticket id, reporter email)."""
        email = f"reporter-{uuid.uuid4().hex[:10]}@example.org"
        values = {
            "assigned_crew": "north",
            "reporter_name": "Maija Reporter",
            "reporter_email": email,
            "reporter_phone": "+358 40 765 4321",
            **fields,
        }
        ticket = self.server.create_ticket(self.office, **values)
        return str(ticket["id"]), str(values["reporter_email"])


@pytest.fixture(scope="module")
def setup(reporter_server: ReporterServer, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    folder = tmp_path_factory.mktemp("reporter-devices")
    return Setup(reporter_server.server, reporter_server.mail, reporter_server.blob_dir, folder)


def jpeg_parts(message: EmailMessage) -> list[bytes]:
    return [
        part.get_payload(decode=True)  # type: ignore[misc]
        for part in message.walk()
        if part.get_content_type() == "image/jpeg"
    ]


def text_of(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def assert_public_jpeg(data: bytes, color: tuple[int, int, int]) -> None:
    """A JPEG without any EXIF (no GPS, no camera), showing the expected picture."""
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert b"Exif" not in data and b"CrewCam" not in data
        pixel = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
        assert all(abs(a - b) < 12 for a, b in zip(pixel, color, strict=True)), pixel


def notification(setup: Setup, ticket_id: str) -> Any:
    """The outcome's notification (the earlier stages' are not sent in these tests)."""
    rows = query(
        setup.server,
        "SELECT status, attempts, last_error, key FROM notifications"
        " WHERE ticket_id = :t AND stage = 'resolved'",
        t=ticket_id,
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_resolution_emails_the_reporter_once_with_before_after_photos_and_link(setup: Setup) -> None:
    ticket_id, email = setup.report(description="Deep pothole by the tram stop")
    setup.crew.sync()
    before, after, private = jpeg_with_exif(RED), jpeg_with_exif(GREEN), jpeg_with_exif((20, 40, 200))
    ops = [
        photo_op(ticket_id, before, "before"),
        photo_op(ticket_id, after, "after"),
        photo_op(ticket_id, private, "after", for_reporter=False),
    ]
    assert {r["outcome"] for r in device_push(setup.crew, ops)} == {"applied"}
    for op, data in zip(ops, (before, after, private), strict=True):
        upload_photo(setup.crew, op, data, setup.folder)

    # The crew works the ticket on the device; the resolving op is sent twice (a lost answer).
    setup.crew.sync()
    setup.crew.set(ticket_id, "status", "in_progress")
    setup.crew.set(ticket_id, "resolution_code", "fixed")
    setup.crew.set(ticket_id, "resolution_note", "Patched with hot asphalt and compacted.")
    setup.crew.sync()
    version = setup.crew.ticket(ticket_id)["version"]
    resolve = {
        "op_id": str(uuid.uuid4()),
        "ticket_id": ticket_id,
        "kind": "set",
        "field": "status",
        "base": "in_progress",
        "value": "resolved",
        "ticket_version": version,
    }
    first = device_push(setup.crew, [dict(resolve)])
    replay = device_push(setup.crew, [dict(resolve)])
    assert first[0]["outcome"] == "applied"
    assert replay == first

    (message,) = wait_for(lambda: setup.mail.messages_to(email))
    assert message["Subject"] == "Your report is resolved: Pothole, Mannerheimintie 5, Helsinki"
    assert message["From"].addresses[0].addr_spec == "noreply@city.example"
    link = f"{PUBLIC_URL}/requests/{ticket_id}?lang=en"
    plain, html = text_of(message, "plain"), text_of(message, "html")
    for body in (plain, html):
        assert link in body
        assert "Fixed." in body
        assert "Patched with hot asphalt and compacted." in body
        assert "Mannerheimintie 5" in body
        assert "Maija Reporter" in body  # greeted by name: it is their own email
    headers = "".join(f"{name}: {value}\n" for name, value in message.items())
    for word in CREW_WORDS:
        assert word not in headers and word not in plain and word not in html
    photos = jpeg_parts(message)
    assert len(photos) == 2  # the photo not meant for the reporter stays out
    assert_public_jpeg(photos[0], RED)
    assert_public_jpeg(photos[1], GREEN)
    assert html.count('src="cid:') == 2

    time.sleep(1)  # several worker rounds later: still exactly one
    assert len(setup.mail.messages_to(email)) == 1
    status, attempts, last_error, key = notification(setup, ticket_id)
    assert (status, attempts, last_error) == ("sent", 1, None)
    assert key == f"stage:resolved:{ticket_id}:{first[0]['ticket_version']}"


def test_reporter_who_opted_out_gets_no_email(setup: Setup) -> None:
    quiet_id, quiet_email = setup.report(reporter_notify="none")
    loud_id, loud_email = setup.report()
    resolve_on_device(setup.crew, quiet_id, "Done.")
    resolve_on_device(setup.crew, loud_id, "Done.")
    wait_for(lambda: setup.mail.messages_to(loud_email))
    time.sleep(1)
    assert setup.mail.messages_to(quiet_email) == []
    assert query(setup.server, "SELECT id FROM notifications WHERE ticket_id = :t", t=quiet_id) == []


def test_mail_server_down_then_up_delivers_after_retries_once(setup: Setup) -> None:
    setup.mail.stop()
    try:
        ticket_id, email = setup.report()
        resolve_on_device(setup.crew, ticket_id, "Cleared.")
        failing = wait_for(lambda: (n := notification(setup, ticket_id)).attempts >= 2 and n)
        assert failing.status == "pending"
        assert "cannot reach the mail server" in failing.last_error
    finally:
        setup.mail.start()
    (message,) = wait_for(lambda: setup.mail.messages_to(email), timeout=30)
    assert f"{PUBLIC_URL}/requests/{ticket_id}" in text_of(message, "plain")
    time.sleep(1)
    assert len(setup.mail.messages_to(email)) == 1
    status, attempts, last_error, _ = notification(setup, ticket_id)
    assert status == "sent" and attempts >= 3 and last_error is None


def test_email_waits_for_photo_bytes_then_carries_them(setup: Setup) -> None:
    ticket_id, email = setup.report()
    setup.crew.sync()
    before, after = jpeg_with_exif(RED, (640, 480)), jpeg_with_exif(GREEN, (640, 480))
    ops = [photo_op(ticket_id, before, "before"), photo_op(ticket_id, after, "after")]
    device_push(setup.crew, ops)
    resolve_on_device(setup.crew, ticket_id, "Replaced the lamp.")

    waiting = wait_for(lambda: (n := notification(setup, ticket_id)).last_error and n, timeout=10)
    assert "waiting for 2 photo(s)" in waiting.last_error
    assert setup.mail.messages_to(email) == []
    upload_photo(setup.crew, ops[0], before, setup.folder)
    upload_photo(setup.crew, ops[1], after, setup.folder)

    (message,) = wait_for(lambda: setup.mail.messages_to(email))
    photos = jpeg_parts(message)
    assert len(photos) == 2
    assert_public_jpeg(photos[0], RED)
    assert_public_jpeg(photos[1], GREEN)


def test_email_goes_without_photos_whose_bytes_never_arrive(setup: Setup) -> None:
    ticket_id, email = setup.report()
    setup.crew.sync()
    never_uploaded = jpeg_with_exif((90, 90, 90), (333, 222))  # bytes no other test stores
    device_push(setup.crew, [photo_op(ticket_id, never_uploaded, "after")])
    resolve_on_device(setup.crew, ticket_id, "Fixed the sign.")
    started = time.monotonic()
    (message,) = wait_for(lambda: setup.mail.messages_to(email), timeout=40)
    assert time.monotonic() - started > PHOTO_WAIT_HOURS * 3600 - 2  # it did wait first
    assert jpeg_parts(message) == []
    assert f"{PUBLIC_URL}/requests/{ticket_id}" in text_of(message, "plain")


@pytest.mark.skipif(
    not os.environ.get("CASESERVER_TEST_DATABASE_URL"), reason="several server processes need PostgreSQL"
)
def test_two_server_processes_send_each_resolution_once(tmp_path: Path) -> None:
    mail = MailServer(tmp_path / "mail", free_port())
    mail.start()
    with fresh_database_url("postgresql", tmp_path) as url:
        server = start_server(url, tmp_path, workers=2, **reporter_env(mail, tmp_path / "blobs"))
        try:
            setup = Setup(server, mail, tmp_path / "blobs", tmp_path)
            reports = [setup.report() for _ in range(4)]
            setup.crew.sync()
            for ticket_id, _ in reports:
                setup.crew.set(ticket_id, "status", "in_progress")
                setup.crew.set(ticket_id, "resolution_code", "fixed")
                setup.crew.set(ticket_id, "status", "resolved")
            setup.crew.sync()
            for _, email in reports:
                wait_for(lambda email=email: mail.messages_to(email))
            time.sleep(1)
            assert sorted(len(mail.messages_to(email)) for _, email in reports) == [1] * 4
        finally:
            server.stop()
            mail.stop()


def test_email_goes_within_seconds_of_the_last_photo_arriving_and_once(backend: str, tmp_path: Path) -> None:
    """The worker's settings at their defaults (poll 5 s, recheck 60 s): the upload itself wakes the email."""
    mail = MailServer(tmp_path / "mail", free_port())
    mail.start()
    env = reporter_env(mail, tmp_path / "blobs")
    for name in (
        "CASESERVER_NOTIFY_POLL_SECONDS",
        "CASESERVER_NOTIFY_RETRY_SECONDS",
        "CASESERVER_NOTIFY_PHOTO_WAIT_HOURS",
    ):
        del env[name]
    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(url, tmp_path, **env)
        try:
            setup = Setup(server, mail, tmp_path / "blobs", tmp_path)
            ticket_id, email = setup.report()
            setup.crew.sync()
            before, after = jpeg_with_exif(RED, (480, 360)), jpeg_with_exif(GREEN, (480, 360))
            ops = [photo_op(ticket_id, before, "before"), photo_op(ticket_id, after, "after")]
            device_push(setup.crew, ops)  # the records first, the bytes later
            resolve_on_device(setup.crew, ticket_id, "Replaced the lamp.")
            wait_for(lambda: "waiting for 2 photo(s)" in (notification(setup, ticket_id).last_error or ""))

            upload_photo(setup.crew, ops[0], before, setup.folder)
            time.sleep(1.5)
            assert mail.messages_to(email) == []  # one photo is still missing
            upload_photo(setup.crew, ops[1], after, setup.folder)
            stored = time.monotonic()
            (message,) = wait_for(lambda: mail.messages_to(email), timeout=20)
            assert time.monotonic() - stored < 5
            assert len(jpeg_parts(message)) == 2

            time.sleep(2)
            assert len(mail.messages_to(email)) == 1
            status, attempts, last_error, _ = notification(setup, ticket_id)
            assert (status, attempts, last_error) == ("sent", 1, None)
        finally:
            server.stop()
            mail.stop()
