"""Background sync: state events, retries with backoff after failures, no new edit needed."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

from serverproc import CaseServer, Device, restart_server, start_server

from sync.engine import SyncEngine
from sync.events import EventBus, SyncState
from sync.reachability import Reachability, ReachabilityProbe
from sync.scheduler import SyncScheduler, backoff_delay


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    rng = random.Random(1)
    for failures in range(1, 12):
        nominal = min(600.0, 5.0 * 2 ** (failures - 1))
        delay = backoff_delay(failures, 5.0, 600.0, rng)
        assert 0.5 * nominal <= delay <= 1.5 * nominal
    samples = {round(backoff_delay(3, 5.0, 600.0, rng), 3) for _ in range(20)}
    assert len(samples) > 10  # jitter spreads devices that failed together


def test_scheduler_goes_offline_then_syncs_by_itself_when_the_server_returns(
    backend: str, tmp_path: Path
) -> None:
    from serverproc import fresh_database_url

    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(url, tmp_path)
        try:
            admin = server.token("admin")
            ticket_id = server.create_ticket(admin, assigned_crew="north")["id"]
            device = Device(tmp_path / "dev", server, "aino")
            device.sync()
            device.note(ticket_id, "queued while the server is down")
            server.stop()

            events = EventBus()
            states: list[SyncState] = []
            offline = threading.Event()
            idle_again = threading.Event()

            def on_state(state: SyncState) -> None:
                states.append(state)
                if state.phase == "offline":
                    offline.set()
                if state.phase == "idle" and offline.is_set():
                    idle_again.set()

            events.subscribe("state", on_state)
            scheduler = SyncScheduler(
                SyncEngine(device.path, events), interval=3600, retry_base=0.2, retry_cap=1.0, seed=7
            )
            scheduler.start()
            try:
                assert offline.wait(30), states
                deadline = time.monotonic() + 10
                while scheduler.failures < 1 and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert scheduler.failures >= 1
                offline_state = next(s for s in states if s.phase == "offline")
                assert offline_state.pending == 1 and "cannot reach" in (offline_state.message or "")
                # The server comes back on the same port and database; no new edit is made.
                server = restart_server(server, tmp_path)
                assert idle_again.wait(30), states
            finally:
                scheduler.stop()
            assert states[-1].pending == 0 and states[-1].last_sync
            notes = server.get_ticket(server.token("admin"), ticket_id)["notes"]
            assert [n["text"] for n in notes] == ["queued while the server is down"]
        finally:
            server.stop()


def test_sync_now_runs_at_once_and_reports_progress(server: CaseServer, tmp_path: Path) -> None:
    admin = server.token("admin")
    for _ in range(3):
        server.create_ticket(admin, assigned_crew="north")
    device = Device(tmp_path / "dev", server, "aino")
    events = EventBus()
    seen: list[SyncState] = []
    done = threading.Event()

    def on_state(state: SyncState) -> None:
        seen.append(state)
        if state.phase == "idle":
            done.set()

    events.subscribe("state", on_state)
    scheduler = SyncScheduler(SyncEngine(device.path, events), interval=3600)
    scheduler.start(sync_now=False)
    try:
        scheduler.sync_now()
        assert done.wait(30)
    finally:
        scheduler.stop()
    phases = [s.phase for s in seen]
    assert phases[0] == "syncing" and phases[-1] == "idle"
    pulls = [s.progress for s in seen if s.progress and s.progress[0] == "pull"]
    assert pulls and pulls[-1][1] >= 3
    with device.replica() as replica:
        assert replica.ticket_count() >= 3


def test_an_edit_made_while_a_sync_runs_is_sent_right_after_it(server: CaseServer, tmp_path: Path) -> None:
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    device = Device(tmp_path / "dev", server, "aino")
    device.sync()
    scheduler = SyncScheduler(device.engine, interval=3600)
    edited = threading.Event()

    def edit_during_the_pull(state: SyncState) -> None:
        pulling = state.phase == "syncing" and state.progress and state.progress[0] == "pull"
        if pulling and not edited.is_set():
            edited.set()  # the running sync has already pushed: this edit needs another one
            device.note(ticket_id, "written while syncing")
            scheduler.sync_now()

    device.engine.events.subscribe("state", edit_during_the_pull)
    scheduler.start(sync_now=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and device.counts()["pending"] + (not edited.is_set()):
            time.sleep(0.05)
        assert edited.is_set() and device.counts()["pending"] == 0
    finally:
        scheduler.stop()
    notes = server.get_ticket(server.token("admin"), ticket_id)["notes"]
    assert [n["text"] for n in notes] == ["written while syncing"]


def test_the_probe_turns_offline_without_an_edit_and_its_return_sends_the_queue(
    backend: str, tmp_path: Path
) -> None:
    from serverproc import fresh_database_url

    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(url, tmp_path)
        try:
            ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
            device = Device(tmp_path / "dev", server, "aino")
            events = EventBus()
            states: list[SyncState] = []
            seen: list[Reachability] = []
            events.subscribe("state", states.append)
            events.subscribe("reachability", seen.append)
            engine = SyncEngine(device.path, events)
            probe = ReachabilityProbe(device.path, events, interval=0.3, retry_base=0.2, retry_cap=0.5)
            scheduler = SyncScheduler(engine, interval=3600, retry_cap=3600, probe=probe)
            scheduler.start()
            try:
                _wait(lambda: engine.state.phase == "idle" and engine.state.last_sync)
                time.sleep(1.5)  # several checks while the server answers: news only on change
                assert (
                    seen == []
                    and sum(s.phase == "syncing" and s.progress == ("push", 0, 0) for s in states) == 1
                )
                server.kill()  # no edit, no sync: the probe alone notices
                _wait(lambda: engine.state.phase == "offline")
                assert [r.reachable for r in seen] == [False]
                assert "cannot reach the case server" in (engine.state.message or "")
                device.note(ticket_id, "written while the server is down")
                server = restart_server(server, tmp_path)
                # Sync's own retry is an hour away: the probe's news of the return sends it.
                _wait(lambda: engine.state.phase == "idle" and engine.state.pending == 0)
                assert [r.reachable for r in seen] == [False, True]
            finally:
                scheduler.stop()
            notes = server.get_ticket(server.token("admin"), ticket_id)["notes"]
            assert [n["text"] for n in notes] == ["written while the server is down"]
        finally:
            server.stop()


def _wait(done: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


def test_the_default_probe_keeps_the_15_second_promise_on_paper() -> None:
    """The window test runs with a short period; this pins the defaults a crew gets."""
    from sync.reachability import INTERVAL, RETRY_BASE, RETRY_CAP, TIMEOUT, ReachabilityProbe

    probe = ReachabilityProbe(Path("unused.sqlite"))
    assert (probe.interval, probe.retry_base, probe.retry_cap, probe.timeout) == (
        INTERVAL,
        RETRY_BASE,
        RETRY_CAP,
        TIMEOUT,
    )
    # Lost: the next check comes within one interval and fails within its timeout.
    assert INTERVAL + TIMEOUT <= 15.0
    # Back: however long the server was away, the next check comes within the capped
    # backoff with its jitter (+50%), and a check that answers takes milliseconds.
    rng = random.Random(5)
    longest = max(backoff_delay(n, RETRY_BASE, RETRY_CAP, rng) for n in range(1, 60) for _ in range(20))
    assert longest <= RETRY_CAP * 1.5 <= 15.0 - 2.0  # leaves time for the sync that shows online
