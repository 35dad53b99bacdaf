"""Conflicts in plain words, with keep mine / keep theirs; and edits the server refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldapp.errors import show_error
from fieldapp.labels import field_label, field_value_label
from fieldapp.qt import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.tasks import run_task
from sync.replica import Replica


def _value(value: Any, field: str = "") -> str:
    if value is None:
        return tr("nothing")
    return field_value_label(field, value)


def describe(conflict: dict[str, Any], me: str) -> str:
    """A conflict in plain words: what you changed, what happened meanwhile, what stands."""
    field = field_label(conflict["field"])
    who = tr("You") if conflict["author"] == me else conflict["author"]
    lines = [
        tr("{who} set the {field} to “{mine}”.").format(
            who=who, field=field, mine=_value(conflict["mine"], conflict["field"])
        ),
        tr("Meanwhile it became “{theirs}”: {reason}.").format(
            theirs=_value(conflict["theirs"], conflict["field"]), reason=conflict["reason"]
        ),
        tr("Now standing: “{standing}”.").format(standing=_value(conflict["standing"], conflict["field"])),
    ]
    if conflict.get("resolving"):
        lines.append(tr("Your decision is waiting to be sent."))
    return "\n".join(lines)


class ConflictsScreen(QWidget):
    changed = Signal()
    open_ticket = Signal(str)

    def __init__(self, replica_path: Path, parent: Any = None) -> None:
        super().__init__(parent)
        self.replica_path = replica_path
        self._busy = False
        self.me = ""
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Conflicts"))
        self.list.setWordWrap(True)
        self.list.setSpacing(6)
        self.list.itemActivated.connect(
            lambda item: self.open_ticket.emit(item.data(Qt.ItemDataRole.UserRole + 1))
        )
        self.keep_mine = touch_button(tr("Keep mine"))
        self.keep_theirs = touch_button(tr("Keep theirs"))
        self.keep_mine.clicked.connect(lambda: self.resolve_selected("mine"))
        self.keep_theirs.clicked.connect(lambda: self.resolve_selected("theirs"))
        self.empty = QLabel(tr("No conflicts. Everything you did is on the server or on its way."))
        self.rejected = QListWidget()
        self.rejected.setAccessibleName(tr("Refused changes"))
        self.rejected.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_mine)
        buttons.addWidget(self.keep_theirs)
        buttons.addStretch(1)
        conflicts_box = QGroupBox(tr("Conflicts"))
        box_layout = QVBoxLayout(conflicts_box)
        box_layout.addWidget(self.empty)
        box_layout.addWidget(self.list, 1)
        box_layout.addLayout(buttons)
        rejected_box = QGroupBox(tr("Changes the server refused"))
        QVBoxLayout(rejected_box).addWidget(self.rejected)
        layout = QVBoxLayout(self)
        layout.addWidget(conflicts_box, 3)
        layout.addWidget(rejected_box, 1)

    def busy(self) -> bool:
        return self._busy

    def reload(self) -> None:
        self._busy = True
        path = self.replica_path

        def load() -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
            replica = Replica(path)
            try:
                user = replica.get("user") or {}
                return replica.conflicts(), replica.rejected(), user.get("username", "")
            finally:
                replica.close()

        def done(result: tuple[list[dict[str, Any]], list[dict[str, Any]], str]) -> None:
            self._busy = False
            conflicts, rejected, self.me = result
            self.list.clear()
            for conflict in conflicts:
                item = QListWidgetItem(describe(conflict, self.me))
                item.setData(Qt.ItemDataRole.UserRole, conflict["id"])
                item.setData(Qt.ItemDataRole.UserRole + 1, conflict["ticket_id"])
                if conflict["resolving"]:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                self.list.addItem(item)
            self.empty.setVisible(not conflicts)
            if conflicts:
                self.list.setCurrentRow(0)
            self.rejected.clear()
            for r in rejected:
                what = f"{r['field']} → {_value(r['value'])}" if r["kind"] == "set" else r["kind"]
                self.rejected.addItem(
                    tr("Ticket {ticket}: {what} was refused: {reason}").format(
                        ticket=r["ticket_id"][:8], what=what, reason=r["reason"]
                    )
                )

        def failed(exc: Exception) -> None:
            self._busy = False
            show_error(self, exc)

        run_task(load, done, failed)

    def resolve_selected(self, keep: str) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.resolve(item.data(Qt.ItemDataRole.UserRole), keep)

    def resolve(self, conflict_id: str, keep: str) -> None:
        self._busy = True
        path = self.replica_path

        def work() -> None:
            replica = Replica(path)
            try:
                replica.resolve_conflict(conflict_id, keep)
            finally:
                replica.close()

        def done(_result: Any) -> None:
            self._busy = False
            self.reload()
            self.changed.emit()

        def failed(exc: Exception) -> None:
            self._busy = False
            show_error(self, exc)

        run_task(work, done, failed)
