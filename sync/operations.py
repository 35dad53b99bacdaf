"""The supervisor's operations figures and the escalation rules, as pure functions.

Shared by the device (figures from its replica, so they work offline) and the case server
(`GET /api/v1/stats`, the escalation job). Times are POSIX seconds (UTC); no I/O, no Qt.

A ticket's *milestones* come from its history: when it was last assigned, when a crew first
set off (assigned -> en route), when it was last resolved, how often it was reopened, and
whether an escalation was recorded. The figures are computed from one row per ticket.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from sync.workflow import TERMINAL, Status

HOUR = 3600.0
DAY = 24 * HOUR
#: Tickets due within this long are at risk of breaching their SLA.
AT_RISK_WINDOW = 2 * HOUR
#: Age buckets of the open backlog: label and upper bound in seconds.
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<1d", DAY),
    ("1-3d", 3 * DAY),
    ("3-7d", 7 * DAY),
    (">7d", float("inf")),
)
#: The windows of the response and resolution medians, in days.
WINDOWS_DAYS = (7, 30)
#: The name of the queue of tickets no crew has.
UNASSIGNED = "unassigned"
#: History field of a recorded escalation (an audit event of the ticket).
ESCALATION_FIELD = "escalation"


class EscalationRule(BaseModel):
    """When a ticket without progress escalates: at `share` of the time from its creation to
    its due time (1.0: when it is due; 0.75: with a quarter of the time left). A rule names a
    service, a priority, both or neither; the most specific rule that matches wins."""

    model_config = ConfigDict(extra="forbid")

    service_code: str | None = Field(default=None, max_length=40)
    priority: int | None = Field(default=None, ge=1, le=5)
    share: float = Field(default=1.0, gt=0, le=2)

    def matches(self, service_code: str, priority: int) -> bool:
        return (self.service_code in (None, service_code)) and (self.priority in (None, priority))

    def specificity(self) -> int:
        return (2 if self.service_code is not None else 0) + (1 if self.priority is not None else 0)

    def describe(self) -> str:
        what = " ".join(
            part
            for part in (
                self.service_code or "",
                f"priority {self.priority}" if self.priority is not None else "",
            )
            if part
        )
        return f"{round(self.share * 100)}% of the time to due ({what or 'every ticket'})"


#: Without configuration a ticket escalates when it is due.
DEFAULT_RULES: tuple[EscalationRule, ...] = (EscalationRule(),)


def rule_for(rules: Sequence[EscalationRule], service_code: str, priority: int) -> EscalationRule | None:
    matching = [rule for rule in rules if rule.matches(service_code, priority)]
    return max(matching, key=EscalationRule.specificity) if matching else None


def escalation_time(rule: EscalationRule, created: float, due: float) -> float:
    """When a ticket created at `created` and due at `due` escalates under `rule`."""
    return created + rule.share * max(0.0, due - created)


def is_open(status: str) -> bool:
    return status not in TERMINAL


#: Statuses in which nobody is acting on a ticket: where a timer, not a crew, must notice it.
NO_PROGRESS: frozenset[str] = frozenset({Status.NEW, Status.ASSIGNED, Status.ON_HOLD})


def epoch(value: str | datetime | None) -> float | None:
    """POSIX seconds of an ISO time ('Z' allowed) or an aware datetime; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.timestamp()


@dataclass
class Milestones:
    assigned: float | None = None
    first_response: float | None = None
    resolved: float | None = None
    reopens: int = 0
    escalated: float | None = None


def milestones(events: Iterable[dict[str, Any]]) -> Milestones:
    """The milestones of a ticket from its history (EventDoc dicts, oldest first)."""
    found = Milestones()
    for event in events:
        name, new, at = event["field"], event.get("new"), epoch(event["at"])
        if name == "assigned_crew" and new is not None and found.first_response is None:
            found.assigned = at
        elif name == "status":
            if new == Status.EN_ROUTE and found.first_response is None:
                found.first_response = at
            elif new == Status.RESOLVED:
                found.resolved = at
            elif event.get("old") == Status.RESOLVED and is_open(str(new)):
                found.reopens += 1
                found.resolved = None
        elif name == ESCALATION_FIELD and found.escalated is None:
            found.escalated = at
    return found


class OpsRow(NamedTuple):
    """One ticket as the figures need it (a tuple: a replica's rows become these at no cost)."""

    id: str
    crew: str | None
    service_code: str
    status: str
    priority: int
    created: float
    due: float | None
    assigned: float | None = None
    first_response: float | None = None
    resolved: float | None = None
    reopens: int = 0
    escalated: float | None = None


class Figure(BaseModel):
    """A count and the tickets behind it."""

    count: int = 0
    ticket_ids: list[str] = []


class Backlog(Figure):
    """Open tickets, with their age distribution (AGE_BUCKETS)."""

    ages: dict[str, int] = Field(default_factory=lambda: {label: 0 for label, _ in AGE_BUCKETS})


class Oldest(BaseModel):
    ticket_id: str
    age_hours: float


class Median(Figure):
    """The median in hours over the tickets behind it (None: no ticket in the window)."""

    hours: float | None = None


class ReopenRate(Figure):
    """Tickets resolved in the last 30 days (count) and those reopened (ticket_ids, reopened)."""

    reopened: int = 0
    rate: float | None = None


