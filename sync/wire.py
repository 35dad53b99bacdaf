"""The wire schema between devices and the case server.

Every request and answer body of the sync API is described here, once, and used
by both ends: the server validates with these models, the device builds its
requests from them. Pydantic only; no I/O, no Qt.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

API_PREFIX = "/api/v1"
#: Header of the answer to the tus PATCH that finished a photo upload: the SHA-256 the server
#: checked and stored the photo under (its answer is the confirmation; no GET /blobs needed).
PHOTO_STORED_HEADER = "Photo-Stored"

#: Largest number of operations one push may carry.
MAX_OPS_PER_PUSH = 500
#: Largest page the change feed hands out.
MAX_FEED_PAGE = 5000
DEFAULT_FEED_PAGE = 2000
#: Longest free text (description, notes, resolution note).
MAX_TEXT = 4000


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored as text, or None: NUL characters and lone UTF-16
    surrogates (which JSON can carry as "\\ud800" but no UTF-8 database column can hold)."""
    if "\x00" in text:
        return "text must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text must be valid Unicode (it contains a lone surrogate such as \\ud800)"
    return None


def _check_strings(value: Any) -> None:
    """Raise ValueError for the first string inside `value` (nested lists and dicts too) that
    cannot be stored as text."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_strings(item)


class Strict(BaseModel):
    """Request bodies refuse unknown fields, text that cannot be stored (NUL, lone
    surrogates) and times outside the calendar."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _clean(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name in ("base", "value"):
            return value  # free-form edit values are checked per field by the server
        _check_strings(value)
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("time needs a UTC offset, e.g. 2026-05-01T08:00:00Z")
            try:
                return value.astimezone(UTC)
            except OverflowError as exc:
                raise ValueError("time out of range") from exc
        return value


Outcome = Literal["applied", "merged", "conflict", "rejected"]
OpKind = Literal["set", "note", "resolve", "photo", "record"]
PhotoKind = Literal["before", "after", "other"]
#: Largest photo the server stores, in bytes (the device downscales well below this).
MAX_PHOTO_BYTES = 25 * 1024 * 1024
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class Position(Strict):
    """Where the device was when it made an edit or took a photo."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    #: Horizontal accuracy in metres, when the source reports one.
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    #: When the fix was taken (device clock).
    fixed_at: datetime | None = None


class PhotoMeta(Strict):
    """What a device says about a photo it attached (the value of a 'photo' op).

    The photo's id is the op id; its bytes follow separately through the resumable
    upload endpoint, identified by `sha256`.
    """

    kind: PhotoKind
    caption: str = Field(default="", max_length=500)
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: int = Field(ge=1, le=MAX_PHOTO_BYTES)
    content_type: Literal["image/jpeg"] = "image/jpeg"
    width: int = Field(ge=1, le=20_000)
    height: int = Field(ge=1, le=20_000)
    taken_at: datetime | None = None
    position: Position | None = None
    #: Whether the reporter may see this photo (public copy, email).
    for_reporter: bool = True


class Op(Strict):
    """One edit made on a device.

    kind 'set' changes `field` from `base` (the value the device saw) to `value`;
    kind 'note' appends the note `value` (its id is the op id);
    kind 'resolve' settles conflict `conflict_id`, keeping `value` ('mine' or
    'theirs'); for 'mine', `base` is the standing value the user saw;
    kind 'photo' attaches the photo described by `value` (a PhotoMeta; its id is
    the op id). Photos, like notes, are append-only and never conflict;
    kind 'record' adds a work record (`value` a sync.workrecord.WorkRecordValue; its id is
    the op id), append-only like notes.
    `position` is where the device was when the edit was made, when known.
    """

    op_id: UUID
    ticket_id: UUID
    kind: OpKind
    field: str | None = Field(default=None, max_length=40)
    base: Any = None
    value: Any = None
    conflict_id: UUID | None = None
    device_time: datetime
    device_id: UUID | None = None
    #: The ticket version the device showed when the edit was made.
    ticket_version: int | None = None
    position: Position | None = None


class PushRequest(Strict):
    ops: list[Op] = Field(max_length=MAX_OPS_PER_PUSH)


class ConflictTicket(BaseModel):
    """Enough of a conflict's ticket to understand it where the ticket is not on the device."""

    service_code: str
    address: str
    #: The crew that has the ticket now (None: the unassigned queue).
    assigned_crew: str | None = None
    status: str
    version: int


class ConflictDoc(BaseModel):
    """Both sides of an edit that could not simply be applied. Never discarded.

    It reaches its audience through the feed whatever the ticket's scope; `standing`
    is the field's value now, `ticket` what the ticket is now.
    """

    id: UUID
    ticket_id: UUID
    field: str
    base: Any = None
    mine: Any = None
    theirs: Any = None
    standing: Any = None
    audience: Literal["crew", "supervisor", "office"]
    audience_crew: str | None = None
    author: str
    author_crew: str | None = None
    reason: str
    status: Literal["open", "resolved"]
    resolution: str | None = None
    created_at: datetime
    op_id: UUID | None = None
    resolved_by: str | None = None
    ticket: ConflictTicket | None = None


class OpResult(BaseModel):
    op_id: UUID
    outcome: Outcome
    code: int | None = None
    reason: str | None = None
    ticket_version: int | None = None
    conflict: ConflictDoc | None = None


