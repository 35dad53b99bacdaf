"""Build an offline raster basemap (an MBTiles file of PNG tiles) from an OpenStreetMap extract.

    python -m maps.basemap build resources/basemap/helsinki.osm.pbf out.mbtiles --zooms 12-17

The extract (.osm.pbf) is read with pyosmium (`osmium`); streets by class, railways,
buildings, water (water areas, waterways and the sea, closed from the coastline),
green and other land use are projected to Web Mercator once, then 256x256 PNG tiles
are rendered with Pillow (`maps.render`) by worker processes for every tile that
overlaps the area at each zoom, and written into an MBTiles 1.3 file (TMS rows) with
its metadata. The map data is © OpenStreetMap contributors (ODbL): that attribution
goes into the metadata, for the map's corner, not onto the tiles.

Extracts cut at a bounding box (osmium extract's "simple" strategy) have ways whose
outside nodes are missing: an area cut by the box is closed along the box's edge, and
the sea is the water side of the coastline within the box.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import osmium

from maps.render import (
    AREA_STYLES,
    LABEL_MINZOOM,
    LINE_STYLES,
    Feature,
    Ring,
    Scene,
    label_font_name,
    lonlat_to_world,
    place_labels,
    render_tile,
)
from maps.tiles import BBox, tiles_in_bbox

ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
BASEMAP_VERSION = "1.0.0"
DEFAULT_ZOOMS = range(12, 18)

Bounds = tuple[float, float, float, float]  # west, south, east, north (degrees)
LonLat = tuple[float, float]
Progress = Callable[[int, int], None]


# -- classification ------------------------------------------------------------------------

_HIGHWAY_CLASS = {
    "motorway": "motorway",
    "motorway_link": "motorway",
    "trunk": "trunk",
    "trunk_link": "trunk",
    "primary": "primary",
    "primary_link": "primary",
    "secondary": "secondary",
    "secondary_link": "secondary",
    "tertiary": "tertiary",
    "tertiary_link": "tertiary",
    "residential": "residential",
    "unclassified": "residential",
    "living_street": "residential",
    "road": "residential",
    "busway": "service",
    "service": "service",
    "pedestrian": "pedestrian",
    "footway": "path",
    "path": "path",
    "corridor": "path",
    "bridleway": "path",
    "trail": "path",
    "platform": "path",
    "cycleway": "cycleway",
    "steps": "steps",
    "track": "track",
}
_RAILWAY_CLASS = {"rail": "rail", "light_rail": "rail", "narrow_gauge": "rail", "tram": "tram"}
_WATERWAYS = {"river", "stream", "canal", "drain", "ditch", "brook"}

_LANDUSE_CLASS = {
    "residential": "residential",
    "commercial": "commercial",
    "retail": "commercial",
    "industrial": "industrial",
    "railway": "industrial",
    "construction": "industrial",
    "grass": "grass",
    "meadow": "grass",
    "village_green": "grass",
    "flowerbed": "grass",
    "recreation_ground": "park",
    "cemetery": "grass",
    "allotments": "grass",
    "forest": "forest",
    "basin": "water",
    "reservoir": "water",
    "pond": "water",
    "education": "institution",
    "religious": "institution",
}
_LEISURE_CLASS = {
    "park": "park",
    "garden": "park",
    "playground": "park",
    "dog_park": "park",
    "common": "park",
    "recreation_ground": "park",
    "pitch": "pitch",
    "sports_centre": "pitch",
    "stadium": "pitch",
    "track": "pitch",
}
_NATURAL_CLASS = {
    "water": "water",
    "bay": "water",
    "wood": "forest",
    "scrub": "scrub",
    "heath": "scrub",
    "grassland": "grass",
    "wetland": "grass",
    "beach": "sand",
    "sand": "sand",
}
_AMENITY_CLASS = {
    "parking": "parking",
    "university": "institution",
    "school": "institution",
    "college": "institution",
    "hospital": "institution",
    "kindergarten": "institution",
}


def area_class(tags: dict[str, str]) -> str | None:
    """The area class (a key of `AREA_STYLES`) of a closed way or multipolygon, or None."""
    if tags.get("building", "no") != "no" and tags.get("location") != "underground":
        return "building"
    if tags.get("building:part"):
        return None
    natural = tags.get("natural")
    if natural in _NATURAL_CLASS:
        return _NATURAL_CLASS[natural]
    if tags.get("waterway") in ("riverbank", "dock") or "water" in tags:
        return "water"
    if tags.get("leisure") in _LEISURE_CLASS:
        return _LEISURE_CLASS[tags["leisure"]]
    if tags.get("landuse") in _LANDUSE_CLASS:
        return _LANDUSE_CLASS[tags["landuse"]]
    if tags.get("amenity") in _AMENITY_CLASS:
        return _AMENITY_CLASS[tags["amenity"]]
    if tags.get("highway") in ("pedestrian", "footway") and tags.get("area") == "yes":
        return "pedestrian"
    if tags.get("place") == "square" or tags.get("area:highway") == "pedestrian":
        return "pedestrian"
    return None


def line_class(tags: dict[str, str]) -> str | None:
    """The line class (a key of `LINE_STYLES`) of a way, or None."""
    if tags.get("area") == "yes":
        return None
    if tags.get("tunnel") == "yes":  # underground: not part of the street surface
        return None
    highway = tags.get("highway")
    if highway in _HIGHWAY_CLASS:
        return _HIGHWAY_CLASS[highway]
    railway = tags.get("railway")
    if railway in _RAILWAY_CLASS:
        if railway == "rail" and tags.get("service") in ("yard", "siding", "spur", "crossover"):
            return "rail_service"
        return _RAILWAY_CLASS[railway]
    if tags.get("waterway") in _WATERWAYS:
        return "waterway"
    return None


# -- reading the extract -------------------------------------------------------------------


@dataclass
class _Node:
    id: int
    lonlat: LonLat | None  # None: outside the extract


def _runs(nodes: Sequence[_Node]) -> list[list[_Node]]:
    """Maximal runs of consecutive nodes that have a location."""
    runs: list[list[_Node]] = []
    current: list[_Node] = []
    for n in nodes:
        if n.lonlat is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(n)
    if current:
        runs.append(current)
    return runs


class _Perimeter:
    """Positions along the edge of the data bounds, clockwise from the north-west corner."""

    def __init__(self, bounds: Bounds) -> None:
        self.w, self.s, self.e, self.n = bounds
        self.width = self.e - self.w
        self.height = self.n - self.s
        self.length = 2 * (self.width + self.height)
        # corners at their positions: NW=0, NE, SE, SW
        self.corners = [
            (0.0, (self.w, self.n)),
            (self.width, (self.e, self.n)),
            (self.width + self.height, (self.e, self.s)),
            (2 * self.width + self.height, (self.w, self.s)),
        ]

    def snap(self, p: LonLat) -> tuple[float, LonLat]:
        """The nearest point on the edge, and its position along the edge."""
        lon = min(max(p[0], self.w), self.e)
        lat = min(max(p[1], self.s), self.n)
        dist = {"n": self.n - lat, "e": self.e - lon, "s": lat - self.s, "w": lon - self.w}
        side = min(dist, key=dist.__getitem__)
        if side == "n":
            return lon - self.w, (lon, self.n)
        if side == "e":
            return self.width + (self.n - lat), (self.e, lat)
        if side == "s":
            return self.width + self.height + (self.e - lon), (lon, self.s)
        return 2 * self.width + self.height + (lat - self.s), (self.w, lat)

    def walk(self, t0: float, t1: float, clockwise: bool) -> list[LonLat]:
        """The corners passed going from position t0 to t1 (clockwise or not)."""
        L = self.length
        if clockwise:
            span = (t1 - t0) % L
            passed = sorted(((c - t0) % L, p) for c, p in self.corners if 0 < (c - t0) % L < span)
        else:
            span = (t0 - t1) % L
            passed = sorted(((t0 - c) % L, p) for c, p in self.corners if 0 < (t0 - c) % L < span)
        return [p for _, p in passed]

    def close_gap(self, a: LonLat, b: LonLat) -> list[LonLat]:
        """Points from `a` (leaving the bounds) to `b` (coming back) along the shorter way round."""
        ta, pa = self.snap(a)
        tb, pb = self.snap(b)
        cw = (tb - ta) % self.length
        return [pa, *self.walk(ta, tb, clockwise=cw <= self.length / 2), pb]


def _closed_ring(nodes: Sequence[_Node], perimeter: _Perimeter) -> list[LonLat] | None:
    """A closed way as a ring; parts outside the extract follow the edge of the bounds."""
    ring = list(nodes[:-1]) if len(nodes) > 1 and nodes[0].id == nodes[-1].id else list(nodes)
    if all(n.lonlat is not None for n in ring):
        return [n.lonlat for n in ring if n.lonlat is not None] if len(ring) >= 3 else None
    # rotate so the ring starts at a located node right after a missing one
    start = next(
        (i for i in range(len(ring)) if ring[i].lonlat is not None and ring[i - 1].lonlat is None), None
    )
    if start is None:
        return None
    ring = ring[start:] + ring[:start]
    out: list[LonLat] = []
    runs = _runs(ring)
    for i, run in enumerate(runs):
        out.extend(n.lonlat for n in run if n.lonlat is not None)
        nxt = runs[(i + 1) % len(runs)]
        assert run[-1].lonlat is not None and nxt[0].lonlat is not None
        out.extend(perimeter.close_gap(run[-1].lonlat, nxt[0].lonlat))
    return out if len(out) >= 3 else None


def _signed_area(ring: Sequence[LonLat]) -> float:
    return 0.5 * sum(ax * by - bx * ay for (ax, ay), (bx, by) in zip(ring, [*ring[1:], ring[0]], strict=True))


def _sea_polygons(
    pieces: list[list[_Node]], perimeter: _Perimeter
) -> tuple[list[list[LonLat]], list[list[LonLat]]]:
    """Sea and island rings from coastline pieces (land on the left, sea on the right).

    A piece crossing the bounds is followed from where it enters to where it leaves;
    the sea is then closed clockwise along the edge of the bounds to where the next
    piece enters, and so on round. Closed pieces inside are islands (anticlockwise).
    """
    # join pieces end to start (coastline ways share their end nodes)
    by_start = {p[0].id: i for i, p in enumerate(pieces)}
    succ = {}
    for i, p in enumerate(pieces):
        j = by_start.get(p[-1].id)
        if j is not None and j != i:
            succ[i] = j
    followers = set(succ.values())
    heads = [i for i in range(len(pieces)) if i not in followers]
    joined: list[list[_Node]] = []
    used: set[int] = set()
    for i in [*heads, *range(len(pieces))]:  # heads first, then what is left: loops
        if i in used:
            continue
        chain = list(pieces[i])
        used.add(i)
        j = succ.get(i)
        while j is not None and j not in used:
            chain.extend(pieces[j][1:])
            used.add(j)
            j = succ.get(j)
        joined.append(chain)

    islands, lakes, open_pieces = [], [], []
    for chain in joined:
        coords = [n.lonlat for n in chain if n.lonlat is not None]
        if len(coords) < 2:
            continue
        if chain[0].id == chain[-1].id and len(coords) >= 4:
            (islands if _signed_area(coords) > 0 else lakes).append(coords[:-1])
        else:
            t0, p0 = perimeter.snap(coords[0])
            t1, p1 = perimeter.snap(coords[-1])
            open_pieces.append((t0, t1, [p0, *coords, p1]))

    seas: list[list[LonLat]] = list(lakes)
    done: set[int] = set()
    L = perimeter.length
    for first in range(len(open_pieces)):
        if first in done:
            continue
        ring: list[LonLat] = []
        cur = first
        for _ in range(len(open_pieces) + 1):
            done.add(cur)
            _t0, t_end, coords = open_pieces[cur]
            ring.extend(coords)
            candidates = [i for i in range(len(open_pieces)) if i == first or i not in done]
            nxt = min(candidates, key=lambda i: (open_pieces[i][0] - t_end) % L)
            ring.extend(perimeter.walk(t_end, open_pieces[nxt][0], clockwise=True))
            if nxt == first:
                break
            cur = nxt
        if len(ring) >= 3:
            seas.append(ring)
    return seas, islands


class _Reader:
    """Collects the drawable features of an extract in lon/lat."""

    def __init__(self, bounds: Bounds) -> None:
        self.perimeter = _Perimeter(bounds)
        self.areas: dict[str, list[tuple[list[list[LonLat]], list[list[LonLat]]]]] = {
            k: [] for k in AREA_STYLES
        }
        self.lines: dict[str, list[list[LonLat]]] = {k: [] for k in LINE_STYLES}
        self.coast: list[list[_Node]] = []
        self.names: list[tuple[str, str, list[LonLat]]] = []

    def way(self, w: osmium.osm.Way) -> None:
        tags = dict(w.tags)
        if not tags:
            return
        nodes = [_Node(n.ref, (n.lon, n.lat) if n.location.valid() else None) for n in w.nodes]
        if tags.get("natural") == "coastline":
            self.coast.extend(_runs(nodes))
            return
        closed = len(nodes) >= 4 and nodes[0].id == nodes[-1].id
        if closed:
            cls = area_class(tags)
            if cls is not None:
                ring = _closed_ring(nodes, self.perimeter)
                if ring:
                    self.areas[cls].append(([ring], []))
                if not ({"highway", "railway", "waterway"} & tags.keys()):
                    return
        lcls = line_class(tags)
        if lcls is not None:
            name = tags.get("name")
            for run in _runs(nodes):
                if len(run) >= 2:
                    coords = [n.lonlat for n in run if n.lonlat is not None]
                    self.lines[lcls].append(coords)
                    if name and lcls in LABEL_MINZOOM:
                        self.names.append((lcls, name, coords))

    def area(self, a: osmium.osm.Area) -> None:
        if a.from_way():  # closed ways are handled (with their cut edges) in way()
            return
        cls = area_class(dict(a.tags))
        if cls is None:
            return
        outers: list[list[LonLat]] = []
        inners: list[list[LonLat]] = []
        for outer in a.outer_rings():
            outers.append([(n.lon, n.lat) for n in outer])
            inners.extend([(n.lon, n.lat) for n in inner] for inner in a.inner_rings(outer))
        if outers:
            self.areas[cls].append((outers, inners))

    def finish(self) -> None:
        seas, islands = _sea_polygons(self.coast, self.perimeter)
        self.areas["water"].extend(([r], []) for r in seas)
        self.areas["land"].extend(([r], []) for r in islands)


def _data_bounds(pbf_path: Path) -> Bounds:
    """The extract's bounding box from its header, or from its nodes if the header has none."""
    reader = osmium.io.Reader(str(pbf_path), osmium.osm.osm_entity_bits.NOTHING)
    try:
        box = reader.header().box()
    finally:
        reader.close()
    if box.valid():
        return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
    w = s = math.inf
    e = n = -math.inf
    for node in osmium.FileProcessor(str(pbf_path), osmium.osm.NODE):
        if node.location.valid():
            w, e = min(w, node.lon), max(e, node.lon)
            s, n = min(s, node.lat), max(n, node.lat)
    if w > e:
        raise ValueError(f"{pbf_path}: the extract has no nodes")
    return (w, s, e, n)


