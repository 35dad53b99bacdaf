"""Web Mercator tile math (XYZ "slippy map" numbering), pure functions.

Points are ``(lat, lon)`` pairs in WGS 84 degrees, like ``maps.geo.Position``
and the tickets' ``lat``/``lon``; functions taking or returning loose numbers say
their order in their names (``lonlat_to_tile``). A ``BBox`` is ``(west, south,
east, north)``: the order MBTiles uses for ``bounds`` ("left,bottom,right,top").
Areas that cross the antimeridian are not supported (a city never does).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import NamedTuple

#: Latitude limit of the Web Mercator square (atan(sinh(pi))).
MAX_LAT = 85.0511287798066
#: WGS 84 semi-major axis, the sphere Web Mercator projects on.
EARTH_RADIUS_M = 6378137.0
MAX_ZOOM = 30

#: A point as (latitude, longitude) in degrees.
LatLon = tuple[float, float]


class Tile(NamedTuple):
    """A tile in XYZ numbering: y = 0 is the northmost row."""

    z: int
    x: int
    y: int


class BBox(NamedTuple):
    """A lon/lat rectangle: west, south, east, north (MBTiles' left, bottom, right, top)."""

    west: float
    south: float
    east: float
    north: float

    def union(self, other: BBox) -> BBox:
        """The smallest box holding both."""
        return BBox(
            min(self.west, other.west),
            min(self.south, other.south),
            max(self.east, other.east),
            max(self.north, other.north),
        )

    def as_metadata(self) -> str:
        """The MBTiles ``bounds`` value: "left,bottom,right,top"."""
        return ",".join(f"{v:.6f}" for v in self)


def _check_zoom(z: int) -> None:
    if not 0 <= z <= MAX_ZOOM:
        raise ValueError(f"zoom {z} is outside 0..{MAX_ZOOM}")


def flip_y(z: int, y: int) -> int:
    """XYZ row <-> TMS row (MBTiles ``tile_row``): 2^z - 1 - y; its own inverse."""
    return (1 << z) - 1 - y


def lonlat_to_tile(lon: float, lat: float, z: int) -> Tile:
    """The tile at zoom ``z`` holding the point; points on the edge of the world are clamped."""
    _check_zoom(z)
    n = 1 << z
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    fx = (lon + 180.0) / 360.0 * n
    rad = math.radians(lat)
    fy = (1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n
    x = min(n - 1, max(0, math.floor(fx)))
    y = min(n - 1, max(0, math.floor(fy)))
    return Tile(z, x, y)


def tile_to_lonlat(z: int, x: float, y: float) -> tuple[float, float]:
    """The (lon, lat) of a tile corner; (x, y) is its north-west corner, (x + 1, y + 1) the south-east."""
    _check_zoom(z)
    n = 1 << z
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / n))))
    return lon, lat


def tile_bounds(z: int, x: int, y: int) -> BBox:
    """The lon/lat rectangle a tile covers."""
    west, north = tile_to_lonlat(z, x, y)
    east, south = tile_to_lonlat(z, x + 1, y + 1)
    return BBox(west, south, east, north)


def tile_range(bbox: BBox, z: int) -> tuple[int, int, int, int]:
    """(x_min, y_min, x_max, y_max), inclusive, of the tiles covering ``bbox`` at zoom ``z``."""
    if bbox.west > bbox.east or bbox.south > bbox.north:
        raise ValueError(f"not a west-south-east-north box: {tuple(bbox)}")
    nw = lonlat_to_tile(bbox.west, bbox.north, z)
    se = lonlat_to_tile(bbox.east, bbox.south, z)
    return nw.x, nw.y, se.x, se.y


def count_tiles(bbox: BBox, z: int) -> int:
    """How many tiles cover ``bbox`` at zoom ``z`` (without listing them)."""
    x0, y0, x1, y1 = tile_range(bbox, z)
    return (x1 - x0 + 1) * (y1 - y0 + 1)


def tiles_in_bbox(bbox: BBox, z: int) -> Iterator[Tile]:
    """The tiles covering ``bbox`` at zoom ``z``, column by column."""
    x0, y0, x1, y1 = tile_range(bbox, z)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            yield Tile(z, x, y)


def bbox_around(points: Iterable[LatLon], margin_m: float) -> BBox:
    """The box holding every (lat, lon) point, grown by ``margin_m`` metres on each side.

    The east-west margin is computed at the latitude farthest from the equator, so
    the margin is at least ``margin_m`` everywhere in the box.
    """
    pts = list(points)
    if not pts:
        raise ValueError("no points")
    if margin_m < 0:
        raise ValueError("the margin must not be negative")
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    south, north = min(lats), max(lats)
    dlat = math.degrees(margin_m / EARTH_RADIUS_M)
    south = max(-MAX_LAT, south - dlat)
    north = min(MAX_LAT, north + dlat)
    widest = math.cos(math.radians(max(abs(south), abs(north))))
    dlon = math.degrees(margin_m / (EARTH_RADIUS_M * max(widest, 1e-9)))
    west = max(-180.0, min(lons) - dlon)
    east = min(180.0, max(lons) + dlon)
    return BBox(west, south, east, north)


def tiles_around_points(points: Iterable[LatLon], margin_m: float, z: int) -> set[Tile]:
    """The tiles within ``margin_m`` of any point at zoom ``z``: one box per point, merged.

    Scattered tickets thus cost the tiles around each of them, not the whole box
    spanning them all.
    """
    out: set[Tile] = set()
    for point in points:
        out.update(tiles_in_bbox(bbox_around([point], margin_m), z))
    return out
