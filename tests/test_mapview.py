"""The offline map in a real Qt web view (offscreen): tiles from MBTiles through tiles://,
clustered ticket markers, the "not downloaded" banner, clicks back to Qt, and no request
leaving the app (the interceptor records everything the page asks for)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium's sandbox refuses to run as root
    _flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--no-sandbox" not in _flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (_flags + " --no-sandbox").strip()

import json
import math
import random
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fieldapp.mapview import MapView, register_schemes
from fieldapp.qt import QBuffer, QColor, QImage, QIODevice, QPointF, Qt
from fieldapp.tasks import wait_for_tasks
from maps.mappage import (
    BACKGROUND,
    MISSING_TEXT,
    PRIORITY_RINGS,
    STATUS_COLOURS,
    build_template,
    map_page_html,
    template_path,
)
from maps.mbtiles import MBTiles

assert register_schemes()  # before pytest-qt creates the QApplication (no-op if the import already did)

CENTER = (60.1699, 24.9384)
ZOOM = 14
TILE_A = (0, 200, 255)  # cyan
TILE_B = (200, 0, 255)  # violet
POSITION_COLOUR = (0x0A, 0x84, 0xFF)
CLUSTER_COLOUR = (0x26, 0x32, 0x38)
CACHE_COLOUR = (255, 220, 0)  # yellow
WIDTH, HEIGHT = 800, 600


# -- helpers ---------------------------------------------------------------------------
def tile_xy(lat: float, lon: float, z: int) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def tile_lon(x: int, z: int) -> float:
    return x / (1 << z) * 360.0 - 180.0


def tile_lat(y: int, z: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / (1 << z)))))


def png(rgb: tuple[int, int, int]) -> bytes:
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor(*rgb))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def write_mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], minzoom: int, maxzoom: int) -> None:
    """An MBTiles 1.3 file written with plain sqlite3, as another tool would (TMS rows)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
    )
    conn.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
    meta = {"name": "test", "format": "png", "minzoom": str(minzoom), "maxzoom": str(maxzoom)}
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
    conn.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)",
        [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles.items()],
    )
    conn.commit()
    conn.close()


def js(qtbot, view: MapView, expression: str, timeout: int = 10_000) -> Any:  # type: ignore[no-untyped-def]
    """The value of a JavaScript expression in the page (through JSON: arrays and objects survive)."""
    box: list[Any] = []
    view.run_js(f"JSON.stringify(({expression}))", box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=timeout)
    return None if box[0] in (None, "") else json.loads(box[0])


def wait_js(qtbot, view: MapView, script: str, timeout: int = 10_000) -> Any:  # type: ignore[no-untyped-def]
    """Poll a script until it returns something truthy."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        result = js(qtbot, view, script)
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still falsy after {timeout} ms: {script}")
        qtbot.wait(50)


def grab(view: MapView) -> QImage:
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert image.width() >= WIDTH * image.devicePixelRatio() - 1
    return image


def pixel(image: QImage, x: float, y: float) -> tuple[int, int, int]:
    ratio = image.devicePixelRatio()
    colour = image.pixelColor(round(x * ratio), round(y * ratio))
    return colour.red(), colour.green(), colour.blue()


def near(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 8) -> bool:
    return all(abs(p - q) <= tolerance for p, q in zip(a, b, strict=True))


def count_near(image: QImage, cx: float, cy: float, radius: int, rgb: tuple[int, int, int]) -> int:
    return sum(
        near(pixel(image, cx + dx, cy + dy), rgb)
        for dx in range(-radius, radius + 1)
        for dy in range(-radius, radius + 1)
    )


def wait_image(qtbot, view: MapView, ok: Callable[[QImage], bool], timeout: int = 10_000) -> QImage:  # type: ignore[no-untyped-def]
    """Grab until the picture satisfies ``ok`` (the compositor paints a frame or two late)."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        image = grab(view)
        if ok(image):
            return image
        if time.monotonic() > deadline:
            image.save(str(Path(os.environ.get("TMPDIR", "/tmp")) / "test_mapview_last.png"))
            return image
        qtbot.wait(100)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


