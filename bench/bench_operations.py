"""The supervisor's operations figures over a 100,000-ticket replica.

    .venv/bin/python bench/bench_operations.py [--tickets 100000] [--runs 5]

The replica is filled through `Replica.apply_page` (the path feed pages take, so the milestone
rows are kept the way a device keeps them) with tickets over 30 crews and 6 services: 40 %
open, the rest resolved or closed over the last 40 days, each with a realistic history
(assigned, en route, in progress, resolved; some reopened; some escalated).

Measured, median of `--runs`, each on a fresh connection as the worker thread opens it:
1. the view: `opscounts.device_counts` with the 7- and 30-day statistics taken at the sync
   (what the operations view computes each time it opens: the open tickets' counts grouped in
   SQLite, no ticket ids); and at sync time, `opscounts.window_stats` (the medians and reopen
   rates, read once per sync on the sync worker); and both at once (no stored statistics).
2. a tap: `opscounts.figure_ids` for the biggest figure (every open ticket).
3. alternative: `device_figures` (one Python row per ticket, every figure's ids up front), and
   its floor: the same query with its rows fetched and nothing computed.
4. alternative: the figures from the history JSON of every ticket, parsed on the spot (what
   the view would cost without the milestone table).
5. sync strip: `escalated_ids` alone (read after every sync).
Both computations must give the same counts and medians.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync import milestones, opscounts
from sync.operations import DEFAULT_RULES, OpsRow, epoch, figures
from sync.replica import Replica

GOAL_MS = 300.0
SERVICES = ("pothole", "streetlight", "graffiti", "sign", "drain", "litter")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _ticket(rng: random.Random, now: datetime, crews: list[str]) -> dict[str, Any]:
    created = now - timedelta(hours=rng.uniform(1, 40 * 24))
    crew = rng.choice(crews) if rng.random() > 0.05 else None
    events: list[dict[str, Any]] = []

    def event(field: str, old: Any, new: Any, at: datetime) -> None:
        events.append({"at": _iso(at), "actor": "sanna", "field": field, "old": old, "new": new})

    status, at = "new", created
    if crew is not None:
        at += timedelta(minutes=rng.uniform(5, 120))
        event("assigned_crew", None, crew, at)
        event("status", "new", "assigned", at)
        status = "assigned"
        if rng.random() < 0.7:
            for nxt in ("en_route", "in_progress", "resolved"):
                at += timedelta(hours=rng.uniform(0.2, 12))
                if at >= now:
                    break
                event("status", status, nxt, at)
                status = nxt
            if status == "resolved" and rng.random() < 0.1:
                at += timedelta(hours=rng.uniform(1, 24))
                if at < now:
                    event("status", "resolved", "in_progress", at)
                    status = "in_progress"
            if status == "resolved" and rng.random() < 0.5:
                status = "closed"
    due = created + timedelta(hours=rng.choice((8, 24, 72, 168)))
    if status in ("assigned", "new") and due < now and rng.random() < 0.5:
        event("escalation", None, _iso(due), due)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "service_code": rng.choice(SERVICES),
        "description": "Bench ticket",
        "address": f"Bench street {rng.randint(1, 200)}",
        "lat": 60.17 + rng.uniform(-0.05, 0.05),
        "lon": 24.94 + rng.uniform(-0.1, 0.1),
        "priority": rng.randint(1, 5),
        "status": status,
        "assigned_crew": crew,
        "due_at": _iso(due),
        "created_at": _iso(created),
        "updated_at": _iso(at),
        "version": len(events) + 1,
        "resolution_code": None,
        "resolution_note": None,
        "notes": [],
        "events": events,
        "photos": [],
    }


def build(path: Path, count: int) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    crews = [f"crew{i:02d}" for i in range(30)]
    replica = Replica(path)
    replica.put(user={"username": "sanna", "role": "supervisor", "crews": crews})
    cursor = 0
    for start in range(0, count, 5000):
        docs = [_ticket(rng, now, crews) for _ in range(min(5000, count - start))]
        cursor += len(docs)
        replica.apply_page({"tickets": docs, "revoked": [], "conflicts": [], "cursor": cursor, "more": False})
    replica.close()


def _from_history(conn: sqlite3.Connection, now: float) -> Any:
    """The alternative: the figures from each ticket's history JSON, parsed on the spot."""
    import orjson

    rows = []
    for tid, crew, service, status, priority, created, due, events in conn.execute(
        "SELECT id, assigned_crew, service_code, status, priority, created_at, due_at, events "
        "FROM tickets WHERE revoked = 0"
    ):
        found = milestones.milestones(orjson.loads(events))
        rows.append(
            OpsRow(
                tid,
                crew,
                service,
                status,
                priority,
                epoch(created) or 0.0,
                epoch(due),
                found.assigned,
                found.first_response,
                found.resolved,
                found.reopens,
                found.escalated,
            )
        )
    return figures(rows, now, DEFAULT_RULES)


