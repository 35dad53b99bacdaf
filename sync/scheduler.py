"""Background sync: periodic, on demand, with exponential backoff and jitter after failures.

APScheduler runs the engine on its own worker thread; nothing here blocks the
caller. After a failure the next attempt comes sooner than the regular interval
at first and then further apart (capped), without waiting for a new edit.

Photo uploads (sync.uploads.UploadQueue) run as their own job on their own worker,
so a slow upload never delays record sync: the queue runs after each sync that
leaves photos waiting, on demand, periodically, and with its own backoff.

A reachability probe (sync.reachability), when given, checks the server on a third
worker every few seconds: losing the server shows as the offline state at once, with
no edit needed, and its return starts a sync (and the upload queue) that sends what
waits.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger

from sync.engine import SyncEngine, SyncReport
from sync.errors import AuthRequired, ServerBusy, SyncError
from sync.reachability import Reachability, ReachabilityProbe

if TYPE_CHECKING:  # the tus client is imported only by those who upload
    from sync.uploads import UploadQueue, UploadReport

log = logging.getLogger(__name__)
JOB_ID = "sync"
UPLOAD_JOB_ID = "uploads"
PROBE_JOB_ID = "reachability"


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds before retry number `failures` (1, 2, ...): base·2^(n-1), capped, ±50% jitter."""
    delay = min(cap, base * (2 ** max(0, failures - 1)))
    return delay * rng.uniform(0.5, 1.5)


def retry_delay(exc: SyncError, failures: int, base: float, cap: float, rng: random.Random) -> float:
    """The wait before retrying after `exc`: what a busy server asked for (spread by up to half
    again, so devices told the same moment do not all come back at once), else the backoff."""
    if isinstance(exc, ServerBusy):
        return exc.retry_after * rng.uniform(1.0, 1.5)
    return backoff_delay(failures, base, cap, rng)