# -- fixtures --------------------------------------------------------------------------
CX, CY = tile_xy(*CENTER, ZOOM)
#: Tiles exist for these columns (the centre's and three to the west), rows CY-3..CY+3.
COLUMNS = range(CX - 3, CX + 1)
ROWS = range(CY - 3, CY + 4)
#: Longitude where the downloaded area ends (the east edge of column CX).
EDGE_LON = tile_lon(CX + 1, ZOOM)


def at_offset(dx: float, dy: float) -> tuple[float, float]:
    """(lat, lon) of the point ``dx, dy`` screen pixels from CENTER at ZOOM."""
    world = 256 * (1 << ZOOM)
    px = (CENTER[1] + 180.0) / 360.0 * world + dx
    py = (1.0 - math.asinh(math.tan(math.radians(CENTER[0]))) / math.pi) / 2.0 * world + dy
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / world))))
    return lat, px / world * 360.0 - 180.0


#: Screen offsets (from the centre) of tickets that stand alone: six on tiles, one east of them.
SINGLES = [(-330, -220), (-330, 60), (-200, -120), (-200, 200), (-80, -220), (-80, 120), (220, 180)]
#: Four tickets a few metres apart: one cluster.
BUNCH = (-120, 0)


def tickets() -> list[dict[str, Any]]:
    rows = []
    for i, offset in enumerate(SINGLES):
        lat, lon = at_offset(*offset)
        rows.append(
            {
                "id": f"single-{i}",
                "lat": lat,
                "lon": lon,
                "status": "new",
                "priority": 3,
                "address": f"Testikatu {i}",
                "service_code": "pothole",
                "assigned_crew": "crew-a",
            }
        )
    for i in range(4):
        lat, lon = at_offset(BUNCH[0] + i, BUNCH[1] + i)
        rows.append(
            {
                "id": f"bunch-{i}",
                "lat": lat,
                "lon": lon,
                "status": "in_progress",
                "priority": 1 + i,
                "address": f"Kasakatu {i}",
                "service_code": "streetlight",
                "assigned_crew": "crew-b",
            }
        )
    return rows


@pytest.fixture
def tile_file(tmp_path: Path) -> Path:
    path = tmp_path / "city.mbtiles"
    tiles = {(ZOOM, x, y): png(TILE_A if (x + y) % 2 else TILE_B) for x in COLUMNS for y in ROWS}
    write_mbtiles(path, tiles, ZOOM, ZOOM)
    return path


@pytest.fixture
def map_view(qtbot, tile_file: Path) -> MapView:  # type: ignore[no-untyped-def]
    view = MapView(tile_sources=[tile_file])
    qtbot.addWidget(view, before_close_func=lambda w: w.shutdown())
    view.resize(WIDTH, HEIGHT)
    view.show()
    return view


def show(qtbot, view: MapView, rows: list[dict[str, Any]], **kwargs: Any) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.ready, timeout=30_000):
        view.show_tickets(rows, **kwargs)
    wait_js(qtbot, view, "fa.tilesIdle")


def container_point(qtbot, view: MapView, lat: float, lon: float) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    x, y = js(
        qtbot, view, f"(function(p){{return [p.x, p.y];}})(fa.map.latLngToContainerPoint([{lat}, {lon}]))"
    )
    return float(x), float(y)


def assert_nothing_left_the_app(view: MapView) -> None:
    seen = list(view.interceptor.seen)
    assert seen, "the interceptor saw no request at all"
    leaflet = view.asset_dir.resolve().as_uri()
    page_dir = view.page_path.parent.resolve().as_uri()
    for url, allowed in seen:
        assert allowed, url
        assert url.startswith(("tiles://basemap/", leaflet, page_dir)), url
    assert view.interceptor.blocked == 0


# -- the page ----------------------------------------------------------------------------
def test_map_page_has_no_network_references() -> None:
    rows = [
        *tickets(),
        {
            "id": "x",
            "lat": 60.17,
            "lon": 24.94,
            "status": "on_hold",
            "priority": 2,
            "address": "</script><script>alert(1)</script>",
            "assigned_crew": None,
        },
    ]
    for colour_by in ("status", "crew"):
        html = map_page_html(
            rows, center=CENTER, zoom=ZOOM, position=(60.17, 24.94, 8.0), colour_by=colour_by
        )
        assert "http://" not in html and "https://" not in html
        assert not re.search(r"//(cdn|code|cdnjs|netdna|unpkg)\.", html)
        assert "</script><script>alert" not in html  # ticket text cannot break out of the script
        for name in ("leaflet.js", "leaflet.css", "leaflet.markercluster.js", "MarkerCluster.Default.css"):
            assert f"{Path(__file__).resolve().parents[1].as_uri()}/resources/web/leaflet/{name}" in html
        assert "tiles://basemap/{z}/{x}/{y}.png" in html
        assert "chunkedLoading" in html
        assert html.count("L.marker(") == 2  # one in the loop, one for the position: no per-ticket code


