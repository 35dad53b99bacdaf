"""The 7 a.m. sync storm: every crew's tablets sync within the same second, on PostgreSQL.

    .venv/bin/python bench/bench_sync_storm.py [--devices 300] [--crews 30] [--workers 1 2]
        [--ops 20] [--changed 200] [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--server-env CASESERVER_BUSY_RETRY_SECONDS=1 ...]

For each `--workers` count a scratch database is made on the PostgreSQL server of
`--admin-url` (and dropped afterwards), with the server's schema, `--crews` crews (a crew
user each; its tablets sign in as it, a device each) and `--changed` tickets per crew.
Untimed: every device signs in and follows the feed to its end (its replica), then the
night's changes touch every ticket (the office moves due times and priorities), and each
device queues `--ops` ops on its crew's tickets: notes, and status moves from what it saw
yesterday, several devices of a crew moving the same tickets (so some merge or conflict).

Timed: `caseserver serve --workers N` on a free port; all devices start at one barrier and
do what a sync does over HTTP with the real client (`sync.client.CaseServerClient`): push
the queue (one request: the device's batch is 200), follow the feed from the cursor to its
end, check the digest. A device told to come back (429/503 with Retry-After) waits what
it was told, spread by up to half again, as the scheduler does, and carries on. The
devices are threads of this process: they apply nothing to a replica, so the machine's two
cores go to the server (their own CPU is reported too).

Reported: the whole storm's time, per-device sync time (p50, p95, p99), requests per
second, the most database connections seen (pg_stat_activity, sampled every 50 ms), busy
answers and errors, the server processes' CPU per pushed op; then, checked against the
server's database, that every op is applied exactly once (none lost, none twice).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from serverproc import start_server  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from caseserver.auth import hash_password  # noqa: E402
from caseserver.changes import ChangeSet  # noqa: E402
from caseserver.db import Database  # noqa: E402
from caseserver.migrate import upgrade  # noqa: E402
from caseserver.models import Crew, User, utcnow  # noqa: E402
from sync.client import CaseServerClient  # noqa: E402
from sync.errors import Offline, ServerBusy, ServerFailure  # noqa: E402
from sync.scheduler import retry_delay  # noqa: E402

PASSWORD = "storm-password"
BATCH = 200
#: The scheduler's first backoff after a failure (SyncScheduler's retry_base).
RETRY_BASE = 5.0


@dataclass
class Tablet:
    user: str
    token: str = ""
    cursor: int = 0
    #: Ticket id -> (status, version) as the tablet saw it yesterday.
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)
    ops: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    requests: int = 0
    busy: int = 0
    error: str | None = None


def log(message: str) -> None:
    print(message, flush=True)


def scratch_database(admin_url: str, name: str) -> str:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed(url: str, crews: int, per_crew: int) -> list[str]:
    """Crews, their users and their open tickets; the crew codes."""
    db = Database(url)
    secret = hash_password(PASSWORD)
    codes = [f"storm{n:02d}" for n in range(crews)]
    with db.write() as session:
        for code in codes:
            crew = Crew(code=code, name=f"Storm crew {code}")
            session.add(crew)
            session.flush()
            session.add(
                User(username=code, display_name=code, role="crew", password_hash=secret, crew_id=crew.id)
            )
    rng = random.Random(7)
    for code in codes:
        with db.write() as session:
            changes = ChangeSet(session)
            crew_id = changes.crews.id_by_code[code]
            for n in range(per_crew):
                changes.create_ticket(
                    None,
                    service_code="pothole",
                    description=f"Pothole {n}",
                    address=f"Street {n}",
                    lat=60.1 + rng.random() * 0.1,
                    lon=24.8 + rng.random() * 0.3,
                    priority=3,
                    status="assigned",
                    assigned_crew_id=crew_id,
                    due_at=utcnow() + timedelta(days=3),
                )
            changes.publish()
    db.engine.dispose()
    return codes


def night_changes(url: str) -> int:
    """The office moves every open ticket's due time and priority: a day's worth of changes."""
    db = Database(url)
    changed = 0
    with db.read() as session:
        ids = [row[0] for row in session.execute(text("SELECT id FROM tickets ORDER BY id"))]
    for start in range(0, len(ids), 500):
        with db.write() as session:
            changes = ChangeSet(session)
            for ticket in changes.lock(ids[start : start + 500]).values():
                due = (utcnow() + timedelta(days=2)).isoformat()
                changes.set_field(ticket, "due_at", due, None)
                changes.set_field(ticket, "priority", 2, None)
                changed += 1
            changes.publish()
    db.engine.dispose()
    return changed


def follow_feed(client: CaseServerClient, tablet: Tablet) -> int:
    """Pages from the tablet's cursor to the end; the tickets seen (remembered as yesterday's)."""
    seen = 0
    while True:
        page = client.feed(tablet.cursor)
        tablet.requests += 1
        for doc in page["tickets"]:
            tablet.seen[doc["id"]] = (doc["status"], doc["version"])
        seen += len(page["tickets"])
        tablet.cursor = int(page["cursor"])
        if not page["more"]:
            return seen


def queue_ops(tablets: list[Tablet], ops: int) -> int:
    """Notes and status moves from yesterday's view; a crew's tablets move the same tickets."""
    rng = random.Random(11)
    for index, tablet in enumerate(tablets):
        mine = sorted(tablet.seen)
        shared = mine[:3]  # every tablet of the crew moves these: merges and conflicts
        for n in range(ops):
            ticket_id = shared[n % 3] if n < 6 else rng.choice(mine)
            status, version = tablet.seen[ticket_id]
            op: dict[str, Any] = {
                "op_id": str(uuid.uuid4()),
                "ticket_id": ticket_id,
                "device_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"tablet-{index}")),
                "device_time": datetime.now(UTC).isoformat(),
                "ticket_version": version,
            }
            if n < 6:
                value = "en_route" if n < 3 else "in_progress"
                base = status if n < 3 else "en_route"
                op.update(kind="set", field="status", base=base, value=value)
            else:
                op.update(kind="note", value=f"tablet {index} note {n}")
            tablet.ops.append(op)
    return sum(len(t.ops) for t in tablets)


def storm_sync(
    url: str, tablet: Tablet, start: threading.Barrier, rng: random.Random, steps: tuple[str, ...]
) -> None:
    """One device's sync: each step until it succeeds, waiting between tries as the scheduler does
    (what a busy server asked for; after a failure, its exponential backoff)."""
    client = CaseServerClient(url, tablet.token, timeout=120)
    todo = list(steps)
    failures = 0
    start.wait()
    began = time.perf_counter()
    try:
        while todo:
            try:
                if todo[0] == "push":
                    for first in range(0, len(tablet.ops), BATCH):
                        client.push(tablet.ops[first : first + BATCH])
                        tablet.requests += 1
                elif todo[0] == "feed":
                    follow_feed(client, tablet)
                else:
                    client.digest()
                    tablet.requests += 1
                todo.pop(0)
            except (ServerBusy, Offline, ServerFailure) as exc:
                failures += 1
                if isinstance(exc, ServerBusy):
                    tablet.busy += 1
                else:
                    tablet.error = f"{exc} ({exc.__cause__!r})"  # kept; the step is tried again
                time.sleep(retry_delay(exc, failures, RETRY_BASE, 600.0, rng))
    finally:
        tablet.seconds = time.perf_counter() - began
        client.close()


def process_cpu(root: int) -> float:
    """User + system CPU seconds of a process and its children (the server's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def connections(url: str, name: str, stop: threading.Event, seen: list[int]) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        while not stop.is_set():
            count = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            ).scalar_one()
            seen.append(int(count) - 1)  # less this sampler's own
            time.sleep(0.05)
    engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(args: argparse.Namespace, workers: int) -> None:
    name = f"storm_{workers}_{uuid.uuid4().hex[:6]}"
    url = scratch_database(args.admin_url, name)
    folder = Path(tempfile.mkdtemp(prefix="storm-"))
    try:
        upgrade(url)
        codes = seed(url, args.crews, args.changed)
        server = start_server(url, folder, seed=False, workers=workers, **dict(args.server_env))
        try:
            tablets = [Tablet(user=codes[n % len(codes)]) for n in range(args.devices)]
            for tablet in tablets:
                client = CaseServerClient(server.url)
                tablet.token = client.login(tablet.user, PASSWORD, "storm tablet", None)["token"]
                client.token = tablet.token
                follow_feed(client, tablet)
                client.close()
            changed = night_changes(url)
            total_ops = queue_ops(tablets, args.ops)
            log(
                f"\n{workers} server process(es): {args.devices} devices in {len(codes)} crews, "
                f"{changed} tickets changed overnight (~{changed // len(codes)} per crew), "
                f"{total_ops} queued ops"
            )
            full = storm(server, url, name, tablets, ("push", "feed", "digest"))
            sent = [op for tablet in tablets for op in tablet.ops]
            for tablet in tablets:  # the same again, pushes only: the server's CPU per pushed op
                tablet.ops = [{**op, "op_id": str(uuid.uuid4())} for op in tablet.ops if op["kind"] == "note"]
            pushed = sum(len(t.ops) for t in tablets)
            push_only = storm(server, url, name, tablets, ("push",))
            sent += [op for tablet in tablets for op in tablet.ops]
        finally:
            server.stop()
        report("storm", full, total_ops)
        report("pushes only", push_only, pushed)
        check(url, sent)
    finally:
        drop_database(args.admin_url, name)


