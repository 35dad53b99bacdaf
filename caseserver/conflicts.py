"""Conflicts: who they are addressed to, and how their audience's devices see them.

The audience of a conflict is fixed when it is recorded, so it never depends on where
the ticket went since, and a device never has to forget a conflict it was shown:

- an admin sees every conflict;
- a crew sees the conflicts addressed to it and those its members authored;
- a supervisor sees the conflicts they authored, every conflict addressed to the
  office, and the conflicts of the crews they supervise (addressed to the crew,
  authored by one of its members, or recorded while the crew had the ticket) or of a
  ticket that was in the unassigned queue when recorded.

Each conflict travels through the feed on positions of its own (see changes.py)
with a summary of its ticket, so it can be understood and settled on a device that
does not hold the ticket.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from caseserver.auth import Caller
from caseserver.changes import Crews, loads
from caseserver.fields import iso
from caseserver.models import Conflict
from sync.wire import ConflictDoc
from sync.workflow import Role


def addressed_to(caller: Caller) -> ColumnElement[bool]:
    """SQL: the conflicts `caller` is in the audience of (see the module docstring)."""
    if caller.role == Role.ADMIN:
        return true()
    if caller.role == Role.CREW:
        if caller.crew_id is None:
            return false()
        return or_(Conflict.audience_crew_id == caller.crew_id, Conflict.author_crew_id == caller.crew_id)
    crews = sorted(caller.scope_crews or ())
    return or_(
        Conflict.author_id == caller.user_id,
        Conflict.audience == "office",
        Conflict.audience_crew_id.in_(crews),
        Conflict.author_crew_id.in_(crews),
        Conflict.ticket_crew_id.in_(crews),
        Conflict.ticket_crew_id.is_(None),
    )


def is_addressed_to(session: Session, caller: Caller, conflict_id: str) -> bool:
    found = session.scalar(select(Conflict.id).where(Conflict.id == conflict_id, addressed_to(caller)))
    return found is not None


def own_crews(caller: Caller, crews: Crews) -> tuple[str, ...] | None:
    """The crews whose tickets are the caller's to change (None: every crew)."""
    if caller.role == Role.ADMIN:
        return None
    if caller.role == Role.CREW:
        return (caller.crew_code,) if caller.crew_code else ()
    return tuple(crews.code(c) or "" for c in sorted(caller.scope_crews or ()))


def conflict_dict(conflict: Conflict, crews: Crews, usernames: dict[int, str], ticket: Any) -> dict[str, Any]:
    """A conflict as devices see it (sync.wire.ConflictDoc); `ticket` is its ticket row now."""
    return {
        "id": conflict.id,
        "ticket_id": conflict.ticket_id,
        "op_id": conflict.op_id,
        "field": conflict.field,
        "base": loads(conflict.base),
        "mine": loads(conflict.mine),
        "theirs": loads(conflict.theirs),
        "standing": loads(conflict.standing),
        "audience": conflict.audience,
        "audience_crew": crews.code(conflict.audience_crew_id),
        "author": usernames.get(conflict.author_id, "?"),
        "author_crew": crews.code(conflict.author_crew_id),
        "reason": conflict.reason,
        "status": conflict.status,
        "resolution": conflict.resolution,
        "resolved_by": None if conflict.resolved_by is None else usernames.get(conflict.resolved_by, "?"),
        "created_at": iso(conflict.created_at),
        "ticket": {
            "service_code": ticket.service_code,
            "address": ticket.address,
            "assigned_crew": crews.code(ticket.assigned_crew_id),
            "status": ticket.status,
            "version": ticket.version,
        },
    }


def conflict_doc(conflict: Conflict, crews: Crews, usernames: dict[int, str], ticket: Any) -> ConflictDoc:
    return ConflictDoc.model_validate(conflict_dict(conflict, crews, usernames, ticket))
