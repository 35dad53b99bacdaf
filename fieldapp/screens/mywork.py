"""My work: the crew's tickets, sortable and filterable, fast with 50,000 rows."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from fieldapp.qt import (
    TOUCH,
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
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
from sync.replica import Replica

SORT_LABELS = {
    "priority": "Priority",
    "due": "Due time (SLA)",
    "distance": "Nearest first",
    "status": "Status",
}
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

    def __init__(self, replica_path: Path, parent: Any = None) -> None:
        super().__init__(parent)
        self.replica_path = replica_path
        self._loading = False
        self._again = False
        self.model = TicketTableModel(self)

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
        for label in STATUS_FILTERS:
            self.status.addItem(tr(label), label)
        self.service = QComboBox()
        self.service.setAccessibleName(tr("Service type"))
        self.service.addItem(tr("All services"), None)
        self.count = QLabel()
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
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)

        self.search.textChanged.connect(self._apply_filter)
        self.status.currentIndexChanged.connect(self._apply_filter)
        self.service.currentIndexChanged.connect(self._apply_filter)
        self.sort.currentIndexChanged.connect(lambda _i: self.model.set_sort(self.sort.currentData()))
        self.sort.currentIndexChanged.connect(self._update_count)

    def busy(self) -> bool:
        return self._loading

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
        self.model.set_position(lat, lon)

    def _fill_services(self, rows: list[dict[str, Any]]) -> None:
        current = self.service.currentData()
        codes = sorted({r["service_code"] for r in rows})
        self.service.blockSignals(True)
        self.service.clear()
        self.service.addItem(tr("All services"), None)
        for code in codes:
            self.service.addItem(code.replace("_", " "), code)
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
        self.count.setText(tr("{n} tickets").format(n=self.model.rowCount()))

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_ticket.emit(self.model.ticket_id(index.row()))
