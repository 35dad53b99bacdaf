"""Background sync: periodic, on demand, with exponential backoff and jitter after failures.

APScheduler runs the engine on its own worker thread; nothing here blocks the
caller. After a failure the next attempt comes sooner than the regular interval
at first and then further apart (capped), without waiting for a new edit.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import replace
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger

from sync.engine import SyncEngine, SyncReport
from sync.errors import AuthRequired, SyncError

log = logging.getLogger(__name__)
JOB_ID = "sync"


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds before retry number `failures` (1, 2, ...): base·2^(n-1), capped, ±50% jitter."""
    delay = min(cap, base * (2 ** max(0, failures - 1)))
    return delay * rng.uniform(0.5, 1.5)


class SyncScheduler:
    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval: float = 120.0,
        retry_base: float = 5.0,
        retry_cap: float = 600.0,
        seed: int | None = None,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.failures = 0
        self.last_report: SyncReport | None = None
        self.last_error: SyncError | None = None
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def start(self, *, sync_now: bool = True) -> None:
        self._scheduler.start()
        self._schedule(0.0 if sync_now else self.interval)

    def stop(self, wait: bool = True) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def sync_now(self) -> None:
        """Ask for a sync as soon as the worker is free (an edit, or a 'sync now' button)."""
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

    def _run(self) -> None:
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
            self._schedule(backoff_delay(self.failures, self.retry_base, self.retry_cap, self._rng))
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
        self._schedule(self.interval)
