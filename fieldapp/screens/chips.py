"""A row of chips of which one is chosen: filters and sort orders a finger can hit."""

from __future__ import annotations

from typing import Any

from fieldapp.qt import QButtonGroup, QHBoxLayout, QPushButton, QWidget, Signal
from fieldapp.theme import SPACE, TOUCH


class ChipGroup(QWidget):
    """Exclusive, checkable chips (48 px high); `changed` carries the chosen key."""

    changed = Signal(str)

    def __init__(self, labels: dict[str, str], name: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.buttons: dict[str, QPushButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACE)
        for key, label in labels.items():
            button = QPushButton(label)
            button.setCheckable(True)
            button.setProperty("kind", "chip")
            button.setMinimumHeight(TOUCH)
            button.setAccessibleName(f"{name}: {label}")
            self._group.addButton(button)
            layout.addWidget(button)
            self.buttons[key] = button
            button.toggled.connect(lambda on, chosen=key: on and self.changed.emit(chosen))
        next(iter(self.buttons.values())).setChecked(True)

    def currentData(self) -> str:
        return next(key for key, button in self.buttons.items() if button.isChecked())

    def setCurrentData(self, key: str) -> None:
        """Choose `key` without emitting `changed` (a choice made by the program, not the crew)."""
        button = self.buttons[key]
        if not button.isChecked():
            button.blockSignals(True)
            button.setChecked(True)
            button.blockSignals(False)
