"""The ticket's workflow controls for gloved hands: a fixed action bar and in-place panels.

- `ActionBar`: the next step in one big primary button that always stands in the same
  place, the other legal moves in fixed slots beside it. Buttons are made once and only
  relabelled: a slot with nothing to offer keeps its space, so no button ever moves
  under a finger when the status, the position or the sync state changes.
- `ResolvePanel`: the outcome as large buttons (a tap confirms), the outcome note, and
  the after-photo step when the ticket has a before photo and no after photo (the camera
  in the app, or files from a camera card; skippable, never blocking).
- `HoldPanel`: the reason as large buttons (a tap confirms), "Other…" with words of
  the crew's own.
"""

from __future__ import annotations

from typing import Any

from fieldapp.labels import HOLD_REASONS, hold_reason_label, outcome_label
from fieldapp.qt import (
    QT_TR_NOOP,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.theme import ACTION_BAR, SPACE, TOUCH
from sync.workflow import RESOLUTION_CODES

STEP_LABELS = {
    "en_route": QT_TR_NOOP("En route"),
    "in_progress": QT_TR_NOOP("Start work"),
    "on_hold": QT_TR_NOOP("On hold…"),
    "resolved": QT_TR_NOOP("Resolve…"),
    "closed": QT_TR_NOOP("Close"),
    "cancelled": QT_TR_NOOP("Cancel ticket"),
    "assigned": QT_TR_NOOP("Back to assigned"),
    "new": QT_TR_NOOP("Back to the queue"),
}
#: The next step along the workflow, in the order it is preferred as the primary button.
FORWARD = ("en_route", "in_progress", "resolved", "closed")
#: How many moves the bar can offer at once (the primary and the others).
SLOTS = 4
#: Keyboard shortcuts for the workflow steps (laptop users).
STEP_KEYS = {"en_route": "Ctrl+E", "in_progress": "Ctrl+W", "on_hold": "Ctrl+H", "resolved": "Ctrl+R"}


def primary_step(steps: list[str]) -> str | None:
    """The one next step the bar puts first: the furthest-forward move along the workflow."""
    return next((step for step in FORWARD if step in steps), None)


def _keep_space(widget: QWidget) -> None:
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


class ActionBar(QWidget):
    """Fixed slots: slot 0 is always the primary next step; the others follow in workflow order."""

    step = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(ACTION_BAR)
        self.setAccessibleName(tr("Workflow steps"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(SPACE, SPACE // 2, SPACE, SPACE // 2)
        layout.setSpacing(SPACE)
        self.slots: list[QPushButton] = []
        self._steps: list[str | None] = [None] * SLOTS
        for index in range(SLOTS):
            button = QPushButton()
            button.setMinimumHeight(TOUCH)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            if index == 0:
                button.setProperty("kind", "primary")
            _keep_space(button)
            button.setVisible(False)
            button.clicked.connect(lambda _c=False, i=index: self._clicked(i))
            layout.addWidget(button, 1)
            self.slots.append(button)

    def show_steps(self, steps: list[str]) -> None:
        """Offer these moves: the primary in slot 0, the rest after it; empty slots keep their space."""
        first = primary_step(steps)
        others = [s for s in steps if s != first][: SLOTS - 1]
        arranged: list[str | None] = [first, *others, *[None] * SLOTS][:SLOTS]
        self._steps = arranged
        for button, step in zip(self.slots, arranged, strict=True):
            button.setVisible(step is not None)
            if step is not None:
                button.setText(tr(STEP_LABELS.get(step, step)))
                button.setObjectName(f"step_{step}")
                button.setAccessibleName(tr(STEP_LABELS.get(step, step)))
            else:
                button.setObjectName("")

    def steps(self) -> list[str]:
        return [s for s in self._steps if s is not None]

    def button_for(self, step: str) -> QPushButton | None:
        for button, shown in zip(self.slots, self._steps, strict=True):
            if shown == step:
                return button
        return None

    def _clicked(self, index: int) -> None:
        step = self._steps[index]
        if step is not None:
            self.step.emit(step)


class _Panel(QWidget):
    """A full-size panel in place of the ticket's details, with a title and a Cancel button."""

    cancelled = Signal()

    def __init__(self, title: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.heading = QLabel(title)
        self.heading.setProperty("role", "title")
        self.cancel_button = touch_button(tr("Cancel"), tr("Back to the ticket"))
        self.cancel_button.clicked.connect(self.cancelled.emit)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.cancel_button)
        self.body = QVBoxLayout(self)
        self.body.addLayout(top)


class ResolvePanel(_Panel):
    """Outcome buttons (a tap resolves), the outcome note, and the after-photo step."""

    confirmed = Signal(str, str)  # resolution code, outcome note
    take_photo = Signal()
    photos_chosen = Signal(list)  # paths of after photos from files

    def __init__(self, parent: Any = None) -> None:
        super().__init__(tr("Resolve: what was the outcome?"), parent)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName(tr("Outcome note"))
        self.note.setPlaceholderText(tr("What was done (the reporter reads this)…"))
        self.note.setMinimumHeight(TOUCH * 2)
        self.note.setMaximumHeight(TOUCH * 3)

        self.photo_step = QWidget()
        self.photo_hint = QLabel(tr("This ticket has a before photo. Add the after photo:"))
        self.photo_hint.setWordWrap(True)
        self.camera_button = touch_button(tr("Take after photo"), primary=True)
        self.camera_button.setObjectName("after_camera")
        self.camera_button.clicked.connect(self.take_photo.emit)
        self.files_button = touch_button(tr("After photo from files…"))
        self.files_button.setObjectName("after_files")
        self.files_button.clicked.connect(self._choose_files)
        self.photo_state = QLabel()
        self.photo_state.setProperty("role", "ok")
        photo_row = QHBoxLayout()
        photo_row.addWidget(self.camera_button)
        photo_row.addWidget(self.files_button)
        photo_row.addWidget(self.photo_state, 1)
        step_layout = QVBoxLayout(self.photo_step)
        step_layout.setContentsMargins(0, 0, 0, 0)
        step_layout.addWidget(self.photo_hint)
        step_layout.addLayout(photo_row)
        #: The file picker, large-row and the same on every platform (a camera card's files).
        self.file_dialog = QFileDialog(self, tr("After photo"))
        self.file_dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self.file_dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        self.file_dialog.setNameFilter(tr("Images (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp)"))
        self.file_dialog.filesSelected.connect(lambda names: self.photos_chosen.emit(list(names)))

        outcomes = QGridLayout()
        outcomes.setSpacing(SPACE)
        self.outcome_buttons: dict[str, QPushButton] = {}
        for index, code in enumerate(RESOLUTION_CODES):
            button = touch_button(outcome_label(code), primary=index == 0)
            button.setObjectName(f"outcome_{code}")
            if index == 0:
                button.setProperty("kind", "primary")
            button.setMinimumHeight(TOUCH + SPACE * 2)
            button.clicked.connect(lambda _c=False, c=code: self.confirmed.emit(c, self.note.toPlainText()))
            outcomes.addWidget(button, index // 2, index % 2)
            self.outcome_buttons[code] = button

        self.body.addWidget(self.photo_step)
        self.body.addWidget(QLabel(tr("Outcome note (optional):")))
        self.body.addWidget(self.note)
        self.body.addWidget(QLabel(tr("Tap the outcome to resolve:")))
        self.body.addLayout(outcomes)
        self.body.addStretch(1)

    def prepare(self, needs_after_photo: bool) -> None:
        """Fresh for a ticket: no note, and the after-photo step only where it is wanted."""
        self.note.clear()
        self.photo_state.clear()
        self.photo_step.setVisible(needs_after_photo)

    def after_photo_added(self) -> None:
        self.photo_state.setText(tr("After photo added ✓"))

    def _choose_files(self) -> None:
        self.file_dialog.open()


class HoldPanel(_Panel):
    """Why the work stops: a tap on a reason puts the ticket on hold; "Other…" asks for words."""

    confirmed = Signal(str)  # the reason in words (kept as a note on the ticket)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(tr("On hold: why does the work stop?"), parent)
        grid = QGridLayout()
        grid.setSpacing(SPACE)
        self.reason_buttons: dict[str, QPushButton] = {}
        for index, code in enumerate(HOLD_REASONS):
            button = touch_button(hold_reason_label(code))
            button.setObjectName(f"hold_{code}")
            button.setMinimumHeight(TOUCH + SPACE * 2)
            button.clicked.connect(lambda _c=False, c=code: self._reason(c))
            grid.addWidget(button, index // 2, index % 2)
            self.reason_buttons[code] = button
        self.other = QLineEdit()
        self.other.setAccessibleName(tr("Other reason"))
        self.other.setPlaceholderText(tr("Say why…"))
        self.other_confirm = touch_button(tr("Put on hold"), primary=True)
        self.other_confirm.setProperty("kind", "primary")
        self.other_confirm.clicked.connect(self._other_confirmed)
        self.other.returnPressed.connect(self._other_confirmed)
        self.other_row = QWidget()
        row = QHBoxLayout(self.other_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.other, 1)
        row.addWidget(self.other_confirm)
        self.body.addLayout(grid)
        self.body.addWidget(self.other_row)
        self.body.addStretch(1)

    def prepare(self) -> None:
        self.other.clear()
        self.other_row.setVisible(False)

    def _reason(self, code: str) -> None:
        if code == "other":
            self.other_row.setVisible(True)
            self.other.setFocus()
            return
        self.confirmed.emit(hold_reason_label(code))

    def _other_confirmed(self) -> None:
        text = self.other.text().strip()
        if text:
            self.confirmed.emit(text)