def test_stored_page_is_what_folium_makes() -> None:
    """resources/web/leaflet/fieldapp-map.html is folium's output (python -m maps.mappage rewrites it)."""
    assert template_path().read_text(encoding="utf-8") == build_template()


def test_the_page_is_filled_without_folium_or_numpy(tmp_path: Path) -> None:
    """As in the desktop bundle, which leaves numpy (and so folium) out."""
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('folium', 'numpy', 'branca', 'jinja2'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from maps.mappage import map_page_html\n"
        "page = map_page_html([{'id': 't', 'lat': 60.17, 'lon': 24.94, 'status': 'new', 'priority': 1}],\n"
        "                     center=(60.17, 24.94), zoom=14)\n"
        "assert 'folium' not in sys.modules and 'numpy' not in sys.modules\n"
        "print(len(page))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 10_000


def test_shipped_leaflet_files_and_licences_are_present() -> None:
    folder = Path(__file__).resolve().parents[1] / "resources" / "web" / "leaflet"
    for name in (
        "leaflet.js",
        "leaflet.css",
        "leaflet.markercluster.js",
        "MarkerCluster.css",
        "MarkerCluster.Default.css",
        "images/marker-icon.png",
        "images/layers.png",
        "LICENSE-leaflet.txt",
        "LICENSE-leaflet.markercluster.txt",
        "README.md",
        "fieldapp-map.html",
    ):
        assert (folder / name).is_file(), name
    assert "Leaflet 1.9.4" in (folder / "leaflet.js").read_text(encoding="utf-8")[:200]


# -- the view ----------------------------------------------------------------------------
def test_tiles_markers_and_missing_area(qtbot, map_view: MapView) -> None:  # type: ignore[no-untyped-def]
    rows = tickets()
    show(qtbot, map_view, rows, center=CENTER, zoom=ZOOM)

    # The east part of the view has no tiles: banner in the DOM, visible, with the words.
    state = wait_js(
        qtbot,
        map_view,
        "(function(b){return !b.hidden && [b.textContent, getComputedStyle(b).display, fa.missing];})"
        "(document.getElementById('fa-missing'))",
    )
    assert state[0] == MISSING_TEXT and state[1] != "none" and state[2] > 0

    edge_x, _ = container_point(qtbot, map_view, CENTER[0], EDGE_LON)
    assert 300 < edge_x < 500, edge_x
    singles = [
        container_point(qtbot, map_view, r["lat"], r["lon"]) for r in rows if r["id"].startswith("single")
    ]
    bunch_points = [
        container_point(qtbot, map_view, r["lat"], r["lon"]) for r in rows if r["id"].startswith("bunch")
    ]
    bunch = (sum(p[0] for p in bunch_points) / 4, sum(p[1] for p in bunch_points) / 4)
    new_colour = hex_rgb(STATUS_COLOURS["new"])

    def west(image: QImage) -> list[tuple[int, int, int]]:
        return [
            pixel(image, x, y) for x in range(40, int(edge_x) - 20, 37) for y in range(120, HEIGHT - 90, 41)
        ]

    def settled(image: QImage) -> bool:  # tiles fade in: wait for the full colours
        samples = west(image)
        exact = [p for p in samples if near(p, TILE_A) or near(p, TILE_B)]
        return len(exact) > 0.7 * len(samples)

    image = wait_image(qtbot, map_view, settled)
    # Tile colours where tiles exist (west of the edge), both of the checkerboard.
    samples = west(image)
    assert sum(near(p, TILE_A) for p in samples) > len(samples) // 5
    assert sum(near(p, TILE_B) for p in samples) > len(samples) // 5
    # East of the edge: the plain background, nothing else (away from the banner and controls).
    background = hex_rgb(BACKGROUND)
    lone = singles[-1]  # the one ticket east of the downloaded area
    left, top, right, bottom = js(
        qtbot,
        map_view,
        "(function(r){return [r.left, r.top, r.right, r.bottom];})"
        "(document.getElementById('fa-missing').getBoundingClientRect())",
    )
    assert edge_x <= left, (edge_x, left)  # the banner stands over the missing tiles only
    east = [
        pixel(image, x, y)
        for x in range(int(edge_x) + 20, WIDTH - 20, 23)
        for y in range(80, HEIGHT - 60, 23)
        if (abs(x - lone[0]) > 22 or abs(y - lone[1]) > 22)
        and not (left - 6 <= x <= right + 6 and top - 6 <= y <= bottom + 6)
    ]
    assert east and all(near(p, background, 3) for p in east), {p for p in east if not near(p, background, 3)}
    # Markers: each single ticket is a disc of its status colour; the bunch is one cluster.
    for x, y in singles:
        assert count_near(image, x, y, 12, new_colour) > 100, (x, y)
    # The four close tickets are one cluster: a dark stack, ringed red (a priority 1 inside).
    assert count_near(image, bunch[0], bunch[1], 14, CLUSTER_COLOUR) > 150
    # Clusters are 48 px or more: the ring lies within 26 px of the centre.
    assert count_near(image, bunch[0], bunch[1], 26, hex_rgb(PRIORITY_RINGS[1])) > 40
    assert js(qtbot, map_view, "fa.group.getVisibleParent(fa.markers['bunch-0']).getChildCount()") == 4
    assert js(qtbot, map_view, "document.querySelectorAll('.fa-pin').length") == len(SINGLES)
    assert "In progress" in js(qtbot, map_view, "document.getElementById('fa-legend').textContent")
    assert "OpenStreetMap" in js(
        qtbot, map_view, "document.querySelector('.leaflet-control-attribution').textContent"
    )

    # Move to an area that is all downloaded: the banner goes away.
    inside = at_offset(-500, 0)
    map_view.center_on(*inside)
    wait_js(qtbot, map_view, "document.getElementById('fa-missing').hidden && fa.tilesIdle")
    assert map_view.tile_handler.served > 0 and map_view.tile_handler.missing > 0
    assert_nothing_left_the_app(map_view)


def test_clicking_a_marker_reports_its_ticket(qtbot, map_view: MapView) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, map_view, tickets(), center=CENTER, zoom=ZOOM)
    with qtbot.waitSignal(map_view.ticket_clicked, timeout=5000) as blocker:
        map_view.run_js("fa.markers['single-2'].fire('click', {}, true);")
    assert blocker.args == ["single-2"]

    # A marker inside the cluster: zoom until it stands alone, then click its element.
    with qtbot.waitSignal(map_view.ticket_clicked, timeout=10_000) as blocker:
        map_view.run_js(
            "fa.showTicket('bunch-2', function (m) {"
            " m.getElement().dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true})); });"
        )
    assert blocker.args == ["bunch-2"]
    assert_nothing_left_the_app(map_view)


