"""The whole status workflow, pinned: every allowed and every refused move, by role.

The tables are written out here on purpose: adding or removing a move in
sync/workflow.py must be a deliberate change to this file too.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from serverproc import CaseServer, Device

from sync.workflow import (
    ON_ASSIGN,
    ON_UNASSIGN,
    STATUSES,
    TRANSITIONS,
    may_set_status,
    next_steps,
    status_after_assignment,
)

#: Moves a crew may make.
CREW_MOVES = {
    ("assigned", "en_route"),
    ("assigned", "in_progress"),
    ("assigned", "on_hold"),
    ("en_route", "in_progress"),
    ("en_route", "on_hold"),
    ("in_progress", "on_hold"),
    ("in_progress", "resolved"),
    ("on_hold", "in_progress"),
    ("on_hold", "en_route"),
    ("on_hold", "resolved"),
}

#: Moves a supervisor (and an admin) may make: the crew's, plus dispatch's.
DISPATCH_MOVES = CREW_MOVES | {
    ("new", "assigned"),
    ("new", "cancelled"),
    ("assigned", "cancelled"),
    ("en_route", "cancelled"),
    ("in_progress", "cancelled"),
    ("on_hold", "cancelled"),
    ("resolved", "closed"),
    ("resolved", "in_progress"),
}

ALLOWED = {"crew": CREW_MOVES, "supervisor": DISPATCH_MOVES, "admin": DISPATCH_MOVES}

#: What assigning or unassigning does to each status (the status stays where not listed).
ASSIGNING = {"new": "assigned"}
UNASSIGNING = {"assigned": "new"}


@pytest.mark.parametrize("role", ["crew", "supervisor", "admin"])
def test_every_status_move_by_role_is_pinned(role: str) -> None:
    assert len(STATUSES) == 8
    for current, new in itertools.product(STATUSES, STATUSES):
        allowed = (current, new) in ALLOWED[role]
        assert may_set_status(role, current, new) == allowed, (role, current, new)
    for current in STATUSES:
        assert next_steps(role, current) == [s for s in STATUSES if (current, s) in ALLOWED[role]]


def test_the_transition_table_has_no_move_outside_the_pinned_ones() -> None:
    table = {(current, new) for current, moves in TRANSITIONS.items() for new in moves}
    assert table == DISPATCH_MOVES
    assert ("resolved", "assigned") not in table
    assert ("assigned", "new") not in table  # only unassigning moves it, never a direct edit


def test_what_assigning_and_unassigning_do_to_the_status() -> None:
    assert dict(ON_ASSIGN) == ASSIGNING
    assert dict(ON_UNASSIGN) == UNASSIGNING
    for status in STATUSES:
        assert status_after_assignment(status, "north") == ASSIGNING.get(status)
        assert status_after_assignment(status, None) == UNASSIGNING.get(status)


def _status_events(ticket: dict) -> list[tuple[str, str, str | None]]:
    return [(e["old"], e["new"], e.get("reason")) for e in ticket["events"] if e["field"] == "status"]


def test_unassigning_returns_an_assigned_ticket_to_the_queue_as_new_and_says_why(
    server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    waiting = server.create_ticket(admin)["id"]
    assigned = server.create_ticket(admin, assigned_crew="north")["id"]
    started = server.create_ticket(admin, assigned_crew="north")["id"]
    crew = Device(tmp_path / "aino", server, "aino")
    crew.sync()
    crew.set(started, "status", "en_route")
    crew.sync()

    sanna = Device(tmp_path / "sanna", server, "sanna")
    sanna.sync()
    sanna.set(waiting, "assigned_crew", "south")
    sanna.set(assigned, "assigned_crew", None)
    sanna.set(started, "assigned_crew", None)
    report = sanna.sync()
    assert report.rejected == 0 and report.conflicts == 0

    on_server = {tid: server.get_ticket(admin, tid) for tid in (waiting, assigned, started)}
    assert (on_server[waiting]["status"], on_server[waiting]["assigned_crew"]) == ("assigned", "south")
    assert _status_events(on_server[waiting]) == [("new", "assigned", "assigned to crew south")]
    assert (on_server[assigned]["status"], on_server[assigned]["assigned_crew"]) == ("new", None)
    assert _status_events(on_server[assigned]) == [
        ("assigned", "new", "unassigned: back to the queue as new")
    ]
    # Work already started keeps its status in the queue; the next crew carries on.
    assert (on_server[started]["status"], on_server[started]["assigned_crew"]) == ("en_route", None)
    assert _status_events(on_server[started]) == [("assigned", "en_route", None)]
    # The devices show the same history, with the reason.
    assert _status_events(sanna.ticket(assigned)) == _status_events(on_server[assigned])
    sanna.set(started, "assigned_crew", "central")
    sanna.sync()
    assert server.get_ticket(admin, started)["status"] == "en_route"