@dataclass
class Storm:
    seconds: float
    times: list[float]
    requests: int
    busy: int
    errors: list[str]
    connections: int
    server_cpu: float
    devices_cpu: float


def storm(server: Any, url: str, name: str, tablets: list[Tablet], steps: tuple[str, ...]) -> Storm:
    """Every tablet does `steps` at once; the figures."""
    for tablet in tablets:
        tablet.requests = tablet.busy = 0
        tablet.error = None
    start = threading.Barrier(len(tablets) + 1)
    rng = random.Random(5)
    threads = [
        threading.Thread(target=storm_sync, args=(server.url, t, start, random.Random(rng.random()), steps))
        for t in tablets
    ]
    for thread in threads:
        thread.start()
    stop, seen = threading.Event(), []
    sampler = threading.Thread(target=connections, args=(url, name, stop, seen))
    sampler.start()
    cpu_before, own_before = process_cpu(server.process.pid), time.process_time()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    cpu = process_cpu(server.process.pid) - cpu_before
    own = time.process_time() - own_before
    stop.set()
    sampler.join()
    return Storm(
        seconds,
        [t.seconds for t in tablets],
        sum(t.requests for t in tablets),
        sum(t.busy for t in tablets),
        [t.error for t in tablets if t.error],
        max(seen) if seen else 0,
        cpu,
        own,
    )


