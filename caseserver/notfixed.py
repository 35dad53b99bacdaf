"""The reporter says "not fixed" (or "fixed, thanks") through a link in a message.

Within `CASESERVER_REOPEN_DAYS` of the resolution the ticket is reopened for the
supervisor: back to work (`in_progress`), out of the crew's list into the unassigned
queue, with the reporter's words as a note and their photo, and a history entry that
says why. Later (or once the ticket is closed for good) a new ticket is logged in the
queue instead, linked both ways. Either way the answer is recorded as the ticket's
satisfaction, and everything happens in one transaction with the link's use, so a
link works once and a refused request changes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from caseserver import reporterlinks
from caseserver.auth import Caller
from caseserver.blobstore import BlobStore
from caseserver.changes import ChangeSet, TicketRow, insert_if_new
from caseserver.db import Database
from caseserver.images import ImageInfo, check_jpeg
from caseserver.models import AuditEvent, Ticket, User, utcnow
from caseserver.photoaccess import record_holder
from caseserver.photointake import record_blob
from caseserver.publicview import NOT_FIXED
from caseserver.routing import route_arrival
from caseserver.services import BY_CODE
from sync.wire import PhotoMeta
from sync.workflow import Status

#: Longest comment a reporter may send.
MAX_COMMENT = 2000
#: The system user that reporters' notes and photos are written by (never signs in).
REPORTER_ROLE = "reporter"


@dataclass(frozen=True)
class Answer:
    #: 'reopened' (the ticket itself) or 'follow_up' (a new ticket, `ticket_id`).
    kind: str
    ticket_id: str


def reporter_caller(session: Session) -> Caller:
    """The reporters' system user (inactive, so it can never sign in), made on first use."""
    user = session.scalars(select(User).where(User.role == REPORTER_ROLE)).first()
    if user is None:
        for name in ("reporter", "citizen-reporter", f"reporter-{uuid.uuid4().hex[:8]}"):
            values = {
                "username": name,
                "display_name": "Reporter",
                "role": REPORTER_ROLE,
                "password_hash": "!",
            }
            if insert_if_new(session, User, "username", {**values, "active": False, "created_at": utcnow()}):
                break
        user = session.scalars(select(User).where(User.role == REPORTER_ROLE)).one()
    return Caller(
        user.id, user.username, user.display_name, REPORTER_ROLE, None, None, None, frozenset(), False
    )


def store_photo(store: BlobStore, database: Database, data: bytes) -> tuple[str, ImageInfo]:
    """Check a reporter's photo as a crew photo is checked, and keep it; ImageRefused if it is not one."""
    info = check_jpeg(data)
    sha256 = hashlib.sha256(data).hexdigest()
    store.store(sha256, data)
    record_blob(database, sha256, len(data), info)
    return sha256, info


def _resolved_at(session: Session, ticket_id: str) -> Any:
    return session.scalar(
        select(AuditEvent.at)
        .where(
            AuditEvent.ticket_id == ticket_id,
            AuditEvent.field == "status",
            AuditEvent.new == orjson.dumps(Status.RESOLVED).decode(),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


def not_fixed(
    database: Database,
    link: reporterlinks.Link,
    comment: str,
    photo: tuple[str, int, ImageInfo] | None,
    reopen_days: float,
) -> Answer:
    """Reopen the reporter's ticket, or log a linked follow-up; LinkRefused when the link was used."""
    with database.write() as session:
        reporterlinks.use(session, link)
        changes = ChangeSet(session)
        reporter_row = changes.lock([link.ticket_id]).get(link.ticket_id)
        if reporter_row is None:
            raise reporterlinks.LinkRefused("bad")
        main_id = reporter_row.duplicate_of or reporter_row.id
        target = changes.lock([main_id])[main_id] if main_id != reporter_row.id else reporter_row
        actor = reporter_caller(session)
        said = comment.strip() or "-"
        resolved_at = _resolved_at(session, target.id)
        recent = resolved_at is not None and changes.now - resolved_at <= timedelta(days=reopen_days)
        if target.status == Status.RESOLVED and recent:
            why = "the reporter says the problem is still there"
            changes.set_field(target, "status", Status.IN_PROGRESS, actor, reason=why)
            if target.assigned_crew_id is not None:
                changes.set_field(target, "assigned_crew", None, actor, reason=why)
            changes.system_event(target, NOT_FIXED, said, why)
            target.reopened_by_reporter_at = changes.now
            answer = Answer("reopened", target.id)
            written = target
        else:
            written = _follow_up(session, changes, target, reporter_row, said, actor)
            changes.system_event(
                target, "follow_up", written.id, f"the reporter says it is not fixed: ticket {written.id}"
            )
            answer = Answer("follow_up", written.id)
        changes.add_note(written, str(uuid.uuid4()), f"Reporter: not fixed. {said}", actor, None)
        if photo is not None:
            sha256, size, info = photo
            record_holder(session, sha256, actor.user_id)
            meta = PhotoMeta(
                kind="other",
                caption="Reporter's photo: not fixed",
                sha256=sha256,
                size=size,
                width=info.width,
                height=info.height,
                for_reporter=False,
            )
            changes.add_photo(written, str(uuid.uuid4()), meta, actor)
        _satisfaction(changes, reporter_row, "not_fixed")
        changes.publish()
        return answer


def _follow_up(
    session: Session, changes: ChangeSet, target: TicketRow, reporter: TicketRow, said: str, actor: Caller
) -> TicketRow:
    service = BY_CODE.get(target.service_code)
    values: dict[str, Any] = {
        "service_code": target.service_code,
        "description": f"Not fixed (follow-up of ticket {target.id}): {said}",
        "address": target.address,
        "lat": target.lat,
        "lon": target.lon,
        "priority": target.priority,
        "status": Status.NEW,
        "assigned_crew_id": None,
        "due_at": changes.now + timedelta(hours=service.sla_hours if service else 72),
        "reporter_name": reporter.reporter_name,
        "reporter_email": reporter.reporter_email,
        "reporter_phone": reporter.reporter_phone,
        "reporter_notify": reporter.reporter_notify,
        "reporter_locale": reporter.reporter_locale,
        "source": reporter.source,
        "follow_up_of": target.id,
    }
    reason = route_arrival(session, values)
    return changes.create_ticket(actor, assigned_reason=reason, **values)


def _satisfaction(changes: ChangeSet, ticket: TicketRow, answer: str) -> None:
    changes.touch(ticket)
    ticket.satisfaction = answer
    ticket.satisfaction_at = changes.now


def fixed(database: Database, link: reporterlinks.Link) -> None:
    """The reporter says it is fixed: recorded on their ticket (again: the later answer stands)."""
    _set(database, link, satisfaction="fixed", satisfaction_at=utcnow())


def unsubscribe(database: Database, link: reporterlinks.Link) -> None:
    """No more messages about this report (pending ones are skipped when they fall due)."""
    _set(database, link, reporter_notify="none")


def _set(database: Database, link: reporterlinks.Link, **values: Any) -> None:
    """Reporter-only columns (never on devices): no new version, nothing to publish."""
    with database.write() as session:
        done = session.execute(update(Ticket).where(Ticket.id == link.ticket_id).values(**values)).rowcount
        if not done:
            raise reporterlinks.LinkRefused("bad")
