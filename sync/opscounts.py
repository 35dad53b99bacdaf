"""The operations figures counted inside the replica's SQLite, and the tickets behind one
figure fetched only when it is tapped.

`sync.operations.figures` walks one Python row per ticket; over 100,000 tickets that walk, and
the ticket ids it collects for every figure, cost more than the operations view may take.
Here SQLite does the counting in a few grouped passes over `ticket_milestones` (in C), the
medians read one number per ticket in their window, and no id list is built until a person
asks for one (`figure_ids`). The answers are the same as `figures` over the same rows (a
test holds them equal), with empty `ticket_ids`.

What depends on the hour (backlog ages, due soon, overdue, escalated, oldest) is counted each
time, over the open tickets only, through the (revoked, status) index. The 7- and 30-day
statistics (response and resolution medians, reopen rates) read every ticket of their
windows; they are taken once per sync (`window_stats`, on the sync worker, kept in the
replica's meta) and the view uses them as of that sync.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Sequence
from typing import Any

from sync.milestones import escalation_rules
from sync.operations import (
    AGE_BUCKETS,
    AT_RISK_WINDOW,
    DAY,
    HOUR,
    NO_PROGRESS,
    UNASSIGNED,
    WINDOWS_DAYS,
    Backlog,
    EscalationRule,
    Figure,
    Median,
    Oldest,
    OpsFigures,
    ReopenRate,
)
from sync.workflow import STATUSES, TERMINAL


def _quoted(statuses: frozenset[str]) -> str:
    return ",".join(f"'{status}'" for status in sorted(statuses))


#: Open tickets, through the (revoked, status) index (NOT IN would read every row).
_OPEN = f"revoked = 0 AND status IN ({_quoted(frozenset(STATUSES) - TERMINAL)})"
_CREW = f"coalesce(crew, '{UNASSIGNED}')"


def _bucket_sql() -> str:
    """The age bucket index of an open ticket (`:now` bound)."""
    whens = " ".join(
        f"WHEN :now - created < {upper} THEN {index}"
        for index, (_, upper) in enumerate(AGE_BUCKETS)
        if upper != float("inf")
    )
    return f"CASE {whens} ELSE {len(AGE_BUCKETS) - 1} END"


def _escalated_sql(rules: Sequence[EscalationRule]) -> tuple[str, dict[str, Any]]:
    """Whether an open row is escalated (as sync.operations.is_escalated), as SQL with named
    parameters: the share of the most specific matching rule (none: not escalated)."""
    ordered = sorted(enumerate(rules), key=lambda item: (-item[1].specificity(), item[0]))
    whens, params = [], {}
    for index, rule in ordered:
        tests = []
        if rule.service_code is not None:
            tests.append(f"service_code = :rs{index}")
            params[f"rs{index}"] = rule.service_code
        if rule.priority is not None:
            tests.append(f"priority = :rp{index}")
            params[f"rp{index}"] = rule.priority
        whens.append(f"WHEN {' AND '.join(tests) or '1'} THEN :share{index}")
        params[f"share{index}"] = rule.share
    share = f"(CASE {' '.join(whens)} END)" if whens else "NULL"
    sql = (
        f"(status IN ({_quoted(NO_PROGRESS)}) AND (escalated IS NOT NULL OR (due IS NOT NULL AND "
        f"{share} IS NOT NULL AND :now >= created + {share} * max(0.0, due - created))))"
    )
    return sql, params


def window_stats(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
    """The 7- and 30-day statistics at `now` (JSON): response and resolution medians, and per
    service the tickets resolved in the last 30 days and how many of them were reopened."""
    since = {days: now - days * DAY for days in WINDOWS_DAYS}
    rows = conn.execute(
        "SELECT service_code, count(*), sum(reopens > 0) FROM ticket_milestones "
        "WHERE revoked = 0 AND resolved >= ? GROUP BY service_code",
        (since[30],),
    )
    return {
        "as_of": now,
        "first_response": _medians(
            conn, "first_response", "first_response - assigned", "assigned IS NOT NULL", since
        ),
        "resolution": _medians(conn, "resolved", "resolved - created", "1", since),
        "resolved_by_service": {service: [count, reopened] for service, count, reopened in rows},
    }


def device_counts(
    conn: sqlite3.Connection, rules_raw: Any, now: float, windows: dict[str, Any] | None = None
) -> OpsFigures:
    """The operations figures over the replica without their ticket ids (see module doc);
    `windows` are the statistics taken at the last sync (window_stats), or taken now."""
    windows = windows or window_stats(conn, now)
    rules = escalation_rules(rules_raw)
    escalated_sql, params = _escalated_sql(rules)
    params.update(now=now, risk=now + AT_RISK_WINDOW, since=windows["as_of"] - 30 * DAY)
    sql = (
        f"SELECT {_CREW}, service_code, {_bucket_sql()}, count(*), min(created), "
        f"sum(due IS NOT NULL AND due <= :now), sum(due IS NOT NULL AND due > :now AND due <= :risk), "
        f"sum({escalated_sql}), sum(reopens > 0 AND NOT coalesce(resolved >= :since, 0)) "
        f"FROM ticket_milestones WHERE {_OPEN} GROUP BY 1, 2, 3"
    )
    by_crew: dict[str, Backlog] = {}
    by_service: dict[str, Backlog] = {}
    oldest: dict[str, float] = {}
    reopen = {service: list(pair) for service, pair in windows["resolved_by_service"].items()}
    total = overdue = at_risk = escalated = 0
    for crew, service, bucket, count, first, late, soon, raised, reopened in conn.execute(sql, params):
        label = AGE_BUCKETS[bucket][0]
        for table, key in ((by_crew, crew), (by_service, service)):
            backlog = table.get(key)
            if backlog is None:
                backlog = table[key] = Backlog()
            backlog.count += count
            backlog.ages[label] += count
        oldest[crew] = min(oldest.get(crew, first), first)
        total, overdue, at_risk, escalated = total + count, overdue + late, at_risk + soon, escalated + raised
        if reopened:  # open again and not resolved within the window: counted with the resolved
            pair = reopen.setdefault(service, [0, 0])
            pair[0], pair[1] = pair[0] + reopened, pair[1] + reopened
    return OpsFigures(
        as_of=now,
        open=Figure(count=total),
        backlog_by_crew=dict(sorted(by_crew.items())),
        backlog_by_service=dict(sorted(by_service.items())),
        at_risk=Figure(count=at_risk),
        overdue=Figure(count=overdue),
        escalated=Figure(count=escalated),
        oldest_by_crew=_oldest(conn, oldest, now),
        first_response={k: Median(**v) for k, v in windows["first_response"].items()},
        resolution={k: Median(**v) for k, v in windows["resolution"].items()},
        reopen_rate_by_service={
            service: ReopenRate(count=count, reopened=reopened, rate=round(reopened / count, 4))
            for service, (count, reopened) in sorted(reopen.items())
        },
    )


def _oldest(conn: sqlite3.Connection, oldest: dict[str, float], now: float) -> dict[str, Oldest]:
    """The oldest open ticket of each crew (ties: the smaller id), through the created index."""
    found = {}
    for crew, created in sorted(oldest.items()):
        (tid,) = conn.execute(
            f"SELECT min(ticket_id) FROM ticket_milestones WHERE created = ? AND {_CREW} = ? AND {_OPEN}",
            (created, crew),
        ).fetchone()
        found[crew] = Oldest(ticket_id=tid, age_hours=round((now - created) / HOUR, 2))
    return found


def _medians(
    conn: sqlite3.Connection, when: str, duration: str, also: str, since: dict[int, float]
) -> dict[str, dict[str, Any]]:
    """The median hours of `duration` over rows whose `when` falls in each window (one read
    of the longest window through the index on `when`)."""
    samples: dict[int, list[float]] = {days: [] for days in since}
    query = (
        f"SELECT {when}, max(0.0, {duration}) FROM ticket_milestones "
        f"WHERE {when} >= ? AND revoked = 0 AND {also}"
    )
    windows = sorted(since.items())
    for moment, seconds in conn.execute(query, (min(since.values()),)):
        for days, start in windows:
            if moment >= start:
                samples[days].append(seconds)
    return {
        f"{days}d": {
            "count": len(values),
            "hours": round(statistics.median(values) / HOUR, 2) if values else None,
        }
        for days, values in samples.items()
    }


def figure_ids(conn: sqlite3.Connection, key: str, rules_raw: Any, now: float) -> list[str]:
    """The tickets behind one figure of the view, by its key ("open", "at_risk", "overdue",
    "escalated", "response_7d", "resolution_30d", "crew:<crew>", "service:<code>",
    "reopen:<code>"), in the table's order."""
    rules = escalation_rules(rules_raw)
    named: dict[str, Any] = {"now": now}
    kind, _, arg = key.partition(":")
    if kind == "open":
        where = _OPEN
    elif kind == "at_risk":
        where, named["risk"] = (
            f"{_OPEN} AND due IS NOT NULL AND due > :now AND due <= :risk",
            now + AT_RISK_WINDOW,
        )
    elif kind == "overdue":
        where = f"{_OPEN} AND due IS NOT NULL AND due <= :now"
    elif kind == "escalated":
        escalated_sql, rule_params = _escalated_sql(rules)
        where = f"{_OPEN} AND {escalated_sql}"
        named.update(rule_params)
    elif kind == "crew":
        where, named["crew"] = f"{_OPEN} AND {_CREW} = :crew", arg
    elif kind == "service":
        where, named["service"] = f"{_OPEN} AND service_code = :service", arg
    elif kind == "reopen":
        where = (
            f"revoked = 0 AND service_code = :service AND reopens > 0 AND (resolved >= :since OR ({_OPEN}))"
        )
        named.update(service=arg, since=now - 30 * DAY)
    elif kind in ("response_7d", "response_30d"):
        days = int(kind.split("_")[1].rstrip("d"))
        where = "revoked = 0 AND first_response >= :since AND assigned IS NOT NULL"
        named["since"] = now - days * DAY
    elif kind in ("resolution_7d", "resolution_30d"):
        days = int(kind.split("_")[1].rstrip("d"))
        where, named["since"] = "revoked = 0 AND resolved >= :since", now - days * DAY
    else:
        raise KeyError(key)
    return [row[0] for row in conn.execute(f"SELECT ticket_id FROM ticket_milestones WHERE {where}", named)]
