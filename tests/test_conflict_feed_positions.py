"""Conflicts take feed positions from the same counter as ticket changes: none is skipped.

A conflict can be recorded without any change to its ticket (a stale edit that loses),
so it needs a feed position of its own. Taken from the feed counter last in the
transaction, under its row lock, it becomes visible in commit order like a ticket
change (see docs/sync.md, "Positions never skip a late commit"). The surgical test of
tests/test_feed_concurrency.py, for a transaction that records only a conflict, on
PostgreSQL; and, on every backend, a conflict's positions through its life.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from serverproc import fresh_database_url
from sqlalchemy import select, text
from test_feed_concurrency import run_threads

from caseserver.auth import Caller
from caseserver.changes import ChangeSet
from caseserver.db import Database
from caseserver.feed import feed_page
from caseserver.migrate import upgrade
from caseserver.models import Conflict, Crew, FeedCounter, User


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[Database]:
    with fresh_database_url(backend, tmp_path) as url:
        upgrade(url)
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()


def _caller(user: User, role: str, crew: Crew | None) -> Caller:
    return Caller(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=role,
        device_id=None,
        crew_id=crew.id if crew else None,
        crew_code=crew.code if crew else None,
        scope_crews=None if crew is None else frozenset({crew.id}),
        sees_unassigned=crew is None,
    )


def _setup(db: Database) -> tuple[str, str, Caller, Caller]:
    """Tickets X (crew central) and Y (crew south); an admin; aino of crew north."""
    with db.write() as session:
        crews = {code: Crew(code=code, name=code) for code in ("north", "central", "south")}
        session.add_all(crews.values())
        session.flush()
        admin = User(username="admin", display_name="Admin", role="admin", password_hash="-")
        aino = User(
            username="aino", display_name="Aino", role="crew", password_hash="-", crew_id=crews["north"].id
        )
        session.add_all([admin, aino])
        session.flush()
        cs = ChangeSet(session)
        made = [
            cs.create_ticket(
                None,
                service_code="pothole",
                description=f"ticket {crew}",
                address="Mannerheimintie 5, Helsinki",
                lat=60.1699,
                lon=24.9384,
                priority=3,
                status="assigned",
                assigned_crew_id=crews[crew].id,
                due_at=datetime.now(UTC) + timedelta(days=1),
            )
            for crew in ("central", "south")
        ]
        cs.publish()
        return made[0].id, made[1].id, _caller(admin, "admin", None), _caller(aino, "crew", crews["north"])


def _record_conflict(session: Any, ticket_id: str, author: Caller) -> tuple[ChangeSet, Conflict]:
    """What push does for a crew's stale priority edit that loses: a conflict, no ticket change."""
    cs = ChangeSet(session)
    ticket = cs.lock([ticket_id])[ticket_id]
    conflict = Conflict(
        id=str(uuid.uuid4()),
        ticket_id=ticket_id,
        field="priority",
        base="3",
        mine="1",
        theirs="5",
        standing="5",
        audience="crew",
        audience_crew_id=author.crew_id,
        author_id=author.user_id,
        author_crew_id=author.crew_id,
        ticket_crew_id=ticket.assigned_crew_id,
        reason="dispatch changed priority meanwhile",
        status="open",
        created_at=cs.now,
    )
    session.add(conflict)
    cs.conflict_changed(conflict, ticket)
    return cs, conflict


def _page(db: Database, caller: Caller, cursor: int) -> dict[str, Any]:
    with db.read() as session:
        return dict(orjson.loads(feed_page(session, caller, cursor, 100)))


