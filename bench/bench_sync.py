"""Sync benchmarks against a real case server process, each next to its floor.

    .venv/bin/python bench/bench_sync.py [--sizes 10000 100000] [--profile DIR]

For every size N a fresh SQLite case server database is seeded with N demo
tickets (caseserver.demo.seed_tickets, before the server starts), a real
`caseserver serve` process is started on a free loopback port, and:

1. initial sync: a fresh device signs in as admin (who sees every ticket) and
   `SyncEngine.sync()` is timed (sign-in excluded). The floor is measured in the
   same run from the exact feed page bodies that sync fetched: GET them all with
   requests from a trivial static HTTP server in another process, plus one bulk
   insert of the same rows into a fresh SQLite file (orjson parse, one
   executemany, one transaction; the replica's own tickets table and indexes,
   WAL + synchronous=FULL like the replica).
2. no-change sync: the synced device syncs again and again with nothing new and
   nothing pending; median time and HTTP requests per sync.
3. push (smallest size only): 1,000 queued ops (a note and a priority change on
   each of 500 tickets) and `SyncEngine.sync()` timed. Two floors: the bytes-only
   floor POSTs the same request bodies (same bytes, same batches) to a trivial
   endpoint that reads and discards them; the judged floor adds the writes the
   server must make durable for those ops, done as one bulk transaction in a fresh
   SQLite file with the server's schema and PRAGMAs (the exact notes, audit events
   and applied-op rows the server wrote, read back from its database, plus an
   UPDATE executemany of the touched tickets' doc, version and seq).

Everything is timed with time.perf_counter; medians over a few runs where cheap.
The timed syncs use a CaseServerClient subclass that only records each exchange
(one list append per request). `--profile DIR` afterwards profiles one more
initial sync of the largest size and one more push (cProfile on the device,
py-spy on the server when available), and times and profiles push() called in
this process on the server's database; `--json FILE` keeps every figure.
See docs/benchmarks.md for results and analysis.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import multiprocessing
import os
import platform
import pstats
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import orjson  # noqa: E402
import requests  # noqa: E402
from serverproc import PASSWORDS, CaseServer, start_server  # noqa: E402

from caseserver.db import Database  # noqa: E402
from caseserver.demo import ensure_crews_and_users, seed_tickets  # noqa: E402
from caseserver.migrate import upgrade  # noqa: E402
from sync.client import CaseServerClient  # noqa: E402
from sync.engine import SyncEngine, SyncReport, sign_in  # noqa: E402
from sync.replica import TICKET_COLUMNS, Replica  # noqa: E402
from sync.wire import ticket_hash  # noqa: E402
from sync.workflow import FINAL  # noqa: E402

USER = "admin"  # sees every ticket; a crew member sees only its own crew's
NOTE = "checked the site, cones placed"


def log(message: str) -> None:
    print(message, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


# -- a device whose HTTP exchanges are recorded ----------------------------------------------


@dataclass
class Exchange:
    method: str
    path_url: str
    request_body: bytes | None
    response: requests.Response
    seconds: float

    @property
    def body(self) -> bytes:
        return self.response.content


@dataclass
class Recorder:
    """Collects every HTTP exchange of the clients it makes (for floors and counts)."""

    exchanges: list[Exchange] = field(default_factory=list)

    def factory(self) -> Callable[[str, str | None], CaseServerClient]:
        recorder = self

        class RecordingClient(CaseServerClient):
            def __init__(self, base_url: str, token: str | None = None) -> None:
                super().__init__(base_url, token)
                self._last: list[requests.Response] = []
                self.session.hooks["response"].append(lambda r, *a, **k: self._last.append(r))

            def _request(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return super()._request(method, path, body, **params)
                finally:
                    seconds = time.perf_counter() - t0
                    for r in self._last:
                        recorder.exchanges.append(
                            Exchange(r.request.method or "", r.request.path_url, r.request.body, r, seconds)
                        )
                    self._last.clear()

        return RecordingClient

    def clear(self) -> None:
        self.exchanges.clear()


# -- the floors: a trivial HTTP server and a bulk insert ------------------------------------------


def _static_server(folder: str, ready: Any) -> None:
    """Serve folder/<i>.json at GET /<i>; read and discard any POST body, answer {}."""
    bodies = [p.read_bytes() for p in sorted(Path(folder).glob("*.json"), key=lambda p: int(p.stem))]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, body: bytes) -> None:
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(
                body
            )
            self.wfile.write(head)
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._reply(bodies[int(self.path.rsplit("/", 1)[1])])

        def do_POST(self) -> None:
            remaining = int(self.headers.get("Content-Length", 0))
            while remaining:
                remaining -= len(self.rfile.read(min(remaining, 1 << 20)))
            self._reply(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ready.put(server.server_address[1])
    server.serve_forever()


class StaticServer:
    """The trivial loopback server, in its own process (as the case server is)."""

    def __init__(self, folder: Path, bodies: list[bytes]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
        for i, body in enumerate(bodies):
            (folder / f"{i}.json").write_bytes(body)
        ctx = multiprocessing.get_context("fork")
        ready = ctx.Queue()
        self.process = ctx.Process(target=_static_server, args=(str(folder), ready), daemon=True)
        self.process.start()
        self.url = f"http://127.0.0.1:{ready.get(timeout=60)}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


def fetch_floor(url: str, count: int) -> float:
    """GET all `count` bodies over one keep-alive connection with requests."""
    with requests.Session() as s:
        _ = s.get(f"{url}/0").content  # connect outside the timing, as sync's login did
        t0 = time.perf_counter()
        total = 0
        for i in range(count):
            r = s.get(f"{url}/{i}", headers={"Accept": "application/json"})
            total += len(r.content)
        return time.perf_counter() - t0


def post_floor(url: str, bodies: list[bytes]) -> float:
    with requests.Session() as s:
        _ = s.get(f"{url}/0").content
        t0 = time.perf_counter()
        for body in bodies:
            r = s.post(f"{url}/push", data=body, headers={"Content-Type": "application/json"})
            _ = r.content
        return time.perf_counter() - t0


def replica_ticket_schema(folder: Path) -> tuple[list[str], list[str]]:
    """The replica's own tickets table and indexes (DDL) and its column names, from a fresh replica."""
    path = folder / "schema-probe.sqlite"
    replica = Replica(path)
    try:
        ddl = [
            sql
            for (sql,) in replica.conn.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'tickets' AND sql IS NOT NULL "
                "ORDER BY type DESC, name"
            )
        ]
        columns = [r[1] for r in replica.conn.execute("PRAGMA table_info(tickets)")]
    finally:
        replica.close()
    return ddl, columns


