"""The change feed under concurrent writers on PostgreSQL: no change is ever skipped.

Feed positions are taken last in each write transaction from one counter row,
under its row lock (caseserver/changes.py), and a feed page reads the counter
first and then rows up to it in one snapshot (caseserver/feed.py). So a reader
holding cursor N has seen every change at or below N, even when writers commit
out of the order in which they started.

Two tests:

* an end-to-end one: several `caseserver serve` processes on one PostgreSQL
  database, pusher threads adding notes as fast as they can while puller
  threads follow the feed from cursor 0; every applied note must reach every
  puller, and each puller ends with exactly the server's documents;
* a surgical one, without HTTP: two write transactions in two threads, ordered
  with events so that one of them commits late, and a feed reader in between.
"""

from __future__ import annotations

import bisect
import itertools
import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
import requests
from serverproc import PASSWORDS, CaseServer, fresh_database_url, start_server

from sync.wire import digest_hex, ticket_hash

PG_URL = os.environ.get("CASESERVER_TEST_DATABASE_URL")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not PG_URL,
        reason="needs PostgreSQL: set CASESERVER_TEST_DATABASE_URL (several server processes share it)",
    ),
]

SERVERS = 3
#: Tickets per crew. Crew north is the one under test. Writers of one crew already
#: queue on that crew's scope-digest row (locked before the counter, held to commit),
#: so it takes writers of other crews to overlap with north's on the feed counter:
#: that overlap is the window in which a late commit could be skipped.
TICKETS = {"north": 20, "central": 6, "south": 6}
CREW_OF = {"aino": "north", "eero": "north", "mikko": "central", "liisa": "south", "admin": None}
#: Pushers: (user, rounds, ops per batch). The first one writes big transactions
#: touching many tickets, which stay open longer and make the others queue up
#: behind the ticket and feed-counter locks; the rest push tiny batches.
PUSHERS: list[tuple[str, int, tuple[int, int]]] = [
    ("aino", 8, (8, 12)),
    ("eero", 25, (1, 2)),
    ("aino", 25, (1, 2)),
    ("eero", 25, (1, 3)),
    ("mikko", 25, (1, 2)),
    ("liisa", 25, (1, 2)),
]
#: Pullers: (user, page size). Small pages so that `more` paging is exercised too.
PULLERS: list[tuple[str, int]] = [("aino", 5), ("admin", 3), ("eero", 50), ("mikko", 4)]
DEADLINE_S = 40.0


# -- HTTP helpers ------------------------------------------------------------------------


@dataclass
class Login:
    token: str
    device_id: str


