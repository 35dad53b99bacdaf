"""Addresses for positions and positions for addresses, online when possible, cached for offline (no Qt).

``Geocoder`` asks a geopy geocoder (default: Nominatim at a configurable URL, with
the app's User-Agent and at most one request a second, as the Nominatim usage
policy asks) and keeps every answer in a ``GeocodeCache``. Nothing depends on it:
offline, or when the service fails, a lookup gives the cached answer or None and
the screen shows coordinates instead.

The cache is a small interface, so this module needs nothing from ``sync``;
``SQLiteGeocodeCache`` keeps answers in a ``geocode_cache(kind, query, result,
fetched_at)`` table, such as the one in the device's replica.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import Geocoder as GeopyGeocoder

log = logging.getLogger("maps.geocode")

DEFAULT_SERVICE = "nominatim"
#: Nominatim's public servers; used only when a profile names it (see fieldapp.mapsettings).
PUBLIC_NOMINATIM_URL = "https://nominatim.openstreetmap.org"
DEFAULT_URL = PUBLIC_NOMINATIM_URL
#: Seconds between two requests (Nominatim's public servers allow one a second).
DEFAULT_MIN_DELAY = 1.0
#: A cached answer older than this is asked again when the service answers.
DEFAULT_MAX_AGE = 30 * 24 * 3600.0
#: Reverse lookups are cached per ~11 m square (4 decimals of a degree).
REVERSE_DECIMALS = 4


@dataclass(frozen=True)
class Place:
    """One answer: where, and the address in words."""

    lat: float
    lon: float
    address: str


class GeocodeCache(Protocol):
    """Where answers are kept: ``get`` gives (place or None, Unix time fetched), None if never asked."""

    def get(self, kind: str, query: str) -> tuple[Place | None, float] | None: ...

    def put(self, kind: str, query: str, place: Place | None) -> None: ...


class SQLiteGeocodeCache:
    """Answers in a ``geocode_cache`` table of an SQLite file (the replica's); one connection per call.

    Opening a connection per call keeps it usable from any worker thread.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS geocode_cache (kind TEXT NOT NULL, query TEXT NOT NULL, "
            "result TEXT, fetched_at TEXT NOT NULL, PRIMARY KEY (kind, query))"
        )
        return conn

    def get(self, kind: str, query: str) -> tuple[Place | None, float] | None:
        conn = self._connect()
        try:
            row = conn.execute(
                "SELECT result, fetched_at FROM geocode_cache WHERE kind = ? AND query = ?", (kind, query)
            ).fetchone()
        finally:
            conn.close()
        if row is None:
            return None
        fetched = datetime.fromisoformat(row[1].replace("Z", "+00:00")).timestamp()
        return (None if row[0] is None else Place(**json.loads(row[0]))), fetched

    def put(self, kind: str, query: str, place: Place | None) -> None:
        result = None if place is None else json.dumps(asdict(place))
        fetched = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        conn = self._connect()
        try:
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO geocode_cache (kind, query, result, fetched_at) "
                    "VALUES (?, ?, ?, ?)",
                    (kind, query, result, fetched),
                )
        finally:
            conn.close()


class MemoryGeocodeCache:
    """Answers kept in memory (for a process without a replica)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], tuple[Place | None, float]] = {}

    def get(self, kind: str, query: str) -> tuple[Place | None, float] | None:
        return self._items.get((kind, query))

    def put(self, kind: str, query: str, place: Place | None) -> None:
        self._items[(kind, query)] = (place, time.time())


def make_geocoder(
    user_agent: str, service: str = DEFAULT_SERVICE, url: str = DEFAULT_URL, timeout: float = 5.0
) -> GeopyGeocoder:
    """A geopy geocoder for ``service`` ("nominatim", or another geopy name) at ``url`` (scheme://host[/path])."""
    if not user_agent.strip():
        raise ValueError("geocoding services require an identifying User-Agent")
    scheme, _, domain = url.strip().rstrip("/").partition("://")
    if not domain:
        scheme, domain = "https", scheme
    cls = get_geocoder_for_service(service)
    return cls(domain=domain, scheme=scheme, user_agent=user_agent, timeout=timeout)


def normalise(address: str) -> str:
    """The cache key of an address: case and spacing do not matter."""
    return " ".join(address.split()).casefold()


def reverse_key(lat: float, lon: float) -> str:
    return f"{lat:.{REVERSE_DECIMALS}f},{lon:.{REVERSE_DECIMALS}f}"


class Geocoder:
    """Geocoding and reverse geocoding with a cache; never raises for a failing service."""

    def __init__(
        self,
        cache: GeocodeCache,
        geocoder: GeopyGeocoder | None,
        *,
        min_delay_seconds: float = DEFAULT_MIN_DELAY,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cache = cache
        self.geocoder = geocoder
        self.max_age = max_age
        self.clock = clock
        self._lock = threading.Lock()  # one request at a time, at the limiter's pace
        # No service configured: answers come from the cache alone.
        self._geocode = self._reverse = None
        if geocoder is not None:
            self._geocode = RateLimiter(
                geocoder.geocode, min_delay_seconds=min_delay_seconds, max_retries=0, swallow_exceptions=False
            )
            self._reverse = RateLimiter(
                geocoder.reverse, min_delay_seconds=min_delay_seconds, max_retries=0, swallow_exceptions=False
            )
        #: Requests that reached the service (answered or not), for tests and logs.
        self.requests = 0

    def geocode(self, address: str) -> Place | None:
        """The place of an address: a fresh cached answer, else the service's, else an older cached one."""
        query = normalise(address)
        if not query:
            return None
        return self._lookup(
            "geocode",
            query,
            lambda: self._geocode(address.strip(), exactly_one=True),  # type: ignore[misc]
        )

    def reverse(self, lat: float, lon: float) -> Place | None:
        """The address nearest a position (cached per ~11 m square)."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        query = reverse_key(lat, lon)
        return self._lookup(
            "reverse",
            query,
            lambda: self._reverse((lat, lon), exactly_one=True),  # type: ignore[misc]
        )

    def cached(self, kind: str, query: str) -> Place | None:
        hit = self.cache.get(kind, query)
        return None if hit is None else hit[0]

    def _lookup(self, kind: str, query: str, ask: Callable[[], Any]) -> Place | None:
        hit = self.cache.get(kind, query)
        if hit is not None and self.clock() - hit[1] < self.max_age:
            return hit[0]
        if self.geocoder is None:
            return None if hit is None else hit[0]
        try:
            with self._lock:
                self.requests += 1
                answer = ask()
        except (GeopyError, OSError, ValueError) as exc:
            log.info("geocode: %s %r not answered (%s); %s", kind, query, exc, "cached" if hit else "none")
            return None if hit is None else hit[0]
        place = None if answer is None else Place(answer.latitude, answer.longitude, answer.address)
        self.cache.put(kind, query, place)
        return place
