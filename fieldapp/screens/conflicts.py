"""Conflicts in plain words, with keep mine / keep theirs; and edits the server refused.

A conflict can be about a ticket that has left this device (another crew has it now):
its summary says what and where the ticket is and who has it; keep mine is offered
only where it is still the user's to do, otherwise the screen says who can.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fieldapp.errors import show_error
from fieldapp.labels import field_label, field_value_label, service_label, status_label
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


#: Item data roles of a conflict row.
CONFLICT_ID = Qt.ItemDataRole.UserRole
TICKET_ID = Qt.ItemDataRole.UserRole + 1
REFUSAL = Qt.ItemDataRole.UserRole + 2
ON_DEVICE = Qt.ItemDataRole.UserRole + 3


def _ticket_line(ticket: dict[str, Any]) -> str | None:
    if not ticket:
        return None
    holder = (
        tr("crew {crew}").format(crew=ticket["assigned_crew"])
        if ticket.get("assigned_crew")
        else tr("the unassigned queue")
    )
    return tr("The ticket: {service} at {address}, {status}, with {holder}.").format(
        service=service_label(ticket["service_code"]),
        address=ticket["address"],
        status=status_label(ticket["status"]),
        holder=holder,
    )


def describe(conflict: dict[str, Any], me: str) -> str:
    """A conflict in plain words: what you changed, what happened meanwhile, what stands,
    the ticket as it is now, and who can keep the overridden value if you cannot."""
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
    ticket_line = _ticket_line(conflict.get("ticket") or {})
    if ticket_line:
        lines.append(ticket_line)
    if conflict.get("keep_mine_refusal"):
        lines.append(
            tr("Keeping “{mine}” is not yours to do: {why}. Press Seen to acknowledge.").format(
                mine=_value(conflict["mine"]), why=refusal_words(conflict["keep_mine_refusal"])
            )
        )
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
        self.list.itemActivated.connect(self._activated)
        self.list.currentItemChanged.connect(lambda item, _previous: self._offer(item))
        self.keep_mine = touch_button(tr("Keep mine"))
        self.keep_theirs = touch_button(tr("Seen, keep theirs"))
        self.who_can = QLabel()
        self.who_can.setWordWrap(True)
        self.keep_mine.clicked.connect(lambda: self.resolve_selected("mine"))
        self.keep_theirs.clicked.connect(lambda: self.resolve_selected("theirs"))
        self.empty = QLabel(tr("No conflicts. Everything you did is on the server or on its way."))
        self.rejected = QListWidget()
        self.rejected.setAccessibleName(tr("Refused changes"))
        self.rejected.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_mine)
        buttons.addWidget(self.keep_theirs)
        buttons.addWidget(self.who_can, 1)
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
                item.setData(CONFLICT_ID, conflict["id"])
                item.setData(TICKET_ID, conflict["ticket_id"])
                item.setData(REFUSAL, refusal_words(conflict.get("keep_mine_refusal") or ""))
                item.setData(ON_DEVICE, bool(conflict.get("on_device")))
                if conflict["resolving"]:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                self.list.addItem(item)
            self.empty.setVisible(not conflicts)
            if conflicts:
                self.list.setCurrentRow(0)
            self._offer(self.list.currentItem())
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

    def _activated(self, item: QListWidgetItem) -> None:
        """Open the conflict's ticket, when it is on this device."""
        if item.data(ON_DEVICE):
            self.open_ticket.emit(item.data(TICKET_ID))

    def _offer(self, item: QListWidgetItem | None) -> None:
        """Offer keep mine only where it is the user's to do; otherwise say who can."""
        refusal = item.data(REFUSAL) if item is not None else ""
        self.keep_mine.setEnabled(item is not None and not refusal)
        self.keep_theirs.setEnabled(item is not None)
        self.who_can.setText(tr("Keep mine: {why}").format(why=refusal) if refusal else "")

    def resolve_selected(self, keep: str) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.resolve(item.data(CONFLICT_ID), keep)

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


_TICKET_IS = re.compile(r"^the ticket is (\w+): it cannot change any more$")
_NOW_WITH = re.compile(r"^the ticket is now with (?:crew (\S+)|the unassigned queue): ask your supervisor$")


def refusal_words(text: str) -> str:
    """Why keeping mine is not the user's to do (sync.workflow.keep_mine_refusal), in their language."""
    if text == "the office decides on proposed corrections: ask your supervisor":
        return tr("the office decides on proposed corrections: ask your supervisor")
    if text == "this is for dispatch to decide: ask your supervisor":
        return tr("this is for dispatch to decide: ask your supervisor")
    if match := _TICKET_IS.match(text):
        return tr("the ticket is {status}: it cannot change any more").format(status=status_label(match[1]))
    if match := _NOW_WITH.match(text):
        holder = tr("crew {crew}").format(crew=match[1]) if match[1] else tr("the unassigned queue")
        return tr("the ticket is now with {holder}: ask your supervisor").format(holder=holder)
    return text