def test_a_conflict_travels_to_its_audience_on_positions_of_its_own(database: Database) -> None:
    """Recorded, changed with its ticket, settled: each a new position, to a crew whose scope
    never held the ticket."""
    db = database
    x_id, _, admin, aino = _setup(db)
    cursor = _page(db, aino, 0)["cursor"]
    with db.write() as session:
        cs, conflict = _record_conflict(session, x_id, aino)
        cs.publish()
        conflict_id, first_seq = conflict.id, conflict.seq
    page = _page(db, aino, cursor)
    assert page["tickets"] == [] and [c["id"] for c in page["conflicts"]] == [conflict_id]
    assert page["conflicts"][0]["ticket"]["assigned_crew"] == "central"
    assert page["cursor"] == first_seq > cursor

    with db.write() as session:  # the ticket moves on: the open conflict follows
        cs = ChangeSet(session)
        ticket = cs.lock([x_id])[x_id]
        cs.set_field(ticket, "priority", 2, admin)
        cs.set_field(ticket, "assigned_crew", "south", admin)
        cs.publish()
    page = _page(db, aino, page["cursor"])
    (moved,) = page["conflicts"]
    assert (moved["standing"], moved["ticket"]["assigned_crew"], moved["status"]) == (2, "south", "open")

    with db.write() as session:  # settled
        cs = ChangeSet(session)
        ticket = cs.lock([x_id])[x_id]
        row = session.get(Conflict, conflict_id)
        assert row is not None
        row.status, row.resolution, row.resolved_by = "resolved", "theirs", aino.user_id
        cs.conflict_changed(row, ticket)
        cs.publish()
    page = _page(db, aino, page["cursor"])
    assert [(c["status"], c["resolved_by"]) for c in page["conflicts"]] == [("resolved", "aino")]
    with db.read() as session:
        assert session.scalar(select(Conflict.seq)) == session.scalar(select(FeedCounter.value))


@pytest.mark.skipif(not os.environ.get("CASESERVER_TEST_DATABASE_URL"), reason="needs PostgreSQL")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_conflict_committed_late_is_not_skipped(database: Database) -> None:
    """A records only a conflict and holds after taking its position; B changes a ticket of
    another crew and must queue behind A on the feed counter; a reader in between sees
    neither, and from its cursor gets both once A commits."""
    db = database
    x_id, y_id, admin, aino = _setup(db)
    cursor0 = _page(db, admin, 0)["cursor"]
    a_ready, a_release, b_done = threading.Event(), threading.Event(), threading.Event()
    pids: dict[str, int] = {}
    seqs: dict[str, int] = {}
    errors: list[str] = []

    def tx_a() -> None:
        with db.write() as session:
            cs, conflict = _record_conflict(session, x_id, aino)
            cs.publish()
            seqs["A"] = conflict.seq
            a_ready.set()
            assert a_release.wait(20), "A was never released"

    def tx_b() -> None:
        with db.write() as session:
            pids["B"] = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            cs = ChangeSet(session)
            ticket = cs.lock([y_id])[y_id]
            cs.add_note(ticket, str(uuid.uuid4()), "note by B", admin, None)
            cs.publish()
            seqs["B"] = ticket.seq
        b_done.set()

    threads = run_threads([("A", tx_a)], errors)
    assert a_ready.wait(20), errors
    threads += run_threads([("B", tx_b)], errors)
    waiting = False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not b_done.is_set() and not waiting:
        if "B" in pids:
            with db.engine.connect() as conn:
                waiting = bool(
                    conn.execute(text("SELECT pg_blocking_pids(:pid)"), {"pid": pids["B"]}).scalar_one()
                )
        time.sleep(0.01)
    middle = _page(db, admin, cursor0)
    a_release.set()
    for t in threads:
        t.join(20)
    assert not errors, errors
    assert waiting and middle["cursor"] == cursor0 and middle["conflicts"] == [], middle
    last = _page(db, admin, middle["cursor"])
    assert len(last["conflicts"]) == 1 and [d["id"] for d in last["tickets"]] == [y_id]
    assert seqs["A"] < seqs["B"] == last["cursor"]
    # The crew it is addressed to gets it too, though the ticket was never in its scope.
    assert [c["id"] for c in _page(db, aino, cursor0)["conflicts"]] == [last["conflicts"][0]["id"]]