def test_a_real_mouse_click_on_a_marker(qtbot, map_view: MapView) -> None:  # type: ignore[no-untyped-def]
    rows = tickets()
    show(qtbot, map_view, rows, center=CENTER, zoom=ZOOM)
    target = rows[0]
    x, y = container_point(qtbot, map_view, target["lat"], target["lon"])
    wait_image(
        qtbot, map_view, lambda image: count_near(image, x, y, 10, hex_rgb(STATUS_COLOURS["new"])) > 50
    )
    surface = map_view.view.focusProxy() or map_view.view
    with qtbot.waitSignal(map_view.ticket_clicked, timeout=5000) as blocker:
        qtbot.mouseClick(surface, Qt.MouseButton.LeftButton, pos=QPointF(x - 6, y).toPoint())
    assert blocker.args == [target["id"]]


def test_position_updates_and_new_tickets_without_reload(qtbot, map_view: MapView) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, map_view, tickets(), center=CENTER, zoom=ZOOM)
    first_page = js(qtbot, map_view, "performance.timeOrigin")
    here = at_offset(-260, -20)
    map_view.set_position(*here, 40.0)
    wait_js(qtbot, map_view, "fa.me && fa.me.getLatLng().lat")
    x, y = container_point(qtbot, map_view, *here)
    image = wait_image(qtbot, map_view, lambda im: count_near(im, x, y, 6, POSITION_COLOUR) > 20)
    assert count_near(image, x, y, 6, POSITION_COLOUR) > 20
    assert js(qtbot, map_view, "fa.me.getLatLng().lng") == pytest.approx(here[1])

    # New tickets go into the same page (no reload) and `ready` comes again.
    with qtbot.waitSignal(map_view.ready, timeout=10_000):
        map_view.show_tickets(tickets()[:3], colour_by="crew")
    assert js(qtbot, map_view, "Object.keys(fa.markers).length") == 3
    assert js(qtbot, map_view, "performance.timeOrigin") == first_page
    assert "crew-a" in js(qtbot, map_view, "document.getElementById('fa-legend').textContent")

    # A list replaced while the previous one is still going in: only the newest is drawn.
    many = [{**row, "id": f"{row['id']}-{i}"} for i in range(500) for row in tickets()]
    with qtbot.waitSignal(map_view.ready, timeout=10_000):
        map_view.show_tickets(many)
        map_view.show_tickets(tickets()[:2])
    qtbot.wait(300)
    assert js(qtbot, map_view, "[Object.keys(fa.markers).length, fa.group.getLayers().length, fa.ready]") == [
        2,
        2,
        True,
    ]


