"""Touch-target and contrast audit of what a screen actually shows.

`audit_widget(root)` walks every visible control under `root` (buttons, tool buttons,
check boxes, line edits, combo boxes, spin boxes, sliders, tabs, each visible row of a
list or table, the controls inside a web view's page) and every visible text label, and
measures:

- **size**: the control's width and height in device-independent pixels; a target under
  `TOUCH` (48 px) either way fails;
- **contrast**: from the pixels drawn, not from the palette: the control is grabbed to an
  image, its most common colour is taken as the background and, of the colours drawn
  often enough to be text rather than anti-aliasing, the one that stands out most from
  it as the text colour. Text needs 7:1 (WCAG AAA), selected or checked items 4.5:1.

``fieldapp gui --audit --view VIEW --size WxH`` runs it over one view of the real
window (see `fieldapp.app.run_audit`); it exits non-zero when anything fails.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from fieldapp.qt import (
    TOUCH,
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QEventLoop,
    QImage,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QRect,
    QScrollBar,
    QSlider,
    QStyle,
    QTabBar,
    QTextEdit,
    QTimer,
    QWebEngineView,
    QWidget,
)
from fieldapp.theme import contrast_ratio

TEXT_GOAL = 7.0
SELECTION_GOAL = 4.5
#: Rows of one list looked at (the visible ones, at most this many).
MAX_ROWS = 200
#: Pixels kept off a control's edge when reading its colours (its border and corners).
EDGE = 4

#: The page's controls with their boxes, in CSS pixels (the web view's zoom is applied after).
WEB_CONTROLS_JS = """
(function () {
  var sel = 'a[href], button, input, select, textarea, [role=button], .leaflet-control a';
  var out = [];
  document.querySelectorAll(sel).forEach(function (e) {
    var r = e.getBoundingClientRect();
    var s = window.getComputedStyle(e);
    if (r.width === 0 || r.height === 0 || s.visibility === 'hidden' || s.display === 'none') {
      return;
    }
    var text = e.getAttribute('aria-label') || e.title || (e.textContent || '').trim() || e.tagName;
    out.push({text: text.slice(0, 60), x: r.left, y: r.top, w: r.width, h: r.height});
  });
  return JSON.stringify(out);
})()
"""


@dataclass
class Finding:
    """One control or text: what it is, its size and its measured contrast."""

    kind: str
    name: str
    text: str
    x: int
    y: int
    width: int
    height: int
    #: Whether its size is judged (text labels are not touch targets).
    target: bool
    contrast: float | None
    goal: float
    foreground: str | None = None
    background: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["problems"] = list(self.problems)
        found["ok"] = self.ok
        return found

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        contrast = "contrast –" if self.contrast is None else f"contrast {self.contrast:4.1f}:1"
        label = f"{self.kind} {self.name or self.text!r}"[:70]
        size = f"{self.width}x{self.height}" if self.target else "text"
        extra = f"  ({'; '.join(self.problems)})" if self.problems else ""
        return f"{mark} {label:<70} {size:>9}  {contrast}{extra}"


def _judge(finding: Finding) -> Finding:
    problems = []
    if finding.target and (finding.width < TOUCH or finding.height < TOUCH):
        problems.append(f"smaller than {TOUCH}x{TOUCH} px")
    if finding.contrast is not None and finding.contrast < finding.goal:
        problems.append(f"contrast under {finding.goal:g}:1")
    finding.problems = tuple(problems)
    return finding


# -- colours from pixels ---------------------------------------------------------------------
def measured_contrast(image: QImage) -> tuple[float, str, str] | None:
    """(ratio, text colour, background colour) read from the pixels of `image`.

    The background is the most common colour; the text colour is the one, among colours
    covering at least a thousandth of the image (and 4 pixels), that contrasts most with
    it. None when only one colour is drawn (no text).
    """
    if image.isNull() or image.width() == 0 or image.height() == 0:
        return None
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = array("I", bytes(image.constBits()))  # bytesPerLine is 4 * width for RGB32
    counts = Counter(value & 0xFFFFFF for value in pixels)
    (background, _), *others = counts.most_common()
    floor = max(4, len(pixels) // 1000)
    candidates = [colour for colour, count in others if count >= floor]
    if not candidates:
        return None
    bg = f"#{background:06x}"
    best = max(candidates, key=lambda colour: contrast_ratio(f"#{colour:06x}", bg))
    fg = f"#{best:06x}"
    return round(contrast_ratio(fg, bg), 2), fg, bg


def _text_rect(widget: QWidget) -> QRect:
    """The part of a control where its text is drawn (inside its border; a check box's label)."""
    rect = widget.rect()
    if isinstance(widget, QCheckBox | QRadioButton):
        style = widget.style()
        indicator = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, widget)
        spacing = style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, widget)
        return rect.adjusted(indicator + spacing, 0, 0, 0)
    if isinstance(widget, QLabel):
        return rect
    return rect.adjusted(EDGE, EDGE, -EDGE, -EDGE)


