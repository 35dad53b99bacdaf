"""Positions through Qt Positioning from the recorded Helsinki drive, and the pure helpers
that turn them into "nearest first" and "on site"."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
import math
from datetime import datetime
from pathlib import Path

import pytest

from fieldapp.positioning import PositionService, StreamDevice, speed_up_nmea
from fieldapp.qt import QTimer
from maps.geo import bearing_deg, compass, distance_m, format_distance, nearest_first, on_site, way_to

TRACK = Path(__file__).resolve().parents[1] / "resources" / "nmea" / "helsinki-drive.nmea"
#: Real addresses of the demo city (resources/demo_city/addresses.csv) along the drive.
TICKETS = [
    {"id": "A", "address": "Mannerheimintie 18", "lat": 60.169080, "lon": 24.939124},
    {"id": "B", "address": "Eteläesplanadi 18", "lat": 60.167009, "lon": 24.946228},
    {"id": "C", "address": "Aleksanterinkatu 22", "lat": 60.168965, "lon": 24.952540},
    {"id": "D", "address": "Aleksanterinkatu 20", "lat": 60.168978, "lon": 24.953182},
]
SPEED = 100  # play the 1 Hz recording at 100x: a fix every 10 ms


def checksum_ok(line: str) -> bool:
    body, _, given = line[1:].partition("*")
    value = 0
    for char in body:
        value ^= ord(char)
    return f"{value:02X}" == given.strip()


def rmc_fixes(text: str) -> list[tuple[float, float]]:
    """(lat, lon) of every $GPRMC sentence, parsed here independently of Qt."""
    fixes = []
    for line in text.splitlines():
        if line.startswith("$GPRMC"):
            f = line.split(",")
            lat = int(f[3][:2]) + float(f[3][2:]) / 60
            lon = int(f[5][:3]) + float(f[5][3:]) / 60
            fixes.append((lat if f[4] == "N" else -lat, lon if f[6] == "E" else -lon))
    return fixes


def collect(
    qtbot, service: PositionService, count: int, timeout: int = 30_000
) -> list[tuple[float, float, float]]:  # type: ignore[no-untyped-def]
    got: list[tuple[float, float, float]] = []
    service.position_changed.connect(lambda lat, lon, acc: got.append((lat, lon, acc)))
    with qtbot.waitSignal(service.position_changed, timeout=10_000):
        service.start()
    qtbot.waitUntil(lambda: len(got) >= count, timeout=timeout)
    service.stop()
    return got


# -- the recording -------------------------------------------------------------------------
def test_the_recording_is_valid_one_hertz_nmea_through_central_helsinki() -> None:
    lines = TRACK.read_text(encoding="ascii").splitlines()
    assert lines and all(line.startswith("$") and checksum_ok(line) for line in lines)
    kinds = [line[1:6] for line in lines]
    assert kinds[0::2] == ["GPRMC"] * (len(lines) // 2) and kinds[1::2] == ["GPGGA"] * (len(lines) // 2)
    times = [datetime.strptime(line.split(",")[1], "%H%M%S.%f") for line in lines[0::2]]
    steps = {(b - a).total_seconds() for a, b in itertools.pairwise(times)}
    assert steps == {1.0}
    assert 120 <= (times[-1] - times[0]).total_seconds() <= 600  # a few minutes
    fixes = rmc_fixes("\n".join(lines))
    # Inside the demo city's extract, from Mannerheimintie to the Senate Square.
    assert all(60.164 < lat < 60.180 and 24.935 < lon < 24.954 for lat, lon in fixes)
    assert distance_m(fixes[0], (60.171486, 24.937335)) < 150  # Mannerheiminaukio
    assert distance_m(fixes[-1], (60.169410, 24.952160)) < 100  # the Senate Square's south side
    hops = [distance_m(a, b) for a, b in itertools.pairwise(fixes)]
    assert max(hops) < 15  # never faster than 54 km/h


def test_speed_up_keeps_positions_and_checksums() -> None:
    text = TRACK.read_text(encoding="ascii")
    fast = speed_up_nmea(text, SPEED).decode("ascii")
    assert all(checksum_ok(line) for line in fast.splitlines())
    assert rmc_fixes(fast) == rmc_fixes(text)
    stamps = [line.split(",")[1] for line in fast.splitlines()[0::2][:3]]
    assert stamps == ["063000.00", "063000.01", "063000.02"]
    with pytest.raises(ValueError):
        speed_up_nmea(text, 0)


# -- Qt Positioning ----------------------------------------------------------------------------
def test_simulated_drive_delivers_every_fix_in_order(qtbot) -> None:  # type: ignore[no-untyped-def]
    expected = rmc_fixes(TRACK.read_text(encoding="ascii"))
    service = PositionService.nmea_file(TRACK, speed=SPEED)
    assert "helsinki-drive.nmea" in service.description
    got = collect(qtbot, service, len(expected))
    assert len(got) == len(expected)
    for (lat, lon, _), (want_lat, want_lon) in zip(got, expected, strict=True):
        assert lat == pytest.approx(want_lat, abs=1e-7) and lon == pytest.approx(want_lon, abs=1e-7)
    accuracies = [acc for _, _, acc in got]
    assert all(math.isfinite(a) and 5 <= a <= 20 for a in accuracies)  # 2 x HDOP x 5 m
    assert service.last == got[-1] and service.fixes == len(expected)


def test_nearest_first_follows_the_drive_and_on_site_at_the_end(qtbot) -> None:  # type: ignore[no-untyped-def]
    service = PositionService.nmea_file(TRACK, speed=SPEED)
    moved: list[tuple[float, float]] = []
    service.moved.connect(lambda lat, lon: moved.append((lat, lon)))
    got = collect(qtbot, service, len(rmc_fixes(TRACK.read_text(encoding="ascii"))))

    leaders = []
    for lat, lon, _ in got:
        first = nearest_first(TICKETS, (lat, lon))[0]["id"]
        if not leaders or leaders[-1] != first:
            leaders.append(first)
    assert leaders == ["A", "B", "C"]

    start, end = got[0][:2], got[-1][:2]
    assert [t["id"] for t in nearest_first(TICKETS, start)] == ["A", "B", "C", "D"]
    assert [t["id"] for t in nearest_first(TICKETS, end)] == ["C", "D", "B", "A"]
    assert on_site(end, TICKETS[2]) and not on_site(end, TICKETS[3]) and not on_site(start, TICKETS[0])
    assert not any(on_site(pos[:2], TICKETS[1], radius_m=10) for pos in got)
    assert any(on_site(pos[:2], TICKETS[1]) for pos in got)  # drove past B on the Esplanadi

    # `moved` fires only after real movement: far fewer times than fixes, 25 m or more apart.
    assert 20 < len(moved) < len(got) / 2
    assert all(distance_m(a, b) >= 24.9 for a, b in itertools.pairwise(moved))


def test_a_live_nmea_stream_in_real_time_mode(qtbot) -> None:  # type: ignore[no-untyped-def]
    lines = TRACK.read_text(encoding="ascii").splitlines()[:40]
    device = StreamDevice()
    service = PositionService.nmea_stream(device, description="test receiver")
    got: list[tuple[float, float, float]] = []
    service.position_changed.connect(lambda lat, lon, acc: got.append((lat, lon, acc)))
    service.start()
    pending = list(lines)

    def send() -> None:  # a receiver writing an RMC + GGA pair, in pieces
        if pending:
            pair = (pending.pop(0) + "\r\n" + pending.pop(0) + "\r\n").encode("ascii")
            device.feed(pair[:17])
            device.feed(pair[17:])

    timer = QTimer()
    timer.timeout.connect(send)
    timer.start(5)
    qtbot.waitUntil(lambda: len(got) >= 19, timeout=10_000)
    timer.stop()
    service.stop()
    expected = rmc_fixes("\n".join(lines))
    for (lat, lon, _), want in zip(got[:19], expected[:19], strict=True):
        assert (lat, lon) == pytest.approx(want, abs=1e-7)


def test_a_device_file_is_read_as_it_grows(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The serial fallback: an NMEA device (here a plain file being written) read without blocking."""
    device_file = tmp_path / "ttyGPS"
    device_file.write_bytes(b"")
    service = PositionService.from_spec(f"device:{device_file}")
    assert service is not None and str(device_file) in service.description
    got: list[tuple[float, float, float]] = []
    service.position_changed.connect(lambda lat, lon, acc: got.append((lat, lon, acc)))
    service.start()
    lines = TRACK.read_text(encoding="ascii").splitlines()
    with device_file.open("ab") as out:
        for line in lines[:10]:
            out.write(line.encode("ascii") + b"\r\n")
    qtbot.waitUntil(lambda: len(got) >= 4, timeout=10_000)
    service.close()
    assert got[0][:2] == pytest.approx(rmc_fixes("\n".join(lines))[0], abs=1e-7)