PROBE = """
(function (tag) {
    window.probe = {};
    fetch('https://tile.openstreetmap.org/14/9326/4742.png?' + tag)
        .then(function () { probe.fetch = 'loaded'; }, function () { probe.fetch = 'failed'; });
    var image = new Image();
    image.onload = function () { probe.image = 'loaded'; };
    image.onerror = function () { probe.image = 'failed'; };
    image.src = 'http://example.com/pixel.png?' + tag;
    var local = new Image();
    local.onload = function () { probe.file = 'loaded'; };
    local.onerror = function () { probe.file = 'failed'; };
    local.src = 'file:///etc/hostname?' + tag;
})(%r);
"""


def off_device(tag: str) -> set[str]:
    return {f"https://tile.openstreetmap.org/14/9326/4742.png?{tag}", f"http://example.com/pixel.png?{tag}"}


def test_requests_off_the_device_are_blocked(qtbot, map_view: MapView) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, map_view, tickets(), center=CENTER, zoom=ZOOM)
    assert_nothing_left_the_app(map_view)

    # The page's settings stop a local page from reaching the network before any request is made.
    map_view.run_js(PROBE % "first")
    assert wait_js(qtbot, map_view, "probe.fetch && probe.image && probe.file && probe") == {
        "fetch": "failed",
        "image": "failed",
        "file": "failed",
    }
    seen = {url: allowed for url, allowed in map_view.interceptor.seen}
    assert not off_device("first") & set(seen)  # refused before any request was made
    assert seen.get("file:///etc/hostname?first") is False  # outside the page's folders: the interceptor