def insert_floor(bodies: list[bytes], path: Path, ddl: list[str], columns: list[str]) -> dict[str, float]:
    """Parse the page bodies and insert their tickets in one executemany, one transaction.

    The table is the replica's own (same columns, key and indexes), the rows hold the
    same values the replica stores (notes and events as JSON text, the version hash
    when the schema has one), and the PRAGMAs are the replica's: WAL, synchronous=FULL.
    """
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for sql in ddl:
        conn.execute(sql)
    extra = [c for c in columns if c not in TICKET_COLUMNS and c != "revoked"]
    assert extra in ([], ["vhash"]), f"the replica's tickets table changed: {columns}"
    names = [*TICKET_COLUMNS, *extra, "revoked"]
    sql = f"INSERT INTO tickets ({', '.join(names)}) VALUES ({', '.join('?' * (len(names) - 1))}, 0)"
    dumps = orjson.dumps
    t0 = time.perf_counter()
    rows = []
    for body in bodies:
        for d in orjson.loads(body)["tickets"]:
            rows.append(
                (
                    d["id"],
                    d["service_code"],
                    d["description"],
                    d["address"],
                    d["lat"],
                    d["lon"],
                    d["priority"],
                    d["status"],
                    d["assigned_crew"],
                    d["due_at"],
                    d["created_at"],
                    d["updated_at"],
                    d["version"],
                    d["resolution_code"],
                    d["resolution_note"],
                    dumps(d["notes"]).decode(),
                    dumps(d["events"]).decode(),
                    dumps(d.get("photos", [])).decode(),
                )
            )
    t1 = time.perf_counter()
    if extra:
        rows = [(*r, ticket_hash(r[0], r[12])) for r in rows]
    t2 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(sql, rows)
    t3 = time.perf_counter()
    conn.execute("COMMIT")
    t4 = time.perf_counter()
    count = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    conn.close()
    return {
        "total": t4 - t0,
        "parse": t1 - t0,
        "hash": t2 - t1,
        "executemany": t3 - t2,
        "commit": t4 - t3,
        "rows": count,
    }


# -- the case server ---------------------------------------------------------------------------------


def seeded_server(folder: Path, count: int) -> tuple[CaseServer, float]:
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'caseserver.sqlite'}"
    upgrade(url)
    db = Database(url)
    t0 = time.perf_counter()
    with db.write() as session:
        ensure_crews_and_users(session)
        seed_tickets(session, count)
    seconds = time.perf_counter() - t0
    db.dispose()
    return start_server(url, folder, seed=False), seconds


def new_device(folder: Path, server: CaseServer, recorder: Recorder) -> SyncEngine:
    if folder.exists():
        shutil.rmtree(folder)
    path = folder / "replica.sqlite"
    sign_in(path, server.url, USER, PASSWORDS[USER], device_name="bench-tablet")
    return SyncEngine(path, client_factory=recorder.factory())


def timed_sync(engine: SyncEngine) -> tuple[float, SyncReport]:
    t0 = time.perf_counter()
    report = engine.sync()
    return time.perf_counter() - t0, report


