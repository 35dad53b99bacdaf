"""Database tables of the case server (SQLAlchemy 2, typed declarative)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored and returned as UTC-aware datetimes on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Crew(Base):
    __tablename__ = "crews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Service codes the crew handles (JSON list); empty: every service.
    services: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SupervisedCrew(Base):
    __tablename__ = "supervised_crews"
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    crew_id: Mapped[int] = mapped_column(ForeignKey("crews.id"), primary_key=True)


class Device(Base):
    """A signed-in device. Its bearer token is stored only as a SHA-256 hash."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Whether the device shares its position (opt-in on the device, off by default).
    shares_position: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class Ticket(Base):
    __tablename__ = "tickets"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    assigned_crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    resolution_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    resolution_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    reporter_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    reporter_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    reporter_phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: How the reporter wants to hear back: 'email' or 'none'.
    reporter_notify: Mapped[str] = mapped_column(String(10), default="email", server_default="email")
    #: The reporter's language for messages and pages: 'fi', 'sv' or 'en'; None: the city's default.
    reporter_locale: Mapped[str | None] = mapped_column(String(5), nullable=True)
    #: The reporter's answer to "is it fixed?": 'fixed' or 'not_fixed', and when.
    satisfaction: Mapped[str | None] = mapped_column(String(12), nullable=True)
    satisfaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: When the reporter last said the problem is still there (the ticket was reopened).
    reopened_by_reporter_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The earlier ticket this one follows up ("not fixed" after the reopening period).
    follow_up_of: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: Where the ticket came from: 'office' (dispatch, phone, walk-in) or 'open311'.
    source: Mapped[str] = mapped_column(String(20), default="office", server_default="office")
    #: Position in the change feed; allocated at commit under the feed lock.
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The ticket as devices see it (JSON of sync.wire.TicketDoc), kept current on every write.
    doc: Mapped[str] = mapped_column(Text, default="")
    #: The ticket this one was merged into (it is then closed as a duplicate).
    duplicate_of: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: Open tickets of the same service found close by on arrival (JSON list of sync.wire.DuplicateHint).
    possible_duplicates: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")

    __table_args__ = (
        Index("ix_tickets_seq", "seq"),
        Index("ix_tickets_crew_seq", "assigned_crew_id", "seq"),
        # The duplicate check: tickets of one service within a band of latitude.
        Index("ix_tickets_service_lat", "service_code", "lat"),
        Index("ix_tickets_duplicate_of", "duplicate_of"),
    )


class Note(Base):
    """Append-only; the id is the device's op id, so a replay is not added twice."""

    __tablename__ = "notes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """One change to one field: who, from which device, when, old and new. Append-only."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    op_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    new: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The ticket's version right after this change.
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Where the device was when the change was made, when it knew.
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: Why the field moved when it was not the actor's own edit (a status moved by an assignment).
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Conflict(Base):
    """Both sides of an edit that could not simply be applied, for its audience to settle.

    A conflict travels through the feed on its own positions (`seq`, taken from the
    feed counter like ticket changes), to its audience whatever the ticket's scope.
    """

    __tablename__ = "conflicts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    op_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    field: Mapped[str] = mapped_column(String(40))
    base: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    mine: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    theirs: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    standing: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    audience: Mapped[str] = mapped_column(String(20))
    audience_crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"), nullable=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    resolution: Mapped[str | None] = mapped_column(String(20), nullable=True)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The crew that had the ticket when the conflict was recorded (its supervisors see it).
    ticket_crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"), nullable=True)
    #: Position in the change feed; a new one whenever the conflict or its ticket changes.
    seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    __table_args__ = (Index("ix_conflicts_seq", "seq"),)


class Revocation(Base):
    """A ticket left a crew's scope (crew NULL: it left the unassigned queue)."""

    __tablename__ = "revocations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"))
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"), nullable=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (Index("ix_revocations_crew_seq", "crew_id", "seq"),)


