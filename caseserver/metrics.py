"""Prometheus metrics at `/metrics`, for the Grafana a city already runs.

Per process (scrape each process): HTTP requests and their latency by route, push outcomes,
photo upload bytes received; and, read from the database at each scrape, the open backlog,
overdue and escalated tickets by crew. When `CASESERVER_METRICS_TOKEN` is set, a scrape must
carry it as a bearer token.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseserver.changes import Crews
from caseserver.db import Database
from caseserver.escalations import EscalationRule, crossed
from caseserver.models import Ticket, utcnow
from sync.wire import OpResult
from sync.workflow import TERMINAL


class Metrics:
    """One app's metrics, in a registry of its own."""

    def __init__(self, db: Database, rules: Iterable[EscalationRule]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "caseserver_http_requests",
            "HTTP requests answered, by route template, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "caseserver_http_request_seconds",
            "Time to answer an HTTP request, by route template.",
            ["route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.push_ops = Counter(
            "caseserver_push_ops",
            "Device operations pushed, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.upload_bytes = Counter(
            "caseserver_upload_bytes",
            "Photo upload bytes received (tus PATCH bodies).",
            registry=self.registry,
        )
        self.registry.register(_Backlog(db, tuple(rules)))

    def pushed(self, results: Iterable[OpResult]) -> None:
        for result in results:
            self.push_ops.labels(result.outcome).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _Backlog(Collector):
    """Ticket gauges read from the database at each scrape."""

    def __init__(self, db: Database, rules: tuple[EscalationRule, ...]) -> None:
        self.db, self.rules = db, rules

    def collect(self) -> Iterator[GaugeMetricFamily]:
        backlog = GaugeMetricFamily("caseserver_backlog_tickets", "Open tickets, by crew.", labels=["crew"])
        overdue = GaugeMetricFamily(
            "caseserver_overdue_tickets", "Open tickets past due, by crew.", labels=["crew"]
        )
        escalated = GaugeMetricFamily(
            "caseserver_escalated_tickets",
            "Tickets nobody is acting on past their escalation time.",
            labels=["crew"],
        )
        now = utcnow()
        counts: dict[str, list[int]] = {}
        with self.db.read() as session:
            crews = Crews(session)
            query = select(
                Ticket.assigned_crew_id,
                Ticket.status,
                Ticket.service_code,
                Ticket.priority,
                Ticket.created_at,
                Ticket.due_at,
            ).where(Ticket.status.not_in(sorted(TERMINAL)))
            for row in session.execute(query):
                crew = crews.code(row.assigned_crew_id) or "unassigned"
                tally = counts.setdefault(crew, [0, 0, 0])
                tally[0] += 1
                if row.due_at is not None:
                    tally[1] += row.due_at <= now
                tally[2] += crossed(row, self.rules, now) is not None
        for crew, (open_, late, escalated_) in sorted(counts.items()):
            backlog.add_metric([crew], open_)
            overdue.add_metric([crew], late)
            escalated.add_metric([crew], escalated_)
        yield backlog
        yield overdue
        yield escalated


class MetricsMiddleware:
    """Counts every HTTP request by route template, and the bytes of photo upload chunks."""

    def __init__(self, app: ASGIApp, metrics: Metrics, uploads_prefix: str) -> None:
        self.app, self.metrics, self.uploads_prefix = app, metrics, uploads_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}
        if scope["method"] == "PATCH" and scope["path"].startswith(self.uploads_prefix):
            receive = self._counting(receive)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = _route(scope)
            self.metrics.requests.labels(route, scope["method"], str(status["code"])).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)

    def _counting(self, receive: Receive) -> Receive:
        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.metrics.upload_bytes.inc(len(message.get("body", b"")))
            return message

        return counted


def _route(scope: Scope) -> str:
    """The route template (`/api/v1/tickets/{ticket_id}`), never the raw path: bounded labels."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


def metrics_router(metrics: Metrics, token: str) -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def get_metrics(authorization: str | None = Header(default=None)) -> Response:
        if token and not hmac.compare_digest(authorization or "", f"Bearer {token}"):
            raise HTTPException(401, "a metrics scrape needs the metrics bearer token")
        return Response(content=metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
