"""Reporter stage messages: can the notifier keep up with 10,000 stage changes?

    .venv/bin/python bench/bench_reporter_stages.py [--changes 10000] [--database-url URL]

The server's schema (Alembic, to head) in a new SQLite file, or in the PostgreSQL database
given (use a scratch database: its tickets are added to). Then, through the server's own
change sets:

1. **one stage each**: `--changes` reports arrive (each reporter is owed "received");
2. **four stages each**: `--changes / 4` reports arrive and move on three times (assigned,
   in progress, resolved) before the notifier runs: 10,000 stage changes in all, of which
   only the latest per reporter may be sent (the rest are skipped as moved on).

Each time the notifier (`NotificationWorker.run_once`, in this process, with its
`CASESERVER_NOTIFY_SENDERS` connections) drains the database queue to a local aiosmtpd
process that accepts each message and writes down its Message-ID (bench/smtpcount.py);
the messages that arrived are counted, and none may arrive twice. The floor, in the same
run: as many messages built from the same templates and sent over one SMTP connection,
with no database at all.
Goal: over 200 messages/s to a local SMTP server, with the database as the only queue.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from serverproc import free_port  # noqa: E402

from caseserver.changes import ChangeSet  # noqa: E402
from caseserver.config import Settings  # noqa: E402
from caseserver.db import Database  # noqa: E402
from caseserver.demo import ensure_crews_and_users  # noqa: E402
from caseserver.mailer import SmtpConfig, SmtpConnection  # noqa: E402
from caseserver.migrate import upgrade  # noqa: E402
from caseserver.models import utcnow  # noqa: E402
from caseserver.notifier import NotificationWorker  # noqa: E402
from caseserver.reportermail import ReporterMessage, build_message, templates  # noqa: E402

GOAL = 200.0
BATCH = 500


def add_reports(db: Database, count: int, moves: tuple[str, ...]) -> None:
    """`count` new reports with email reporters, each then moved through `moves` (one change set each)."""
    for start in range(0, count, BATCH):
        with db.write() as session:
            changes = ChangeSet(session)
            ids = []
            for n in range(start, min(start + BATCH, count)):
                ticket = changes.create_ticket(
                    None,
                    service_code="pothole",
                    description="Pothole",
                    address=f"Street {n}",
                    lat=60.17,
                    lon=24.94,
                    priority=3,
                    status="new",
                    assigned_crew_id=None,
                    due_at=utcnow() + timedelta(days=3),
                    reporter_email=f"r{uuid.uuid4().hex[:12]}@example.org",
                    reporter_locale=("fi", "sv", "en")[n % 3],
                )
                ids.append(ticket.id)
            changes.publish()
        for move in moves:
            with db.write() as session:
                changes = ChangeSet(session)
                for ticket in changes.lock(ids).values():
                    if move == "assigned":
                        changes.set_field(ticket, "assigned_crew", "north", None)
                    else:
                        changes.set_field(ticket, "status", move, None)
                changes.publish()


def drain(worker: NotificationWorker) -> float:
    started = time.perf_counter()
    while worker.run_once():
        pass
    return time.perf_counter() - started


def mail_server(ids: Path, port: int) -> subprocess.Popen[bytes]:
    handler = ["-c", "bench.smtpcount.MessageIds", str(ids)]
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", *handler], cwd=REPO
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP server did not start")


def arrived(ids: Path) -> list[str]:
    return ids.read_text().split() if ids.exists() else []


def floor(config: SmtpConfig, count: int) -> float:
    env = templates("")
    connection = SmtpConnection(config)
    started = time.perf_counter()
    for n in range(count):
        message = ReporterMessage(
            key=f"stage:received:{uuid.uuid4()}:1",
            stage="received",
            lang=("fi", "sv", "en")[n % 3],
            to_email=f"floor{n}@example.org",
            to_name=None,
            agency="City Public Works",
            service="Pothole",
            address=f"Street {n}",
            description="Pothole",
            reported_at="4 Dec 2026, 07:00",
            changed_at="4 Dec 2026, 07:00",
            status="Received",
            outcome=None,
            link="https://city.example/requests/x?lang=en",
            unsubscribe_url="https://city.example/reporter/unsubscribe?k=x",
        )
        connection.send(build_message(env, config.sender, message, utcnow()))
    connection.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'cs.sqlite'}"
        upgrade(url)
        db = Database(url)
        with db.write() as session:
            ensure_crews_and_users(session)
        ids = folder / "message-ids.txt"
        port = free_port()
        mail = mail_server(ids, port)
        try:
            smtp = SmtpConfig.from_url(f"smtp://127.0.0.1:{port}?from=noreply@city.example")
            assert smtp is not None
            settings = Settings(
                database_url=url,
                blob_dir=folder / "blobs",
                notify_stages="received,assigned,en_route,in_progress,resolved",
                notify_gap_hours="4",
                notify_quiet_hours="",
            )
            worker = NotificationWorker(db, settings, smtp)
            print(f"database: {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}")

            added = time.perf_counter()
            add_reports(db, args.changes, ())
            print(f"{args.changes} reports logged in {time.perf_counter() - added:.1f} s")
            seconds = drain(worker)
            sent = len(arrived(ids))
            print(
                f"one stage each: {sent} messages in {seconds:.1f} s = {sent / seconds:.0f} messages/s "
                f"(goal > {GOAL:.0f})"
            )

            reports = args.changes // 4
            add_reports(db, reports, ("assigned", "in_progress", "resolved"))
            before = sent
            seconds = drain(worker)
            sent = len(arrived(ids)) - before
            print(
                f"four stages each ({reports * 4} changes): {sent} messages (the latest stage of each of "
                f"{reports} reporters) and {reports * 3} skipped in {seconds:.1f} s = "
                f"{reports * 4 / seconds:.0f} changes/s"
            )
            assert len(set(arrived(ids))) == len(arrived(ids)), "a message arrived twice"
            print(f"sent over {settings.notify_senders} connections; no message arrived twice")
            floor_seconds = floor(smtp, args.changes)
            print(
                f"floor (no database, one thread, one connection): {args.changes} messages "
                f"in {floor_seconds:.1f} s = {args.changes / floor_seconds:.0f} messages/s"
            )
        finally:
            worker.senders.shutdown()
            mail.terminate()
            mail.wait(10)


if __name__ == "__main__":
    main()
