"""Tile math, prefetch planning, and prefetching from a local tile server that
misbehaves on purpose (500, 429 + Retry-After, 503, dropped and cut connections)
and supports ETag / If-None-Match -> 304. Nothing here touches the internet."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import math
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from PIL import Image

from maps.mbtiles import MBTiles
from maps.prefetch import (
    Prefetcher,
    PrefetchPlan,
    PrefetchProgress,
    expiry_from_headers,
    plan,
    plan_refresh,
    prefetch_summary,
    retry_after_seconds,
    user_agent,
)
from maps.tiles import (
    BBox,
    Tile,
    bbox_around,
    count_tiles,
    flip_y,
    lonlat_to_tile,
    tile_bounds,
    tiles_around_points,
    tiles_in_bbox,
)

UA = user_agent("https://works.example.org/fieldapp-contact")
# Two tickets about 3.5 km apart in a city.
TICKETS = [(52.5200, 13.4050), (52.5050, 13.4550)]  # (lat, lon)


# -- tile math ------------------------------------------------------------------------------
def test_tile_math_matches_the_usual_slippy_map_numbers() -> None:
    assert lonlat_to_tile(0.0, 0.0, 0) == Tile(0, 0, 0)
    assert lonlat_to_tile(-0.0001, 0.0001, 1) == Tile(1, 0, 0)
    assert lonlat_to_tile(0.0001, -0.0001, 1) == Tile(1, 1, 1)
    # San Francisco: the MBTiles spec's example tile 11/327/791 (TMS row 1256).
    assert lonlat_to_tile(-122.4194, 37.7749, 11) == Tile(11, 327, 791)
    assert flip_y(11, 791) == 1256 and flip_y(11, 1256) == 791
    # The poles and the antimeridian clamp to the edge of the world.
    assert lonlat_to_tile(180.0, -90.0, 3) == Tile(3, 7, 7)
    assert lonlat_to_tile(-180.0, 90.0, 3) == Tile(3, 0, 0)

    bounds = tile_bounds(11, 327, 791)
    assert bounds.west < -122.4194 < bounds.east and bounds.south < 37.7749 < bounds.north
    assert math.isclose(bounds.east - bounds.west, 360 / 2048)
    mid = ((bounds.west + bounds.east) / 2, (bounds.south + bounds.north) / 2)
    assert lonlat_to_tile(*mid, 11) == Tile(11, 327, 791)
    assert tile_bounds(0, 0, 0) == pytest.approx(BBox(-180.0, -85.0511287798, 180.0, 85.0511287798))


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6378137.0 * math.asin(math.sqrt(h))


def test_bbox_around_points_keeps_the_margin_in_metres() -> None:
    box = bbox_around(TICKETS, 500)
    (west_lat, west_lon), (east_lat, east_lon) = sorted(TICKETS, key=lambda p: p[1])
    assert _metres((west_lat, west_lon), (west_lat, box.west)) == pytest.approx(500, rel=0.01)
    assert _metres((east_lat, east_lon), (east_lat, box.east)) >= 499
    assert _metres((52.5050, 13.4), (box.south, 13.4)) == pytest.approx(500, rel=0.01)
    assert _metres((52.5200, 13.4), (box.north, 13.4)) == pytest.approx(500, rel=0.01)
    with pytest.raises(ValueError):
        bbox_around([], 10)


def test_tiles_in_a_box_and_around_points() -> None:
    box = bbox_around(TICKETS, 300)
    listed = list(tiles_in_bbox(box, 15))
    assert len(listed) == len(set(listed)) == count_tiles(box, 15)
    for t in listed:
        b = tile_bounds(*t)
        assert b.east > box.west and b.west < box.east and b.north > box.south and b.south < box.north
    around = tiles_around_points(TICKETS, 300, 16)
    assert around < set(tiles_in_bbox(box, 16))  # two small patches, not the whole box
    for lat, lon in TICKETS:
        assert lonlat_to_tile(lon, lat, 16) in around


# -- planning -------------------------------------------------------------------------------
def test_plan_counts_tiles_and_bytes_per_zoom_before_downloading() -> None:
    p = plan(TICKETS, 300, [16, 14, 15], avg_tile_bytes=15_000)
    assert list(p.per_zoom) == [14, 15, 16]
    for z, n in p.per_zoom.items():
        assert n == len(tiles_around_points(TICKETS, 300, z))
    assert p.count == sum(p.per_zoom.values()) == len(set(p.tiles))
    assert [t.z for t in p.tiles] == sorted(t.z for t in p.tiles)  # overview first
    assert p.estimated_bytes == p.count * 15_000 == p.download_bytes
    assert p.dropped_zooms == () and p.bbox == bbox_around(TICKETS, 300)
    assert "MB to download" in prefetch_summary(p)


def test_plan_leaves_out_zoom_levels_beyond_the_budget() -> None:
    full = plan(TICKETS, 300, range(12, 18), avg_tile_bytes=10_000)
    upto15 = sum(n for z, n in full.per_zoom.items() if z <= 15)
    budget = (upto15 + 1) * 10_000
    p = plan(TICKETS, 300, range(12, 18), avg_tile_bytes=10_000, budget_bytes=budget)
    assert list(p.per_zoom) == [12, 13, 14, 15]
    assert p.dropped_zooms == (16, 17)
    assert p.estimated_bytes <= budget
    assert "zoom 16, 17 left out" in prefetch_summary(p)
    # A huge area does not list millions of tiles just to drop them.
    started = time.perf_counter()
    huge = plan(TICKETS, 50_000, [10, 19], avg_tile_bytes=10_000, budget_bytes=10**9)
    assert huge.dropped_zooms == (19,) and time.perf_counter() - started < 1.0


def test_plan_with_a_cache_says_what_is_already_there(tmp_path: Path) -> None:
    p = plan(TICKETS, 300, [14, 15], avg_tile_bytes=1000)
    with MBTiles(tmp_path / "c.mbtiles") as cache:
        cache.put_tile(*p.tiles[0], b"fresh", expires_at=time.time() + 60)
        cache.put_tile(*p.tiles[1], b"stale", expires_at=time.time() - 60)
        again = plan(TICKETS, 300, [14, 15], avg_tile_bytes=1000, cache=cache)
    assert again.cached == 1 and again.download_bytes == (p.count - 1) * 1000


# -- HTTP helpers -----------------------------------------------------------------------------
def test_cache_lifetimes_from_response_headers() -> None:
    now = 1_000_000.0
    assert expiry_from_headers({"Cache-Control": "public, max-age=600"}, now) == now + 600
    assert expiry_from_headers({"Cache-Control": "max-age=600", "Age": "100"}, now) == now + 500
    assert expiry_from_headers({"Cache-Control": "no-cache"}, now) == now
    assert expiry_from_headers({"Cache-Control": "no-store, max-age=600"}, now) == now
    date = formatdate(500_000.0, usegmt=True)
    expires = formatdate(503_600.0, usegmt=True)
    assert expiry_from_headers({"Expires": expires, "Date": date}, now) == now + 3600  # server clock skew
    assert expiry_from_headers({"Expires": "0"}, now) == now
    assert expiry_from_headers({}, now, default_max_age=99) == now + 99
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds(formatdate(now + 30, usegmt=True), now) == 30.0
    assert retry_after_seconds(None, now) is None and retry_after_seconds("soon", now) is None


def test_user_agent_names_the_app_and_a_contact() -> None:
    assert UA == "fieldapp/0.1 (+https://works.example.org/fieldapp-contact)"
    with pytest.raises(ValueError):
        user_agent("  ")
    with pytest.raises(ValueError):
        Prefetcher(None, "http://x/{z}/{x}/{y}.png", requests.utils.default_user_agent(), 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Prefetcher(None, "http://x/{z}/{x}.png", UA, 1)  # type: ignore[arg-type]


# -- a local tile server that misbehaves on purpose -------------------------------------------
@functools.cache
def tile_png(z: int, x: int, y: int, version: int = 0) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (256, 256), ((z * 37 + version * 90) % 256, x % 256, y % 256))
    image.putpixel((0, 0), (255, 255, 255))
    image.save(out, format="PNG")
    return out.getvalue()


def colour_of(tile: Tile, version: int = 0) -> tuple[int, int, int]:
    return ((tile.z * 37 + version * 90) % 256, tile.x % 256, tile.y % 256)


@dataclass
class Seen:
    at: float
    tile: Tile
    outcome: str
    headers: dict[str, str]


@dataclass
class TileServer:
    port: int = 0
    max_age: int = 3600
    log: list[Seen] = field(default_factory=list)
    #: Per tile, misbehaviours to play in order before serving it properly.
    plans: dict[Tile, list[str]] = field(default_factory=dict)
    versions: Counter[Tile] = field(default_factory=Counter)
    always: str | None = None
    retry_after: str = "1"
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def template(self) -> str:
        return f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"

    def misbehave(self, tile: Tile, *how: str) -> None:
        self.plans.setdefault(tile, []).extend(how)

    def outcomes(self, outcome: str) -> Counter[Tile]:
        return Counter(s.tile for s in self.log if s.outcome == outcome)

    def etag(self, tile: Tile) -> str:
        return '"' + hashlib.sha1(tile_png(*tile, self.versions[tile])).hexdigest() + '"'


def _handler(server: TileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms delayed-ACK stalls

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            z, x, y = (int(p) for p in self.path.strip("/").removesuffix(".png").split("/"))
            tile = Tile(z, x, y)
            with server.lock:
                queue = server.plans.get(tile, [])
                how = queue.pop(0) if queue else (server.always or "ok")
                data = tile_png(*tile, server.versions[tile])
                etag = server.etag(tile)
                if how == "ok" and self.headers.get("If-None-Match") == etag:
                    how = "304"
                server.log.append(Seen(time.monotonic(), tile, how, dict(self.headers)))
            if how == "ok":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", formatdate(1_700_000_000, usegmt=True))
                self.send_header("Cache-Control", f"max-age={server.max_age}")
                self.end_headers()
                self.wfile.write(data)
            elif how == "304":
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Cache-Control", f"max-age={server.max_age}")
                self.end_headers()
            elif how in ("500", "503", "403", "404"):
                self._empty(int(how))
            elif how == "429":
                self._empty(429, {"Retry-After": server.retry_after})
            elif how == "drop-early":  # the connection dies before any answer
                self._hang_up()
            elif how == "drop-body":  # headers promise the whole tile, half arrives
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self._hang_up()
            elif how == "cut":  # no Content-Length: the body ends where the connection does
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self._hang_up()
            else:
                raise AssertionError(how)

        def _empty(self, code: int, extra: dict[str, str] | None = None) -> None:
            self.send_response(code)
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _hang_up(self) -> None:
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    return Handler


@pytest.fixture
def server() -> Iterator[TileServer]:
    state = TileServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[MBTiles]:
    with MBTiles(tmp_path / "cache.mbtiles") as c:
        yield c


def fetcher(cache: MBTiles, server: TileServer, **kw: object) -> Prefetcher:
    options: dict[str, object] = {
        "rate_per_second": 200.0,
        "timeout": 5.0,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
        "max_retry_after": 5.0,
    }
    options.update(kw)
    budget = int(options.pop("budget_bytes", 50_000_000))  # type: ignore[call-overload]
    return Prefetcher(cache, server.template, UA, budget, **options)  # type: ignore[arg-type]


def assert_cache_holds_exactly(cache: MBTiles, tiles: tuple[Tile, ...], server: TileServer) -> None:
    assert sorted(cache.tiles()) == sorted(tiles)
    for t in tiles:
        data = cache.get_tile(*t)
        assert data == tile_png(*t, server.versions[t])
        assert Image.open(io.BytesIO(data)).getpixel((5, 5)) == colour_of(t, server.versions[t])


SMALL = plan(TICKETS, 300, [14, 15, 16, 17])


def test_small_plan_is_a_useful_size() -> None:
    assert 20 <= SMALL.count <= 80, SMALL.per_zoom


def test_prefetch_gets_exactly_the_planned_tiles_from_a_misbehaving_server(
    cache: MBTiles, server: TileServer
) -> None:
    t = SMALL.tiles
    server.misbehave(t[1], "500", "500")
    server.misbehave(t[3], "429")
    server.misbehave(t[5], "drop-body")
    server.misbehave(t[7], "drop-early")
    server.misbehave(t[9], "503", "500")
    server.misbehave(t[11], "cut")
    seen: list[PrefetchProgress] = []
    result = fetcher(cache, server, on_progress=seen.append).run(SMALL)

    assert result.status == "finished", result
    assert (result.fetched, result.skipped, result.failed) == (SMALL.count, 0, ())
    assert_cache_holds_exactly(cache, SMALL.tiles, server)
    assert server.outcomes("ok") == Counter(SMALL.tiles)  # each tile downloaded once
    assert sum(server.outcomes("500").values()) == 3 and server.outcomes("cut")[t[11]] == 1
    assert all(s.headers.get("User-Agent") == UA for s in server.log)

    # Retry-After: 1 on the 429 paused every request for a second.
    throttled = next(s.at for s in server.log if s.outcome == "429")
    after = [s.at for s in server.log if s.at > throttled]
    assert after and after[0] - throttled >= 0.95

    done = [p.done for p in seen]
    assert done == sorted(done) and seen[-1].status == "finished" and seen[-1].done == SMALL.count
    assert result.bytes_downloaded == sum(len(tile_png(*x)) for x in SMALL.tiles) == seen[-1].bytes_downloaded
    meta = cache.metadata()
    assert (meta["minzoom"], meta["maxzoom"]) == ("14", "17")

    # Everything is cached and fresh: running the plan again asks the server nothing.
    before = len(server.log)
    again = fetcher(cache, server).run(SMALL)
    assert again.status == "finished" and again.skipped == SMALL.count and again.fetched == 0
    assert len(server.log) == before


def test_requests_never_exceed_the_rate(cache: MBTiles, server: TileServer) -> None:
    rate = 10.0
    p = plan(TICKETS[:1], 600, [15, 16])
    assert p.count >= 20
    tiles = p.tiles[:22]
    p = PrefetchPlan(tiles, {}, p.avg_tile_bytes)
    server.misbehave(tiles[4], "500")  # retries take their turn too
    started = time.monotonic()
    result = fetcher(cache, server, rate_per_second=rate).run(p)
    assert result.status == "finished"
    stamps = [s.at for s in server.log]
    assert len(stamps) == len(tiles) + 1
    worst = max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps)
    assert worst <= rate + 1, worst
    assert time.monotonic() - started >= (len(stamps) - 1) / rate * 0.95


def test_cancel_then_resume_continues_where_it_stopped(cache: MBTiles, server: TileServer) -> None:
    holder: list[Prefetcher] = []

    def progress(p: PrefetchProgress) -> None:
        if p.fetched == 6:
            holder[0].cancel()

    job = fetcher(cache, server, rate_per_second=100.0, on_progress=progress)
    holder.append(job)
    job.start(SMALL)
    first = job.wait(timeout=10)
    assert first is not None and first.status == "cancelled" and first.fetched == 6
    assert not job.is_running()
    assert sorted(cache.tiles()) == sorted(SMALL.tiles[:6])
    asked_before = len(server.log)

    job.on_progress = None
    job.resume()
    second = job.wait(timeout=10)
    assert second is not None and second.status == "finished", second
    assert (second.skipped, second.fetched) == (6, SMALL.count - 6)
    assert server.log[asked_before].tile == SMALL.tiles[6]
    assert server.outcomes("ok") == Counter(SMALL.tiles)
    assert_cache_holds_exactly(cache, SMALL.tiles, server)


def test_cancel_cuts_a_retry_after_wait_short(cache: MBTiles, server: TileServer) -> None:
    server.retry_after = "5"
    server.misbehave(SMALL.tiles[0], "429")
    job = fetcher(cache, server, max_retry_after=60.0)
    job.start(SMALL)
    time.sleep(0.3)
    started = time.monotonic()
    job.cancel()
    result = job.wait(timeout=5)
    assert result is not None and result.status == "cancelled" and result.fetched == 0
    assert time.monotonic() - started < 2.0
    assert len(server.log) == 1


def test_stale_tiles_are_revalidated_and_changed_ones_replaced(tmp_path: Path, server: TileServer) -> None:
    server.max_age = 60
    p = plan(TICKETS[:1], 200, [15, 16])
    path = tmp_path / "c.mbtiles"
    with MBTiles(path) as cache:
        assert fetcher(cache, server).run(p).status == "finished"
        assert cache.stale_tiles() == []
    later = time.time() + 3600
    changed = p.tiles[0]
    server.versions[changed] += 1
    with MBTiles(path) as cache:
        stale = plan_refresh(cache, now=later)
        assert sorted(stale.tiles) == sorted(p.tiles)
        before = len(server.log)
        result = fetcher(cache, server, clock=lambda: later).run(stale)
        assert result.status == "finished", result
        assert (result.revalidated, result.fetched) == (p.count - 1, 1)
        asked = server.log[before:]
        assert len(asked) == p.count
        assert all(s.headers.get("If-None-Match", "").startswith('"') for s in asked)
        assert all(
            s.headers.get("If-Modified-Since") == formatdate(1_700_000_000, usegmt=True) for s in asked
        )
        assert Counter(s.outcome for s in asked) == Counter({"304": p.count - 1, "ok": 1})
        assert_cache_holds_exactly(cache, p.tiles, server)
        for t in p.tiles:
            state = cache.state(*t)
            assert state is not None and state.expires_at == pytest.approx(later + 60)
            assert state.etag == server.etag(t)
        assert cache.stale_tiles(now=later) == []


def test_budget_evicts_least_recently_used_tiles_then_stops(tmp_path: Path, server: TileServer) -> None:
    p = plan(TICKETS[:1], 200, [15, 16])
    need = sum(len(tile_png(*t)) for t in p.tiles)
    with MBTiles(tmp_path / "c.mbtiles") as cache:
        old = [Tile(10, x, 0) for x in range(6)]
        for i, t in enumerate(old):
            cache.put_tile(*t, os.urandom(1000), fetched_at=1000.0 + i)
        cache.touch(*old[0], when=2000.0)  # shown lately: kept longest
        budget = need + 2500
        result = fetcher(cache, server, budget_bytes=budget).run(p)
        assert result.status == "finished", result
        assert cache.total_bytes() <= budget
        assert set(cache.tiles()) == set(p.tiles) | {old[0], old[5]}

    with MBTiles(tmp_path / "small.mbtiles") as cache:
        budget = need // 2
        result = fetcher(cache, server, budget_bytes=budget).run(p)
        assert result.status == "budget" and 0 < result.fetched < p.count
        assert cache.total_bytes() <= budget
        assert result.message == "the map storage budget is full"


def test_refusal_stops_at_once_and_missing_tiles_are_not_retried(cache: MBTiles, server: TileServer) -> None:
    server.misbehave(SMALL.tiles[0], "404")
    server.misbehave(SMALL.tiles[1], "403")
    result = fetcher(cache, server).run(SMALL)
    assert result.status == "failed" and "refused" in (result.message or "")
    assert len(server.log) == 2 and cache.tile_count() == 0
    assert result.failed == () and result.unavailable == 1


def test_tiles_the_source_does_not_have_are_not_available_not_failed(
    cache: MBTiles, server: TileServer
) -> None:
    server.misbehave(SMALL.tiles[-1], "404")  # the deepest zoom: nothing below it
    result = fetcher(cache, server).run(SMALL)
    assert result.status == "finished" and result.failed == () and result.unavailable == 1
    assert result.message == f"{SMALL.count - 1} tiles downloaded, 1 not available from the source"
    assert server.outcomes("404")[SMALL.tiles[-1]] == 1
    assert cache.tile_count() == SMALL.count - 1


def test_many_missing_tiles_in_a_row_do_not_stop_the_download(cache: MBTiles, server: TileServer) -> None:
    missing = SMALL.tiles[: SMALL.per_zoom[14]]  # the whole overview zoom: nothing is inferred below
    for tile in missing:
        server.misbehave(tile, "404")
    for tile in SMALL.tiles[-10:]:  # deepest zoom
        server.misbehave(tile, "404")
    result = fetcher(cache, server, max_consecutive_failures=3).run(SMALL)
    assert result.status == "finished" and result.unavailable == len(missing) + 10
    assert cache.tile_count() == SMALL.count - len(missing) - 10


def test_an_unreachable_server_ends_the_prefetch(cache: MBTiles) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    job = Prefetcher(
        cache,
        f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png",
        UA,
        10_000_000,
        rate_per_second=500.0,
        timeout=1.0,
        max_attempts=2,
        backoff_base=0.01,
        max_consecutive_failures=3,
    )
    result = job.run(SMALL)
    assert result.status == "failed" and len(result.failed) == 3
    assert "keeps failing" in (result.message or "")


def test_tms_sources_get_the_flipped_row(cache: MBTiles, server: TileServer) -> None:
    job = Prefetcher(cache, "http://h/{z}/{x}/{-y}.png", UA, 1)
    assert job.url_for(Tile(11, 327, 791)) == "http://h/11/327/1256.png"
    assert fetcher(cache, server).url_for(Tile(3, 1, 2)).endswith("/3/1/2.png")


def test_a_server_asking_for_a_long_pause_ends_the_prefetch(cache: MBTiles, server: TileServer) -> None:
    server.retry_after = "600"
    server.misbehave(SMALL.tiles[0], "429")
    result = fetcher(cache, server).run(SMALL)
    assert result.status == "failed" and "asks to wait 600 s" in (result.message or "")
    assert len(server.log) == 1
