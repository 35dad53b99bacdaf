"""Distances and bearings on the WGS 84 ellipsoid, for a crew's way to its tickets (no Qt).

Positions are ``(lat, lon)`` pairs in degrees; tickets are rows with ``lat`` and
``lon`` keys (the replica's light rows). Distances are geodesic (geopy, which uses
Karney's geographiclib): exact to the millimetre, which matters for the 50 m
"on site" test and not at all for sorting a day's list. For sorting tens of
thousands of rows on the GUI thread, ``fieldapp.ticketmodel`` keeps its cheaper
haversine.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from geographiclib.geodesic import Geodesic
from geopy.distance import geodesic

Position = tuple[float, float]
#: A ticket within this distance of the position counts as reached.
ON_SITE_RADIUS_M = 50.0
_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def _point(where: Position | Mapping[str, Any]) -> Position | None:
    """(lat, lon) of a position or a ticket row; None if it has no usable location."""
    if isinstance(where, Mapping):
        lat, lon = where.get("lat"), where.get("lon")
    else:
        lat, lon = where
    if lat is None or lon is None:
        return None
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def distance_m(a: Position | Mapping[str, Any], b: Position | Mapping[str, Any]) -> float:
    """Geodesic distance in metres between two positions or ticket rows (inf if one has no location)."""
    p, q = _point(a), _point(b)
    if p is None or q is None:
        return math.inf
    return float(geodesic(p, q).meters)


def bearing_deg(a: Position | Mapping[str, Any], b: Position | Mapping[str, Any]) -> float | None:
    """Initial bearing from ``a`` to ``b`` in degrees clockwise from true north, 0 ≤ bearing < 360."""
    p, q = _point(a), _point(b)
    if p is None or q is None or p == q:
        return None
    azimuth = Geodesic.WGS84.Inverse(p[0], p[1], q[0], q[1], Geodesic.AZIMUTH)["azi1"]
    return float(azimuth) % 360.0


def compass(bearing: float | None) -> str:
    """The eight-point compass word for a bearing ("NE"), or "" when there is none."""
    if bearing is None:
        return ""
    return _COMPASS[round(bearing / 45.0) % 8]


def way_to(position: Position, ticket: Mapping[str, Any]) -> tuple[float, float | None]:
    """(distance in metres, bearing in degrees) from the position to the ticket."""
    return distance_m(position, ticket), bearing_deg(position, ticket)


def nearest_first(rows: Iterable[Mapping[str, Any]], position: Position | None) -> list[Mapping[str, Any]]:
    """The rows sorted by distance from ``position``, nearest first; rows without a location last.

    The sort is stable (equal distances keep their order) and the rows are not
    changed. With no position the rows come back in their own order.
    """
    rows = list(rows)
    if position is None or _point(position) is None:
        return rows
    return sorted(rows, key=lambda row: distance_m(position, row))


def on_site(position: Position | None, ticket: Mapping[str, Any], radius_m: float = ON_SITE_RADIUS_M) -> bool:
    """True when the position is within ``radius_m`` of the ticket's location."""
    if position is None:
        return False
    return distance_m(position, ticket) <= radius_m


def format_distance(metres: float) -> str:
    """Short words for a distance: "40 m", "850 m", "1.2 km", "" when unknown."""
    if not math.isfinite(metres):
        return ""
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} m" if metres >= 100 else f"{metres:.0f} m"
    return f"{metres / 1000:.1f} km"
