"""Who may read which photo bytes: knowing a hash is never enough.

The blob store keeps each distinct file once, whoever uploads it, under its SHA-256.
So a photo record only points at bytes; it does not prove its author has them. The
rules:

- A user *holds* a blob once they uploaded its bytes themselves (`blob_holders`, written
  when an upload is kept, also when the same bytes were already stored).
- A photo's bytes are *shown* when its author holds them. Only shown photos are served
  (originals, thumbnails, public copies, reporter emails, Open311 media). A photo record
  claiming someone else's bytes stays "not uploaded yet" until its author uploads them.
- `GET /blobs/{sha256}` confirms a blob only to a holder, or to a caller who sees a shown
  photo with those bytes; to anyone else it answers exactly as for a missing blob.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from caseserver.auth import Caller
from caseserver.changes import insert_new
from caseserver.models import BlobHolder, Photo, Ticket, utcnow


def record_holder(session: Session, sha256: str, user_id: int) -> None:
    """`user_id` has uploaded these bytes (a second time changes nothing)."""
    insert_new(
        session,
        BlobHolder,
        ("sha256", "user_id"),
        [{"sha256": sha256, "user_id": user_id, "since": utcnow()}],
    )


def shown_by_author() -> Any:
    """SQL condition, joined on Photo: the photo's author holds its bytes."""
    return and_(BlobHolder.sha256 == Photo.sha256, BlobHolder.user_id == Photo.author_id)


def photo_is_shown(session: Session, photo: Photo) -> bool:
    """Whether the photo's author has uploaded its bytes (so they are stored and may be served)."""
    return session.get(BlobHolder, (photo.sha256, photo.author_id)) is not None


def may_read_blob(session: Session, sha256: str, caller: Caller) -> bool:
    """A holder of the bytes, or someone who sees a shown photo made of them."""
    if session.get(BlobHolder, (sha256, caller.user_id)) is not None:
        return True
    crews = select(Photo.ticket_id, Ticket.assigned_crew_id).join(Ticket, Ticket.id == Photo.ticket_id)
    rows = session.execute(crews.where(Photo.sha256 == sha256, exists().where(shown_by_author()))).all()
    return any(caller.sees_crew(crew_id) for _, crew_id in rows)
