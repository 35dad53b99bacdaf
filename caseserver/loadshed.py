"""Back-pressure: a process that already has its hands full answers 503 at once, with `Retry-After`.

A storm larger than the machine (every tablet of the city syncing at 7 a.m.) then slows down
cleanly: each process works on at most `CASESERVER_MAX_IN_FLIGHT` API requests at a time
and tells the rest when to come back, instead of queueing them until they time out (a device
that times out sends everything again) or failing. Devices wait what `Retry-After` says,
spread by up to half again (sync/scheduler.py), then carry on where they stopped: pushes are
idempotent by op id and the feed resumes at its cursor, so nothing is lost or applied twice.
Health checks and metrics are never turned away.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

#: Paths whose requests count and may be turned away.
SHED_PREFIX = "/api/"


class LoadShedder:
    """Pure ASGI middleware counting the API requests in flight in this process."""

    def __init__(self, app: ASGIApp, limit: int, retry_after: int) -> None:
        self.app = app
        self.limit = limit
        self.retry_after = retry_after
        self.in_flight = 0
        #: Requests turned away since the process started (for /metrics and the benchmarks).
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or not scope["path"].startswith(SHED_PREFIX):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self.shed += 1
            await self._busy(send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _busy(self, send: Send) -> None:
        body = json.dumps({"detail": f"the server is busy: try again in {self.retry_after} s"}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(self.retry_after).encode()),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})
