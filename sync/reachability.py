"""Is the case server there? A cheap check while the app is open, so the connection
state tells the truth without waiting for an edit or the next sync.

The probe asks `GET /health` every few seconds while the server answers, and after a
failure retries sooner and then further apart, like sync, but capped so that the
server's return is seen within 15 s. It reports only changes, as "reachability"
events (`Reachability`) on the EventBus; the scheduler turns them into the offline
state and, when the server is back, a sync that sends the queue. No threads here:
the scheduler calls `check()` on its own worker and spaces the checks (`interval`
while the server answers, backoff from `retry_base` to `retry_cap` after failures).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from sync.client import CaseServerClient
from sync.errors import Offline
from sync.events import EventBus
from sync.replica import Replica

#: Seconds between checks while the server answers: a loss shows within this and a timeout.
INTERVAL = 5.0
#: Retries after a failure: base·2^(n-1) capped, ±50% jitter (at most 12 s apart).
RETRY_BASE = 1.0
RETRY_CAP = 8.0
#: A check waits this long for the answer; /health answers in milliseconds.
TIMEOUT = 3.0


@dataclass(frozen=True)
class Reachability:
    reachable: bool
    #: Why not, in words for the user ("cannot reach the case server at ...").
    message: str | None = None


class ReachabilityProbe:
    def __init__(
        self,
        replica_path: str | Path,
        events: EventBus | None = None,
        *,
        interval: float = INTERVAL,
        retry_base: float = RETRY_BASE,
        retry_cap: float = RETRY_CAP,
        timeout: float = TIMEOUT,
    ) -> None:
        self.replica_path = Path(replica_path)
        self.events = events or EventBus()
        self.interval = interval
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.timeout = timeout
        #: None until the first check (or sync) says.
        self.reachable: bool | None = None
        self.failures = 0
        self._lock = threading.Lock()

    def _server(self) -> str | None:
        replica = Replica(self.replica_path)
        try:
            return replica.get("server")  # type: ignore[no-any-return]
        finally:
            replica.close()

    def check(self) -> Reachability | None:
        """Ask the server once; the new state when it changed, else None."""
        server = self._server()
        if not server:
            return None  # not signed in: nothing to reach
        client = CaseServerClient(server, timeout=self.timeout)
        try:
            client.health(self.timeout)
        except Offline as exc:
            return self.saw(Reachability(False, str(exc)))
        finally:
            client.close()
        return self.saw(Reachability(True))

    def saw(self, state: Reachability) -> Reachability | None:
        """Record what a check (or a sync) found; emit and return it when it is a change."""
        with self._lock:
            self.failures = 0 if state.reachable else self.failures + 1
            previous, self.reachable = self.reachable, state.reachable
            # News: losing the server, and its return after a loss (not the first answer).
            changed = previous is not state.reachable and not (previous is None and state.reachable)
        if not changed:
            return None
        self.events.emit("reachability", state)
        return state
