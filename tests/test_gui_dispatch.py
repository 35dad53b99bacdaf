"""The dispatch board against a real case server: columns, workload, SLA marks, drag and drop,
the reassign dialog, and the reassignment reaching the new crew's device after sync."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from serverproc import CaseServer, Device

from fieldapp import tasks
from fieldapp.qt import (  # QDragEnterEvent takes a QPoint, QDropEvent a QPointF
    TOUCH,
    QApplication,
    QDragEnterEvent,
    QDropEvent,
    QPointF,
    Qt,
)
from fieldapp.screens import dispatch
from fieldapp.screens.dispatch import MIME_TYPE, DispatchBoard, decode_ids
from fieldapp.theme import current as current_theme
from fieldapp.ticketmodel import OPEN, parse_time

WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def no_tasks_left_behind(qtbot: Any) -> Iterator[None]:
    """Every test ends with the worker idle and every callback delivered."""
    yield
    assert tasks.wait_for_tasks(WAIT_MS)
    qtbot.waitUntil(lambda: tasks.tasks_running() == 0, timeout=WAIT_MS)


@pytest.fixture
def admin(server: CaseServer) -> str:
    return server.token("admin")


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Error dialogs of the board, captured as text instead of shown."""
    shown: list[str] = []
    monkeypatch.setattr(dispatch, "show_error", lambda parent, exc: shown.append(str(exc)))
    return shown


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def ticket(server: CaseServer, token: str, crew: str | None, **fields: Any) -> str:
    fields.setdefault("due_at", iso(timedelta(days=2)))
    return str(server.create_ticket(token, assigned_crew=crew, **fields)["id"])


def open_board(qtbot: Any, device: Device) -> DispatchBoard:
    board = DispatchBoard(device.path)
    qtbot.addWidget(board)
    board.resize(1280, 800)
    board.show()
    wait_idle(qtbot, board)
    return board


def wait_idle(qtbot: Any, board: DispatchBoard) -> None:
    qtbot.waitUntil(lambda: not board.busy(), timeout=WAIT_MS)


def rows_by_id(device: Device) -> dict[str, dict[str, Any]]:
    with device.replica() as replica:
        return {row["id"]: row for row in replica.ticket_rows()}


def mine(ids: list[str], wanted: list[str]) -> list[str]:
    return [i for i in ids if i in wanted]


def test_board_shows_queue_and_crews_with_workload_and_sla_marks(
    server: CaseServer, admin: str, tmp_path: Path, qtbot: Any
) -> None:
    overdue = ticket(server, admin, "north", priority=3, due_at=iso(-timedelta(hours=1)))
    soon = ticket(server, admin, "north", priority=2, due_at=iso(timedelta(hours=2)))
    urgent = ticket(server, admin, "north", priority=1)
    queued = ticket(server, admin, None, priority=2)
    sanna = Device(tmp_path / "sanna", server, "sanna")
    sanna.sync()

    board = open_board(qtbot, sanna)

    assert board.crews() == [None, "central", "north", "south"]
    assert queued in board.ticket_ids(None)
    assert mine(board.ticket_ids("north"), [overdue, soon, urgent]) == [urgent, soon, overdue]
    # Workload in each header, counted from the replica independently of the board.
    assert board.data is not None
    now = board.data.now
    rows = list(rows_by_id(sanna).values())
    for crew in board.crews():
        open_rows = [r for r in rows if r["assigned_crew"] == crew and r["status"] in OPEN]
        late = [r for r in open_rows if (parse_time(r["due_at"]) or now) < now]
        assert sorted(board.ticket_ids(crew)) == sorted(r["id"] for r in open_rows)
        load = board.workload(crew)
        assert (load.open, load.overdue) == (len(open_rows), len(late))
        header = board.header_text(crew)
        assert f"{len(open_rows)} {'waiting' if crew is None else 'open'}" in header
        assert f"{len(late)} overdue" in header
        if crew is not None:
            resolved = sum(1 for r in rows if r["assigned_crew"] == crew and r["status"] == "resolved")
            assert f"{resolved} resolved" in header
    assert board.workload("north").overdue >= 1

    # Overdue and at-risk are marked by colour and by words; the rest are not.
    north = board.column("north")
    late_item, soon_item, fine_item = north.item_for(overdue), north.item_for(soon), north.item_for(urgent)
    assert late_item is not None and soon_item is not None and fine_item is not None
    assert "OVERDUE" in late_item.text()
    assert late_item.foreground().color().name() == current_theme().danger
    assert late_item.font().bold()
    assert "due soon" in soon_item.text()
    assert soon_item.foreground().color().name() == current_theme().warning
    assert "OVERDUE" not in fine_item.text() and "due soon" not in fine_item.text()
    assert fine_item.text().startswith("P1 · Pothole · ")

    # Touch sizes and accessible names.
    assert north.visualItemRect(fine_item).height() >= TOUCH
    assert board.reassign_button.minimumHeight() >= TOUCH
    assert board.refresh_button.minimumHeight() >= TOUCH
    assert north.accessibleName() == "Tickets of crew north"
    assert board.column(None).accessibleName() == "Unassigned tickets"
    assert board.reassign_button.accessibleName()

    # Enter on a ticket opens it.
    north.setFocus()
    north.setCurrentItem(fine_item)
    with qtbot.waitSignal(board.open_ticket, timeout=WAIT_MS) as opened:
        qtbot.keyClick(north, Qt.Key.Key_Return)
    assert opened.args == [urgent]


