"""The operations figures for the city's own dashboards (`GET /api/v1/stats`), scoped like the
feed: a crew sees its own tickets, a supervisor their crews' and the unassigned queue, an admin
all. The same computation as the supervisor's operations view on a device (sync.operations)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from caseserver.auth import Caller
from caseserver.changes import Crews, loads
from caseserver.feed import ticket_scope
from caseserver.models import AuditEvent, Ticket
from sync.operations import (
    ESCALATION_FIELD,
    EscalationRule,
    OpsFigures,
    OpsRow,
    figures,
    milestones,
)
from sync.workflow import TERMINAL

#: Finished tickets older than this are left out: the figures look back 30 days at most.
LOOKBACK = timedelta(days=31)
_HISTORY_FIELDS = ("status", "assigned_crew", ESCALATION_FIELD)
_CHUNK = 500


def stats(session: Session, caller: Caller, rules: Sequence[EscalationRule], now: datetime) -> OpsFigures:
    crews = Crews(session)
    tickets = session.execute(
        select(
            Ticket.id,
            Ticket.assigned_crew_id,
            Ticket.service_code,
            Ticket.status,
            Ticket.priority,
            Ticket.created_at,
            Ticket.due_at,
        )
        .where(ticket_scope(caller))
        .where(or_(Ticket.status.not_in(sorted(TERMINAL)), Ticket.updated_at >= now - LOOKBACK))
    ).all()
    history = _history(session, [t.id for t in tickets])
    rows = []
    for t in tickets:
        found = milestones(history.get(t.id, ()))
        rows.append(
            OpsRow(
                id=t.id,
                crew=crews.code(t.assigned_crew_id),
                service_code=t.service_code,
                status=t.status,
                priority=t.priority,
                created=t.created_at.timestamp(),
                due=None if t.due_at is None else t.due_at.timestamp(),
                assigned=found.assigned,
                first_response=found.first_response,
                resolved=found.resolved,
                reopens=found.reopens,
                escalated=found.escalated,
            )
        )
    return figures(rows, now.timestamp(), rules)


def _history(session: Session, ticket_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The status, assignment and escalation events of these tickets, oldest first."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(ticket_ids), _CHUNK):
        chunk = ticket_ids[start : start + _CHUNK]
        query = (
            select(AuditEvent.ticket_id, AuditEvent.field, AuditEvent.old, AuditEvent.new, AuditEvent.at)
            .where(AuditEvent.ticket_id.in_(chunk), AuditEvent.field.in_(_HISTORY_FIELDS))
            .order_by(AuditEvent.id)
        )
        for tid, field, old, new, at in session.execute(query):
            found[tid].append({"field": field, "old": loads(old), "new": loads(new), "at": at})
    return found


def without_ids(figures_: OpsFigures) -> dict[str, Any]:
    """The figures without the ticket ids behind them (the dashboard's default)."""
    return figures_.model_dump(mode="json", exclude=_ids_everywhere(figures_.model_dump()))


def _ids_everywhere(tree: Any) -> Any:
    """A pydantic exclude spec that drops every `ticket_ids` key at any depth."""
    if not isinstance(tree, dict):
        return None
    spec: dict[str, Any] = {}
    for key, value in tree.items():
        if key == "ticket_ids":
            spec[key] = True
        elif isinstance(value, dict):
            inner = _ids_everywhere(value)
            if inner:
                spec[key] = inner
    return spec
