"""The reporter message worker: one background thread in each server process.

A change that moves a ticket to another public stage only inserts a `notifications`
row (same transaction, unique key per stage and version, stagequeue.py), so a crew's
sync never waits for mail. This worker sends what is due:

1. **Claim** one due row in a short write transaction: `FOR UPDATE SKIP LOCKED`
   on PostgreSQL, so several server processes never pick the same row, and a
   lease (next attempt pushed into the future) so nobody else picks it while it
   is being sent. SQLite has one process and this one thread. In the same
   transaction the reporter's `reporter_contacts` row is locked and the city's
   rules applied (reporterstages.py): a stage the report has left, one the city
   does not send for the service, or a reporter who opted out → `skipped`; within
   the gap after the last message to this reporter, or in the quiet hours → due
   again when they end; another process sending to this reporter → due after it.
2. **Decide** outside any transaction: the stage moved on meanwhile → `skipped`; photos
   marked for the reporter whose bytes have not arrived → wait (up to
   `CASESERVER_NOTIFY_PHOTO_WAIT_HOURS` after the resolution, then send without them).
   A waiting row is marked (`last_error` "waiting for N photo(s)…"; the claim clears
   the mark): when an upload stores a blob, `photo_arrived` makes the marked rows of
   its tickets due at once and wakes this process's worker, so the email goes within
   seconds of the last photo instead of at the next recheck. Only marked rows are
   woken, never a claimed one, and the wait is recorded under the row's lock before
   the photos are looked at again, so a blob stored meanwhile is never missed.
3. **Send** over SMTP (one connection per round), then record `sent` and the
   reporter's last message; on failure record the attempt and the error and retry
   with exponential backoff, until `failed` (a permanent refusal, or
   `CASESERVER_NOTIFY_MAX_ATTEMPTS`).

A server process that dies between handing the message over and recording it
sends it again after the lease: the only case in which a reporter can get two.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, defer

from caseserver import reporterlinks
from caseserver.blobstore import BlobStore, open_blob_store
from caseserver.changes import insert_new
from caseserver.config import Settings
from caseserver.db import Database
from caseserver.mailer import EmailPhoto, SendError, SmtpConfig, SmtpConnection, SmtpUrlError
from caseserver.models import Notification, Photo, ReporterContact, Ticket, utcnow
from caseserver.publicview import (
    REPORTER_KINDS,
    reporter_photos,
    zone,
)
from caseserver.reportermail import build_message, compose, stage_policy, templates
from caseserver.reporterstages import OUTCOME_STAGES, StagePolicyError
from caseserver.stagequeue import heard_stage

log = logging.getLogger("caseserver.notifier")

#: How long a claimed notification is left to its claimer before another may take it.
LEASE = timedelta(minutes=10)
#: Longest wait between two attempts.
MAX_BACKOFF = timedelta(hours=6)
#: Notifications handled per round before the worker looks at its stop flag again.
ROUND = 500
#: Notifications claimed (and their outcomes recorded) per write transaction.
BATCH = 25
#: A row whose reporter another process is sending to looks again after this.
RECHECK_SENDING = timedelta(seconds=2)
#: How `last_error` of a notification waiting for photo bytes begins (the mark `photo_arrived` wakes).
WAITING = "waiting for "

#: The running workers of this process, woken when photo bytes arrive.
_WORKERS: weakref.WeakSet[NotificationWorker] = weakref.WeakSet()


@dataclass(frozen=True)
class Claim:
    id: int
    key: str
    #: The ticket whose progress is told (for a merged report: the one it was merged into).
    ticket_id: str
    #: The ticket whose reporter is told.
    reporter_id: str
    stage: str
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What became of a claimed row: the values to write, and when it was sent (None: it was not)."""

    claim: Claim
    values: dict[str, object]
    sent_at: datetime | None = None


def backoff(base_seconds: float, attempts: int) -> timedelta:
    """Delay before the next attempt after `attempts` failed ones: base, 2×base, 4×base, ..."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _states(session: Session, ids: list[str]) -> dict[str, Any]:
    """What the stage rules read of these tickets, by id (one query)."""
    if not ids:
        return {}
    columns = (
        Ticket.id,
        Ticket.status,
        Ticket.resolution_code,
        Ticket.duplicate_of,
        Ticket.service_code,
        Ticket.reporter_notify,
        Ticket.reporter_email,
    )
    return {row.id: row for row in session.execute(select(*columns).where(Ticket.id.in_(ids)))}


#: A ticket as a message needs it: not its device document.
_LIGHT = (defer(Ticket.doc), defer(Ticket.possible_duplicates))


def current_stage(session: Session, reporter: Ticket) -> tuple[str, Ticket]:
    """What `reporter`'s reporter hears now, and the ticket it is about (the main one when merged)."""
    main = session.get(Ticket, reporter.duplicate_of, options=_LIGHT) if reporter.duplicate_of else None
    return heard_stage(reporter, main), main if main is not None else reporter


