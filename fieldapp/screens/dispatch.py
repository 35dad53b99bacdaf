"""Dispatch board: the unassigned queue and one column per supervised crew.

A supervisor reassigns tickets by dragging them between columns or with the
"Reassign…" dialog (one or many, across columns). Every reassignment is queued
in the replica's outbox on the worker thread, so it works offline; `changed`
tells the window to start a sync. The board only ever reads and writes the
replica through `run_task`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from fieldapp.errors import show_error
from fieldapp.i18n import local_time
from fieldapp.labels import service_label, status_label
from fieldapp.qt import (
    TOUCH,
    QAbstractItemView,
    QBrush,
    QColor,
    QDialog,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFrame,
    QHBoxLayout,
    QKeyEvent,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMimeData,
    QMouseEvent,
    QPushButton,
    QScrollArea,
    QShortcut,
    QSize,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.screens.crewpositions import crew_dots
from fieldapp.screens.suggestions import SuggestResult, assign_suggested, placement_text
from fieldapp.tasks import run_task
from fieldapp.theme import current as current_theme
from fieldapp.ticketmodel import OPEN, parse_time, sla_state
from maps.mappage import MAX_MARKERS
from sync import milestones
from sync.errors import LocalError
from sync.replica import Replica

#: The drag payload: JSON {"ids": [ticket ids], "from": crew code or null}.
MIME_TYPE = "application/x-fieldapp-ticket-ids"
#: Statuses the crew is not yet working on; other open statuses are shown on the item.
_NOT_STARTED = frozenset({"new", "assigned"})
_FAR = datetime.max.replace(tzinfo=UTC)
#: Most tickets a column lists (the most urgent first); nobody scrolls past this on a board.
COLUMN_LIMIT = 300
_NAVIGATION_KEYS = frozenset(
    {
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
    }
)
Crew = str | None


# -- the data side (runs on the worker thread; no widgets) -----------------------------------
@dataclass
class Workload:
    open: int = 0
    overdue: int = 0
    at_risk: int = 0
    #: Tickets of the crew resolved today (last changed today while resolved).
    resolved: int = 0
    #: Open tickets beyond the column's limit (the least urgent), not listed.
    hidden: int = 0


@dataclass
class BoardData:
    user: dict[str, Any] | None
    #: Column order: None (the unassigned queue) first, then the supervised crews.
    crews: list[Crew]
    columns: dict[Crew, list[dict[str, Any]]]
    workload: dict[Crew, Workload]
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: The board's open tickets for the map, most urgent first, at most MAX_MARKERS.
    map_rows: list[dict[str, Any]] = field(default_factory=list)
    #: The board's crews' last shared positions, as labelled dots (crewpositions.crew_dots).
    crew_dots: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReassignResult:
    moved: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def arrange(
    user: dict[str, Any] | None,
    rows: list[dict[str, Any]],
    now: datetime,
    escalated: frozenset[str] = frozenset(),
) -> BoardData:
    """Group light replica rows into the board's columns, sorted by priority then due time."""
    role = (user or {}).get("role")
    supervises = role in ("supervisor", "admin")
    crews: list[str] = list((user or {}).get("crews") or []) if supervises else []
    if role == "admin" and not crews:  # an admin supervises no crew: show every crew on the device
        crews = sorted({str(r["assigned_crew"]) for r in rows if r["assigned_crew"]})
    order: list[Crew] = [None, *crews] if supervises else []
    columns: dict[Crew, list[dict[str, Any]]] = {crew: [] for crew in order}
    workload: dict[Crew, Workload] = {crew: Workload() for crew in order}
    for row in rows:
        crew = row["assigned_crew"]
        if crew not in columns:
            continue
        load = workload[crew]
        if row["status"] in OPEN:
            row["_due"] = parse_time(row["due_at"])
            row["_sla"] = sla_state(row, now)
            row["_escalated"] = row["id"] in escalated
            row.setdefault("pending", False)
            columns[crew].append(row)
            load.open += 1
            load.overdue += row["_sla"] == "overdue"
            load.at_risk += row["_sla"] == "at_risk"
        elif row["status"] == "resolved" and _same_day(parse_time(row.get("updated_at")), now):
            load.resolved += 1
    map_rows = [row for items in columns.values() for row in items]
    # The map takes the most urgent tickets first, up to what one map can show.
    map_rows.sort(key=lambda r: (r["priority"], r["_due"] or _FAR, r["id"]))
    del map_rows[MAX_MARKERS:]
    for crew, items in columns.items():
        items.sort(key=lambda r: (r["priority"], r["_due"] or _FAR, r["id"]))
        # A column shows its most urgent tickets; the header keeps the full counts.
        del items[COLUMN_LIMIT:]
        workload[crew].hidden = workload[crew].open - len(items)
        for row in items:
            row["_text"] = item_text(row)  # formatted here, on the worker, not on the GUI thread
    return BoardData(user=user, crews=order, columns=columns, workload=workload, now=now, map_rows=map_rows)


