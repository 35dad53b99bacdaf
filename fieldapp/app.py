"""Starting the Qt application: the window, screenshots of named screens, the self-check."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
    from fieldapp.display import window_problem

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


def run_gui(profile: Path, screenshot: Path | None = None, view: str | None = None) -> int:
    """Open the app window; with `screenshot`, render `view` to a PNG and exit."""
    app = _application()
    from fieldapp.mainwindow import MainWindow
    from fieldapp.qt import QTimer

    window = MainWindow(profile)
    window.resize(1280, 800)
    window.show()
    if screenshot is not None:
        window.prepare_screenshot(view or "mywork")

        def capture() -> None:
            if window.busy():
                QTimer.singleShot(100, capture)
                return
            window.grab().save(str(screenshot))
            window.close()

        QTimer.singleShot(300, capture)
    code = int(app.exec())  # type: ignore[attr-defined]
    window.shutdown()
    return code


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