class NotificationWorker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        smtp: SmtpConfig,
        clock: Callable[[], datetime] = utcnow,
        store: BlobStore | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.smtp = smtp
        self.clock = clock
        self.policy = stage_policy(settings)
        self.templates = templates(settings.templates_dir)
        #: Messages of a batch go out over this many SMTP connections at once.
        self.senders = ThreadPoolExecutor(max(1, settings.notify_senders), thread_name_prefix="reporter-send")
        self._local = threading.local()
        self._connections: list[SmtpConnection] = []
        self._connections_lock = threading.Lock()
        self.store = store or open_blob_store(settings)  # the photos reporters see
        self.tz = zone(settings.timezone)
        self._link_key: bytes | None = None
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
        self.senders.shutdown(wait=False)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the worker must outlive a bad row or a database hiccup
                log.exception("reporter message round failed")
            self._wake.wait(self.settings.notify_poll_seconds)
            self._wake.clear()

    def run_once(self) -> int:
        """Handle every notification that is due now; returns how many were handled.

        Rows are claimed a batch at a time and their outcomes recorded together: two
        short write transactions per batch rather than per message.
        """
        handled = 0
        try:
            while handled < ROUND and not self._stop.is_set() and self._any_due():
                claims, settled = self._claim_batch(BATCH)
                if not claims and not settled:
                    break
                outcomes = [o for o in self.senders.map(self._handle_safely, claims) if o is not None]
                self._record(outcomes)
                handled += len(claims) + settled
        finally:
            self._close_connections()  # no connection is kept open between rounds
        return handled

    def _handle_safely(self, claim: Claim) -> Outcome | None:
        try:
            return self._handle(claim)
        except Exception as exc:  # one bad row never holds up the others' outcomes
            log.exception("reporter message %s could not be handled", claim.key)
            return self._failed_attempt(claim, SendError(f"cannot handle it: {exc}"))

    def _connection(self) -> SmtpConnection:
        """This sender thread's connection to the mail server (opened at its first message)."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = SmtpConnection(self.smtp)
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def _close_connections(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()

    # -- claiming ------------------------------------------------------------------
    def _due(self, now: datetime, limit: int = 1):  # type: ignore[no-untyped-def]
        return (
            select(Notification)
            .where(
                Notification.status == "pending",
                Notification.channel == "email",
                Notification.next_attempt_at <= now,
            )
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        )

    def _any_due(self) -> bool:
        """A cheap read first, so an idle server never takes SQLite's write lock."""
        with self.db.read() as session:
            due = self._due(self.clock()).with_only_columns(Notification.id)
            return session.scalars(due).first() is not None

    def _claim_batch(self, limit: int) -> tuple[list[Claim], int]:
        """Up to `limit` due rows: those claimed for sending, and how many were settled here
        (skipped, or put off by the reporter's gap, the quiet hours or another process).

        The rows' tickets and their reporters' contact rows (locked) are read with one
        query each, whatever the batch's size.
        """
        now = self.clock()
        claims: list[Claim] = []
        settled = 0
        with self.db.write() as session:
            stmt = self._due(now, limit)
            if not self.db.is_sqlite:
                stmt = stmt.with_for_update(skip_locked=True)
            rows = session.scalars(stmt).all()
            if not rows:
                return [], 0
            reporter_ids = sorted({row.reporter_ticket_id or row.ticket_id for row in rows})
            tickets = _states(session, reporter_ids)
            tickets.update(
                _states(session, sorted({t.duplicate_of for t in tickets.values() if t.duplicate_of}))
            )
            contacts = self._contacts(session, reporter_ids)
            for row in rows:
                claim = self._claim(row, now, tickets, contacts)
                if claim is None:
                    settled += 1
                else:
                    claims.append(claim)
        return claims, settled

    def _claim(
        self, row: Notification, now: datetime, tickets: dict[str, Any], contacts: dict[str, ReporterContact]
    ) -> Claim | None:
        """Claim one due row for sending, or settle it here (None)."""
        if (row.last_error or "").startswith(WAITING):
            row.last_error = None  # claimed: no longer a row `photo_arrived` may wake
        stage = row.stage or "resolved"
        reporter_id = row.reporter_ticket_id or row.ticket_id
        why_not = self._why_not(tickets, reporter_id, stage)
        if why_not is not None:
            row.status, row.last_error = "skipped", why_not
            return None
        contact = contacts[reporter_id]
        if contact.sending_until is not None and contact.sending_until > now:
            # Another message to this reporter is on its way: look again shortly (then the gap applies).
            row.next_attempt_at = min(contact.sending_until, now + RECHECK_SENDING)
            return None
        at = self.policy.send_at(now, contact.last_sent_at, self.tz)
        if at > now:
            row.next_attempt_at = at
            row.last_error = f"held until {at.isoformat(timespec='minutes')}: least gap or quiet hours"
            return None
        row.next_attempt_at = now + LEASE
        contact.sending_until = now + LEASE
        return Claim(row.id, row.key, row.ticket_id, reporter_id, stage, row.attempts, row.created_at)

    def _why_not(self, tickets: dict[str, Any], reporter_id: str, stage: str) -> str | None:
        """Why this stage's message must not go to this reporter (None: it may)."""
        reporter = tickets.get(reporter_id)
        if reporter is None:
            return "the ticket no longer exists"
        if reporter.reporter_notify != "email" or not (reporter.reporter_email or "").strip():
            return "the reporter did not ask for email"
        main = tickets.get(reporter.duplicate_of) if reporter.duplicate_of else None
        now_stage = heard_stage(reporter, main)
        if now_stage != stage:
            return f"the report has moved on to the stage {now_stage!r}"
        if not self.policy.sends(reporter.service_code, stage):
            return f"the city does not send the stage {stage!r} for {reporter.service_code!r}"
        return None

    def _contacts(self, session: Session, reporter_ids: list[str]) -> dict[str, ReporterContact]:
        """The reporters' contact rows, locked (made on first use)."""
        insert_new(
            session, ReporterContact, "reporter_ticket_id", [{"reporter_ticket_id": r} for r in reporter_ids]
        )
        stmt = select(ReporterContact).where(ReporterContact.reporter_ticket_id.in_(reporter_ids))
        if not self.db.is_sqlite:
            stmt = stmt.order_by(ReporterContact.reporter_ticket_id).with_for_update()
        return {c.reporter_ticket_id: c for c in session.scalars(stmt)}

    def _record(self, outcomes: list[Outcome]) -> None:
        """Write what became of claimed rows, and release their reporters (with the last message
        time of those sent to), in one transaction: one statement per kind of outcome."""
        if not outcomes:
            return
        notifications: dict[tuple[str, ...], list[dict[str, object]]] = {}
        for outcome in outcomes:
            values = outcome.values
            notifications.setdefault(tuple(sorted(values)), []).append(
                {"notification_id": outcome.claim.id, **values}
            )
        released = [{"reporter": o.claim.reporter_id} for o in outcomes if o.sent_at is None]
        told = [
            {"reporter": o.claim.reporter_id, "sent": o.sent_at} for o in outcomes if o.sent_at is not None
        ]
        with self.db.write() as session:
            connection = session.connection()
            for columns, params in notifications.items():
                stmt = (
                    update(Notification.__table__)
                    .where(Notification.id == bindparam("notification_id"), Notification.status == "pending")
                    .values({name: bindparam(name) for name in columns})
                )
                connection.execute(stmt, params)
            contact = update(ReporterContact.__table__).where(
                ReporterContact.reporter_ticket_id == bindparam("reporter")
            )
            if released:
                connection.execute(contact.values(sending_until=None), released)
            if told:
                connection.execute(contact.values(sending_until=None, last_sent_at=bindparam("sent")), told)

    def _failed_attempt(self, claim: Claim, exc: SendError) -> Outcome:
        attempts = claim.attempts + 1
        gave_up = exc.permanent or attempts >= self.settings.notify_max_attempts
        return Outcome(
            claim,
            {
                "attempts": attempts,
                "last_error": str(exc)[:2000],
                "status": "failed" if gave_up else "pending",
                "next_attempt_at": self.clock() + backoff(self.settings.notify_retry_seconds, attempts),
            },
        )

    def _wait_for_photos(self, claim: Claim, recheck_at: datetime) -> None:
        """Mark the row as waiting for photo bytes, due again at `recheck_at` or when they arrive.

        The mark is written first (taking the row's lock), then the photos are looked at
        again: bytes stored before the mark was visible make the row due at once, bytes
        stored after it find the mark (`photo_arrived`).
        """
        with self.db.write() as session:
            session.execute(
                update(ReporterContact)
                .where(ReporterContact.reporter_ticket_id == claim.reporter_id)
                .values(sending_until=None)
            )
            mine = (Notification.id == claim.id, Notification.status == "pending")
            marked = session.execute(
                update(Notification).where(*mine).values(last_error=f"{WAITING}photos")
            ).rowcount  # type: ignore[attr-defined]
            if not marked:
                return
            missing = [p for p in reporter_photos(session, claim.ticket_id) if not p.arrived]
            values = {"next_attempt_at": recheck_at if missing else self.clock()}
            if missing:
                values["last_error"] = f"{WAITING}{len(missing)} photo(s) to arrive from the crew's device"
            session.execute(update(Notification).where(*mine).values(**values))

    # -- deciding and sending ------------------------------------------------------
    def _handle(self, claim: Claim) -> Outcome | None:
        """Send one claimed row's message; what became of it (None: it waits for photos, recorded)."""
        now = self.clock()
        with self.db.read() as session:
            reporter = session.get(Ticket, claim.reporter_id, options=_LIGHT)
            if reporter is None:
                return Outcome(claim, {"status": "skipped", "last_error": "the ticket no longer exists"})
            stage, shown = current_stage(session, reporter)
            if stage != claim.stage:
                why = f"the report has moved on to the stage {stage!r}"
                return Outcome(claim, {"status": "skipped", "last_error": why})
            photos = reporter_photos(session, shown.id) if claim.stage in OUTCOME_STAGES else []
            session.expunge(reporter)
            if shown is not reporter:
                session.expunge(shown)
        missing = [p for p in photos if not p.arrived]
        deadline = claim.created_at + timedelta(hours=self.settings.notify_photo_wait_hours)
        if missing and now < deadline:
            recheck = min(timedelta(seconds=self.settings.notify_retry_seconds), deadline - now)
            self._wait_for_photos(claim, now + recheck)
            return None
        key = self._key()
        copies = self._public_copies([(p.kind, p.sha256) for p in photos if p.arrived])
        # The row was queued in the change's transaction: its time is when the stage began.
        message = compose(
            self.settings,
            self.tz,
            key,
            claim.key,
            claim.stage,
            reporter,
            shown,
            claim.created_at,
            now,
            copies,
        )
        attempts = claim.attempts + 1
        try:
            email = build_message(self.templates, self.smtp.sender, message, now)
        except Exception as exc:  # e.g. an address the office typed that no mail system accepts
            why = f"cannot build the message: {exc}"
            return Outcome(claim, {"attempts": attempts, "status": "failed", "last_error": why})
        try:
            self._connection().send(email)
        except SendError as exc:
            log.warning("reporter message %s not sent (attempt %d): %s", claim.key, attempts, exc)
            return self._failed_attempt(claim, exc)
        sent_at = self.clock()
        values = {"attempts": attempts, "status": "sent", "sent_at": sent_at, "last_error": None}
        return Outcome(claim, values, sent_at)

    def _key(self) -> bytes:
        """The links' signing key, made and stored by the first process that needs it."""
        if self._link_key is None:
            with self.db.write() as session:
                self._link_key = reporterlinks.signing_key(session)
        return self._link_key

    def _public_copies(self, arrived: list[tuple[str, str]]) -> list[EmailPhoto]:
        """The public copies (upright, resized, no EXIF) of (kind, sha256) photos whose bytes arrived."""
        photos = []
        for kind, sha256 in arrived:
            try:
                photos.append(EmailPhoto(kind, self.store.public_copy(sha256)))
            except Exception as exc:  # an unreadable image is left out, never blocks the message
                log.warning("no public copy of photo %s for a reporter message: %s", sha256, exc)
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


def start_worker(
    db: Database, settings: Settings, store: BlobStore | None = None
) -> NotificationWorker | None:
    """Start this process's worker; None when email is off (notifications stay pending)."""
    try:
        smtp = SmtpConfig.from_url(settings.smtp_url)
        if smtp is None:
            return None
        worker = NotificationWorker(db, settings, smtp, store=store)
    except (SmtpUrlError, StagePolicyError) as exc:
        log.error("reporter emails are off: %s", exc)
        return None
    worker.start()
    return worker