def load_board(replica_path: Path) -> BoardData:
    replica = Replica(replica_path)
    try:
        user = replica.get("user")
        rows = replica.ticket_rows()
        now = datetime.now(UTC)
        escalated = milestones.escalated_ids(replica.conn, replica.get("escalation_rules"), now.timestamp())
        positions = replica.get("crew_positions") or []
    finally:
        replica.close()
    board = arrange(user, rows, now, frozenset(escalated))
    board.crew_dots = crew_dots(positions, board.crews, now)
    return board


def queue_reassignments(replica_path: Path, ticket_ids: list[str], crew: Crew) -> ReassignResult:
    """Queue one assigned_crew edit per ticket; tickets already with `crew` are skipped."""
    result = ReassignResult()
    replica = Replica(replica_path)
    try:
        for ticket_id in ticket_ids:
            try:
                if replica.ticket(ticket_id)["assigned_crew"] == crew:
                    result.skipped.append(ticket_id)
                    continue
                replica.set_field(ticket_id, "assigned_crew", crew)
            except LocalError as exc:
                result.failed.append((ticket_id, str(exc)))
            else:
                result.moved.append(ticket_id)
    finally:
        replica.close()
    return result


def encode_ids(ticket_ids: list[str], source: Crew) -> bytes:
    return json.dumps({"ids": list(ticket_ids), "from": source}).encode()


def decode_ids(payload: bytes) -> list[str]:
    """Ticket ids from a drag payload; [] for anything malformed."""
    try:
        data = json.loads(payload)
        ids = data["ids"]
    except (ValueError, TypeError, KeyError):
        return []
    if not isinstance(ids, list):
        return []
    return [i for i in ids if isinstance(i, str)]


# -- how a ticket looks on the board --------------------------------------------------------
def crew_title(crew: Crew) -> str:
    return tr("Unassigned") if crew is None else tr("Crew {crew}").format(crew=crew)


def workload_text(crew: Crew, load: Workload) -> str:
    if crew is None:
        text = tr("{open} waiting · {overdue} overdue").format(open=load.open, overdue=load.overdue)
    else:
        text = tr("{open} open · {overdue} overdue · {resolved} resolved today").format(
            open=load.open, overdue=load.overdue, resolved=load.resolved
        )
    if load.hidden:
        text += " · " + tr("{n} more not shown").format(n=load.hidden)
    return text


def _same_day(moment: datetime | None, now: datetime) -> bool:
    """Whether `moment` falls on today's local date."""
    return moment is not None and moment.astimezone().date() == now.astimezone().date()


def _short_time(moment: datetime) -> str:
    """The time in the language's format; with the date unless it is today."""
    return local_time(moment, today_short=True)


