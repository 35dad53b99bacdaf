"""Changing tickets inside one write transaction, and publishing them to the feed.

A `ChangeSet` locks the tickets it will touch, applies field changes with their
side effects and audit events, and on `publish()`:

1. updates the device document of every touched ticket (from memory),
2. updates the per-crew scope digests,
3. takes the next feed positions from the feed counter *last*, under its row lock:
   for the touched tickets, the revocations, and the conflicts recorded or settled
   here plus the open conflicts of the touched tickets (so what a conflict says
   about its ticket stays current on its audience's devices).

Because the counter row stays locked until commit, a transaction can only take
positions after every earlier holder has committed: feed positions become
visible in order, so a reader that has seen position N has seen everything
below N, and the feed never skips a change that commits late. Lock order is
always tickets (by id), then scope digests (by scope), then the counter, so
concurrent writers cannot deadlock. (The digest row of a crew is also held to
commit, so writes within one crew already queue there; the counter orders
writes across crews.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from caseserver.auth import Caller
from caseserver.fields import iso
from caseserver.models import (
    AuditEvent,
    Conflict,
    Crew,
    FeedCounter,
    Note,
    Notification,
    Photo,
    Revocation,
    ScopeDigest,
    Ticket,
    User,
    WorkRecord,
    utcnow,
)
from caseserver.stagequeue import owed_messages, public_stage
from sync.wire import PhotoMeta, Position, digest_hex, ticket_hash
from sync.workflow import Status, status_after_assignment
from sync.workrecord import WorkRecordValue

_CHUNK = 500


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def loads(raw: str | None) -> Any:
    return None if raw is None else orjson.loads(raw)


class Crews:
    """Crew ids and codes, loaded once per transaction."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(Crew.id, Crew.code)).all()
        self.code_by_id: dict[int, str] = {r.id: r.code for r in rows}
        self.id_by_code: dict[str, int] = {r.code: r.id for r in rows}

    def code(self, crew_id: int | None) -> str | None:
        return None if crew_id is None else self.code_by_id[crew_id]


@dataclass(frozen=True)
class _Seen:
    """An audit event, as much of it as the merge rules need."""

    field: str
    role: str
    actor_id: int | None
    new: str | None
    version: int


_TICKETS = Ticket.__table__
TICKET_COLUMNS: tuple[str, ...] = tuple(c.name for c in _TICKETS.columns)


class TicketRow:
    """A ticket row held for one write transaction.

    Loaded and locked with one Core SELECT, changed in memory by the ChangeSet and
    written back by publish() with one executemany: a batch of a thousand edits pays
    for no per-object ORM bookkeeping.
    """

    __slots__ = (*TICKET_COLUMNS, "is_new")

    def __init__(self, values: Any, *, is_new: bool = False) -> None:
        for name in TICKET_COLUMNS:
            setattr(self, name, values.get(name))
        self.is_new = is_new

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in TICKET_COLUMNS}

    # Declared for type checkers; the slots above hold them.
    id: str
    service_code: str
    description: str
    address: str
    lat: float
    lon: float
    priority: int
    status: str
    assigned_crew_id: int | None
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    resolution_code: str | None
    resolution_note: str | None
    reporter_name: str | None
    reporter_email: str | None
    reporter_phone: str | None
    reporter_notify: str
    source: str
    seq: int
    doc: str
    duplicate_of: str | None
    possible_duplicates: str


def field_value(ticket: Any, field: str, crews: Crews) -> Any:
    """A ticket field's value in canonical wire form (a TicketRow or a Ticket row)."""
    if field == "assigned_crew":
        return crews.code(ticket.assigned_crew_id)
    if field == "location":
        return [round(ticket.lat, 7), round(ticket.lon, 7)]
    if field == "due_at":
        return iso(ticket.due_at)
    return getattr(ticket, field)


def scope_key(crew_id: int | None) -> str:
    return "" if crew_id is None else str(crew_id)