def test_drag_and_drop_reassigns_and_reaches_the_new_crew(
    server: CaseServer, admin: str, tmp_path: Path, qtbot: Any
) -> None:
    first = ticket(server, admin, "north", description="first")
    second = ticket(server, admin, "north", description="second")
    stays = ticket(server, admin, "north", description="stays")
    sanna = Device(tmp_path / "sanna", server, "sanna")
    mikko = Device(tmp_path / "mikko", server, "mikko")
    sanna.sync()
    mikko.sync()
    assert not mikko.has(first)

    board = open_board(qtbot, sanna)
    north, central = board.column("north"), board.column("central")
    for ticket_id in (first, second):
        item = north.item_for(ticket_id)
        assert item is not None
        item.setSelected(True)
    assert set(board.selected_ids()) == {first, second}

    mime = north.mimeData(north.selectedItems())
    assert set(decode_ids(bytes(mime.data(MIME_TYPE).data()))) == {first, second}
    at = central.viewport().rect().center()
    enter = QDragEnterEvent(
        at, Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(central.viewport(), enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(at), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    with qtbot.waitSignal(board.changed, timeout=WAIT_MS):
        QApplication.sendEvent(central.viewport(), drop)
    assert drop.isAccepted()
    wait_idle(qtbot, board)

    # Queued offline on sanna's device, shown under central as not yet sent.
    rows = rows_by_id(sanna)
    for ticket_id in (first, second):
        assert rows[ticket_id]["assigned_crew"] == "central"
        assert rows[ticket_id].get("pending")
    assert rows[stays]["assigned_crew"] == "north"
    assert sanna.counts()["pending"] == 2
    assert {first, second} <= set(board.ticket_ids("central"))
    assert not {first, second} & set(board.ticket_ids("north"))
    assert stays in board.ticket_ids("north")
    moved_item = central.item_for(first)
    assert moved_item is not None and "not sent yet" in moved_item.text() and moved_item.font().italic()
    assert set(board.selected_ids()) == {first, second}  # the moved tickets stay selected

    # Supervisor syncs, then the new crew: the tickets land on mikko's tablet.
    sanna.sync()
    assert sanna.counts()["pending"] == 0
    mikko.sync()
    for ticket_id in (first, second):
        assert mikko.has(ticket_id)
        on_server = server.get_ticket(admin, ticket_id)
        assert on_server["assigned_crew"] == "central"
        assert on_server["status"] == "assigned"
    assert not mikko.has(stays)

    board.reload()
    wait_idle(qtbot, board)
    synced = central.item_for(first)
    assert synced is not None and "not sent yet" not in synced.text()


def test_reassign_dialog_moves_a_selection_across_columns(
    server: CaseServer, admin: str, tmp_path: Path, qtbot: Any, errors: list[str]
) -> None:
    north_ticket = ticket(server, admin, "north")
    queued = ticket(server, admin, None)
    already = ticket(server, admin, "central")
    sanna = Device(tmp_path / "sanna", server, "sanna")
    sanna.sync()
    board = open_board(qtbot, sanna)

    board.select([north_ticket, queued, already])
    assert set(board.selected_ids()) == {north_ticket, queued, already}
    assert board.reassign_button.isEnabled()
    assert "3 tickets selected" in board.selection_label.text()

    board.ask_reassign()
    picker = board.picker
    assert picker is not None and picker.isVisible()
    assert set(picker.buttons) == {None, "central", "north", "south"}
    assert all(b.minimumHeight() >= TOUCH and b.accessibleName() for b in picker.buttons.values())
    with qtbot.waitSignal(board.changed, timeout=WAIT_MS):
        qtbot.mouseClick(picker.buttons["central"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, board)

    rows = rows_by_id(sanna)
    assert rows[north_ticket]["assigned_crew"] == "central" and rows[north_ticket].get("pending")
    assert rows[queued]["assigned_crew"] == "central" and rows[queued].get("pending")
    assert not rows[already].get("pending")  # already with central: skipped, nothing queued
    assert sanna.counts()["pending"] == 2
    assert {north_ticket, queued, already} <= set(board.ticket_ids("central"))
    assert errors == []

    # reassign() directly: a bad id is reported in plain words, the others still go through.
    with qtbot.waitSignal(board.changed, timeout=WAIT_MS):
        board.reassign([north_ticket, "no-such-ticket"], "south")
    wait_idle(qtbot, board)
    assert len(errors) == 1
    assert "could not be reassigned" in errors[0] and "no-such-" in errors[0]
    assert "Traceback" not in errors[0]
    assert north_ticket in board.ticket_ids("south")

    # Back to the unassigned queue.
    with qtbot.waitSignal(board.changed, timeout=WAIT_MS):
        board.reassign([queued], None)
    wait_idle(qtbot, board)
    assert queued in board.ticket_ids(None)

    sanna.sync()
    assert sanna.counts()["pending"] == 0 and sanna.counts()["rejected"] == 0
    assert server.get_ticket(admin, north_ticket)["assigned_crew"] == "south"
    back = server.get_ticket(admin, queued)
    assert (back["assigned_crew"], back["status"]) == (None, "new")
    assert server.get_ticket(admin, already)["assigned_crew"] == "central"


def test_board_is_for_supervisors(server: CaseServer, tmp_path: Path, qtbot: Any) -> None:
    mikko = Device(tmp_path / "mikko", server, "mikko")
    mikko.sync()
    board = open_board(qtbot, mikko)
    assert board.crews() == []
    assert not board.message.isHidden()
    assert "supervisor" in board.message.text()
