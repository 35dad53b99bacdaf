"""The basemap builder: a small real build from the demo extract, checked as MBTiles and as pictures."""

from __future__ import annotations

import io
import math
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from maps.basemap import ATTRIBUTION, _closed_ring, _Node, _Perimeter, _sea_polygons, build_basemap
from maps.mbtiles import MBTiles
from maps.render import COLORS

REPO = Path(__file__).resolve().parents[1]
PBF = REPO / "resources" / "basemap" / "helsinki.osm.pbf"

# A small box of the extract: Mannerheimintie to Senate Square, the Esplanadi in between.
BOUNDS = (24.9370, 60.1668, 24.9530, 60.1708)
ZOOMS = (14, 15, 16)
MANNERHEIMINTIE = (60.1699, 24.9384)  # a primary street
CATHEDRAL = (60.1704, 24.9522)  # Helsinki Cathedral, on Senate Square: a building
ESPLANADI = (60.1675, 24.9480)  # Esplanadi park: green


def _xyz(lat: float, lon: float, z: int) -> tuple[float, float]:
    """Fractional XYZ tile coordinates, computed here independently of maps.render."""
    n = 2**z
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return x, y


@pytest.fixture(scope="module")
def basemap(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("basemap") / "demo.mbtiles"
    calls: list[tuple[int, int]] = []
    stats = build_basemap(
        PBF, out, bounds=BOUNDS, zooms=ZOOMS, workers=2, progress=lambda d, t: calls.append((d, t))
    )
    assert calls and calls[-1][0] == calls[-1][1] == stats.tiles
    return out, stats


def _tile(path: Path, z: int, x: int, y: int) -> Image.Image:
    with sqlite3.connect(path) as conn:
        row = conn.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
            (z, x, 2**z - 1 - y),
        ).fetchone()
    assert row is not None, f"no tile {z}/{x}/{y}"
    return Image.open(io.BytesIO(row[0]))


