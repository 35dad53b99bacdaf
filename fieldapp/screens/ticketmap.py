"""The ticket screen's map and "on site" parts: a small offline map round the ticket, the way there,
the address of where the device is, and the suggestion to start work on arrival."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fieldapp import mapsettings
from fieldapp.qt import QFrame, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, Signal, touch_button, tr
from fieldapp.tasks import run_task
from maps.geo import compass, distance_m, format_distance, on_site, way_to
from sync.workflow import next_steps

log = logging.getLogger(__name__)

#: Height of the ticket's map (device-independent pixels).
MAP_HEIGHT = 260
#: Zoom of the ticket's map: a few streets round the site.
MAP_ZOOM = 16
#: A new reverse lookup only after moving this far.
LOOKUP_AFTER_M = 25.0


class TicketMap(QGroupBox):
    """The ticket on a small map, its coordinates, and where the device is relative to it."""

    open_ticket = Signal(str)

    def __init__(
        self, replica_path: Path, tile_sources: list[Path] | None = None, parent: Any = None
    ) -> None:
        super().__init__(tr("Map"), parent)
        self.replica_path = Path(replica_path)
        self.tile_sources = tile_sources
        self.map: Any = None
        self.ticket: dict[str, Any] | None = None
        #: The latest fix: (lat, lon, accuracy in metres or NaN, when).
        self.fix: tuple[float, float, float, datetime] | None = None
        self._geocoder: Any = None
        self._looked_up: tuple[float, float] | None = None
        self._looking = False
        self.map_label = QLabel()
        self.map_label.setAccessibleName(tr("Ticket location"))
        self.way = QLabel()
        self.way.setAccessibleName(tr("Way to the site"))
        self.here = QLabel()
        self.here.setWordWrap(True)
        self.here.setAccessibleName(tr("Where you are"))
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.map_label)
        self._layout.addWidget(self.way)
        self._layout.addWidget(self.here)

    @property
    def position(self) -> tuple[float, float] | None:
        return None if self.fix is None else (self.fix[0], self.fix[1])

    def position_for_edit(self) -> dict[str, Any] | None:
        """The fix as a ``sync.wire.Position`` dict, recorded with an edit; None when unknown."""
        if self.fix is None:
            return None
        lat, lon, accuracy, when = self.fix
        return {
            "lat": lat,
            "lon": lon,
            "accuracy_m": round(accuracy, 1) if math.isfinite(accuracy) and accuracy >= 0 else None,
            "fixed_at": when.isoformat().replace("+00:00", "Z"),
        }

    def show_ticket(self, ticket: dict[str, Any]) -> None:
        self.ticket = ticket
        lat, lon = ticket.get("lat"), ticket.get("lon")
        if lat is None or lon is None:
            self.map_label.setText(tr("No location on this ticket"))
            return
        self.map_label.setText(tr("Location {lat:.5f}, {lon:.5f}").format(lat=lat, lon=lon))
        if self.map is None:
            from fieldapp.mapview import MapView

            self.map = MapView(self, tile_sources=self.tile_sources, center=(lat, lon), zoom=MAP_ZOOM)
            self.map.setMinimumHeight(MAP_HEIGHT)
            self.map.ticket_clicked.connect(self.open_ticket)
            self._layout.insertWidget(0, self.map, 1)
            if self.fix is not None:
                self.map.set_position(self.fix[0], self.fix[1], self.fix[2])
        self.map.show_tickets([ticket], center=(lat, lon), zoom=MAP_ZOOM)
        self._show_way()

    def set_position(self, lat: float, lon: float, accuracy: float, *, visible: bool = True) -> None:
        self.fix = (lat, lon, accuracy, datetime.now(UTC))
        if self.map is not None:
            self.map.set_position(lat, lon, accuracy)
        self._show_way()
        if visible:
            self._look_up_address()

    def _show_way(self) -> None:
        if self.fix is None or self.ticket is None:
            self.way.setText("")
            return
        metres, bearing = way_to(self.position, self.ticket)  # type: ignore[arg-type]
        if not math.isfinite(metres):
            self.way.setText("")
        elif on_site(self.position, self.ticket):
            self.way.setText(tr("You are at the site ({distance})").format(distance=format_distance(metres)))
        else:
            self.way.setText(
                tr("The site is {distance} {direction} of you").format(
                    distance=format_distance(metres), direction=compass(bearing)
                )
            )

    def _look_up_address(self) -> None:
        """The address of where the device is (online; cached; coordinates when unknown)."""
        if self.fix is None or self._looking:
            return
        here = (self.fix[0], self.fix[1])
        if self._looked_up is not None and distance_m(here, self._looked_up) < LOOKUP_AFTER_M:
            return
        self._looking = True
        if not self.here.text():
            self.here.setText(tr("You are at {lat:.5f}, {lon:.5f}").format(lat=here[0], lon=here[1]))

        def work() -> Any:
            if self._geocoder is None:
                self._geocoder = mapsettings.geocoder(self.replica_path)
            return self._geocoder.reverse(*here)

        def done(place: Any) -> None:
            self._looking = False
            self._looked_up = here
            if place is not None:
                self.here.setText(tr("You are near {address}").format(address=place.address))
            else:
                self.here.setText(tr("You are at {lat:.5f}, {lon:.5f}").format(lat=here[0], lon=here[1]))

        def failed(exc: Exception) -> None:
            self._looking = False
            log.info("map: no address for the position: %s", exc)

        run_task(work, done, failed, network=True)

    def busy(self) -> bool:
        """The map is shown but its page is not ready yet."""
        return self.map is not None and self.isVisible() and not self.map.is_ready()

    def shutdown(self) -> None:
        if self.map is not None:
            self.map.shutdown()


class OnSiteBar(QFrame):
    """ "You are at the site — mark In progress?" when the device is within 50 m of the ticket."""

    start_work = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("onsite_bar")
        self.setProperty("role", "banner")
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the ticket screen keeps its place: nothing moves
        self.setSizePolicy(policy)
        self.label = QLabel(tr("You are at the site — mark it In progress?"))
        self.label.setAccessibleName(tr("On site"))
        self.label.setWordWrap(True)
        self.start_button = touch_button(tr("Start work"), tr("Mark the ticket In progress"), primary=True)
        self.start_button.setObjectName("onsite_start")
        self.later_button = touch_button(tr("Not now"))
        self.start_button.clicked.connect(self._start)
        self.later_button.clicked.connect(self._dismiss)
        row = QHBoxLayout(self)
        row.addWidget(self.label, 1)
        row.addWidget(self.start_button)
        row.addWidget(self.later_button)
        self._ticket: str | None = None
        self._dismissed: set[str] = set()
        self.hide()

    def check(self, ticket: dict[str, Any], role: str, position: tuple[float, float] | None) -> None:
        """Show the suggestion when on site and work can start; hide it otherwise."""
        self._ticket = ticket["id"]
        suggest = (
            position is not None
            and ticket["id"] not in self._dismissed
            and "in_progress" in next_steps(role, ticket["status"])
            and ticket["status"] != "on_hold"
            and on_site(position, ticket)
        )
        self.setVisible(bool(suggest))

    def _start(self) -> None:
        self.hide()
        self.start_work.emit()

    def _dismiss(self) -> None:
        if self._ticket is not None:
            self._dismissed.add(self._ticket)
        self.hide()