class _Screen:
    """What the window shows, rendered once; parts of it are read per control.

    Reading from the whole window gets a control's real background (a card's, a banner's);
    a widget grabbed alone would be drawn on its own palette instead. A control partly
    hidden (scrolled out of view) is grabbed alone.
    """

    def __init__(self, root: QWidget) -> None:
        self.root = root
        self.image = root.grab().toImage()
        self.ratio = self.image.devicePixelRatio()

    def pixels(self, widget: QWidget, rect: QRect) -> QImage:
        if rect.width() <= 0 or rect.height() <= 0:
            return QImage()
        if widget is not self.root and not widget.visibleRegion().boundingRect().contains(rect):
            return widget.grab(rect).toImage()
        top_left = rect.topLeft() if widget is self.root else widget.mapTo(self.root, rect.topLeft())
        r = self.ratio
        return self.image.copy(
            QRect(
                round(top_left.x() * r),
                round(top_left.y() * r),
                round(rect.width() * r),
                round(rect.height() * r),
            )
        )


# -- what counts as a control ------------------------------------------------------------------
def _is_internal(widget: QWidget) -> bool:
    """Parts of another control (a combo box's line edit, a spin box's editor)."""
    parent = widget.parentWidget()
    return isinstance(parent, QComboBox | QAbstractSpinBox) or widget.objectName().startswith("qt_")


def _kind(widget: QWidget) -> str | None:
    if isinstance(widget, QScrollBar):
        return None  # lists scroll by swiping; a scroll bar is not a target of its own
    if isinstance(widget, QCheckBox):
        return "check box"
    if isinstance(widget, QRadioButton):
        return "radio button"
    if isinstance(widget, QAbstractButton):
        return type(widget).__name__
    if isinstance(widget, QLineEdit | QComboBox | QAbstractSpinBox | QSlider):
        return type(widget).__name__
    if isinstance(widget, QPlainTextEdit | QTextEdit) and not widget.isReadOnly():
        return type(widget).__name__
    return None


def _visible_widgets(root: QWidget) -> Iterator[QWidget]:
    for widget in root.findChildren(QWidget):
        if widget.isVisible() and widget.width() > 0 and widget.height() > 0 and not _is_internal(widget):
            yield widget


def _position(widget: QWidget, root: QWidget) -> tuple[int, int]:
    point = widget.mapTo(root, widget.rect().topLeft())
    return point.x(), point.y()


def _control(widget: QWidget, screen: _Screen, kind: str) -> Finding:
    root = screen.root
    measured = measured_contrast(screen.pixels(widget, _text_rect(widget)))
    selected = (
        isinstance(widget, QAbstractButton)
        and widget.isChecked()
        and not isinstance(widget, QCheckBox | QRadioButton)
    )
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    if isinstance(widget, QComboBox):
        text = widget.currentText()
    x, y = _position(widget, root)
    return _judge(
        Finding(
            kind=kind,
            name=widget.accessibleName() or widget.objectName(),
            text=str(text),
            x=x,
            y=y,
            width=widget.width(),
            height=widget.height(),
            target=True,
            contrast=measured[0] if measured else None,
            goal=SELECTION_GOAL if selected else TEXT_GOAL,
            foreground=measured[1] if measured else None,
            background=measured[2] if measured else None,
        )
    )


def _label(widget: QLabel, screen: _Screen) -> Finding | None:
    root = screen.root
    if not widget.text().strip():  # a picture, or nothing
        return None
    measured = measured_contrast(screen.pixels(widget, widget.contentsRect()))
    x, y = _position(widget, root)
    return _judge(
        Finding(
            kind="text",
            name=widget.accessibleName() or widget.objectName(),
            text=widget.text()[:60],
            x=x,
            y=y,
            width=widget.width(),
            height=widget.height(),
            target=False,
            contrast=measured[0] if measured else None,
            goal=TEXT_GOAL,
            foreground=measured[1] if measured else None,
            background=measured[2] if measured else None,
        )
    )


