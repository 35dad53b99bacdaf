"""The ticket screen, touch first: real widgets offscreen, a real case server, taps counted."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from serverproc import PASSWORDS, CaseServer

from fieldapp.mainwindow import MainWindow
from fieldapp.qt import QPoint, QRect, Qt
from sync.client import CaseServerClient

pytestmark = pytest.mark.usefixtures("no_threads_left_behind")

SITE = (60.1699, 24.9384)


class Taps:
    """Clicks through QTest, counted: what a crew member's finger does."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot
        self.count = 0

    def button(self, widget: Any) -> None:
        assert widget is not None and widget.isVisible() and widget.isEnabled(), widget
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        self.count += 1

    def at(self, widget: Any, rect: QRect) -> None:
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=rect.center())
        self.count += 1


def _jpeg(path: Path, colour: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (640, 480), colour).save(path, "JPEG", quality=85)
    return path


def _window(qtbot: Any, server: CaseServer, profile: Path, size: tuple[int, int] = (800, 1280)) -> MainWindow:
    window = MainWindow(profile, sync_interval=3600)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.resize(*size)
    window.show()
    window.signin.server.setText(server.url)
    window.signin.user.setText("aino")
    window.signin.password.setText(PASSWORDS["aino"])
    qtbot.mouseClick(window.signin.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.bridge is not None and window.bridge.state.last_sync is not None, timeout=30_000
    )
    _settle(qtbot, window)
    return window


def _settle(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.busy(), timeout=30_000)


def _open(qtbot: Any, window: MainWindow, ticket_id: str) -> None:
    window.open_ticket(ticket_id)
    qtbot.waitUntil(
        lambda: window.ticket.ticket is not None and window.ticket.ticket["id"] == ticket_id, timeout=30_000
    )
    _settle(qtbot, window)


def _synced(qtbot: Any, window: MainWindow) -> None:
    window.bridge.sync_now()
    qtbot.waitUntil(
        lambda: window.bridge.state.pending == 0 and window.bridge.state.phase == "idle", timeout=30_000
    )
    _settle(qtbot, window)


def _bar_geometry(window: MainWindow) -> dict[str, QRect]:
    """Where each action-bar slot and the ticket's page are, in window coordinates."""
    screen = window.ticket
    widgets = {"primary": screen.actions.primary, "pages": screen.pages, "bar": screen.actions}
    widgets.update(screen.actions.buttons)
    return {
        name: QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        for name, widget in widgets.items()
    }


