"""One ticket, touch first: a fixed header, the ticket's pages, and a fixed action bar.

The header (Back, title) and the action bar (actionbar.ActionBar) never scroll and
never move; between them one page at a time: the ticket's details (what, where, when,
photos, notes, map, history), the Resolve or On hold panel, the camera, the picture
picker. A ticket always opens at the top of its details with the defaults (no panel
open, "before" chosen for photos). Esc, the Back button and a swipe to the right go back
(from a panel to the details, from the details to the list).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldapp import theme
from fieldapp.errors import show_error, show_message
from fieldapp.labels import outcome_label, service_label, status_label
from fieldapp.qt import (
    QT_TR_NOOP,
    QEvent,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QObject,
    QScrollArea,
    QScroller,
    QShortcut,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.screens.actionbar import ActionBar
from fieldapp.screens.camerapanel import CameraPanel, PhotoPicker, camera_available
from fieldapp.screens.duplicatebox import DuplicateBox
from fieldapp.screens.photos import PhotoGallery
from fieldapp.screens.statuspanels import HoldPanel, ResolvePanel
from fieldapp.screens.tickethistory import history_line, local_text
from fieldapp.screens.ticketmap import OnSiteBar, TicketMap
from fieldapp.screens.workbox import WorkBox
from fieldapp.tasks import run_task, with_replica
from sync.replica import Replica
from sync.workrecord import WorkCatalogue

CAPTIONS = {
    "status": QT_TR_NOOP("Status"),
    "service": QT_TR_NOOP("Service"),
    "priority": QT_TR_NOOP("Priority"),
    "due": QT_TR_NOOP("Due"),
    "address": QT_TR_NOOP("Address"),
    "crew": QT_TR_NOOP("Crew"),
    "outcome": QT_TR_NOOP("Outcome"),
}
#: The pages between header and action bar, by name (also `MainWindow.prepare_screenshot`'s panels).
PAGES = ("details", "resolve", "onhold", "camera", "picker")
#: A horizontal move this long (px) and mostly sideways is a swipe.
SWIPE = 120
#: Two columns of details from this width on (landscape tablets).
WIDE = 1000


class _SwipeBack(QObject):
    """Calls `back` on a press-drag-release to the right over a watched widget."""

    def __init__(self, back: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self.back = back
        self.start: Any = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            self.start = event.globalPosition()
        elif kind == QEvent.Type.MouseButtonRelease and self.start is not None:
            moved = event.globalPosition() - self.start
            self.start = None
            if moved.x() > SWIPE and abs(moved.y()) < moved.x() / 2:
                self.back()
                return True
        return False


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
        self._fresh = False
        self._open_panel: str | None = None
        self._return_to = "details"
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        # -- fixed header ------------------------------------------------------------
        self.back_button = touch_button(tr("← My work"), tr("Back to the list"))
        self.back_button.setObjectName("ticket_back")
        self.back_button.clicked.connect(self.go_back)
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.title.setAccessibleName(tr("Ticket"))
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.title, 1)

        # -- notices: reserved space, so nothing below moves when they change ------------
        self.pending = QLabel()
        self.pending.setProperty("role", "pending")
        self.pending.setWordWrap(True)
        self.onsite = OnSiteBar()
        self.onsite.start_work.connect(lambda: self.set_status("in_progress"))
        notices = QFrame()
        notices.setObjectName("ticket_notices")
        notices.setFixedHeight(theme.TOUCH + 2 * theme.SPACE)
        notice_row = QHBoxLayout(notices)
        notice_row.setContentsMargins(0, 0, 0, 0)
        notice_row.addWidget(self.onsite, 3)
        notice_row.addWidget(self.pending, 1)

        # -- the details page ------------------------------------------------------------
        self.fields = {name: QLabel() for name in CAPTIONS}
        for label in self.fields.values():
            label.setWordWrap(True)
        self.description = QLabel()
        self.description.setWordWrap(True)
        details = QGroupBox(tr("Ticket"))
        form = QFormLayout(details)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, caption in CAPTIONS.items():
            form.addRow(tr(caption), self.fields[key])
        form.addRow(tr("Description"), self.description)

        notes_box = QGroupBox(tr("Notes"))
        # Notes and history are text to read, not rows to tap: labels, in the page's one scroll.
        self.notes = QLabel()
        self.notes.setAccessibleName(tr("Notes"))
        self.notes.setWordWrap(True)
        self.note_input = QLineEdit()
        self.note_input.setPlaceholderText(tr("Write a note…"))
        self.note_input.setAccessibleName(tr("New note"))
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
        self.history = QLabel()
        self.history.setAccessibleName(tr("History"))
        self.history.setWordWrap(True)
        QVBoxLayout(history_box).addWidget(self.history)

        self.photos_box = QGroupBox(tr("Photos"))
        self.map_box = TicketMap(replica_path, tile_sources)
        self.gallery = PhotoGallery(replica_path)
        self.gallery.changed.connect(self.changed.emit)
        self.gallery.position_provider = self.map_box.position_for_edit  # for photos without EXIF GPS
        QVBoxLayout(self.photos_box).addWidget(self.gallery)

        self.duplicates = DuplicateBox()
        self.duplicates.merge.connect(self.mark_duplicate)

        self.work_box = WorkBox()
        self.work_box.record.connect(self.add_record)

        self._boxes = (
            self.duplicates,
            details,
            self.photos_box,
            notes_box,
            self.work_box,
            self.map_box,
            history_box,
        )
        self._grid = QGridLayout()
        self._columns = 0
        body = QWidget()
        body.setLayout(self._grid)
        self._lay_out(1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("ticket_details")
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        # Kinetic scrolling under a finger; a mouse still selects and clicks as usual.
        QScroller.grabGesture(self.scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)

        # -- panels ----------------------------------------------------------------------
        self.resolve_panel = ResolvePanel()
        self.resolve_panel.resolve.connect(self.resolve)
        self.resolve_panel.cancel.connect(self.close_panel)
        self.resolve_panel.take_photo.connect(lambda: self.open_camera("after", back_to="resolve"))
        self.resolve_panel.from_files.connect(lambda: self.open_picker("after", back_to="resolve"))
        self.hold_panel = HoldPanel()
        self.hold_panel.hold.connect(self.hold)
        self.hold_panel.cancel.connect(self.close_panel)
        self.camera = CameraPanel(Path(replica_path).parent / "photos" / "captures")
        self.camera.captured.connect(self.gallery.attach_captured)
        self.camera.from_files.connect(lambda kind: self.open_picker(kind, back_to=self._return_to))
        self.camera.close_panel.connect(self._panel_done)
        self.picker = PhotoPicker()
        self.picker.chosen.connect(self._picked)
        self.picker.close_panel.connect(self._panel_done)
        self.gallery.camera_wanted.connect(lambda kind: self.open_camera(kind))
        self.gallery.files_wanted.connect(lambda kind: self.open_picker(kind))
        self.gallery.added.connect(self._photos_added)

        self.pages = QStackedWidget()
        self._pages: dict[str, QWidget] = {}
        for name, page in zip(
            PAGES, (self.scroll, self.resolve_panel, self.hold_panel, self.camera, self.picker), strict=True
        ):
            self.pages.addWidget(page)
            self._pages[name] = page

        # -- fixed action bar ------------------------------------------------------------
        self.actions = ActionBar(self)
        self.actions.step.connect(self._step_clicked)

        layout = QVBoxLayout(self)
        layout.setSpacing(theme.SPACE)
        layout.addLayout(header)
        layout.addWidget(notices)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.actions)

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.go_back)
        self._swipe = _SwipeBack(self.go_back, self)
        for widget in (body, *self._boxes, *body.findChildren(QLabel)):
            if widget is not self.map_box:
                widget.installEventFilter(self._swipe)

    # -- layout ------------------------------------------------------------------------
    def _lay_out(self, columns: int) -> None:
        """The details in one column (portrait) or two (landscape)."""
        if columns == self._columns:
            return
        self._columns = columns
        for box in self._boxes:
            self._grid.removeWidget(box)
        if columns == 1:
            for row, box in enumerate(self._boxes):
                self._grid.addWidget(box, row, 0)
            self._grid.setColumnStretch(1, 0)
        else:
            duplicates, details, photos, notes, work, map_box, history = self._boxes
            self._grid.addWidget(duplicates, 0, 0, 1, 2)
            self._grid.addWidget(details, 1, 0)
            self._grid.addWidget(notes, 1, 1)
            self._grid.addWidget(photos, 2, 0, 1, 2)
            self._grid.addWidget(work, 3, 0, 1, 2)
            self._grid.addWidget(map_box, 4, 0, 1, 2)  # full width: its controls and banner apart
            self._grid.addWidget(history, 5, 0, 1, 2)
            self._grid.setColumnStretch(0, 1)
            self._grid.setColumnStretch(1, 1)

    def resizeEvent(self, event: Any) -> None:
        self._lay_out(2 if event.size().width() >= WIDE else 1)
        super().resizeEvent(event)

    # -- loading ---------------------------------------------------------------------
    def busy(self) -> bool:
        return self._busy or self.map_box.busy() or self.gallery.busy()

    def show_ticket(self, ticket_id: str, panel: str | None = None) -> None:
        """Open a ticket at the top of its details, with nothing left from the one before.

        `panel` ("resolve", "onhold", "camera", "picker") is opened once the ticket is loaded.
        """
        self._fresh = True
        self._open_panel = panel
        self.ticket = None
        self._show_page("details")
        self.camera.stop()
        self.gallery.reset()
        self.hold_panel.reset()
        self.note_input.clear()
        self.scroll.verticalScrollBar().setValue(0)
        self.setFocus()
        self._load(ticket_id)

    def reload(self) -> None:
        """Show the ticket's latest state where the crew is (same page, same scroll)."""
        if self.ticket is not None:
            self._load(self.ticket["id"])

    def _load(self, ticket_id: str) -> None:
        self._busy = True

        def load(replica: Replica) -> tuple[dict[str, Any], str, tuple[dict[str, Any], WorkCatalogue]]:
            user = replica.get("user") or {}
            work = replica.work_summary(ticket_id), replica.work_catalogue
            return replica.ticket(ticket_id), user.get("role", "crew"), work

        def done(result: tuple[dict[str, Any], str, tuple[dict[str, Any], WorkCatalogue]]) -> None:
            self._busy = False
            self.ticket, self.role, (summary, catalogue) = result
            self.work_box.show_work(summary, catalogue, self.ticket["service_code"])
            self._render()
            if self._fresh:
                self._fresh = False
                self.scroll.verticalScrollBar().setValue(0)
                panel, self._open_panel = self._open_panel, None
                if panel == "resolve":
                    self.open_resolve()
                elif panel == "onhold":
                    self.open_hold()
                elif panel in ("camera", "picker"):
                    (self.open_camera if panel == "camera" else self.open_picker)("before")

        def failed(exc: Exception) -> None:
            self._busy = False
            show_error(self, exc)

        run_task(with_replica(self.replica_path, load), done, failed)

    def _render(self) -> None:
        t = self.ticket
        assert t is not None
        service = service_label(t["service_code"])
        self.title.setText(f"{service} – {t['address']}")
        pending = t["pending"]
        self.pending.setText(tr("⟳ {n} change(s) not yet on the server").format(n=pending) if pending else "")
        status = status_label(t["status"])
        if "status" in t["pending_fields"]:
            status += " ⟳"
        self.fields["status"].setText(status)
        self.fields["service"].setText(service)
        self.fields["priority"].setText(f"P{t['priority']}")
        self.fields["due"].setText(local_text(t["due_at"]))
        self.fields["address"].setText(t["address"])
        self.fields["crew"].setText(t["assigned_crew"] or tr("unassigned"))
        outcome = outcome_label(t["resolution_code"]) or "–"
        if t["resolution_note"]:
            outcome += f": {t['resolution_note']}"
        self.fields["outcome"].setText(outcome)
        self.description.setText(t["description"])
        self.map_box.show_ticket(t)
        self.onsite.check(t, self.role, self.map_box.position)
        notes = []
        for note in t["notes"]:
            flag = " ⟳" if note.get("pending") else ""
            when = local_text(note.get("created_at") or note.get("device_time"))
            notes.append(f"{note['author']} · {when}{flag}\n{note['text']}")
        self.notes.setText("\n\n".join(notes) or tr("No notes yet."))
        self.history.setText("\n".join(history_line(event) for event in reversed(t["events"])))
        self.actions.show_moves(self.role, t["status"])
        self.gallery.show_ticket(t["id"])
        self.duplicates.show_ticket(self.replica_path, t)

    # -- pages and going back --------------------------------------------------------------
    def page(self) -> str:
        """The name of the page shown between header and action bar."""
        return PAGES[self.pages.currentIndex()]

    def _show_page(self, name: str) -> None:
        if name != "camera":
            self.camera.stop()
        self.pages.setCurrentWidget(self._pages[name])

    def go_back(self) -> None:
        """Esc, Back, swipe right: close the panel, or leave the ticket."""
        if self.page() == "details":
            self.back.emit()
        elif self.page() in ("camera", "picker"):
            self._panel_done()
        else:
            self.close_panel()

    def close_panel(self) -> None:
        self._return_to = "details"
        self._show_page("details")

    def _panel_done(self) -> None:
        """Camera or picker closed: back where they were opened from."""
        self._show_page(self._return_to)

    def open_resolve(self) -> None:
        """The Resolve panel; with a before photo and no after photo, the camera first (if any).

        With a camera that is list → resolved in four taps: open, Resolve, shutter, outcome.
        "Done" or Esc in the camera skips the photo; it is never required.
        """
        kinds = self.gallery.kinds_present()
        ask_after = "before" in kinds and "after" not in kinds
        camera = camera_available()
        self.resolve_panel.reset(ask_after_photo=ask_after, camera=camera)
        self._show_page("resolve")
        self.resolve_panel.note.setFocus()
        if ask_after and camera:
            self.open_camera("after", back_to="resolve")

    def open_hold(self) -> None:
        self.hold_panel.reset()
        self._show_page("onhold")

    def open_camera(self, kind: str, back_to: str = "details") -> None:
        self._return_to = back_to
        self._show_page("camera")
        self.camera.start(kind)

    def open_picker(self, kind: str, back_to: str = "details") -> None:
        self._return_to = back_to
        self.picker.start(kind)
        self._show_page("picker")

    def _picked(self, paths: list[Path], kind: str) -> None:
        self.gallery.import_paths(paths, kind)
        self._panel_done()

    def _photos_added(self, kind: str, _count: int) -> None:
        if kind == "after":
            self.resolve_panel.after_photo_added()
        if self.page() == "camera" and self._return_to == "resolve":
            self._panel_done()  # the after photo is taken: on to the outcome

    # -- where the device is -----------------------------------------------------------
    def set_position(self, lat: float, lon: float, accuracy: float) -> None:
        """The latest fix: shown on the map, offered as "on site", recorded with edits."""
        self.map_box.set_position(lat, lon, accuracy, visible=self.isVisible())
        if self.ticket is not None:
            self.onsite.check(self.ticket, self.role, self.map_box.position)

    def shutdown(self) -> None:
        self.camera.stop()
        self.map_box.shutdown()

    # -- actions ------------------------------------------------------------------------
    def step_button(self, step: str) -> Any:
        """The action bar's button for `step` while it is offered (None otherwise)."""
        return self.actions.button_for(step)

    def _step_clicked(self, step: str) -> None:
        if step == "on_hold":
            self.open_hold()
        elif step == "resolved":
            self.open_resolve()
        else:
            self.set_status(step)

    def set_status(self, status: str) -> None:
        where = self.map_box.position_for_edit()
        self._edit(lambda r, tid: r.change_status(tid, status, position=where))

    def hold(self, reason: str) -> None:
        """On hold, with the reason as the ticket's note."""
        where = self.map_box.position_for_edit()
        text = tr("On hold: {reason}").format(reason=reason.strip()) if reason.strip() else None
        self._edit(lambda r, tid: r.change_status(tid, "on_hold", note=text, position=where))

    def resolve(self, code: str, note: str) -> None:
        """Resolved with an outcome; `note` is the outcome note the reporter reads. Required
        checklist items left unticked stop it here, in the crew's language (the panel stays)."""
        missing = self.work_box.missing_required()
        if missing:
            show_message(
                self, tr("Tick the checklist before resolving: {items}").format(items=", ".join(missing))
            )
            return
        where = self.map_box.position_for_edit()
        self._edit(
            lambda r, tid: r.change_status(
                tid, "resolved", resolution_code=code, note=note.strip() or None, position=where
            )
        )

    def add_record(self, value: dict[str, Any]) -> None:
        """Queue a work record (time, material, checklist tick)."""
        self._edit(lambda r, tid: r.add_record(tid, **value))

    def mark_duplicate(self, main_id: str) -> None:
        """Merge this ticket into `main_id` (queued; closed as a duplicate when it arrives)."""
        self._edit(lambda r, tid: r.set_field(tid, "duplicate_of", main_id))

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
            if self.page() in ("resolve", "onhold"):
                self.close_panel()  # only once the change is queued: a refused note stays to be fixed
            self._load(ticket_id)
            self.changed.emit()

        def failed(exc: Exception) -> None:
            self._busy = False
            show_error(self, exc)

        run_task(with_replica(self.replica_path, lambda r: action(r, ticket_id)), done, failed)
