"""Regenerate addresses.csv and streets.csv from an OpenStreetMap .osm.pbf extract.

One-off development tool, NOT a runtime dependency of the project: the case
server's ``seed-demo`` command only reads the CSVs committed next to this file.
It needs pyosmium, which is deliberately kept out of the project's
requirements; install it in a throwaway virtualenv outside the repo:

    python3 -m venv /tmp/osmvenv
    /tmp/osmvenv/bin/pip install osmium
    /tmp/osmvenv/bin/python resources/demo_city/extract_addresses.py \
        [resources/basemap/helsinki.osm.pbf] [--out-dir resources/demo_city]

Outputs (UTF-8, header row, sorted, deterministic):

* addresses.csv  ``street,housenumber,lat,lon``: one row per distinct
  (addr:street, addr:housenumber) from nodes and closed ways (building
  outlines, placed at the mean of their node coordinates); evenly
  down-sampled to at most MAX_ADDRESSES rows.
* streets.csv  ``street,highway,lat,lon``: one row per distinct named street,
  placed at the middle node of its longest way (most nodes).

Data © OpenStreetMap contributors, ODbL 1.0 (see LICENSE.md).
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

import osmium

HERE = Path(__file__).resolve().parent
DEFAULT_PBF = HERE.parent / "basemap" / "helsinki.osm.pbf"
MAX_ADDRESSES = 4000
STREET_HIGHWAYS = {
    "primary",
    "secondary",
    "tertiary",
    "residential",
    "living_street",
    "pedestrian",
    "unclassified",
    "service",
}

Point = tuple[float, float]  # (lat, lon)


def natural_key(text: str) -> list[tuple[int, int | str]]:
    """Sort key so that "2" < "10" < "10a" (case-insensitive)."""
    return [
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    ]


class Collector(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.addresses: dict[tuple[str, str], Point] = {}
        # street name -> (node count, way id, highway, middle point)
        self.streets: dict[str, tuple[int, int, str, Point]] = {}

    def _add_address(self, tags: osmium.osm.TagList, point: Point) -> None:
        street = tags.get("addr:street", "").strip()
        number = tags.get("addr:housenumber", "").strip()
        if street and number:
            self.addresses.setdefault((street, number), point)  # first wins

    def node(self, n: osmium.osm.Node) -> None:
        if "addr:street" in n.tags and n.location.valid():
            self._add_address(n.tags, (n.location.lat, n.location.lon))

    def way(self, w: osmium.osm.Way) -> None:
        points = [(nd.lat, nd.lon) for nd in w.nodes if nd.location.valid()]
        if not points:
            return
        if "addr:street" in w.tags and w.is_closed():
            ring = points[:-1] if len(points) > 1 and points[0] == points[-1] else points
            self._add_address(
                w.tags, (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
            )
        highway, name = w.tags.get("highway"), w.tags.get("name", "").strip()
        if highway in STREET_HIGHWAYS and name:
            candidate = (len(points), -w.id, highway, points[len(points) // 2])
            best = self.streets.get(name)
            if best is None or candidate[:2] > best[:2]:
                self.streets[name] = candidate


def even_sample(rows: list, limit: int) -> list:
    """Deterministic, evenly spread sample of at most ``limit`` rows."""
    if len(rows) <= limit:
        return rows
    return [rows[i * len(rows) // limit] for i in range(limit)]


def write_csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pbf", nargs="?", type=Path, default=DEFAULT_PBF)
    parser.add_argument("--out-dir", type=Path, default=HERE)
    args = parser.parse_args()

    collector = Collector()
    collector.apply_file(str(args.pbf), locations=True)

    addresses = sorted(
        (
            (street, number, f"{lat:.6f}", f"{lon:.6f}")
            for (street, number), (lat, lon) in collector.addresses.items()
        ),
        key=lambda r: (natural_key(r[0]), natural_key(r[1])),
    )
    addresses = even_sample(addresses, MAX_ADDRESSES)
    streets = sorted(
        (
            (name, highway, f"{lat:.6f}", f"{lon:.6f}")
            for name, (_, _, highway, (lat, lon)) in collector.streets.items()
        ),
        key=lambda r: natural_key(r[0]),
    )
    write_csv(args.out_dir / "addresses.csv", ["street", "housenumber", "lat", "lon"], addresses)
    write_csv(args.out_dir / "streets.csv", ["street", "highway", "lat", "lon"], streets)
    print(
        f"{len(collector.addresses)} distinct addresses ({len(addresses)} written), "
        f"{len(streets)} streets -> {args.out_dir}"
    )


if __name__ == "__main__":
    main()
