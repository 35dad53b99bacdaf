"""Messages owed to reporters when a change set moves tickets to another public stage.

Called by `ChangeSet.publish` in the change's own transaction: each reporter (with an
email address, who did not opt out) whose report entered another stage is owed one
`notifications` row, keyed `stage:<stage>:<reporter ticket>:<version>` so a replayed
push or a second server process adds nothing. Whether the city sends that stage,
and when, is decided by the notifier when the row falls due (reporterstages.py).
The reporters of reports merged into a ticket hear its outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseserver.models import Ticket
from caseserver.reporterstages import OUTCOME_STAGES, reporter_stage, stage_of

_TICKETS = Ticket.__table__


class TicketState(Protocol):
    id: str
    status: str
    resolution_code: str | None
    duplicate_of: str | None
    reporter_notify: str
    reporter_email: str | None
    version: int


def public_stage(ticket: TicketState) -> str:
    return stage_of(ticket.status, ticket.resolution_code, ticket.duplicate_of)


def heard_stage(reporter: TicketState, main: TicketState | None) -> str:
    """The stage `reporter`'s reporter hears of: their own, or (merged into `main`) its outcome."""
    return reporter_stage(public_stage(reporter), public_stage(main) if main is not None else None)


def _wants_email(ticket: Any) -> bool:
    return ticket.reporter_notify == "email" and bool((ticket.reporter_email or "").strip())


def owed_messages(
    session: Session,
    tickets: Iterable[TicketState],
    stages_before: dict[str, str | None],
    now: datetime,
) -> list[dict[str, Any]]:
    """The notification rows owed for `tickets` (touched by one change set), whose public
    stages were `stages_before` (None: created here) when the change set locked them."""
    touched = {t.id: t for t in tickets}
    rows: dict[str, dict[str, Any]] = {}

    def owe(stage: str, shown: TicketState, reporter: TicketState) -> None:
        merged = reporter.id != shown.id
        key = f"stage:{stage}:{reporter.id}:{shown.version}"
        rows[key] = {
            "key": key,
            "ticket_id": shown.id,
            "reporter_ticket_id": reporter.id if merged else None,
            "stage": stage,
            "channel": "email",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }

    mains = _mains(session, touched)
    for ticket in touched.values():
        if ticket.id not in stages_before:
            continue  # touched without being locked here: nothing moved
        before, after = stages_before[ticket.id], public_stage(ticket)
        if before == after:
            continue
        if _wants_email(ticket):
            main = mains.get(ticket.duplicate_of or "")
            owe(heard_stage(ticket, main), main or ticket, ticket)
        if after in OUTCOME_STAGES:
            for duplicate in _merged_into(session, ticket.id, touched):
                if _wants_email(duplicate):
                    owe(after, ticket, duplicate)
    return list(rows.values())


def _mains(session: Session, touched: dict[str, TicketState]) -> dict[str, Any]:
    """The tickets the touched ones are merged into, current (from this change set) or stored."""
    wanted = {t.duplicate_of for t in touched.values() if t.duplicate_of}
    found: dict[str, Any] = {tid: touched[tid] for tid in wanted if tid in touched}
    missing = sorted(wanted - found.keys())
    if missing:
        for row in session.execute(select(_TICKETS).where(_TICKETS.c.id.in_(missing))).mappings():
            found[row["id"]] = _Stored(row)
    return found


def _merged_into(session: Session, main_id: str, touched: dict[str, TicketState]) -> list[Any]:
    """The reports merged into `main_id`: stored ones, as changed by this change set."""
    stored = session.execute(select(_TICKETS).where(_TICKETS.c.duplicate_of == main_id)).mappings()
    merged: dict[str, Any] = {row["id"]: _Stored(row) for row in stored}
    merged.update((t.id, t) for t in touched.values() if t.duplicate_of == main_id)
    return [t for t in merged.values() if t.duplicate_of == main_id]


class _Stored:
    """A ticket row read as attributes."""

    def __init__(self, row: Any) -> None:
        self.__dict__.update(row)
