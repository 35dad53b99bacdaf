"""The work record on the ticket screen: one tap per unit of material, per checklist tick and
per quarter hour of correction, 48 px targets that stay put, all reaching the server."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path
from typing import Any

import pytest
from serverproc import CaseServer
from test_gui_ticket import Taps, _open, _synced, _window

from fieldapp.qt import TOUCH, QMessageBox, QPoint
from sync.replica import Replica

pytestmark = pytest.mark.usefixtures("no_threads_left_behind")


def test_materials_checklist_and_time_in_one_tap_each(
    qtbot: Any, work_server: CaseServer, tmp_path: Path
) -> None:
    server = work_server
    sanna = server.token("sanna")
    ticket = server.create_ticket(sanna, assigned_crew="north")["id"]
    window = _window(qtbot, server, tmp_path / "aino")
    _open(qtbot, window, ticket)
    box = window.ticket.work_box
    minus, plus = box.material_buttons["asphalt_t"]
    check = box.check_buttons["area_safe"]
    on_site_plus = box.findChildren(type(plus), None)  # every button of the box
    targets = [minus, plus, check, *box.material_buttons["cold_patch_bag"], *on_site_plus]
    assert all(b.height() >= TOUCH and b.width() >= TOUCH for b in targets)
    assert box.material_labels["asphalt_t"].text() == "0 t" and not minus.isEnabled()
    assert check.text() == "☐ Area made safe (required)" and not check.isChecked()
    where = {id(b): b.mapTo(window, QPoint(0, 0)) for b in (minus, plus, check)}

    taps = Taps(qtbot)

    def settle() -> None:
        qtbot.waitUntil(lambda: not window.ticket.busy(), timeout=30_000)

    taps.button(plus)
    settle()
    taps.button(plus)
    settle()
    qtbot.waitUntil(lambda: box.material_labels["asphalt_t"].text() == "0.2 t", timeout=30_000)
    assert minus.isEnabled()
    # Resolving with the required item unticked is stopped, in one plain sentence; nothing queued.
    window.ticket.resolve("fixed", "Filled")
    boxes = [b for b in window.ticket.findChildren(QMessageBox) if b.isVisible()]
    assert [b.text() for b in boxes] == ["Tick the checklist before resolving: Area made safe"]
    boxes[0].close()
    settle()
    assert window.ticket.ticket["status"] == "assigned"
    replica = Replica(window.replica_path)
    try:  # no status, outcome or note was queued for the refused resolution
        queued = replica.conn.execute(
            "SELECT count(*) FROM outbox WHERE ticket_id = ? AND kind IN ('set', 'note')", (ticket,)
        ).fetchone()[0]
    finally:
        replica.close()
    assert queued == 0
    taps.button(check)
    settle()
    qtbot.waitUntil(lambda: check.text().startswith("☑"), timeout=30_000)
    time_plus = next(
        b for b in box.findChildren(type(plus)) if b.accessibleName() == "On site: 15 minutes more"
    )
    taps.button(time_plus)
    settle()
    qtbot.waitUntil(lambda: box.time_labels["on_site"].text() == "15 min ✎", timeout=30_000)
    assert taps.count == 4
    assert all(b.mapTo(window, QPoint(0, 0)) == where[id(b)] for b in (minus, plus, check))  # nothing moved

    _synced(qtbot, window)
    work = server.get_ticket(sanna, ticket)["work"]
    assert sorted((r["type"], r.get("material") or r.get("item") or r.get("time_kind")) for r in work) == [
        ("check", "area_safe"),
        ("material", "asphalt_t"),
        ("material", "asphalt_t"),
        ("time", "on_site"),
    ]