def report(what: str, run: Storm, ops: int) -> None:
    times = run.times
    log(
        f"  {what}: {run.seconds:.1f} s; per device p50 {percentile(times, 0.5):.2f} s, "
        f"p95 {percentile(times, 0.95):.2f} s, p99 {percentile(times, 0.99):.2f} s"
    )
    first = f": {run.errors[0]}" if run.errors else ""
    log(
        f"    {run.requests} requests = {run.requests / run.seconds:.0f}/s; told to come back "
        f"{run.busy} times; devices that met a failure and retried {len(run.errors)}{first}"
    )
    log(f"    database connections at most {run.connections} (sampled every 50 ms)")
    log(
        f"    server CPU {run.server_cpu:.1f} s = {run.server_cpu / ops * 1e6:.0f} µs per pushed op "
        f"({ops} ops); the devices' own CPU {run.devices_cpu:.1f} s"
    )


def check(url: str, sent: list[dict[str, Any]]) -> None:
    """Every op applied exactly once: each op id once in applied_ops, each note once."""
    engine = create_engine(url)
    ids = [op["op_id"] for op in sent]
    notes = [op["value"] for op in sent if op["kind"] == "note"]
    with engine.connect() as conn:
        applied = conn.execute(text("SELECT op_id FROM applied_ops")).scalars().all()
        stored = conn.execute(text("SELECT text FROM notes")).scalars().all()
    engine.dispose()
    lost = set(ids) - set(applied)
    twice = len(applied) - len(set(applied))
    assert sorted(stored) == sorted(notes), "notes lost or doubled"
    log(
        f"  checked on the server: {len(ids)} ops, {len(lost)} lost, {twice} applied twice; "
        f"{len(notes)} notes stored exactly once"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=300)
    parser.add_argument("--crews", type=int, default=30)
    parser.add_argument("--changed", type=int, default=200, help="tickets per crew, all changed overnight")
    parser.add_argument("--ops", type=int, default=20, help="queued ops per device")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--server-env",
        nargs="*",
        default=[],
        type=lambda pair: tuple(pair.split("=", 1)),
        help="settings for the server, e.g. CASESERVER_MAX_IN_FLIGHT=32 CASESERVER_BUSY_RETRY_SECONDS=1",
    )
    args = parser.parse_args()
    for workers in args.workers:
        run(args, workers)


if __name__ == "__main__":
    main()