class OpsFigures(BaseModel):
    """The operations view: what is open, what is late, how fast crews respond and finish."""

    as_of: float
    open: Figure
    backlog_by_crew: dict[str, Backlog]
    backlog_by_service: dict[str, Backlog]
    at_risk: Figure
    overdue: Figure
    escalated: Figure
    oldest_by_crew: dict[str, Oldest]
    #: Assigned -> en route, keyed "7d" and "30d" (by when the crew set off).
    first_response: dict[str, Median]
    #: Created -> resolved, keyed "7d" and "30d" (by when it was resolved).
    resolution: dict[str, Median]
    reopen_rate_by_service: dict[str, ReopenRate]


@dataclass
class _Collect:
    """Samples of one median window."""

    ids: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, ticket_id: str, value: float) -> None:
        self.ids.append(ticket_id)
        self.seconds.append(value)

    def median(self) -> Median:
        hours = round(statistics.median(self.seconds) / HOUR, 2) if self.seconds else None
        return Median(count=len(self.ids), ticket_ids=self.ids, hours=hours)


@dataclass
class _Backlog:
    """A backlog being counted: its tickets and how many fall in each age bucket."""

    ids: list[str] = field(default_factory=list)
    ages: list[int] = field(default_factory=lambda: [0] * len(AGE_BUCKETS))

    def done(self) -> Backlog:
        ages = {label: n for (label, _), n in zip(AGE_BUCKETS, self.ages, strict=True)}
        return Backlog(count=len(self.ids), ticket_ids=self.ids, ages=ages)


def _age_bucket(age: float) -> int:
    for index, (_, upper) in enumerate(AGE_BUCKETS):
        if age < upper:
            return index
    return len(AGE_BUCKETS) - 1


def is_escalated(row: OpsRow, now: float, rules: Sequence[EscalationRule]) -> bool:
    """A ticket nobody is acting on (NO_PROGRESS) is escalated once an escalation was recorded
    for it, or once its rule's time has passed (so a device offline sees it too)."""
    if row.status not in NO_PROGRESS:
        return False
    if row.escalated is not None:
        return True
    if row.due is None:
        return False
    rule = rule_for(rules, row.service_code, row.priority)
    return rule is not None and now >= escalation_time(rule, row.created, row.due)


def figures(
    rows: Iterable[OpsRow], now: float, rules: Sequence[EscalationRule] = DEFAULT_RULES
) -> OpsFigures:
    """All the operations figures over `rows` at time `now` (one pass; models built at the end)."""
    open_ids: list[str] = []
    by_crew: dict[str, _Backlog] = {}
    by_service: dict[str, _Backlog] = {}
    at_risk: list[str] = []
    overdue: list[str] = []
    escalated: list[str] = []
    oldest: dict[str, tuple[float, str]] = {}
    response = {days: _Collect() for days in WINDOWS_DAYS}
    resolution = {days: _Collect() for days in WINDOWS_DAYS}
    reopen: dict[str, list[Any]] = {}  # service -> [count, reopened ids]
    since = {days: now - days * DAY for days in WINDOWS_DAYS}
    reopen_since = now - 30 * DAY
    risk_until = now + AT_RISK_WINDOW
    for row in rows:
        tid, status = row.id, row.status
        still_open = status not in TERMINAL
        if still_open:
            crew = row.crew or UNASSIGNED
            open_ids.append(tid)
            bucket = _age_bucket(now - row.created)
            for table, key in ((by_crew, crew), (by_service, row.service_code)):
                backlog = table.get(key)
                if backlog is None:
                    backlog = table[key] = _Backlog()
                backlog.ids.append(tid)
                backlog.ages[bucket] += 1
            if crew not in oldest or (row.created, tid) < oldest[crew]:  # ties: the smaller id
                oldest[crew] = (row.created, tid)
            due = row.due
            if due is not None:
                if due <= now:
                    overdue.append(tid)
                elif due <= risk_until:
                    at_risk.append(tid)
            if status in NO_PROGRESS and is_escalated(row, now, rules):
                escalated.append(tid)
        if row.first_response is not None and row.assigned is not None:
            for days, collect in response.items():
                if row.first_response >= since[days]:
                    collect.add(tid, max(0.0, row.first_response - row.assigned))
        resolved = row.resolved
        if resolved is not None:
            for days, collect in resolution.items():
                if resolved >= since[days]:
                    collect.add(tid, max(0.0, resolved - row.created))
        if (resolved is not None and resolved >= reopen_since) or (row.reopens and still_open):
            rate = reopen.setdefault(row.service_code, [0, []])
            rate[0] += 1
            if row.reopens:
                rate[1].append(tid)
    return OpsFigures(
        as_of=now,
        open=Figure(count=len(open_ids), ticket_ids=open_ids),
        backlog_by_crew={key: b.done() for key, b in sorted(by_crew.items())},
        backlog_by_service={key: b.done() for key, b in sorted(by_service.items())},
        at_risk=Figure(count=len(at_risk), ticket_ids=at_risk),
        overdue=Figure(count=len(overdue), ticket_ids=overdue),
        escalated=Figure(count=len(escalated), ticket_ids=escalated),
        oldest_by_crew={
            crew: Oldest(ticket_id=tid, age_hours=round((now - created) / HOUR, 2))
            for crew, (created, tid) in sorted(oldest.items())
        },
        first_response={f"{days}d": collect.median() for days, collect in response.items()},
        resolution={f"{days}d": collect.median() for days, collect in resolution.items()},
        reopen_rate_by_service={
            service: ReopenRate(
                count=count, reopened=len(ids), ticket_ids=ids, rate=round(len(ids) / count, 4)
            )
            for service, (count, ids) in sorted(reopen.items())
        },
    )
