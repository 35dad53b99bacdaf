"""What the public may see of a ticket: plain words, dates, before/after photos, timeline.

Shared by the reporter emails, the public status page and Open311. Nothing here
reads or returns reporter contact details or the names of crews and their members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseserver.models import AuditEvent, BlobHolder, Photo, Ticket
from caseserver.photoaccess import shown_by_author
from caseserver.services import BY_CODE

STATUS_WORDS: dict[str, str] = {
    "new": "Received, waiting to be scheduled",
    "assigned": "Scheduled: a crew will handle it",
    "en_route": "A crew is on the way",
    "in_progress": "Work in progress",
    "on_hold": "On hold",
    "resolved": "Resolved",
    "closed": "Closed",
    "cancelled": "Cancelled",
}

RESOLUTION_WORDS: dict[str, str] = {
    "fixed": "Fixed.",
    "temporary_fix": "Made safe with a temporary repair; a permanent repair will follow.",
    "not_found": "Our crew could not find the problem at this location.",
    "duplicate": "This was already reported and is handled under another request.",
    "referred": "Referred to the party responsible for it.",
    "no_action_needed": "Inspected: no action was needed.",
}

#: Statuses in which the city's work on a request is over (Open311 'closed').
FINISHED: frozenset[str] = frozenset({"resolved", "closed", "cancelled"})

#: Photo kinds shown to reporters, in the order they are shown.
REPORTER_KINDS: tuple[str, ...] = ("before", "after")


@dataclass(frozen=True)
class PublicPhoto:
    """A photo the crew marked for the reporter."""

    id: str
    kind: str
    sha256: str
    #: Whether its bytes have reached the blob store (only then can the public copy be made).
    arrived: bool


def service_name(code: str) -> str:
    service = BY_CODE.get(code)
    return service.name if service else code.replace("_", " ").capitalize()


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def outcome_words(ticket: Ticket) -> str | None:
    """The outcome in plain words (resolution code and note), or None before there is one."""
    parts = []
    if ticket.status == "cancelled":
        parts.append("The request was cancelled.")
    if ticket.resolution_code:
        parts.append(RESOLUTION_WORDS.get(ticket.resolution_code, ticket.resolution_code.replace("_", " ")))
    if ticket.resolution_note and ticket.resolution_note.strip():
        parts.append(ticket.resolution_note.strip())
    return " ".join(parts) or None


def reporter_photos(session: Session, ticket_id: str) -> list[PublicPhoto]:
    """The ticket's before/after photos marked for the reporter, before ones first, oldest first."""
    rows = session.execute(
        select(Photo.id, Photo.kind, Photo.sha256, BlobHolder.sha256.label("blob"))
        .outerjoin(BlobHolder, shown_by_author())
        .where(
            Photo.ticket_id == ticket_id,
            Photo.for_reporter.is_(True),
            Photo.kind.in_(REPORTER_KINDS),
        )
        .order_by(Photo.created_at, Photo.id)
    ).all()
    photos = [PublicPhoto(r.id, r.kind, r.sha256, r.blob is not None) for r in rows]
    return sorted(photos, key=lambda p: REPORTER_KINDS.index(p.kind))


def photo_url(public_url: str, photo_id: str) -> str:
    """Where anyone can fetch the public copy (resized, no EXIF) of a photo."""
    return f"{public_url}/public/photos/{photo_id}.jpg"


def status_page_url(public_url: str, ticket_id: str) -> str:
    return f"{public_url}/requests/{ticket_id}"


@dataclass(frozen=True)
class Step:
    """One step of a request's public timeline: what happened and when (never who)."""

    words: str
    at: datetime


def timeline(session: Session, ticket_id: str) -> list[Step]:
    """Creation and status moves, oldest first, without the people who made them."""
    rows = session.execute(
        select(AuditEvent.field, AuditEvent.new, AuditEvent.at)
        .where(AuditEvent.ticket_id == ticket_id, AuditEvent.field.in_(("created", "status")))
        .order_by(AuditEvent.id)
    ).all()
    steps = []
    for field, new, at in rows:
        if field == "created":
            steps.append(Step("Reported", at))
        else:
            status = orjson.loads(new) if new else ""
            steps.append(Step(status_words(str(status)), at))
    return steps


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(at: datetime | None, tz: ZoneInfo) -> str:
    """A date and time as a person reads it, e.g. '24 Nov 2026, 14:05'."""
    if at is None:
        return ""
    local = at.astimezone(tz)
    return f"{local.day} {local:%b %Y, %H:%M}"
