"""The app's look: one set of colours and sizes per theme, applied to the whole application.

*Sunlight* (the default) is black on white with thick borders and no translucent fills,
for reading outdoors; *dark* is for night shifts. Every text colour meets 7:1 against
the background it is drawn on, and selection at least 4.5:1 (WCAG's AAA and AA levels);
`tests/test_theme.py` checks every pair. Screens never write colours or sizes of their
own: they name a role (`kind="primary"` on a button, `role="muted"` on a label) and the
stylesheet built here gives it its look, so a theme switch repaints everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldapp.qt import TOUCH, QApplication, QColor, QFont, QPalette

#: Body text size in points (at 96 dpi, 14 pt is about 19 px); the system's size is used when larger.
BODY_PT = 14
#: Gaps and paddings, in device-independent pixels.
SPACE = 8
#: Height of the ticket screen's action bar (its buttons never move): a target, the
#: bar's margins and its 2 px border.
ACTION_BAR = TOUCH + 3 * SPACE

THEME_NAMES = ("sunlight", "dark")
DEFAULT_THEME = "sunlight"


@dataclass(frozen=True)
class ThemeColors:
    """The colours of one theme, as #rrggbb strings."""

    name: str
    window: str  # page background
    text: str  # body text
    muted: str  # secondary text (still 7:1)
    surface: str  # cards, fields
    surface_alt: str  # buttons, chips at rest
    border: str
    primary: str  # the one next step
    on_primary: str
    selection: str
    on_selection: str
    danger: str  # overdue, errors, offline (as text on window)
    warning: str  # at risk (as text on window)
    ok: str  # done, online (as text on window)
    pending: str  # unsynced edits (as text on window)
    #: status code -> (text, background) of its chip
    status: dict[str, tuple[str, str]] = field(default_factory=dict)

    def text_pairs(self) -> list[tuple[str, str, str, float]]:
        """(what, foreground, background, goal) for every text drawn by the theme."""
        pairs: list[tuple[str, str, str, float]] = []
        for role in ("text", "muted", "danger", "warning", "ok", "pending", "primary"):
            for ground in ("window", "surface"):
                pairs.append((f"{role} on {ground}", getattr(self, role), getattr(self, ground), 7.0))
        pairs.append(("text on surface_alt", self.text, self.surface_alt, 7.0))
        pairs.append(("on_primary on primary", self.on_primary, self.primary, 7.0))
        pairs.append(("selection", self.on_selection, self.selection, 4.5))
        for status, (fg, bg) in self.status.items():
            pairs.append((f"status {status}", fg, bg, 7.0))
        return pairs


SUNLIGHT = ThemeColors(
    name="sunlight",
    window="#ffffff",
    text="#000000",
    muted="#333333",
    surface="#ffffff",
    surface_alt="#ebebeb",
    border="#000000",
    primary="#003a8c",
    on_primary="#ffffff",
    selection="#003a8c",
    on_selection="#ffffff",
    danger="#8a0000",
    warning="#6b4000",
    ok="#0b5a0b",
    pending="#003a8c",
    status={
        "new": ("#ffffff", "#333333"),
        "assigned": ("#ffffff", "#003a8c"),
        "en_route": ("#ffffff", "#4b1f7a"),
        "in_progress": ("#ffffff", "#6b4000"),
        "on_hold": ("#ffffff", "#8a0000"),
        "resolved": ("#ffffff", "#0b5a0b"),
        "closed": ("#ffffff", "#333333"),
        "cancelled": ("#ffffff", "#333333"),
    },
)

DARK = ThemeColors(
    name="dark",
    window="#000000",
    text="#ffffff",
    muted="#d0d0d0",
    surface="#121212",
    surface_alt="#262626",
    border="#bdbdbd",
    primary="#8ab4f8",
    on_primary="#000000",
    selection="#8ab4f8",
    on_selection="#000000",
    danger="#ff8a80",
    warning="#ffd180",
    ok="#81c995",
    pending="#8ab4f8",
    status={
        "new": ("#000000", "#e0e0e0"),
        "assigned": ("#000000", "#8ab4f8"),
        "en_route": ("#000000", "#d7aefb"),
        "in_progress": ("#000000", "#ffd180"),
        "on_hold": ("#000000", "#ff8a80"),
        "resolved": ("#000000", "#81c995"),
        "closed": ("#000000", "#bdbdbd"),
        "cancelled": ("#000000", "#bdbdbd"),
    },
)

THEMES = {SUNLIGHT.name: SUNLIGHT, DARK.name: DARK}
_current: ThemeColors = SUNLIGHT


