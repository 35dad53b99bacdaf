"""The ticket list as a Qt model over light replica rows.

Sorting and filtering happen here, in Python over precomputed keys, instead of
in a QSortFilterProxyModel (whose per-comparison calls into Python are too slow
for 50,000 rows). The view only ever sees the current permutation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fieldapp.i18n import local_time
from fieldapp.labels import service_label, status_label
from fieldapp.qt import QT_TR_NOOP, QAbstractTableModel, QBrush, QColor, QFont, QModelIndex, Qt, tr
from maps.geo import compass, format_distance
from maps.mappage import STATUS_LABELS

COLUMNS = ("status", "priority", "due", "distance", "service", "address", "crew")
HEADERS = {
    "status": QT_TR_NOOP("Status"),
    "priority": QT_TR_NOOP("Priority"),
    "due": QT_TR_NOOP("Due"),
    "distance": QT_TR_NOOP("Distance"),
    "service": QT_TR_NOOP("Service"),
    "address": QT_TR_NOOP("Address"),
    "crew": QT_TR_NOOP("Crew"),
}
SORTS = ("priority", "due", "distance", "status")
STATUS_ORDER = {s: i for i, s in enumerate(STATUS_LABELS)}
OPEN = frozenset({"new", "assigned", "en_route", "in_progress", "on_hold"})
#: A ticket due within this time is "at risk".
AT_RISK = timedelta(hours=4)
OVERDUE_COLOUR = QColor("#b00020")
AT_RISK_COLOUR = QColor("#9a5b00")
TicketRow = dict[str, Any]


def parse_time(raw: str | None) -> datetime | None:
    if not raw:
        return None
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; ample for sorting a crew's day)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6_371_008.8 * 2 * math.asin(math.sqrt(a))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial great-circle bearing in degrees from north (cheap; ``maps.geo`` has the geodesic one)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def sla_state(row: TicketRow, now: datetime) -> str | None:
    """'overdue', 'at_risk' or None for an open ticket's due time."""
    if row["status"] not in OPEN or not row.get("_due"):
        return None
    due = row["_due"]
    if due < now:
        return "overdue"
    if due - now < AT_RISK:
        return "at_risk"
    return None