# -- the push floor's writes: the rows the push really wrote, as one bulk transaction --------------


def sqlite_path(database_url: str) -> Path:
    assert database_url.startswith("sqlite:///"), database_url
    return Path(database_url.removeprefix("sqlite:///"))


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


@dataclass
class ServerRows:
    """Rows of some case server tables, as stored (column names, then value tuples)."""

    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = field(default_factory=dict)

    def add(self, conn: sqlite3.Connection, table: str, sql: str, keys: list[str] | None = None) -> None:
        """Rows of `sql`; with keys, `sql` has one `IN ({})` list, filled 500 keys at a time."""
        if keys is None:
            cur = conn.execute(sql)
            self.tables[table] = ([d[0] for d in cur.description], cur.fetchall())
            return
        names = [d[0] for d in conn.execute(sql.format("NULL")).description]
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            rows += conn.execute(sql.format(", ".join("?" * len(part))), part).fetchall()
        self.tables[table] = (names, rows)

    def count(self, table: str) -> int:
        return len(self.tables[table][1])


def server_before_push(db_path: Path) -> ServerRows:
    """What the push's rows refer to (crews, users, tickets), as they are before the push."""
    snap = ServerRows()
    conn = read_only(db_path)
    try:
        for table in ("crews", "users", "tickets"):
            snap.add(conn, table, f"SELECT * FROM {table}")
    finally:
        conn.close()
    return snap


def push_ops(bodies: list[bytes]) -> list[dict[str, Any]]:
    return [op for body in bodies for op in orjson.loads(body)["ops"]]


def server_written_by_push(db_path: Path, ops: list[dict[str, Any]]) -> ServerRows:
    """The rows the case server wrote for these ops, read back from its database file."""
    op_ids = [op["op_id"] for op in ops]
    note_ids = [op["op_id"] for op in ops if op["kind"] == "note"]
    ticket_ids = sorted({op["ticket_id"] for op in ops})
    written = ServerRows()
    conn = read_only(db_path)
    try:
        written.add(conn, "notes", "SELECT * FROM notes WHERE id IN ({})", note_ids)
        # The id is left to SQLite, as the server leaves it (autoincrement).
        written.add(
            conn,
            "audit_events",
            "SELECT ticket_id, actor_id, actor_role, device_id, op_id, field, old, new, at, "
            "device_time, version FROM audit_events WHERE op_id IN ({})",
            op_ids,
        )
        written.add(conn, "applied_ops", "SELECT * FROM applied_ops WHERE op_id IN ({})", op_ids)
        written.add(conn, "tickets", "SELECT doc, version, seq, id FROM tickets WHERE id IN ({})", ticket_ids)
    finally:
        conn.close()
    sets = sum(1 for op in ops if op["kind"] == "set")
    assert written.count("notes") == len(note_ids), (written.count("notes"), len(note_ids))
    assert written.count("audit_events") == sets, (written.count("audit_events"), sets)
    assert written.count("applied_ops") == len(ops), (written.count("applied_ops"), len(ops))
    assert written.count("tickets") == len(ticket_ids)
    return written


def _insert_sql(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def write_floor(path: Path, before: ServerRows, written: ServerRows) -> dict[str, float]:
    """The push's writes as one bulk transaction into a fresh case server database file.

    The schema is the server's own (caseserver.migrate.upgrade: same tables, keys, indexes
    and foreign keys) and the PRAGMAs are its engine's (caseserver/db.py): WAL,
    synchronous=NORMAL, foreign_keys=ON. The crews, users and tickets the rows refer to are
    copied in first, untimed, as they were before the push. Timed: one transaction with one
    executemany per table (notes, audit events, applied ops) and one UPDATE executemany of
    the touched tickets' doc, version and seq, with the exact values the server wrote.
    """
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade(f"sqlite:///{path}")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("BEGIN")
    for table in ("crews", "users", "tickets"):
        columns, rows = before.tables[table]
        conn.executemany(_insert_sql(table, columns), rows)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # start from an empty WAL, as after a quiet spell
    inserts = [
        (table, _insert_sql(table, written.tables[table][0]), written.tables[table][1])
        for table in ("notes", "audit_events", "applied_ops")
    ]
    updates = written.tables["tickets"][1]
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    parts: dict[str, float] = {}
    for table, sql, rows in inserts:
        t = time.perf_counter()
        conn.executemany(sql, rows)
        parts[table] = time.perf_counter() - t
    t = time.perf_counter()
    conn.executemany("UPDATE tickets SET doc = ?, version = ?, seq = ? WHERE id = ?", updates)
    parts["tickets_update"] = time.perf_counter() - t
    t = time.perf_counter()
    conn.execute("COMMIT")
    t1 = time.perf_counter()
    parts["commit"] = t1 - t
    parts["total"] = t1 - t0
    counts = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("notes", "audit_events", "applied_ops")
    }
    conn.close()
    for table, _, rows in inserts:
        assert counts[table] == len(rows), (table, counts[table], len(rows))
    return parts


