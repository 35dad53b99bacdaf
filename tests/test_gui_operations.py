"""The supervisor's operations view in the real window (offscreen) against a real case server:
figures as big buttons, the tickets behind each, a tap opening the ticket; escalated tickets
marked on the board and counted in the sync strip; the figures still there offline."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from serverproc import CaseServer
from test_gui import _settle, _sign_in, _window

from fieldapp.qt import TOUCH, Qt

pytestmark = pytest.mark.usefixtures("no_threads_left_behind")


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def test_operations_view_lists_the_tickets_behind_each_figure_and_opens_one(  # type: ignore[no-untyped-def]
    qtbot, fresh_server: CaseServer, tmp_path: Path
) -> None:
    server = fresh_server
    admin = server.token("admin")
    late = server.create_ticket(admin, assigned_crew="north", due_at=_iso(-timedelta(hours=2)))["id"]
    soon = server.create_ticket(admin, assigned_crew="south", due_at=_iso(timedelta(hours=1)))["id"]
    server.create_ticket(admin, assigned_crew="south", due_at=_iso(timedelta(days=3)))
    window = _window(qtbot, tmp_path / "laptop")
    _sign_in(qtbot, window, server, "sanna")
    assert window.current_view() == "dispatch"

    # The overdue ticket nobody went to is escalated: on the board and in the sync strip.
    board = window.dispatch

    def marked() -> bool:
        north = board.column("north")
        return north.count() == 1 and "⚑ ESCALATED" in north.item(0).text()

    qtbot.waitUntil(marked, timeout=20_000)
    strip = window.status.escalated
    qtbot.waitUntil(lambda: strip.isVisible() and strip.text() == "1 escalated", timeout=20_000)
    assert strip.height() >= TOUCH

    # Tapping the count opens the operations view with the escalated tickets listed.
    qtbot.mouseClick(strip, Qt.MouseButton.LeftButton)
    view = board.operations
    qtbot.waitUntil(
        lambda: view is not None and view.data is not None and view.listed_ids() == [late], timeout=20_000
    )
    assert board.views.currentWidget() is view
    assert "changes since then are not counted" in view.freshness.text()

    buttons = view.buttons
    assert buttons["open"].text() == "Open: 3"
    assert buttons["overdue"].text() == "Overdue: 1"
    assert buttons["at_risk"].text() == "Due within 2 h: 1"
    assert buttons["crew:south"].text().startswith("Crew south: 2 open")
    assert all(b.height() >= TOUCH for b in buttons.values())
    qtbot.mouseClick(buttons["at_risk"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.listed_ids() == [soon], timeout=20_000)
    qtbot.mouseClick(buttons["crew:north"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.listed_ids() == [late], timeout=20_000)

    # A tap on a listed ticket opens it.
    row = view.tickets.visualItemRect(view.tickets.item(0))
    assert row.height() >= TOUCH
    qtbot.mouseClick(view.tickets.viewport(), Qt.MouseButton.LeftButton, pos=row.center())
    qtbot.waitUntil(lambda: window.current_view() == "ticket", timeout=10_000)
    qtbot.waitUntil(
        lambda: window.ticket.ticket is not None and window.ticket.ticket["id"] == late, timeout=10_000
    )
    _settle(qtbot, window)

    # Offline: the server is gone, the figures are computed from the replica all the same.
    server.stop()
    window.show_view("dispatch")
    board.show_operations(False)
    view.data = None  # the figures below must come from a new computation, not the last one
    board.show_operations(True)
    qtbot.waitUntil(lambda: not view.busy() and view.data is not None, timeout=20_000)
    assert view.buttons["open"].text() == "Open: 3"
    window.shutdown()