class SyncScheduler:
    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval: float = 120.0,
        retry_base: float = 5.0,
        retry_cap: float = 600.0,
        seed: int | None = None,
        uploads: UploadQueue | None = None,
        probe: ReachabilityProbe | None = None,
    ) -> None:
        self.engine = engine
        self.uploads = uploads
        self.probe = probe
        self.upload_failures = 0
        self.last_upload: UploadReport | None = None
        self.last_upload_error: SyncError | None = None
        self.interval = interval
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.failures = 0
        self.last_report: SyncReport | None = None
        self.last_error: SyncError | None = None
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._again = False
        self._scheduler = BackgroundScheduler(
            executors={
                "default": ThreadPoolExecutor(1),
                UPLOAD_JOB_ID: ThreadPoolExecutor(1),
                PROBE_JOB_ID: ThreadPoolExecutor(1),
            },
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def start(self, *, sync_now: bool = True) -> None:
        self._scheduler.start()
        self._schedule(0.0 if sync_now else self.interval)
        if self.uploads is not None:
            self._schedule_upload(self.interval)
        if self.probe is not None:
            self._schedule_probe(self.probe.interval)

    def stop(self, wait: bool = True) -> None:
        if self.uploads is not None:
            self.uploads.cancel()  # a running upload stops part-way and resumes next time
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    def upload_now(self) -> None:
        """Run the upload queue as soon as its worker is free."""
        self._schedule_upload(0.0)

    def next_upload(self) -> datetime | None:
        job = self._scheduler.get_job(UPLOAD_JOB_ID)
        return job.next_run_time if job else None

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def sync_now(self) -> None:
        """Ask for a sync as soon as the worker is free (an edit, or a 'sync now' button).

        Asked while a sync runs, another follows it at once: the running one may have
        read the outbox before the edit that asked.
        """
        self._again = True
        self._schedule(0.0)

    def next_run(self) -> datetime | None:
        job = self._scheduler.get_job(JOB_ID)
        return job.next_run_time if job else None

    def _schedule(self, delay: float) -> None:
        with self._lock:
            if not self._scheduler.running:
                return
            when = datetime.now().astimezone() + timedelta(seconds=delay)
            self._scheduler.add_job(self._run, DateTrigger(run_date=when), id=JOB_ID, replace_existing=True)

    def _schedule_upload(self, delay: float) -> None:
        with self._lock:
            if not self._scheduler.running or self.uploads is None:
                return
            when = datetime.now().astimezone() + timedelta(seconds=delay)
            self._scheduler.add_job(
                self._run_uploads,
                DateTrigger(run_date=when),
                id=UPLOAD_JOB_ID,
                executor=UPLOAD_JOB_ID,
                replace_existing=True,
            )

    def _schedule_probe(self, delay: float) -> None:
        with self._lock:
            if not self._scheduler.running or self.probe is None:
                return
            when = datetime.now().astimezone() + timedelta(seconds=delay)
            self._scheduler.add_job(
                self._run_probe,
                DateTrigger(run_date=when),
                id=PROBE_JOB_ID,
                executor=PROBE_JOB_ID,
                replace_existing=True,
            )

    def _run_probe(self) -> None:
        assert self.probe is not None
        try:
            change = self.probe.check()
        except Exception:  # a bug must not stop the checks for good
            log.exception("reachability check failed unexpectedly")
            change = None
        if change is not None:
            self._reachability_changed(change)
        probe = self.probe
        if probe.failures:
            self._schedule_probe(backoff_delay(probe.failures, probe.retry_base, probe.retry_cap, self._rng))
        else:
            self._schedule_probe(probe.interval)

    def _reachability_changed(self, change: Reachability) -> None:
        """Offline at once when the server is lost; when it is back, sync what waits."""
        if not change.reachable:
            state = self.engine.state
            if state.phase != "offline":
                self.engine.state = replace(state, phase="offline", message=change.message, progress=None)
                self.engine.events.emit("state", self.engine.state)
            return
        self.failures = 0
        self.upload_failures = 0
        self.sync_now()  # its states say "syncing", then "idle" once the queue is sent
        if self.uploads is not None:
            self.upload_now()

    def _run_uploads(self) -> None:
        assert self.uploads is not None
        try:
            self.last_upload = self.uploads.run()
        except SyncError as exc:  # offline, signed out, server failing: all kept, retried later
            self.last_upload_error = exc
            self.upload_failures += 1
            cap = self.retry_cap if isinstance(exc, AuthRequired) else None
            delay = cap or retry_delay(exc, self.upload_failures, self.retry_base, self.retry_cap, self._rng)
            self._schedule_upload(delay)
            return
        except Exception:  # a bug must not stop uploads for good
            log.exception("photo upload failed unexpectedly")
            self.upload_failures += 1
            delay = backoff_delay(self.upload_failures, self.retry_base, self.retry_cap, self._rng)
            self._schedule_upload(delay)
            return
        self.upload_failures = 0
        self.last_upload_error = None
        self._schedule_upload(self.interval)

    def _run(self) -> None:
        self._again = False
        try:
            self.last_report = self.engine.sync()
        except AuthRequired as exc:
            # Retrying cannot help until the user signs in again; keep everything queued.
            self.last_error = exc
            self.failures += 1
            self._schedule(self.retry_cap)
            return
        except SyncError as exc:
            self.last_error = exc
            self.failures += 1
            self._schedule(retry_delay(exc, self.failures, self.retry_base, self.retry_cap, self._rng))
            return
        except Exception as exc:  # a bug must not stop background sync for good
            log.exception("sync failed unexpectedly")
            self.last_error = SyncError(f"sync failed unexpectedly: {exc}")
            self.failures += 1
            self.engine.state = replace(self.engine.state, phase="error", message=str(self.last_error))
            self.engine.events.emit("state", self.engine.state)
            self._schedule(backoff_delay(self.failures, self.retry_base, self.retry_cap, self._rng))
            return
        self.failures = 0
        self.last_error = None
        if self.probe is not None:
            self.probe.saw(Reachability(True))  # a later failed check is news
        self._schedule(0.0 if self._again else self.interval)
        if self.uploads is not None:
            self.upload_now()  # the server answers, and photos whose metadata just arrived can go
