"""The real Qt window, offscreen, against a real case server process."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serverproc import (
    PASSWORDS,
    CaseServer,
    Device,
    fresh_database_url,
    restart_server,
    start_server,
)

from fieldapp.mainwindow import MainWindow
from fieldapp.qt import Qt, QTimer

pytestmark = pytest.mark.usefixtures("no_threads_left_behind")


@pytest.fixture
def own_server(backend: str, tmp_path: Path) -> Iterator[CaseServer]:
    """A server this test may stop and restart."""
    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(url, tmp_path)
        try:
            yield server
        finally:
            server.stop()


def _window(qtbot, profile: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(profile, sync_interval=3600)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.resize(1200, 800)
    window.show()
    return window


def _settle(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not window.busy(), timeout=30_000)


def _sign_in(qtbot, window: MainWindow, server: CaseServer, user: str) -> None:  # type: ignore[no-untyped-def]
    assert window.current_view() == "signin"
    window.signin.server.setText(server.url)
    qtbot.keyClicks(window.signin.user, user)
    qtbot.keyClicks(window.signin.password, PASSWORDS[user])
    qtbot.mouseClick(window.signin.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_view() != "signin", timeout=30_000)
    qtbot.waitUntil(lambda: window.bridge.state.last_sync is not None, timeout=30_000)
    _settle(qtbot, window)


def _step(qtbot, window: MainWindow, step: str) -> None:  # type: ignore[no-untyped-def]
    button = window.ticket.step_button(step)
    assert button is not None and button.isVisible(), f"no {step} button"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    _settle(qtbot, window)


def test_wrong_password_is_said_in_plain_words(qtbot, server: CaseServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path / "tablet")
    window.signin.server.setText(server.url)
    qtbot.keyClicks(window.signin.user, "aino")
    qtbot.keyClicks(window.signin.password, "not her password")
    qtbot.mouseClick(window.signin.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "wrong user name or password" in window.signin.error.text(), timeout=30_000)
    assert window.current_view() == "signin"
    window.shutdown()


def test_crew_signs_in_works_a_ticket_offline_and_it_syncs_later(  # type: ignore[no-untyped-def]
    qtbot, own_server: CaseServer, tmp_path: Path
) -> None:
    server = own_server
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    window = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, window, server, "aino")
    assert window.current_view() == "mywork"
    assert ticket_id in window.mywork.model.visible_ids()

    server.stop()  # no signal from here on
    row = window.mywork.model.visible_ids().index(ticket_id)
    cards = window.mywork.cards
    cards.setCurrentIndex(window.mywork.model.index(row, 0))
    qtbot.keyClick(cards, Qt.Key.Key_Return)  # Enter opens, as a tap does
    qtbot.waitUntil(lambda: window.current_view() == "ticket", timeout=10_000)
    _settle(qtbot, window)
    assert window.ticket.ticket["id"] == ticket_id

    _step(qtbot, window, "en_route")
    _step(qtbot, window, "in_progress")
    window.ticket.hold("waiting for the gas company")
    _settle(qtbot, window)
    _step(qtbot, window, "in_progress")
    window.ticket.add_note("main valve replaced")
    _settle(qtbot, window)
    window.ticket.resolve("fixed", "new valve fitted")
    _settle(qtbot, window)
    shown = window.ticket.ticket
    assert shown["status"] == "resolved" and "status" in shown["pending_fields"]
    assert "not yet on the server" in window.ticket.pending.text()
    qtbot.waitUntil(lambda: window.bridge.state.phase == "offline", timeout=30_000)
    assert window.bridge.state.pending >= 7
    assert "Offline" in window.status.phase.text()

    server = restart_server(server, tmp_path)
    # "synced" follows the idle state; the window reloads the open ticket on it.
    with qtbot.waitSignal(window.bridge.synced, timeout=30_000):
        qtbot.mouseClick(window.status.sync_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, window)
    assert window.bridge.state.pending == 0
    assert window.ticket.pending.text() == ""
    on_server = server.get_ticket(server.token("admin"), ticket_id)
    assert on_server["status"] == "resolved"
    assert on_server["resolution_code"] == "fixed"
    assert on_server["resolution_note"] == "new valve fitted"
    assert [n["text"] for n in on_server["notes"]] == [
        "On hold: waiting for the gas company",
        "main valve replaced",
    ]
    window.shutdown()
    server.stop()


def test_conflict_shows_in_plain_words_and_is_resolved_from_the_screen(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    ticket_id = server.create_ticket(admin, assigned_crew="north")["id"]
    other = Device(tmp_path / "eero", server, "eero")
    other.sync()
    other.set(ticket_id, "status", "in_progress")
    other.sync()

    window = _window(qtbot, tmp_path / "aino")
    _sign_in(qtbot, window, server, "aino")
    other.set(ticket_id, "status", "resolved")  # eero finishes meanwhile
    other.sync()
    window.open_ticket(ticket_id)
    _settle(qtbot, window)
    window.ticket.hold("parts missing")  # aino's stale view: on hold
    _settle(qtbot, window)
    qtbot.waitUntil(
        lambda: window.bridge.state.conflicts >= 1 and window.bridge.state.phase == "idle", timeout=30_000
    )
    assert "conflicts" in window.status.conflicts.text()

    qtbot.mouseClick(window.status.conflicts, Qt.MouseButton.LeftButton)
    _settle(qtbot, window)
    assert window.current_view() == "conflicts"
    rows = _conflict_rows(window, ticket_id)
    assert len(rows) == 1
    row, text = rows[0]
    assert text.startswith("You set the status to “On hold”")
    assert "Now standing: “Resolved”" in text
    window.conflicts.list.setCurrentRow(row)
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
    on_server = server.get_ticket(admin, ticket_id)
    assert on_server["status"] == "resolved"
    assert [n["text"] for n in on_server["notes"]] == ["On hold: parts missing"]  # kept
    window.shutdown()


def _conflict_rows(window: MainWindow, ticket_id: str) -> list[tuple[int, str]]:
    found = []
    for i in range(window.conflicts.list.count()):
        item = window.conflicts.list.item(i)
        if item.data(Qt.ItemDataRole.UserRole + 1) == ticket_id:
            found.append((i, item.text()))
    return found


def test_window_keeps_turning_during_a_long_first_sync(  # type: ignore[no-untyped-def]
    qtbot, backend: str, tmp_path: Path
) -> None:
    from caseserver.db import Database
    from caseserver.demo import ensure_crews_and_users, seed_tickets
    from caseserver.migrate import upgrade

    with fresh_database_url(backend, tmp_path) as url:
        upgrade(url)
        db = Database(url)
        with db.write() as session:
            ensure_crews_and_users(session)
            seed_tickets(session, 20_000)
        db.dispose()
        server = start_server(url, tmp_path, seed=False)
        try:
            window = _window(qtbot, tmp_path / "laptop")
            window.signin.server.setText(server.url)
            window.signin.user.setText("admin")
            window.signin.password.setText(PASSWORDS["admin"])
            ticks: list[float] = []
            timer = QTimer()
            timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
            timer.start(10)
            progress_seen: list[int] = []
            window.status.progress.valueChanged.connect(progress_seen.append)
            qtbot.mouseClick(window.signin.button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(
                lambda: window.bridge is not None and window.bridge.state.last_sync is not None,
                timeout=120_000,
            )
            timer.stop()
            _settle(qtbot, window)
            gaps = [b - a for a, b in itertools.pairwise(ticks)]
            # The event loop kept turning all through the sync (figures: bench/bench_gui.py).
            assert len(ticks) > 20 and max(gaps) < 1.0, (len(ticks), max(gaps))
            assert progress_seen, "the progress bar moved"
            window.show_view("mywork")
            _settle(qtbot, window)
            assert window.mywork.model.rowCount() > 1000
            window.shutdown()
        finally:
            server.stop()


def test_sign_out_never_drops_unsent_work_silently(qtbot, server: CaseServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    window = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, window, server, "aino")
    window.bridge.stop()  # keep the edit unsent for this test
    window.bridge = None
    window.open_ticket(ticket_id)
    _settle(qtbot, window)
    window.ticket.add_note("not sent yet")
    _settle(qtbot, window)

    asked: list[dict[str, int]] = []
    window.sign_out(confirm=lambda counts: asked.append(counts) or False)
    qtbot.waitUntil(lambda: bool(asked) and window.bridge is not None, timeout=10_000)
    _settle(qtbot, window)
    assert asked[0]["pending"] == 1
    assert window.current_view() != "signin"

    with qtbot.waitSignal(
        window.bridge.state_changed,
        timeout=30_000,
        check_params_cb=lambda s: s.phase == "idle" and s.pending == 0,
    ):
        window.sync_now()
    window.sign_out(confirm=lambda counts: pytest.fail(f"asked although all was sent: {counts}"))
    qtbot.waitUntil(lambda: window.current_view() == "signin", timeout=10_000)
    _settle(qtbot, window)
    assert [n["text"] for n in server.get_ticket(server.token("admin"), ticket_id)["notes"]] == [
        "not sent yet"
    ]
    from sync.replica import Replica

    replica = Replica(tmp_path / "tablet" / "replica.sqlite")
    try:
        assert replica.ticket_count() == 0 and replica.get("token") is None
    finally:
        replica.close()
    window.shutdown()
