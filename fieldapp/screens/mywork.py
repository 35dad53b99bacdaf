"""My work: the crew's tickets, sortable and filterable, fast with 50,000 rows, beside their map.

The map (``fieldapp.mapview.MapView``) shows the tickets the list shows (markers by
status and priority, clustered) and the device's position; a click on a marker
opens the ticket like a double-click in the list. It is made when the first rows
arrive, so a window that is never signed in starts no web engine.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from fieldapp.labels import service_label, status_label
from fieldapp.qt import (
    QT_TR_NOOP,
    TOUCH,
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QSplitter,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.tasks import run_task
from fieldapp.ticketmodel import (
    OPEN,
    STATUS_LABELS,
    TicketTableModel,
    ViewSettings,
    arrange,
    prepare_rows,
)
from maps.mappage import MAX_MARKERS
from sync.replica import Replica

SORT_LABELS = {
    "priority": QT_TR_NOOP("Priority"),
    "due": QT_TR_NOOP("Due time (SLA)"),
    "distance": QT_TR_NOOP("Nearest first"),
    "status": QT_TR_NOOP("Status"),
}
#: The filters that are not one status.
FILTER_WORDS = {"Open": QT_TR_NOOP("Open"), "All": QT_TR_NOOP("All")}
STATUS_FILTERS: dict[str, frozenset[str] | None] = {
    "Open": OPEN,
    "All": None,
    **{label: frozenset({code}) for code, label in STATUS_LABELS.items()},
}


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
        self.sort = QComboBox()
        self.sort.setAccessibleName(tr("Sort by"))
        for key, label in SORT_LABELS.items():
            self.sort.addItem(tr(label), key)
        self.status = QComboBox()
        self.status.setAccessibleName(tr("Show status"))
        for label, codes in STATUS_FILTERS.items():
            text = tr(FILTER_WORDS[label]) if label in FILTER_WORDS else status_label(min(codes or {""}))
            self.status.addItem(text, label)
        self.service = QComboBox()
        self.service.setAccessibleName(tr("Service type"))
        self.service.addItem(tr("All services"), None)
        self.count = QLabel()
        self.map_button = touch_button(tr("Map"), tr("Show the map beside the list"))
        self.map_button.setCheckable(True)
        self.map_button.setChecked(True)
        self.map_button.toggled.connect(self._map_toggled)
        for widget in (self.search, self.sort, self.status, self.service):
            widget.setMinimumHeight(TOUCH)

        self.table = QTableView()
        self.table.setAccessibleName(tr("Tickets"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(TOUCH)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._activated)
        self.table.doubleClicked.connect(self._activated)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(QLabel(tr("Sort")))
        bar.addWidget(self.sort, 1)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.service, 1)
        bar.addWidget(self.map_button)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.count)
        self._map_timer = QTimer(self)
        self._map_timer.setSingleShot(True)
        self._map_timer.setInterval(150)
        self._map_timer.timeout.connect(self._update_map)
        self.model.layoutChanged.connect(self._map_timer.start)
        self.model.modelReset.connect(self._map_timer.start)

        self.search.textChanged.connect(self._apply_filter)
        self.status.currentIndexChanged.connect(self._apply_filter)
        self.service.currentIndexChanged.connect(self._apply_filter)
        self.sort.currentIndexChanged.connect(lambda _i: self.model.set_sort(self.sort.currentData()))
        self.sort.currentIndexChanged.connect(self._update_count)
        self.sort.activated.connect(self._sort_picked)

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
        """Distances and bearings from here (after each 25 m); the first fix sorts nearest first."""
        self.model.set_position(lat, lon)
        if not self._sort_chosen:
            self._sort_chosen = True
            self.sort.setCurrentIndex(self.sort.findData("distance"))

    def show_position(self, lat: float, lon: float, accuracy: float) -> None:
        """The "you are here" dot on the map (every fix)."""
        self._position = (lat, lon, accuracy)
        if self.map is not None:
            self.map.set_position(lat, lon, accuracy)

    def _sort_picked(self, _index: int) -> None:
        self._sort_chosen = True  # the crew's own choice is never overridden by a position

    # -- the map -------------------------------------------------------------------------
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
        self.model.set_filter(
            statuses=STATUS_FILTERS[self.status.currentData()],
            service=self.service.currentData(),
            text=self.search.text(),
        )
        self._update_count()

    def _update_count(self, *_args: object) -> None:
        rows = self.model.rowCount()
        text = tr("{n} tickets").format(n=rows)
        if rows > MAX_MARKERS and self.map_button.isChecked():
            text += " · " + tr("the map shows the first {m:,}").format(m=MAX_MARKERS)
        self.count.setText(text)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_ticket.emit(self.model.ticket_id(index.row()))