def item_text(row: dict[str, Any]) -> str:
    """Two lines: priority, service and address; then the markers (first, so they are never
    cut off in a narrow column), the due time and the status once work has started."""
    service = service_label(row["service_code"])
    first = f"P{row['priority']} · {service} · {row['address']}"
    parts: list[str] = []
    if row.get("_escalated"):
        parts.append(tr("⚑ ESCALATED"))
    if row.get("possible_duplicates") and not row.get("duplicate_of"):
        parts.append(tr("⧉ possible duplicate"))
    if row.get("_sla") == "overdue":
        parts.append(tr("⚠ OVERDUE"))
    elif row.get("_sla") == "at_risk":
        parts.append(tr("◷ due soon"))
    if row.get("pending"):
        parts.append(tr("⟳ not sent yet"))
    due = row.get("_due")
    parts.append(tr("Due {time}").format(time=_short_time(due)) if due else tr("No due time"))
    if row["status"] not in _NOT_STARTED:
        parts.append(status_label(row["status"]))
    return first + "\n" + " · ".join(parts)


class CrewList(QListWidget):
    """One column's tickets; drag selected tickets out, drop tickets in to reassign them."""

    #: (ticket ids, this column's crew) when tickets were dropped here.
    dropped = Signal(list, object)
    #: Enter or double-click on a ticket.
    ticket_activated = Signal(str)
    #: A plain click or arrow key (no Ctrl/Shift): other columns should drop their selection.
    pressed_alone = Signal()

    def __init__(self, crew: Crew, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.crew = crew
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setUniformItemSizes(True)
        self.setMinimumWidth(TOUCH * 6)
        self.setAccessibleName(
            tr("Unassigned tickets") if crew is None else tr("Tickets of crew {crew}").format(crew=crew)
        )
        self.itemDoubleClicked.connect(self._activate)
        self._set_drop_highlight(False)

    @property
    def row_height(self) -> int:
        return max(TOUCH, self.fontMetrics().lineSpacing() * 2 + 20)

    # -- contents -------------------------------------------------------------------------
    def fill(self, rows: list[dict[str, Any]], select: set[str]) -> None:
        scroll = self.verticalScrollBar().value()
        self.blockSignals(True)
        try:
            self.clear()
            height = self.row_height
            for row in rows:
                item = self._item(row, height)
                self.addItem(item)
                if row["id"] in select:
                    item.setSelected(True)
        finally:
            self.blockSignals(False)
        self.verticalScrollBar().setValue(scroll)
        self.itemSelectionChanged.emit()

    @staticmethod
    def _item(row: dict[str, Any], height: int) -> QListWidgetItem:
        text = row.get("_text") or item_text(row)
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, row["id"])
        item.setData(Qt.ItemDataRole.AccessibleTextRole, text.replace("\n", ". "))
        item.setSizeHint(QSize(0, height))
        state = row.get("_sla")
        if state == "overdue":
            item.setForeground(QBrush(QColor(current_theme().danger)))
        elif state == "at_risk":
            item.setForeground(QBrush(QColor(current_theme().warning)))
        if state == "overdue" or row.get("pending"):
            font = QFont()
            font.setBold(state == "overdue")
            font.setItalic(bool(row.get("pending")))
            item.setFont(font)
        tips = [f"{row['id'][:8]} — {row['description'] or ''}"[:200]]
        if row.get("pending"):
            tips.append(tr("Changed on this device; not yet on the server"))
        item.setToolTip("\n".join(tips))
        return item

    def ticket_ids(self) -> list[str]:
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())]

    def selected_ids(self) -> list[str]:
        items = sorted(self.selectedItems(), key=self.row)
        return [str(item.data(Qt.ItemDataRole.UserRole)) for item in items]

    def item_for(self, ticket_id: str) -> QListWidgetItem | None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == ticket_id:
                return self.item(i)
        return None

    # -- drag out -----------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, items: Any) -> QMimeData:
        data = QMimeData()
        ids = [str(item.data(Qt.ItemDataRole.UserRole)) for item in items]
        data.setData(MIME_TYPE, encode_ids(ids, self.crew))
        data.setText("\n".join(ids))
        return data

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        items = sorted(self.selectedItems(), key=self.row)
        if not items:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData(items))
        drag.setPixmap(self.viewport().grab(self.visualItemRect(items[0])))
        # Nothing is removed here: the drop queues the reassignment and the board reloads.
        drag.exec(Qt.DropAction.MoveAction)

    # -- drop in --------------------------------------------------------------------------------
    def _acceptable(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> bool:
        return bool(event.mimeData().hasFormat(MIME_TYPE)) and event.source() is not self

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._acceptable(event):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            self._set_drop_highlight(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._acceptable(event):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_drop_highlight(False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_drop_highlight(False)
        if not self._acceptable(event):
            event.ignore()
            return
        ids = decode_ids(bytes(event.mimeData().data(MIME_TYPE).data()))
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        if ids:
            self.dropped.emit(ids, self.crew)

    def _set_drop_highlight(self, on: bool) -> None:
        self.setFrameShape(QFrame.Shape.Box if on else QFrame.Shape.StyledPanel)
        self.setLineWidth(3 if on else 1)

    # -- keyboard and mouse ---------------------------------------------------------------------
    def _activate(self, item: QListWidgetItem) -> None:
        self.ticket_activated.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self._activate(self.currentItem())
            event.accept()
            return
        extend = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        if event.key() in _NAVIGATION_KEYS and not event.modifiers() & extend:
            self.pressed_alone.emit()
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        extend = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        if not event.modifiers() & extend:
            item = self.itemAt(event.position().toPoint())
            if item is None or not item.isSelected():  # a press on a selection may start a drag
                self.pressed_alone.emit()
        super().mousePressEvent(event)


class _Column(QFrame):
    def __init__(self, crew: Crew, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.crew = crew
        self.setAccessibleName(crew_title(crew))
        self.title = QLabel(crew_title(crew))
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.stats = QLabel()
        self.stats.setAccessibleName(tr("Workload of {column}").format(column=crew_title(crew)))
        self.list = CrewList(crew)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.stats)
        layout.addWidget(self.list, 1)

    def show_workload(self, load: Workload) -> None:
        text = workload_text(self.crew, load)
        self.stats.setText(text)
        self.list.setAccessibleDescription(text)
        self.stats.setProperty("role", "danger" if load.overdue else "")
        self.stats.style().unpolish(self.stats)  # the theme's look of the new role
        self.stats.style().polish(self.stats)


class CrewPicker(QDialog):
    """Asks where the selected tickets should go: one big button per crew, and the queue."""

    chosen = Signal(object)

    def __init__(
        self,
        count: int,
        crews: list[str],
        workload: dict[Crew, Workload],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Reassign tickets"))
        self.setAccessibleName(tr("Reassign tickets"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        question = QLabel(
            tr("Move the selected ticket to:")
            if count == 1
            else tr("Move {n} selected tickets to:").format(n=count)
        )
        layout.addWidget(question)
        self.buttons: dict[Crew, QPushButton] = {}
        for crew in [*crews, None]:
            load = workload.get(crew, Workload())
            if crew is None:
                text = tr("Unassigned queue")
                name = tr("Move back to the unassigned queue")
            else:
                text = tr("Crew {crew} ({open} open, {overdue} overdue)").format(
                    crew=crew, open=load.open, overdue=load.overdue
                )
                name = tr("Reassign to crew {crew}").format(crew=crew)
            button = touch_button(text, name)
            button.clicked.connect(partial(self._choose, crew))
            layout.addWidget(button)
            self.buttons[crew] = button
        cancel = touch_button(tr("Cancel"))
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel)

    def _choose(self, crew: Crew) -> None:
        self.chosen.emit(crew)
        self.accept()


class DispatchBoard(QWidget):
    """The supervisor's board: the unassigned queue and one column per supervised crew."""

    #: Reassignments were queued locally (the window may start a sync).
    changed = Signal()
    #: Double-click or Enter on a ticket.
    open_ticket = Signal(str)

    def __init__(
        self, replica_path: Path, parent: QWidget | None = None, *, tile_sources: list[Path] | None = None
    ) -> None:
        super().__init__(parent)
        self.replica_path = Path(replica_path)
        self.tile_sources = tile_sources
        self.map: Any = None
        self.data: BoardData | None = None
        self.picker: CrewPicker | None = None
        self._columns: dict[Crew, _Column] = {}
        self._tasks = 0
        self._generation = 0
        self._select_next: set[str] | None = None
        alive = self._alive = [True]
        self.destroyed.connect(lambda *_: alive.__setitem__(0, False))

        title = QLabel(tr("Dispatch"))
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        self.selection_label = QLabel()
        self.selection_label.setAccessibleName(tr("Selected tickets"))
        self.refresh_button = touch_button(tr("Refresh"), tr("Refresh the dispatch board"))
        self.refresh_button.clicked.connect(self.reload)
        self.map_button = touch_button(tr("Map"), tr("Show all tickets on a map, coloured by crew"))
        self.map_button.setCheckable(True)
        self.map_button.toggled.connect(self.show_map)
        self.operations_button = touch_button(
            tr("Operations"), tr("Backlog, SLA risk, escalations and response times")
        )
        self.operations_button.setCheckable(True)
        self.operations_button.toggled.connect(self.show_operations)
        self.operations: Any = None
        self.reassign_button = touch_button(
            tr("Reassign…"), tr("Reassign the selected tickets"), primary=True
        )
        self.reassign_button.setToolTip(tr("Move the selected tickets to another crew (Ctrl+M)"))
        self.reassign_button.clicked.connect(self.ask_reassign)
        self.reassign_button.setEnabled(False)
        self.suggest_button = touch_button(
            tr("Assign suggested"), tr("Give each selected ticket to the crew suggested for it")
        )
        self.suggest_button.setToolTip(
            tr("The nearest crew to the ticket, counting the work it already has; the reasons are shown")
        )
        self.suggest_button.clicked.connect(self.assign_suggested)
        self.suggest_button.setEnabled(False)
        shortcut = QShortcut(QKeySequence("Ctrl+M"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.ask_reassign)

        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(TOUCH // 2)
        bar.addWidget(self.selection_label)
        bar.addStretch(1)
        bar.addWidget(self.operations_button)
        bar.addWidget(self.map_button)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.suggest_button)
        bar.addWidget(self.reassign_button)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        #: Where the last suggested assignments went, and why (until the next ones).
        self.suggested = QLabel()
        self.suggested.setWordWrap(True)
        self.suggested.setAccessibleName(tr("Suggested assignments"))
        self.suggested.hide()
        self.hint = QLabel(
            tr("Drag tickets onto another column to reassign them, or select several and press Reassign.")
        )
        self.hint.setWordWrap(True)

        self._strip = QWidget()
        self._strip_layout = QHBoxLayout(self._strip)
        self._strip_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self._strip)
        self.scroll.setAccessibleName(tr("Dispatch columns"))

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.hint)
        layout.addWidget(self.message)
        layout.addWidget(self.suggested)
        self.views = QStackedWidget()
        self.views.addWidget(self.scroll)
        layout.addWidget(self.views, 1)
        self._update_selection()
        self.reload()

    # -- state for the window, screenshots and tests ------------------------------------------------
    def busy(self) -> bool:
        return self._tasks > 0

    def crews(self) -> list[Crew]:
        """The columns, in order: None (unassigned) then the supervised crews."""
        return list(self._columns)

    def column(self, crew: Crew) -> CrewList:
        return self._columns[crew].list

    def header_text(self, crew: Crew) -> str:
        column = self._columns[crew]
        return f"{column.title.text()}\n{column.stats.text()}"

    def workload(self, crew: Crew) -> Workload:
        assert self.data is not None
        return self.data.workload[crew]

    def ticket_ids(self, crew: Crew) -> list[str]:
        return self.column(crew).ticket_ids()

    def selected_ids(self) -> list[str]:
        return [i for column in self._columns.values() for i in column.list.selected_ids()]

    def select(self, ticket_ids: list[str]) -> None:
        wanted = set(ticket_ids)
        for column in self._columns.values():
            lst = column.list
            for i in range(lst.count()):
                item = lst.item(i)
                item.setSelected(item.data(Qt.ItemDataRole.UserRole) in wanted)

    # -- background work ------------------------------------------------------------------------------
    def _start(self, fn: Any, on_done: Any) -> None:
        self._tasks += 1
        alive = self._alive

        def done(result: Any) -> None:
            if not alive[0]:
                return
            try:
                on_done(result)
            finally:
                self._tasks -= 1

        def failed(exc: Exception) -> None:
            if not alive[0]:
                return
            try:
                show_error(self, exc)
            finally:
                self._tasks -= 1

        run_task(fn, done, failed)

    def reload(self) -> None:
        """Load the replica's rows off the GUI thread and rebuild the board."""
        self._generation += 1
        generation = self._generation
        path = self.replica_path

        def show(data: BoardData) -> None:
            if generation == self._generation:  # a later reload is on its way
                self._show(data)

        self._start(lambda: load_board(path), show)

    def reassign(self, ticket_ids: list[str], crew: Crew) -> None:
        """Queue reassignment of `ticket_ids` to `crew` (None: the unassigned queue)."""
        ids = list(dict.fromkeys(ticket_ids))
        if not ids:
            return
        path = self.replica_path
        self._start(lambda: queue_reassignments(path, ids, crew), self._reassigned)

    def _reassigned(self, result: ReassignResult) -> None:
        if result.failed:
            show_error(self, LocalError(self._failure_text(result.failed)))
        self._select_next = set(result.moved) if result.moved else None
        self.reload()
        if result.moved:
            self.changed.emit()

    @staticmethod
    def _failure_text(failed: list[tuple[str, str]]) -> str:
        lines = [
            tr("Ticket {ticket}: {reason}").format(ticket=ticket_id[:8], reason=reason)
            for ticket_id, reason in failed
        ]
        head = (
            tr("One ticket could not be reassigned.")
            if len(failed) == 1
            else tr("{n} tickets could not be reassigned.").format(n=len(failed))
        )
        return "\n".join([head, *lines, tr("The other tickets were reassigned.")])

    # -- suggestions ------------------------------------------------------------------------------------
    def assign_suggested(self) -> None:
        """Give each selected ticket to its suggested crew (queued offline like any reassignment)."""
        ids = self.selected_ids()
        if not ids or self.data is None:
            return
        crews = [c for c in self.data.crews if c is not None]
        addresses = {row["id"]: row["address"] for rows in self.data.columns.values() for row in rows}
        path = self.replica_path

        def done(result: SuggestResult) -> None:
            lines = [placement_text(p, addresses.get(p.ticket_id, p.ticket_id[:8])) for p in result.placed]
            self.suggested.setText("\n".join(lines))
            self.suggested.setVisible(bool(lines))
            self._reassigned(ReassignResult(moved=result.moved, failed=result.failed))

        self._start(lambda: assign_suggested(path, ids, crews), done)

    # -- the dialog path -------------------------------------------------------------------------------
    def ask_reassign(self) -> None:
        """Ask for the target crew of the selected tickets (across all columns)."""
        ids = self.selected_ids()
        if not ids or self.data is None:
            return
        crews = [c for c in self.data.crews if c is not None]
        picker = CrewPicker(len(ids), crews, self.data.workload, self)
        picker.chosen.connect(lambda crew: self.reassign(ids, crew))
        picker.finished.connect(picker.deleteLater)
        self.picker = picker
        picker.open()

    # -- the operations view -----------------------------------------------------------------------------
    def show_operations(self, on: bool = True) -> None:
        """Switch between the columns and the operations figures (computed anew each time)."""
        if self.operations_button.isChecked() != on:
            self.operations_button.setChecked(on)  # comes back here through toggled
            return
        if on:
            self.map_button.setChecked(False)
            if self.operations is None:
                from fieldapp.screens.operations import OperationsView

                self.operations = OperationsView(self.replica_path, self)
                self.operations.open_ticket.connect(self.open_ticket)
                self.views.addWidget(self.operations)
            self.operations.reload()
            self.views.setCurrentWidget(self.operations)
        elif self.views.currentWidget() is self.operations:
            self.views.setCurrentWidget(self.scroll)

    # -- the map -----------------------------------------------------------------------------------------
    def show_map(self, on: bool = True) -> None:
        """Switch between the columns and a map of all tickets, coloured by crew."""
        if self.map_button.isChecked() != on:
            self.map_button.setChecked(on)  # comes back here through toggled
            return
        if on:
            self.operations_button.setChecked(False)
        if on and self.map is None:
            from fieldapp.mapview import MapView

            self.map = MapView(self, tile_sources=self.tile_sources)
            self.map.setAccessibleName(tr("Map of the crews' tickets"))
            self.map.ticket_clicked.connect(self.open_ticket)
            self.views.addWidget(self.map)
        if on and self.data is not None:
            self.map.show_tickets(self.data.map_rows, colour_by="crew")
            self.map.show_crews(self.data.crew_dots)
        self.views.setCurrentWidget(self.map if on else self.scroll)

    def shutdown(self) -> None:
        """Close the map's web page (call before the application ends)."""
        if self.map is not None:
            self.map.shutdown()

    # -- building the board ----------------------------------------------------------------------------
    def _show(self, data: BoardData) -> None:
        self.data = data
        if self.map is not None and self.map_button.isChecked():
            self.map.show_tickets(data.map_rows, colour_by="crew")
            self.map.show_crews(data.crew_dots)
        if not data.crews:
            self.message.setText(
                tr("The dispatch board is for supervisors. Sign in as a supervisor to reassign tickets.")
            )
            self.message.show()
        else:
            self.message.hide()
        select = self._select_next if self._select_next is not None else set(self.selected_ids())
        self._select_next = None
        if list(self._columns) != data.crews:
            self._rebuild_columns(data.crews)
        for crew, column in self._columns.items():
            column.show_workload(data.workload[crew])
            column.list.fill(data.columns[crew], select)
        self._update_selection()

    def _rebuild_columns(self, crews: list[Crew]) -> None:
        for column in self._columns.values():
            self._strip_layout.removeWidget(column)
            column.deleteLater()
        self._columns = {}
        for crew in crews:
            column = _Column(crew)
            lst = column.list
            lst.dropped.connect(self.reassign)
            lst.ticket_activated.connect(self.open_ticket)
            lst.itemSelectionChanged.connect(self._update_selection)
            lst.pressed_alone.connect(partial(self._clear_others, lst))
            self._strip_layout.addWidget(column, 1)
            self._columns[crew] = column

    def _clear_others(self, keep: CrewList) -> None:
        for column in self._columns.values():
            if column.list is not keep:
                column.list.clearSelection()

    def _update_selection(self) -> None:
        n = len(self.selected_ids())
        self.reassign_button.setEnabled(n > 0)
        self.suggest_button.setEnabled(n > 0)
        if n == 0:
            self.selection_label.setText(tr("No tickets selected"))
        elif n == 1:
            self.selection_label.setText(tr("1 ticket selected"))
        else:
            self.selection_label.setText(tr("{n} tickets selected").format(n=n))