def test_workflow_buttons_stay_put_through_the_flow_gps_and_sync(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    ticket_id = server.create_ticket(admin, assigned_crew="north", lat=SITE[0], lon=SITE[1])["id"]
    window = _window(qtbot, server, tmp_path / "tablet")
    _open(qtbot, window, ticket_id)
    screen = window.ticket
    # Edits wait for the explicit sync below, so the pending mark is surely seen coming and going.
    screen.changed.disconnect(window._local_change)
    start = _bar_geometry(window)
    assert start["primary"].height() >= 48 and start["primary"].width() >= 48
    seen_primary = []

    def check(when: str) -> None:
        assert _bar_geometry(window) == start, f"the action bar moved {when}"

    # GPS: the on-site suggestion appears (far away first, then at the site).
    window.ticket.set_position(60.20, 24.90, 10.0)
    check("with a far fix")
    assert screen.onsite.isHidden()
    window.ticket.set_position(SITE[0], SITE[1], 8.0)
    assert screen.onsite.isVisible()
    check("when the on-site suggestion appeared")

    for step, label in (("en_route", "En route"), ("in_progress", "Start work")):
        assert screen.step_button(step) is screen.actions.primary
        seen_primary.append(screen.actions.primary.text())
        qtbot.mouseClick(screen.actions.primary, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda s=step: screen.ticket["status"] == s, timeout=10_000)
        _settle(qtbot, window)
        assert label in seen_primary[-1]
        assert "not yet on the server" in screen.pending.text()
        check(f"after {step} (pending mark shown)")
    with qtbot.waitSignal(window.bridge.synced, timeout=30_000):
        window.bridge.sync_now()
    _settle(qtbot, window)
    qtbot.waitUntil(lambda: screen.pending.text() == "", timeout=10_000)  # the screen reloads on "synced"
    _settle(qtbot, window)
    check("when the pending mark went away")

    # On hold and back: the reasons panel, then Start work again at the same place.
    qtbot.mouseClick(screen.step_button("on_hold"), Qt.MouseButton.LeftButton)
    assert screen.page() == "onhold"
    check("with the On hold panel open")
    qtbot.mouseClick(screen.hold_panel.reason_buttons["parts"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.hold_panel.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.ticket["status"] == "on_hold", timeout=10_000)
    _settle(qtbot, window)
    assert screen.page() == "details"
    check("on hold")
    qtbot.mouseClick(screen.actions.primary, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.ticket["status"] == "in_progress", timeout=10_000)
    _settle(qtbot, window)
    seen_primary.append(screen.actions.primary.text())
    qtbot.mouseClick(screen.actions.primary, Qt.MouseButton.LeftButton)  # Resolve…
    assert screen.page() == "resolve"
    check("with the Resolve panel open")
    qtbot.mouseClick(screen.resolve_panel.outcomes["fixed"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.ticket["status"] == "resolved", timeout=10_000)
    _settle(qtbot, window)
    check("resolved")
    assert seen_primary[-1] == "Resolve…"
    with qtbot.waitSignal(window.bridge.synced, timeout=30_000):
        window.bridge.sync_now()
    _settle(qtbot, window)
    check("resolved and synced")
    on_server = server.get_ticket(admin, ticket_id)
    assert on_server["status"] == "resolved"
    assert [n["text"] for n in on_server["notes"]] == ["On hold: Waiting for parts or material"]
    window.shutdown()


def test_resolve_with_an_after_photo_from_files_in_six_taps(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    ticket_id = server.create_ticket(admin, assigned_crew="north")["id"]
    window = _window(qtbot, server, tmp_path / "tablet")
    # Before the count: work started and a before photo taken.
    _open(qtbot, window, ticket_id)
    screen = window.ticket
    screen.set_status("in_progress")
    _settle(qtbot, window)
    screen.gallery.import_paths([_jpeg(tmp_path / "before.jpg", (200, 40, 40))], kind="before")
    qtbot.waitUntil(lambda: len(screen.gallery.states()) == 1 and not screen.gallery.busy(), timeout=30_000)
    _synced(qtbot, window)
    card_folder = tmp_path / "DCIM"
    after = _jpeg(card_folder / "IMG_0101.jpg", (40, 200, 40))
    _jpeg(card_folder / "IMG_0100.jpg", (40, 40, 200))
    screen.picker.folder = card_folder  # the camera card the crew put in
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.current_view() == "mywork", timeout=10_000)
    _settle(qtbot, window)

    taps = Taps(qtbot)
    cards = window.mywork.cards
    index = window.mywork.model.index(window.mywork.model.visible_ids().index(ticket_id), 0)
    cards.scrollTo(index)  # the crew scrolls to the ticket (a long list on a shared server)
    in_view = lambda: cards.viewport().rect().contains(cards.visualRect(index).center())  # noqa: E731
    qtbot.waitUntil(in_view, timeout=10_000)
    rect = cards.visualRect(index)
    taps.at(cards.viewport(), rect)  # 1: open
    qtbot.waitUntil(lambda: window.current_view() == "ticket", timeout=10_000)
    _settle(qtbot, window)
    taps.button(screen.step_button("resolved"))  # 2: Resolve…
    assert screen.page() == "resolve" and screen.resolve_panel.photo_step.isVisible()
    taps.button(screen.resolve_panel.files_button)  # 3: From files…
    assert screen.page() == "picker" and screen.picker.kinds.kind() == "after"
    names = [screen.picker.files.item(i).text() for i in range(screen.picker.files.count())]
    assert names == ["IMG_0100.jpg", "IMG_0101.jpg"]
    files = screen.picker.files
    taps.at(files.viewport(), files.visualItemRect(files.item(1)))  # 4: the after photo
    taps.button(screen.picker.add)  # 5: Add 1 photo
    assert screen.page() == "resolve"
    qtbot.waitUntil(lambda: not screen.resolve_panel.files_button.isVisible(), timeout=30_000)
    assert "After photo added" in screen.resolve_panel.photo_prompt.text()
    qtbot.keyClicks(screen.resolve_panel.note, "Hole patched with cold asphalt")
    taps.button(screen.resolve_panel.outcomes["fixed"])  # 6: the outcome resolves
    _settle(qtbot, window)
    assert taps.count <= 6
    assert screen.ticket["status"] == "resolved" and screen.page() == "details"

    _synced(qtbot, window)
    on_server = server.get_ticket(admin, ticket_id)
    assert on_server["status"] == "resolved" and on_server["resolution_code"] == "fixed"
    assert on_server["resolution_note"] == "Hole patched with cold asphalt"
    kinds = {p["id"]: p["kind"] for p in on_server["photos"]}
    assert sorted(kinds.values()) == ["after", "before"]
    after_id = next(pid for pid, kind in kinds.items() if kind == "after")
    window.bridge.upload_now()
    qtbot.waitUntil(lambda: screen.gallery.states().get(after_id, ("", ""))[1] == "confirmed", timeout=60_000)
    client = CaseServerClient(server.url, admin)
    try:  # the server has the bytes: it makes a thumbnail of them
        assert client.photo_thumb(after_id)[:2] == b"\xff\xd8"
    finally:
        client.close()
    assert after.exists()  # a file picked from the card is copied, never moved
    window.shutdown()


def test_a_ticket_opens_at_the_top_with_defaults_and_esc_goes_back(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    first, second = (
        server.create_ticket(admin, assigned_crew="north", description="Long story. " * 200)["id"]
        for _ in range(2)
    )
    window = _window(qtbot, server, tmp_path / "tablet", size=(1280, 800))
    _open(qtbot, window, first)
    screen = window.ticket
    bar = screen.scroll.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    qtbot.mouseClick(screen.gallery.kind.chips["after"], Qt.MouseButton.LeftButton)
    screen.gallery.caption.setText("left over")
    qtbot.mouseClick(screen.step_button("on_hold"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.hold_panel.reason_buttons["other"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(screen.hold_panel.other, "left over reason")
    assert screen.page() == "onhold"
    qtbot.keyClick(screen.hold_panel.other, Qt.Key.Key_Escape)  # Esc closes the panel first
    assert screen.page() == "details" and window.current_view() == "ticket"
    qtbot.keyClick(screen, Qt.Key.Key_Escape)  # then leaves the ticket
    assert window.current_view() == "mywork"

    _open(qtbot, window, second)
    assert screen.page() == "details"
    assert bar.value() == 0
    assert screen.gallery.kind.kind() == "before" and screen.gallery.caption.text() == ""
    qtbot.keyClick(screen, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)  # On hold's shortcut
    assert screen.page() == "onhold"
    assert screen.hold_panel.reason_text() == "" and not screen.hold_panel.confirm.isEnabled()
    qtbot.mouseClick(screen.back_button, Qt.MouseButton.LeftButton)  # Back: out of the panel
    assert screen.page() == "details"
    qtbot.mouseClick(screen.back_button, Qt.MouseButton.LeftButton)  # and out of the ticket
    assert window.current_view() == "mywork"
    # A swipe to the right goes back too.
    _open(qtbot, window, first)
    assert bar.value() == 0 and screen.page() == "details"
    label = screen.description
    qtbot.mousePress(label, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseRelease(label, Qt.MouseButton.LeftButton, pos=QPoint(310, 20))
    assert window.current_view() == "mywork"
    window.shutdown()
