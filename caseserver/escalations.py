"""Escalations: a ticket nobody is acting on that passes its rule's time (a share of the time
from creation to due) gets one escalation, recorded in its history, whichever server process
notices first. Devices evaluate the same rules (sync.operations) so a supervisor offline sees
them too; the rules reach devices through `GET /api/v1/escalation-rules`."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseserver.changes import ChangeSet
from caseserver.db import Database
from caseserver.models import Escalation, Ticket, utcnow
from sync.operations import (
    DEFAULT_RULES,
    ESCALATION_FIELD,
    NO_PROGRESS,
    EscalationRule,
    escalation_time,
    rule_for,
)

log = logging.getLogger(__name__)
_RULES = TypeAdapter(list[EscalationRule])
#: Tickets escalated per write transaction.
_CHUNK = 200


class RulesError(ValueError):
    """The escalation rules file cannot be used; the message says why in one line."""


def load_rules(path: str) -> tuple[EscalationRule, ...]:
    """The rules in a JSON file (a list of rules); the default rule without a file."""
    if not path:
        return DEFAULT_RULES
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        rules = _RULES.validate_python(data)
    except OSError as exc:
        raise RulesError(f"escalation rules {path}: cannot read the file ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise RulesError(f"escalation rules {path}: not JSON (line {exc.lineno}: {exc.msg})") from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise RulesError(f"escalation rules {path}: {where}: {error['msg']}") from exc
    return tuple(rules)


def due_key(due_at: datetime) -> str:
    return due_at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def crossed(ticket: Any, rules: Sequence[EscalationRule], now: datetime) -> EscalationRule | None:
    """The rule under which this ticket (a row with the ticket's columns) escalates by `now`."""
    if ticket.status not in NO_PROGRESS or ticket.due_at is None:
        return None
    rule = rule_for(rules, ticket.service_code, ticket.priority)
    if rule is None:
        return None
    limit = escalation_time(rule, ticket.created_at.timestamp(), ticket.due_at.timestamp())
    return rule if now.timestamp() >= limit else None


def raise_due(db: Database, rules: Sequence[EscalationRule], now: datetime | None = None) -> int:
    """Record every escalation that is due and not yet raised; returns how many were raised."""
    now = now or utcnow()
    with db.read() as session:
        candidates = session.execute(
            select(
                Ticket.id,
                Ticket.status,
                Ticket.service_code,
                Ticket.priority,
                Ticket.created_at,
                Ticket.due_at,
            ).where(Ticket.status.in_(sorted(NO_PROGRESS)), Ticket.due_at.is_not(None))
        ).all()
        passed = {row.id: due_key(row.due_at) for row in candidates if crossed(row, rules, now) is not None}
        raised_before = _raised(session, list(passed))
    due = sorted(tid for tid, key in passed.items() if (tid, key) not in raised_before)
    raised = 0
    for start in range(0, len(due), _CHUNK):
        raised += _raise(db, due[start : start + _CHUNK], rules, now)
    return raised


def _raised(session: Session, ticket_ids: list[str]) -> set[tuple[str, str]]:
    """(ticket id, due key) of the escalations already raised for these tickets."""
    found: set[tuple[str, str]] = set()
    for start in range(0, len(ticket_ids), 500):
        chunk = ticket_ids[start : start + 500]
        query = select(Escalation.ticket_id, Escalation.due_key).where(Escalation.ticket_id.in_(chunk))
        found.update((tid, key) for tid, key in session.execute(query))
    return found


def _raise(db: Database, ticket_ids: list[str], rules: Sequence[EscalationRule], now: datetime) -> int:
    raised = 0
    with db.write() as session:
        cs = ChangeSet(session)
        tickets = cs.lock(ticket_ids)
        have = _raised(session, list(tickets))
        for ticket in tickets.values():
            rule = crossed(ticket, rules, now)
            if rule is None or ticket.due_at is None:
                continue
            key = due_key(ticket.due_at)
            if (ticket.id, key) in have:
                continue  # another server process raised it first
            session.add(Escalation(ticket_id=ticket.id, due_key=key, rule=rule.describe(), raised_at=cs.now))
            cs.system_event(ticket, ESCALATION_FIELD, key, f"no progress by {rule.describe()}")
            raised += 1
        cs.publish()
    return raised


class EscalationWorker:
    """This process's escalation round every `poll_seconds` (a thread, like the mail worker)."""

    def __init__(self, db: Database, rules: Sequence[EscalationRule], poll_seconds: float) -> None:
        self.db, self.rules, self.poll_seconds = db, tuple(rules), poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="escalations", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                raise_due(self.db, self.rules)
            except Exception:  # a database hiccup must not end the rounds
                log.exception("escalation round failed")
            self._stop.wait(self.poll_seconds)