def _rows(view: QAbstractItemView, screen: _Screen) -> Iterator[Finding]:
    root = screen.root
    """Each visible row (or tile) of a list, table or tree: a touch target of its own."""
    model = view.model()
    viewport = view.viewport()
    if model is None:
        return
    area = viewport.rect()
    selection = view.selectionModel()
    seen = 0
    root_index = view.rootIndex()
    header = getattr(view, "horizontalHeader", None) or getattr(view, "header", None)
    columns = header().count() if header is not None else 1  # a list model has one column
    for row in range(model.rowCount(root_index)):
        index = model.index(row, 0, root_index)
        rect = view.visualRect(index)
        if not rect.isValid() or not rect.intersects(area):
            continue
        if columns > 1:  # a table row: every column, as wide as the view shows it
            rect = rect.united(view.visualRect(model.index(row, columns - 1, root_index)))
            rect.setLeft(max(rect.left(), 0))
            rect.setRight(min(rect.right(), area.right()))
        shown = rect.intersected(area)
        measured = measured_contrast(screen.pixels(viewport, shown.adjusted(2, 2, -2, -2)))
        selected = selection is not None and selection.isRowSelected(row, index.parent())
        origin = viewport.mapTo(root, rect.topLeft())
        yield _judge(
            Finding(
                kind=f"{type(view).__name__} row",
                name=view.accessibleName() or view.objectName(),
                text=str(index.data() or "")[:60],
                x=origin.x(),
                y=origin.y(),
                width=rect.width(),
                height=rect.height(),
                target=True,
                contrast=measured[0] if measured else None,
                goal=SELECTION_GOAL if selected else TEXT_GOAL,
                foreground=measured[1] if measured else None,
                background=measured[2] if measured else None,
            )
        )
        seen += 1
        if seen >= MAX_ROWS:
            return


def _tabs(bar: QTabBar, screen: _Screen) -> Iterator[Finding]:
    root = screen.root
    for tab in range(bar.count()):
        rect = bar.tabRect(tab)
        measured = measured_contrast(screen.pixels(bar, rect.adjusted(EDGE, EDGE, -EDGE, -EDGE)))
        origin = bar.mapTo(root, rect.topLeft())
        yield _judge(
            Finding(
                kind="tab",
                name=bar.accessibleName(),
                text=bar.tabText(tab),
                x=origin.x(),
                y=origin.y(),
                width=rect.width(),
                height=rect.height(),
                target=True,
                contrast=measured[0] if measured else None,
                goal=SELECTION_GOAL if tab == bar.currentIndex() else TEXT_GOAL,
                foreground=measured[1] if measured else None,
                background=measured[2] if measured else None,
            )
        )


def _run_js(view: QWebEngineView, script: str, timeout_ms: int) -> Any:
    loop = QEventLoop()
    answer: dict[str, Any] = {}

    def done(result: Any) -> None:
        answer["result"] = result
        loop.quit()

    view.page().runJavaScript(script, 0, done)
    QTimer.singleShot(timeout_ms, loop.quit)
    if "result" not in answer:
        loop.exec()
    return answer.get("result")


def _web_controls(view: QWebEngineView, root: QWidget, timeout_ms: int) -> Iterator[Finding]:
    """The page's own controls (the map's zoom buttons, ...), by their boxes in the page."""
    answer = _run_js(view, WEB_CONTROLS_JS, timeout_ms)
    controls = json.loads(answer) if isinstance(answer, str) else []
    zoom = view.zoomFactor()
    image = view.grab().toImage()
    for control in controls:
        rect = QRect(
            round(control["x"] * zoom),
            round(control["y"] * zoom),
            round(control["w"] * zoom),
            round(control["h"] * zoom),
        )
        measured = measured_contrast(image.copy(rect.adjusted(EDGE, EDGE, -EDGE, -EDGE)))
        origin = view.mapTo(root, rect.topLeft())
        yield _judge(
            Finding(
                kind="web control",
                name=f"{view.accessibleName()}: {control['text']}",
                text=str(control["text"]),
                x=origin.x(),
                y=origin.y(),
                width=rect.width(),
                height=rect.height(),
                target=True,
                contrast=measured[0] if measured else None,
                goal=TEXT_GOAL,
                foreground=measured[1] if measured else None,
                background=measured[2] if measured else None,
            )
        )


# -- the walk -------------------------------------------------------------------------------------
def audit_widget(root: QWidget, *, web_timeout_ms: int = 5000) -> list[Finding]:
    """Every visible control and text under `root` (root included), measured and judged."""
    QApplication.processEvents()
    screen = _Screen(root)
    findings: list[Finding] = []
    widgets = [root, *_visible_widgets(root)] if root.isVisible() else list(_visible_widgets(root))
    for widget in widgets:
        kind = _kind(widget)
        if kind is not None:
            findings.append(_control(widget, screen, kind))
        elif isinstance(widget, QLabel):
            found = _label(widget, screen)
            if found is not None:
                findings.append(found)
        elif isinstance(widget, QTabBar):
            findings.extend(_tabs(widget, screen))
        elif isinstance(widget, QAbstractItemView):
            findings.extend(_rows(widget, screen))
        elif isinstance(widget, QWebEngineView):
            findings.extend(_web_controls(widget, root, web_timeout_ms))
    return findings


def failures(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.ok]


def report(findings: list[Finding], title: str, emit: Callable[[str], None] = print) -> None:
    """The findings as lines for a person, failures first, then a summary line."""
    emit(title)
    for finding in sorted(findings, key=lambda f: (f.ok, f.y, f.x)):
        emit(finding.line())
    bad = failures(findings)
    targets = sum(1 for f in findings if f.target)
    emit(f"{len(findings)} checked ({targets} touch targets), {len(bad)} failing")
