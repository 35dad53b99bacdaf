"""Dispatch suggestions: for a ticket, the crews in order, each with its reasons.

Deterministic and explainable, no learned model. Crews that handle the ticket's service (a
crew's service list, set on the server; an empty list handles every service) come before
those that do not. Among them a crew ranks by a cost in kilometres: the straight-line distance
from the ticket to the crew's nearest open ticket (where the crew is working), plus
`KM_PER_HOUR` for every hour of work already queued for it (estimated per priority). A crew
with no open ticket is measured from its last reported position (crews that share it); with
neither, its distance counts as `NO_WORK_KM`. Ties go to the
crew code, so the same replica always gives the same order.

Distances are equirectangular (exact to well under 1 % across a city). The best `limit` crews
are found exactly without measuring every crew: a crew whose nearest possible distance (to
the box round its tickets) already costs more than the last of the best is skipped.
Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: Estimated hours of work of an open ticket, by priority (1 most urgent).
HOURS_BY_PRIORITY: dict[int, float] = {1: 4.0, 2: 3.0, 3: 2.0, 4: 1.5, 5: 1.0}
#: One hour of queued work weighs as much as this much more driving.
KM_PER_HOUR = 1.0
#: The distance counted for a crew with no open ticket (it could start anywhere).
NO_WORK_KM = 5.0
#: Kilometres per degree of latitude.
_KM_PER_DEG = 111.195


@dataclass
class CrewWork:
    """One crew's open tickets: their places, the box round them, and the hours they hold."""

    crew: str
    places: list[tuple[float, float]] = field(default_factory=list)
    hours: float = 0.0
    #: Service codes the crew handles; empty: every service.
    services: frozenset[str] = frozenset()
    #: The crew's last reported position, used while it has no open ticket.
    position: tuple[float, float] | None = None
    _box: list[float] = field(default_factory=list)

    def handles(self, service: str | None) -> bool:
        return service is None or not self.services or service in self.services

    def add(self, lat: float, lon: float, priority: int) -> None:
        self.places.append((lat, lon))
        self.hours += HOURS_BY_PRIORITY.get(priority, 2.0)
        box = self._box
        if not box:
            box.extend((lat, lat, lon, lon))
        else:
            box[:] = [min(box[0], lat), max(box[1], lat), min(box[2], lon), max(box[3], lon)]

    def box_km(self, lat: float, lon: float, scale: float) -> float:
        """The least distance any of the crew's tickets can be (0 inside the box)."""
        low_lat, high_lat, low_lon, high_lon = self._box
        dlat = max(0.0, low_lat - lat, lat - high_lat)
        dlon = max(0.0, low_lon - lon, lon - high_lon) * scale
        return math.hypot(dlat, dlon) * _KM_PER_DEG

    def nearest_km(self, lat: float, lon: float, scale: float) -> float:
        """Distance to the nearest open ticket; `scale` is cos(latitude)."""
        best = min((a - lat) ** 2 + ((b - lon) * scale) ** 2 for a, b in self.places)
        return math.sqrt(best) * _KM_PER_DEG


def _start_km(work: CrewWork, lat: float, lon: float, scale: float) -> float:
    """Where a crew without open tickets starts from: its last position, or `NO_WORK_KM`."""
    if work.position is None:
        return NO_WORK_KM
    a, b = work.position
    return math.sqrt((a - lat) ** 2 + ((b - lon) * scale) ** 2) * _KM_PER_DEG


@dataclass(frozen=True)
class Suggestion:
    """A crew for a ticket, and why: the numbers a person reads as the reason."""

    crew: str
    cost_km: float
    #: Distance to the crew's nearest open ticket; None when it has none.
    distance_km: float | None
    open_tickets: int
    hours: float
    #: Whether the crew handles the ticket's service.
    handles: bool = True
    #: Whether the distance is from the crew's last reported position (it has no open ticket).
    from_position: bool = False


def crew_work(
    crews: Iterable[str],
    open_tickets: Iterable[tuple[str | None, float, float, int]],
    services: Mapping[str, Iterable[str]] | None = None,
    positions: Mapping[str, tuple[float, float]] | None = None,
) -> list[CrewWork]:
    """Each crew's work from (crew, lat, lon, priority) of the open tickets; `services` are
    the service lists by crew code (a crew left out handles every service), `positions` the
    crews' last reported positions."""
    services, positions = services or {}, positions or {}
    work = {
        crew: CrewWork(crew, services=frozenset(services.get(crew, ())), position=positions.get(crew))
        for crew in crews
    }
    for crew, lat, lon, priority in open_tickets:
        if crew in work:
            work[crew].add(lat, lon, priority)
    return [work[crew] for crew in sorted(work)]


def suggest(
    lat: float, lon: float, crews: Sequence[CrewWork], limit: int = 3, service: str | None = None
) -> list[Suggestion]:
    """The best `limit` crews for a ticket of `service` at (lat, lon), best first."""
    scale = math.cos(math.radians(lat))
    bounds = []
    for work in crews:
        low = work.box_km(lat, lon, scale) if work.places else _start_km(work, lat, lon, scale)
        bounds.append((not work.handles(service), low + KM_PER_HOUR * work.hours, work.crew, work))
    bounds.sort(key=lambda b: b[:3])
    best: list[Suggestion] = []
    for misses, bound, _, work in bounds:
        if len(best) >= limit and (misses, bound) > (not best[-1].handles, best[-1].cost_km):
            break  # this crew, and every one after it, ranks after the last of the best
        if work.places:
            distance: float | None = work.nearest_km(lat, lon, scale)
        elif work.position is not None:
            distance = _start_km(work, lat, lon, scale)
        else:
            distance = None
        cost = (NO_WORK_KM if distance is None else distance) + KM_PER_HOUR * work.hours
        best.append(
            Suggestion(
                crew=work.crew,
                cost_km=round(cost, 3),
                distance_km=None if distance is None else round(distance, 3),
                open_tickets=len(work.places),
                hours=work.hours,
                handles=not misses,
                from_position=not work.places and work.position is not None,
            )
        )
        best.sort(key=lambda s: (not s.handles, s.cost_km, s.crew))
        del best[limit:]
    return best
