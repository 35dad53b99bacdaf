"""The demo as a newcomer meets it: a real `python -m fieldapp.demo` and `fieldapp gui` process.

A window that cannot open says why in one plain line and exits non-zero; the devices
report the tickets they hold on every run (not only what the last sync brought); the
server listens on the port asked for; the devices play the shipped drive as position.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from serverproc import free_port

from fieldapp import demo

ROOT = Path(__file__).resolve().parents[1]


def no_display_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="xcb", **extra)
    return env


def test_the_app_without_a_display_says_so_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fieldapp", "--profile", str(tmp_path / "device"), "gui"],
        env=no_display_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "fieldapp: the app window cannot open: no display: set DISPLAY or use QT_QPA_PLATFORM=offscreen"
    ]
    assert "Traceback" not in result.stdout + result.stderr


def test_a_display_nobody_answers_on_is_named(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fieldapp", "--profile", str(tmp_path / "device"), "gui"],
        env=no_display_env(DISPLAY=":87"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "fieldapp: the app window cannot open: no display: nothing answers on DISPLAY=:87; "
        "start X or use QT_QPA_PLATFORM=offscreen"
    ]


def test_the_demo_without_a_display_says_why_before_starting_anything(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    result = subprocess.run(
        [sys.executable, "-m", "fieldapp.demo", "--data", str(data), "--port", str(free_port())],
        env=no_display_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("demo:")]
    assert lines == [
        "demo: the app window cannot open: no display: set DISPLAY or use QT_QPA_PLATFORM=offscreen "
        "(--no-gui runs the server alone)"
    ]
    assert "Traceback" not in result.stderr and not data.exists()


def run_demo_until_ready(data: Path, port: int) -> list[str]:
    """Start the demo without a window, read its report, stop it with Ctrl+C."""
    command = [sys.executable, "-m", "fieldapp.demo", "--data", str(data), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--tickets", "40", "--no-gui"],
        env=no_display_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl+C"):
                assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).ok
                break
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return lines


def test_every_run_counts_the_tickets_the_device_holds_on_the_port_asked_for(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    port = free_port()
    first = run_demo_until_ready(data, port)
    again = run_demo_until_ready(data, port)  # the re-run: nothing new to pull
    aino = [line for line in first if line.startswith("aino: ")]
    assert len(aino) == 1 and not aino[0].endswith(" 0 tickets on the device"), first
    assert [line for line in again if line.startswith("aino: ")] == aino
    assert any(line.startswith("Case server: http://127.0.0.1:") for line in again)


def test_the_demo_port_must_be_a_port(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fieldapp.demo", "--data", str(tmp_path / "d"), "--port", "70000", "--no-gui"],
        env=no_display_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "--port 70000" in result.stderr and "Traceback" not in result.stderr


def test_the_demo_device_follows_the_shipped_drive(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    env = demo.device_environment({})
    assert env["FIELDAPP_GPS"] == f"nmea:{demo.DEMO_TRACK}" and demo.DEMO_TRACK.exists()
    assert demo.device_environment({"FIELDAPP_GPS": "serial:/dev/ttyUSB0"})["FIELDAPP_GPS"] == (
        "serial:/dev/ttyUSB0"
    )
    from fieldapp.positioning import PositionService

    monkeypatch.setenv("FIELDAPP_GPS", env["FIELDAPP_GPS"])
    service = PositionService.from_environment()
    assert service is not None
    fixes: list[tuple[float, float]] = []
    service.position_changed.connect(lambda lat, lon, _acc: fixes.append((lat, lon)))
    try:
        service.start()
        qtbot.waitUntil(lambda: len(fixes) >= 2, timeout=15_000)
    finally:
        service.close()
    first_line = demo.DEMO_TRACK.read_text().splitlines()[0].split(",")
    lat = int(first_line[3][:2]) + float(first_line[3][2:]) / 60
    lon = int(first_line[5][:3]) + float(first_line[5][3:]) / 60
    assert math.isclose(fixes[0][0], lat, abs_tol=1e-4) and math.isclose(fixes[0][1], lon, abs_tol=1e-4)


def test_missing_window_libraries_are_named_with_their_packages(tmp_path: Path) -> None:
    """A display that answers, and a window plugin needing a library this machine lacks."""
    import random
    import socket

    from test_system_deps import ABSENT, plugin_needing_an_absent_library

    from fieldapp.windowcheck import window_problem

    plugin = plugin_needing_an_absent_library(tmp_path)
    number = random.randint(500, 9000)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as x_server:  # an X server's abstract socket
        x_server.bind(f"\0/tmp/.X11-unix/X{number}")
        x_server.listen(1)
        env = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": f":{number}"}
        problem = window_problem(env, plugin_files=[plugin])
        assert window_problem(env, plugin_files=[]) is None
    assert problem is not None
    missing = problem.split(" are missing")[0].removeprefix("the window system libraries ").split(", ")
    assert ABSENT.decode() in missing
    packages = problem.split("sudo apt-get install ")[1].split()
    assert ABSENT.decode() in packages  # no package known: named as it is
    assert problem.startswith("the window system libraries ") and "packaging/system-deps.sh" in problem
