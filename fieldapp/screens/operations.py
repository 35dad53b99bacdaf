"""The supervisor's operations view, beside the dispatch board: open backlog by crew and by
service with its ages, SLA risk in the next two hours, overdue and escalated tickets, the
oldest open ticket per crew, response and resolution medians over 7 and 30 days, and the
reopen rate per service.

Computed on a worker thread from the replica (so it works offline), as of the last sync, which
it says: counted inside SQLite (sync.opscounts), so 100,000 tickets take a fraction of the
time a row per ticket in Python would. Every figure is a button: tapping it reads the tickets
behind it (as of the same moment) and lists them; tapping a ticket opens it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fieldapp.errors import show_error
from fieldapp.i18n import local_time
from fieldapp.labels import service_label, status_label
from fieldapp.qt import (
    TOUCH,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSize,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.tasks import run_task
from sync import opscounts
from sync.operations import AGE_BUCKETS, UNASSIGNED, Figure, OpsFigures
from sync.replica import Replica


@dataclass
class OpsData:
    #: The counts and medians, without ticket ids (sync.opscounts): those come on a tap.
    figures: OpsFigures
    last_sync: str | None
    rules: Any = None


def load_operations(replica_path: Path, now: float | None = None) -> OpsData:
    """The figures over the replica (runs on a worker thread)."""
    replica = Replica(replica_path)
    try:
        rules = replica.get("escalation_rules")
        moment = time.time() if now is None else now
        figures = opscounts.device_counts(replica.conn, rules, moment, replica.get("ops_windows"))
        return OpsData(figures=figures, last_sync=replica.get("last_sync"), rules=rules)
    finally:
        replica.close()


def load_figure_tickets(replica_path: Path, key: str, data: OpsData) -> list[tuple[str, str]]:
    """(id, words) of the tickets behind one figure, as of the figures' moment (a worker)."""
    replica = Replica(replica_path)
    try:
        ids = opscounts.figure_ids(replica.conn, key, data.rules, data.figures.as_of)
        found: dict[str, tuple[int, str, str, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = (
                "SELECT id, priority, service_code, address, status FROM tickets "
                f"WHERE id IN ({','.join('?' * len(chunk))})"
            )
            found.update((row[0], row[1:]) for row in replica.conn.execute(query, chunk))
    finally:
        replica.close()
    out = []
    for ticket_id in ids:
        priority, service, address, status = found.get(ticket_id, (0, "", "", ""))
        out.append(
            (ticket_id, f"P{priority} · {service_label(service)} · {address} · {status_label(status)}")
        )
    return out


def _crew_name(crew: str) -> str:
    return tr("Unassigned") if crew == UNASSIGNED else tr("Crew {crew}").format(crew=crew)


def _hours(value: float | None) -> str:
    if value is None:
        return tr("no data")
    if value >= 48:
        return tr("{n} d").format(n=f"{value / 24:.1f}")
    return tr("{n} h").format(n=f"{value:.1f}")


def _ages(ages: dict[str, int]) -> str:
    labels = {"<1d": tr("under 1 d"), "1-3d": tr("1–3 d"), "3-7d": tr("3–7 d"), ">7d": tr("over 7 d")}
    return " · ".join(f"{labels[name]} {ages.get(name, 0)}" for name, _ in AGE_BUCKETS)


class OperationsView(QWidget):
    """Figures as buttons; the tickets behind the chosen one below them."""

    #: A ticket in the list was tapped.
    open_ticket = Signal(str)
    #: New figures are on screen.
    data_shown = Signal()

    def __init__(self, replica_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.replica_path = Path(replica_path)
        self.data: OpsData | None = None
        self.buttons: dict[str, QPushButton] = {}
        self._figures: dict[str, Figure] = {}
        self._shown_key: str | None = None
        self._tasks = 0
        alive = self._alive = [True]
        self.destroyed.connect(lambda *_: alive.__setitem__(0, False))

        self.freshness = QLabel()
        self.freshness.setAccessibleName(tr("How fresh the figures are"))
        self.refresh_button = touch_button(tr("Refresh"), tr("Compute the figures again"))
        self.refresh_button.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(self.freshness, 1)
        top.addWidget(self.refresh_button)

        self._grid_host = QWidget()
        self.grid = QGridLayout(self._grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._grid_host)

        self.list_title = QLabel(tr("Tap a figure to see its tickets."))
        self.list_title.setWordWrap(True)
        self.tickets = QListWidget()
        self.tickets.setAccessibleName(tr("Tickets behind the figure"))
        self.tickets.setUniformItemSizes(True)
        self.tickets.itemActivated.connect(self._activate)
        self.tickets.itemClicked.connect(self._activate)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 3)
        layout.addWidget(self.list_title)
        layout.addWidget(self.tickets, 2)

    # -- for the window and tests ----------------------------------------------------------------
    def busy(self) -> bool:
        return self._tasks > 0

    def figure_keys(self) -> list[str]:
        return list(self.buttons)

    def show_figure(self, key: str) -> None:
        """List the tickets behind one figure (what tapping its button does); the ids are
        read on a worker, as of the moment the figures were computed."""
        assert self.data is not None
        what, count = self.buttons[key].accessibleName(), self._figures[key].count
        self.list_title.setText(tr("{what}: {n} tickets").format(what=what, n=count))
        self.tickets.clear()
        self._tasks += 1
        self._shown_key = key
        path, data, alive = self.replica_path, self.data, self._alive

        def done(rows: list[tuple[str, str]]) -> None:
            if not alive[0]:
                return
            self._tasks -= 1
            if self._shown_key != key:
                return  # another figure was tapped meanwhile
            self.tickets.clear()
            for ticket_id, text in rows:
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, ticket_id)
                item.setSizeHint(QSize(0, TOUCH))
                self.tickets.addItem(item)

        def failed(exc: Exception) -> None:
            if alive[0]:
                self._tasks -= 1
                show_error(self, exc)

        run_task(lambda: load_figure_tickets(path, key, data), done, failed)

    def listed_ids(self) -> list[str]:
        return [self.tickets.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.tickets.count())]

    # -- loading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        self._tasks += 1
        path, alive = self.replica_path, self._alive

        def done(data: OpsData) -> None:
            if alive[0]:
                self._tasks -= 1
                self._show(data)

        def failed(exc: Exception) -> None:
            if alive[0]:
                self._tasks -= 1
                show_error(self, exc)

        run_task(lambda: load_operations(path), done, failed)

    def _show(self, data: OpsData) -> None:
        self.data = data
        when = data.last_sync
        if when:
            moment = datetime.fromisoformat(when.replace("Z", "+00:00")).astimezone(UTC)
            self.freshness.setText(
                tr("As of the last sync, {time}: changes since then are not counted.").format(
                    time=local_time(moment, today_short=True)
                )
            )
        else:
            self.freshness.setText(tr("Not synced yet: the figures show only what is on this device."))
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.buttons.clear()
        self._figures.clear()
        f = data.figures
        rows: list[list[tuple[str, str, Figure]]] = [
            [
                ("open", tr("Open: {n}").format(n=f.open.count), f.open),
                ("at_risk", tr("Due within 2 h: {n}").format(n=f.at_risk.count), f.at_risk),
                ("overdue", tr("Overdue: {n}").format(n=f.overdue.count), f.overdue),
                ("escalated", tr("Escalated: {n}").format(n=f.escalated.count), f.escalated),
            ],
            [
                (
                    f"response_{window}",
                    tr("First response ({window}): {time}").format(
                        window=window, time=_hours(f.first_response[window].hours)
                    ),
                    f.first_response[window],
                )
                for window in ("7d", "30d")
            ]
            + [
                (
                    f"resolution_{window}",
                    tr("Resolution ({window}): {time}").format(
                        window=window, time=_hours(f.resolution[window].hours)
                    ),
                    f.resolution[window],
                )
                for window in ("7d", "30d")
            ],
        ]
        for crew, backlog in f.backlog_by_crew.items():
            oldest = f.oldest_by_crew.get(crew)
            text = tr("{crew}: {n} open ({ages})").format(
                crew=_crew_name(crew), n=backlog.count, ages=_ages(backlog.ages)
            )
            if oldest is not None:
                text += " · " + tr("oldest {age}").format(age=_hours(oldest.age_hours))
            rows.append([(f"crew:{crew}", text, backlog)])
        for service, backlog in f.backlog_by_service.items():
            text = tr("{service}: {n} open ({ages})").format(
                service=service_label(service), n=backlog.count, ages=_ages(backlog.ages)
            )
            rows.append([(f"service:{service}", text, backlog)])
        for service, rate in f.reopen_rate_by_service.items():
            text = tr("{service}: {reopened} of {n} reopened ({percent} %)").format(
                service=service_label(service),
                reopened=rate.reopened,
                n=rate.count,
                percent=round((rate.rate or 0) * 100),
            )
            rows.append([(f"reopen:{service}", text, rate)])
        for r, row in enumerate(rows):
            span = 4 // len(row)
            for c, (key, text, figure) in enumerate(row):
                button = touch_button(text, text)
                button.setStyleSheet("text-align: left; padding: 6px 12px;")
                button.clicked.connect(lambda _=False, key=key: self.show_figure(key))
                self.grid.addWidget(button, r, c * span, 1, span)
                self.buttons[key] = button
                self._figures[key] = figure
        self.data_shown.emit()

    def _activate(self, item: QListWidgetItem) -> None:
        self.open_ticket.emit(str(item.data(Qt.ItemDataRole.UserRole)))