class AppliedOp(Base):
    """The answer given to each op, so a replayed op gets the same answer and no effect."""

    __tablename__ = "applied_ops"
    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: Who sent the op: only they get its stored answer back (None for ops answered before 0003).
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: SHA-256 of the op's canonical content: a replay must carry the same content.
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ticket_id: Mapped[str] = mapped_column(String(36))
    result: Mapped[str] = mapped_column(Text)  # JSON of sync.wire.OpResult
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedCounter(Base):
    """The last feed position handed out. Its row lock orders commits (see feed.py)."""

    __tablename__ = "feed_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class ScopeDigest(Base):
    """Digest (sync.wire) of (id, version) over the tickets of one crew ('' = unassigned)."""

    __tablename__ = "scope_digests"
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    digest: Mapped[str] = mapped_column(String(32), default="0" * 16)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Photo(Base):
    """A photo attached to a ticket. Append-only; the id is the device's op id.

    The row arrives with record sync; the bytes arrive separately (resumable upload)
    and live in the blob store under `sha256`.
    """

    __tablename__ = "photos"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    kind: Mapped[str] = mapped_column(String(10))  # before | after | other
    caption: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    for_reporter: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Blob(Base):
    """Bytes in the content-addressed blob store, stored once whoever uploads them."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(60))
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BlobHolder(Base):
    """A user who has shown they hold a blob's bytes, by uploading them.

    Blobs are stored once whoever uploads them, so knowing a hash must never be enough
    to read the bytes: a photo's bytes are served only when the photo's author holds
    them, and `GET /blobs/{sha256}` answers only a holder or someone who sees such a
    photo (see photos_api.py).
    """

    __tablename__ = "blob_holders"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Upload(Base):
    """An unfinished (or just finished) tus upload of a photo's bytes, shared by every server process.

    The bytes are parts in the blob store (caseserver.blobstore.part_key); `parts` lists,
    as JSON ``[[start, end, token], ...]``, the ones that count. A request moves
    `received` (the tus offset) only from the value it read (caseserver.uploadstate), so two requests for
    one upload on two processes can never both append.
    """

    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    photo_id: Mapped[str] = mapped_column(String(36))
    upload_metadata: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger)
    parts: Mapped[str] = mapped_column(Text)
    #: While a request is taking bytes for the upload: until when (renewed as bytes come).
    receiving_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Notification(Base):
    """One message owed to a reporter: sent by a background worker, retried with backoff.

    `key` makes it once per cause (for example 'resolved:<ticket>:<version>'), so a
    replayed push or a second server process never queues a second email.
    """

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    #: Whose reporter is told, when not the ticket's own: a duplicate merged into `ticket_id`.
    reporter_ticket_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: The public stage told (caseserver.reporterstages); None in rows from before stages: 'resolved'.
    stage: Mapped[str | None] = mapped_column(String(20), nullable=True)
    channel: Mapped[str] = mapped_column(String(20), default="email")
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | sent | skipped | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)


class ReporterContact(Base):
    """When a reporter (known by their ticket) was last sent a message, and whether one is on its way.

    Every sending server process locks this row before it decides, so the least gap
    between two messages holds across processes.
    """

    __tablename__ = "reporter_contacts"
    reporter_ticket_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: A process is sending to this reporter until then (a lease, like a claimed notification's).
    sending_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ServerSecret(Base):
    """Secrets every server process shares, made on first use (the key that signs reporters' links)."""

    __tablename__ = "server_secrets"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class UsedLink(Base):
    """Single-use links already used (by their nonce)."""

    __tablename__ = "used_links"
    nonce: Mapped[str] = mapped_column(String(40), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThrottleCount(Base):
    """Recent failed sign-ins (or anonymous Open311 posts) of one user name or client address.

    `key` is the kind and a SHA-256 of the name or address (see caseserver.throttle), so
    neither is stored as such. Kept in the database so every server process sees it.
    """

    __tablename__ = "throttle_counts"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_throttle_counts_last_at", "last_at"),)


class Escalation(Base):
    """An escalation raised for a ticket that passed its rule's time without progress.

    One per ticket and due time (`due_key`: the due time it was raised for), so it is raised
    once whichever server process sees it first; a new due time may escalate again.
    """

    __tablename__ = "escalations"
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    due_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    rule: Mapped[str] = mapped_column(String(200))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoutingRule(Base):
    """Where a new ticket goes on arrival: the first rule (by `position`) matching its service
    and place assigns it to the rule's crew, and the ticket's history names the rule."""

    __tablename__ = "routing_rules"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    crew_id: Mapped[int] = mapped_column(ForeignKey("crews.id"))
    #: Service codes (JSON list); empty: every service.
    services: Mapped[str] = mapped_column(Text, default="[]")
    #: The district, a GeoJSON Polygon or MultiPolygon; None: anywhere.
    area: Mapped[str | None] = mapped_column(Text, nullable=True)


class WorkRecord(Base):
    """One record of the work done on a ticket (sync.workrecord). Append-only; the id is the
    device's op id, so a replay is not added twice."""

    __tablename__ = "work_records"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: The crew the work counts for: the author's, or the ticket's for someone without a crew.
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crews.id"), nullable=True)
    type: Mapped[str] = mapped_column(String(10))  # time | material | check
    time_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    material: Mapped[str | None] = mapped_column(String(40), nullable=True)
    quantity: Mapped[float | None] = mapped_column(Float, nullable=True)
    item: Mapped[str | None] = mapped_column(String(40), nullable=True)
    done: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_work_records_crew_time", "crew_id", "device_time"),)


class DevicePosition(Base):
    """The last position a crew device shared; removed when it stops sharing."""

    __tablename__ = "device_positions"
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    crew_id: Mapped[int] = mapped_column(ForeignKey("crews.id"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    fixed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SharingChange(Base):
    """The audit of position sharing: a device turned it on or off. Append-only."""

    __tablename__ = "position_sharing_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enabled: Mapped[bool] = mapped_column(Boolean)
    #: When the user turned it on or off (device clock); `at` is when the server heard.
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
