"""The reporter email worker: one background thread in each server process.

The push that resolves a ticket only inserts a `notifications` row (same
transaction, unique key per resolution), so a crew's sync never waits for mail.
This worker sends what is due:

1. **Claim** one due row in a short write transaction: `FOR UPDATE SKIP LOCKED`
   on PostgreSQL, so several server processes never pick the same row, and a
   lease (next attempt pushed into the future) so nobody else picks it while it
   is being sent. SQLite has one process and this one thread.
2. **Decide** outside any transaction: opted out or reopened → `skipped`; photos
   marked for the reporter whose bytes have not arrived → wait (up to
   `CASESERVER_NOTIFY_PHOTO_WAIT_HOURS` after the resolution, then send without them).
   A waiting row is marked (`last_error` "waiting for N photo(s)…"; the claim clears
   the mark): when an upload stores a blob, `photo_arrived` makes the marked rows of
   its tickets due at once and wakes this process's worker, so the email goes within
   seconds of the last photo instead of at the next recheck. Only marked rows are
   woken, never a claimed one, and the wait is recorded under the row's lock before
   the photos are looked at again, so a blob stored meanwhile is never missed.
3. **Send** over SMTP, then record `sent`; on failure record the attempt and the
   error and retry with exponential backoff, until `failed` (a permanent refusal,
   or `CASESERVER_NOTIFY_MAX_ATTEMPTS`).

A server process that dies between handing the message over and recording it
sends it again after the lease: the only case in which a reporter can get two.
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from sqlalchemy import select, update

from caseserver.blobstore import BlobStore
from caseserver.config import Settings
from caseserver.db import Database
from caseserver.mailer import (
    EmailPhoto,
    ResolutionEmail,
    SendError,
    SmtpConfig,
    SmtpUrlError,
    build_message,
    send,
)
from caseserver.models import AuditEvent, Notification, Photo, Ticket, utcnow
from caseserver.publicview import (
    REPORTER_KINDS,
    local_time,
    outcome_words,
    reporter_photos,
    service_name,
    status_page_url,
    status_words,
    zone,
)

log = logging.getLogger("caseserver.notifier")

#: How long a claimed notification is left to its claimer before another may take it.
LEASE = timedelta(minutes=10)
#: Longest wait between two attempts.
MAX_BACKOFF = timedelta(hours=6)
#: Notifications claimed per round before the worker looks at its stop flag again.
ROUND = 50
#: How `last_error` of a notification waiting for photo bytes begins (the mark `photo_arrived` wakes).
WAITING = "waiting for "

#: The running workers of this process, woken when photo bytes arrive.
_WORKERS: weakref.WeakSet[NotificationWorker] = weakref.WeakSet()


@dataclass(frozen=True)
class Claim:
    id: int
    key: str
    ticket_id: str
    attempts: int
    created_at: datetime
    #: The duplicate whose reporter hears `ticket_id`'s outcome; None: the ticket's own reporter.
    reporter_ticket_id: str | None = None


def backoff(base_seconds: float, attempts: int) -> timedelta:
    """Delay before the next attempt after `attempts` failed ones: base, 2×base, 4×base, ..."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class NotificationWorker:
    def __init__(self, db: Database, settings: Settings, smtp: SmtpConfig) -> None:
        self.db = db
        self.settings = settings
        self.smtp = smtp
        self.store = BlobStore(settings.blob_dir)
        self.tz = zone(settings.timezone)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- running -----------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="reporter-mail", daemon=True)
        self._thread.start()
        _WORKERS.add(self)

    def wake(self) -> None:
        """Look for due notifications now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        _WORKERS.discard(self)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the worker must outlive a bad row or a database hiccup
                log.exception("reporter email round failed")
            self._wake.wait(self.settings.notify_poll_seconds)
            self._wake.clear()

    def run_once(self) -> int:
        """Handle every notification that is due now; returns how many were handled."""
        handled = 0
        while handled < ROUND and not self._stop.is_set() and self._any_due():
            claim = self._claim()
            if claim is None:
                break
            self._handle(claim)
            handled += 1
        return handled

    # -- claiming ------------------------------------------------------------------
    def _due(self, now: datetime):  # type: ignore[no-untyped-def]
        return (
            select(Notification)
            .where(
                Notification.status == "pending",
                Notification.channel == "email",
                Notification.next_attempt_at <= now,
            )
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(1)
        )

    def _any_due(self) -> bool:
        """A cheap read first, so an idle server never takes SQLite's write lock."""
        with self.db.read() as session:
            return session.scalars(self._due(utcnow()).with_only_columns(Notification.id)).first() is not None

    def _claim(self) -> Claim | None:
        now = utcnow()
        with self.db.write() as session:
            stmt = self._due(now)
            if not self.db.is_sqlite:
                stmt = stmt.with_for_update(skip_locked=True)
            row = session.scalars(stmt).first()
            if row is None:
                return None
            row.next_attempt_at = now + LEASE
            if (row.last_error or "").startswith(WAITING):
                row.last_error = None  # claimed: no longer a row `photo_arrived` may wake
            return Claim(row.id, row.key, row.ticket_id, row.attempts, row.created_at, row.reporter_ticket_id)

    def _record(self, claim: Claim, **values: object) -> None:
        with self.db.write() as session:
            session.execute(
                update(Notification)
                .where(Notification.id == claim.id, Notification.status == "pending")
                .values(**values)
            )

    def _wait_for_photos(self, claim: Claim, recheck_at: datetime) -> None:
        """Mark the row as waiting for photo bytes, due again at `recheck_at` or when they arrive.

        The mark is written first (taking the row's lock), then the photos are looked at
        again: bytes stored before the mark was visible make the row due at once, bytes
        stored after it find the mark (`photo_arrived`).
        """
        with self.db.write() as session:
            mine = (Notification.id == claim.id, Notification.status == "pending")
            marked = session.execute(
                update(Notification).where(*mine).values(last_error=f"{WAITING}photos")
            ).rowcount  # type: ignore[attr-defined]
            if not marked:
                return
            missing = [p for p in reporter_photos(session, claim.ticket_id) if not p.arrived]
            values = {"next_attempt_at": recheck_at if missing else utcnow()}
            if missing:
                values["last_error"] = f"{WAITING}{len(missing)} photo(s) to arrive from the crew's device"
            session.execute(update(Notification).where(*mine).values(**values))

    # -- deciding and sending ------------------------------------------------------
    def _handle(self, claim: Claim) -> None:
        now = utcnow()
        with self.db.read() as session:
            ticket = session.get(Ticket, claim.ticket_id)
            if ticket is None:
                self._record(claim, status="skipped", last_error="the ticket no longer exists")
                return
            reporter = ticket
            if claim.reporter_ticket_id is not None:
                reporter = session.get(Ticket, claim.reporter_ticket_id)
                if reporter is None or reporter.duplicate_of != ticket.id:
                    why = "the report is no longer merged into this ticket"
                    self._record(claim, status="skipped", last_error=why)
                    return
            if reporter.reporter_notify != "email" or not (reporter.reporter_email or "").strip():
                self._record(claim, status="skipped", last_error="the reporter did not ask for email")
                return
            if ticket.status not in ("resolved", "closed"):
                self._record(claim, status="skipped", last_error="the ticket was reopened before sending")
                return
            photos = reporter_photos(session, ticket.id)
            resolved_at = session.scalar(
                select(AuditEvent.at)
                .where(
                    AuditEvent.ticket_id == ticket.id,
                    AuditEvent.field == "status",
                    AuditEvent.new == orjson.dumps("resolved").decode(),
                )
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
            session.expunge(ticket)
            if reporter is not ticket:
                session.expunge(reporter)
        missing = [p for p in photos if not p.arrived]
        deadline = claim.created_at + timedelta(hours=self.settings.notify_photo_wait_hours)
        if missing and now < deadline:
            recheck = min(timedelta(seconds=self.settings.notify_retry_seconds), deadline - now)
            self._wait_for_photos(claim, now + recheck)
            return
        email = ResolutionEmail(
            key=claim.key,
            to_email=(reporter.reporter_email or "").strip(),
            to_name=reporter.reporter_name,
            agency=self.settings.agency_name,
            service=service_name(reporter.service_code),
            address=reporter.address,
            description=reporter.description,
            reported_at=local_time(reporter.created_at, self.tz),
            resolved_at=local_time(resolved_at or ticket.updated_at, self.tz),
            status=status_words(ticket.status),
            outcome=outcome_words(ticket)
            if reporter is ticket
            else f"Your report was merged with another report of the same problem. {outcome_words(ticket)}",
            link=status_page_url(self.settings.public_url, ticket.id),
            photos=self._public_copies([(p.kind, p.sha256) for p in photos if p.arrived]),
        )
        attempts = claim.attempts + 1
        try:
            message = build_message(self.smtp.sender, email, now)
        except Exception as exc:  # e.g. an address the office typed that no mail system accepts
            reason = f"cannot build the email: {exc}"
            self._record(claim, attempts=attempts, status="failed", last_error=reason)
            return
        try:
            send(self.smtp, message)
        except SendError as exc:
            gave_up = exc.permanent or attempts >= self.settings.notify_max_attempts
            log.warning("reporter email %s not sent (attempt %d): %s", claim.key, attempts, exc)
            self._record(
                claim,
                attempts=attempts,
                last_error=str(exc)[:2000],
                status="failed" if gave_up else "pending",
                next_attempt_at=now + backoff(self.settings.notify_retry_seconds, attempts),
            )
            return
        self._record(claim, attempts=attempts, status="sent", sent_at=utcnow(), last_error=None)

    def _public_copies(self, arrived: list[tuple[str, str]]) -> list[EmailPhoto]:
        """The public copies (upright, resized, no EXIF) of (kind, sha256) photos whose bytes arrived."""
        photos = []
        for kind, sha256 in arrived:
            try:
                photos.append(EmailPhoto(kind, self.store.public_copy(sha256).read_bytes()))
            except Exception as exc:  # an unreadable image is left out, never blocks the email
                log.warning("no public copy of photo %s for a reporter email: %s", sha256, exc)
        return photos


def photo_arrived(db: Database, sha256: str) -> None:
    """Bytes were stored: reporter emails waiting for them are due now (this process's worker is woken).

    Called by the upload's completion after the `blobs` row is committed. Never raises:
    at worst the email goes at its next recheck.
    """
    now = utcnow()
    tickets = select(Photo.ticket_id).where(
        Photo.sha256 == sha256, Photo.for_reporter.is_(True), Photo.kind.in_(REPORTER_KINDS)
    )
    try:
        with db.write() as session:
            woken = session.execute(
                update(Notification)
                .where(
                    Notification.status == "pending",
                    Notification.channel == "email",
                    Notification.last_error.startswith(WAITING, autoescape=True),
                    Notification.next_attempt_at > now,
                    Notification.ticket_id.in_(tickets),
                )
                .values(next_attempt_at=now)
            ).rowcount  # type: ignore[attr-defined]
    except Exception:  # the upload is stored either way; the recheck still comes
        log.exception("could not wake the reporter emails waiting for photo %s", sha256)
        return
    if woken:
        for worker in list(_WORKERS):
            worker.wake()


def start_worker(db: Database, settings: Settings) -> NotificationWorker | None:
    """Start this process's worker; None when email is off (notifications stay pending)."""
    try:
        smtp = SmtpConfig.from_url(settings.smtp_url)
    except SmtpUrlError as exc:
        log.error("reporter emails are off: %s", exc)
        return None
    if smtp is None:
        return None
    worker = NotificationWorker(db, settings, smtp)
    worker.start()
    return worker