class ChangeSet:
    def __init__(self, session: Session, crews: Crews | None = None) -> None:
        self.session = session
        self.crews = crews or Crews(session)
        self.now = utcnow()
        self._touched: dict[str, TicketRow] = {}
        #: Every ticket locked by this change set.
        self._locked: dict[str, TicketRow] = {}
        #: (crew, version) of each touched ticket before this transaction; None if new.
        self._before: dict[str, tuple[int | None, int] | None] = {}
        self._revoked: list[Revocation] = []
        #: Rows written in bulk by publish(), after the ticket rows they refer to.
        self._audit_rows: list[dict[str, Any]] = []
        self._note_rows: list[dict[str, Any]] = []
        self._photo_rows: list[dict[str, Any]] = []
        self._work_rows: list[dict[str, Any]] = []
        #: The public stage (reporterstages) of each locked ticket before this change set; None: new.
        self._stages_before: dict[str, str | None] = {}
        #: The audit trail of each locked ticket, oldest first, kept current in memory so
        #: the merge rules never query (or flush) per op.
        self._history: dict[str, list[_Seen]] = {}
        #: Ids of notes known to exist among those asked about, plus notes added here.
        self._notes: set[str] = set()
        self._notes_added = 0
        #: Likewise for photos.
        self._photos: set[str] = set()
        #: Likewise for work records.
        self._records: set[str] = set()
        #: Conflicts recorded or changed here, with their tickets; they get feed positions.
        self._conflicts: dict[str, tuple[Conflict, TicketRow]] = {}

    # -- reading -------------------------------------------------------------
    def lock(self, ticket_ids: Iterable[str]) -> dict[str, TicketRow]:
        """Load and row-lock tickets (in id order, to avoid deadlocks)."""
        ids = sorted(set(ticket_ids))
        found: dict[str, TicketRow] = {}
        connection = self.session.connection()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            stmt = select(_TICKETS).where(_TICKETS.c.id.in_(chunk)).order_by(_TICKETS.c.id).with_for_update()
            for row in connection.execute(stmt).mappings():
                ticket = TicketRow(row)
                found[ticket.id] = ticket
                self._stages_before.setdefault(ticket.id, public_stage(ticket))
                self._history[ticket.id] = []
            trail = (
                select(
                    AuditEvent.ticket_id,
                    AuditEvent.field,
                    AuditEvent.actor_role,
                    AuditEvent.actor_id,
                    AuditEvent.new,
                    AuditEvent.version,
                )
                .where(AuditEvent.ticket_id.in_(chunk))
                .order_by(AuditEvent.id)
            )
            for tid, *seen in connection.execute(trail):
                self._history[tid].append(_Seen(*seen))
        self._locked.update(found)
        # Time the change after the wait for the locks, never before the last version.
        self.now = max([utcnow(), *(t.updated_at for t in found.values())])
        return found

    def current(self, ticket: TicketRow, field: str) -> Any:
        """A ticket field's value in canonical wire form."""
        return field_value(ticket, field, self.crews)

    def preload_notes(self, note_ids: Iterable[str]) -> None:
        """Learn which of these notes exist already (one query for a whole batch)."""
        self._preload(Note, note_ids, self._notes)

    def preload_photos(self, photo_ids: Iterable[str]) -> None:
        """Learn which of these photos exist already (one query for a whole batch)."""
        self._preload(Photo, photo_ids, self._photos)

    def preload_records(self, record_ids: Iterable[str]) -> None:
        self._preload(WorkRecord, record_ids, self._records)

    def _preload(
        self, model: type[Note] | type[Photo] | type[WorkRecord], ids: Iterable[str], known: set[str]
    ) -> None:
        wanted = list(ids)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            known.update(self.session.scalars(select(model.id).where(model.id.in_(chunk))))

    def last_writer(self, ticket_id: str, field: str) -> tuple[str, int | None] | None:
        """(role, user id) of whoever last set `field` of a locked ticket."""
        for seen in reversed(self._history.get(ticket_id, [])):
            if seen.field == field:
                return seen.role, seen.actor_id
        return None

    def crew_changed_status_since(self, ticket_id: str, version: int) -> str | None:
        """The status a crew set after ticket version `version`, if one did."""
        for seen in reversed(self._history.get(ticket_id, [])):
            if seen.field == "status" and seen.role == "crew" and seen.version > version:
                return str(loads(seen.new))
        return None

    def was_assigned_to(self, ticket_id: str, crew_code: str) -> bool:
        """Whether a locked ticket was ever assigned to this crew."""
        wanted = dumps(crew_code)
        return any(s.field == "assigned_crew" and s.new == wanted for s in self._history.get(ticket_id, []))

    # -- writing -------------------------------------------------------------
    def touch(self, ticket: TicketRow) -> None:
        """Mark a ticket for republishing (new feed position) without a new version."""
        if ticket.id not in self._touched:
            self._touched[ticket.id] = ticket
            self._before[ticket.id] = (ticket.assigned_crew_id, ticket.version)

    def conflict_changed(self, conflict: Conflict, ticket: TicketRow) -> None:
        """A conflict was recorded or changed: it gets a feed position at publish()."""
        self._conflicts[conflict.id] = (conflict, ticket)

    def _bump(self, ticket: TicketRow) -> None:
        self.touch(ticket)
        ticket.version += 1
        ticket.updated_at = self.now

    def _event(
        self,
        ticket: TicketRow,
        field: str,
        old: Any,
        new: Any,
        actor: Caller | None,
        op_id: str | None = None,
        device_time: datetime | None = None,
        at: datetime | None = None,
        position: Position | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """An audit_events row (written in bulk by publish())."""
        return {
            "reason": reason,
            "lat": position.lat if position else None,
            "lon": position.lon if position else None,
            "accuracy_m": position.accuracy_m if position else None,
            "ticket_id": ticket.id,
            "actor_id": actor.user_id if actor else None,
            "actor_role": actor.role if actor else "system",
            "device_id": actor.device_id if actor else None,
            "op_id": op_id,
            "field": field,
            "old": dumps(old),
            "new": dumps(new),
            "at": at or self.now,
            "device_time": device_time,
            "version": ticket.version,
        }

    def set_field(
        self,
        ticket: TicketRow,
        field: str,
        value: Any,
        actor: Caller | None,
        op_id: str | None = None,
        device_time: datetime | None = None,
        position: Position | None = None,
        reason: str | None = None,
    ) -> None:
        """Write one field (canonical wire value), with its side effects and audit event.

        `position` is where the device was when the edit was made, kept on the audit event;
        `reason` says why, when the field moved as a side effect of another edit.
        """
        old = self.current(ticket, field)
        if old == value:
            return
        self._bump(ticket)
        event = self._event(
            ticket, field, old, value, actor, op_id, device_time, position=position, reason=reason
        )
        if field == "assigned_crew":
            new_crew = None if value is None else self.crews.id_by_code[value]
            self._revoked.append(Revocation(ticket_id=ticket.id, crew_id=ticket.assigned_crew_id))
            ticket.assigned_crew_id = new_crew
            self._record(event)
            moved_to = status_after_assignment(ticket.status, value)
            if moved_to is not None:
                why = f"assigned to crew {value}" if value else "unassigned: back to the queue as new"
                self.set_field(ticket, "status", moved_to, actor, op_id, device_time, reason=why)
            return
        if field == "duplicate_of":
            ticket.duplicate_of = value
            self._record(event)
            if value is not None:
                self._merge_into(ticket, value, actor, op_id, device_time)
            return
        if field == "location":
            ticket.lat, ticket.lon = value
        elif field == "due_at":
            ticket.due_at = None if value is None else datetime.fromisoformat(value)
        else:
            setattr(ticket, field, value)
        self._record(event)

    def _merge_into(
        self, duplicate: TicketRow, main_id: str, actor: Caller | None, op_id: str | None, at: datetime | None
    ) -> None:
        """Close a ticket just marked as a duplicate; the main ticket (locked) names it."""
        why = f"duplicate of ticket {main_id}"
        self.set_field(duplicate, "resolution_code", "duplicate", actor, op_id, at, reason=why)
        self.set_field(duplicate, "status", Status.CLOSED, actor, op_id, at, reason=why)
        main = self._touched.get(main_id) or self._locked[main_id]
        self.system_event(main, "merged", duplicate.id, f"ticket {duplicate.id} merged into this one")

    def system_event(self, ticket: TicketRow, field: str, new: Any, reason: str) -> None:
        """A history entry the server makes by itself rather than a field write (an escalation)."""
        self._bump(ticket)
        self._record(self._event(ticket, field, None, new, None, reason=reason))

    def _record(self, event: dict[str, Any]) -> None:
        self._audit_rows.append(event)
        self._history.setdefault(event["ticket_id"], []).append(
            _Seen(event["field"], event["actor_role"], event["actor_id"], event["new"], event["version"])
        )

    def add_note(
        self,
        ticket: TicketRow,
        note_id: str,
        text: str,
        actor: Caller,
        device_time: datetime | None,
    ) -> bool:
        """Append a note; False when a note with this id already exists (a replay).

        The caller has preloaded the batch's note ids (preload_notes).
        """
        if note_id in self._notes:
            return False
        self._notes.add(note_id)
        # Notes of one batch keep the order they were sent in.
        self._notes_added += 1
        created = self.now + timedelta(microseconds=self._notes_added)
        self._note_rows.append(
            {
                "id": note_id,
                "ticket_id": ticket.id,
                "author_id": actor.user_id,
                "device_id": actor.device_id,
                "text": text,
                "device_time": device_time,
                "created_at": created,
            }
        )
        self._bump(ticket)
        return True

    def add_record(
        self,
        ticket: TicketRow,
        record_id: str,
        value: WorkRecordValue,
        actor: Caller,
        device_time: datetime | None,
    ) -> bool:
        """Append a work record; False when one with this id exists (a replay).

        The caller has preloaded the batch's record ids (preload_records).
        """
        if record_id in self._records:
            return False
        self._records.add(record_id)
        self._work_rows.append(
            {
                **value.model_dump(exclude={"type"}),
                "type": value.type,
                "id": record_id,
                "ticket_id": ticket.id,
                "author_id": actor.user_id,
                "device_id": actor.device_id,
                "crew_id": actor.crew_id if actor.crew_id is not None else ticket.assigned_crew_id,
                "device_time": device_time,
                "created_at": self.now,
            }
        )
        self._bump(ticket)
        return True

    def work_of(self, ticket: TicketRow) -> list[dict[str, Any]]:
        """The ticket's work records so far, with those added in this change set."""
        stored = (loads(ticket.doc) or {}).get("work", []) if ticket.doc else []
        return [*stored, *(_work_entry(r, {}) for r in self._work_rows if r["ticket_id"] == ticket.id)]

    def add_photo(self, ticket: TicketRow, photo_id: str, meta: PhotoMeta, actor: Caller) -> bool:
        """Attach a photo's metadata; False when it is already attached (a replay).

        The caller has preloaded the batch's photo ids (preload_photos). The bytes
        arrive separately, through the upload endpoint, keyed by `meta.sha256`.
        """
        if photo_id in self._photos:
            return False
        self._photos.add(photo_id)
        position = meta.position
        self._photo_rows.append(
            {
                "id": photo_id,
                "ticket_id": ticket.id,
                "author_id": actor.user_id,
                "device_id": actor.device_id,
                "kind": meta.kind,
                "caption": meta.caption,
                "sha256": meta.sha256,
                "size": meta.size,
                "width": meta.width,
                "height": meta.height,
                "taken_at": meta.taken_at,
                "lat": position.lat if position else None,
                "lon": position.lon if position else None,
                "accuracy_m": position.accuracy_m if position else None,
                "for_reporter": meta.for_reporter,
                "created_at": self.now,
            }
        )
        self._bump(ticket)
        return True

    def create_ticket(
        self, actor: Caller | None, assigned_reason: str | None = None, **values: Any
    ) -> TicketRow:
        """A new ticket from plain column values; audited as 'created' (and 'assigned_crew',
        with `assigned_reason` when something other than the actor chose the crew)."""
        values.setdefault("id", str(uuid.uuid4()))
        values.setdefault("created_at", self.now)
        values.setdefault("updated_at", values["created_at"])
        values.setdefault("version", 1)
        values.setdefault("reporter_notify", "email")
        values.setdefault("source", "office")
        values.setdefault("possible_duplicates", "[]")
        ticket = TicketRow({**values, "seq": 0, "doc": ""}, is_new=True)
        self._touched[ticket.id] = ticket
        self._before[ticket.id] = None
        self._stages_before[ticket.id] = None
        at = values["created_at"]
        events = [self._event(ticket, "created", None, ticket.status, actor, at=at)]
        if ticket.assigned_crew_id is not None:
            crew = self.crews.code(ticket.assigned_crew_id)
            why = assigned_reason
            events.append(self._event(ticket, "assigned_crew", None, crew, actor, at=at, reason=why))
        self._audit_rows.extend(events)
        return ticket

    # -- publishing ------------------------------------------------------------
    def publish(self) -> None:
        """Update docs and digests, then take feed positions (see module docstring)."""
        if not self._touched and not self._conflicts:
            return
        tickets = sorted(self._touched.values(), key=lambda t: t.id)
        if tickets:
            self._update_docs(tickets)
            self._update_digests(tickets)
        conflicts = self._conflicts_to_publish(tickets)
        count = len(tickets) + len(self._revoked) + len(conflicts)
        top = self.session.execute(
            update(FeedCounter)
            .where(FeedCounter.id == 1)
            .values(value=FeedCounter.value + count)
            .returning(FeedCounter.value)
        ).scalar_one()
        seq = top - count
        for ticket in tickets:
            seq += 1
            ticket.seq = seq
        for revocation in self._revoked:
            seq += 1
            revocation.seq = seq
            self.session.add(revocation)
        for conflict in conflicts:
            seq += 1
            conflict.seq = seq
        owed = owed_messages(self.session, tickets, self._stages_before, self.now)
        self._write_tickets(tickets)  # ticket rows first: the rows below refer to them
        self.session.flush()
        self._write_rows()
        if owed:
            insert_new(self.session, Notification, "key", owed)
        self._stages_before.update((t.id, public_stage(t)) for t in tickets)
        self._touched.clear()
        self._before.clear()
        self._revoked.clear()
        self._conflicts.clear()

    def _conflicts_to_publish(self, tickets: list[TicketRow]) -> list[Conflict]:
        """Conflicts changed here and the open conflicts of the touched tickets, refreshed.

        Conflicts change only under their ticket's lock, which this transaction holds.
        """
        found = dict(self._conflicts)
        ids = [t.id for t in tickets if not t.is_new]
        by_id = {t.id: t for t in tickets}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            stmt = select(Conflict).where(Conflict.ticket_id.in_(chunk), Conflict.status == "open")
            for conflict in self.session.scalars(stmt):
                found.setdefault(conflict.id, (conflict, by_id[conflict.ticket_id]))
        out = []
        for conflict, ticket in sorted(found.values(), key=lambda pair: pair[0].id):
            if conflict.status == "open":
                conflict.standing = dumps(self.current(ticket, conflict.field))
            out.append(conflict)
        return out

    def _write_tickets(self, tickets: list[TicketRow]) -> None:
        connection = self.session.connection()
        new = [t.values() for t in tickets if t.is_new]
        if new:
            connection.execute(_TICKETS.insert(), new)
        changed = [{**t.values(), "key": t.id} for t in tickets if not t.is_new]
        if changed:
            columns = {name: bindparam(name) for name in TICKET_COLUMNS if name != "id"}
            stmt = update(_TICKETS).where(_TICKETS.c.id == bindparam("key")).values(columns)
            connection.execute(stmt, changed)
        for ticket in tickets:
            ticket.is_new = False

    def _write_rows(self) -> None:
        """Append-only rows go in as one executemany each (no per-row ORM work)."""
        for model, rows in (
            (Note, self._note_rows),
            (Photo, self._photo_rows),
            (WorkRecord, self._work_rows),
            (AuditEvent, self._audit_rows),
        ):
            if rows:
                core_insert(self.session, model, rows)
                rows.clear()

    def _update_docs(self, tickets: list[TicketRow]) -> None:
        """Bring each touched ticket's device document up to date, from memory.

        The stored document already holds the notes and history written before; this
        transaction's notes and audit events are appended to it, and the fields are
        taken from the ticket row. No notes or events are read back.
        """
        usernames = _usernames(self.session)
        notes: dict[str, list[dict[str, Any]]] = {}
        for row in self._note_rows:
            notes.setdefault(row["ticket_id"], []).append(
                {
                    "id": row["id"],
                    "author": usernames.get(row["author_id"], "?"),
                    "text": row["text"],
                    "device_time": iso(row["device_time"]),
                    "created_at": iso(row["created_at"]),
                }
            )
        events: dict[str, list[dict[str, Any]]] = {}
        for row in self._audit_rows:
            actor = row["actor_id"]
            event = {
                "at": iso(row["at"]),
                "actor": usernames.get(actor, "system") if actor else "system",
                "field": row["field"],
                "old": loads(row["old"]),
                "new": loads(row["new"]),
            }
            if row["lat"] is not None:
                event["position"] = _position(row)
            if row["reason"]:
                event["reason"] = row["reason"]
            events.setdefault(row["ticket_id"], []).append(event)
        photos: dict[str, list[dict[str, Any]]] = {}
        for row in self._photo_rows:
            photos.setdefault(row["ticket_id"], []).append(photo_entry(row, usernames))
        work: dict[str, list[dict[str, Any]]] = {}
        for row in self._work_rows:
            work.setdefault(row["ticket_id"], []).append(_work_entry(row, usernames))
        for ticket in tickets:
            previous = loads(ticket.doc) if ticket.doc else {}
            ticket.doc = dumps(
                ticket_doc(
                    ticket,
                    self.crews,
                    previous.get("notes", []) + notes.get(ticket.id, []),
                    previous.get("events", []) + events.get(ticket.id, []),
                    previous.get("photos", []) + photos.get(ticket.id, []),
                    previous.get("work", []) + work.get(ticket.id, []),
                )
            )

    def _update_digests(self, tickets: list[TicketRow]) -> None:
        delta: dict[str, tuple[int, int]] = {}

        def add(scope: str, h: int, n: int) -> None:
            total, c = delta.get(scope, (0, 0))
            delta[scope] = (total + n * h, c + n)

        for ticket in tickets:
            before = self._before.get(ticket.id)
            if before is not None:
                add(scope_key(before[0]), ticket_hash(ticket.id, before[1]), -1)
            add(scope_key(ticket.assigned_crew_id), ticket_hash(ticket.id, ticket.version), 1)
        scopes = sorted(delta)
        self._ensure_digest_rows(scopes)
        rows = {
            r.scope: r
            for r in self.session.scalars(
                select(ScopeDigest)
                .where(ScopeDigest.scope.in_(scopes))
                .order_by(ScopeDigest.scope)
                .with_for_update()
            )
        }
        for scope in scopes:
            total, c = delta[scope]
            row = rows[scope]
            row.digest = digest_hex(int(row.digest, 16) + total)
            row.count += c

    def _ensure_digest_rows(self, scopes: list[str]) -> None:
        """Create missing digest rows; concurrent creators in other processes do not clash."""
        empty = [{"scope": s, "digest": digest_hex(0), "count": 0} for s in scopes]
        insert_new(self.session, ScopeDigest, "scope", empty)


def insert_new(
    session: Session, model: type[Any], key: str | tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Insert the rows whose `key` (a column, or the columns of a composite key) is not there
    yet; a concurrent insert of the same key (another transaction, another server process)
    is not an error."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    columns = [key] if isinstance(key, str) else list(key)
    stmt = insert(model.__table__).on_conflict_do_nothing(index_elements=columns)
    session.connection().execute(stmt, rows)


def insert_if_new(session: Session, model: type[Any], key: str, row: dict[str, Any]) -> bool:
    """Insert one row unless its `key` is taken (also by a concurrent transaction); whether it was."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    column = model.__table__.c[key]
    stmt = insert(model.__table__).values(row).on_conflict_do_nothing(index_elements=[key]).returning(column)
    return session.connection().execute(stmt).first() is not None


def core_insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """One executemany through Core: append-only rows need none of the ORM's bookkeeping."""
    session.flush()
    session.connection().execute(model.__table__.insert(), rows)


def _usernames(session: Session) -> dict[int, str]:
    return {r.id: r.username for r in session.execute(select(User.id, User.username))}


def _position(row: dict[str, Any]) -> dict[str, Any]:
    return {"lat": row["lat"], "lon": row["lon"], "accuracy_m": row["accuracy_m"]}


def photo_entry(row: dict[str, Any], usernames: dict[int, str]) -> dict[str, Any]:
    """A photos row as devices see it (sync.wire.PhotoDoc)."""
    return {
        "id": row["id"],
        "author": usernames.get(row["author_id"], "?"),
        "kind": row["kind"],
        "caption": row["caption"],
        "sha256": row["sha256"],
        "size": row["size"],
        "width": row["width"],
        "height": row["height"],
        "taken_at": iso(row["taken_at"]),
        "position": None if row["lat"] is None else _position(row),
        "for_reporter": row["for_reporter"],
        "created_at": iso(row["created_at"]),
    }


def ticket_doc(
    ticket: TicketRow,
    crews: Crews,
    notes: list[dict[str, Any]],
    events: list[dict[str, Any]],
    photos: list[dict[str, Any]] | None = None,
    work: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ticket as devices see it (sync.wire.TicketDoc): no reporter contact."""
    return {
        "id": ticket.id,
        "service_code": ticket.service_code,
        "description": ticket.description,
        "address": ticket.address,
        "lat": ticket.lat,
        "lon": ticket.lon,
        "priority": ticket.priority,
        "status": ticket.status,
        "assigned_crew": crews.code(ticket.assigned_crew_id),
        "due_at": iso(ticket.due_at),
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "version": ticket.version,
        "resolution_code": ticket.resolution_code,
        "resolution_note": ticket.resolution_note,
        "notes": notes,
        "events": events,
        "photos": photos or [],
        "duplicate_of": ticket.duplicate_of,
        "possible_duplicates": loads(ticket.possible_duplicates) or [],
        "work": work or [],
    }


def _work_entry(row: dict[str, Any], usernames: dict[int, str]) -> dict[str, Any]:
    """A work_records row as devices see it (sync.wire.WorkRecordDoc)."""
    entry = {
        k: row[k] for k in ("id", "type", "time_kind", "minutes", "material", "quantity", "item", "done")
    }
    entry["author"] = usernames.get(row["author_id"], "?")
    entry["device_time"] = iso(row["device_time"])
    entry["created_at"] = iso(row["created_at"])
    return entry
