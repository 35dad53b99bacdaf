"""The profile's map settings: tile source, storage budget, prefetch area, geocoding service (no Qt).

They are kept in the replica's settings (``meta``), so they belong to the device
profile like everything else on it. An empty tile source means the case server
the device is signed in to (``/tiles/<tileset>/{z}/{x}/{y}.png``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from maps.geocode import DEFAULT_SERVICE, Geocoder, SQLiteGeocodeCache, make_geocoder
from maps.prefetch import user_agent
from sync.replica import Replica

SETTINGS_KEY = "map_settings"
TILES_FOLDER = "tiles"
CACHE_FILE = "cache.mbtiles"
OPEN_STATUSES = frozenset({"new", "assigned", "en_route", "in_progress", "on_hold"})


@dataclass
class MapSettings:
    #: Tile URL template ({z}/{x}/{y}); empty: the signed-in case server's tiles.
    tile_url: str = ""
    #: The tileset the case server publishes (its ``NAME.mbtiles``).
    tileset: str = "helsinki"
    budget_mb: int = 200
    margin_m: int = 500
    min_zoom: int = 12
    max_zoom: int = 17
    rate_per_second: float = 2.0
    #: Contact for the User-Agent tile and geocoding servers ask for; empty: the case server's URL.
    contact: str = ""
    geocoder: str = DEFAULT_SERVICE
    #: The geocoding service's address. Empty (the default): addresses come from the local
    #: cache only and nothing about the crew's position leaves the device; a city sets its
    #: own Nominatim (or the public one, under its usage policy) here.
    geocoder_url: str = ""
    #: Refresh stale tiles by themselves after a sync, at most once a day.
    auto_refresh: bool = True
    last_refresh: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> MapSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (raw or {}).items() if k in known})

    @property
    def budget_bytes(self) -> int:
        return int(self.budget_mb) * 1_000_000

    def zooms(self) -> range:
        return range(int(self.min_zoom), int(self.max_zoom) + 1)

    def source_url(self, server: str | None) -> str:
        """The tile URL template to download from."""
        if self.tile_url.strip():
            return self.tile_url.strip()
        if not server:
            raise ValueError("no tile source: sign in to a case server or set a tile URL")
        return f"{server.rstrip('/')}/tiles/{self.tileset}/{{z}}/{{x}}/{{y}}.png"

    def user_agent(self, server: str | None) -> str:
        return user_agent(self.contact.strip() or server or "https://github.com/fieldcrew")

    def refresh_due(self, now: datetime | None = None, every_s: float = 24 * 3600) -> bool:
        if not self.auto_refresh:
            return False
        if not self.last_refresh:
            return True
        last = datetime.fromisoformat(self.last_refresh.replace("Z", "+00:00"))
        return ((now or datetime.now(UTC)) - last).total_seconds() >= every_s


def tiles_folder(profile: Path) -> Path:
    return Path(profile) / TILES_FOLDER


def cache_path(profile: Path) -> Path:
    return tiles_folder(profile) / CACHE_FILE


def load(replica_path: Path) -> tuple[MapSettings, str | None]:
    """The settings and the case server's URL (run on a worker)."""
    replica = Replica(replica_path)
    try:
        return MapSettings.from_dict(replica.get(SETTINGS_KEY)), replica.get("server")
    finally:
        replica.close()


def save(replica_path: Path, settings: MapSettings) -> None:
    replica = Replica(replica_path)
    try:
        replica.put(**{SETTINGS_KEY: asdict(settings)})
    finally:
        replica.close()


def work_points(replica_path: Path) -> list[tuple[float, float]]:
    """(lat, lon) of the open tickets on the device: the crew's work (a supervisor's: all crews')."""
    replica = Replica(replica_path)
    try:
        rows = replica.ticket_rows()
    finally:
        replica.close()
    points = []
    for row in rows:
        lat, lon = row.get("lat"), row.get("lon")
        usable = lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon)
        if row["status"] in OPEN_STATUSES and usable:
            points.append((float(lat), float(lon)))
    return points


def geocoder(replica_path: Path) -> Geocoder:
    """The profile's geocoder, caching in the replica's ``geocode_cache`` (make it on a worker)."""
    settings, server = load(replica_path)
    service = None
    if settings.geocoder_url.strip():
        service = make_geocoder(
            settings.user_agent(server), settings.geocoder, settings.geocoder_url.strip(), timeout=5
        )
    return Geocoder(SQLiteGeocodeCache(replica_path), service)