def test_the_interceptor_refuses_even_when_the_page_may_go_online(qtbot, map_view: MapView) -> None:  # type: ignore[no-untyped-def]
    """Should the page's setting ever allow remote URLs, the interceptor still refuses them."""
    settings = map_view.page.settings()
    settings.setAttribute(settings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
    blocked: list[str] = []
    map_view.interceptor.request_blocked.connect(blocked.append)
    show(qtbot, map_view, tickets(), center=CENTER, zoom=ZOOM)
    map_view.run_js(PROBE % "second")
    assert wait_js(qtbot, map_view, "probe.fetch && probe.image && probe.file && probe") == {
        "fetch": "failed",
        "image": "failed",
        "file": "failed",
    }
    qtbot.waitUntil(lambda: off_device("second") <= set(blocked), timeout=10_000)
    assert set(blocked) == {*off_device("second"), "file:///etc/hostname?second"}
    assert {url for url, allowed in map_view.interceptor.seen if not allowed} == set(blocked)


def test_cache_tiles_come_first_and_their_use_is_recorded(qtbot, tmp_path: Path, tile_file: Path) -> None:  # type: ignore[no-untyped-def]
    """The profile's cache (before the basemap) fills the missing column; shown tiles update its LRU."""
    cache_path = tmp_path / "profile-tiles" / "cache.mbtiles"
    with MBTiles(cache_path) as cache:
        for y in ROWS:
            cache.put_tile(ZOOM, CX + 1, y, png(CACHE_COLOUR), fetched_at=1000.0)  # last used long ago
    view = MapView(tile_sources=[cache_path.parent, tile_file])
    qtbot.addWidget(view, before_close_func=lambda w: w.shutdown())
    view.resize(WIDTH, HEIGHT)
    view.show()
    show(qtbot, view, tickets(), center=CENTER, zoom=ZOOM)
    edge_x, _ = container_point(qtbot, view, CENTER[0], EDGE_LON)
    image = wait_image(qtbot, view, lambda im: near(pixel(im, edge_x + 60, 140), CACHE_COLOUR))
    assert near(pixel(image, edge_x + 60, 140), CACHE_COLOUR)
    assert near(pixel(image, edge_x - 60, 140), TILE_A) or near(pixel(image, edge_x - 60, 140), TILE_B)

    view.record_tile_use()
    assert wait_for_tasks(10_000)
    with MBTiles(cache_path, readonly=True) as cache:
        used = [cache.state(ZOOM, CX + 1, y).last_used for y in ROWS]
    assert sum(when > time.time() - 60 for when in used) >= 2  # the rows on screen, just now
    assert sum(when == 1000.0 for when in used) >= 2  # the rows off screen, untouched
    assert view.sources.take_shown() == {}


def test_five_thousand_markers_ready_in_under_two_seconds(qtbot, map_view: MapView) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5000)
    statuses = list(STATUS_COLOURS)
    rows = [
        {
            "id": f"t{i:05d}",
            "lat": CENTER[0] + rng.uniform(-0.03, 0.03),
            "lon": CENTER[1] + rng.uniform(-0.06, 0.06),
            "status": rng.choice(statuses),
            "priority": rng.randint(1, 5),
            "address": f"Katu {i}",
            "service_code": "pothole",
            "assigned_crew": f"crew-{i % 7}",
        }
        for i in range(5000)
    ]
    started = time.perf_counter()
    with qtbot.waitSignal(map_view.ready, timeout=30_000):
        map_view.show_tickets(rows)
    elapsed = time.perf_counter() - started
    assert map_view.load_seconds is not None and map_view.load_seconds < 2.0, map_view.load_seconds
    assert elapsed < 2.0, elapsed
    assert js(qtbot, map_view, "fa.group.getLayers().length") == 5000
    print(f"5000 markers: ready {elapsed:.3f}s after show_tickets, page says {map_view.page_ms} ms")


@pytest.mark.parametrize("cache_first", ["empty cache", "no cache yet"])
def test_the_banner_goes_once_the_missing_area_is_downloaded(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, tile_file: Path, cache_first: str
) -> None:
    """A download filling the missing columns (into the open cache, or a new one) clears the banner."""
    cache_path = tmp_path / "profile-tiles" / "cache.mbtiles"
    cache_path.parent.mkdir()
    if cache_first == "empty cache":
        MBTiles(cache_path).close()
    view = MapView(tile_sources=[cache_path.parent, tile_file])
    qtbot.addWidget(view, before_close_func=lambda w: w.shutdown())
    view.resize(WIDTH, HEIGHT)
    view.show()
    show(qtbot, view, tickets(), center=CENTER, zoom=ZOOM)
    wait_js(qtbot, view, "!document.getElementById('fa-missing').hidden && fa.missing > 0")
    # The banner stands over the missing columns (east of the edge), not over downloaded tiles.
    edge_x, _ = container_point(qtbot, view, CENTER[0], EDGE_LON)
    box = js(
        qtbot,
        view,
        "(function(r){return [r.left, r.right, r.width];})"
        "(document.getElementById('fa-missing').getBoundingClientRect())",
    )
    assert box[2] > 60 and edge_x <= box[0] and box[1] <= WIDTH, (edge_x, box)
    with MBTiles(cache_path) as cache:  # what a prefetch writes, while the map has the file open
        for x in range(CX + 1, CX + 5):
            for y in ROWS:
                cache.put_tile(ZOOM, x, y, png(CACHE_COLOUR), fetched_at=time.time())
    view.refresh_tiles()
    wait_js(qtbot, view, "document.getElementById('fa-missing').hidden && fa.missing === 0 && fa.tilesIdle")
    image = wait_image(qtbot, view, lambda im: near(pixel(im, edge_x + 60, 140), CACHE_COLOUR))
    assert near(pixel(image, edge_x + 60, 140), CACHE_COLOUR)