def _hex(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _count_near(path: Path, lat: float, lon: float, z: int, color: str, radius: int) -> int:
    """Pixels of `color` (±4 a channel) within `radius` px of a position, on its z tile."""
    fx, fy = _xyz(lat, lon, z)
    img = _tile(path, z, int(fx), int(fy)).convert("RGB")
    u, v = int((fx % 1) * 256), int((fy % 1) * 256)
    want = _hex(color)
    count = 0
    for px in range(max(0, u - radius), min(256, u + radius + 1)):
        for py in range(max(0, v - radius), min(256, v + radius + 1)):
            got = img.getpixel((px, py))
            if all(abs(a - b) <= 4 for a, b in zip(got, want, strict=True)):
                count += 1
    return count


def test_metadata_follows_mbtiles_1_3(basemap: tuple[Path, object]) -> None:
    path, _stats = basemap
    with sqlite3.connect(path) as conn:
        meta = dict(conn.execute("SELECT name, value FROM metadata"))
        columns = [r[1] for r in conn.execute("PRAGMA table_info(tiles)")]
    assert columns == ["zoom_level", "tile_column", "tile_row", "tile_data"]
    for key in ("name", "format", "bounds", "center", "minzoom", "maxzoom", "attribution", "type", "version"):
        assert meta.get(key), key
    assert meta["format"] == "png"
    assert meta["type"] == "baselayer"
    assert meta["attribution"] == ATTRIBUTION
    assert "OpenStreetMap" in meta["attribution"] and "ODbL" in meta["attribution"]
    assert "description" in meta
    assert (int(meta["minzoom"]), int(meta["maxzoom"])) == (14, 16)
    west, south, east, north = (float(v) for v in meta["bounds"].split(","))
    assert (west, south, east, north) == pytest.approx(BOUNDS, abs=1e-6)
    lon, lat, zoom = (float(v) for v in meta["center"].split(","))
    assert west < lon < east and south < lat < north and 14 <= zoom <= 16


def test_exactly_the_tiles_of_the_area_in_tms_rows(basemap: tuple[Path, object]) -> None:
    path, stats = basemap
    expected = set()
    for z in ZOOMS:
        x0, y0 = _xyz(BOUNDS[3], BOUNDS[0], z)  # north-west corner
        x1, y1 = _xyz(BOUNDS[1], BOUNDS[2], z)  # south-east corner
        for x in range(int(x0), int(x1) + 1):
            for y in range(int(y0), int(y1) + 1):
                expected.add((z, x, 2**z - 1 - y))  # TMS row
    with sqlite3.connect(path) as conn:
        stored = set(conn.execute("SELECT zoom_level, tile_column, tile_row FROM tiles"))
    assert stored == expected
    assert stats.tiles == len(expected)  # type: ignore[attr-defined]
    assert sum(stats.tiles_by_zoom.values()) == len(expected)  # type: ignore[attr-defined]
    assert stats.labels > 0  # type: ignore[attr-defined]  # street names were placed
    # a tile just east of the area was not made
    fx, fy = _xyz(BOUNDS[1], BOUNDS[2], 16)
    assert (16, int(fx) + 1, 2**16 - 1 - int(fy)) not in stored


def test_the_app_cache_reads_the_basemap(basemap: tuple[Path, object]) -> None:
    path, _stats = basemap
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # no -wal files to ship
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x4D504258  # "MPBX"
    fx, fy = _xyz(*MANNERHEIMINTIE, 16)
    cache = MBTiles(path, readonly=True)
    try:
        data = cache.get_tile(16, int(fx), int(fy))
        assert data is not None and data.startswith(b"\x89PNG")
        assert cache.metadata()["format"] == "png"
    finally:
        cache.close()


def test_every_tile_is_a_256px_png_and_none_is_blank(basemap: tuple[Path, object]) -> None:
    path, _stats = basemap
    with sqlite3.connect(path) as conn:
        rows = list(conn.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"))
    assert rows
    for z, x, row, data in rows:
        assert data[:8] == b"\x89PNG\r\n\x1a\n", (z, x, row)
        img = Image.open(io.BytesIO(data))
        assert img.format == "PNG" and img.size == (256, 256)
        colors = img.convert("RGB").getcolors(maxcolors=256 * 256)
        assert colors is not None and len(colors) > 20, f"tile {z}/{x}/{row} looks blank"


def test_street_building_and_park_where_the_map_has_them(basemap: tuple[Path, object]) -> None:
    path, _stats = basemap
    assert _count_near(path, *MANNERHEIMINTIE, 16, COLORS["primary"], 16) > 40
    assert _count_near(path, *CATHEDRAL, 16, COLORS["building"], 6) > 100
    assert _count_near(path, *ESPLANADI, 16, COLORS["park"], 6) > 100
    # and not everywhere: no building colour in the middle of the park
    assert _count_near(path, *ESPLANADI, 16, COLORS["building"], 2) == 0


def test_the_sea_is_the_water_side_of_the_coastline() -> None:
    # bounds 0..10 x 0..10; the coast comes in from the east at y=5, turns north at x=5:
    # land on its left, so the sea is the north-east quarter
    perimeter = _Perimeter((0.0, 0.0, 10.0, 10.0))
    piece = [_Node(1, (10.0, 5.0)), _Node(2, (5.0, 5.0)), _Node(3, (5.0, 10.0))]
    seas, islands = _sea_polygons([piece], perimeter)
    assert islands == [] and len(seas) == 1
    ring = seas[0]
    area = 0.5 * abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, [*ring[1:], ring[0]], strict=True)))
    assert area == pytest.approx(25.0)
    assert all(x >= 5 and y >= 5 for x, y in ring)


def test_an_area_cut_by_the_extract_is_closed_along_its_edge() -> None:
    perimeter = _Perimeter((0.0, 0.0, 10.0, 10.0))
    # a square lake overlapping the north edge: its two northern corners are not in the extract
    sw, se = _Node(1, (3.0, 8.0)), _Node(4, (6.0, 8.0))
    ring = _closed_ring([sw, _Node(2, None), _Node(3, None), se, sw], perimeter)
    assert ring is not None
    assert set(ring) == {(3.0, 8.0), (3.0, 10.0), (6.0, 10.0), (6.0, 8.0)}


def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "cli.mbtiles"
    done = subprocess.run(
        [sys.executable, "-m", "maps.basemap", "build", str(PBF), str(out), "--zooms", "13-14", "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "tiles" in done.stdout
    with sqlite3.connect(out) as conn:
        zooms = {z for (z,) in conn.execute("SELECT DISTINCT zoom_level FROM tiles")}
    assert zooms == {13, 14}
    bad = subprocess.run(
        [sys.executable, "-m", "maps.basemap", "build", str(PBF), str(out), "--zooms", "17-12"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "zooms" in bad.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "maps.basemap", "build", str(tmp_path / "nope.osm.pbf"), str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 1 and "no such extract" in missing.stderr
