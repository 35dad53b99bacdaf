"""The replica's `ticket_milestones`: each ticket's times for the operations figures, kept
with every feed page, and read back as `OpsRow`s in one query."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from sync.operations import (
    DEFAULT_RULES,
    NO_PROGRESS,
    EscalationRule,
    OpsFigures,
    OpsRow,
    epoch,
    figures,
    is_escalated,
    milestones,
)

_INSERT = "INSERT OR REPLACE INTO ticket_milestones VALUES (?,?,?,?,?,?,?,?)"


def milestone_row(
    ticket_id: str, created_at: str | None, due_at: str | None, events: Iterable[dict[str, Any]]
) -> tuple[Any, ...]:
    found = milestones(events)
    return (
        ticket_id,
        epoch(created_at),
        epoch(due_at),
        found.assigned,
        found.first_response,
        found.resolved,
        found.reopens,
        found.escalated,
    )


def store(conn: sqlite3.Connection, docs: Iterable[dict[str, Any]]) -> None:
    """Keep the milestones of these ticket docs (feed page entries)."""
    conn.executemany(
        _INSERT, [milestone_row(d["id"], d["created_at"], d["due_at"], d["events"]) for d in docs]
    )


_SELECT_ROWS = (
    "SELECT t.id, t.assigned_crew, t.service_code, t.status, t.priority, m.created, m.due, "
    "m.assigned, m.first_response, m.resolved, m.reopens, m.escalated "
    "FROM tickets t JOIN ticket_milestones m ON m.ticket_id = t.id WHERE t.revoked = 0"
)


def ops_rows(conn: sqlite3.Connection) -> list[OpsRow]:
    """Every ticket in scope as the figures need it, as the server last showed it."""
    return [OpsRow(*row) for row in conn.execute(_SELECT_ROWS)]


def escalated_ids(conn: sqlite3.Connection, rules_raw: Any, now: float) -> list[str]:
    """The escalated tickets alone (the sync strip's count): only tickets nobody acts on are read."""
    rules = escalation_rules(rules_raw)
    statuses = sorted(NO_PROGRESS)
    query = f"{_SELECT_ROWS} AND t.status IN ({','.join('?' * len(statuses))})"
    rows = (OpsRow(*row) for row in conn.execute(query, statuses))
    return [row.id for row in rows if is_escalated(row, now, rules)]


def escalation_rules(raw: Any) -> tuple[EscalationRule, ...]:
    """The rules the server last sent (replica meta `escalation_rules`); the default before."""
    if not raw:
        return DEFAULT_RULES
    return tuple(EscalationRule.model_validate(rule) for rule in raw)


def device_figures(conn: sqlite3.Connection, rules_raw: Any, now: float) -> OpsFigures:
    """The operations figures over this device's replica, as of its last sync."""
    return figures(ops_rows(conn), now, escalation_rules(rules_raw))
