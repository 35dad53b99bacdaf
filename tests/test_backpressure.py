"""A storm larger than the server: it turns requests away with 503 and Retry-After, devices
wait as told and come back by themselves, and every op arrives exactly once.

A real `caseserver serve` process allowed 2 API requests at a time; 12 devices (real
replicas, each with its own background scheduler) with 15 offline notes each, all told to
sync at the same moment.
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from serverproc import CaseServer, Device, fresh_database_url, start_server

from sync.client import retry_after
from sync.errors import Offline, ServerBusy
from sync.scheduler import SyncScheduler, retry_delay

DEVICES = 12
NOTES = 15


@pytest.fixture
def small_server(backend: str, tmp_path: Path) -> CaseServer:
    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(
            url, tmp_path, access_log=True, CASESERVER_MAX_IN_FLIGHT="2", CASESERVER_BUSY_RETRY_SECONDS="1"
        )
        try:
            yield server
        finally:
            server.stop()


def test_a_storm_is_turned_away_with_retry_after_and_every_device_finishes(
    small_server: CaseServer, tmp_path: Path
) -> None:
    server = small_server
    ticket_id = str(server.create_ticket(server.token("admin"), assigned_crew="north")["id"])
    devices = [Device(tmp_path / f"tablet-{n}", server, ("aino", "eero")[n % 2]) for n in range(DEVICES)]
    for n, device in enumerate(devices):
        device.sync()
        for k in range(NOTES):
            device.note(ticket_id, f"device {n} note {k}")
    schedulers = [
        SyncScheduler(device.engine, interval=3600, retry_base=30, retry_cap=60, seed=n)
        for n, device in enumerate(devices)
    ]
    busy_seen: list[float] = []
    for scheduler in schedulers:
        scheduler.start()  # all at once: the morning storm in miniature
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            for scheduler in schedulers:
                if isinstance(scheduler.last_error, ServerBusy):
                    busy_seen.append(scheduler.last_error.retry_after)
            if all(s.last_report is not None and s.last_error is None for s in schedulers):
                break
            time.sleep(0.05)
    finally:
        for scheduler in schedulers:
            scheduler.stop()
    assert all(d.counts()["pending"] == 0 for d in devices), [d.counts() for d in devices]
    # Some were told to come back (and waited what they were told, not the 30 s backoff).
    assert busy_seen and set(busy_seen) == {1.0}

    log = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
    statuses = [line["status"] for line in log if line.get("logger") == "caseserver.access"]
    assert 503 in statuses and 500 not in statuses
    notes = [n["text"] for n in server.get_ticket(server.token("admin"), ticket_id)["notes"]]
    expected = [f"device {n} note {k}" for n in range(DEVICES) for k in range(NOTES)]
    assert sorted(notes) == sorted(expected)  # every op exactly once

    # The answer itself: JSON, 503, Retry-After, and health checks are never turned away.
    assert requests.get(f"{server.url}/health/ready", timeout=10).status_code == 200


def test_a_busy_server_sets_the_wait_and_other_failures_back_off() -> None:
    rng = random.Random(3)
    waits = [retry_delay(ServerBusy("busy", 4.0), failures=6, base=5, cap=600, rng=rng) for _ in range(200)]
    assert min(waits) >= 4.0 and max(waits) <= 6.0 and len({round(w, 3) for w in waits}) > 100  # spread
    backoff = [retry_delay(Offline("down"), failures=6, base=5, cap=600, rng=rng) for _ in range(200)]
    assert min(backoff) >= 80 and max(backoff) <= 240  # 5 * 2^5 = 160, +-50%


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("0", 0.0), ("99999", 600.0), ("soon", None), ("", None)],
)
def test_retry_after_is_read_as_seconds_or_a_date(header: str, seconds: float | None) -> None:
    answer = requests.Response()
    if header:
        answer.headers["Retry-After"] = header
    assert retry_after(answer) == seconds
    in_a_minute = requests.Response()
    in_a_minute.headers["Retry-After"] = format_datetime(
        datetime.now(UTC) + timedelta(seconds=60), usegmt=True
    )
    assert 55 <= (retry_after(in_a_minute) or 0) <= 61
