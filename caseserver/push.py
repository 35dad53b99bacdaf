"""Applying a pushed batch of device operations under the merge rules.

The whole batch is one transaction. Every op gets an answer (applied, merged,
conflict or rejected) that is stored under its op id, so a replayed op gets the
same answer and changes nothing. A rejected op never stops the rest of the batch.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseserver.auth import Caller
from caseserver.changes import ChangeSet, TicketRow, core_insert, dumps, loads
from caseserver.conflicts import conflict_doc, is_addressed_to, own_crews
from caseserver.fields import FieldValueError, normalize, note_text
from caseserver.merge import Decision, decide
from caseserver.models import AppliedOp, Conflict, User
from sync.wire import ConflictDoc, Op, OpResult, PhotoMeta
from sync.workflow import EDITABLE_FIELDS, Role, keep_mine_refusal
from sync.workrecord import DEFAULT_CATALOGUE, WorkCatalogue, WorkRecordValue, record_problem, resolve_refusal


@dataclass
class _Rejected(Exception):
    code: int
    reason: str


@dataclass
class _Batch:
    cs: ChangeSet
    caller: Caller
    tickets: dict[str, TicketRow]
    catalogue: WorkCatalogue
    #: Tickets this crew worked on after they were reassigned away: ticket id -> what it did.
    late_work: dict[str, list[str]] = field(default_factory=dict)


def push(
    session: Session, caller: Caller, ops: list[Op], catalogue: WorkCatalogue = DEFAULT_CATALOGUE
) -> list[OpResult]:
    cs = ChangeSet(session)
    # Merging a duplicate also writes to its main ticket: lock those too.
    mains = {str(op.value) for op in ops if op.kind == "set" and op.field == "duplicate_of" and op.value}
    tickets = cs.lock([*(str(op.ticket_id) for op in ops), *filter(None, map(_uuid_or_none, mains))])
    op_ids = [str(op.op_id) for op in ops]
    earlier: dict[str, AppliedOp] = {
        row.op_id: row for row in session.scalars(select(AppliedOp).where(AppliedOp.op_id.in_(op_ids)))
    }
    cs.preload_notes(str(op.op_id) for op in ops if op.kind == "note")
    cs.preload_photos(str(op.op_id) for op in ops if op.kind == "photo")
    cs.preload_records(str(op.op_id) for op in ops if op.kind == "record")
    batch = _Batch(cs=cs, caller=caller, tickets=tickets, catalogue=catalogue)
    results: list[OpResult] = []
    stored: list[dict[str, object]] = []
    in_batch: set[str] = set()
    # Everything the rules read is loaded or kept in memory; one flush at the end.
    with session.no_autoflush:
        for op in ops:
            key = str(op.op_id)
            digest = content_hash(op)
            if key in in_batch:
                results.append(_refused(op, "this op id appears twice in the batch; the second is refused"))
                continue
            in_batch.add(key)
            row = earlier.get(key)
            if row is not None:
                results.append(_replayed(row, op, caller, digest))
                continue
            result = _apply(batch, op)
            stored.append(
                {
                    "op_id": key,
                    "device_id": caller.device_id,
                    "user_id": caller.user_id,
                    "content_hash": digest,
                    "ticket_id": str(op.ticket_id),
                    "result": result.model_dump_json(),
                    "received_at": cs.now,
                }
            )
            results.append(result)
        _report_late_work(batch)
    if stored:
        core_insert(session, AppliedOp, stored)
    cs.publish()
    return results


#: What makes an op the edit it is. Its circumstances (device time, position, the ticket
#: version the device had) may differ on a resend without making it another edit.
_EDIT_FIELDS = {"op_id", "ticket_id", "kind", "field", "base", "value", "conflict_id"}


def content_hash(op: Op) -> str:
    """SHA-256 of the edit an op makes: a replay of the same op has the same hash."""
    edit = op.model_dump(mode="json", include=_EDIT_FIELDS)
    canonical = json.dumps(edit, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replayed(row: AppliedOp, op: Op, caller: Caller, digest: str) -> OpResult:
    """The stored answer for an honest replay; a refusal for an op id reused by someone else
    or for other content (nothing of the first op's answer is told)."""
    if row.user_id is None:  # answered before op ids were owned: its device must match
        same_sender = row.device_id is None or row.device_id == caller.device_id
        same_content = True
    else:
        same_sender = row.user_id == caller.user_id
        same_content = row.content_hash == digest
    if not same_sender:
        return _refused(op, "this op id was already used by another sender; a new edit needs a new op id")
    if not same_content:
        return _refused(op, "this op id was already used for a different edit; a new edit needs a new op id")
    return OpResult.model_validate_json(row.result)


def _refused(op: Op, reason: str) -> OpResult:
    return OpResult(op_id=op.op_id, outcome="rejected", code=409, reason=reason)


def _apply(batch: _Batch, op: Op) -> OpResult:
    try:
        ticket = batch.tickets.get(str(op.ticket_id))
        if ticket is None:
            raise _Rejected(404, "no such ticket")
        if op.kind == "resolve":
            # Settling a conflict depends on its audience, not on the ticket's scope.
            return _apply_resolve(batch, ticket, op)
        access = _access(batch, ticket)
        if op.kind == "note":
            result = _apply_note(batch, ticket, op)
        elif op.kind == "photo":
            result = _apply_photo(batch, ticket, op)
        elif op.kind == "record":
            result = _apply_record(batch, ticket, op)
        else:
            result = _apply_set(batch, ticket, op)
        if access == "former" and result.outcome in ("applied", "merged"):
            batch.late_work.setdefault(ticket.id, []).append(_work_done(op))
        return result
    except _Rejected as rej:
        return OpResult(op_id=op.op_id, outcome="rejected", code=rej.code, reason=rej.reason)
    except FieldValueError as exc:
        return OpResult(op_id=op.op_id, outcome="rejected", code=422, reason=str(exc))


def _access(batch: _Batch, ticket: TicketRow) -> str:
    """'current' when the ticket is in the caller's scope, 'former' for a crew's old ticket."""
    caller = batch.caller
    if caller.sees_crew(ticket.assigned_crew_id):
        return "current"
    if (
        caller.role == Role.CREW
        and caller.crew_code
        and batch.cs.was_assigned_to(ticket.id, caller.crew_code)
    ):
        return "former"
    raise _Rejected(403, "this ticket is not assigned to your crew")


def _uuid_or_none(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def _check_merge(batch: _Batch, ticket: TicketRow, main_id: str | None) -> None:
    """A duplicate goes into an existing ticket that is not itself merged into another."""
    if main_id is None:
        return
    if main_id == ticket.id:
        raise _Rejected(422, "a ticket cannot be a duplicate of itself")
    main = batch.tickets.get(main_id)
    if main is None:
        raise _Rejected(422, f"no ticket {main_id} to merge into")
    if main.duplicate_of is not None:
        why = f"ticket {main_id} is itself a duplicate of {main.duplicate_of}: merge into that one"
        raise _Rejected(422, why)


def _check_permission(batch: _Batch, op_field: str, value: Any) -> None:
    caller = batch.caller
    if op_field not in EDITABLE_FIELDS:
        raise _Rejected(422, f"unknown or read-only field {op_field!r}")
    if caller.role == Role.CREW and op_field in ("assigned_crew", "due_at"):
        raise _Rejected(403, f"only dispatch may change {op_field}")
    if (
        caller.role == Role.SUPERVISOR
        and op_field == "assigned_crew"
        and value is not None
        and value not in caller.supervised_codes
    ):
        raise _Rejected(403, f"crew {value} is not one of your crews")


def _result(op: Op, ticket: TicketRow, decision: Decision) -> OpResult:
    outcome = "merged" if decision.action == "noop" or decision.over_concurrent else "applied"
    return OpResult(op_id=op.op_id, outcome=outcome, ticket_version=ticket.version)


def _apply_note(batch: _Batch, ticket: TicketRow, op: Op) -> OpResult:
    text = note_text(op.value)
    added = batch.cs.add_note(ticket, str(op.op_id), text, batch.caller, op.device_time)
    return OpResult(op_id=op.op_id, outcome="applied" if added else "merged", ticket_version=ticket.version)


def _apply_photo(batch: _Batch, ticket: TicketRow, op: Op) -> OpResult:
    try:
        meta = PhotoMeta.model_validate(op.value)
    except ValidationError as exc:
        raise _Rejected(422, f"photo: {_first_error(exc)}") from exc
    added = batch.cs.add_photo(ticket, str(op.op_id), meta, batch.caller)
    return OpResult(op_id=op.op_id, outcome="applied" if added else "merged", ticket_version=ticket.version)


def _apply_record(batch: _Batch, ticket: TicketRow, op: Op) -> OpResult:
    try:
        value = WorkRecordValue.model_validate(op.value)
    except ValidationError as exc:
        raise _Rejected(422, f"work record: {_first_error(exc)}") from exc
    problem = record_problem(batch.catalogue, ticket.service_code, value)
    if problem:
        raise _Rejected(422, f"work record: {problem}")
    added = batch.cs.add_record(ticket, str(op.op_id), value, batch.caller, op.device_time)
    return OpResult(op_id=op.op_id, outcome="applied" if added else "merged", ticket_version=ticket.version)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def _work_done(op: Op) -> str:
    if op.kind == "note":
        return "added a note"
    if op.kind == "photo":
        return "added a photo"
    if op.kind == "record":
        return "added to the work record"
    return f"set {op.field} to {op.value}"


def _apply_set(batch: _Batch, ticket: TicketRow, op: Op) -> OpResult:
    if op.field is None:
        raise _Rejected(422, "a 'set' op needs a field")
    crews = set(batch.cs.crews.id_by_code)
    value = normalize(op.field, op.value, crews)
    _check_permission(batch, op.field, value)
    if op.field == "duplicate_of":
        _check_merge(batch, ticket, value)
    if op.field == "status" and value == "resolved" and ticket.status != "resolved":
        refusal = resolve_refusal(batch.catalogue, ticket.service_code, batch.cs.work_of(ticket))
        if refusal:
            raise _Rejected(409, refusal)
    try:
        base = normalize(op.field, op.base, crews)
    except FieldValueError as exc:
        raise _Rejected(422, f"base: {exc}") from exc
    field_name = op.field
    previous = batch.cs.current(ticket, field_name)
    writer = batch.cs.last_writer(ticket.id, field_name)
    decision = _decide(batch, ticket, field_name, base, value, writer)
    if decision.action == "reject":
        raise _Rejected(decision.code or 409, decision.reason)
    if decision.action == "conflict":
        conflict = _record_conflict(
            batch,
            ticket,
            field_name,
            base=base,
            mine=value,
            audience=decision.audience or "crew",
            reason=decision.reason,
            op_id=str(op.op_id),
        )
        return OpResult(
            op_id=op.op_id,
            outcome="conflict",
            reason=decision.reason,
            ticket_version=ticket.version,
            conflict=_conflict_doc(batch, conflict, ticket),
        )
    if decision.action == "apply":
        started = _status_changed_by_crew_since(batch, ticket, field_name, op.ticket_version)
        batch.cs.set_field(
            ticket, field_name, value, batch.caller, str(op.op_id), op.device_time, op.position
        )
        if decision.over_concurrent and writer is not None:
            _tell_overridden(batch, ticket, field_name, base, previous, value, writer)
        if started is not None:
            # 'mine' is the crew that started the work: keeping it gives the ticket back.
            _record_conflict(
                batch,
                ticket,
                field_name,
                base=base,
                mine=previous,
                audience="supervisor",
                reason=(
                    f"crew {previous} had already set status {started} before this reassignment "
                    f"arrived; the ticket now stays with {value or 'the unassigned queue'}"
                ),
                op_id=str(op.op_id),
            )
    return _result(op, ticket, decision)


def _status_changed_by_crew_since(
    batch: _Batch, ticket: TicketRow, field_name: str, seen_version: int | None
) -> str | None:
    """For a reassignment: the status a crew set after the supervisor's view of the ticket."""
    if field_name != "assigned_crew" or seen_version is None:
        return None
    return batch.cs.crew_changed_status_since(ticket.id, seen_version)


def _decide(
    batch: _Batch,
    ticket: TicketRow,
    field_name: str,
    base: Any,
    value: Any,
    writer: tuple[str, int | None] | None,
) -> Decision:
    return decide(
        field=field_name,
        base=base,
        value=value,
        current=batch.cs.current(ticket, field_name),
        ticket_status=ticket.status,
        author_role=batch.caller.role,
        last_writer_role=writer[0] if writer else None,
    )


def _apply_resolve(batch: _Batch, ticket: TicketRow, op: Op) -> OpResult:
    session = batch.cs.session
    caller = batch.caller
    if op.conflict_id is None:
        raise _Rejected(422, "a 'resolve' op needs a conflict_id")
    if op.value not in ("mine", "theirs"):
        raise _Rejected(422, "keep must be 'mine' or 'theirs'")
    conflict = session.get(Conflict, str(op.conflict_id), with_for_update=True)
    if conflict is None or conflict.ticket_id != ticket.id:
        raise _Rejected(404, "no such conflict on this ticket")
    if not _may_resolve(batch, conflict, ticket):
        raise _Rejected(403, "this conflict is for someone else to resolve")
    if conflict.status == "resolved":
        return OpResult(op_id=op.op_id, outcome="merged", reason="already resolved")
    if op.value == "mine":
        refusal = keep_mine_refusal(
            role=caller.role,
            own_crews=own_crews(caller, batch.cs.crews),
            audience=conflict.audience,
            ticket_status=ticket.status,
            ticket_crew=batch.cs.crews.code(ticket.assigned_crew_id),
        )
        if refusal is not None:
            raise _Rejected(403, f"you cannot keep yours: {refusal}")
        crews = set(batch.cs.crews.id_by_code)
        mine = loads(conflict.mine)
        _check_permission(batch, conflict.field, mine)
        try:
            base = normalize(conflict.field, op.base, crews)
        except FieldValueError as exc:
            raise _Rejected(422, f"base: {exc}") from exc
        writer = batch.cs.last_writer(ticket.id, conflict.field)
        decision = _decide(batch, ticket, conflict.field, base, mine, writer)
        if decision.action == "reject":
            raise _Rejected(decision.code or 409, decision.reason)
        if decision.action == "conflict":
            standing = batch.cs.current(ticket, conflict.field)
            conflict.theirs = conflict.standing = dumps(standing)
            conflict.reason = decision.reason
            batch.cs.conflict_changed(conflict, ticket)
            return OpResult(
                op_id=op.op_id,
                outcome="conflict",
                reason=decision.reason,
                ticket_version=ticket.version,
                conflict=_conflict_doc(batch, conflict, ticket),
            )
        if decision.action == "apply":
            batch.cs.set_field(
                ticket, conflict.field, mine, caller, str(op.op_id), op.device_time, op.position
            )
    conflict.status = "resolved"
    conflict.resolution = op.value
    conflict.resolved_by = caller.user_id
    conflict.resolved_at = batch.cs.now
    batch.cs.conflict_changed(conflict, ticket)
    return OpResult(op_id=op.op_id, outcome="applied", ticket_version=ticket.version)


def _may_resolve(batch: _Batch, conflict: Conflict, ticket: TicketRow) -> bool:
    """Its audience may settle a conflict; so may dispatch for any ticket in its scope."""
    caller = batch.caller
    if caller.role != Role.CREW and caller.sees_crew(ticket.assigned_crew_id):
        return True
    return is_addressed_to(batch.cs.session, caller, conflict.id)


def _conflict_doc(batch: _Batch, conflict: Conflict, ticket: TicketRow) -> ConflictDoc:
    session = batch.cs.session
    usernames = {}
    for user_id in (conflict.author_id, conflict.resolved_by):
        user = None if user_id is None else session.get(User, user_id)
        if user is not None:
            usernames[user.id] = user.username
    return conflict_doc(conflict, batch.cs.crews, usernames, ticket)


def _record_conflict(
    batch: _Batch,
    ticket: TicketRow,
    field_name: str,
    *,
    base: Any,
    mine: Any,
    audience: str,
    reason: str,
    op_id: str | None,
    author_id: int | None = None,
    author_crew_id: int | None = None,
) -> Conflict:
    """Store a conflict: `mine` is the value that does not stand, kept for whoever decides."""
    caller = batch.caller
    if author_id is None:
        author_id, author_crew_id = caller.user_id, caller.crew_id
    standing = batch.cs.current(ticket, field_name)
    conflict = Conflict(
        id=str(uuid.uuid4()),
        ticket_id=ticket.id,
        op_id=op_id,
        field=field_name,
        base=dumps(base),
        mine=dumps(mine),
        theirs=dumps(standing),
        standing=dumps(standing),
        audience=audience,
        audience_crew_id=author_crew_id if audience == "crew" else None,
        author_id=author_id,
        author_crew_id=author_crew_id,
        ticket_crew_id=ticket.assigned_crew_id,
        reason=reason,
        status="open",
        created_at=batch.cs.now,
    )
    batch.cs.session.add(conflict)
    batch.cs.conflict_changed(conflict, ticket)
    return conflict


def _tell_overridden(
    batch: _Batch,
    ticket: TicketRow,
    field_name: str,
    base: Any,
    overridden: Any,
    value: Any,
    writer: tuple[str, int | None],
) -> None:
    """An edit went in over someone's concurrent change: they get a conflict saying so."""
    role, user_id = writer
    if user_id is None:
        return
    user = batch.cs.session.get(User, user_id)
    crew_id = user.crew_id if user is not None else None
    _record_conflict(
        batch,
        ticket,
        field_name,
        base=base,
        mine=overridden,
        audience="crew" if role == Role.CREW else "supervisor",
        reason=(
            f"{batch.caller.username} ({batch.caller.role}) set {field_name} to {value} over "
            f"your {overridden}; {value} stands"
        ),
        op_id=None,
        author_id=user_id,
        author_crew_id=crew_id,
    )


def _report_late_work(batch: _Batch) -> None:
    """A crew worked on a ticket after it was reassigned: tell the supervisor."""
    caller = batch.caller
    for ticket_id, work in batch.late_work.items():
        ticket = batch.tickets[ticket_id]
        new_crew = batch.cs.crews.code(ticket.assigned_crew_id)
        _record_conflict(
            batch,
            ticket,
            "assigned_crew",
            base=caller.crew_code,
            mine=caller.crew_code,
            audience="supervisor",
            reason=(
                f"crew {caller.crew_code} worked on this ticket after it was reassigned to "
                f"{new_crew or 'the unassigned queue'}: {'; '.join(work)}. "
                "Their work was kept; the ticket stays with the new assignment."
            ),
            op_id=None,
        )
