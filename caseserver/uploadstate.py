"""Where each tus upload stands, in the database every server process shares.

A row per upload (caseserver.models.Upload): its owner, the photo it carries, its length,
how many bytes arrived (`received`, the tus offset) and the parts of the blob store that
hold them. Each change is one conditional UPDATE on the value the request read, so an
upload can be continued through any process, and two requests racing for the same
bytes cannot both count theirs: the loser learns it and removes its part. While a request
takes bytes it holds the upload (`receiving_until`, renewed as bytes come): a HEAD or
PATCH elsewhere waits for it, so a device reconnecting at once after a cut is told the
offset with every byte that arrived.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import delete, or_, select, update

from caseserver.db import Database
from caseserver.models import Upload

#: An unfinished upload may be resumed for this many days.
UPLOAD_DAYS = 7
#: A request taking an upload's bytes holds it this long, renewed while bytes keep coming.
#: Others asking where the upload stands wait for it (at most this long), so a device that
#: reconnects at once after a cut learns the offset with the bytes that arrived before it.
RECEIVING = timedelta(seconds=10)


@dataclass(frozen=True)
class Part:
    start: int
    end: int
    token: str


@dataclass(frozen=True)
class UploadState:
    id: str
    owner_id: int
    sha256: str
    length: int
    received: int
    parts: tuple[Part, ...]
    expires_at: datetime
    receiving_until: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at < now

    def receiving(self, now: datetime) -> bool:
        """A request is taking bytes for it (its offset may be about to move)."""
        return self.receiving_until is not None and self.receiving_until > now


def create(
    database: Database, owner_id: int, metadata: dict[str, str], length: int, now: datetime | None = None
) -> UploadState:
    now = now or datetime.now(UTC)
    row = Upload(
        id=uuid.uuid4().hex,
        owner_id=owner_id,
        sha256=metadata["sha256"],
        photo_id=metadata["photo_id"],
        upload_metadata=orjson.dumps(metadata).decode(),
        length=length,
        received=0,
        parts="[]",
        finished_at=None,
        created_at=now,
        expires_at=now + timedelta(days=UPLOAD_DAYS),
    )
    with database.write() as session:
        session.add(row)
        session.flush()
        return _state(row)


def load(database: Database, upload_id: str) -> UploadState | None:
    with database.read() as session:
        row = session.get(Upload, upload_id)
        return _state(row) if row is not None else None


def claim(database: Database, upload: UploadState, now: datetime | None = None) -> bool:
    """Hold the upload while this request takes bytes at its offset; False when another does."""
    now = now or datetime.now(UTC)
    with database.write() as session:
        held = session.execute(
            update(Upload)
            .where(
                Upload.id == upload.id,
                Upload.received == upload.received,
                Upload.finished_at.is_(None),
                or_(Upload.receiving_until.is_(None), Upload.receiving_until <= now),
            )
            .values(receiving_until=now + RECEIVING)
            .returning(Upload.id)
        ).first()
    return held is not None


def renew(database: Database, upload: UploadState, now: datetime | None = None) -> None:
    """Bytes are still coming: hold the upload a while longer."""
    with database.write() as session:
        session.execute(
            update(Upload)
            .where(Upload.id == upload.id, Upload.received == upload.received)
            .values(receiving_until=(now or datetime.now(UTC)) + RECEIVING)
        )


def release(database: Database, upload: UploadState) -> None:
    """The request took nothing it keeps: others need not wait for it."""
    with database.write() as session:
        session.execute(
            update(Upload)
            .where(Upload.id == upload.id, Upload.received == upload.received)
            .values(receiving_until=None)
        )


def append(database: Database, upload: UploadState, part: Part) -> bool:
    """Count `part` (the bytes after `upload.received`); False when another request moved first."""
    return _move(database, upload, (*upload.parts, part), part.end)


def set_back(database: Database, upload: UploadState, part: Part) -> bool:
    """Count `part` all but its last byte: a completion that failed leaves the upload unfinished,
    and the client's retry of that byte runs the completion again."""
    shorter = Part(part.start, part.end - 1, part.token)
    parts = upload.parts + ((shorter,) if shorter.end > shorter.start else ())
    return _move(database, upload, parts, part.end - 1)


def finish(database: Database, upload: UploadState, now: datetime | None = None) -> None:
    """The bytes are stored: the upload is finished (HEAD says so) and holds no parts."""
    with database.write() as session:
        session.execute(
            update(Upload)
            .where(Upload.id == upload.id)
            .values(
                received=upload.length, parts="[]", receiving_until=None, finished_at=now or datetime.now(UTC)
            )
        )


def expire(database: Database, upload_id: str, now: datetime | None = None) -> None:
    """End the upload now (HEAD and PATCH answer 410); the sweep removes it."""
    with database.write() as session:
        session.execute(
            update(Upload)
            .where(Upload.id == upload_id)
            .values(expires_at=now or datetime.now(UTC), receiving_until=None)
        )


def remove(database: Database, upload_id: str) -> None:
    with database.write() as session:
        session.execute(delete(Upload).where(Upload.id == upload_id))


def expired_ids(database: Database, now: datetime) -> list[str]:
    with database.read() as session:
        return list(session.scalars(select(Upload.id).where(Upload.expires_at < now)))


def _move(database: Database, upload: UploadState, parts: tuple[Part, ...], received: int) -> bool:
    encoded = orjson.dumps([[p.start, p.end, p.token] for p in parts]).decode()
    with database.write() as session:
        moved = session.execute(
            update(Upload)
            .where(Upload.id == upload.id, Upload.received == upload.received, Upload.finished_at.is_(None))
            .values(received=received, parts=encoded, receiving_until=None)
            .returning(Upload.id)
        ).first()
    return moved is not None


def _state(row: Upload) -> UploadState:
    return UploadState(
        id=row.id,
        owner_id=row.owner_id,
        sha256=row.sha256,
        length=row.length,
        received=row.received,
        parts=tuple(Part(int(s), int(e), str(t)) for s, e, t in orjson.loads(row.parts)),
        expires_at=row.expires_at,
        receiving_until=row.receiving_until,
    )
