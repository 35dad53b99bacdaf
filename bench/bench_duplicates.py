"""The duplicate check on each new ticket, with 100,000 open tickets in the case server's database.

    .venv/bin/python bench/bench_duplicates.py [--open 100000] [--checks 1000] [--database-url URL]

The server's schema (Alembic, to head) in a new SQLite file, or in the PostgreSQL database
given (its tickets table is emptied first: use a scratch database). 100,000 open tickets of the
city's 14 services spread over a 20 x 12 km city; then `--checks` new tickets at random places,
each checked with `caseserver.duplicates.nearby_open` (the (service, latitude) index, the box
round the new ticket, exact distances for what falls in it). Measured: median and 95th
percentile per check; as the alternative in the same run, the same query told not to use the
index (SQLite `NOT INDEXED`; on PostgreSQL with index scans turned off). Both must find the
same tickets.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, text

from caseserver.db import Database
from caseserver.duplicates import nearby_open
from caseserver.migrate import upgrade
from caseserver.models import Ticket
from caseserver.services import SERVICES

GOAL_MS = 5.0
RADIUS_M = 50.0
CITY = (60.10, 60.21, 24.80, 25.16)  # about 12 x 20 km


def _fill(db: Database, count: int, rng: random.Random) -> None:
    now = datetime.now(UTC)
    with db.write() as session:
        session.execute(delete(Ticket))
        rows = [
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "service_code": rng.choice(SERVICES).code,
                "description": "open ticket",
                "address": "Somewhere",
                "lat": rng.uniform(CITY[0], CITY[1]),
                "lon": rng.uniform(CITY[2], CITY[3]),
                "priority": 3,
                "status": rng.choice(("new", "assigned", "en_route", "in_progress", "on_hold")),
                "created_at": now,
                "updated_at": now,
                "version": 1,
                "seq": 0,
                "doc": "",
                "possible_duplicates": "[]",
            }
            for _ in range(count)
        ]
        session.execute(Ticket.__table__.insert(), rows)


def _unindexed(db: Database, service: str, lat: float, lon: float) -> list[str]:
    """The same question without the index: every ticket of every service looked at."""
    dlat = RADIUS_M / 111_195.0
    dlon = dlat / 0.5
    table = "tickets NOT INDEXED" if db.is_sqlite else "tickets"
    sql = text(
        f"SELECT id FROM {table} WHERE service_code = :s AND lat BETWEEN :a AND :b AND lon BETWEEN :c AND :d "
        "AND status NOT IN ('resolved', 'closed', 'cancelled') AND duplicate_of IS NULL"
    )
    with db.read() as session:
        if not db.is_sqlite:
            session.execute(text("SET enable_indexscan = off; SET enable_bitmapscan = off"))
        params = {"s": service, "a": lat - dlat, "b": lat + dlat, "c": lon - dlon, "d": lon + dlon}
        return [row[0] for row in session.execute(sql, params)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (default: a new SQLite file)")
    args = parser.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        upgrade(url)
        db = Database(url)
        _fill(db, args.open, rng)
        if not db.is_sqlite:
            with db.write() as session:
                session.execute(text("ANALYZE tickets"))
        checks = [
            (rng.choice(SERVICES).code, rng.uniform(CITY[0], CITY[1]), rng.uniform(CITY[2], CITY[3]))
            for _ in range(args.checks)
        ]
        times, found = [], []
        for service, lat, lon in checks:
            start = time.perf_counter()
            with db.read() as session:
                found.append(nearby_open(session, service, lat, lon, RADIUS_M, ""))
            times.append((time.perf_counter() - start) * 1000)
        slow, boxes = [], []
        for service, lat, lon in checks[: max(20, args.checks // 20)]:
            start = time.perf_counter()
            boxes.append(_unindexed(db, service, lat, lon))
            slow.append((time.perf_counter() - start) * 1000)
        same = all({tid for tid, _ in hits} <= set(box) for hits, box in zip(found, boxes, strict=False))
        db.dispose()
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    hits = sum(1 for f in found if f)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{args.open} open tickets, {args.checks} checks ({backend})")
    print(f"duplicate check, (service, lat) index: median {median:.2f} ms, p95 {p95:.2f} ms", end="")
    print(f" (goal < {GOAL_MS:.0f} ms)")
    print(f"alternative, no index (scan): median {statistics.median(slow):.2f} ms")
    print(f"checks that found a possible duplicate: {hits}")
    print(f"the index finds what the scan finds: {'yes' if same else 'NO'}")
    print(f"goal met: {'yes' if p95 < GOAL_MS else 'no'}")


if __name__ == "__main__":
    main()
