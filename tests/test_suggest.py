"""Dispatch suggestions: the order and the reasons for a fixed fixture, the pruned search equal
to measuring every crew, and "Assign suggested" on the real board against a real server
(spreading a bulk assignment, queued offline, reaching the server)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import math
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from serverproc import CaseServer, Device
from test_gui_dispatch import no_tasks_left_behind, open_board, wait_idle  # noqa: F401

from fieldapp.qt import TOUCH, Qt
from sync.suggest import KM_PER_HOUR, NO_WORK_KM, crew_work, suggest

# Two work sites 2 km apart in Helsinki; a crew with no work.
SITE_A = (60.1700, 24.9400)
SITE_B = (60.1700, 24.9760)  # 2.0 km east of A


def test_the_nearest_crew_with_the_least_work_comes_first_with_its_reasons() -> None:
    work = crew_work(
        ["east", "north", "south"],
        [
            ("north", *SITE_A, 3),  # 2 h
            ("south", *SITE_B, 1),  # 4 h
            ("south", *SITE_B, 1),  # 4 h
            ("west", *SITE_A, 1),  # not a crew we may assign: ignored
        ],
    )
    ranked = suggest(SITE_A[0], SITE_A[1] + 0.001, work, limit=3)  # 56 m east of A
    assert [s.crew for s in ranked] == ["north", "east", "south"]
    north, east, south = ranked
    assert north.distance_km is not None and abs(north.distance_km - 0.056) < 0.002
    assert (north.open_tickets, north.hours) == (1, 2.0)
    assert north.cost_km == round(north.distance_km + 2.0 * KM_PER_HOUR, 3)
    assert (east.distance_km, east.open_tickets, east.cost_km) == (None, 0, NO_WORK_KM)
    assert south.distance_km is not None and abs(south.distance_km - 1.94) < 0.02
    assert (south.open_tickets, south.hours) == (2, 8.0)
    # The same input, the same answer; equal costs go to the crew code.
    assert suggest(SITE_A[0], SITE_A[1] + 0.001, work, limit=3) == ranked
    twins = crew_work(["b", "a"], [("a", *SITE_A, 3), ("b", *SITE_A, 3)])
    assert [s.crew for s in suggest(*SITE_A, twins)] == ["a", "b"]


_PLACE = st.tuples(st.floats(60.10, 60.25), st.floats(24.80, 25.10))


@settings(max_examples=200, deadline=None)
@given(
    sites=st.lists(st.tuples(st.sampled_from("abcdef"), _PLACE, st.integers(1, 5)), max_size=40),
    ticket=_PLACE,
    limit=st.integers(1, 6),
    services=st.dictionaries(st.sampled_from("abcdef"), st.sets(st.sampled_from(["pothole", "graffiti"]))),
)
def test_the_pruned_search_equals_measuring_every_crew(
    sites: list[tuple[str, tuple[float, float], int]],
    ticket: tuple[float, float],
    limit: int,
    services: dict[str, set[str]],
) -> None:
    work = crew_work("abcdef", [(crew, lat, lon, p) for crew, (lat, lon), p in sites], services)
    scale = math.cos(math.radians(ticket[0]))
    every = []
    for crew in work:
        distance = crew.nearest_km(*ticket, scale) if crew.places else None
        cost = round((NO_WORK_KM if distance is None else distance) + KM_PER_HOUR * crew.hours, 3)
        misses = bool(services.get(crew.crew)) and "pothole" not in services[crew.crew]
        every.append((misses, cost, crew.crew))
    ranked = suggest(*ticket, work, limit=limit, service="pothole")
    assert [(not s.handles, s.cost_km, s.crew) for s in ranked] == sorted(every)[:limit]


def test_assign_suggested_on_the_board_spreads_the_tickets_and_says_why(
    fresh_server: CaseServer, tmp_path: Path, qtbot: Any
) -> None:
    server = fresh_server
    admin = server.token("admin")
    # north works at A, south at B, central nowhere yet.
    server.create_ticket(admin, assigned_crew="north", lat=SITE_A[0], lon=SITE_A[1], priority=3)
    server.create_ticket(admin, assigned_crew="south", lat=SITE_B[0], lon=SITE_B[1], priority=3)
    near_a = server.create_ticket(admin, lat=SITE_A[0], lon=SITE_A[1] + 0.001, priority=2)["id"]
    near_b = server.create_ticket(admin, lat=SITE_B[0], lon=SITE_B[1] - 0.001, priority=3)["id"]
    sanna = Device(tmp_path / "sanna", server, "sanna")
    sanna.sync()
    board = open_board(qtbot, sanna)
    assert sorted(board.ticket_ids(None)) == sorted([near_a, near_b])
    assert board.suggest_button.minimumHeight() >= TOUCH and not board.suggest_button.isEnabled()

    board.select([near_a, near_b])
    board._update_selection()
    assert board.suggest_button.isEnabled()
    qtbot.mouseClick(board.suggest_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.ticket_ids(None) == [], timeout=20_000)
    wait_idle(qtbot, board)
    assert near_a in board.ticket_ids("north") and near_b in board.ticket_ids("south")
    words = board.suggested.text().splitlines()
    assert len(words) == 2 and board.suggested.isVisible()
    assert "→ crew north: 0.1 km from its nearest open ticket · 1 open (about 2 h of work)" in words[0]
    assert "→ crew south:" in words[1] and "(next: crew" in words[1]

    # Queued like any reassignment: the server has them after the sync.
    sanna.sync()
    assert server.get_ticket(admin, near_a)["assigned_crew"] == "north"
    assert server.get_ticket(admin, near_b)["assigned_crew"] == "south"
