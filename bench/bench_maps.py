"""Map benchmarks: a tile to the web view, the map page with 5,000 markers, the demo basemap build.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_maps.py [--tiles 300] [--runs 3]

1. tile: the demo basemap (resources/basemap/helsinki.mbtiles) behind a real MapView.
   - handler: `TileSources.tile(z, x, y)`, what the tiles:// handler does per request
     (the lookup in the MBTiles file and the MIME sniff), median over every tile of
     the file, three rounds;
   - page: the same tiles loaded by the page as images (`new Image().src =
     "tiles://basemap/z/x/y.png"`), one after the other, timed in the page from
     setting `src` to `onload` (Chromium's request, the interceptor, the scheme
     handler on the GUI thread, the reply, the PNG decode);
   - floor: the same blobs read with plain sqlite3 (`SELECT tile_data ...` on an open
     connection), median.
2. page: `MapView.show_tickets` with 5,000 tickets (random points round central
   Helsinki, every status and priority) until `ready` (markers on the map), a new
   MapView in the same process for each run; the first run includes Chromium's
   start. Also the page's own measure (navigation start to markers on the map).
3. basemap: `build_basemap` on the demo extract, zoom 12-17, 2 workers, into a
   temporary file. Floor: reading the extract alone (the build's `read_seconds`).

Goals: a tile under 2 ms (median), the page under 2 s, the basemap under 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop  # noqa: E402

from fieldapp.mapview import MapView, TileSources, register_schemes  # noqa: E402  (before the app)
from fieldapp.qt import QApplication, QTimer  # noqa: E402
from maps.basemap import build_basemap  # noqa: E402

BASEMAP = ROOT / "resources" / "basemap" / "helsinki.mbtiles"
EXTRACT = ROOT / "resources" / "basemap" / "helsinki.osm.pbf"
STATUSES = ["new", "assigned", "en_route", "in_progress", "on_hold", "resolved"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def all_tiles() -> list[tuple[int, int, int]]:
    conn = sqlite3.connect(BASEMAP.resolve().as_uri() + "?mode=ro", uri=True)
    rows = conn.execute("SELECT zoom_level, tile_column, tile_row FROM tiles").fetchall()
    conn.close()
    return [(z, x, (1 << z) - 1 - row) for z, x, row in rows]


def floor_sqlite(tiles: list[tuple[int, int, int]]) -> float:
    conn = sqlite3.connect(BASEMAP.resolve().as_uri() + "?mode=ro", uri=True)
    times = []
    for _ in range(3):
        for z, x, y in tiles:
            started = time.perf_counter()
            conn.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, (1 << z) - 1 - y),
            ).fetchone()
            times.append(time.perf_counter() - started)
    conn.close()
    return statistics.median(times)


def handler_lookup(tiles: list[tuple[int, int, int]]) -> float:
    sources = TileSources([BASEMAP])
    times = []
    for _ in range(3):
        for z, x, y in tiles:
            started = time.perf_counter()
            found = sources.tile(z, x, y)
            times.append(time.perf_counter() - started)
            assert found is not None
    sources.close()
    return statistics.median(times)


def wait(app: QApplication, done: Callable[[], bool], timeout: float = 60.0) -> None:
    """Run the event loop (not a sleep loop, which would delay the GUI thread) until ``done()``."""
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(5)

    def check() -> None:
        if done() or time.monotonic() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    if not done():
        loop.exec()
    timer.stop()
    if not done():
        raise TimeoutError("the page did not answer")


def js(app: QApplication, view: MapView, expression: str) -> object:
    box: list[object] = []
    view.run_js(f"JSON.stringify(({expression}))", box.append)
    wait(app, lambda: bool(box))
    return json.loads(box[0]) if box[0] else None  # type: ignore[arg-type]


def page_tiles(app: QApplication, tiles: list[tuple[int, int, int]], count: int) -> tuple[float, float]:
    """(median, p90) seconds per tile loaded by the page through tiles://."""
    view = MapView(tile_sources=[BASEMAP])
    view.resize(800, 600)
    view.show()
    view.show_tickets([], center=(60.1716, 24.9443), zoom=12)
    wait(app, view.is_ready)
    chosen = (tiles * (count // len(tiles) + 1))[:count]
    script = (
        "(function(list){window.benchTimes=[];var i=0;"
        "function next(){if(i>=list.length){window.benchDone=true;return;}"
        "var t=list[i++];var img=new Image();var s=performance.now();"
        "img.onload=function(){window.benchTimes.push(performance.now()-s);next();};"
        "img.onerror=function(){window.benchTimes.push(-1);next();};"
        "img.src='tiles://basemap/'+t[0]+'/'+t[1]+'/'+t[2]+'.png?b='+i;}next();})"
        f"({json.dumps(chosen)})"
    )
    view.run_js("window.benchDone=false;" + script)
    wait(app, lambda: js(app, view, "window.benchDone") is True)
    times = js(app, view, "window.benchTimes")
    view.shutdown()
    assert isinstance(times, list) and all(t >= 0 for t in times), "a tile failed to load"
    values = sorted(t / 1000 for t in times)
    return statistics.median(values), values[int(len(values) * 0.9)]


def markers(n: int) -> list[dict[str, object]]:
    rng = random.Random(5000)
    return [
        {
            "id": f"t{i:05d}",
            "lat": 60.15 + rng.random() * 0.05,
            "lon": 24.90 + rng.random() * 0.09,
            "status": rng.choice(STATUSES),
            "priority": rng.randint(1, 4),
            "address": f"Testikatu {i}",
            "service_code": "pothole",
            "assigned_crew": rng.choice(["north", "central", "south", None]),
        }
        for i in range(n)
    ]


def page_ready(app: QApplication, runs: int) -> list[tuple[float, int | None]]:
    rows = markers(5000)
    results = []
    for _ in range(runs):
        view = MapView(tile_sources=[BASEMAP])
        view.resize(1280, 800)
        view.show()
        started = time.perf_counter()
        view.show_tickets(rows)
        wait(app, view.is_ready)
        results.append((time.perf_counter() - started, view.page_ms))
        view.shutdown()
        view.deleteLater()
        app.processEvents()
    return results


def basemap() -> tuple[float, float, str]:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        stats = build_basemap(EXTRACT, Path(folder) / "bench.mbtiles", zooms=range(12, 18), workers=2)
        return time.perf_counter() - started, stats.read_seconds, stats.summary()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tiles", type=int, default=300, help="tiles the page loads")
    parser.add_argument("--runs", type=int, default=3, help="runs of the 5,000-marker page")
    args = parser.parse_args()
    register_schemes()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QTimer.singleShot(0, lambda: None)
    print(f"# Python {platform.python_version()} · {os.cpu_count()} cores · {platform.platform()}")

    tiles = all_tiles()
    floor = floor_sqlite(tiles)
    lookup = handler_lookup(tiles)
    median, p90 = page_tiles(app, tiles, args.tiles)
    print(f"tile, handler lookup (TileSources.tile), median of {3 * len(tiles)}: {ms(lookup)}")
    print(
        f"tile, page load through tiles:// (img onload), {args.tiles} tiles: "
        f"median {ms(median)}, p90 {ms(p90)}"
    )
    print(f"tile, floor (plain sqlite3 SELECT of the blob), median: {ms(floor)}")
    print(f"  goal < 2 ms median: {'met' if median < 0.002 else 'NOT met'}")

    runs = page_ready(app, args.runs)
    for i, (seconds, page_ms) in enumerate(runs, 1):
        first = " (includes Chromium's start)" if i == 1 else ""
        print(f"page, 5,000 markers ready, run {i}: {seconds:.3f} s (page's own: {page_ms} ms){first}")
    print(
        f"  median {statistics.median(s for s, _ in runs):.3f} s; goal < 2 s: "
        f"{'met' if max(s for s, _ in runs) < 2 else 'NOT met'}"
    )

    seconds, read, summary = basemap()
    print(f"basemap z12-17, 2 workers: {seconds:.1f} s; floor (reading the extract): {read:.2f} s")
    print(f"  {summary}")
    print(f"  goal < 120 s: {'met' if seconds < 120 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