def current() -> ThemeColors:
    """The theme in force (sunlight until `apply_theme` chose another)."""
    return _current


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    rgb = QColor(colour)
    channels = []
    for value in (rgb.redF(), rgb.greenF(), rgb.blueF()):
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio between two colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def palette(colors: ThemeColors) -> QPalette:
    """A QPalette carrying the theme, for widgets that paint from the palette (views, delegates)."""
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: colors.window,
        QPalette.ColorRole.WindowText: colors.text,
        QPalette.ColorRole.Base: colors.surface,
        QPalette.ColorRole.AlternateBase: colors.surface_alt,
        QPalette.ColorRole.Text: colors.text,
        QPalette.ColorRole.Button: colors.surface_alt,
        QPalette.ColorRole.ButtonText: colors.text,
        QPalette.ColorRole.BrightText: colors.danger,
        QPalette.ColorRole.Highlight: colors.selection,
        QPalette.ColorRole.HighlightedText: colors.on_selection,
        QPalette.ColorRole.ToolTipBase: colors.surface,
        QPalette.ColorRole.ToolTipText: colors.text,
        QPalette.ColorRole.PlaceholderText: colors.muted,
        QPalette.ColorRole.Link: colors.primary,
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(colors.muted))
    return pal


def stylesheet(colors: ThemeColors) -> str:
    """The application stylesheet: sizes for gloves, borders, and the look of each role."""
    c = colors
    return f"""
QPushButton, QToolButton {{
    min-height: {TOUCH}px; min-width: {TOUCH}px; padding: 4px 16px;
    border: 2px solid {c.border}; border-radius: 6px;
    background: {c.surface_alt}; color: {c.text};
}}
QPushButton:pressed, QToolButton:pressed, QPushButton:checked, QToolButton:checked {{
    background: {c.selection}; color: {c.on_selection}; border-color: {c.selection};
}}
QPushButton:disabled, QToolButton:disabled {{ color: {c.muted}; border-style: dashed; }}
QPushButton[kind="primary"] {{
    background: {c.primary}; color: {c.on_primary}; border-color: {c.primary}; font-weight: bold;
}}
QPushButton[kind="danger"] {{ background: {c.surface}; color: {c.danger}; border-color: {c.danger}; }}
QPushButton[kind="chip"], QToolButton[kind="chip"] {{ border-radius: {TOUCH // 2}px; }}
QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QSpinBox, QDoubleSpinBox {{
    min-height: {TOUCH}px; border: 2px solid {c.border}; border-radius: 4px; padding: 2px 8px;
    background: {c.surface}; color: {c.text};
    selection-background-color: {c.selection}; selection-color: {c.on_selection};
    placeholder-text-color: {c.muted};
}}
QComboBox QAbstractItemView {{ background: {c.surface}; color: {c.text}; }}
QComboBox QAbstractItemView::item {{ min-height: {TOUCH}px; }}
QCheckBox, QRadioButton {{ min-height: {TOUCH}px; spacing: {SPACE}px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 32px; height: 32px; }}
QAbstractItemView {{
    background: {c.surface}; color: {c.text}; alternate-background-color: {c.surface_alt};
    selection-background-color: {c.selection}; selection-color: {c.on_selection};
}}
QListView::item, QListWidget::item {{ min-height: {TOUCH}px; }}
QScrollBar:vertical {{ width: 20px; }}
QScrollBar:horizontal {{ height: 20px; }}
QLabel[role="muted"] {{ color: {c.muted}; }}
QLabel[role="danger"] {{ color: {c.danger}; font-weight: bold; }}
QLabel[role="warning"] {{ color: {c.warning}; font-weight: bold; }}
QLabel[role="ok"] {{ color: {c.ok}; font-weight: bold; }}
QLabel[role="pending"] {{ color: {c.pending}; font-weight: bold; }}
QLabel[role="title"] {{ font-size: {BODY_PT + 6}pt; font-weight: bold; }}
QFrame[role="card"] {{ background: {c.surface}; border: 2px solid {c.border}; border-radius: 6px; }}
QFrame[role="banner"] {{ background: {c.surface_alt}; border: 2px solid {c.border}; }}
QFrame#action_bar QPushButton {{ padding: 4px 6px; }}
"""


def body_font(system: QFont) -> QFont:
    """The system's font at `BODY_PT` points, or larger when the system asks for larger."""
    font = QFont(system)
    if font.pointSizeF() < BODY_PT:
        font.setPointSizeF(BODY_PT)
    return font


def apply_theme(app: QApplication, name: str = DEFAULT_THEME) -> ThemeColors:
    """Give the whole application the named theme (unknown names fall back to sunlight)."""
    global _current
    colors = THEMES.get(name, SUNLIGHT)
    _current = colors
    app.setStyle("Fusion")  # draws from the palette on every platform
    app.setPalette(palette(colors))
    app.setFont(body_font(QApplication.font()))
    app.setStyleSheet(stylesheet(colors))
    return colors