def _without_ids(figures_: Any) -> Any:
    """A figures document with every `ticket_ids` list left out."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "ticket_ids"}
        return value

    return strip(figures_.model_dump())


def timed(path: Path, work: Callable[[sqlite3.Connection, float], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        conn = sqlite3.connect(path)
        start = time.perf_counter()
        result = work(conn, time.time())
        times.append((time.perf_counter() - start) * 1000)
        conn.close()
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "replica.sqlite"
        start = time.perf_counter()
        build(path, args.tickets)
        print(f"replica with {args.tickets:,} tickets built in {time.perf_counter() - start:.1f} s")
        conn = sqlite3.connect(path)
        windows = opscounts.window_stats(conn, time.time())
        conn.close()
        view_ms, _ = timed(
            path, lambda conn, now: opscounts.device_counts(conn, None, now, windows), args.runs
        )
        windows_ms, _ = timed(path, lambda conn, now: opscounts.window_stats(conn, now), args.runs)
        whole_ms, _ = timed(path, lambda conn, now: opscounts.device_counts(conn, None, now), args.runs)
        tap_ms, _ = timed(path, lambda conn, now: opscounts.figure_ids(conn, "open", None, now), args.runs)
        python_ms, result = timed(
            path, lambda conn, now: milestones.device_figures(conn, None, now), args.runs
        )
        floor_ms, rows = timed(path, lambda conn, now: milestones.ops_rows(conn), args.runs)
        history_ms, _ = timed(path, _from_history, max(1, args.runs // 2))
        strip_ms, escalated = timed(
            path, lambda conn, now: milestones.escalated_ids(conn, None, now), args.runs
        )
        conn = sqlite3.connect(path)  # both ways at one moment, for the comparison
        moment = time.time()
        same = _without_ids(opscounts.device_counts(conn, None, moment)) == _without_ids(
            milestones.device_figures(conn, None, moment)
        ) and sorted(opscounts.figure_ids(conn, "open", None, moment)) == sorted(result.open.ticket_ids)
        conn.close()
    print(
        f"open {result.open.count:,} · overdue {result.overdue.count:,} · at risk {result.at_risk.count:,} · "
        f"escalated {result.escalated.count:,} ({len(escalated):,} by the strip's query) · rows {len(rows):,}"
    )
    print(f"{'measurement':<58} {'median ms':>10}")
    view = "operations view (device_counts, statistics of the sync)"
    print(f"{view:<58} {view_ms:>10.1f}   goal < {GOAL_MS:.0f} ms")
    print(f"{'at each sync: the 7/30-day statistics (window_stats)':<58} {windows_ms:>10.1f}")
    print(f"{'both at once (no statistics stored yet)':<58} {whole_ms:>10.1f}")
    print(f"{'a tap: the tickets behind Open (figure_ids)':<58} {tap_ms:>10.1f}")
    print(f"{'alternative: one Python row per ticket (device_figures)':<58} {python_ms:>10.1f}")
    print(f"{'  its floor: the query and its rows, nothing computed':<58} {floor_ms:>10.1f}")
    print(f"{'alternative: figures from the history JSON':<52} {history_ms:>10.1f}")
    print(f"{'sync strip: escalated_ids':<52} {strip_ms:>10.1f}")
    print(f"same counts, medians and Open tickets both ways: {'yes' if same else 'NO'}")
    print(f"goal met: {'yes' if view_ms < GOAL_MS else 'no'}")


if __name__ == "__main__":
    main()