def sla_clock(row: TicketRow, now: datetime) -> str:
    """The SLA as a clock a crew reads at a glance: "due in 2 h", "overdue 3 h" ('' without a due time)."""
    due = row.get("_due")
    if due is None or row["status"] not in OPEN:
        return ""
    late = due < now
    span = abs(due - now)
    if span < timedelta(hours=1):
        amount = tr("{n} min").format(n=max(1, int(span.total_seconds() // 60)))
    elif span < timedelta(days=2):
        amount = tr("{n} h").format(n=int(span.total_seconds() // 3600))
    else:
        amount = tr("{n} d").format(n=span.days)
    if late:
        return tr("overdue {amount}").format(amount=amount)
    return tr("due in {amount}").format(amount=amount)


#: The list's due-time filters: what a crew asks for at the start of a shift.
DUE_FILTERS = ("today", "overdue")


@dataclass(frozen=True)
class ViewSettings:
    sort: str
    statuses: frozenset[str] | None
    service: str | None
    text: str
    #: None, "today" (due before the end of today, late ones too) or "overdue".
    due: str | None = None


def _due_keep(row: TicketRow, due: str | None, now: datetime, end_of_day: datetime) -> bool:
    if due is None:
        return True
    when = row.get("_due")
    if when is None or row["status"] not in OPEN:
        return False
    return when < now if due == "overdue" else when < end_of_day


def arrange(rows: list[TicketRow], settings: ViewSettings) -> list[int]:
    """Indexes of the rows to show, in order (pure: runs on a worker or the GUI thread)."""
    statuses, service, text = settings.statuses, settings.service, settings.text
    now = datetime.now(UTC)
    local = now.astimezone()
    end_of_day = local.replace(hour=23, minute=59, second=59, microsecond=999999).astimezone(UTC)
    keep = [
        i
        for i, r in enumerate(rows)
        if (statuses is None or r["status"] in statuses)
        and (service is None or r["service_code"] == service)
        and (not text or text in r["_search"])
        and _due_keep(r, settings.due, now, end_of_day)
    ]
    far = datetime.max.replace(tzinfo=UTC)
    if settings.sort == "priority":
        keep.sort(key=lambda i: (rows[i]["priority"], rows[i]["_due"] or far))
    elif settings.sort == "due":
        keep.sort(key=lambda i: (rows[i]["_due"] or far, rows[i]["priority"]))
    elif settings.sort == "distance":
        keep.sort(key=lambda i: (rows[i].get("_dist") is None, rows[i].get("_dist") or 0.0))
    else:
        keep.sort(key=lambda i: (STATUS_ORDER.get(rows[i]["status"], 99), rows[i]["priority"]))
    return keep


def prepare_rows(rows: list[TicketRow]) -> list[TicketRow]:
    """Precompute sort and search keys (on a worker thread: it is the costly part)."""
    for row in rows:
        row["_due"] = parse_time(row["due_at"])
        row["_search"] = " ".join(
            str(row[k] or "") for k in ("address", "description", "service_code", "id")
        ).lower()
        row.setdefault("pending", False)
    return rows


class TicketTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[TicketRow] = []
        self._view: list[int] = []
        self._sort = "priority"
        self._statuses: frozenset[str] | None = OPEN
        self._service: str | None = None
        self._text = ""
        self._due: str | None = None
        self._position: tuple[float, float] | None = None
        self.now = datetime.now(UTC)

    # -- data in -------------------------------------------------------------------
    def set_rows(self, rows: list[TicketRow], order: tuple[ViewSettings, list[int]] | None = None) -> None:
        """Show these rows (prepared with prepare_rows, or prepared here if not).

        `order` is the rows' arrangement made on a worker for given settings; it is
        used when those are still the current settings (and no position is set).
        """
        if rows and "_search" not in rows[0]:
            prepare_rows(rows)
        self.beginResetModel()
        self.now = datetime.now(UTC)
        self._rows = rows
        self._compute_distances()
        if order is not None and order[0] == self.view_settings() and self._position is None:
            self._view = order[1]
        else:
            self._view = self._arrange()
        self.endResetModel()

    @property
    def position(self) -> tuple[float, float] | None:
        return self._position

    def set_position(self, lat: float, lon: float, *, reorder: bool = True) -> None:
        """Distances and bearings from here; with `reorder` False the order stays as it is
        (the list is under a finger) and only the distances shown change."""
        self._position = (lat, lon)
        self._compute_distances()
        if reorder:
            self._rearrange()
        elif self._view:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._view) - 1, len(COLUMNS) - 1))

    @property
    def sort_key(self) -> str:
        return self._sort

    def _compute_distances(self) -> None:
        if self._position is None:
            for row in self._rows:
                row["_dist"] = row["_bearing"] = None
            return
        lat, lon = self._position
        for row in self._rows:
            if row["lat"] is None or row["lon"] is None:
                row["_dist"] = row["_bearing"] = None
                continue
            row["_dist"] = distance_m(lat, lon, row["lat"], row["lon"])
            row["_bearing"] = bearing_deg(lat, lon, row["lat"], row["lon"]) if row["_dist"] > 1 else None

    # -- sorting and filtering --------------------------------------------------------
    def set_sort(self, key: str) -> None:
        if key not in SORTS:
            raise ValueError(key)
        self._sort = key
        self._rearrange()

    def set_filter(
        self,
        *,
        statuses: frozenset[str] | None = None,
        service: str | None = None,
        text: str = "",
        due: str | None = None,
    ) -> None:
        if due is not None and due not in DUE_FILTERS:
            raise ValueError(due)
        self._statuses = statuses
        self._service = service
        self._text = text.strip().lower()
        self._due = due
        self._rearrange()

    def _rearrange(self) -> None:
        self.layoutAboutToBeChanged.emit()
        self._view = self._arrange()
        self.layoutChanged.emit()

    def _arrange(self) -> list[int]:
        return arrange(self._rows, self.view_settings())

    def view_settings(self) -> ViewSettings:
        """The current sort and filter, to arrange rows elsewhere (on a worker)."""
        return ViewSettings(self._sort, self._statuses, self._service, self._text, self._due)

    # -- Qt model ------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(HEADERS[COLUMNS[section]])
        return None

    def row_at(self, index: int) -> TicketRow:
        return self._rows[self._view[index]]

    def ticket_id(self, index: int) -> str:
        return str(self.row_at(index)["id"])

    def visible_ids(self) -> list[str]:
        return [self._rows[i]["id"] for i in self._view]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column in ("due", "status"):
            state = sla_state(row, self.now)
            if state == "overdue":
                return QBrush(OVERDUE_COLOUR)
            if state == "at_risk":
                return QBrush(AT_RISK_COLOUR)
        if role == Qt.ItemDataRole.FontRole and (row.get("pending") or sla_state(row, self.now)):
            font = QFont()
            font.setBold(sla_state(row, self.now) == "overdue")
            font.setItalic(bool(row.get("pending")))
            return font
        if role == Qt.ItemDataRole.ToolTipRole and row.get("pending"):
            return tr("Changed on this device; not yet on the server")
        if role == Qt.ItemDataRole.UserRole:
            return row["id"]
        return None

    def _display(self, row: TicketRow, column: str) -> str:
        if column == "status":
            label = status_label(row["status"])
            return f"{label} ⟳" if row.get("pending") else label
        if column == "priority":
            return f"P{row['priority']}"
        if column == "due":
            due = row["_due"]
            if due is None:
                return ""
            text = local_time(due)
            state = sla_state(row, self.now)
            if state == "overdue":
                return tr("{time} OVERDUE").format(time=text)
            if state == "at_risk":
                return tr("{time} soon").format(time=text)
            return text
        if column == "distance":
            dist = row["_dist"]
            if dist is None:
                return ""
            text = format_distance(dist)
            way = compass(row.get("_bearing"))
            return f"{text} {way}" if way else text
        if column == "service":
            return service_label(row["service_code"])
        if column == "address":
            return str(row["address"])
        return str(row["assigned_crew"] or tr("unassigned"))
