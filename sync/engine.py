"""One sync run: push the outbox in batches, pull the feed, check the replica's digest.

No threads here: the scheduler (or a GUI worker) calls `SyncEngine.sync()` off the
GUI thread. Progress and state go out through the EventBus.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync import milestones, opscounts
from sync.client import CaseServerClient
from sync.errors import AuthRequired, LocalError, Offline, RequestRefused, SyncError
from sync.events import EventBus, SyncState
from sync.replica import Replica, now_iso
from sync.wire import DEFAULT_FEED_PAGE, MAX_OPS_PER_PUSH


@dataclass
class SyncReport:
    pushed: int = 0
    applied: int = 0
    conflicts: int = 0
    rejected: int = 0
    pulled: int = 0
    new_tickets: int = 0
    revoked: int = 0
    requests: int = 0
    repulled: bool = False
    outcomes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


class SyncEngine:
    def __init__(
        self,
        replica_path: str | Path,
        events: EventBus | None = None,
        *,
        page_size: int = DEFAULT_FEED_PAGE,
        batch_size: int = MAX_OPS_PER_PUSH,
        client_factory: Callable[[str, str | None], CaseServerClient] = CaseServerClient,
    ) -> None:
        self.replica_path = Path(replica_path)
        self.events = events or EventBus()
        self.page_size = page_size
        self.batch_size = batch_size
        self._client_factory = client_factory
        self._lock = threading.Lock()
        self.state = SyncState()
        #: The latest position fix (note_position), sent while sharing is on.
        self.last_fix: dict[str, Any] | None = None

    # -- state ----------------------------------------------------------------------
    def _emit_state(
        self,
        replica: Replica,
        phase: str,
        message: str | None = None,
        progress: tuple[str, int, int | None] | None = None,
        auth_required: bool = False,
    ) -> None:
        counts = replica.counts()
        escalated = self.state.escalated
        if phase != "syncing" and replica.role not in (None, "crew"):
            rules = replica.get("escalation_rules")
            escalated = len(milestones.escalated_ids(replica.conn, rules, time.time()))
        self.state = SyncState(
            phase=phase,  # type: ignore[arg-type]
            message=message,
            pending=counts["pending"],
            conflicts=counts["conflicts"],
            rejected=counts["rejected"],
            escalated=escalated,
            last_sync=replica.get("last_sync"),
            progress=progress,
            auth_required=auth_required,
        )
        self.events.emit("state", self.state)

    def refresh_state(self) -> SyncState:
        replica = Replica(self.replica_path)
        try:
            self._emit_state(replica, self.state.phase, self.state.message)
        finally:
            replica.close()
        return self.state

    # -- the run --------------------------------------------------------------------
    def sync(self) -> SyncReport:
        """Push, pull, verify. Raises SyncError (after emitting the state) on failure."""
        with self._lock:
            replica = Replica(self.replica_path)
            try:
                return self._sync(replica)
            finally:
                replica.close()

    def _sync(self, replica: Replica) -> SyncReport:
        server, token = replica.get("server"), replica.get("token")
        if not server or not token:
            self._emit_state(replica, "error", "not signed in")
            raise LocalError("not signed in: use login first")
        client = self._client_factory(server, token)
        report = SyncReport()
        self._emit_state(replica, "syncing", progress=("push", 0, replica.counts()["pending"]))
        try:
            self._push(replica, client, report)
            self._pull(replica, client, report)
            self._pull_optional(replica, "work_catalogue", client.work_catalogue)
            self._share_position(replica, client)
            if replica.role != "crew":  # supervisors see escalations and crews' services offline
                self._pull_optional(replica, "escalation_rules", client.escalation_rules)
                replica.put(crews=client.crews())
                self._pull_optional(replica, "crew_positions", client.crew_positions)
                # The 7- and 30-day statistics of the operations view, taken once per sync.
                replica.put(ops_windows=opscounts.window_stats(replica.conn, time.time()))
        except Offline as exc:
            self._emit_state(replica, "offline", str(exc))
            raise
        except SyncError as exc:
            replica.put(last_error=str(exc))
            self._emit_state(replica, "error", str(exc), auth_required=isinstance(exc, AuthRequired))
            raise
        finally:
            client.close()
        replica.put(last_sync=now_iso(), last_error=None)
        self._emit_state(replica, "idle")
        self.events.emit("synced", report)
        if report.new_tickets:
            self.events.emit("new_tickets", report.new_tickets)
        return report

    def note_position(self, lat: float, lon: float, accuracy_m: float | None = None) -> None:
        """The device's latest fix (from the GUI's position source); sent at the next sync
        while the user shares their position. Only remembered here: no I/O."""
        self.last_fix = {
            "lat": lat,
            "lon": lon,
            "accuracy_m": accuracy_m if accuracy_m and accuracy_m > 0 else None,
            "fixed_at": now_iso(),
        }

    def _share_position(self, replica: Replica, client: CaseServerClient) -> None:
        """Tell the server when the user turned sharing on or off, and send the last fix while on."""
        wanted = bool(replica.get("share_position", False))
        try:
            if wanted != bool(replica.get("share_position_told", False)):
                client.set_position_sharing(wanted, replica.get("share_position_changed_at"))
                replica.put(share_position_told=wanted)
            fix = self.last_fix
            if wanted and fix is not None and fix["fixed_at"] != replica.get("position_sent_at"):
                client.send_position(fix)
                replica.put(position_sent_at=fix["fixed_at"])
        except RequestRefused as exc:
            if exc.status not in (403, 404):  # a server without positions, or not a crew device
                raise

    @staticmethod
    def _pull_optional(replica: Replica, key: str, fetch: Callable[[], Any]) -> None:
        """Settings the server sends (rules, the work catalogue), kept in the replica's meta;
        a server without them (404, an older one) leaves the last ones."""
        try:
            replica.put(**{key: fetch()})
        except RequestRefused as exc:
            if exc.status != 404:
                raise

    def _push(self, replica: Replica, client: CaseServerClient, report: SyncReport) -> None:
        batch = self.batch_size
        total = replica.counts()["pending"]
        while True:
            ops = replica.pending_ops(batch)
            if not ops:
                return
            try:
                results = client.push(ops)
            except RequestRefused as exc:
                if exc.status == 413 and batch > 1:
                    batch = max(1, batch // 2)
                    continue
                raise
            report.requests += 1
            replica.apply_results(ops, results)
            report.pushed += len(ops)
            for result in results:
                outcome = result["outcome"]
                report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
            report.applied = report.outcomes.get("applied", 0) + report.outcomes.get("merged", 0)
            report.conflicts = report.outcomes.get("conflict", 0)
            report.rejected = report.outcomes.get("rejected", 0)
            self._emit_state(replica, "syncing", progress=("push", report.pushed, total))

    def _pull(self, replica: Replica, client: CaseServerClient, report: SyncReport) -> None:
        page = self._pull_pages(replica, client, report, full=False)
        server_digest = None if page is None else page.get("digest")
        if server_digest is not None and replica.digest() != (server_digest, page["count"]):
            report.repulled = True
            self._pull_pages(replica, client, report, full=True)

    def _pull_pages(
        self, replica: Replica, client: CaseServerClient, report: SyncReport, *, full: bool
    ) -> dict[str, Any] | None:
        cursor = 0 if full else replica.cursor
        seen: set[str] | None = set() if full else None
        page = None
        while True:
            page = client.feed(cursor, self.page_size)
            report.requests += 1
            report.new_tickets += replica.apply_page(page, seen=seen)
            report.pulled += len(page["tickets"])
            report.revoked += len(page["revoked"])
            cursor = int(page["cursor"])
            self._emit_state(replica, "syncing", progress=("pull", report.pulled, None))
            if not page["more"]:
                break
        if seen is not None:
            replica.drop_unseen(seen)
        return page


def sign_in(
    replica_path: str | Path,
    server: str,
    username: str,
    password: str,
    device_name: str = "field device",
) -> dict[str, Any]:
    """Sign in and remember the device. Refuses to switch users while work is unsynced."""
    replica = Replica(replica_path)
    try:
        previous = replica.get("user")
        counts = replica.counts()
        switching = previous and (previous["username"] != username or replica.get("server") != server)
        if switching and (counts["pending"] or counts["conflicts"] or counts["rejected"]):
            raise LocalError(f"{previous['username']} has unsynced work on this device: sync it first")
        client = CaseServerClient(server)
        try:
            answer = client.login(username, password, device_name, replica.device_id)
        finally:
            client.close()
        if previous and (previous["username"] != username or replica.get("server") != server):
            replica.wipe()
        replica.put(
            server=server,
            token=answer["token"],
            token_expires=answer["expires_at"],
            device_id=answer["device_id"],
            user=answer["user"],
        )
        return dict(answer["user"])
    finally:
        replica.close()
