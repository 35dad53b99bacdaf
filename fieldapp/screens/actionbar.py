"""The ticket screen's action bar: one "next step" button at a fixed place, the other moves beside it.

Every button has its own slot for as long as the ticket is shown: a move that is not
possible now hides its button but keeps its space (QSizePolicy.setRetainSizeWhenHidden),
so nothing under a thumb moves when the ticket's status, GPS or sync state changes.
"""

from __future__ import annotations

from typing import Any

from fieldapp import theme
from fieldapp.qt import (
    QT_TR_NOOP,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QPushButton,
    QShortcut,
    Qt,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from sync.workflow import STATUSES, next_steps

#: What each move is called on its button.
STEP_LABELS = {
    "en_route": QT_TR_NOOP("En route"),
    "in_progress": QT_TR_NOOP("Start work"),
    "on_hold": QT_TR_NOOP("On hold…"),
    "resolved": QT_TR_NOOP("Resolve…"),
    "closed": QT_TR_NOOP("Close"),
    "cancelled": QT_TR_NOOP("Cancel ticket"),
    "assigned": QT_TR_NOOP("Back to assigned"),
}
#: The keyboard shortcut of each move.
STEP_KEYS = {
    "en_route": "Ctrl+E",
    "in_progress": "Ctrl+W",
    "on_hold": "Ctrl+H",
    "resolved": "Ctrl+R",
    "closed": "Ctrl+L",
}
#: The one next step offered big, by the ticket's status (the first that is possible).
PRIMARY = {
    "new": ("assigned",),
    "assigned": ("en_route", "in_progress"),
    "en_route": ("in_progress",),
    "in_progress": ("resolved",),
    "on_hold": ("in_progress",),
    "resolved": ("closed",),
}


def primary_step(role: str, status: str) -> str | None:
    """The workflow's next step for `role` from `status`, if it may take one."""
    possible = next_steps(role, status)
    for step in PRIMARY.get(status, ()):
        if step in possible:
            return step
    return None


def role_steps(role: str) -> list[str]:
    """Every move a user of `role` can ever make, in workflow order: the bar's slots."""
    return [s for s in STATUSES if any(s in next_steps(role, current) for current in STATUSES)]


class ActionBar(QFrame):
    """The fixed bottom bar: secondary moves on the left in fixed slots, the next step on the right."""

    step = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "banner")
        self.setObjectName("action_bar")
        self.setFixedHeight(theme.ACTION_BAR)
        self.role = ""
        self.primary = touch_button("", primary=True)
        self.primary.setObjectName("step_primary")
        self.primary.setProperty("kind", "primary")
        self.primary.setMinimumWidth(theme.TOUCH * 4)
        self.primary.clicked.connect(self._primary_clicked)
        _retain(self.primary)
        self.buttons: dict[str, QPushButton] = {}
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(theme.SPACE, theme.SPACE, theme.SPACE, theme.SPACE)
        self._row.setSpacing(theme.SPACE)
        self._primary_step: str | None = None
        self._shortcuts: list[QShortcut] = []

    def show_moves(self, role: str, status: str) -> None:
        """Offer the moves of `role` from `status`; the slots only change with the role."""
        if role != self.role:
            self._build(role)
        possible = set(next_steps(role, status))
        self._primary_step = primary_step(role, status)
        if self._primary_step is not None:
            self.primary.setText(tr(STEP_LABELS[self._primary_step]))
            self.primary.setAccessibleName(tr(STEP_LABELS[self._primary_step]))
        self.primary.setVisible(self._primary_step is not None)
        for step, button in self.buttons.items():
            button.setVisible(step in possible and step != self._primary_step)

    def button_for(self, step: str) -> QPushButton | None:
        """The visible button that makes `step`, if any."""
        if step == self._primary_step and self.primary.isVisibleTo(self):
            return self.primary
        button = self.buttons.get(step)
        return button if button is not None and button.isVisibleTo(self) else None

    def trigger(self, step: str) -> None:
        """Make `step` as if its button was pressed, when it is offered."""
        if self.button_for(step) is not None:
            self.step.emit(step)

    def _primary_clicked(self) -> None:
        if self._primary_step is not None:
            self.step.emit(self._primary_step)

    def _build(self, role: str) -> None:
        self.role = role
        while self._row.count():
            item = self._row.takeAt(0)
            widget = item.widget()
            if widget is not None and widget is not self.primary:
                widget.deleteLater()
        for shortcut in self._shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self.buttons, self._shortcuts = {}, []
        for step in role_steps(role):
            button = touch_button(tr(STEP_LABELS.get(step, step)))
            button.setObjectName(f"step_{step}")
            if step == "cancelled":
                button.setProperty("kind", "danger")
            button.clicked.connect(lambda _checked=False, s=step: self.step.emit(s))
            _retain(button)
            self.buttons[step] = button
            self._row.addWidget(button, 1)
            if step in STEP_KEYS:
                shortcut = QShortcut(QKeySequence(STEP_KEYS[step]), self.parentWidget() or self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(lambda s=step: self.trigger(s))
                self._shortcuts.append(shortcut)
        self._row.addWidget(self.primary, 2)


def _retain(widget: QWidget) -> None:
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)
