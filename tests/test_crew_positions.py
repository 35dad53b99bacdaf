"""Crew positions: off until the crew turns sharing on, audited on and off, seen only by the
crew's supervisors (403 for crews, nothing for another supervisor's crews), removed when
sharing stops, on the supervisor's map with their age, and used by dispatch suggestions."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from serverproc import CaseServer, Device, fresh_database_url, run_caseserver, start_server
from test_gui import _sign_in, _window
from test_gui_maps import wait_map
from test_mapview import js

from fieldapp.qt import TOUCH, Qt
from fieldapp.screens.crewpositions import age_words
from fieldapp.screens.suggestions import latest_positions, reason
from sync.suggest import crew_work, suggest

HERE = (60.1702, 24.9411)


def _get(server: CaseServer, token: str, path: str) -> requests.Response:
    return requests.get(
        f"{server.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def _token(server: CaseServer, user: str, password: str) -> str:
    body = {"username": user, "password": password, "device_name": "laptop"}
    answer = requests.post(f"{server.url}/api/v1/auth/login", json=body, timeout=30)
    answer.raise_for_status()
    return str(answer.json()["token"])


@pytest.fixture(scope="module")
def positions_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseServer]:
    """One server for the module, in file order: the audit test first sees an empty log."""
    folder = tmp_path_factory.mktemp(f"positions-{backend}")
    with fresh_database_url(backend, folder) as url:
        server = start_server(url, folder)
        try:
            yield server
        finally:
            server.stop()


def test_sharing_is_opt_in_audited_and_seen_only_by_the_crews_supervisors(
    positions_server: CaseServer, tmp_path: Path
) -> None:
    server = positions_server
    done = run_caseserver(
        server.database_url,
        "user",
        "add",
        "olli",
        "--role",
        "supervisor",
        "--supervises",
        "south",
        "--password",
        "olli-pass-1",
    )
    assert done.returncode == 0, done.stderr
    sanna, olli, admin = server.token("sanna"), _token(server, "olli", "olli-pass-1"), server.token("admin")
    aino = Device(tmp_path / "aino", server, "aino")
    aino.engine.note_position(*HERE, 8.0)
    aino.sync()  # sharing is off by default: nothing is sent
    assert _get(server, sanna, "/crew-positions").json() == []
    fix = {"lat": 1.0, "lon": 2.0, "fixed_at": datetime.now(UTC).isoformat()}
    refused = requests.post(
        f"{server.url}/api/v1/position",
        json=fix,
        headers={"Authorization": f"Bearer {server.token('aino')}"},
        timeout=30,
    )
    assert refused.status_code == 409 and "turn it on first" in refused.json()["detail"]

    with aino.replica() as replica:
        replica.set_position_sharing(True)
    aino.sync()
    (seen,) = _get(server, sanna, "/crew-positions").json()
    assert (seen["crew"], seen["user"], seen["lat"], seen["lon"], seen["accuracy_m"]) == (
        "north",
        "aino",
        *HERE,
        8.0,
    )
    assert _get(server, olli, "/crew-positions").json() == []  # south's supervisor: not north's crews
    assert _get(server, server.token("eero"), "/crew-positions").status_code == 403  # crews see none
    assert len(_get(server, admin, "/crew-positions").json()) == 1
    # The supervisor's device keeps them for the map and for suggestions, offline.
    laptop = Device(tmp_path / "sanna", server, "sanna")
    laptop.sync()
    with laptop.replica() as replica:
        assert [(p["crew"], p["user"]) for p in replica.get("crew_positions")] == [("north", "aino")]

    with aino.replica() as replica:
        replica.set_position_sharing(False)
    aino.sync()
    assert _get(server, sanna, "/crew-positions").json() == []  # gone from the server at once
    log = _get(server, admin, "/position-sharing/log").json()
    assert [(entry["user"], entry["enabled"]) for entry in log] == [("aino", True), ("aino", False)]
    assert all(entry["device_time"] for entry in log)
    assert _get(server, sanna, "/position-sharing/log").status_code == 403


def test_a_crew_without_open_tickets_is_measured_from_its_last_position() -> None:
    positions = latest_positions(
        [
            {"crew": "east", "lat": 60.30, "lon": 25.20, "fixed_at": "2026-12-04T08:00:00+00:00"},
            {
                "crew": "east",
                "lat": 60.1702,
                "lon": 24.9420,
                "fixed_at": "2026-12-04T09:00:00+00:00",
            },  # newer
        ]
    )
    work = crew_work(["east", "north"], [("north", 60.1900, 24.9400, 3)], positions=positions)
    best, runner = suggest(*HERE, work, limit=2)
    assert (
        best.crew == "east" and best.from_position and best.distance_km is not None and best.distance_km < 0.1
    )
    assert "km from its last reported position" in reason(best)
    assert runner.crew == "north" and not runner.from_position
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert [
        age_words(now - delta, now)
        for delta in (timedelta(seconds=20), timedelta(minutes=12), timedelta(hours=3))
    ] == [
        "just now",
        "12 min ago",
        "3 h ago",
    ]


def test_the_crew_turns_sharing_on_in_one_tap_and_the_supervisor_sees_it_on_the_map(
    qtbot: Any, positions_server: CaseServer, tmp_path: Path
) -> None:
    server = positions_server
    server.create_ticket(server.token("admin"), assigned_crew="north", lat=60.1601, lon=24.9201)
    tablet = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, tablet, server, "aino")
    tablet.show_view("settings")
    button = tablet.settings.sharing_button
    qtbot.waitUntil(lambda: not tablet.settings.busy(), timeout=30_000)
    assert not button.isChecked() and button.height() >= TOUCH  # off until the crew turns it on
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tablet.settings.busy(), timeout=30_000)
    assert button.isChecked()
    tablet.set_position(60.1605, 24.9210, 6.0)  # a fix from the position source
    tablet.bridge.sync_now()
    qtbot.waitUntil(
        lambda: _get(server, server.token("sanna"), "/crew-positions").json() != [], timeout=30_000
    )

    laptop = _window(qtbot, tmp_path / "laptop")
    _sign_in(qtbot, laptop, server, "sanna")
    laptop.dispatch.show_map(True)
    view = laptop.dispatch.map
    wait_map(qtbot, view)
    labels = js(qtbot, view, "fa.crews.map(function (d) { return d.getTooltip().getContent(); })")
    assert (
        len(labels) == 1
        and labels[0].startswith("north · aino · ")
        and labels[0].endswith(("just now", "min ago"))
    )
