"""The Qt adapter of the sync core: core events re-emitted as signals on the GUI thread.

The engine and scheduler know nothing of Qt; they call EventBus callbacks on their
worker thread. This object lives on the GUI thread, so its signals are delivered
to GUI slots through Qt's queued connections.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldapp.qt import QObject, Signal
from sync.engine import SyncEngine
from sync.events import EventBus, SyncState
from sync.reachability import INTERVAL as PROBE_INTERVAL
from sync.reachability import ReachabilityProbe
from sync.scheduler import SyncScheduler
from sync.uploads import UploadQueue


class SyncBridge(QObject):
    #: A new SyncState (phase, counts, progress, message).
    state_changed = Signal(object)
    #: This many tickets arrived that the device did not have before.
    new_tickets = Signal(int)
    #: A sync finished (its SyncReport).
    synced = Signal(object)
    #: A photo upload moved on (sync.uploads.UploadProgress).
    upload_progress = Signal(object)
    #: The server was lost or is back (sync.reachability.Reachability); the state follows.
    reachability_changed = Signal(object)

    def __init__(
        self,
        replica_path: Path,
        *,
        interval: float = 120.0,
        probe_interval: float = PROBE_INTERVAL,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.events = EventBus()
        self.engine = SyncEngine(replica_path, self.events)
        self.uploads = UploadQueue(replica_path, self.events)
        self.probe = ReachabilityProbe(replica_path, self.events, interval=probe_interval)
        self.scheduler = SyncScheduler(self.engine, interval=interval, uploads=self.uploads, probe=self.probe)
        self._unsubscribe = [
            self.events.subscribe("reachability", self.reachability_changed.emit),
            self.events.subscribe("upload", self.upload_progress.emit),
            self.events.subscribe("state", self.state_changed.emit),
            self.events.subscribe("new_tickets", self.new_tickets.emit),
            self.events.subscribe("synced", self.synced.emit),
        ]

    @property
    def state(self) -> SyncState:
        return self.engine.state

    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start(sync_now=True)

    def sync_now(self) -> None:
        if self.scheduler.running:
            self.scheduler.sync_now()
        else:
            self.start()

    def upload_now(self) -> None:
        """Run the photo upload queue now (its own worker: record sync is not held up)."""
        if self.scheduler.running:
            self.scheduler.upload_now()

    def stop(self) -> None:
        """Stop background sync and wait for a running sync to finish (nothing is cut off)."""
        self.scheduler.stop(wait=True)
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
