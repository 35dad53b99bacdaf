"""The work record on the ticket screen, one tap per thing done, in gloves.

- **Time**: travel and on-site minutes taken from the status moves; − and + correct either by
  a quarter of an hour (a correction record; the latest stands).
- **Materials**: every material of the city's catalogue with the quantity used on this ticket;
  + records one more unit (a tenth for tonnes), − takes one back (a negative record).
- **Checklist**: the service's items as large toggles; a required one left unticked blocks
  "Resolved" with a plain message.

Names and texts come from the city's catalogue, in the app's language where the catalogue
gives one (`names`, `texts`), otherwise as the city wrote them.

Rows are built once per catalogue and only their words change, so nothing moves under a
finger. The box emits `record` with the fields of a record; the ticket screen queues it.
"""

from __future__ import annotations

from typing import Any

from fieldapp import theme
from fieldapp.i18n import current_language
from fieldapp.qt import QGridLayout, QGroupBox, QLabel, QPushButton, QVBoxLayout, Signal, touch_button, tr
from sync.workrecord import WorkCatalogue

#: Minutes one tap on − or + corrects a time by.
TIME_STEP = 15
#: Quantity one tap adds, by unit (one of anything else).
STEPS = {"t": 0.1, "l": 0.5}


def _step(unit: str) -> float:
    return STEPS.get(unit, 1.0)


def _small(text: str, name: str) -> QPushButton:
    button = touch_button(text, name)
    button.setMinimumWidth(theme.TOUCH)
    button.setFixedWidth(int(theme.TOUCH * 1.5))
    return button


class WorkBox(QGroupBox):
    #: The fields of a work record to queue (sync.workrecord.WorkRecordValue).
    record = Signal(dict)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(tr("Work record"), parent)
        self._catalogue: WorkCatalogue | None = None
        self._service: str | None = None
        self._summary: dict[str, Any] = {}
        self.time_labels: dict[str, QLabel] = {}
        self.material_labels: dict[str, QLabel] = {}
        self.material_buttons: dict[str, tuple[QPushButton, QPushButton]] = {}
        self.check_buttons: dict[str, QPushButton] = {}
        self._layout = QVBoxLayout(self)
        self._grid: QGridLayout | None = None

    # -- building -------------------------------------------------------------------
    def _build(self, catalogue: WorkCatalogue, service: str) -> None:
        language = current_language()
        if self._grid is not None:
            while self._grid.count():
                widget = self._grid.takeAt(0).widget()
                if widget is not None:
                    widget.deleteLater()
            self._layout.removeItem(self._grid)
        self.time_labels, self.material_labels, self.material_buttons, self.check_buttons = {}, {}, {}, {}
        grid = self._grid = QGridLayout()
        grid.setHorizontalSpacing(theme.SPACE)
        row = 0
        for kind, words in (("travel", tr("Travel")), ("on_site", tr("On site"))):
            label = QLabel()
            minus = _small("−", tr("{what}: {minutes} minutes less").format(what=words, minutes=TIME_STEP))
            plus = _small("+", tr("{what}: {minutes} minutes more").format(what=words, minutes=TIME_STEP))
            minus.clicked.connect(lambda _=False, k=kind: self._time(k, -TIME_STEP))
            plus.clicked.connect(lambda _=False, k=kind: self._time(k, TIME_STEP))
            grid.addWidget(QLabel(words), row, 0)
            grid.addWidget(label, row, 1)
            grid.addWidget(minus, row, 2)
            grid.addWidget(plus, row, 3)
            self.time_labels[kind] = label
            row += 1
        for material in catalogue.materials:
            label = QLabel()
            label_text = material.label(language)
            minus = _small("−", tr("One less: {name}").format(name=label_text))
            plus = _small("+", tr("One more: {name}").format(name=label_text))
            minus.clicked.connect(lambda _=False, m=material: self._material(m.code, -_step(m.unit)))
            plus.clicked.connect(lambda _=False, m=material: self._material(m.code, _step(m.unit)))
            name = QLabel(label_text)
            name.setWordWrap(True)
            grid.addWidget(name, row, 0)
            grid.addWidget(label, row, 1)
            grid.addWidget(minus, row, 2)
            grid.addWidget(plus, row, 3)
            self.material_labels[material.code] = label
            self.material_buttons[material.code] = (minus, plus)
            row += 1
        for item in catalogue.checklist(service):
            button = touch_button(item.label(language))
            button.setCheckable(True)
            button.clicked.connect(lambda checked, code=item.code: self._check(code, checked))
            grid.addWidget(button, row, 0, 1, 4)
            self.check_buttons[item.code] = button
            row += 1
        grid.setColumnStretch(0, 1)
        self._layout.addLayout(grid)
        self._catalogue, self._service = catalogue, service

    # -- showing --------------------------------------------------------------------
    def show_work(self, summary: dict[str, Any], catalogue: WorkCatalogue, service: str) -> None:
        if catalogue != self._catalogue or service != self._service:
            self._build(catalogue, service)
        self._summary = summary
        for kind, label in self.time_labels.items():
            time = summary["times"][kind]
            text = tr("{minutes} min").format(minutes=time["minutes"])
            label.setText(text + (" ✎" if time["corrected"] else ""))
        for material in catalogue.materials:
            used = summary["materials"].get(material.code, 0)
            self.material_labels[material.code].setText(f"{used:g} {material.unit}")
            self.material_buttons[material.code][0].setEnabled(used > 0)
        texts = {item.code: item.label(current_language()) for item in catalogue.checklist(service)}
        for item in summary["checklist"]:
            button = self.check_buttons[item["code"]]
            button.setChecked(item["done"])
            mark = "☑" if item["done"] else "☐"
            required = tr(" (required)") if item["required"] else ""
            button.setText(f"{mark} {texts.get(item['code'], item['text'])}{required}")

    def missing_required(self) -> list[str]:
        """The required checklist items not ticked, in the app's language."""
        if self._catalogue is None or self._service is None:
            return []
        texts = {
            item.code: item.label(current_language()) for item in self._catalogue.checklist(self._service)
        }
        return [
            texts.get(item["code"], item["text"])
            for item in self._summary.get("checklist", [])
            if item["required"] and not item["done"]
        ]

    # -- taps -----------------------------------------------------------------------
    def _time(self, kind: str, delta: int) -> None:
        minutes = max(0, min(24 * 60, self._summary["times"][kind]["minutes"] + delta))
        self.record.emit({"type": "time", "time_kind": kind, "minutes": minutes})

    def _material(self, code: str, quantity: float) -> None:
        self.record.emit({"type": "material", "material": code, "quantity": quantity})

    def _check(self, code: str, done: bool) -> None:
        self.record.emit({"type": "check", "item": code, "done": done})
