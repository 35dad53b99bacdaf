"""The connection strip tells the truth: offline within 15 s of losing the server with no
edit made, online within 15 s of its return, and then the queue is sent.

The real window offscreen, a real case server process killed and restarted on the same
port; nothing but the app's own reachability probe notices.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serverproc import CaseServer, fresh_database_url, restart_server, start_server
from test_gui import _sign_in, _window

from fieldapp.mainwindow import MainWindow
from fieldapp.qt import QApplication
from fieldapp.theme import apply_theme, current
from sync.replica import Replica

pytestmark = pytest.mark.usefixtures("no_threads_left_behind")

#: What issue 12 promises, both ways.
PROMISE_S = 15.0


@pytest.fixture
def own_server(backend: str, tmp_path: Path) -> Iterator[CaseServer]:
    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(url, tmp_path)
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[None]:
    """The app's theme, as `fieldapp` applies it (put back afterwards for other tests)."""
    style, palette, sheet, font = qapp.style().name(), qapp.palette(), qapp.styleSheet(), qapp.font()
    apply_theme(qapp)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)


def _seconds_until(qtbot, done) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    qtbot.waitUntil(done, timeout=int(PROMISE_S * 1000))
    return time.monotonic() - started


def _strip(window: MainWindow) -> tuple[str, str]:
    label = window.status.phase
    return str(label.property("role")), label.text()


def test_strip_turns_offline_without_an_edit_and_back_online_then_sends_the_queue(  # type: ignore[no-untyped-def]
    qtbot, themed: None, own_server: CaseServer, tmp_path: Path
) -> None:
    server = own_server
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    window = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, window, server, "aino")
    assert _strip(window) == ("ok", "● Online")
    online_colour = window.status.phase.palette().color(window.status.phase.foregroundRole()).name()
    assert online_colour == current().ok  # the theme's role, not a colour of its own

    server.kill()  # no edit: only the app's own check can notice
    took = _seconds_until(qtbot, lambda: _strip(window)[0] == "danger")
    text = _strip(window)[1]
    assert text.startswith("● Offline") and took < PROMISE_S
    label = window.status.phase
    assert label.palette().color(label.foregroundRole()).name() == current().danger
    assert label.font().pointSizeF() > window.status.pending.font().pointSizeF()  # larger, seen at a glance
    assert "cannot reach the case server" in window.status.message.text()

    replica = Replica(window.replica_path)  # an edit made while offline waits in the outbox
    try:
        replica.add_note(ticket_id, "made while the server was down")
    finally:
        replica.close()
    qtbot.wait(1000)
    assert _strip(window)[0] == "danger"

    server = restart_server(server, tmp_path)
    took = _seconds_until(qtbot, lambda: _strip(window)[0] == "ok" and window.bridge.state.pending == 0)
    assert _strip(window) == ("ok", "● Online") and took < PROMISE_S
    notes = server.get_ticket(server.token("admin"), ticket_id)["notes"]
    assert [n["text"] for n in notes] == ["made while the server was down"]
    server.stop()