def login(server: CaseServer, user: str) -> Login:
    r = requests.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": user, "password": PASSWORDS[user], "device_name": f"{user}-concurrency"},
        timeout=30,
    )
    r.raise_for_status()
    body = r.json()
    return Login(token=body["token"], device_id=body["device_id"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class PusherLog:
    name: str
    #: note id -> (ticket id, ticket version the push answered with), for every "applied" note.
    applied: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: (monotonic time the answer arrived, ticket id, ticket version) for every applied note.
    acks: list[tuple[float, str, int]] = field(default_factory=list)
    batches: int = 0
    ops: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass
class PullerLog:
    name: str
    page_size: int
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    cursor: int = 0
    pages: int = 0
    docs: int = 0
    #: (ticket id, version held, version received later) whenever a page went backwards.
    regressions: list[tuple[str, int, int]] = field(default_factory=list)
    #: cursor went down (the server must never hand out a smaller cursor).
    cursor_regressions: list[tuple[int, int]] = field(default_factory=list)
    #: A newer version with an older updated_at (observed, not asserted: see the report).
    updated_at_regressions: list[tuple[str, int, str, int, str]] = field(default_factory=list)
    last_page: dict[str, Any] | None = None
    #: After every page with `more` false: (monotonic time the request was sent, ticket
    #: versions held). Such a page reaches the top of the feed, so it must bring every
    #: change committed before the request; see check_checkpoints.
    checkpoints: list[tuple[float, dict[str, int]]] = field(default_factory=list)


def run_pusher(
    log: PusherLog,
    servers: list[CaseServer],
    me: Login,
    offset: int,
    ticket_ids: list[str],
    rounds: int,
    batch: tuple[int, int],
    seed: int,
    start: threading.Event,
    deadline: float,
) -> None:
    rng = random.Random(seed)
    http = requests.Session()
    start.wait(30)
    for n in range(rounds):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{log.name}: deadline passed after {n} rounds")
        server = servers[(offset + n) % len(servers)]
        k = rng.randint(*batch)
        targets = rng.sample(ticket_ids, k) if k <= len(ticket_ids) else rng.choices(ticket_ids, k=k)
        ops = []
        for ticket_id in targets:
            op_id = str(uuid.uuid4())
            ops.append(
                {
                    "op_id": op_id,
                    "ticket_id": ticket_id,
                    "kind": "note",
                    "value": f"{log.name} round {n}: note {op_id}",
                    "device_time": datetime.now(UTC).isoformat(),
                    "device_id": me.device_id,
                }
            )
        r = http.post(f"{server.url}/api/v1/push", json={"ops": ops}, headers=auth(me.token), timeout=30)
        answered = time.monotonic()
        assert r.status_code == 200, f"{log.name} via {server.url}: {r.status_code} {r.text}"
        results = r.json()["results"]
        assert [res["op_id"] for res in results] == [op["op_id"] for op in ops]
        for op, res in zip(ops, results, strict=True):
            log.outcomes[res["outcome"]] += 1
            if res["outcome"] == "applied":
                log.applied[op["op_id"]] = (op["ticket_id"], res["ticket_version"])
                log.acks.append((answered, op["ticket_id"], res["ticket_version"]))
        log.batches += 1
        log.ops += len(ops)


def fetch_page(http: requests.Session, server: CaseServer, token: str, cursor: int, limit: int) -> dict:
    r = http.get(
        f"{server.url}/api/v1/feed",
        params={"cursor": cursor, "limit": limit},
        headers=auth(token),
        timeout=30,
    )
    assert r.status_code == 200, f"feed via {server.url}: {r.status_code} {r.text}"
    return dict(r.json())


def apply_page(log: PullerLog, page: dict[str, Any]) -> None:
    log.pages += 1
    for doc in page["tickets"]:
        log.docs += 1
        held = log.state.get(doc["id"])
        if held is not None and doc["version"] < held["version"]:
            log.regressions.append((doc["id"], held["version"], doc["version"]))
            continue
        if held is not None and doc["version"] > held["version"] and doc["updated_at"] < held["updated_at"]:
            log.updated_at_regressions.append(
                (doc["id"], held["version"], held["updated_at"], doc["version"], doc["updated_at"])
            )
        log.state[doc["id"]] = doc
    for ticket_id in page["revoked"]:
        log.state.pop(ticket_id, None)
    if page["cursor"] < log.cursor:
        log.cursor_regressions.append((log.cursor, page["cursor"]))
    log.cursor = page["cursor"]
    log.last_page = page


def check_checkpoints(log: PullerLog, acks: list[tuple[float, str, int]], scope: set[str]) -> list[str]:
    """Changes a puller had passed over at some moment, even if a later change healed it.

    A push answered at time t has committed by t; a feed page requested after t that
    reads up to the top of the feed (`more` false) leaves the puller holding that
    version or a newer one, unless the feed skipped it. The final-state check alone
    would miss a skipped change whose ticket was changed again later.
    """
    times = [t for t, _ in log.checkpoints]
    problems = []
    for answered, ticket_id, version in acks:
        if ticket_id not in scope:
            continue
        i = bisect.bisect_right(times, answered)
        if i < len(times) and log.checkpoints[i][1].get(ticket_id, 0) < version:
            held = log.checkpoints[i][1].get(ticket_id)
            problems.append(f"{ticket_id}: version {version} answered, then a full read held {held}")
    return problems


def run_puller(
    log: PullerLog,
    servers: list[CaseServer],
    token: str,
    offset: int,
    pushers_done: threading.Event,
    deadline: float,
) -> None:
    http = requests.Session()
    n = offset

    def step() -> dict[str, Any]:
        nonlocal n
        server = servers[n % len(servers)]
        n += 1
        sent = time.monotonic()
        page = fetch_page(http, server, token, log.cursor, log.page_size)
        apply_page(log, page)
        if not page["more"]:
            log.checkpoints.append((sent, {tid: doc["version"] for tid, doc in log.state.items()}))
        return page

    # Follow the feed continuously while the pushers work ...
    while not pushers_done.is_set():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{log.name}: deadline passed while following the feed")
        step()
    # ... then read it out once more: every push has been answered (committed) by now.
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{log.name}: deadline passed while reading out the feed")
        if not step()["more"]:
            break


class LockWatch:
    """Samples pg_stat_activity: how often writers queue on the feed counter or ticket rows."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.samples = 0
        self.counter_waits = 0
        self.ticket_waits = 0
        self.max_counter_waiters = 0
        self.max_open_writers = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lockwatch", daemon=True)

    def __enter__(self) -> LockWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    """
                    SELECT wait_event_type, query, backend_xid IS NOT NULL
                    FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid()
                    """
                ).fetchall()
                self.samples += 1
                counter = sum(1 for w, q, _ in rows if w == "Lock" and "feed_counter" in (q or ""))
                tickets = sum(1 for w, q, _ in rows if w == "Lock" and "FROM tickets" in (q or ""))
                writers = sum(1 for _, _, has_xid in rows if has_xid)
                self.counter_waits += 1 if counter else 0
                self.ticket_waits += 1 if tickets else 0
                self.max_counter_waiters = max(self.max_counter_waiters, counter)
                self.max_open_writers = max(self.max_open_writers, writers)
                time.sleep(0.002)


def run_threads(targets: list[tuple[str, Callable[[], None]]], errors: list[str]) -> list[threading.Thread]:
    threads = []
    for name, fn in targets:

        def body(fn: Callable[[], None] = fn, name: str = name) -> None:
            try:
                fn()
            except BaseException as exc:  # reported by the test, not lost in the thread
                errors.append(f"{name}: {type(exc).__name__}: {exc}")

        t = threading.Thread(target=body, name=name, daemon=True)
        t.start()
        threads.append(t)
    return threads


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[CaseServer]]:
    """Several server processes on one fresh PostgreSQL database (seeded once)."""
    started: list[CaseServer] = []
    with fresh_database_url("postgresql", tmp_path) as url:
        try:
            started.append(start_server(url, tmp_path, seed=True))
            # The others only serve the already seeded database: start them side by side.
            with ThreadPoolExecutor(SERVERS - 1) as pool:
                futures = [pool.submit(start_server, url, tmp_path, seed=False) for _ in range(SERVERS - 1)]
                for future in futures:
                    started.append(future.result())
            yield started
        finally:
            for proc in started:
                proc.stop()


# -- the end-to-end test ------------------------------------------------------------------


def test_concurrent_pushers_on_several_servers_never_make_the_feed_skip(
    servers: list[CaseServer],
) -> None:
    t0 = time.monotonic()
    admin = servers[0].token("admin")
    crew_tickets: dict[str, list[str]] = {}
    n = 0
    for crew, count in TICKETS.items():
        for _ in range(count):
            server = servers[n % len(servers)]
            doc = server.create_ticket(admin, assigned_crew=crew, description=f"{crew} ticket {n}")
            crew_tickets.setdefault(crew, []).append(doc["id"])
            n += 1
    all_tickets = [tid for ids in crew_tickets.values() for tid in ids]

    def scope(user: str) -> list[str]:
        crew = CREW_OF[user]
        return all_tickets if crew is None else crew_tickets[crew]

    pusher_logins = [login(servers[i % len(servers)], user) for i, (user, _, _) in enumerate(PUSHERS)]
    puller_logins = [login(servers[i % len(servers)], user) for i, (user, _) in enumerate(PULLERS)]
    assert len({p.device_id for p in pusher_logins}) == len(PUSHERS)

    deadline = time.monotonic() + DEADLINE_S
    start = threading.Event()
    pushers_done = threading.Event()
    errors: list[str] = []
    pusher_logs = [PusherLog(f"pusher{i}-{user}") for i, (user, _, _) in enumerate(PUSHERS)]
    puller_logs = [PullerLog(f"puller{i}-{user}", size) for i, (user, size) in enumerate(PULLERS)]

    with LockWatch(servers[0].database_url) as watch:
        pullers = run_threads(
            [
                (
                    log.name,
                    lambda log=log, i=i: run_puller(
                        log, servers, puller_logins[i].token, i, pushers_done, deadline
                    ),
                )
                for i, log in enumerate(puller_logs)
            ],
            errors,
        )
        pushers = run_threads(
            [
                (
                    log.name,
                    lambda log=log, i=i: run_pusher(
                        log,
                        servers,
                        pusher_logins[i],
                        i,
                        scope(PUSHERS[i][0]),
                        PUSHERS[i][1],
                        PUSHERS[i][2],
                        seed=1000 + i,
                        start=start,
                        deadline=deadline,
                    ),
                )
                for i, log in enumerate(pusher_logs)
            ],
            errors,
        )
        push_started = time.monotonic()
        start.set()
        for t in pushers:
            t.join(max(1.0, deadline - time.monotonic()))
        push_seconds = time.monotonic() - push_started
        pushers_done.set()
        for t in pullers:
            t.join(max(1.0, deadline - time.monotonic() + 5))
    assert not [t.name for t in pushers + pullers if t.is_alive()], "threads did not finish in time"
    for proc in servers:
        assert proc.process.poll() is None, proc.log()
    assert not errors, "\n".join(errors)

    # Every note was applied (unique op ids: nothing to merge, nothing to refuse).
    applied: dict[str, tuple[str, int]] = {}
    for plog in pusher_logs:
        assert set(plog.outcomes) == {"applied"}, (plog.name, plog.outcomes)
        applied.update(plog.applied)
    assert len(applied) == sum(p.ops for p in pusher_logs)
    notes_by_ticket: dict[str, set[str]] = {}
    for note_id, (ticket_id, _) in applied.items():
        notes_by_ticket.setdefault(ticket_id, set()).add(note_id)

    acks = [ack for plog in pusher_logs for ack in plog.acks]
    current = {tid: servers[0].get_ticket(admin, tid) for tid in all_tickets}

    for (user, _), log in zip(PULLERS, puller_logs, strict=True):
        in_scope = scope(user)
        # Pages only move forward, and never carry an older version after a newer one.
        assert log.cursor_regressions == [], (log.name, log.cursor_regressions[:5])
        assert log.regressions == [], (log.name, log.regressions[:5])
        assert sorted(log.state) == sorted(in_scope), log.name
        # No moment at which a read to the top of the feed lacked an already answered change.
        passed_over = check_checkpoints(log, acks, set(in_scope))
        assert not passed_over, f"{log.name} was passed over changes: {passed_over[:5]}"
        # The real check: a skipped feed position would leave an older version behind.
        for ticket_id in in_scope:
            expected_notes = notes_by_ticket.get(ticket_id, set())
            seen = {n["id"] for n in log.state[ticket_id]["notes"]}
            missing = expected_notes - seen
            assert not missing, (
                f"{log.name} never got {len(missing)} applied note(s) of ticket {ticket_id}: "
                f"holds version {log.state[ticket_id]['version']}, server has {current[ticket_id]['version']}"
            )
        # ... and the puller ends with exactly the server's documents.
        for ticket_id in in_scope:
            doc = current[ticket_id]
            assert log.state[ticket_id]["version"] == doc["version"], (log.name, ticket_id)
            assert log.state[ticket_id] == doc, (log.name, ticket_id)
        # The last page's scope digest agrees with what the puller holds.
        assert log.last_page is not None and log.last_page["more"] is False
        # (sync.wire: the digest is the sum of ticket_hash(id, version), shown by digest_hex.)
        total = sum(ticket_hash(ticket_id, doc["version"]) for ticket_id, doc in log.state.items())
        assert (log.last_page["digest"], log.last_page["count"]) == (digest_hex(total), len(log.state))

    # The mid-run check above must have had something to check. On a loaded machine a
    # puller with tiny pages may reach the top only at the end, but not every puller.
    caught_up = [log.name for log in puller_logs if len(log.checkpoints) >= 2]
    assert caught_up, "no puller reached the top of the feed while the pushers ran"

    # Server-side consistency: every ticket's version is its creation plus one per note.
    for ticket_id, doc in current.items():
        assert doc["version"] == 1 + len(notes_by_ticket.get(ticket_id, ())), ticket_id
        assert {n["id"] for n in doc["notes"]} == notes_by_ticket.get(ticket_id, set())

    # Observations for the report (not assertions): lock queueing seen while pushing, and
    # notes whose order in the document differs from the order they were applied in.
    inversions = 0
    for doc in current.values():
        versions = [applied[n["id"]][1] for n in doc["notes"]]
        inversions += sum(1 for a, b in itertools.pairwise(versions) if a > b)
    total_ops = sum(p.ops for p in pusher_logs)
    print(
        f"\n{len(servers)} servers, tickets {TICKETS}; pushed {total_ops} notes in "
        f"{sum(p.batches for p in pusher_logs)} batches in {push_seconds:.2f}s; "
        f"pullers: "
        + ", ".join(
            f"{p.name} {p.pages} pages/{p.docs} docs/{len(p.checkpoints)} full reads (limit {p.page_size})"
            for p in puller_logs
        )
        + f"; lock watch: {watch.samples} samples, feed-counter waits in {watch.counter_waits} "
        f"(max {watch.max_counter_waiters} waiting), ticket-lock waits in {watch.ticket_waits}, "
        f"max {watch.max_open_writers} open write transactions; "
        f"note-order inversions in docs: {inversions}; updated_at going back between versions "
        f"seen by pullers: {sum(len(p.updated_at_regressions) for p in puller_logs)}; "
        f"total {time.monotonic() - t0:.1f}s"
    )
    # The run must really have had the window in which a late commit could be skipped:
    # write transactions open side by side, and writers queueing on the feed counter
    # behind one that had taken its positions but not yet committed.
    assert watch.max_open_writers >= 2, "no two write transactions were ever open at once"
    assert watch.counter_waits >= 1, "no writer ever queued on the feed counter: the run proves nothing"


# -- the surgical test ----------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Any]:
    from caseserver.db import Database
    from caseserver.migrate import upgrade

    with fresh_database_url("postgresql", tmp_path) as url:
        upgrade(url)
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()


def _read_page(db: Any, caller: Any, cursor: int, limit: int = 100) -> dict[str, Any]:
    from caseserver.feed import feed_page

    with db.read() as session:
        return dict(orjson.loads(feed_page(session, caller, cursor, limit)))


def _versions(page: dict[str, Any]) -> dict[str, int]:
    return {doc["id"]: doc["version"] for doc in page["tickets"]}


@pytest.mark.parametrize("a_holds", ["after-taking-positions", "before-taking-positions"])
def test_a_late_commit_is_not_skipped(database: Any, a_holds: str) -> None:
    """Transaction A on ticket X holds before commit while B on ticket Y goes ahead.

    after-taking-positions: A has taken its feed position and waits; B must queue on
    the feed counter (seen in pg_blocking_pids) and cannot commit before A.
    before-taking-positions: A has locked and changed X but not yet published; B
    commits first with the lower position, a reader moves its cursor past B, and A
    then takes a position above that cursor.
    In both cases the reader must get A's change from the cursor it was given.
    """
    from sqlalchemy import select, text

    from caseserver.auth import Caller
    from caseserver.changes import ChangeSet
    from caseserver.models import Crew, FeedCounter, Ticket, User

    db = database
    with db.write() as session:
        crews = [Crew(code="north", name="North"), Crew(code="central", name="Central")]
        session.add_all(crews)
        session.flush()
        crew_ids = {c.code: c.id for c in crews}
        admin = User(username="admin", display_name="Admin", role="admin", password_hash="-")
        author = User(
            username="aino", display_name="Aino", role="crew", password_hash="-", crew_id=crew_ids["north"]
        )
        session.add_all([admin, author])
        session.flush()
        cs = ChangeSet(session)
        now = datetime.now(UTC)
        made = [
            cs.create_ticket(
                None,
                service_code="pothole",
                description=f"ticket {name}",
                address="Mannerheimintie 5, Helsinki",
                lat=60.1699,
                lon=24.9384,
                priority=3,
                status="assigned",
                assigned_crew_id=crew_ids[crew],
                due_at=now + timedelta(days=1),
            )
            # Different crews, so A and B share no scope-digest row: the only lock
            # they can meet on is the feed counter.
            for name, crew in (("X", "north"), ("Y", "central"))
        ]
        cs.publish()
        x_id, y_id = (t.id for t in made)
        admin_id, author_id = admin.id, author.id

    reader = Caller(
        user_id=admin_id,
        username="admin",
        display_name="Admin",
        role="admin",
        device_id=None,
        crew_id=None,
        crew_code=None,
        scope_crews=None,
        sees_unassigned=True,
    )
    writer = Caller(
        user_id=author_id,
        username="aino",
        display_name="Aino",
        role="crew",
        device_id=None,
        crew_id=crew_ids["north"],
        crew_code="north",
        scope_crews=frozenset({crew_ids["north"]}),
        sees_unassigned=False,
    )

    first = _read_page(db, reader, 0)
    assert _versions(first) == {x_id: 1, y_id: 1} and first["more"] is False
    cursor0 = first["cursor"]

    a_ready = threading.Event()  # A has done what it does before holding
    a_release = threading.Event()
    a_done = threading.Event()
    b_done = threading.Event()
    pids: dict[str, int] = {}
    seqs: dict[str, int] = {}
    errors: list[str] = []

    def tx_a() -> None:
        with db.write() as session:
            pids["A"] = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            cs = ChangeSet(session)
            ticket = cs.lock([x_id])[x_id]
            assert cs.add_note(ticket, str(uuid.uuid4()), "note by A", writer, None)
            if a_holds == "after-taking-positions":
                cs.publish()
                seqs["A"] = ticket.seq
                a_ready.set()
                assert a_release.wait(20), "A was never released"
            else:
                a_ready.set()
                assert a_release.wait(20), "A was never released"
                cs.publish()
                seqs["A"] = ticket.seq
        a_done.set()

    def tx_b() -> None:
        with db.write() as session:
            pids["B"] = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            cs = ChangeSet(session)
            ticket = cs.lock([y_id])[y_id]
            assert cs.add_note(ticket, str(uuid.uuid4()), "note by B", writer, None)
            cs.publish()
            seqs["B"] = ticket.seq
        b_done.set()

    threads = run_threads([("A", tx_a)], errors)
    assert a_ready.wait(20), errors
    threads += run_threads([("B", tx_b)], errors)

    blockers: list[int] = []
    waiting_on: tuple[str | None, str | None] = (None, None)
    if a_holds == "after-taking-positions":
        # B should queue on the feed counter row that A holds until it commits. Wait
        # until it does (or, were positions not ordered by the lock, until B commits).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not b_done.is_set() and not blockers:
            if "B" in pids:
                with db.engine.connect() as conn:
                    blockers = list(
                        conn.execute(text("SELECT pg_blocking_pids(:pid)"), {"pid": pids["B"]}).scalar_one()
                    )
                    waiting_on = tuple(
                        conn.execute(
                            text("SELECT wait_event_type, query FROM pg_stat_activity WHERE pid = :pid"),
                            {"pid": pids["B"]},
                        ).one()
                    )
            time.sleep(0.01)
    else:
        # B goes ahead and commits while A still holds ticket X, uncommitted.
        assert b_done.wait(20), f"B did not commit while A held ticket X only: {errors}"
    b_committed_first = b_done.is_set()
    a_committed_early = a_done.is_set()

    # The reader reads between B's progress and A's commit, then again from the cursor
    # it was given once A has committed.
    held: dict[str, int] = {}
    middle = _read_page(db, reader, cursor0)
    held.update(_versions(middle))
    a_release.set()
    for t in threads:
        t.join(20)
    assert not errors, errors
    assert a_done.is_set() and b_done.is_set()
    last = _read_page(db, reader, middle["cursor"])
    held.update(_versions(last))

    # No skip: the reader holds A's change (and B's).
    assert held == {x_id: 2, y_id: 2}, (
        f"the feed skipped a change: reader holds {held}, positions {seqs}, "
        f"cursors {cursor0} -> {middle['cursor']} -> {last['cursor']}"
    )
    assert last["more"] is False
    assert "note by A" in [n["text"] for doc in last["tickets"] if doc["id"] == x_id for n in doc["notes"]]
    with db.read() as session:
        top = session.scalar(select(FeedCounter.value))
        assert last["cursor"] == top == max(seqs.values())
        assert {t.id: t.version for t in session.scalars(select(Ticket))} == {x_id: 2, y_id: 2}

    # ... and for the reason the design gives.
    assert not a_committed_early
    if a_holds == "after-taking-positions":
        assert blockers == [pids["A"]], f"B was not waiting for A (blockers {blockers})"
        assert waiting_on[0] == "Lock" and "UPDATE feed_counter" in (waiting_on[1] or ""), waiting_on
        assert not b_committed_first, "B committed while A held its feed position"
        # Meanwhile the reader saw neither: A's position was uncommitted, B had none yet.
        assert middle["tickets"] == [] and middle["cursor"] == cursor0, middle
        assert seqs["A"] < seqs["B"], seqs
    else:
        # B committed first with the lower position; the reader moved past it, and A
        # then took its position above that cursor.
        assert _versions(middle) == {y_id: 2}, middle
        assert middle["cursor"] == seqs["B"] > cursor0
        assert seqs["B"] < seqs["A"], seqs
