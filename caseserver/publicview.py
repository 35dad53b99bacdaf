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
from caseserver.publicwords import PAGE, local_time, resolution_words, service_words, status_words
from caseserver.services import BY_CODE

__all__ = ["local_time", "status_words"]

#: Statuses in which the city's work on a request is over (Open311 'closed').
FINISHED: frozenset[str] = frozenset({"resolved", "closed", "cancelled"})

#: The history entry of a reporter saying the problem is still there.
NOT_FIXED = "not_fixed"

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


def service_name(code: str, lang: str = "en") -> str:
    service = BY_CODE.get(code)
    english = service.name if service else code.replace("_", " ").capitalize()
    return service_words(code, english, lang)


def outcome_words(ticket: Ticket, lang: str = "en") -> str | None:
    """The outcome in plain words (resolution code and note), or None before there is one."""
    parts = []
    if ticket.status == "cancelled":
        parts.append(resolution_words("cancelled", lang))
    if ticket.resolution_code:
        parts.append(resolution_words(ticket.resolution_code, lang))
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


def timeline(session: Session, ticket_id: str, lang: str = "en") -> list[Step]:
    """Creation and status moves, oldest first, without the people who made them."""
    rows = session.execute(
        select(AuditEvent.field, AuditEvent.new, AuditEvent.at)
        .where(AuditEvent.ticket_id == ticket_id, AuditEvent.field.in_(("created", "status", NOT_FIXED)))
        .order_by(AuditEvent.id)
    ).all()
    steps = []
    for field, new, at in rows:
        if field == "created":
            steps.append(Step(PAGE[lang]["reported"], at))
        elif field == NOT_FIXED:
            steps.append(Step(PAGE[lang]["reopened"], at))
        else:
            status = orjson.loads(new) if new else ""
            steps.append(Step(status_words(str(status), lang), at))
    return steps


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
