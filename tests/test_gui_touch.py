"""The crew's list under a finger: one tap opens the card under it, a flick none, the order holds.

The ticket screen's own touch tests are in test_gui_ticket.py.

Real widgets offscreen, a real case server process, positions from the recorded drive.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from serverproc import CaseServer
from test_gui import _settle, _sign_in, _window

from fieldapp.positioning import PositionService
from fieldapp.qt import QApplication, QEvent, QMouseEvent, QPoint, QPointF, QScroller, Qt
from fieldapp.screens.mywork import HOLD_ORDER_SECONDS

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
