"""Prefetch the map around a crew's work into the MBTiles cache, politely.

Two steps, so the app can show the cost before anything is downloaded:

1. ``plan(points, margin_m, zooms, avg_tile_bytes, budget_bytes)`` lists the tiles
   around each point, zoom by zoom from the overview down, and drops the zoom levels
   that would not fit the budget.
2. ``Prefetcher(cache, source_url_template, user_agent, budget_bytes, ...)`` fetches
   them: ``start(plan)`` in a background thread (or ``run(plan)`` in the calling one),
   a progress callback after every tile, ``cancel()``, and ``resume()``.

Tiles already cached and fresh are not requested again, so a prefetch that was
cancelled or cut off just continues where it stopped. Stale tiles are revalidated
with If-None-Match / If-Modified-Since; a 304 only renews their expiry.

Politeness towards the tile server: a token bucket (at most ``rate_per_second``
requests, no bursts), HTTP 429/503 with Retry-After pause every request, a real
User-Agent with a contact URL, retries with exponential backoff and jitter on
dropped connections and 5xx, and a stop (not a hammering) on 401/403 or when the
server keeps failing. A 404 (or 410, 204) means the source has no tile there (outside
its coverage): such tiles are counted as *not available*, not as failures, and the
tiles below one are not asked for once the source has shown it serves that zoom level
(a tile pyramid has nothing under a missing tile), so a plan larger than the source's
area finishes: "N tiles downloaded, M not available from the source". Cache lifetimes
come from Cache-Control max-age, Expires, or DEFAULT_MAX_AGE when the server says
nothing. The cache keeps tiles the server marks no-store or no-cache (the app must
work offline) but treats them as stale at once.

Nothing here knows Qt: a Qt adapter re-emits the progress callback as a signal.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Literal

import requests

from maps.mbtiles import MBTiles, TileState
from maps.tiles import BBox, LatLon, Tile, bbox_around, count_tiles, flip_y, tiles_around_points

log = logging.getLogger("maps.prefetch")

APP_AGENT = "fieldapp/0.1"
#: Average size of a raster street-map tile (OSM-style PNG, city area).
DEFAULT_AVG_TILE_BYTES = 20_000
#: How long a tile stays fresh when the server sends no cache headers (7 days, as
#: the OpenStreetMap tile usage policy asks of clients).
DEFAULT_MAX_AGE = 7 * 24 * 3600.0
#: A plan never lists more tiles than this, whatever the budget.
MAX_PLAN_TILES = 250_000

Status = Literal["running", "finished", "incomplete", "cancelled", "budget", "failed"]


def user_agent(contact_url: str) -> str:
    """The User-Agent tile servers ask for: the app and a way to reach its operator."""
    contact_url = contact_url.strip()
    if not contact_url:
        raise ValueError("a contact URL (or e-mail) for the User-Agent is required by tile servers")
    return f"{APP_AGENT} (+{contact_url})"


# -- planning -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PrefetchPlan:
    """What a prefetch would download; shown to the user before it starts."""

    tiles: tuple[Tile, ...]
    per_zoom: Mapping[int, int]
    avg_tile_bytes: int
    #: The area planned around the points (None for a refresh of stale tiles).
    bbox: BBox | None = None
    budget_bytes: int | None = None
    #: Zoom levels asked for but left out because they would not fit the budget.
    dropped_zooms: tuple[int, ...] = ()
    #: Tiles of the plan already in the cache and fresh (known only if a cache was given).
    cached: int = 0

    @property
    def count(self) -> int:
        return len(self.tiles)

    @property
    def estimated_bytes(self) -> int:
        """Estimated size of all planned tiles."""
        return self.count * self.avg_tile_bytes

    @property
    def download_bytes(self) -> int:
        """Estimated size of what is not cached yet."""
        return (self.count - self.cached) * self.avg_tile_bytes


def plan(
    points: Iterable[LatLon],
    margin_m: float,
    zooms: Iterable[int],
    avg_tile_bytes: int = DEFAULT_AVG_TILE_BYTES,
    budget_bytes: int | None = None,
    *,
    cache: MBTiles | None = None,
    now: float | None = None,
    max_tiles: int = MAX_PLAN_TILES,
) -> PrefetchPlan:
    """Plan the tiles within ``margin_m`` metres of any (lat, lon) point at each zoom.

    Zooms are taken from the lowest up; the first one that would take the estimate
    past ``budget_bytes`` (or past ``max_tiles``) is dropped with all higher ones,
    so the plan is always a complete pyramid the map can zoom through. With a
    ``cache``, the plan also says how many tiles are there already and fresh.
    """
    pts = list(points)
    levels = sorted(set(zooms))
    if avg_tile_bytes <= 0:
        raise ValueError("avg_tile_bytes must be positive")
    if not pts or not levels:
        return PrefetchPlan((), {}, avg_tile_bytes, None, budget_bytes, tuple(levels))
    capacity = max_tiles
    if budget_bytes is not None:
        capacity = min(capacity, budget_bytes // avg_tile_bytes)
    tiles: list[Tile] = []
    per_zoom: dict[int, int] = {}
    dropped: list[int] = []
    for i, z in enumerate(levels):
        # The largest single box is a lower bound: no need to list a level that cannot fit.
        at_least = max(count_tiles(bbox_around([p], margin_m), z) for p in pts)
        level = set() if len(tiles) + at_least > capacity else tiles_around_points(pts, margin_m, z)
        if not level or len(tiles) + len(level) > capacity:
            dropped = levels[i:]
            break
        tiles.extend(sorted(level))
        per_zoom[z] = len(level)
    cached = 0
    if cache is not None:
        moment = time.time() if now is None else now
        cached = sum(1 for t in tiles if _is_cached_fresh(cache, t, moment))
    return PrefetchPlan(
        tuple(tiles),
        per_zoom,
        avg_tile_bytes,
        bbox_around(pts, margin_m),
        budget_bytes,
        tuple(dropped),
        cached,
    )


def plan_refresh(
    cache: MBTiles, now: float | None = None, limit: int | None = None, avg_tile_bytes: int | None = None
) -> PrefetchPlan:
    """A plan that revalidates the cache's stale tiles (most used first) when back online."""
    stale = cache.stale_tiles(now, limit)
    per_zoom: dict[int, int] = {}
    for t in stale:
        per_zoom[t.z] = per_zoom.get(t.z, 0) + 1
    count = cache.tile_count()
    avg = avg_tile_bytes or (cache.total_bytes() // count if count else DEFAULT_AVG_TILE_BYTES) or 1
    return PrefetchPlan(tuple(stale), per_zoom, avg)


def _is_cached_fresh(cache: MBTiles, tile: Tile, now: float) -> bool:
    state = cache.state(*tile)
    if state is not None:
        return state.is_fresh(now)
    # A tile written by another tool (no bookkeeping) is kept as it is.
    return cache.has_tile(*tile)


# -- HTTP caching and throttling helpers ------------------------------------------------
def expiry_from_headers(
    headers: Mapping[str, str], now: float, default_max_age: float = DEFAULT_MAX_AGE
) -> float:
    """When a response stops being fresh: Cache-Control max-age (less Age), else Expires, else the default."""
    directives: dict[str, str] = {}
    for part in headers.get("Cache-Control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return now
    if "max-age" in directives:
        try:
            max_age = int(directives["max-age"])
            age = int(headers.get("Age", "0") or 0)
            return now + max(0, max_age - age)
        except ValueError:
            return now
    if "Expires" in headers:
        expires = _http_date(headers["Expires"])
        if expires is None:
            return now  # an invalid Expires means "already expired" (RFC 9111)
        date = _http_date(headers.get("Date", ""))
        return now + (expires - date) if date is not None else expires
    return now + default_max_age


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = _http_date(value)
        return None if when is None else max(0.0, when - now)


def _http_date(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _looks_complete(data: bytes) -> bool:
    """Cheap check that an image arrived whole (a dropped connection without Content-Length)."""
    if not data:
        return False
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data[-8:-4] == b"IEND"
    if data.startswith(b"\xff\xd8"):
        return b"\xff\xd9" in data[-16:]
    return True


class TokenBucket:
    """At most ``rate`` acquisitions per second, bursts of ``capacity``; can be paused (Retry-After)."""

    def __init__(self, rate: float, capacity: float = 1.0) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def pause(self, seconds: float) -> None:
        """No acquisition for ``seconds`` from now (the server asked us to wait)."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            self._tokens = min(self._tokens, 1.0)

    def acquire(self, cancel: threading.Event) -> bool:
        """Wait for a token; False if ``cancel`` was set meanwhile."""
        while True:
            with self._lock:
                now = time.monotonic()
                if now < self._paused_until:
                    wait = self._paused_until - now
                    self._stamp = max(self._stamp, now)
                else:
                    self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                    self._stamp = now
                    if self._tokens >= 1.0:
                        self._tokens -= 1.0
                        return not cancel.is_set()
                    wait = (1.0 - self._tokens) / self.rate
            if cancel.wait(wait):
                return False


# -- running ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PrefetchProgress:
    """Where a prefetch stands; sent to the progress callback after every tile."""

    status: Status
    total: int
    done: int = 0
    fetched: int = 0
    revalidated: int = 0
    skipped: int = 0
    failed: int = 0
    bytes_downloaded: int = 0
    tile: Tile | None = None
    message: str | None = None
    #: Tiles the source does not have (404 there, or under such a tile).
    unavailable: int = 0


@dataclass(frozen=True)
class PrefetchResult:
    """How a prefetch ended. ``status``: finished, incomplete (some tiles failed), cancelled,
    budget (stopped at the size budget) or failed (the server refused or kept failing).
    Tiles the source does not have are ``unavailable``, not failed."""

    status: Status
    total: int
    fetched: int
    revalidated: int
    skipped: int
    failed: tuple[Tile, ...]
    bytes_downloaded: int
    message: str | None = None
    unavailable: int = 0


class _NotAvailable:
    """The source has no tile here (HTTP 404, 410 or 204)."""


NOT_AVAILABLE = _NotAvailable()


def finished_message(downloaded: int, unavailable: int) -> str:
    """The end of a download in words: what came and what the source does not have."""
    return f"{downloaded} tiles downloaded, {unavailable} not available from the source"


class _Stop(Exception):
    """Ends a run early with a status and a message for the user."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class _Counts:
    fetched: int = 0
    revalidated: int = 0
    skipped: int = 0
    failed: list[Tile] = field(default_factory=list)
    bytes: int = 0
    consecutive_failures: int = 0
    #: Tiles the source does not have, and the zoom levels it has shown it serves.
    unavailable: set[Tile] = field(default_factory=set)
    served_zooms: set[int] = field(default_factory=set)

    def under_unavailable(self, tile: Tile) -> bool:
        """Whether a tile above this one is missing at a zoom level the source serves."""
        z, x, y = tile.z, tile.x, tile.y
        while z > 0:
            z, x, y = z - 1, x // 2, y // 2
            if z in self.served_zooms and Tile(z, x, y) in self.unavailable:
                return True
        return False


class Prefetcher:
    """Downloads a plan's tiles into an MBTiles cache: start / progress / cancel / resume."""

    def __init__(
        self,
        cache: MBTiles,
        source_url_template: str,
        user_agent: str,
        budget_bytes: int,
        rate_per_second: float = 2.0,
        session: requests.Session | None = None,
        *,
        on_progress: Callable[[PrefetchProgress], None] | None = None,
        timeout: float = 20.0,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        max_retry_after: float = 300.0,
        max_consecutive_failures: int = 8,
        default_max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``source_url_template`` holds {z}, {x} and {y} (or {-y} for a TMS source).

        ``clock`` gives Unix time for cache lifetimes (tests move it); throttling uses
        the monotonic clock.
        """
        if "{z}" not in source_url_template or "{x}" not in source_url_template:
            raise ValueError("the tile URL template needs {z}, {x} and {y} (or {-y})")
        if "{y}" not in source_url_template and "{-y}" not in source_url_template:
            raise ValueError("the tile URL template needs {z}, {x} and {y} (or {-y})")
        if not user_agent.strip() or user_agent.startswith("python-requests"):
            raise ValueError("tile servers require an identifying User-Agent; see user_agent()")
        self.cache = cache
        self.source_url_template = source_url_template
        self.user_agent = user_agent
        self.budget_bytes = budget_bytes
        self.rate_per_second = rate_per_second
        self._own_session = session is None
        self.session = session or requests.Session()
        self.on_progress = on_progress
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.max_consecutive_failures = max_consecutive_failures
        self.default_max_age = default_max_age
        self.clock = clock
        self._bucket = TokenBucket(rate_per_second)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._plan: PrefetchPlan | None = None
        self._result: PrefetchResult | None = None
        self._error: BaseException | None = None

    # -- start / cancel / resume --------------------------------------------------------
    def start(self, plan: PrefetchPlan) -> None:
        """Run the plan in a background thread (it opens its own connection to the cache)."""
        if self.is_running():
            raise RuntimeError("a prefetch is already running")
        self._plan = plan
        self._result = None
        self._error = None
        self._cancel.clear()
        self._thread = threading.Thread(
            target=self._run_in_thread, args=(plan,), name="tile-prefetch", daemon=True
        )
        self._thread.start()

    def resume(self) -> None:
        """Start the last plan again: what is cached and fresh is skipped, the rest fetched."""
        if self._plan is None:
            raise RuntimeError("nothing to resume")
        self.start(self._plan)

    def cancel(self) -> None:
        """Ask the running prefetch to stop after the current request (waits are cut short)."""
        self._cancel.set()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> PrefetchResult | None:
        """Wait for the background run; its result, or None if still running after ``timeout``."""
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return None
        if self._error is not None:
            raise self._error
        return self._result

    @property
    def result(self) -> PrefetchResult | None:
        return self._result

    def close(self) -> None:
        """Cancel, wait, and close the HTTP session if this object made it."""
        self.cancel()
        if self._thread is not None:
            self._thread.join()
        if self._own_session:
            self.session.close()

    def _run_in_thread(self, plan: PrefetchPlan) -> None:
        try:
            self._result = self._run(plan)
        except BaseException as exc:  # handed to wait(): a bug, not an expected failure
            self._error = exc

    def run(self, plan: PrefetchPlan) -> PrefetchResult:
        """Run the plan in the calling thread and return how it ended."""
        self._plan = plan
        self._cancel.clear()
        self._result = self._run(plan)
        return self._result

    # -- the work -----------------------------------------------------------------------
    def _run(self, plan: PrefetchPlan) -> PrefetchResult:
        own = threading.get_ident() != self.cache.owner_thread
        cache = MBTiles(self.cache.path) if own else self.cache
        try:
            return self._fetch_all(cache, plan)
        finally:
            if own:
                cache.close()
            else:
                cache.flush()

    def _fetch_all(self, cache: MBTiles, plan: PrefetchPlan) -> PrefetchResult:
        counts = _Counts()
        started = self.clock()
        used = cache.total_bytes()
        status: Status = "finished"
        message: str | None = None
        self._report(plan, counts, "running", None)
        try:
            for tile in plan.tiles:
                if self._cancel.is_set():
                    raise _Stop("cancelled", "the download was cancelled")
                used = self._one(cache, tile, counts, used, started)
                self._report(plan, counts, "running", tile)
        except _Stop as stop:
            status, message = stop.status, str(stop)
        if status == "finished" and counts.failed:
            status = "incomplete"
            message = f"{len(counts.failed)} tiles could not be downloaded"
        elif status == "finished" and counts.unavailable:
            message = finished_message(counts.fetched + counts.revalidated, len(counts.unavailable))
        if (counts.fetched or counts.revalidated) and plan.bbox is not None and plan.per_zoom:
            cache.extend_extent(plan.bbox, min(plan.per_zoom), max(plan.per_zoom))
        result = PrefetchResult(
            status,
            plan.count,
            counts.fetched,
            counts.revalidated,
            counts.skipped,
            tuple(counts.failed),
            counts.bytes,
            message,
            len(counts.unavailable),
        )
        self._report(plan, counts, status, None, message)
        log.info("prefetch %s: %s", status, result)
        return result

    def _report(
        self, plan: PrefetchPlan, c: _Counts, status: Status, tile: Tile | None, message: str | None = None
    ) -> None:
        if self.on_progress is None:
            return
        done = c.fetched + c.revalidated + c.skipped + len(c.failed) + len(c.unavailable)
        self.on_progress(
            PrefetchProgress(
                status,
                plan.count,
                done,
                c.fetched,
                c.revalidated,
                c.skipped,
                len(c.failed),
                c.bytes,
                tile,
                message,
                len(c.unavailable),
            )
        )

    def _one(self, cache: MBTiles, tile: Tile, counts: _Counts, used: int, started: float) -> int:
        """Bring one tile up to date; returns the new byte total of the cache."""
        state = cache.state(*tile)
        now = self.clock()
        if (state is not None and state.is_fresh(now)) or (state is None and cache.has_tile(*tile)):
            cache.touch(*tile, when=now)
            counts.skipped += 1
            counts.served_zooms.add(tile.z)
            return used
        if state is None and counts.under_unavailable(tile):
            counts.unavailable.add(tile)
            return used
        answer = self._get(tile, state)
        now = self.clock()
        if isinstance(answer, _NotAvailable):
            counts.unavailable.add(tile)
            counts.consecutive_failures = 0
            return used
        if answer is None:
            counts.failed.append(tile)
            counts.consecutive_failures += 1
            if counts.consecutive_failures >= self.max_consecutive_failures:
                raise _Stop("failed", "the tile server keeps failing; try again later")
            return used
        counts.consecutive_failures = 0
        counts.served_zooms.add(tile.z)
        response, data = answer
        headers = response.headers
        expires = expiry_from_headers(headers, now, self.default_max_age)
        if response.status_code == 304:
            cache.mark_fresh(
                *tile,
                expires_at=expires,
                fetched_at=now,
                etag=headers.get("ETag"),
                last_modified=headers.get("Last-Modified"),
            )
            counts.revalidated += 1
            return used
        growth = len(data) - (state.size if state is not None else 0)
        if used + growth > self.budget_bytes:
            used -= cache.evict_to(max(0, self.budget_bytes - growth), used_before=started)
            if used + growth > self.budget_bytes:
                raise _Stop("budget", "the map storage budget is full")
        used += cache.put_tile(
            *tile,
            data,
            fetched_at=now,
            expires_at=expires,
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
        )
        counts.fetched += 1
        counts.bytes += len(data)
        return used

    def url_for(self, tile: Tile) -> str:
        """The source URL of a tile."""
        return (
            self.source_url_template.replace("{z}", str(tile.z))
            .replace("{x}", str(tile.x))
            .replace("{-y}", str(flip_y(tile.z, tile.y)))
            .replace("{y}", str(tile.y))
        )

    def _backoff(self, attempt: int) -> float:
        delay: float = min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1))
        return delay * (0.5 + random.random() / 2)

    def _sleep(self, seconds: float) -> None:
        if self._cancel.wait(seconds):
            raise _Stop("cancelled", "the download was cancelled")

    def _get(
        self, tile: Tile, state: TileState | None
    ) -> tuple[requests.Response, bytes] | _NotAvailable | None:
        """GET one tile with retries: the response and body, NOT_AVAILABLE when the source
        has no such tile, or None if this tile failed for good."""
        url = self.url_for(tile)
        headers = {"User-Agent": self.user_agent}
        if state is not None and state.etag:
            headers["If-None-Match"] = state.etag
        if state is not None and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        for attempt in range(1, self.max_attempts + 1):
            if not self._bucket.acquire(self._cancel):
                raise _Stop("cancelled", "the download was cancelled")
            try:
                response = self.session.get(url, headers=headers, timeout=self.timeout)
                data = response.content
            except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
                raise _Stop("failed", f"the tile source address is not valid: {url}") from exc
            except requests.RequestException as exc:  # refused, dropped, timed out, cut off
                log.info("tile %s: %s (attempt %d)", url, exc.__class__.__name__, attempt)
                self._sleep(self._backoff(attempt))
                continue
            code = response.status_code
            if code == 200:
                if _looks_complete(data):
                    return response, data
                log.info("tile %s arrived incomplete (attempt %d)", url, attempt)
                self._sleep(self._backoff(attempt))
            elif code == 304 and state is not None:
                return response, b""
            elif code in (429, 503):
                wait = retry_after_seconds(response.headers.get("Retry-After"), time.time())
                if wait is None:
                    wait = self._backoff(attempt)
                if wait > self.max_retry_after:
                    raise _Stop(
                        "failed", f"the tile server asks to wait {math.ceil(wait)} s; try again later"
                    )
                log.info("tile server throttles (HTTP %d), waiting %.1f s", code, wait)
                self._bucket.pause(wait)
            elif code in (404, 410, 204):
                return NOT_AVAILABLE  # not at the source (outside its coverage): no retry
            elif code in (401, 403, 407, 451):
                raise _Stop("failed", f"the tile server refused the download (HTTP {code})")
            elif code >= 500:
                self._sleep(self._backoff(attempt))
            else:
                log.warning("tile %s: unexpected HTTP %d", url, code)
                return None
        return None


def prefetch_summary(p: PrefetchPlan) -> str:
    """One line for the confirmation dialog: tiles, zooms, estimated size."""
    zooms: Sequence[int] = sorted(p.per_zoom)
    span = f"zoom {zooms[0]}-{zooms[-1]}" if zooms else "no zoom level"
    mb = p.download_bytes / 1_000_000
    text = f"{p.count} tiles ({span}), about {mb:.1f} MB to download"
    if p.dropped_zooms:
        text += f"; zoom {', '.join(map(str, p.dropped_zooms))} left out to stay within the storage budget"
    return text
