"""The replica's `ticket_milestones`: each ticket's times for the operations figures, kept
with every feed page, and read back as `OpsRow`s in one query over one narrow table."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from sync.operations import (
    DAY,
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
from sync.workflow import TERMINAL

MILESTONES_INSERT = "INSERT OR REPLACE INTO ticket_milestones VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
_COLUMNS = (
    "ticket_id, crew, service_code, status, priority, created, due, assigned, first_response, "
    "resolved, reopens, escalated"
)
_TERMINAL = sorted(TERMINAL)


def milestone_row(
    ticket_id: str,
    crew: str | None,
    service_code: str,
    status: str,
    priority: int,
    created_at: str | None,
    due_at: str | None,
    events: Iterable[dict[str, Any]],
) -> tuple[Any, ...]:
    """The row of one ticket, without its `revoked` flag."""
    found = milestones(events)
    return (
        ticket_id,
        crew,
        service_code,
        status,
        priority,
        epoch(created_at),
        epoch(due_at),
        found.assigned,
        found.first_response,
        found.resolved,
        found.reopens,
        found.escalated,
    )


def store(conn: sqlite3.Connection, docs: Iterable[dict[str, Any]]) -> None:
    """Keep the milestones of these ticket docs (feed page entries, in scope)."""
    conn.executemany(
        MILESTONES_INSERT,
        [
            (
                *milestone_row(
                    d["id"],
                    d["assigned_crew"],
                    d["service_code"],
                    d["status"],
                    d["priority"],
                    d["created_at"],
                    d["due_at"],
                    d["events"],
                ),
                0,
            )
            for d in docs
        ],
    )


def ops_rows(conn: sqlite3.Connection, now: float | None = None) -> list[OpsRow]:
    """The tickets in scope the figures can count at `now`: open ones, and those resolved or
    responded to within the last 30 days (the longest window); as the server last showed them."""
    since = (time.time() if now is None else now) - 30 * DAY
    marks = ",".join("?" * len(_TERMINAL))
    query = (
        f"SELECT {_COLUMNS} FROM ticket_milestones WHERE revoked = 0 "
        f"AND (status NOT IN ({marks}) OR resolved >= ? OR first_response >= ?)"
    )
    return list(map(OpsRow._make, conn.execute(query, (*_TERMINAL, since, since))))


def escalation_rules(raw: Any) -> tuple[EscalationRule, ...]:
    """The rules the server last sent (replica meta `escalation_rules`); the default before."""
    if not raw:
        return DEFAULT_RULES
    return tuple(EscalationRule.model_validate(rule) for rule in raw)


def device_figures(conn: sqlite3.Connection, rules_raw: Any, now: float) -> OpsFigures:
    """The operations figures over this device's replica, as of its last sync."""
    return figures(ops_rows(conn, now), now, escalation_rules(rules_raw))


def escalated_ids(conn: sqlite3.Connection, rules_raw: Any, now: float) -> list[str]:
    """The escalated tickets alone (the sync strip's count): only tickets nobody acts on are read."""
    rules = escalation_rules(rules_raw)
    statuses = sorted(NO_PROGRESS)
    query = (
        f"SELECT {_COLUMNS} FROM ticket_milestones WHERE revoked = 0 "
        f"AND status IN ({','.join('?' * len(statuses))})"
    )
    rows = map(OpsRow._make, conn.execute(query, statuses))
    return [row.id for row in rows if is_escalated(row, now, rules)]
