"""One ticket: what, where, when, its workflow steps, notes, history, photos and map areas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldapp.errors import show_error
from fieldapp.i18n import local_time
from fieldapp.labels import field_label, field_value_label, outcome_label, service_label, status_label
from fieldapp.qt import (
    QT_TR_NOOP,
    TOUCH,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.screens.photos import PhotoGallery
from fieldapp.screens.ticketmap import OnSiteBar, TicketMap
from fieldapp.tasks import run_task, with_replica
from fieldapp.ticketmodel import parse_time
from sync.replica import Replica
from sync.workflow import RESOLUTION_CODES, next_steps

STEP_LABELS = {
    "en_route": QT_TR_NOOP("En route"),
    "in_progress": QT_TR_NOOP("Start work"),
    "on_hold": QT_TR_NOOP("On hold…"),
    "resolved": QT_TR_NOOP("Resolved…"),
    "closed": QT_TR_NOOP("Close"),
    "cancelled": QT_TR_NOOP("Cancel ticket"),
    "assigned": QT_TR_NOOP("Back to assigned"),
}
CAPTIONS = {
    "status": QT_TR_NOOP("Status"),
    "service": QT_TR_NOOP("Service"),
    "priority": QT_TR_NOOP("Priority"),
    "due": QT_TR_NOOP("Due"),
    "address": QT_TR_NOOP("Address"),
    "crew": QT_TR_NOOP("Crew"),
    "outcome": QT_TR_NOOP("Outcome"),
}


def _local_time(raw: str | None) -> str:
    moment = parse_time(raw)
    return local_time(moment) if moment else "–"


class ResolveDialog(QDialog):
    """Resolution code and a note, asked when a ticket is resolved."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Resolve ticket"))
        self.code = QComboBox()
        self.code.setAccessibleName(tr("Resolution code"))
        for code in RESOLUTION_CODES:
            self.code.addItem(outcome_label(code), code)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName(tr("Resolution note"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(tr("Outcome"), self.code)
        form.addRow(tr("Note"), self.note)
        form.addRow(buttons)


class TicketScreen(QWidget):
    #: The user changed something (queued locally); the window starts a sync.
    changed = Signal()
    back = Signal()

    def __init__(
        self, replica_path: Path, parent: Any = None, *, tile_sources: list[Path] | None = None
    ) -> None:
        super().__init__(parent)
        self.replica_path = replica_path
        self.ticket: dict[str, Any] | None = None
        self.role = "crew"
        self._busy = False

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.pending = QLabel()
        self.pending.setStyleSheet("color:#0d47a1; font-weight:bold")
        self.fields = {
            name: QLabel() for name in ("status", "service", "priority", "due", "address", "crew", "outcome")
        }
        for label in self.fields.values():
            label.setWordWrap(True)
            label.setTextInteractionFlags(label.textInteractionFlags())
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.steps = QHBoxLayout()
        back = touch_button(tr("← My work"), tr("Back to the list"))
        back.clicked.connect(self.back.emit)

        details = QGroupBox(tr("Ticket"))
        form = QFormLayout(details)
        for key, caption in CAPTIONS.items():
            form.addRow(tr(caption), self.fields[key])
        form.addRow(tr("Description"), self.description)

        notes_box = QGroupBox(tr("Notes"))
        self.notes = QListWidget()
        self.notes.setAccessibleName(tr("Notes"))
        self.notes.setWordWrap(True)
        self.note_input = QLineEdit()
        self.note_input.setPlaceholderText(tr("Write a note…"))
        self.note_input.setAccessibleName(tr("New note"))
        self.note_input.setMinimumHeight(TOUCH)
        add_note = touch_button(tr("Add note"))
        add_note.clicked.connect(self._add_note_clicked)
        self.note_input.returnPressed.connect(self._add_note_clicked)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note_input, 1)
        note_row.addWidget(add_note)
        notes_layout = QVBoxLayout(notes_box)
        notes_layout.addWidget(self.notes)
        notes_layout.addLayout(note_row)

        history_box = QGroupBox(tr("History"))
        self.history = QListWidget()
        self.history.setAccessibleName(tr("History"))
        QVBoxLayout(history_box).addWidget(self.history)

        self.photos_box = QGroupBox(tr("Photos"))
        self.photos_label = QLabel(tr("No photos on this ticket."))
        QVBoxLayout(self.photos_box).addWidget(self.photos_label)
        self.map_box = TicketMap(replica_path, tile_sources)
        self.onsite = OnSiteBar()
        self.onsite.start_work.connect(lambda: self.set_status("in_progress"))

        grid = QGridLayout()
        grid.addWidget(details, 0, 0)
        grid.addWidget(self.map_box, 0, 1)
        grid.addWidget(notes_box, 1, 0)
        grid.addWidget(history_box, 1, 1)
        grid.addWidget(self.photos_box, 2, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        body = QWidget()
        body.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pending)
        layout.addWidget(self.onsite)
        layout.addLayout(self.steps)
        layout.addWidget(scroll, 1)
        self.gallery = PhotoGallery(replica_path)
        self.gallery.changed.connect(self.changed.emit)
        self.gallery.position_provider = self.map_box.position_for_edit  # for photos without EXIF GPS
        self.photos_label.hide()
        self.photos_box.layout().addWidget(self.gallery)

    # -- loading ---------------------------------------------------------------------
    def busy(self) -> bool:
        return self._busy or self.map_box.busy() or self.gallery.busy()

    def show_ticket(self, ticket_id: str) -> None:
        self._busy = True

        def load(replica: Replica) -> tuple[dict[str, Any], str]:
            user = replica.get("user") or {}
            return replica.ticket(ticket_id), user.get("role", "crew")

        def done(result: tuple[dict[str, Any], str]) -> None:
            self._busy = False
            self.ticket, self.role = result
            self._render()

        def failed(exc: Exception) -> None:
            self._busy = False
            show_error(self, exc)

        run_task(with_replica(self.replica_path, load), done, failed)

    def reload(self) -> None:
        if self.ticket is not None:
            self.show_ticket(self.ticket["id"])

    def _render(self) -> None:
        t = self.ticket
        assert t is not None
        service = service_label(t["service_code"])
        self.title.setText(f"<h2>{service} – {t['address']}</h2>")
        pending = t["pending"]
        self.pending.setText(
            tr("⟳ {n} change(s) on this device, not yet on the server").format(n=pending) if pending else ""
        )
        status = status_label(t["status"])
        if "status" in t["pending_fields"]:
            status += " ⟳"
        self.fields["status"].setText(f"<b>{status}</b>")
        self.fields["service"].setText(service)
        self.fields["priority"].setText(f"P{t['priority']}")
        self.fields["due"].setText(_local_time(t["due_at"]))
        self.fields["address"].setText(t["address"])
        self.fields["crew"].setText(t["assigned_crew"] or tr("unassigned"))
        outcome = outcome_label(t["resolution_code"]) or "–"
        if t["resolution_note"]:
            outcome += f": {t['resolution_note']}"
        self.fields["outcome"].setText(outcome)
        self.description.setText(t["description"])
        self.map_box.show_ticket(t)
        self.onsite.check(t, self.role, self.map_box.position)
        self.notes.clear()
        for note in t["notes"]:
            flag = " ⟳" if note.get("pending") else ""
            when = _local_time(note.get("created_at") or note.get("device_time"))
            self.notes.addItem(f"{note['author']} · {when}{flag}\n{note['text']}")
        self.history.clear()
        for event in reversed(t["events"]):
            self.history.addItem(
                f"{_local_time(event['at'])} {event['actor']}: {field_label(event['field'])} "
                f"{field_value_label(event['field'], event['old'])} → "
                f"{field_value_label(event['field'], event['new'])}"
            )
        self._render_steps()
        self.gallery.show_ticket(t["id"])

    def _render_steps(self) -> None:
        while self.steps.count():
            item = self.steps.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        assert self.ticket is not None
        for step in next_steps(self.role, self.ticket["status"]):
            button = touch_button(
                tr(STEP_LABELS.get(step, step)), primary=step in ("in_progress", "resolved")
            )
            button.setObjectName(f"step_{step}")
            button.setMinimumHeight(TOUCH + 12)
            button.clicked.connect(lambda _checked=False, s=step: self._step_clicked(s))
            self.steps.addWidget(button)
        self.steps.addStretch(1)

    # -- actions ------------------------------------------------------------------------
    def _step_clicked(self, step: str) -> None:
        if step == "on_hold":
            reason, ok = QInputDialog.getText(self, tr("On hold"), tr("Why is the work on hold?"))
            if ok:
                self.hold(reason)
        elif step == "resolved":
            dialog = ResolveDialog(self)
            if dialog.exec():
                self.resolve(dialog.code.currentData(), dialog.note.toPlainText())
        else:
            self.set_status(step)

    # -- where the device is -----------------------------------------------------------
    def set_position(self, lat: float, lon: float, accuracy: float) -> None:
        """The latest fix: shown on the map, offered as "on site", recorded with edits."""
        self.map_box.set_position(lat, lon, accuracy, visible=self.isVisible())
        if self.ticket is not None:
            self.onsite.check(self.ticket, self.role, self.map_box.position)

    def shutdown(self) -> None:
        self.map_box.shutdown()

    def set_status(self, status: str) -> None:
        where = self.map_box.position_for_edit()
        self._edit(lambda r, tid: [r.set_field(tid, "status", status, position=where)])

    def hold(self, reason: str) -> None:
        where = self.map_box.position_for_edit()

        def edit(r: Replica, tid: str) -> list[Any]:
            ops = [r.set_field(tid, "status", "on_hold", position=where)]
            if reason.strip():
                text = tr("On hold: {reason}").format(reason=reason.strip())
                ops.append(r.add_note(tid, text, position=where))
            return ops

        self._edit(edit)

    def resolve(self, code: str, note: str) -> None:
        where = self.map_box.position_for_edit()

        def edit(r: Replica, tid: str) -> list[Any]:
            ticket = r.ticket(tid)
            ops = []
            if ticket["resolution_code"] != code:
                ops.append(r.set_field(tid, "resolution_code", code, position=where))
            if note.strip() and ticket["resolution_note"] != note.strip():
                ops.append(r.set_field(tid, "resolution_note", note.strip(), position=where))
            ops.append(r.set_field(tid, "status", "resolved", position=where))
            return ops

        self._edit(edit)

    def add_note(self, text: str) -> None:
        where = self.map_box.position_for_edit()
        self._edit(lambda r, tid: [r.add_note(tid, text, position=where)])

    def _add_note_clicked(self) -> None:
        text = self.note_input.text().strip()
        if text:
            self.note_input.clear()
            self.add_note(text)

    def _edit(self, action: Callable[[Replica, str], Any]) -> None:
        if self.ticket is None:
            return
        ticket_id = self.ticket["id"]
        self._busy = True

        def done(_result: Any) -> None:
            self._busy = False
            self.show_ticket(ticket_id)
            self.changed.emit()

        def failed(exc: Exception) -> None:
            self._busy = False
            show_error(self, exc)

        run_task(with_replica(self.replica_path, lambda r: action(r, ticket_id)), done, failed)