# -- the measurements ----------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    value: str
    floor: str = "-"
    ratio: str = "-"
    goal: str = "-"
    met: str = "-"
    data: dict[str, Any] = field(default_factory=dict)


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def bench_initial(
    server: CaseServer, work: Path, count: int, runs: int, floor_runs: int, recorder: Recorder
) -> tuple[Result, SyncEngine]:
    times, http_times, reports = [], [], []
    engine = None
    for run in range(runs):
        engine = new_device(work / f"device-{run}", server, recorder)
        recorder.clear()
        seconds, report = timed_sync(engine)
        assert report.pulled == count and not report.repulled, report
        times.append(seconds)
        http_times.append(sum(x.seconds for x in recorder.exchanges))
        reports.append(report)
        log(
            f"  initial sync run {run + 1}/{runs}: {seconds:.2f} s "
            f"({report.requests} requests, {sum(x.seconds for x in recorder.exchanges):.2f} s in HTTP calls)"
        )
    assert engine is not None
    feed = [x for x in recorder.exchanges if x.method == "GET" and "/feed" in x.path_url]
    bodies = [x.body for x in feed]
    size = sum(len(b) for b in bodies)

    # Server share: the same feed requests replayed against the real server, nothing applied.
    with engine_replica(engine) as replica:
        token = replica.get("token")
    server_fetch = []
    with requests.Session() as s:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        _ = s.get(f"{server.url}/health").content
        for _ in range(min(runs, 2)):
            t0 = time.perf_counter()
            for x in feed:
                _ = s.get(f"{server.url}{x.path_url}", headers=headers).content
            server_fetch.append(time.perf_counter() - t0)

    # The floor: the same bytes from a trivial server, plus one bulk insert.
    static = StaticServer(work / "static", bodies)
    try:
        fetches = [fetch_floor(static.url, len(bodies)) for _ in range(floor_runs)]
    finally:
        static.stop()
    ddl, columns = replica_ticket_schema(work)
    parts = []
    for _ in range(floor_runs):
        part = insert_floor(bodies, work / "floor.sqlite", ddl, columns)
        assert part["rows"] == count, part
        parts.append(part)
    inserts = [p["total"] for p in parts]
    best = sorted(parts, key=lambda p: p["total"])[len(parts) // 2]
    floor = median(fetches) + median(inserts)
    sync = median(times)
    ratio = sync / floor
    goal_parts = [ratio <= 2.0]
    goal = "<= 2x floor"
    if count == 10_000:
        goal += ", < 2 s"
        goal_parts.append(sync < 2.0)
    log(
        f"  feed: {len(bodies)} pages, {size / 1e6:.1f} MB; HTTP calls inside sync "
        f"(server + transfer + orjson parse): median {fmt_s(median(http_times))}"
    )
    log(
        f"  same feed requests straight from the case server (nothing applied): "
        f"median {fmt_s(median(server_fetch))}"
    )
    log(
        f"  floor: fetch {fmt_s(median(fetches))} (runs {', '.join(fmt_s(f) for f in fetches)}) "
        f"+ bulk insert {fmt_s(median(inserts))} (runs {', '.join(fmt_s(f) for f in inserts)}) "
        f"= {fmt_s(floor)}"
    )
    log(
        "  bulk insert (median run): "
        + ", ".join(f"{k} {fmt_s(best[k])}" for k in ("parse", "hash", "executemany", "commit"))
    )
    result = Result(
        name=f"initial sync, {count:,} tickets",
        value=fmt_s(sync),
        floor=fmt_s(floor),
        ratio=f"{ratio:.1f}x",
        goal=goal,
        met="yes" if all(goal_parts) else "NO",
        data={
            "count": count,
            "sync_runs_s": times,
            "sync_median_s": sync,
            "http_in_sync_median_s": median(http_times),
            "server_feed_fetch_s": server_fetch,
            "floor_fetch_runs_s": fetches,
            "floor_insert_runs_s": inserts,
            "floor_insert_median_parts_s": best,
            "floor_s": floor,
            "ratio": ratio,
            "pages": len(bodies),
            "feed_bytes": size,
            "requests": reports[-1].requests,
        },
    )
    return result, engine


@contextmanager
def engine_replica(engine: SyncEngine) -> Iterator[Replica]:
    replica = Replica(engine.replica_path)
    try:
        yield replica
    finally:
        replica.close()


def bench_nochange(engine: SyncEngine, count: int, runs: int, recorder: Recorder) -> Result:
    times, requests_made, http_seen = [], [], []
    for _ in range(runs):
        recorder.clear()
        seconds, report = timed_sync(engine)
        assert report.pulled == 0 and report.pushed == 0 and not report.repulled, report
        times.append(seconds)
        requests_made.append(report.requests)
        http_seen.append(len(recorder.exchanges))
    med = median(times)
    reqs = max(requests_made)
    log(
        f"  no-change sync: median {med * 1000:.1f} ms, min {min(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms over {runs} runs; report.requests {reqs}, "
        f"HTTP requests seen on the wire {max(http_seen)}"
    )
    return Result(
        name=f"no-change sync, {count:,}-ticket replica",
        value=f"{med * 1000:.1f} ms, {reqs} req",
        goal="1 request, < 50 ms",
        met="yes" if reqs == 1 and max(http_seen) == 1 and med < 0.050 else "NO",
        data={
            "count": count,
            "runs_s": times,
            "median_s": med,
            "requests": reqs,
            "http_seen": max(http_seen),
        },
    )


def queue_ops(engine: SyncEngine, round_no: int, tickets: int) -> float:
    """A note and a priority change on each of `tickets` tickets (2 ops per ticket)."""
    final = ", ".join(f"'{s}'" for s in sorted(FINAL))  # edits on closed tickets become conflicts
    with engine_replica(engine) as replica:
        rows = replica.conn.execute(
            f"SELECT id, priority FROM tickets WHERE revoked = 0 AND status NOT IN ({final}) "
            "ORDER BY id LIMIT ? OFFSET ?",
            (tickets, round_no * tickets),
        ).fetchall()
        assert len(rows) == tickets
        t0 = time.perf_counter()
        for ticket_id, priority in rows:
            replica.add_note(ticket_id, f"bench round {round_no}: {NOTE}")
            replica.set_field(ticket_id, "priority", 2 if priority != 2 else 3)
        seconds = time.perf_counter() - t0
        assert replica.counts()["pending"] == 2 * tickets
    return seconds


def bench_push(
    server: CaseServer, engine: SyncEngine, work: Path, ops: int, runs: int, recorder: Recorder
) -> list[Result]:
    """Push `ops` queued ops; two floors: the request bytes alone, and bytes + the server's writes."""
    db_path = sqlite_path(server.database_url)
    times, push_http, pull_http, floors, queue_times = [], [], [], [], []
    writes: list[dict[str, float]] = []
    written_counts: dict[str, int] = {}
    for run in range(runs):
        queue_times.append(queue_ops(engine, run, ops // 2))
        before = server_before_push(db_path)  # untimed: what the floor's rows refer to
        recorder.clear()
        seconds, report = timed_sync(engine)
        assert report.pushed == ops and report.applied == ops and not report.repulled, report
        times.append(seconds)
        pushes = [x for x in recorder.exchanges if x.method == "POST"]
        push_http.append(sum(x.seconds for x in pushes))
        pull_http.append(sum(x.seconds for x in recorder.exchanges if x.method == "GET"))
        bodies = [x.request_body for x in pushes]
        assert all(isinstance(b, bytes) for b in bodies)
        static = StaticServer(work / "static", [b"{}"])
        try:
            floors.append(post_floor(static.url, bodies))  # type: ignore[arg-type]
        finally:
            static.stop()
        written = server_written_by_push(db_path, push_ops(bodies))  # type: ignore[arg-type]
        written_counts = {t: written.count(t) for t in written.tables}
        writes.append(write_floor(work / "push-floor.sqlite", before, written))
        log(
            f"  push run {run + 1}/{runs}: sync {seconds:.2f} s ({report.requests} requests: "
            f"{len(pushes)} pushes of {', '.join(str(len(b or b'')) for b in bodies)} bytes in "
            f"{push_http[-1]:.2f} s, pull {pull_http[-1]:.2f} s); queueing the ops locally took "
            f"{queue_times[-1]:.2f} s"
        )
        log(
            f"    floor: bytes {floors[-1] * 1000:.1f} ms + writes {writes[-1]['total'] * 1000:.1f} ms ("
            + ", ".join(f"{k} {v * 1000:.1f}" for k, v in writes[-1].items() if k != "total")
            + " ms)"
        )
    sync, floor = median(times), median(floors)
    write = median([w["total"] for w in writes])
    full = floor + write
    ratio, full_ratio = sync / floor, sync / full
    log(
        f"  push: the server wrote {written_counts['notes']} notes, {written_counts['audit_events']} "
        f"audit events, {written_counts['applied_ops']} applied ops and updated "
        f"{written_counts['tickets']} tickets per round"
    )
    log(
        f"  push: sync median {fmt_s(sync)}; floor (bytes) {floor * 1000:.1f} ms -> {ratio:.0f}x; "
        f"floor (bytes + writes) {full * 1000:.1f} ms -> {full_ratio:.1f}x"
    )

    def x(r: float) -> str:
        return f"{r:.0f}x" if r >= 10 else f"{r:.1f}x"

    data = {
        "ops": ops,
        "sync_runs_s": times,
        "sync_median_s": sync,
        "push_http_runs_s": push_http,
        "pull_http_runs_s": pull_http,
        "floor_bytes_runs_s": floors,
        "floor_bytes_median_s": floor,
        "floor_writes_runs": writes,
        "floor_writes_median_s": write,
        "floor_bytes_and_writes_s": full,
        "ratio_bytes_and_writes": full_ratio,
        "ratio_bytes_only": ratio,
        "rows_written_per_round": written_counts,
        "queue_ops_runs_s": queue_times,
    }
    return [
        Result(
            name=f"push {ops:,} queued ops",
            value=fmt_s(sync),
            floor=f"{full * 1000:.1f} ms (bytes + writes)",
            ratio=x(full_ratio),
            goal="<= 3x floor (bytes + writes)",
            met="yes" if full_ratio <= 3 else "NO",
            data=data,
        ),
        Result(
            name=f"push {ops:,} queued ops, bytes-only floor",
            value=fmt_s(sync),
            floor=f"{floor * 1000:.1f} ms (bytes)",
            ratio=x(ratio),
            goal="(reported, not judged)",
        ),
    ]


# -- optional profiling -------------------------------------------------------------------------------


class ServerSampler:
    """py-spy on the case server process while a block runs (when py-spy is available)."""

    def __init__(self, server: CaseServer, raw: Path) -> None:
        self.server = server
        self.raw = raw
        self.py_spy = os.environ.get("PY_SPY") or shutil.which("py-spy")
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerSampler:
        if self.py_spy:
            self.raw.unlink(missing_ok=True)
            self.process = subprocess.Popen(
                [
                    self.py_spy,
                    "record",
                    "--pid",
                    str(self.server.process.pid),
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "--output",
                    str(self.raw),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1.0)  # let py-spy attach
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def summary(self) -> str:
        if not self.py_spy:
            return "  (py-spy not found: no server profile; set PY_SPY=/path/to/py-spy to get one)"
        if not self.raw.exists():
            return "  (py-spy wrote nothing: could it attach to the server process?)"
        text = summarize_py_spy(self.raw)
        self.raw.with_name(self.raw.stem + "-summary.txt").write_text(text)
        return text


def client_profile_report(prof: cProfile.Profile, out: Path, stem: str) -> str:
    prof.dump_stats(out / f"{stem}.prof")
    for sort in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(sort).print_stats(30)
        (out / f"{stem}-{sort}.txt").write_text(buf.getvalue())
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
    return buf.getvalue()


def profile_initial(server: CaseServer, work: Path, count: int, out: Path, recorder: Recorder) -> None:
    """One more initial sync: cProfile on the device side, py-spy on the server if available."""
    out.mkdir(parents=True, exist_ok=True)
    engine = new_device(work / "device-profiled", server, recorder)
    prof = cProfile.Profile()
    with ServerSampler(server, out / f"server-initial-{count}.txt") as sampler:
        t0 = time.perf_counter()
        prof.enable()
        engine.sync()
        prof.disable()
        seconds = time.perf_counter() - t0
    log(f"  profiled initial sync of {count:,}: {seconds:.2f} s under cProfile; files in {out}")
    log(client_profile_report(prof, out, f"client-initial-{count}"))
    log(sampler.summary())


def profile_push(server: CaseServer, engine: SyncEngine, round_no: int, ops: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    queue_ops(engine, round_no, ops // 2)
    prof = cProfile.Profile()
    with ServerSampler(server, out / f"server-push-{ops}.txt") as sampler:
        t0 = time.perf_counter()
        prof.enable()
        engine.sync()
        prof.disable()
        seconds = time.perf_counter() - t0
    log(f"  profiled push of {ops:,} ops: {seconds:.2f} s under cProfile; files in {out}")
    log(client_profile_report(prof, out, f"client-push-{ops}"))
    log(sampler.summary())


def profile_push_in_process(database_url: str, ops: int, out: Path, rounds: int = 3) -> None:
    """push() called in this process on the server's database: where a push's server time goes.

    Same ops as the benchmark's (a note and a priority change per open ticket, taken from the
    end of the id order so they do not meet the timed rounds' tickets), in batches of
    MAX_OPS_PER_PUSH, each validated, applied and committed as the /push endpoint does, without
    HTTP. Timed without a profiler, with the time SQLite spends executing each statement
    recorded through engine events; then one more round under cProfile.
    """
    from sqlalchemy import event, select

    from caseserver.auth import caller_for
    from caseserver.models import Ticket, User
    from caseserver.push import push
    from sync.wire import MAX_OPS_PER_PUSH, PushRequest, PushResponse

    out.mkdir(parents=True, exist_ok=True)
    db = Database(database_url)
    try:
        with db.read() as session:
            user = session.scalars(select(User).where(User.username == USER)).one()
            caller = caller_for(session, user, None)
            tickets = session.execute(
                select(Ticket.id, Ticket.priority, Ticket.version)
                .where(Ticket.status.not_in(sorted(FINAL)))
                .order_by(Ticket.id.desc())
                .limit((rounds + 2) * (ops // 2))
            ).all()
        assert len(tickets) == (rounds + 2) * (ops // 2), "not enough open tickets"

        def bodies(round_no: int) -> list[bytes]:
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            batch: list[dict[str, Any]] = []
            for ticket_id, priority, version in tickets[round_no * (ops // 2) : (round_no + 1) * (ops // 2)]:
                common = {"ticket_id": ticket_id, "device_time": now, "ticket_version": version}
                batch.append({**common, "op_id": str(uuid.uuid4()), "kind": "note", "value": NOTE})
                batch.append(
                    {
                        **common,
                        "op_id": str(uuid.uuid4()),
                        "kind": "set",
                        "field": "priority",
                        "base": priority,
                        "value": 2 if priority != 2 else 3,
                    }
                )
            step = MAX_OPS_PER_PUSH
            return [orjson.dumps({"ops": batch[i : i + step]}) for i in range(0, len(batch), step)]

        # Wall clock and this process's CPU time (SQLite runs in this process too): on a busy
        # machine the CPU time is the steadier figure, as it leaves out waiting for a CPU.
        parts: dict[str, list[float]] = {}
        sql: dict[str, list[float]] = {}

        def clock() -> tuple[float, float]:
            return time.perf_counter(), time.process_time()

        def add(key: str, a: tuple[float, float], b: tuple[float, float]) -> None:
            wall, cpu = parts.setdefault(key, [0.0, 0.0])
            parts[key] = [wall + b[0] - a[0], cpu + b[1] - a[1]]

        def one_push(body: bytes) -> None:
            t0 = clock()
            request = PushRequest.model_validate_json(body)
            t1 = clock()
            with db.write() as session:
                t2 = clock()
                results = push(session, caller, request.ops)
                t3 = clock()
            t4 = clock()
            PushResponse(results=results).model_dump_json()
            t5 = clock()
            assert all(r.outcome == "applied" for r in results), results[:3]
            add("validate the request", t0, t1)
            add("push()", t2, t3)
            add("begin + commit", t1, t2)
            add("begin + commit", t3, t4)
            add("response", t4, t5)
            add("total", t0, t5)

        started: list[float] = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            started.append(time.perf_counter())

        def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seconds = time.perf_counter() - started.pop()
            words = statement.split()
            if words[0] == "BEGIN":
                return  # opened by db.write(), outside push(): counted with the commit
            if words[0] == "SELECT" and " FROM " in statement:
                key = "SELECT ... FROM " + statement.split(" FROM ", 1)[1].split()[0]
            elif words[0] == "UPDATE":
                key = " ".join(words[:4]).rstrip(",")  # which columns: one UPDATE pass each
            else:
                key = " ".join(words[:3])
            sql.setdefault(key, []).append(seconds)

        collecting: list[float] = []
        collected: dict[int, list[float]] = {}

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                collecting.append(time.perf_counter())
            elif collecting:
                collected.setdefault(info["generation"], []).append(time.perf_counter() - collecting.pop())

        for body in bodies(rounds + 1):  # warm-up: statement compilation, caches
            one_push(body)
        parts.clear()  # only the timed rounds count
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        gc.callbacks.append(on_gc)
        for r in range(rounds):
            for body in bodies(r):
                one_push(body)
        gc.callbacks.remove(on_gc)
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
        timed = {k: list(v) for k, v in parts.items()}
        prof = cProfile.Profile()
        prof.enable()
        for body in bodies(rounds):
            one_push(body)
        prof.disable()
        parts = timed
    finally:
        db.dispose()
    sql_total = sum(sum(v) for v in sql.values())
    push_wall, push_cpu = parts["push()"]
    lines = [
        f"in-process push of {ops:,} ops: per {ops:,} ops, mean of {rounds} rounds, no profiler",
        f"  {'':24s} {'wall':>9s} {'CPU':>9s}",
        *(
            f"  {k:24s} {1000 * w / rounds:6.1f} ms {1000 * c / rounds:6.1f} ms"
            for k, (w, c) in parts.items()
        ),
        f"  SQLite executing statements inside push() (wall): {1000 * sql_total / rounds:.1f} ms",
        *(
            f"    {1000 * sum(v) / rounds:6.1f} ms  {len(v) // rounds:4d} x  {k}"
            for k, v in sorted(sql.items(), key=lambda kv: -sum(kv[1]))[:12]
        ),
        f"  push() apart from SQLite statements: {1000 * (push_wall - sql_total) / rounds:.1f} ms wall, "
        f"about {1000 * (push_cpu - sql_total) / rounds:.1f} ms CPU (SQLAlchemy, merge rules, documents)",
        "  garbage collection during the rounds: "
        + (
            ", ".join(
                f"generation {g}: {len(v) / rounds:.1f} x, {1000 * sum(v) / rounds:.1f} ms"
                for g, v in sorted(collected.items())
            )
            or "none"
        ),
    ]
    text = "\n".join(lines)
    (out / f"server-push-{ops}-in-process.txt").write_text(text + "\n")
    log(text)
    log(client_profile_report(prof, out, f"server-push-{ops}-in-process"))


IDLE_FRAMES = ("wait (threading.py", "select (selectors.py", "_worker (concurrent")


def summarize_py_spy(raw: Path, top: int = 30) -> str:
    """Self and inclusive sample shares per function from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    incl: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        count = int(n)
        frames = stack.split(";")
        # Idle worker threads and the event loop's wait are not work.
        if any(s in frames[-1] for s in IDLE_FRAMES):
            continue
        total += count
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for f in set(frames):
            incl[f] = incl.get(f, 0) + count
    lines = [f"server samples while busy: {total}", "", "self:"]
    for f, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * n / max(total, 1):5.1f}%  {f}")
    lines += ["", "inclusive (project and library frames):"]
    for f, n in sorted(incl.items(), key=lambda kv: -kv[1])[: top * 2]:
        lines.append(f"  {100 * n / max(total, 1):5.1f}%  {f}")
    return "\n".join(lines)


# -- the run ---------------------------------------------------------------------------------------------


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "?"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def print_table(results: list[Result]) -> None:
    head = ("measurement", "result", "floor", "ratio", "goal", "met")
    rows = [head] + [(r.name, r.value, r.floor, r.ratio, r.goal, r.met) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for i, row in enumerate(rows):
        log("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            log("  ".join("-" * w for w in widths))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--runs", type=int, default=5, help="initial syncs per size (at most 3 for >= 50k)")
    p.add_argument("--nochange-runs", type=int, default=30)
    p.add_argument("--push-ops", type=int, default=1000)
    p.add_argument("--push-runs", type=int, default=3)
    p.add_argument(
        "--profile",
        type=Path,
        help="after the timed runs, profile one initial sync of the largest size and one push "
        "into this folder (cProfile on the device; py-spy on the server if on PATH or in $PY_SPY)",
    )
    p.add_argument("--json", type=Path, help="write all figures here as JSON")
    p.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = p.parse_args()

    info = machine()
    log(f"machine: {info['nproc']} cpus, {info['cpu']}, Python {info['python']}, SQLite {info['sqlite']}")
    load_before = load_average()
    log(f"load average before: {load_before}")
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        log("WARNING: the machine is busy; figures will be slower and noisier than on a quiet machine")
    results: list[Result] = []
    recorder = Recorder()
    started = time.perf_counter()
    work_root = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    seeding: dict[int, float] = {}
    try:
        sizes = sorted(args.sizes)
        for count in sizes:
            work = work_root / f"n{count}"
            log(f"\n== {count:,} tickets ==")
            server, seeded = seeded_server(work / "server", count)
            seeding[count] = seeded
            log(f"  seeded {count:,} tickets in {seeded:.1f} s (caseserver.demo.seed_tickets)")
            try:
                runs = args.runs if count < 50_000 else max(1, min(args.runs, 3))
                floor_runs = 5 if count < 50_000 else 3
                initial, engine = bench_initial(server, work, count, runs, floor_runs, recorder)
                results.append(initial)
                results.append(bench_nochange(engine, count, args.nochange_runs, recorder))
                if count == sizes[0] and args.push_ops:
                    results.extend(bench_push(server, engine, work, args.push_ops, args.push_runs, recorder))
                    if args.profile:
                        profile_push(server, engine, args.push_runs, args.push_ops, args.profile)
                        profile_push_in_process(server.database_url, args.push_ops, args.profile)
                if args.profile and count == sizes[-1]:
                    profile_initial(server, work, count, args.profile, recorder)
            finally:
                server.stop()
            recorder.clear()
            shutil.rmtree(work / "static", ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
        else:
            log(f"kept {work_root}")
    total = time.perf_counter() - started
    log(f"\nmachine: {info['nproc']} cpus, {info['cpu']}, Python {info['python']}, SQLite {info['sqlite']}")
    log("seeding: " + ", ".join(f"{n:,} tickets {s:.1f} s" for n, s in seeding.items()))
    log(f"load average before: {load_before}; after: {load_average()}")
    log(f"whole benchmark: {total:.0f} s\n")
    print_table(results)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "load_before": load_before,
                    "load_after": load_average(),
                    "seeding_s": seeding,
                    "total_s": total,
                    "results": [r.__dict__ for r in results],
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