class PushResponse(BaseModel):
    results: list[OpResult]


class NoteDoc(BaseModel):
    id: UUID
    author: str
    text: str
    device_time: datetime | None = None
    created_at: datetime


class EventDoc(BaseModel):
    at: datetime
    actor: str
    field: str
    old: Any = None
    new: Any = None
    position: Position | None = None
    #: Why the field moved when it was not the actor's own edit (e.g. a status moved by unassigning).
    reason: str | None = None


class PhotoDoc(BaseModel):
    """A photo attached to a ticket, as every device in scope sees it."""

    id: UUID
    author: str
    kind: PhotoKind
    caption: str = ""
    sha256: str
    size: int
    width: int
    height: int
    taken_at: datetime | None = None
    position: Position | None = None
    for_reporter: bool = True
    created_at: datetime


class DuplicateHint(BaseModel):
    """An open ticket of the same service found close by when one of the two arrived."""

    id: UUID
    distance_m: float
    address: str


class WorkRecordDoc(BaseModel):
    """A record as devices see it."""

    id: str
    type: Literal["time", "material", "check"]
    time_kind: Literal["travel", "on_site"] | None = None
    minutes: int | None = None
    material: str | None = None
    quantity: float | None = None
    item: str | None = None
    done: bool | None = None
    author: str
    device_time: datetime | None = None
    created_at: datetime | None = None


class TicketDoc(BaseModel):
    """A ticket as devices see it: everything but the reporter's contact."""

    id: UUID
    service_code: str
    description: str
    address: str
    lat: float
    lon: float
    priority: int
    status: str
    assigned_crew: str | None = None
    due_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int
    resolution_code: str | None = None
    resolution_note: str | None = None
    notes: list[NoteDoc] = []
    events: list[EventDoc] = []
    photos: list[PhotoDoc] = []
    #: The ticket this one was merged into (closed with resolution `duplicate`).
    duplicate_of: UUID | None = None
    possible_duplicates: list[DuplicateHint] = []
    #: The work record: time corrections, materials, checklist ticks (sync.workrecord).
    work: list[WorkRecordDoc] = []


class FeedPage(BaseModel):
    """One page of the change feed after `cursor`.

    `tickets` carry full current state; `revoked` lists tickets that left the
    caller's scope; `conflicts` are the conflicts addressed to the caller that were
    recorded or changed (settled, or their ticket changed), whatever the ticket's
    scope. `digest` and `count` describe the caller's whole scope (tickets only) and
    come with the last page (`more` false).
    """

    cursor: int
    more: bool
    tickets: list[TicketDoc]
    revoked: list[UUID]
    conflicts: list[ConflictDoc]
    digest: str | None = None
    count: int | None = None


class TicketCreate(Strict):
    """A new ticket logged by the office or dispatch (phone call, walk-in, Open311)."""

    service_code: str = Field(max_length=40)
    description: str = Field(min_length=1, max_length=MAX_TEXT)
    address: str = Field(min_length=1, max_length=300)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    priority: int | None = Field(default=None, ge=1, le=5)
    due_at: datetime | None = None
    assigned_crew: str | None = Field(default=None, max_length=40)
    reporter_name: str | None = Field(default=None, max_length=120)
    reporter_email: str | None = Field(default=None, max_length=254)
    reporter_phone: str | None = Field(default=None, max_length=40)
    #: How the reporter wants to hear back about the outcome.
    reporter_notify: Literal["email", "none"] = "email"
    #: The reporter's language for messages: fi, sv or en; None: the city's default.
    reporter_locale: Literal["fi", "sv", "en"] | None = None


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)
    device_name: str = Field(default="device", max_length=120)
    device_id: UUID | None = None


class UserDoc(BaseModel):
    username: str
    display_name: str
    role: Literal["crew", "supervisor", "admin"]
    crew: str | None = None
    crews: list[str] = []


class LoginResponse(BaseModel):
    token: str
    expires_at: datetime
    device_id: UUID
    user: UserDoc


class CrewDoc(BaseModel):
    code: str
    name: str
    members: list[str]
    #: Service codes the crew handles; empty: every service.
    services: list[str] = []


class PositionSharing(Strict):
    """A device turned position sharing on or off (`changed_at`: when, on its clock)."""

    enabled: bool
    changed_at: datetime | None = None


class PositionReport(Strict):
    """Where a crew device last was (sent at each sync while it shares its position)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    fixed_at: datetime


class CrewPositionDoc(BaseModel):
    """A crew device's last shared position, as its supervisors see it."""

    crew: str
    user: str
    device: str
    lat: float
    lon: float
    accuracy_m: float | None = None
    fixed_at: datetime


class ErrorDoc(BaseModel):
    detail: str


#: A digest is the sum, modulo 2**64, of ticket_hash over a set of tickets: sums can
#: be kept up to date one ticket at a time and added across crews, and SQLite can
#: compute them with SUM() over an index.
DIGEST_MOD = 2**64


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 (hex) of a file: how device and server name a photo's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def ticket_hash(ticket_id: str, version: int) -> int:
    """40-bit hash of one (ticket, version) pair (small enough for SQLite's SUM)."""
    raw = hashlib.sha256(f"{ticket_id}:{version}".encode()).digest()
    return int.from_bytes(raw[:5], "big")


def digest_hex(value: int) -> str:
    return f"{value % DIGEST_MOD:016x}"
