"""'Not fixed?', 'fixed, thanks' and their links: a reopen reaches the supervisor's device.

Real parts: a case server process with its reporter worker and an aiosmtpd SMTP
server process; the crew and the supervisor are real devices (replicas) syncing
through the HTTP API; the reporter follows the links from the message they got.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests
from reporterkit import (
    RED,
    MailServer,
    ReporterServer,
    jpeg_with_exif,
    query,
    resolve_on_device,
    running_reporter_server,
    wait_for,
)
from serverproc import Device
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from caseserver import reporterlinks
from caseserver.models import utcnow

SERVER_ENV = {"CASESERVER_NOTIFY_STAGES": "resolved", "CASESERVER_REOPEN_DAYS": "14"}


class Loop:
    def __init__(self, setup: ReporterServer, folder: Path) -> None:
        self.server = setup.server
        self.mail: MailServer = setup.mail
        self.office = self.server.token("sanna")
        self.crew = Device(folder / "aino", self.server, "aino")
        self.supervisor = Device(folder / "sanna", self.server, "sanna")

    def resolved_report(self, **fields: object) -> tuple[str, EmailMessage]:
        email = f"reporter-{uuid.uuid4().hex[:10]}@example.org"
        ticket = self.server.create_ticket(
            self.office, assigned_crew="north", reporter_name="Maija", reporter_email=email, **fields
        )
        resolve_on_device(self.crew, ticket["id"], "Patched.")
        (message,) = wait_for(lambda: self.mail.messages_to(email))
        return str(ticket["id"]), message

    def link(self, message: EmailMessage, path: str) -> str:
        plain = str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
        found = re.search(rf"https://city\.example(/reporter/{path}\?k=\S+)", plain)
        assert found is not None, plain
        return f"{self.server.url}{found.group(1)}"


@pytest.fixture(scope="module")
def loop(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loop]:
    folder = tmp_path_factory.mktemp(f"links-{backend}")
    with running_reporter_server(backend, folder, **SERVER_ENV) as setup:
        yield Loop(setup, folder)


def engine_url(url: str) -> str:
    return (
        "postgresql+psycopg://" + url.removeprefix("postgresql://")
        if url.startswith("postgresql://")
        else url
    )


def execute(database_url: str, sql: str, **params: object) -> None:
    engine = create_engine(engine_url(database_url))
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def answers(loop: Loop) -> dict[str, Any]:
    """The supervisor's satisfaction figures for potholes (zeros before any answer)."""
    r = requests.get(
        f"{loop.server.url}/api/v1/satisfaction",
        headers={"Authorization": f"Bearer {loop.office}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return dict(r.json()["by_service"].get("pothole", {"fixed": 0, "not_fixed": 0, "fixed_share": None}))


def token_of(url: str) -> str:
    return url.partition("?k=")[2]


def test_not_fixed_with_a_photo_reopens_the_ticket_on_the_supervisors_device(loop: Loop) -> None:
    ticket_id, message = loop.resolved_report()
    not_fixed = loop.link(message, "not-fixed")

    form = requests.get(not_fixed, timeout=30)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    photo = jpeg_with_exif(RED)
    answer = requests.post(
        f"{loop.server.url}/reporter/not-fixed",
        data={"k": token_of(not_fixed), "comment": "The hole is back after the rain"},
        files={"photo": ("hole.jpg", photo, "image/jpeg")},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert "We have reopened your report" in answer.text

    # The supervisor's device gets it through sync: in the queue, with the words and the photo.
    loop.supervisor.sync()
    doc = loop.supervisor.ticket(ticket_id)
    assert doc["status"] == "in_progress" and doc["assigned_crew"] is None
    assert any("The hole is back after the rain" in n["text"] for n in doc["notes"])
    (reporter_photo,) = [p for p in doc["photos"] if p["kind"] == "other"]
    assert reporter_photo["for_reporter"] is False and reporter_photo["caption"].startswith(
        "Reporter's photo"
    )
    token = loop.server.token("sanna")
    original = requests.get(
        f"{loop.server.url}/api/v1/photos/{reporter_photo['id']}/original",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert original.status_code == 200 and original.content == photo
    reasons = [e.get("reason") or "" for e in doc["events"]]
    assert any("the reporter says the problem is still there" in r for r in reasons)

    # Open311 and the public page say it is open again, and why.
    (public,) = requests.get(f"{loop.server.url}/open311/v2/requests/{ticket_id}.json", timeout=30).json()
    assert public["status"] == "open" and public["status_notes"].startswith("Reopened: the reporter says")
    page = requests.get(f"{loop.server.url}/requests/{ticket_id}?lang=en", timeout=30).text
    assert 'id="reopened"' in page
    ((satisfaction,),) = query(loop.server, "SELECT satisfaction FROM tickets WHERE id = :t", t=ticket_id)
    assert satisfaction == "not_fixed"
    # The reopen counts in the supervisor's operations figures.
    stats = requests.get(
        f"{loop.server.url}/api/v1/stats",
        params={"ids": "true"},
        headers={"Authorization": f"Bearer {loop.office}"},
        timeout=30,
    ).json()
    assert ticket_id in stats["reopen_rate_by_service"]["pothole"]["ticket_ids"]

    # The link works once: a second use changes nothing.
    again = requests.post(
        f"{loop.server.url}/reporter/not-fixed",
        data={"k": token_of(not_fixed), "comment": "again"},
        timeout=30,
    )
    assert again.status_code == 409 and "already been used" in again.text
    assert requests.get(not_fixed, timeout=30).status_code == 409
    loop.supervisor.sync()
    assert not any(n["text"].endswith("again") for n in loop.supervisor.ticket(ticket_id)["notes"])


def test_tampered_expired_and_misused_links_are_refused_with_a_page(loop: Loop) -> None:
    ticket_id, message = loop.resolved_report(reporter_locale="fi")
    not_fixed = token_of(loop.link(message, "not-fixed"))
    fixed = token_of(loop.link(message, "fixed"))
    payload, _, mac = not_fixed.partition(".")
    tampered = f"{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{mac}"
    engine = create_engine(engine_url(loop.server.database_url))
    with Session(engine) as session:
        key = reporterlinks.stored_key(session)
    engine.dispose()
    assert key is not None
    expired = reporterlinks.make(key, "not_fixed", ticket_id, "fi", timedelta(days=-1), utcnow())

    # A link that fails its signature says so in the city's language (its own cannot be trusted);
    # an expired one in the reporter's.
    for token, status, words in (
        (tampered, 400, "This link is not valid"),
        (fixed, 400, "This link is not valid"),  # a "fixed" link is not a "not fixed" link
        (expired, 410, "Tämä linkki on vanhentunut"),
        ("", 400, "This link is not valid"),
    ):
        for answer in (
            requests.get(f"{loop.server.url}/reporter/not-fixed", params={"k": token}, timeout=30),
            requests.post(
                f"{loop.server.url}/reporter/not-fixed", data={"k": token, "comment": "x"}, timeout=30
            ),
        ):
            assert answer.status_code == status, (token, answer.text)
            assert "text/html" in answer.headers["content-type"] and words in answer.text
    ((status,),) = query(loop.server, "SELECT status FROM tickets WHERE id = :t", t=ticket_id)
    assert status == "resolved"  # nothing changed

    # A photo that is not a JPEG is refused with a page, and nothing changes.
    bad = requests.post(
        f"{loop.server.url}/reporter/not-fixed",
        data={"k": not_fixed, "comment": "still broken"},
        files={"photo": ("x.jpg", b"GIF89a not a jpeg", "image/jpeg")},
        timeout=30,
    )
    assert bad.status_code == 422 and "Kuvaa ei voitu käyttää" in bad.text
    ((status,),) = query(loop.server, "SELECT status FROM tickets WHERE id = :t", t=ticket_id)
    assert status == "resolved"

    # "Fixed, thanks": one button, recorded on the ticket.
    page = requests.get(f"{loop.server.url}/reporter/fixed", params={"k": fixed}, timeout=30)
    assert page.status_code == 200 and "Korjattu, kiitos" in page.text
    ((satisfaction,),) = query(loop.server, "SELECT satisfaction FROM tickets WHERE id = :t", t=ticket_id)
    assert satisfaction is None  # opening the page (a mail scanner) records nothing
    before = answers(loop)
    done = requests.post(f"{loop.server.url}/reporter/fixed", data={"k": fixed}, timeout=30)
    assert done.status_code == 200 and "Kiitos tiedosta" in done.text
    ((satisfaction,),) = query(loop.server, "SELECT satisfaction FROM tickets WHERE id = :t", t=ticket_id)
    assert satisfaction == "fixed"
    after = answers(loop)
    assert after["fixed"] == before["fixed"] + 1 and after["not_fixed"] == before["not_fixed"]
    assert after["fixed_share"] == round(after["fixed"] / (after["fixed"] + after["not_fixed"]), 3)


def test_not_fixed_after_the_reopening_period_logs_a_linked_follow_up(loop: Loop) -> None:
    ticket_id, message = loop.resolved_report()
    not_fixed = token_of(loop.link(message, "not-fixed"))
    # The resolution was 20 days ago (past CASESERVER_REOPEN_DAYS=14).
    execute(
        loop.server.database_url,
        "UPDATE audit_events SET at = :at WHERE ticket_id = :t AND field = 'status'",
        at=utcnow() - timedelta(days=20),
        t=ticket_id,
    )
    answer = requests.post(
        f"{loop.server.url}/reporter/not-fixed", data={"k": not_fixed, "comment": "Sunk again"}, timeout=30
    )
    assert answer.status_code == 200 and "a new report, linked to the old one" in answer.text
    ((follow_up, status, crew),) = query(
        loop.server,
        "SELECT id, status, assigned_crew_id FROM tickets WHERE follow_up_of = :t",
        t=ticket_id,
    )
    assert (status, crew) == ("new", None)
    loop.supervisor.sync()
    doc = loop.supervisor.ticket(follow_up)
    assert ticket_id in doc["description"] and "Sunk again" in doc["description"]
    old = loop.supervisor.ticket(ticket_id)
    assert old["status"] == "resolved"
    assert any(e["field"] == "follow_up" and e["new"] == follow_up for e in old["events"])
