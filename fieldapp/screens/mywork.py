"""My work: the crew's tickets, sortable and filterable, fast with 50,000 rows, beside their map.

The map (``fieldapp.mapview.MapView``) shows the tickets the list shows (markers by
status and priority, clustered) and the device's position; a click on a marker
opens the ticket like a double-click in the list. It is made when the first rows
arrive, so a window that is never signed in starts no web engine.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

from fieldapp.labels import service_label
from fieldapp.qt import (
    QT_TR_NOOP,
    TOUCH,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.screens.chips import ChipGroup
from fieldapp.screens.ticketcards import TicketCardList
from fieldapp.tasks import run_task
from fieldapp.ticketmodel import (
    OPEN,
    TicketTableModel,
    ViewSettings,
    arrange,
    prepare_rows,
)
from maps.mappage import MAX_MARKERS
from sync.replica import Replica

SORT_LABELS = {
    "distance": QT_TR_NOOP("Nearest"),
    "priority": QT_TR_NOOP("Priority"),
    "due": QT_TR_NOOP("Due first"),
}
#: The filter chips: which tickets the list shows.
FILTER_LABELS = {
    "open": QT_TR_NOOP("Open"),
    "today": QT_TR_NOOP("Today"),
    "overdue": QT_TR_NOOP("Overdue"),
    "all": QT_TR_NOOP("All"),
}
FILTERS: dict[str, tuple[frozenset[str] | None, str | None]] = {
    "open": (OPEN, None),
    "today": (OPEN, "today"),
    "overdue": (OPEN, "overdue"),
    "all": (None, None),
}
#: How long after the last touch a position may re-sort the list (nothing moves under a finger).
HOLD_ORDER_SECONDS = 4.0


def load_rows(replica_path: Path, settings: ViewSettings | None = None) -> tuple[list[dict[str, Any]], Any]:
    """Rows ready to show, and their arrangement for `settings` (all done on a worker)."""
    replica = Replica(replica_path)
    try:
        rows = prepare_rows(replica.ticket_rows())
    finally:
        replica.close()
    return rows, None if settings is None else (settings, arrange(rows, settings))


class MyWorkScreen(QWidget):
    open_ticket = Signal(str)

    def __init__(
        self, replica_path: Path, parent: Any = None, *, tile_sources: list[Path] | None = None
    ) -> None:
        super().__init__(parent)
        self.replica_path = replica_path
        self.tile_sources = tile_sources
        self._loading = False
        self._again = False
        self._sort_chosen = False
        self._loaded_once = False
        self._position: tuple[float, float, float] | None = None
        self.model = TicketTableModel(self)
        self.map: Any = None
        self._map_key: list[Any] | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search address, description, ticket…"))
        self.search.setAccessibleName(tr("Search tickets"))
        self.search.setClearButtonEnabled(True)
        self.filters = ChipGroup({key: tr(label) for key, label in FILTER_LABELS.items()}, tr("Show"))
        self.sort = ChipGroup({key: tr(label) for key, label in SORT_LABELS.items()}, tr("Sort by"))
        self.sort.setCurrentData("priority")
        self.service = QComboBox()
        self.service.setAccessibleName(tr("Service type"))
        self.service.addItem(tr("All services"), None)
        self.service.setMinimumHeight(TOUCH)
        self.count = QLabel()
        self.count.setProperty("role", "muted")
        #: Says the order changed after the list was left alone (never while a finger is on it).
        self.order_note = QLabel(tr("Order updated: nearest first"))
        self.order_note.setProperty("role", "pending")
        self.order_note.setVisible(False)
        policy = self.order_note.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # its space is kept: nothing moves when it shows
        self.order_note.setSizePolicy(policy)
        self.map_button = touch_button(tr("Map"), tr("Show the map"))
        self.map_button.setCheckable(True)
        self.map_button.setChecked(True)
        self.map_button.toggled.connect(self._map_toggled)

        self.cards = TicketCardList(self.model)
        self.cards.open_ticket.connect(self.open_ticket)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.map_button)
        chips = QHBoxLayout()
        chips.addWidget(self.filters)
        chips.addStretch(1)
        chips.addWidget(self.service)
        order = QHBoxLayout()
        order.addWidget(self.sort)
        order.addStretch(1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.cards)
        self.splitter.setChildrenCollapsible(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addStretch(1)
        bottom.addWidget(self.order_note)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(chips)
        layout.addLayout(order)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)
        self._map_timer = QTimer(self)
        self._map_timer.setSingleShot(True)
        self._map_timer.setInterval(150)
        self._map_timer.timeout.connect(self._update_map)
        self.model.layoutChanged.connect(self._map_timer.start)
        self.model.modelReset.connect(self._map_timer.start)
        #: A position that arrived while the list was touched: applied once it is left alone.
        self._held_position: tuple[float, float] | None = None
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.timeout.connect(self._apply_held_position)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(6000)
        self._note_timer.timeout.connect(lambda: self.order_note.setVisible(False))

        self.search.textChanged.connect(self._apply_filter)
        self.filters.changed.connect(self._apply_filter)
        self.service.currentIndexChanged.connect(self._apply_filter)
        self.sort.changed.connect(self._sort_picked)

    def list_loading(self) -> bool:
        """Rows still loading (the list is usable once they are in; the map may follow)."""
        return self._loading

    def busy(self) -> bool:
        """Rows loading, or the map about to be drawn (its page not ready yet)."""
        shown = self.isVisible() and self.map_button.isChecked()
        map_pending = self.map is not None and shown and not self.map.is_ready()
        return self._loading or self._map_timer.isActive() or map_pending

    def reload(self) -> None:
        """Reload the rows from the replica off the GUI thread."""
        if self._loading:
            self._again = True  # the replica changed while loading: load once more after
            return
        self._loading = True
        self._again = False
        path = self.replica_path

        def done(result: tuple[list[dict[str, Any]], Any]) -> None:
            rows, order = result
            self._loading = False
            self._loaded_once = True
            self.model.set_rows(rows, order)
            self._fill_services(rows)
            self._update_count()
            # The list's objects live long: keep them out of the collector's full scans,
            # which otherwise stall every thread while a big sync parses its pages.
            gc.freeze()
            if self._again:
                self.reload()

        def failed(exc: Exception) -> None:
            self._loading = False
            self._again = False
            from fieldapp.errors import show_error

            show_error(self, exc)

        settings = self.model.view_settings()
        run_task(lambda: load_rows(path, settings), done, failed)

    def set_position(self, lat: float, lon: float) -> None:
        """Distances and bearings from here (after each 25 m); the first fix sorts nearest first.

        The order never changes under a finger: while the list was touched in the last
        `HOLD_ORDER_SECONDS`, only the distances change and the re-sort waits; then the
        card at the top stays in view and a note says the order was updated.
        """
        if not self._sort_chosen:  # the first fix: nearest first (the chips say so)
            self._sort_chosen = True
            self.sort.setCurrentData("distance")
            self.model.set_sort("distance")
            self.model.set_position(lat, lon)
            return
        idle = time.monotonic() - self.cards.last_touched
        if self.model.sort_key != "distance" or idle >= HOLD_ORDER_SECONDS:
            self._reorder_at(lat, lon)
            return
        self.model.set_position(lat, lon, reorder=False)
        self._held_position = (lat, lon)
        self._hold_timer.start(int((HOLD_ORDER_SECONDS - idle) * 1000) + 50)

    def _apply_held_position(self) -> None:
        if self._held_position is None:
            return
        idle = time.monotonic() - self.cards.last_touched
        if idle < HOLD_ORDER_SECONDS:  # touched again meanwhile: wait on
            self._hold_timer.start(int((HOLD_ORDER_SECONDS - idle) * 1000) + 50)
            return
        lat, lon = self._held_position
        self._held_position = None
        self._reorder_at(lat, lon)

    def _reorder_at(self, lat: float, lon: float) -> None:
        before = self.model.visible_ids() if self.model.sort_key == "distance" else None
        anchor = self.cards.top_ticket()
        self.model.set_position(lat, lon)
        if before is not None and self.model.visible_ids() != before:
            if anchor is not None and self.cards.verticalScrollBar().value() > 0:
                self.cards.show_ticket_at_top(anchor)
            self.order_note.setVisible(True)
            self._note_timer.start()

    def show_position(self, lat: float, lon: float, accuracy: float) -> None:
        """The "you are here" dot on the map (every fix)."""
        self._position = (lat, lon, accuracy)
        if self.map is not None:
            self.map.set_position(lat, lon, accuracy)

    def _sort_picked(self, key: str) -> None:
        self._sort_chosen = True  # the crew's own choice is never overridden by a position
        self.model.set_sort(key)
        self._update_count()

    # -- the map -------------------------------------------------------------------------
    def resizeEvent(self, event: Any) -> None:
        """Map beside the list in landscape, below it in portrait: never a horizontal scrollbar."""
        super().resizeEvent(event)
        portrait = self.width() < self.height()
        wanted = Qt.Orientation.Vertical if portrait else Qt.Orientation.Horizontal
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)

    def _map_toggled(self, on: bool) -> None:
        self._update_count()
        if on and self.map is None:
            self._update_map()
        if self.map is not None:
            self.map.setVisible(on)

    def _ensure_map(self) -> Any:
        if self.map is None:
            from fieldapp.mapview import MapView

            self.map = MapView(self, tile_sources=self.tile_sources)
            self.map.setMinimumWidth(TOUCH * 6)
            self.map.ticket_clicked.connect(self.open_ticket)
            self.splitter.addWidget(self.map)
            width = max(self.splitter.width(), 1000)
            self.splitter.setSizes([width * 3 // 5, width * 2 // 5])
            self.splitter.setStretchFactor(0, 3)
            self.splitter.setStretchFactor(1, 2)
            if self._position is not None:
                self.map.set_position(*self._position)
        return self.map

    def map_rows(self) -> list[dict[str, Any]]:
        """The tickets on the map: those the list shows, in its order, at most MAX_MARKERS."""
        return [self.model.row_at(i) for i in range(min(self.model.rowCount(), MAX_MARKERS))]

    def _update_map(self) -> None:
        if not self.map_button.isChecked() or not self._loaded_once:
            return
        rows = self.map_rows()
        # A re-sort (the crew moved) changes no marker: nothing to send to the page.
        key = sorted((r["id"], r["status"], r["priority"], r["lat"], r["lon"]) for r in rows)
        if self.map is not None and key == self._map_key:
            return
        self._map_key = key
        self._ensure_map().show_tickets(rows)

    def shutdown(self) -> None:
        """Close the map's web page (call before the application ends)."""
        self._map_timer.stop()
        if self.map is not None:
            self.map.shutdown()

    def _fill_services(self, rows: list[dict[str, Any]]) -> None:
        current = self.service.currentData()
        codes = sorted({r["service_code"] for r in rows})
        self.service.blockSignals(True)
        self.service.clear()
        self.service.addItem(tr("All services"), None)
        for code in codes:
            self.service.addItem(service_label(code), code)
        index = self.service.findData(current)
        self.service.setCurrentIndex(max(0, index))
        self.service.blockSignals(False)

    def _apply_filter(self, *_args: object) -> None:
        statuses, due = FILTERS[self.filters.currentData()]
        self.model.set_filter(
            statuses=statuses, service=self.service.currentData(), text=self.search.text(), due=due
        )
        self._update_count()

    def _update_count(self, *_args: object) -> None:
        rows = self.model.rowCount()
        text = tr("{n} tickets").format(n=rows)
        if rows > MAX_MARKERS and self.map_button.isChecked():
            text += " · " + tr("the map shows the first {m:,}").format(m=MAX_MARKERS)
        self.count.setText(text)
