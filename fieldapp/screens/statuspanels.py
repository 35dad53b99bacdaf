"""Resolve and On hold as full-size panels in the ticket screen (no dialogs).

Resolve: the after-photo step (asked when the ticket has a before photo and no after
photo; never blocking), the outcome note the reporter reads, and the outcomes as large
buttons: tapping one resolves. On hold: the reasons as large buttons ("Other…" asks for
words), an optional note, and one button that confirms.
"""

from __future__ import annotations

from typing import Any

from fieldapp import theme
from fieldapp.labels import HOLD_REASONS, hold_reason_label, outcome_label
from fieldapp.qt import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from sync.workflow import RESOLUTION_CODES

#: Buttons per row in the outcome and reason grids (two fit a portrait tablet with long words).
COLUMNS = 2


def _grid(buttons: list[QPushButton]) -> QGridLayout:
    grid = QGridLayout()
    grid.setSpacing(theme.SPACE)
    for index, button in enumerate(buttons):
        button.setMinimumHeight(theme.TOUCH + 2 * theme.SPACE)
        grid.addWidget(button, index // COLUMNS, index % COLUMNS)
    return grid


def _note_field(placeholder: str, name: str) -> QPlainTextEdit:
    note = QPlainTextEdit()
    note.setPlaceholderText(placeholder)
    note.setAccessibleName(name)
    note.setTabChangesFocus(True)
    note.setMinimumHeight(theme.TOUCH * 2)
    note.setMaximumHeight(theme.TOUCH * 3)
    return note


class ResolvePanel(QWidget):
    """The outcome of the work: after photo, note, and an outcome button that resolves."""

    #: (resolution code, outcome note)
    resolve = Signal(str, str)
    cancel = Signal()
    take_photo = Signal()
    from_files = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("resolve_panel")
        title = QLabel(tr("Resolve ticket"))
        title.setProperty("role", "title")

        self.photo_step = QFrame()
        self.photo_step.setProperty("role", "banner")
        self.photo_prompt = QLabel()
        self.photo_prompt.setWordWrap(True)
        self.take_button = touch_button(tr("Take after photo"))
        self.take_button.setProperty("kind", "primary")
        self.take_button.clicked.connect(self.take_photo.emit)
        self.files_button = touch_button(tr("From files…"), tr("Add the after photo from files"))
        self.files_button.clicked.connect(self.from_files.emit)
        self.skip_button = touch_button(tr("Skip"), tr("Resolve without an after photo"))
        self.skip_button.clicked.connect(self._skip)
        photo_buttons = QHBoxLayout()
        for button in (self.take_button, self.files_button, self.skip_button):
            photo_buttons.addWidget(button, 1)
        step_layout = QVBoxLayout(self.photo_step)
        step_layout.addWidget(self.photo_prompt)
        step_layout.addLayout(photo_buttons)

        self.note = _note_field(tr("What was done (the reporter reads this)"), tr("Outcome note"))
        self.outcomes: dict[str, QPushButton] = {}
        for code in RESOLUTION_CODES:
            label = outcome_label(code)
            button = touch_button(label, tr("Resolve: {outcome}").format(outcome=label))
            button.setObjectName(f"outcome_{code}")
            button.clicked.connect(lambda _checked=False, c=code: self._chosen(c))
            self.outcomes[code] = button
        self.outcomes[RESOLUTION_CODES[0]].setProperty("kind", "primary")
        cancel = touch_button(tr("Cancel"), tr("Back to the ticket without resolving"))
        cancel.clicked.connect(self.cancel.emit)

        layout = QVBoxLayout(self)
        layout.setSpacing(theme.SPACE)
        layout.addWidget(title)
        layout.addWidget(self.photo_step)
        layout.addWidget(QLabel(tr("Outcome note")))
        layout.addWidget(self.note)
        layout.addWidget(QLabel(tr("Outcome: tap one to resolve")))
        layout.addLayout(_grid(list(self.outcomes.values())))
        layout.addStretch(1)
        layout.addWidget(cancel)

    def reset(self, *, ask_after_photo: bool, camera: bool) -> None:
        """A fresh panel: empty note; the after-photo step when the ticket needs one."""
        self.note.clear()
        self.take_button.setEnabled(camera)
        self.take_button.setToolTip("" if camera else tr("No camera found on this device"))
        self.photo_prompt.setProperty("role", "")
        self.photo_prompt.setText(
            tr("There is a before photo. Add an after photo?")
            if camera
            else tr("There is a before photo. No camera here: add the after photo from files?")
        )
        for button in (self.take_button, self.files_button, self.skip_button):
            button.show()
        self.photo_step.setVisible(ask_after_photo)

    def after_photo_added(self) -> None:
        """The after photo is on the ticket: say so, and leave only the outcome to choose."""
        for button in (self.take_button, self.files_button, self.skip_button):
            button.hide()
        self.photo_prompt.setProperty("role", "ok")
        self.photo_prompt.setText(tr("✓ After photo added. Choose the outcome."))
        self.photo_prompt.style().polish(self.photo_prompt)

    def _chosen(self, code: str) -> None:
        self.resolve.emit(code, self.note.toPlainText())

    def _skip(self) -> None:
        self.photo_step.hide()


class HoldPanel(QWidget):
    """Why the work stops: a reason (large buttons), an optional note, and confirm."""

    #: The note's text: the reason's words, and what the crew wrote.
    hold = Signal(str)
    cancel = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("hold_panel")
        title = QLabel(tr("Put on hold"))
        title.setProperty("role", "title")
        self.reasons = QButtonGroup(self)
        self.reasons.setExclusive(True)
        self.reason_buttons: dict[str, QPushButton] = {}
        for code in HOLD_REASONS:
            button = touch_button(hold_reason_label(code))
            button.setObjectName(f"reason_{code}")
            button.setCheckable(True)
            self.reasons.addButton(button)
            self.reason_buttons[code] = button
        self.reasons.buttonToggled.connect(lambda *_args: self._update())
        self.other = QLineEdit()
        self.other.setPlaceholderText(tr("Why is the work on hold?"))
        self.other.setAccessibleName(tr("Other reason"))
        self.other.textChanged.connect(lambda _text: self._update())
        self.note = _note_field(tr("Note (optional)"), tr("Hold note"))
        self.confirm = touch_button(tr("Put on hold"))
        self.confirm.setObjectName("hold_confirm")
        self.confirm.setProperty("kind", "primary")
        self.confirm.clicked.connect(self._confirm)
        cancel = touch_button(tr("Cancel"), tr("Back to the ticket without putting it on hold"))
        cancel.clicked.connect(self.cancel.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel, 1)
        buttons.addWidget(self.confirm, 2)

        layout = QVBoxLayout(self)
        layout.setSpacing(theme.SPACE)
        layout.addWidget(title)
        layout.addWidget(QLabel(tr("Reason")))
        layout.addLayout(_grid(list(self.reason_buttons.values())))
        layout.addWidget(self.other)
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.reset()

    def reset(self) -> None:
        self.reasons.setExclusive(False)
        for button in self.reason_buttons.values():
            button.setChecked(False)
        self.reasons.setExclusive(True)
        self.other.clear()
        self.note.clear()
        self._update()

    def reason_text(self) -> str:
        """The chosen reason in words ("" when none or "Other…" without words)."""
        for code, button in self.reason_buttons.items():
            if button.isChecked():
                return self.other.text().strip() if code == "other" else hold_reason_label(code)
        return ""

    def _update(self) -> None:
        other = self.reason_buttons["other"].isChecked()
        self.other.setVisible(other)
        if other:
            self.other.setFocus()
        self.confirm.setEnabled(bool(self.reason_text()))

    def _confirm(self) -> None:
        reason = self.reason_text()
        if not reason:
            return
        note = self.note.toPlainText().strip()
        self.hold.emit(f"{reason}. {note}" if note else reason)