def test_source_specs() -> None:
    assert PositionService.from_spec("none") is None
    assert PositionService.from_spec(f"nmea:{TRACK}").description.startswith("NMEA recording")
    with pytest.raises(ValueError):
        PositionService.from_spec("carrier-pigeon:1")
    with pytest.raises(OSError):
        PositionService.from_spec("device:/nonexistent/ttyGPS")


# -- pure helpers --------------------------------------------------------------------------
def test_on_site_within_fifty_metres() -> None:
    ticket = {"id": "x", "lat": 60.169410, "lon": 24.952160}
    north_30 = (60.169410 + 30 / 111_400, 24.952160)
    east_49 = (60.169410, 24.952160 + 49 / (111_320 * math.cos(math.radians(60.16941))))
    north_80 = (60.169410 + 80 / 111_400, 24.952160)
    assert distance_m(north_30, ticket) == pytest.approx(30, abs=0.5)
    assert on_site(north_30, ticket) and on_site(east_49, ticket)
    assert not on_site(north_80, ticket)
    assert on_site(north_80, ticket, radius_m=100)
    assert not on_site(None, ticket)
    assert not on_site(north_30, {"id": "y", "lat": None, "lon": None})


def test_distance_bearing_and_words() -> None:
    senate, cathedral_steps = (60.169410, 24.952160), (60.170300, 24.952160)
    distance, bearing = way_to(senate, {"lat": cathedral_steps[0], "lon": cathedral_steps[1]})
    assert distance == pytest.approx(99.1, abs=0.5)
    assert bearing == pytest.approx(0.0, abs=0.01) and compass(bearing) == "N"
    assert compass(bearing_deg(senate, (60.1694, 24.9600))) == "E"
    assert bearing_deg(senate, senate) is None and compass(None) == ""
    assert (
        nearest_first(
            [
                {"id": "far", "lat": 60.2, "lon": 25.0},
                {"id": "nowhere", "lat": None, "lon": None},
                {"id": "near", "lat": 60.1695, "lon": 24.9522},
            ],
            senate,
        )[0]["id"]
        == "near"
    )
    assert [r["id"] for r in nearest_first(TICKETS, None)] == ["A", "B", "C", "D"]
    assert (format_distance(42), format_distance(850), format_distance(1234), format_distance(math.inf)) == (
        "42 m",
        "850 m",
        "1.2 km",
        "",
    )