def read_scene(pbf_path: str | os.PathLike[str]) -> Scene:
    """Read an .osm.pbf extract into a render `Scene` (features in world coordinates)."""
    path = Path(pbf_path)
    if not path.is_file():
        raise FileNotFoundError(f"no such extract: {path}")
    bounds = _data_bounds(path)
    reader = _Reader(bounds)
    fp = osmium.FileProcessor(str(path)).with_locations().with_areas()
    for obj in fp:
        if obj.is_way():
            reader.way(obj)
        elif obj.is_area():
            reader.area(obj)
    reader.finish()

    def project(ring: Iterable[LonLat]) -> Ring:
        return [lonlat_to_world(lon, lat) for lon, lat in ring]

    areas = {
        cls: [
            Feature(cls, [project(r) for r in outers], [project(r) for r in inners])
            for outers, inners in items
        ]
        for cls, items in reader.areas.items()
    }
    lines = {cls: [Feature(cls, [project(r)]) for r in items] for cls, items in reader.lines.items()}
    names = [(cls, name, project(r)) for cls, name, r in reader.names]
    return Scene(areas=areas, lines=lines, data_bounds=bounds, names=names)


# -- MBTiles writer ------------------------------------------------------------------------


class _MBTilesWriter:
    """Writes a plain MBTiles 1.3 file: `metadata`, and `tiles` with TMS rows.

    Not `maps.mbtiles.MBTiles`, which is the device's cache: it keeps WAL mode and
    bookkeeping tables. A basemap is a package to ship and serve read-only, so it is
    one self-contained file in rollback-journal mode that opens with `mode=ro` even in
    a read-only folder; `MBTiles(path, readonly=True)` reads it like any other.
    """

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path)
        self.conn.executescript(
            """
            PRAGMA application_id = 0x4d504258;
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
            CREATE UNIQUE INDEX metadata_name ON metadata (name);
            CREATE TABLE tiles (
                zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL,
                tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL
            );
            CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
            """
        )

    def put_tiles(self, tiles: Iterable[tuple[int, int, int, bytes]]) -> None:
        """Store XYZ tiles (the row is flipped to TMS)."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)",
            ((z, x, (1 << z) - 1 - y, sqlite3.Binary(data)) for z, x, y, data in tiles),
        )

    def set_metadata(self, values: dict[str, str]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO metadata VALUES (?, ?)", list(values.items()))

    def close(self) -> None:
        self.conn.commit()
        self.conn.execute("VACUUM")
        self.conn.close()


# -- building ------------------------------------------------------------------------------


@dataclass
class BasemapStats:
    tiles: int
    tiles_by_zoom: dict[int, int]
    bytes: int
    seconds: float
    read_seconds: float
    render_seconds: float
    bounds: Bounds
    zooms: list[int]
    features: dict[str, int] = field(default_factory=dict)
    labels: int = 0
    label_font: str = ""

    def summary(self) -> str:
        per_zoom = ", ".join(f"z{z}: {n}" for z, n in sorted(self.tiles_by_zoom.items()))
        return (
            f"{self.tiles} tiles ({per_zoom}), {self.bytes / 1e6:.1f} MB, {self.seconds:.1f} s "
            f"(read {self.read_seconds:.1f} s, render {self.render_seconds:.1f} s), "
            f"{self.labels} street labels" + (f" in {self.label_font}" if self.label_font else "")
        )


_scene: Scene | None = None


def _init_worker(scene: Scene) -> None:
    global _scene
    _scene = scene


def _render_batch(batch: list[tuple[int, int, int]]) -> list[tuple[int, int, int, bytes]]:
    assert _scene is not None
    return [(z, x, y, render_tile(_scene, z, x, y)) for z, x, y in batch]


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _clip(a: Bounds, b: Bounds) -> Bounds:
    w, s, e, n = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    if w >= e or s >= n:
        raise ValueError(f"bounds {a} do not overlap the extract's bounds {b}")
    return (w, s, e, n)


def build_basemap(
    pbf_path: str | os.PathLike[str],
    out_mbtiles: str | os.PathLike[str],
    bounds: Sequence[float] | None = None,
    zooms: Iterable[int] = DEFAULT_ZOOMS,
    workers: int = 2,
    progress: Progress | None = None,
    name: str | None = None,
    labels: bool = True,
) -> BasemapStats:
    """Render every tile overlapping `bounds` (default: the extract's) at `zooms` into an MBTiles.

    `bounds` is (west, south, east, north) in degrees and is clipped to the extract's.
    `progress(done, total)` is called as tiles are written. The file is written next to
    `out_mbtiles` and moved into place at the end, so a failed build leaves no half file.
    """
    started = time.perf_counter()
    out = Path(out_mbtiles)
    zoom_list = sorted(set(zooms))
    if not zoom_list or zoom_list[0] < 0 or zoom_list[-1] > 22:
        raise ValueError(f"zooms must be within 0..22, got {zoom_list}")
    scene = read_scene(pbf_path)
    assert scene.data_bounds is not None
    area = scene.data_bounds if bounds is None else _clip(tuple(bounds), scene.data_bounds)  # type: ignore[arg-type]
    if labels:
        place_labels(scene, zoom_list)
    read_seconds = time.perf_counter() - started

    jobs = [tuple(t) for z in zoom_list for t in tiles_in_bbox(BBox(*area), z)]
    total = len(jobs)
    batches = [jobs[i : i + 4] for i in range(0, total, 4)]
    by_zoom: dict[int, int] = {}

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    writer = _MBTilesWriter(tmp)
    render_started = time.perf_counter()
    try:
        done = 0

        def store(results: list[tuple[int, int, int, bytes]]) -> None:
            nonlocal done
            writer.put_tiles(results)
            for z, _x, _y, _data in results:
                by_zoom[z] = by_zoom.get(z, 0) + 1
            done += len(results)
            if progress:
                progress(done, total)

        if workers <= 1 or total <= 8:
            _init_worker(scene)
            for batch in batches:
                store(_render_batch(batch))
        else:
            # fork shares the scene without pickling; only safe while no other thread runs
            method = "fork" if _can_fork() else "spawn"
            ctx = multiprocessing.get_context(method)
            with ProcessPoolExecutor(
                workers, mp_context=ctx, initializer=_init_worker, initargs=(scene,)
            ) as pool:
                for results in pool.map(_render_batch, batches):
                    store(results)
        render_seconds = time.perf_counter() - render_started

        west, south, east, north = area
        center_zoom = min(max(zoom_list[0], 15), zoom_list[-1])
        writer.set_metadata(
            {
                "name": name or out.stem,
                "format": "png",
                "type": "baselayer",
                "version": BASEMAP_VERSION,
                "description": (
                    f"Street basemap rendered from the OpenStreetMap extract {Path(pbf_path).name} "
                    f"(zoom {zoom_list[0]}-{zoom_list[-1]})"
                ),
                "attribution": ATTRIBUTION,
                "bounds": f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}",
                "center": f"{(west + east) / 2:.6f},{(south + north) / 2:.6f},{center_zoom}",
                "minzoom": str(zoom_list[0]),
                "maxzoom": str(zoom_list[-1]),
            }
        )
        writer.close()
        os.replace(tmp, out)
    except BaseException:
        writer.conn.close()
        tmp.unlink(missing_ok=True)
        raise
    return BasemapStats(
        tiles=total,
        tiles_by_zoom=by_zoom,
        bytes=out.stat().st_size,
        seconds=time.perf_counter() - started,
        read_seconds=read_seconds,
        render_seconds=render_seconds,
        bounds=area,
        zooms=zoom_list,
        features=scene.counts(),
        labels=len({lab for tile in scene.labels.values() for lab in tile}),
        label_font=label_font_name() if labels else "",
    )


# -- command line --------------------------------------------------------------------------


def _zoom_range(text: str) -> range:
    lo, _, hi = text.partition("-")
    try:
        a, b = int(lo), int(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"zooms look like 12-17 or 15, not {text!r}") from None
    if not 0 <= a <= b <= 22:
        raise argparse.ArgumentTypeError(f"zooms must be within 0..22 and ascending, not {text!r}")
    return range(a, b + 1)


def _bounds(text: str) -> Bounds:
    try:
        w, s, e, n = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bounds look like WEST,SOUTH,EAST,NORTH, not {text!r}") from None
    if not (w < e and s < n):
        raise argparse.ArgumentTypeError(f"bounds need west < east and south < north: {text!r}")
    return (w, s, e, n)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m maps.basemap", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="render an .osm.pbf extract into an MBTiles basemap")
    b.add_argument("pbf", type=Path, help="the OpenStreetMap extract (.osm.pbf)")
    b.add_argument("out", type=Path, help="the MBTiles file to write (replaced if it exists)")
    b.add_argument("--zooms", type=_zoom_range, default=DEFAULT_ZOOMS, help="zoom levels, e.g. 12-17")
    b.add_argument("--bounds", type=_bounds, help="WEST,SOUTH,EAST,NORTH (default: the extract's)")
    b.add_argument("--workers", type=int, default=2, help="rendering processes (default 2)")
    b.add_argument("--name", help="tileset name in the metadata (default: the file's stem)")
    b.add_argument("--quiet", action="store_true", help="no progress output")
    args = parser.parse_args(argv)

    def show(done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            print(f"\r{done}/{total} tiles", end="" if done < total else "\n", file=sys.stderr, flush=True)

    try:
        stats = build_basemap(
            args.pbf,
            args.out,
            bounds=args.bounds,
            zooms=args.zooms,
            workers=max(1, args.workers),
            progress=None if args.quiet else show,
            name=args.name,
        )
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out}: {stats.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
