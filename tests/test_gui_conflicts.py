"""The Conflicts screen with a conflict whose ticket has left the device (real Qt, offscreen)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from serverproc import CaseServer, Device
from test_conflict_matrix import _prepare
from test_gui import _conflict_rows, _settle, _window

from fieldapp.qt import Qt

pytestmark = pytest.mark.usefixtures("no_threads_left_behind")


def test_conflict_of_a_ticket_gone_to_another_crew_is_shown_and_acknowledged(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    ticket_id = _prepare(server, admin, "assigned")
    aino = Device(tmp_path / "aino", server, "aino")
    sanna = Device(tmp_path / "sanna", server, "sanna")
    aino.sync()
    sanna.sync()
    sanna.set(ticket_id, "priority", 5)  # the supervisor, offline
    sanna.set(ticket_id, "assigned_crew", "south")
    aino.set(ticket_id, "priority", 1)
    aino.sync()
    sanna.sync()  # aino's priority is overridden; the ticket is crew south's now

    window = _window(qtbot, aino.folder)  # the remembered device syncs on start
    qtbot.waitUntil(
        lambda: window.bridge.state.conflicts >= 1 and window.bridge.state.phase == "idle", timeout=30_000
    )
    _settle(qtbot, window)
    assert not aino.has(ticket_id)
    window.show_view("conflicts")
    _settle(qtbot, window)
    rows = _conflict_rows(window, ticket_id)
    assert len(rows) == 1
    row, text = rows[0]
    assert text.startswith("You set the priority to “1”.")
    assert "Now standing: “5”." in text
    assert "The ticket: Pothole at Mannerheimintie 5, Helsinki, Assigned, with crew south." in text
    assert "ask your supervisor" in text
    window.conflicts.list.setCurrentRow(row)
    assert not window.conflicts.keep_mine.isEnabled()
    assert window.conflicts.keep_theirs.isEnabled()
    assert "ask your supervisor" in window.conflicts.who_can.text()
    # The ticket is not on this device: activating the row does not try to open it.
    window.conflicts.list.itemActivated.emit(window.conflicts.list.item(row))
    assert window.current_view() == "conflicts"

    with qtbot.waitSignal(
        window.bridge.state_changed,
        timeout=30_000,
        check_params_cb=lambda s: s.phase == "idle" and s.pending == 0,
    ):
        qtbot.mouseClick(window.conflicts.keep_theirs, Qt.MouseButton.LeftButton)
    _settle(qtbot, window)
    window.conflicts.reload()
    _settle(qtbot, window)
    assert _conflict_rows(window, ticket_id) == []
    window.shutdown()
    sanna.sync()
    with sanna.replica() as replica:
        closed = [c for c in replica.conflicts(include_resolved=True) if c["ticket_id"] == ticket_id]
    settled = [(c["status"], c["resolution"], c["resolved_by"]) for c in closed]
    assert settled == [("resolved", "theirs", "aino")]
