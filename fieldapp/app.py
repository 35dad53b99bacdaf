"""Starting the Qt application: the window, screenshots of named screens, the self-check."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESOURCES = Path(
    os.environ.get(
        "FIELDAPP_RESOURCES",
        Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[1])) / "resources",
    )
)


def prepare_environment() -> None:
    """Chromium (Qt WebEngine) flags that must be set before it starts: no sandbox as root."""
    if os.geteuid() == 0 if hasattr(os, "geteuid") else False:
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags:
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (flags + " --no-sandbox").strip()


def _application() -> object:
    prepare_environment()
    from fieldapp.windowcheck import window_problem

    problem = window_problem()
    if problem is not None:  # Qt would abort with a page of hints instead
        raise SystemExit(f"fieldapp: the app window cannot open: {problem}")
    from PySide6.QtWebEngineCore import QWebEngineProfile  # noqa: F401  (before QApplication)

    from fieldapp.mapview import register_schemes
    from fieldapp.qt import QApplication, Qt

    register_schemes()  # the map's tiles:// scheme must exist before the application

    QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Field app")
    app.setOrganizationName("City public works")
    from fieldapp.theme import apply_theme

    apply_theme(app)  # type: ignore[arg-type]
    icon = RESOURCES / "icons" / "fieldapp.png"
    if icon.exists():
        from fieldapp.qt import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    return app


def parse_size(text: str) -> tuple[int, int]:
    """ "1280x800" -> (1280, 800); a plain ValueError for anything else."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise ValueError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1280x800")
    size = int(width), int(height)
    if not (320 <= size[0] <= 8192 and 320 <= size[1] <= 8192):
        raise ValueError(f"size {text!r}: each side from 320 to 8192 px")
    return size


def start_display(app: object, profile: Path, language: str | None = None, theme: str | None = None) -> None:
    """Theme and language: this device's stored choices, unless `language`/`theme` override them."""
    from fieldapp import display, i18n
    from fieldapp.theme import apply_theme

    stored = display.load(profile)
    apply_theme(app, theme or stored.theme)  # type: ignore[arg-type]
    i18n.install_language(language or stored.language)


class WindowHost:
    """Keeps the main window, and builds it anew when the language changes.

    Every screen then speaks the new language, however it builds its words; the sync
    engine stops (a running sync finishes first) and starts again with the new window.
    """

    def __init__(self, profile: Path, size: tuple[int, int] = (1280, 800)) -> None:
        self.profile = Path(profile)
        self.window = self._make()
        self.window.resize(*size)

    def _make(self) -> Any:
        from fieldapp.mainwindow import MainWindow

        window = MainWindow(self.profile)
        settings = getattr(window, "settings", None)
        if settings is not None:
            settings.language_changed.connect(self._rebuild)
        return window

    def _rebuild(self, _choice: str) -> None:
        old = self.window
        geometry = old.geometry()
        old.shutdown()
        self.window = self._make()
        self.window.setGeometry(geometry)
        self.window.show()
        self.window.show_view("settings")
        old.hide()
        old.deleteLater()


def _prepare(window: Any, view: str) -> bool:
    """Put the window on `view`; False (and one line on stderr) if this build has no such view."""
    try:
        window.prepare_screenshot(view)
    except KeyError:
        print(f"fieldapp: this build has no view {view!r}", file=sys.stderr)
        return False
    return True


def _settled(window: Any, then: Callable[[], None]) -> None:
    """Call `then` once the window has no work running (polls every 100 ms)."""
    from fieldapp.qt import QTimer

    def check() -> None:
        if window.busy():
            QTimer.singleShot(100, check)
        else:
            then()

    QTimer.singleShot(300, check)


def run_gui(
    profile: Path,
    screenshot: Path | None = None,
    view: str | None = None,
    *,
    size: tuple[int, int] = (1280, 800),
    language: str | None = None,
    theme: str | None = None,
) -> int:
    """Open the app window; with `screenshot`, render `view` to a PNG and exit."""
    app = _application()
    start_display(app, profile, language, theme)
    host = WindowHost(profile, size)
    host.window.show()
    if screenshot is not None:
        if not _prepare(host.window, view or "mywork"):
            host.window.shutdown()
            return 2

        def capture() -> None:
            host.window.grab().save(str(screenshot))
            host.window.close()

        _settled(host.window, capture)
    code = int(app.exec())  # type: ignore[attr-defined]
    host.window.shutdown()
    return code


def run_audit(
    profile: Path,
    view: str,
    *,
    size: tuple[int, int] = (1280, 800),
    language: str | None = None,
    theme: str | None = None,
    as_json: bool = False,
) -> int:
    """Audit one view offscreen (`fieldapp.audit`): 0 when every target and text passes, 1 if not."""
    import json

    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the same pixels on every machine
    app = _application()
    start_display(app, profile, language, theme)
    from fieldapp import audit, i18n
    from fieldapp.theme import current

    host = WindowHost(profile, size)
    window = host.window
    window.show()
    if not _prepare(window, view):
        window.shutdown()
        return 2
    result: dict[str, Any] = {}

    def measure() -> None:
        findings = audit.audit_widget(window)
        result["findings"] = findings
        window.close()

    _settled(window, measure)
    app.exec()  # type: ignore[attr-defined]
    window.shutdown()
    findings = result.get("findings", [])
    title = f"view {view} at {size[0]}x{size[1]}, theme {current().name}, language {i18n.current_language()}"
    if as_json:
        print(
            json.dumps(
                {
                    "view": view,
                    "size": list(size),
                    "theme": current().name,
                    "language": i18n.current_language(),
                    "findings": [f.as_dict() for f in findings],
                    "failing": len(audit.failures(findings)),
                },
                indent=1,
            )
        )
    else:
        audit.report(findings, title)
    return 1 if audit.failures(findings) or not findings else 0


def self_check(profile: Path) -> int:
    """Open the replica and load the offline map page with its tickets; exit 0 when both work."""
    from sync.replica import Replica

    replica = Replica(profile / "replica.sqlite")
    rows = replica.ticket_rows()
    replica.close()
    app = _application()
    from fieldapp.mapview import MapView
    from fieldapp.qt import QTimer

    view = MapView()
    view.resize(800, 600)
    result = {"code": 1}

    def ready() -> None:
        result["code"] = 0
        app.quit()  # type: ignore[attr-defined]

    view.ready.connect(ready)
    view.show_tickets(rows)
    view.show()
    QTimer.singleShot(60_000, app.quit)  # type: ignore[attr-defined]
    app.exec()  # type: ignore[attr-defined]
    status = "ok" if result["code"] == 0 else "FAILED"
    print(f"self-check {status}: replica with {len(rows)} tickets, offline map page loaded")
    view.close()
    return result["code"]
