"""The touch-target and contrast audit: it catches what it must, and the crew's views pass it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from crewviews import CREW_VIEWS, SIZES, crew_profile, show_view
from serverproc import REPO, CaseServer

from fieldapp import audit
from fieldapp.mainwindow import MainWindow
from fieldapp.qt import (
    QApplication,
    QFrame,
    QImage,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRect,
    QSize,
    QVBoxLayout,
    QWebEngineView,
    QWidget,
)
from fieldapp.theme import DARK, apply_theme, contrast_ratio, current


@pytest.fixture
def sunlight(qapp: QApplication) -> Iterator[QApplication]:
    apply_theme(qapp, "sunlight")
    yield qapp


def _panel(qtbot, *widgets: QWidget) -> QWidget:  # type: ignore[no-untyped-def]
    panel = QWidget()
    layout = QVBoxLayout(panel)
    for widget in widgets:
        layout.addWidget(widget)
    qtbot.addWidget(panel)
    panel.resize(400, 500)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_audit_catches_a_small_button_and_a_grey_label(qtbot, sunlight) -> None:  # type: ignore[no-untyped-def]
    small = QPushButton("OK")
    small.setObjectName("small")
    small.setStyleSheet("min-height: 0; min-width: 0; padding: 0;")
    small.setFixedSize(32, 32)
    big = QPushButton("Start work")
    big.setObjectName("big")
    grey = QLabel("Offline")
    grey.setObjectName("grey")
    grey.setStyleSheet("color: #999999; background: #ffffff;")
    black = QLabel("Online")
    black.setObjectName("black")
    panel = _panel(qtbot, small, big, grey, black)

    found = {f.name: f for f in audit.audit_widget(panel)}

    assert found["small"].problems == ("smaller than 48x48 px",)
    assert (found["small"].width, found["small"].height) == (32, 32)
    assert found["big"].ok and found["big"].height >= 48
    assert found["grey"].problems == ("contrast under 7:1",)
    # measured from the pixels drawn: the label's grey, not the palette's black
    assert found["grey"].foreground == "#999999" and found["grey"].background == "#ffffff"
    assert found["grey"].contrast == pytest.approx(contrast_ratio("#999999", "#ffffff"), abs=0.05)
    assert found["black"].ok and found["black"].contrast == pytest.approx(21.0)
    assert {f.name for f in audit.failures(list(found.values()))} == {"small", "grey"}


def test_audit_reads_text_against_the_background_it_is_drawn_on(qtbot, sunlight) -> None:  # type: ignore[no-untyped-def]
    banner = QFrame()
    banner.setProperty("role", "banner")  # the theme paints it surface_alt
    banner.setStyleSheet("QLabel { color: #595959; }")
    layout = QVBoxLayout(banner)
    hint = QLabel("You are at the site")
    hint.setObjectName("hint")
    layout.addWidget(hint)
    panel = _panel(qtbot, banner)

    found = {f.name: f for f in audit.audit_widget(panel)}

    assert found["hint"].background == current().surface_alt  # the banner's, not the label's palette
    assert found["hint"].contrast == pytest.approx(contrast_ratio("#595959", current().surface_alt), abs=0.05)
    assert found["hint"].problems == ("contrast under 7:1",)


def test_audit_measures_each_list_row_and_holds_selection_to_its_own_goal(qtbot, sunlight) -> None:  # type: ignore[no-untyped-def]
    rows = QListWidget()
    rows.setObjectName("rows")
    for text, height in (("tall row", 56), ("short row", 30)):
        item = QListWidgetItem(text)
        item.setSizeHint(QSize(0, height))
        rows.addItem(item)
    rows.item(0).setSelected(True)
    panel = _panel(qtbot, rows)

    found = {f.text: f for f in audit.audit_widget(panel) if f.kind.endswith("row")}

    assert found["tall row"].ok and found["tall row"].goal == audit.SELECTION_GOAL
    assert found["tall row"].height == 56
    assert found["short row"].problems == ("smaller than 48x48 px",)
    assert found["short row"].goal == audit.TEXT_GOAL


def test_audit_reads_the_controls_inside_a_web_page(qtbot, sunlight) -> None:  # type: ignore[no-untyped-def]
    page = QWebEngineView()
    page.setAccessibleName("page")
    with qtbot.waitSignal(page.loadFinished, timeout=20_000):
        page.setHtml(
            "<body style='margin:0;background:#fff'>"
            "<button title='tiny' style='width:30px;height:30px;padding:0;border:none;"
            "background:#fff;color:#000;font:bold 24px sans-serif'>+</button>"
            "<a href='#' title='roomy' style='display:block;width:60px;height:60px;color:#000'>Go</a></body>"
        )
    panel = _panel(qtbot, page)
    # The page is measured as painted (black on white, nothing drawn by the browser's own button
    # style): on a busy machine the first frame comes after loadFinished.
    qtbot.waitUntil(lambda: _painted(page, QRect(0, 0, 30, 30)), timeout=20_000)

    found = {f.text: f for f in audit.audit_widget(panel) if f.kind == "web control"}

    assert (found["tiny"].width, found["tiny"].height) == (30, 30)
    assert found["tiny"].problems == ("smaller than 48x48 px",)
    assert (found["roomy"].width, found["roomy"].height) == (60, 60) and found["roomy"].ok


def _fieldapp(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    return subprocess.run(
        [sys.executable, "-m", "fieldapp", "--profile", str(profile), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_audit_command_lists_controls_as_json_and_sets_its_exit_code(tmp_path: Path) -> None:
    done = _fieldapp(
        "gui",
        "--audit",
        "--view",
        "settings",
        "--size",
        "800x1280",
        "--json",
        "--lang",
        "sv",
        profile=tmp_path,
    )
    report = json.loads(done.stdout)
    assert report["view"] == "settings" and report["size"] == [800, 1280] and report["language"] == "sv"
    buttons = {f["text"]: f for f in report["findings"] if f["kind"] == "QPushButton"}
    assert {"Solljus", "Mörkt", "Svenska", "Suomi"} <= set(buttons)
    assert all(f["height"] >= 48 and f["width"] >= 48 for f in buttons.values())
    assert done.returncode == (1 if report["failing"] else 0), done.stdout


def test_screenshot_takes_size_language_and_theme(tmp_path: Path) -> None:
    shot = tmp_path / "settings.png"
    done = _fieldapp(
        *("gui", "--screenshot", str(shot), "--view", "settings", "--size", "800x1280", "--lang", "fi"),
        *("--theme", "dark"),
        profile=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (800, 1280)
    assert image.pixelColor(400, 1000).name() == DARK.window  # the dark theme's page


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--size", "10x10"), "each side from 320"),
        (("--size", "wide"), "WIDTHxHEIGHT"),
        (("--view", "nowhere"), "invalid choice"),
        (("--theme", "neon"), "invalid choice"),
    ],
)
def test_audit_command_refuses_bad_arguments_in_one_line(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    done = _fieldapp("gui", "--audit", *args, profile=tmp_path)
    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "display.json").exists()


@pytest.fixture(scope="module")
def profile(server: CaseServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crew_profile(server, tmp_path_factory.mktemp("crew"))


@pytest.mark.parametrize("theme", ["sunlight", "dark"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", CREW_VIEWS)
def test_crew_view_passes_the_audit(qtbot, qapp, profile: Path, view: str, size, theme: str) -> None:  # type: ignore[no-untyped-def]
    apply_theme(qapp, theme)
    window = MainWindow(profile, sync_interval=3600)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.show()
    try:
        show_view(qtbot, window, view, size)
        findings = audit.audit_widget(window)
    finally:
        apply_theme(qapp, "sunlight")
    assert any(f.target for f in findings), "no controls found"
    bad = audit.failures(findings)
    assert not bad, "\n".join(f.line() for f in bad)


def _painted(widget: QWidget, area: QRect) -> bool:
    """Whether `area` of the widget shows more than one colour (something was drawn there)."""
    image = widget.grab(area).toImage()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    return len(colours) > 1
