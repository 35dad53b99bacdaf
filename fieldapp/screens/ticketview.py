"""One ticket: what, where, when, its workflow steps, notes, history, photos and map areas.

The screen opens at the top every time. Its header (back, title) and its action bar
(`workflowpanels.ActionBar`) never move; the on-site suggestion and the pending mark
live in a strip of reserved height between them. Resolve and On hold open full-size
panels in place of the details (`ResolvePanel`, `HoldPanel`); Esc or Back leaves a
panel, then the ticket.
"""

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
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QScrollArea,
    QScroller,
    QShortcut,
    QSizePolicy,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.screens.photos import PhotoGallery, camera_available
from fieldapp.screens.ticketmap import OnSiteBar, TicketMap
from fieldapp.screens.workflowpanels import STEP_KEYS, ActionBar, HoldPanel, ResolvePanel
from fieldapp.tasks import run_task, with_replica
from fieldapp.theme import SPACE
from fieldapp.ticketmodel import parse_time
from sync.replica import Replica
from sync.workflow import next_steps

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
        self.title.setProperty("role", "title")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.pending = QLabel()
        self.pending.setProperty("role", "pending")
        self.fields = {
            name: QLabel() for name in ("status", "service", "priority", "due", "address", "crew", "outcome")
        }
        for label in self.fields.values():
            label.setWordWrap(True)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.back_button = touch_button(tr("← My work"), tr("Back to the list"))
        self.back_button.clicked.connect(self.go_back)

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
        self.history.setWordWrap(True)
        QVBoxLayout(history_box).addWidget(self.history)

        self.photos_box = QGroupBox(tr("Photos"))
        self.map_box = TicketMap(replica_path, tile_sources)
        self.onsite = OnSiteBar()
        self.onsite.start_work.connect(lambda: self.set_status("in_progress"))

        self.grid = QGridLayout()
        self.grid.addWidget(details, 0, 0)
        self.grid.addWidget(self.map_box, 0, 1)
        self.grid.addWidget(notes_box, 1, 0)
        self.grid.addWidget(history_box, 1, 1)
        self.grid.addWidget(self.photos_box, 2, 0, 1, 2)
        self.grid.setColumnStretch(0, 3)
        self.grid.setColumnStretch(1, 2)
        self._grid_items = [details, self.map_box, notes_box, history_box]
        body = QWidget()
        body.setLayout(self.grid)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)
        QScroller.grabGesture(self.scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)

        self.resolve_panel = ResolvePanel()
        self.resolve_panel.confirmed.connect(self._resolve_confirmed)
        self.resolve_panel.cancelled.connect(self.close_panel)
        self.resolve_panel.take_photo.connect(self._take_after_photo)
        self.resolve_panel.photos_chosen.connect(self._after_photos_chosen)
        self.hold_panel = HoldPanel()
        self.hold_panel.confirmed.connect(self.hold)
        self.hold_panel.cancelled.connect(self.close_panel)
        self.pages = QStackedWidget()
        for page in (self.scroll, self.resolve_panel, self.hold_panel):
            self.pages.addWidget(page)

        self.actions = ActionBar()
        self.actions.step.connect(self._step_clicked)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        top.addWidget(self.pending)
        # The on-site suggestion has a strip of its own, kept when empty: nothing below moves.
        self.banner = QWidget()
        banner_layout = QVBoxLayout(self.banner)
        banner_layout.setContentsMargins(0, 0, 0, 0)
        banner_layout.addWidget(self.onsite)
        self.banner.setFixedHeight(max(self.onsite.sizeHint().height(), TOUCH + 2 * SPACE))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.actions)
        self.gallery = PhotoGallery(replica_path)
        self.gallery.changed.connect(self.changed.emit)
        self.gallery.position_provider = self.map_box.position_for_edit  # for photos without EXIF GPS
        self.gallery.photo_captured.connect(self._photo_captured)
        QVBoxLayout(self.photos_box).addWidget(self.gallery)

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.go_back)
        for step, keys in STEP_KEYS.items():
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=step: s in self.actions.steps() and self._step_clicked(s))

    # -- loading ---------------------------------------------------------------------
    def busy(self) -> bool:
        return self._busy or self.map_box.busy() or self.gallery.busy()

    def show_ticket(self, ticket_id: str) -> None:
        """Open a ticket at the top, with nothing left over from the one before."""
        if self.ticket is None or self.ticket["id"] != ticket_id:
            self.pages.setCurrentWidget(self.scroll)
            self.scroll.verticalScrollBar().setValue(0)
            self.note_input.clear()
            self.gallery.reset_choices()
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
        self.title.setText(f"{service} – {t['address']}")
        self.title.setToolTip(self.title.text())
        pending = t["pending"]
        self.pending.setText(tr("⟳ {n} not sent").format(n=pending) if pending else "")
        self.pending.setToolTip(tr("Changes on this device, not yet on the server"))
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
        self.actions.show_steps(next_steps(self.role, t["status"]))
        self.gallery.show_ticket(t["id"])

    # -- actions ------------------------------------------------------------------------
    def _step_clicked(self, step: str) -> None:
        if step == "on_hold":
            self.hold_panel.prepare()
            self.pages.setCurrentWidget(self.hold_panel)
        elif step == "resolved":
            self._open_resolve()
        else:
            self.set_status(step)

    def _open_resolve(self) -> None:
        """The resolve panel, with the after-photo step when a before photo has no after photo."""
        if self.ticket is None:
            return
        ticket_id = self.ticket["id"]

        def kinds(replica: Replica) -> set[str]:
            return {photo["kind"] for photo in replica.photos(ticket_id)}

        def done(found: set[str]) -> None:
            self.resolve_panel.prepare(needs_after_photo="before" in found and "after" not in found)
            self.pages.setCurrentWidget(self.resolve_panel)
            if self.resolve_panel.photo_step.isVisible() and camera_available():
                self._take_after_photo()  # the camera is the next thing the crew needs

        run_task(with_replica(self.replica_path, kinds), done, lambda exc: show_error(self, exc))

    def panel_open(self) -> bool:
        return self.pages.currentWidget() is not self.scroll

    def close_panel(self) -> None:
        self.pages.setCurrentWidget(self.scroll)

    def go_back(self) -> None:
        """Esc and Back: out of a panel first, then back to the list."""
        if self.panel_open():
            self.close_panel()
        else:
            self.back.emit()

    def _take_after_photo(self) -> None:
        self.gallery.open_camera(kind="after")

    def _after_photos_chosen(self, names: list[str]) -> None:
        self.gallery.import_paths([Path(n) for n in names], kind="after")

    def _photo_captured(self, kind: str) -> None:
        if kind == "after" and self.pages.currentWidget() is self.resolve_panel:
            self.resolve_panel.after_photo_added()

    def _resolve_confirmed(self, code: str, note: str) -> None:
        self.close_panel()
        self.resolve(code, note)

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
        """On hold, with why as a note on the ticket (one transaction)."""
        self.close_panel()
        where = self.map_box.position_for_edit()
        note = tr("On hold: {reason}").format(reason=reason.strip()) if reason.strip() else None
        self._edit(lambda r, tid: r.change_status(tid, "on_hold", note=note, position=where))

    def resolve(self, code: str, note: str) -> None:
        """Resolved with its outcome: the note is the outcome note the reporter reads."""
        where = self.map_box.position_for_edit()
        self._edit(
            lambda r, tid: r.change_status(
                tid, "resolved", note=note.strip() or None, resolution_code=code, position=where
            )
        )

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
