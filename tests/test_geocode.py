"""Geocoding through geopy against a stand-in Nominatim process on localhost; answers are
kept in the replica's geocode_cache, so a second lookup works with the service gone."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from serverproc import free_port

from maps.geocode import Geocoder, Place, SQLiteGeocodeCache, make_geocoder
from sync.replica import Replica

AGENT = "fieldapp/0.1 (+https://city.example/fieldapp)"


class FakeNominatim:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "nominatim.log"
        self._log = self.log_path.open("w")
        script = Path(__file__).with_name("fake_nominatim.py")
        self.proc = subprocess.Popen([sys.executable, str(script), str(self.port)], stdout=self._log)
        deadline = time.monotonic() + 15
        while True:
            try:
                requests.get(self.url + "/status", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def requests(self) -> list[dict[str, object]]:
        lines = self.log_path.read_text().splitlines()
        return [r for r in map(json.loads, lines) if "path" in r and r["path"] != "/status"]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self._log.close()


@pytest.fixture
def nominatim(tmp_path: Path) -> Iterator[FakeNominatim]:
    server = FakeNominatim(tmp_path)
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            server.stop()


@pytest.fixture
def replica_path(tmp_path: Path) -> Path:
    path = tmp_path / "device" / "replica.sqlite"
    Replica(path).close()  # the replica's migrations create geocode_cache
    return path


def geocoder(url: str, replica_path: Path) -> Geocoder:
    return Geocoder(
        SQLiteGeocodeCache(replica_path), make_geocoder(AGENT, url=url, timeout=2), min_delay_seconds=0
    )


def test_an_address_is_found_online_and_then_known_offline(
    nominatim: FakeNominatim, replica_path: Path
) -> None:
    online = geocoder(nominatim.url, replica_path)
    place = online.geocode("Aleksanterinkatu 20,  Helsinki")
    assert place == Place(60.168978, 24.953182, "Aleksanterinkatu 20, Kluuvi, Helsinki, Finland")
    sent = nominatim.requests()
    assert [r["path"] for r in sent] == ["/search"]
    assert sent[0]["agent"] == AGENT
    assert sent[0]["query"]["q"] == "Aleksanterinkatu 20,  Helsinki"

    nominatim.stop()  # offline from here: a fresh Geocoder on the same replica, as after a restart
    offline = geocoder(nominatim.url, replica_path)
    assert offline.geocode("aleksanterinkatu 20, HELSINKI") == place
    assert offline.requests == 0
    replica = Replica(replica_path)
    try:
        rows = replica.conn.execute("SELECT kind, query FROM geocode_cache").fetchall()
    finally:
        replica.close()
    assert rows == [("geocode", "aleksanterinkatu 20, helsinki")]


def test_reverse_geocoding_is_cached_per_small_square(nominatim: FakeNominatim, replica_path: Path) -> None:
    online = geocoder(nominatim.url, replica_path)
    place = online.reverse(60.16991, 24.95301)
    assert place is not None and place.address == "Near 60.1699 24.9530, Helsinki, Finland"
    # A few metres away: the same square, no new request.
    assert online.reverse(60.169912, 24.953012) == place
    assert len(nominatim.requests()) == 1
    nominatim.stop()
    assert geocoder(nominatim.url, replica_path).reverse(60.16991, 24.95301) == place


def test_offline_without_a_cached_answer_gives_nothing_and_raises_nothing(replica_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens here
    offline = geocoder(url, replica_path)
    assert offline.geocode("Mannerheimintie 18, Helsinki") is None
    assert offline.reverse(60.17, 24.94) is None
    assert offline.requests == 2  # it tried; the failure is not cached
    assert SQLiteGeocodeCache(replica_path).get("geocode", "mannerheimintie 18, helsinki") is None


def test_an_unknown_address_is_remembered_as_unknown(nominatim: FakeNominatim, replica_path: Path) -> None:
    online = geocoder(nominatim.url, replica_path)
    assert online.geocode("Nowhere street 1") is None
    assert online.geocode("Nowhere street 1") is None
    assert len(nominatim.requests()) == 1


def test_a_stale_answer_is_asked_again_and_kept_when_the_service_is_gone(
    nominatim: FakeNominatim, replica_path: Path
) -> None:
    now = [time.time()]
    cache = SQLiteGeocodeCache(replica_path)
    first = Geocoder(
        cache, make_geocoder(AGENT, url=nominatim.url), min_delay_seconds=0, clock=lambda: now[0]
    )
    place = first.geocode("Mannerheimintie 18, Helsinki")
    now[0] += 31 * 24 * 3600
    assert first.geocode("Mannerheimintie 18, Helsinki") == place
    assert len(nominatim.requests()) == 2
    nominatim.stop()
    now[0] += 31 * 24 * 3600
    assert first.geocode("Mannerheimintie 18, Helsinki") == place  # old, but better than nothing


def test_requests_keep_the_rate_limit(nominatim: FakeNominatim, replica_path: Path) -> None:
    polite = Geocoder(
        SQLiteGeocodeCache(replica_path), make_geocoder(AGENT, url=nominatim.url), min_delay_seconds=0.3
    )
    started = time.monotonic()
    for i in range(3):
        polite.reverse(60.16 + i / 100, 24.94)
    assert time.monotonic() - started >= 0.6


def test_a_geocoder_needs_a_user_agent() -> None:
    with pytest.raises(ValueError, match="User-Agent"):
        make_geocoder("  ")


def test_without_a_configured_service_answers_come_from_the_cache_alone(
    nominatim: FakeNominatim, replica_path: Path
) -> None:
    geocoder(nominatim.url, replica_path).geocode("Aleksanterinkatu 20, Helsinki")  # cached earlier
    asked = len(nominatim.requests())
    cache_only = Geocoder(SQLiteGeocodeCache(replica_path), None)
    assert cache_only.geocode("Aleksanterinkatu 20, Helsinki") is not None
    assert cache_only.reverse(60.2, 24.9) is None
    assert cache_only.requests == 0 and len(nominatim.requests()) == asked
