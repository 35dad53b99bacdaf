"""The crew's screens under a finger: one tap, nothing moves, few taps to resolved.

Real widgets offscreen, a real case server process, positions from the recorded drive.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
import requests
from photohelpers import jpeg_with_gps
from serverproc import CaseServer
from test_gui import _settle, _sign_in, _window

from fieldapp.mainwindow import MainWindow
from fieldapp.positioning import PositionService
from fieldapp.qt import QApplication, QEvent, QMouseEvent, QPoint, QPointF, QScroller, Qt
from fieldapp.screens.mywork import HOLD_ORDER_SECONDS
from sync.photos import attach_photo
from sync.replica import Replica

pytestmark = pytest.mark.usefixtures("no_threads_left_behind")
TRACK = Path(__file__).resolve().parents[1] / "resources" / "nmea" / "helsinki-drive.nmea"
#: Real addresses along the recorded drive (it ends on Aleksanterinkatu by the Senate Square).
PLACES = [
    ("Mannerheimintie 18", 60.169080, 24.939124),
    ("Eteläesplanadi 18", 60.167009, 24.946228),
    ("Aleksanterinkatu 22", 60.168965, 24.952540),
    ("Kaivokatu 8", 60.170900, 24.943500),
    ("Unioninkatu 20", 60.169700, 24.951500),
    ("Pohjoisesplanadi 33", 60.167900, 24.948000),
]


class Taps:
    """Taps on real widgets, counted."""

    def __init__(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        self.qtbot = qtbot
        self.count = 0

    def on(self, widget, pos: QPoint | None = None) -> None:  # type: ignore[no-untyped-def]
        assert widget.isVisible() and widget.isEnabled(), widget
        self.count += 1
        if pos is None:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        else:
            self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)

    def card(self, window: MainWindow, ticket_id: str) -> None:
        cards = window.mywork.cards
        row = window.mywork.model.visible_ids().index(ticket_id)
        cards.scrollTo(window.mywork.model.index(row, 0))
        self.on(cards.viewport(), cards.visualRect(window.mywork.model.index(row, 0)).center())


def _crew_tickets(server: CaseServer, crew: str = "central") -> list[str]:
    admin = server.token("admin")
    return [
        str(server.create_ticket(admin, assigned_crew=crew, address=a, lat=lat, lon=lon)["id"])
        for a, lat, lon in PLACES
    ]


def _drag(widget, start: QPoint, end: QPoint, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A finger pressed, moved and lifted (a flick), as mouse events with the button held."""

    def send(kind: QEvent.Type, at: QPoint, button: Qt.MouseButton, buttons: Qt.MouseButton) -> None:
        point = QPointF(at)
        event = QMouseEvent(
            kind, point, QPointF(widget.mapToGlobal(at)), button, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(widget, event)

    left = Qt.MouseButton.LeftButton
    send(QEvent.Type.MouseButtonPress, start, left, left)
    steps = 12
    for i in range(1, steps + 1):
        qtbot.wait(15)
        at = start + (end - start) * i / steps
        send(QEvent.Type.MouseMove, QPoint(int(at.x()), int(at.y())), Qt.MouseButton.NoButton, left)
    send(QEvent.Type.MouseButtonRelease, end, left, Qt.MouseButton.NoButton)


def test_one_tap_opens_the_tapped_ticket_while_positions_arrive_and_a_flick_opens_none(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    _crew_tickets(server)
    window = _window(qtbot, tmp_path / "tablet")
    window.resize(800, 1280)
    _sign_in(qtbot, window, server, "mikko")
    window.mywork.map_button.setChecked(False)
    service = PositionService.nmea_file(TRACK, window, speed=20)
    window.use_position_service(service)
    qtbot.waitUntil(lambda: window.mywork.model.position is not None, timeout=20_000)
    assert window.mywork.sort.currentData() == "distance"
    cards = window.mywork.cards

    # A flick scrolls and opens nothing.
    taps = Taps(qtbot)
    rect = cards.viewport().rect()
    _drag(
        cards.viewport(), QPoint(rect.center().x(), rect.bottom() - 20), QPoint(rect.center().x(), 40), qtbot
    )
    qtbot.wait(300)
    assert window.current_view() == "mywork"

    # The drive goes on; a finger on the list holds its order, and the tap opens the card
    # that was under it, never a neighbour.
    opened = []
    for flick in range(3):
        down = flick % 2 == 0
        _drag(
            cards.viewport(),
            QPoint(rect.center().x(), rect.center().y() + (60 if down else -60)),
            QPoint(rect.center().x(), rect.center().y() + (-60 if down else 60)),
            qtbot,
        )
        scroller = QScroller.scroller(cards.viewport())
        qtbot.waitUntil(lambda s=scroller: s.state() == QScroller.State.Inactive, timeout=5_000)
        order = window.mywork.model.visible_ids()
        under = cards.indexAt(rect.center())
        wanted = order[under.row()]
        seen_at = cards.visualRect(under).center()
        qtbot.wait(int(HOLD_ORDER_SECONDS * 1000 / 3))  # fixes keep arriving meanwhile
        assert window.mywork.model.visible_ids() == order  # nothing moved under the finger
        taps.on(cards.viewport(), seen_at)
        qtbot.waitUntil(lambda: window.current_view() == "ticket", timeout=10_000)
        _settle(qtbot, window)
        opened.append((wanted, window.ticket.ticket["id"]))
        qtbot.keyClick(window.ticket, Qt.Key.Key_Escape)  # Esc goes back to the list
        qtbot.waitUntil(lambda: window.current_view() == "mywork", timeout=5_000)
    assert all(a == b for a, b in opened), opened
    assert service.fixes > 0
    window.shutdown()


def test_the_order_holds_while_the_list_is_touched_and_then_keeps_the_top_card_in_view(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    ids = _crew_tickets(server)
    window = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, window, server, "mikko")
    screen = window.mywork
    screen.set_position(*PLACES[0][1:])  # the first fix: nearest first from Mannerheimintie
    first_order = [i for i in screen.model.visible_ids() if i in ids]
    assert first_order[0] == ids[0]
    middle = screen.cards.viewport().rect().center()
    _drag(screen.cards.viewport(), middle, middle - QPoint(0, 40), qtbot)  # a finger on the list
    assert window.current_view() == "mywork"
    screen.set_position(*PLACES[2][1:])  # the crew drove to the other end: a new order is due
    assert [i for i in screen.model.visible_ids() if i in ids] == first_order  # held under the finger
    assert not screen.order_note.isVisible()
    qtbot.waitUntil(lambda: screen.order_note.isVisible(), timeout=int(HOLD_ORDER_SECONDS * 1000) + 3000)
    now_order = [i for i in screen.model.visible_ids() if i in ids]
    assert now_order[0] == ids[2] and now_order != first_order
    window.shutdown()


def test_workflow_buttons_never_move_through_the_flow_nor_for_the_on_site_suggestion(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    ticket_id = _crew_tickets(server)[1]
    window = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, window, server, "mikko")
    window.bridge.stop()
    window.open_ticket(ticket_id)
    _settle(qtbot, window)
    ticket = window.ticket

    def primary_place() -> tuple[int, int, int, int]:
        button = ticket.actions.slots[0]
        corner = button.mapTo(window, QPoint(0, 0))
        return corner.x(), corner.y(), button.width(), button.height()

    places = {}
    for step in ("en_route", "in_progress"):
        assert ticket.actions.slots[0].objectName() == f"step_{step}"  # the next step, in front
        places[step] = primary_place()
        bar = ticket.actions.mapTo(window, QPoint(0, 0))
        ticket.set_position(*PLACES[1][1:], 5.0)  # on site: the suggestion may show
        qtbot.wait(50)
        assert ticket.actions.mapTo(window, QPoint(0, 0)) == bar
        assert primary_place() == places[step]
        Taps(qtbot).on(ticket.actions.slots[0])
        _settle(qtbot, window)
    assert ticket.actions.slots[0].objectName() == "step_resolved"
    places["resolved"] = primary_place()
    assert len(set(places.values())) == 1, places
    window.shutdown()


def test_resolve_with_an_after_photo_from_files_in_six_taps(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    ticket_id = _crew_tickets(server)[3]
    window = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, window, server, "mikko")
    # The work so far: started, with a before photo (made before the counted flow).
    replica = Replica(window.profile / "replica.sqlite")
    replica.change_status(ticket_id, "en_route")
    replica.change_status(ticket_id, "in_progress")
    before = tmp_path / "before.jpg"
    before.write_bytes(jpeg_with_gps(seed=11))
    attach_photo(replica, ticket_id, before, kind="before")
    replica.close()
    window.mywork.reload()
    _settle(qtbot, window)
    after = tmp_path / "after.jpg"
    after.write_bytes(jpeg_with_gps(seed=12))

    taps = Taps(qtbot)
    taps.card(window, ticket_id)  # 1: open
    qtbot.waitUntil(lambda: window.current_view() == "ticket", timeout=10_000)
    _settle(qtbot, window)
    taps.on(window.ticket.actions.button_for("resolved"))  # 2: Resolve
    panel = window.ticket.resolve_panel
    qtbot.waitUntil(lambda: window.ticket.pages.currentWidget() is panel, timeout=10_000)
    assert panel.photo_step.isVisible()  # a before photo and no after photo: it asks
    taps.on(panel.files_button)  # 3: after photo from files
    qtbot.waitUntil(panel.file_dialog.isVisible, timeout=5_000)
    panel.file_dialog.selectFile(str(after))  # 4: the file
    taps.count += 1
    panel.file_dialog.accept()  # 5: Open
    taps.count += 1
    qtbot.waitUntil(lambda: "✓" in panel.photo_state.text(), timeout=20_000)
    qtbot.keyClicks(panel.note, "Patched and compacted")  # typing is no tap
    taps.on(panel.outcome_buttons["fixed"])  # 6: the outcome confirms
    assert taps.count <= 6
    _settle(qtbot, window)
    assert window.ticket.ticket["status"] == "resolved"

    window.sync_now()
    admin = server.token("admin")

    def done_on_server() -> bool:
        doc = server.get_ticket(admin, ticket_id)
        afters = [p for p in doc.get("photos", []) if p["kind"] == "after"]
        if doc["status"] != "resolved" or not afters:
            return False
        r = requests.get(
            f"{server.url}/api/v1/photos/{afters[0]['id']}/original",
            headers={"Authorization": f"Bearer {admin}"},
            timeout=10,
        )
        return r.status_code == 200

    qtbot.waitUntil(done_on_server, timeout=60_000)
    doc = server.get_ticket(admin, ticket_id)
    assert doc["resolution_code"] == "fixed"
    assert doc["resolution_note"] == "Patched and compacted"  # the outcome note the reporter reads
    window.shutdown()


def test_a_ticket_opens_at_the_top_with_fresh_choices_and_esc_goes_back(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    first, second = _crew_tickets(server)[4:6]
    window = _window(qtbot, tmp_path / "tablet")
    window.resize(800, 1280)
    _sign_in(qtbot, window, server, "mikko")
    window.open_ticket(first)
    _settle(qtbot, window)
    ticket = window.ticket
    ticket.scroll.verticalScrollBar().setValue(ticket.scroll.verticalScrollBar().maximum())
    ticket.gallery.kind.setCurrentIndex(ticket.gallery.kind.findData("after"))
    Taps(qtbot).on(ticket.actions.button_for("on_hold") or ticket.actions.slots[1])
    qtbot.keyClick(ticket, Qt.Key.Key_Escape)  # out of the panel first
    assert ticket.pages.currentWidget() is ticket.scroll and window.current_view() == "ticket"
    qtbot.keyClick(ticket, Qt.Key.Key_Escape)  # then back to the list
    qtbot.waitUntil(lambda: window.current_view() == "mywork", timeout=5_000)

    window.open_ticket(second)
    _settle(qtbot, window)
    assert ticket.ticket["id"] == second
    assert ticket.scroll.verticalScrollBar().value() == 0
    assert ticket.gallery.kind.currentData() == "before"
    assert ticket.pages.currentWidget() is ticket.scroll
    window.shutdown()
