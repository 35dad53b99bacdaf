"""The reporter hears at every stage the city chooses, in their language, with suppression.

Real parts: a case server process (its own worker off: no SMTP URL), an aiosmtpd SMTP
server process, the crew's device and the office pushing through the HTTP API; the
notifier worker runs here on the server's database with a clock the test controls,
so the 4-hour gap and the quiet hours are seen without waiting for them.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from email.header import decode_header, make_header
from email.message import EmailMessage
from itertools import pairwise
from pathlib import Path
from time import sleep
from zoneinfo import ZoneInfo

import pytest
import requests
from reporterkit import (
    OPEN311_KEY,
    MailServer,
    query,
    reporter_env,
    resolve_on_device,
    running_reporter_server,
    wait_for,
)
from serverproc import CaseServer, Device, free_port, fresh_database_url, run_caseserver, start_server

from caseserver.config import Settings
from caseserver.db import Database
from caseserver.mailer import SmtpConfig
from caseserver.notifier import NotificationWorker
from caseserver.reportermail import ReporterMessage, build_message, templates
from caseserver.reporterstages import StagePolicy, StagePolicyError, load_policy, stage_of

HELSINKI = ZoneInfo("Europe/Helsinki")
PUBLIC_URL = "https://city.example"


def sqlalchemy_url(url: str) -> str:
    return (
        "postgresql+psycopg://" + url.removeprefix("postgresql://")
        if url.startswith("postgresql://")
        else url
    )


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Stages:
    """A server without its own worker, a mail server, and a worker driven by the test."""

    def __init__(self, server: CaseServer, mail: MailServer, folder: Path) -> None:
        self.server = server
        self.mail = mail
        self.folder = folder
        self.office = server.token("sanna")
        self.crew = Device(folder / "aino", server, "aino")
        tomorrow = datetime.now(HELSINKI).date() + timedelta(days=1)
        self.clock = Clock(datetime.combine(tomorrow, time(10, 0), tzinfo=HELSINKI).astimezone(UTC))
        settings = Settings(
            database_url=sqlalchemy_url(server.database_url),
            public_url=PUBLIC_URL,
            blob_dir=folder / "blobs",
            timezone="Europe/Helsinki",
            notify_stages="received,assigned,en_route,resolved,referred,duplicate",
            notify_gap_hours="4",
            notify_quiet_hours="21:00-07:00",
        )
        smtp = SmtpConfig.from_url(f"smtp://127.0.0.1:{mail.port}?from=noreply@city.example")
        assert smtp is not None
        self.worker = NotificationWorker(Database(settings.database_url), settings, smtp, clock=self.clock)

    def at(self, hour: int, minute: int = 0, days: int = 0) -> None:
        day = self.clock.at.astimezone(HELSINKI).date() + timedelta(days=days)
        self.clock.at = datetime.combine(day, time(hour, minute), tzinfo=HELSINKI).astimezone(UTC)

    def run(self) -> None:
        self.worker.run_once()

    def report(self, **fields: object) -> tuple[str, str]:
        email = f"reporter-{uuid.uuid4().hex[:10]}@example.org"
        ticket = self.server.create_ticket(self.office, reporter_name="Maija", reporter_email=email, **fields)
        return str(ticket["id"]), email

    def assign(self, ticket_id: str, crew: str) -> None:
        doc = self.server.get_ticket(self.office, ticket_id)
        op = {
            "op_id": str(uuid.uuid4()),
            "ticket_id": ticket_id,
            "kind": "set",
            "field": "assigned_crew",
            "base": doc["assigned_crew"],
            "value": crew,
            "ticket_version": doc["version"],
            "device_id": str(uuid.uuid4()),
            "device_time": datetime.now(UTC).isoformat(),
        }
        assert self.server.push(self.office, [op])[0]["outcome"] == "applied"

    def subjects(self, email: str) -> list[str]:
        return [str(m["Subject"]) for m in self.messages(email)]

    def messages(self, email: str) -> list[EmailMessage]:
        found = self.mail.messages_to(email)
        return sorted(found, key=lambda m: str(m["Date"]) + str(m["Message-ID"]))


@pytest.fixture(scope="module")
def stages(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stages]:
    folder = tmp_path_factory.mktemp(f"stages-{backend}")
    # The server's own worker is off (no SMTP URL): the test's worker, on the test's clock, sends.
    with running_reporter_server(backend, folder, CASESERVER_SMTP_URL="") as setup:
        yield Stages(setup.server, setup.mail, folder)


def test_stages_go_in_order_in_the_reporters_language_with_gap_and_quiet_hours(stages: Stages) -> None:
    ticket_id, email = stages.report(reporter_locale="fi")

    stages.at(10, 0)
    stages.run()
    assert stages.subjects(email) == [
        "Ilmoituksesi on vastaanotettu: Kuoppa tiessä, Mannerheimintie 5, Helsinki"
    ]

    # Assigned at once, and the crew sets off: both within the 4-hour gap, so both wait.
    stages.assign(ticket_id, "north")
    stages.crew.sync()
    stages.crew.set(ticket_id, "status", "en_route")
    stages.crew.sync()
    stages.at(10, 30)
    stages.run()
    assert len(stages.messages(email)) == 1
    held = query(
        stages.server, "SELECT stage, status, last_error FROM notifications WHERE ticket_id = :t", t=ticket_id
    )
    status = {stage: (st, why) for stage, st, why in held}
    assert status["assigned"][0] == "skipped" and "moved on" in status["assigned"][1]  # the latest stage wins
    assert status["en_route"][0] == "pending" and status["en_route"][1].startswith("held until")

    # When the gap is over, "on the way" is sent; "scheduled" never is.
    stages.at(14, 0)
    stages.run()
    assert stages.subjects(email)[1:] == ["Työryhmä on matkalla: Kuoppa tiessä, Mannerheimintie 5, Helsinki"]

    # Resolved in the evening: nothing at night, the outcome at seven in the morning.
    resolve_on_device(stages.crew, ticket_id, "Paikattu kuumalla asfaltilla.")
    stages.at(22, 30)
    stages.run()
    assert len(stages.messages(email)) == 2
    stages.at(6, 59, days=1)
    stages.run()
    assert len(stages.messages(email)) == 2
    stages.at(7, 0)
    stages.run()
    final = stages.messages(email)[-1]
    assert final["Subject"] == "Ilmoittamasi asia on korjattu: Kuoppa tiessä, Mannerheimintie 5, Helsinki"
    assert final["Content-Language"] == "fi"
    plain = str(final.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    html = str(final.get_body(preferencelist=("html",)).get_content())  # type: ignore[union-attr]
    assert "Korjattu." in plain and "Paikattu kuumalla asfaltilla." in plain
    assert f"{PUBLIC_URL}/reporter/not-fixed?k=" in plain and f"{PUBLIC_URL}/reporter/fixed?k=" in plain
    assert 'lang="fi"' in html and "Ei korjattu" in html
    assert final["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/reporter/unsubscribe?k=")

    # Later rounds send nothing more: one message per stage that was sent.
    stages.at(12, 0)
    stages.run()
    assert len(stages.messages(email)) == 3
    ids = [m["Message-ID"] for m in stages.messages(email)]
    assert len(set(ids)) == 3


def test_open311_locale_picks_swedish_and_unsubscribe_stops_later_stages(stages: Stages) -> None:
    form = {
        "service_code": "streetlight",
        "lat": "60.17",
        "long": "24.94",
        "description": "Lampan är släckt",
        "email": f"anna-{uuid.uuid4().hex[:8]}@example.org",
        "first_name": "Anna",
        "locale": "sv_FI",
        "api_key": OPEN311_KEY,
    }
    r = requests.post(f"{stages.server.url}/open311/v2/requests.json", data=form, timeout=30)
    assert r.status_code == 201, r.text
    ticket_id = r.json()[0]["service_request_id"]
    email = form["email"]
    stages.at(12, 0, days=1)  # a new day: no gap from earlier tests' reporters (each has its own anyway)
    stages.run()
    (message,) = stages.messages(email)
    assert message["Subject"].startswith("Vi har tagit emot din anmälan: Gatlykta som inte lyser")
    plain = str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    unsubscribe = re.search(r"https://city\.example(/reporter/unsubscribe\?k=\S+)", plain)
    assert unsubscribe is not None

    page = requests.get(f"{stages.server.url}{unsubscribe.group(1)}", timeout=30)
    assert page.status_code == 200 and "Stoppa meddelanden" in page.text
    # A mail client's one-click unsubscribe (RFC 8058): a POST to the link.
    done = requests.post(
        f"{stages.server.url}{unsubscribe.group(1)}", data={"List-Unsubscribe": "One-Click"}, timeout=30
    )
    assert done.status_code == 200 and "Du får inga fler meddelanden" in done.text

    stages.assign(ticket_id, "north")
    stages.at(18, 0)
    stages.run()
    assert len(stages.messages(email)) == 1
    owed = query(stages.server, "SELECT stage FROM notifications WHERE ticket_id = :t", t=ticket_id)
    assert [row[0] for row in owed] == ["received"]  # nothing more is owed to a reporter who opted out


def test_quiet_hours_and_gap_rules() -> None:
    policy = StagePolicy(gap=timedelta(hours=4), quiet=(time(21), time(7)))
    at = datetime(2026, 12, 4, 20, 0, tzinfo=HELSINKI)
    assert policy.send_at(at, None, HELSINKI) == at
    assert policy.send_at(at, at - timedelta(hours=1), HELSINKI) == datetime(
        2026, 12, 5, 7, 0, tzinfo=HELSINKI
    )
    assert policy.send_at(at.replace(hour=2), None, HELSINKI) == datetime(2026, 12, 4, 7, 0, tzinfo=HELSINKI)
    day_quiet = StagePolicy(gap=timedelta(0), quiet=(time(12), time(13)))
    assert day_quiet.send_at(at.replace(hour=12, minute=30), None, HELSINKI) == at.replace(hour=13, minute=0)
    assert stage_of("closed", "duplicate", None) == "duplicate"
    assert stage_of("resolved", "referred", None) == "referred"
    assert stage_of("new", None, None) == "received"


@pytest.mark.parametrize(
    ("stages_raw", "gap", "quiet", "words"),
    [
        ("received,teleported", "4", "", "unknown stage 'teleported'"),
        ("", "soon", "", "must be a number"),
        ("", "-1", "", "cannot be negative"),
        ("", "4", "9pm-7am", "must look like 21:00-07:00"),
        ("", "4", "07:00-07:00", "the same"),
    ],
)
def test_bad_stage_settings_are_refused_in_one_line(
    stages_raw: str, gap: str, quiet: str, words: str
) -> None:
    with pytest.raises(StagePolicyError, match=words):
        load_policy(stages_raw, "", gap, quiet)


@pytest.mark.skipif(
    not os.environ.get("CASESERVER_TEST_DATABASE_URL"), reason="several server processes need PostgreSQL"
)
def test_two_server_processes_send_each_stage_once_and_keep_the_gap(tmp_path: Path) -> None:
    """Two processes on PostgreSQL share the outbox: no stage twice, and the least gap holds across them."""
    gap_seconds = 1.5
    mail = MailServer(tmp_path / "mail", free_port())
    mail.start()
    env = {
        **reporter_env(mail, tmp_path / "blobs"),
        "CASESERVER_NOTIFY_STAGES": "assigned,en_route,in_progress,resolved",
        "CASESERVER_NOTIFY_GAP_HOURS": str(gap_seconds / 3600),
    }
    with fresh_database_url("postgresql", tmp_path) as url:
        server = start_server(url, tmp_path, workers=2, **env)
        try:
            office = server.token("sanna")
            crew = Device(tmp_path / "aino", server, "aino")
            reports = []
            for _ in range(6):
                email = f"reporter-{uuid.uuid4().hex[:10]}@example.org"
                ticket = server.create_ticket(office, assigned_crew="north", reporter_email=email)
                reports.append((str(ticket["id"]), email))
            crew.sync()
            for status in ("en_route", "in_progress"):
                for ticket_id, _ in reports:
                    crew.set(ticket_id, "status", status)
                crew.sync()
                sleep(0.5)
            for ticket_id, _ in reports:
                crew.set(ticket_id, "resolution_code", "fixed")
                crew.set(ticket_id, "status", "resolved")
            crew.sync()
            for _, email in reports:
                wait_for(
                    lambda email=email: any("resolved" in str(m["Subject"]) for m in mail.messages_to(email))
                )
            sleep(2)
            for ticket_id, email in reports:
                messages = mail.messages_to(email)
                ids = [m["Message-ID"] for m in messages]
                assert len(ids) == len(set(ids)), ids  # no stage twice
                assert [m for m in messages if "resolved" in str(m["Subject"])] != []
                assert len(messages) >= 2  # scheduled, then (the gap later) the latest stage
                sent = query(
                    server,
                    "SELECT stage, sent_at FROM notifications"
                    " WHERE ticket_id = :t AND status = 'sent' ORDER BY sent_at",
                    t=ticket_id,
                )
                assert len(sent) == len(messages)  # one message per stage that was sent
                assert len({stage for stage, _ in sent}) == len(sent)
                times = [at if at.tzinfo else at.replace(tzinfo=UTC) for _, at in sent]
                for earlier, later in pairwise(times):
                    assert (later - earlier).total_seconds() >= gap_seconds - 0.01, sent
        finally:
            server.stop()
            mail.stop()


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"CASESERVER_NOTIFY_QUIET_HOURS": "9pm-7am"}, "must look like 21:00-07:00"),
        ({"CASESERVER_NOTIFY_STAGES": "received,fixed"}, "unknown stage 'fixed'"),
        ({"CASESERVER_DEFAULT_LANGUAGE": "de"}, "must be one of fi, sv, en"),
        ({"CASESERVER_NOTIFY_SERVICE_STAGES": "{stages}"}, "'teleport' is not a service"),
        ({"CASESERVER_TEMPLATES_DIR": "{templates}"}, "template reporter/fi/subject.txt"),
    ],
)
def test_serve_refuses_bad_reporter_settings_in_one_line(
    tmp_path: Path, env: dict[str, str], says: str
) -> None:
    stages = tmp_path / "stages.json"
    stages.write_text('{"teleport": ["resolved"]}')
    templates = tmp_path / "templates"
    (templates / "reporter" / "fi").mkdir(parents=True)
    (templates / "reporter" / "fi" / "subject.txt").write_text("{% if stage %}unclosed")
    values = {k: v.format(stages=stages, templates=templates) for k, v in env.items()}
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    done = run_caseserver(url, "serve", "--port", "1", **values)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], done.stderr
    assert not (tmp_path / "db.sqlite").exists()  # nothing was touched


def test_a_citys_own_template_replaces_the_shipped_one(tmp_path: Path) -> None:
    """A file in CASESERVER_TEMPLATES_DIR wins; the languages and parts it leaves out stay shipped."""
    own = tmp_path / "reporter" / "en"
    own.mkdir(parents=True)
    (own / "subject.txt").write_text("City of Example: {{ m.service }} is {{ stage }}\n")
    message = ReporterMessage(
        key="stage:received:t:1",
        stage="received",
        lang="en",
        to_email="maija@example.org",
        to_name="Maija",
        agency="City of Example",
        service="Pothole",
        address="Main Street 1",
        description="A hole",
        reported_at="4 Dec 2026, 10:00",
        changed_at="4 Dec 2026, 10:00",
        status="Received",
        outcome=None,
        link="https://city.example/requests/t?lang=en",
        unsubscribe_url="https://city.example/reporter/unsubscribe?k=x",
    )
    email = build_message(templates(str(tmp_path)), "noreply@city.example", message, datetime.now(UTC))
    assert email["Subject"] == "City of Example: Pothole is received"
    finnish = build_message(
        templates(str(tmp_path)), "noreply@city.example", replace(message, lang="fi"), datetime.now(UTC)
    )
    assert str(make_header(decode_header(finnish["Subject"]))).startswith("Ilmoituksesi on vastaanotettu")
