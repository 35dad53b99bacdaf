"""The HTTP API (FastAPI): sign-in, change feed, push, tickets, crews.

Errors are JSON `{"detail": "..."}` with a precise 4xx: 400 malformed JSON,
401 bad/expired/revoked token, 403 not allowed, 404 not found or not visible,
413 body too large, 422 wrong types or unknown fields (one sentence, never FastAPI's
list of validation errors). The OpenAPI description declares them all (caseserver.errordocs).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseserver import feed
from caseserver.auth import AuthError, Caller, authenticate, caller_for, check_credentials, issue_token
from caseserver.blobstore import open_blob_store
from caseserver.changes import ChangeSet
from caseserver.config import Settings
from caseserver.db import Database
from caseserver.duplicates import flag_arrival
from caseserver.errordocs import describe_errors, error_responses
from caseserver.escalations import EscalationWorker, load_rules
from caseserver.head import HeadAsGet
from caseserver.health import health_router
from caseserver.loadshed import LoadShedder
from caseserver.metrics import Metrics, MetricsMiddleware, metrics_router
from caseserver.models import Crew, Device, Ticket, User, utcnow
from caseserver.notifier import start_worker
from caseserver.open311 import error_for_path as open311_error
from caseserver.open311 import open311_router
from caseserver.open311 import too_large as open311_too_large
from caseserver.operations_api import operations_router
from caseserver.photos_api import photos_router, public_photos_router
from caseserver.positions_api import positions_router
from caseserver.push import push
from caseserver.reporterpages import PATHS, reporter_pages_router
from caseserver.requestlog import RequestIds
from caseserver.routing import crew_services, route_arrival
from caseserver.routing_api import routing_router
from caseserver.secheaders import SecurityHeaders
from caseserver.services import BY_CODE
from caseserver.statuspage import status_page_router
from caseserver.throttle import LoginGuard, Throttle, Throttled, client_address
from caseserver.tiles import tiles_router
from caseserver.tusprotocol import describe_tus
from caseserver.uploads import UPLOADS_PATH, sweep_expired_uploads_forever, uploads_router
from caseserver.workrecords import load_catalogue
from caseserver.workrecords_api import work_router
from sync.wire import (
    API_PREFIX,
    DEFAULT_FEED_PAGE,
    MAX_FEED_PAGE,
    CrewDoc,
    FeedPage,
    LoginRequest,
    LoginResponse,
    PushRequest,
    PushResponse,
    TicketCreate,
    TicketDoc,
    UserDoc,
)

log = logging.getLogger("caseserver")


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, before the app sees them.

    A declared Content-Length over the limit is refused at once; a chunked body is
    read up to the limit first and handed to the app only if it fits. PATCH requests
    under `streamed_prefix` (tus upload chunks) and POSTs to it (a tus creation that
    carries the first bytes) pass through unbuffered: the upload endpoint limits them
    to the announced length itself, and keeps what arrived when a connection drops
    mid-chunk.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        streamed_prefix: str | None = None,
        own_limit: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.limit = limit
        self.streamed_prefix = streamed_prefix
        #: POST paths whose route limits the body itself (and answers a person with a page).
        self.own_limit = own_limit

    def _streamed(self, scope: Scope) -> bool:
        prefix = self.streamed_prefix
        if prefix is None:
            return False
        path = scope["path"]
        if scope["method"] == "POST":
            return path in (prefix, prefix.rstrip("/")) or path in self.own_limit
        return scope["method"] == "PATCH" and path.startswith(prefix)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or self._streamed(scope):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _too_large(scope, send, self.limit)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _too_large(scope, send, self.limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], then=receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    answer = open311_too_large(scope["path"], limit)  # Open311 clients get the spec's error format
    if answer is None:
        answer = JSONResponse({"detail": f"request body larger than {limit} bytes"}, status_code=413)
    await answer(scope, _replay([]), send)


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the API description gives this path (Starlette's 405 names only one route's)."""
    allowed: set[str] = set()
    for template, operations in app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            allowed.update(method.upper() for method in operations)
    return sorted(allowed)


def _validation_message(exc: RequestValidationError) -> tuple[int, str]:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            return 400, f"malformed JSON: {err.get('ctx', {}).get('error', 'cannot parse')}"
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return 422, "; ".join(parts) or "invalid request"


def current_caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    """The signed-in caller behind the bearer token, or 401 saying why not."""
    database: Database = request.app.state.db
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "sign in first (missing bearer token)")
    with database.read() as session:
        try:
            user, device, crew = authenticate(session, token)
        except AuthError as exc:
            raise HTTPException(401, str(exc)) from exc
        caller = caller_for(session, user, device.id, crew)
        last_seen = device.last_seen_at
    now = utcnow()
    if last_seen is None or (now - last_seen).total_seconds() > 300:
        with database.write() as session:
            session.execute(update(Device).where(Device.id == caller.device_id).values(last_seen_at=now))
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    database = db or Database(settings.database_url)
    rules = load_rules(settings.escalation_rules_file)  # RulesError: the serve command says why
    catalogue = load_catalogue(settings.work_catalogue_file)  # likewise CatalogueError
    metrics = Metrics(database, rules)
    store = open_blob_store(settings)  # photos: a folder, or an S3-compatible object store

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        worker = start_worker(database, settings, store)  # reporter emails, when CASESERVER_SMTP_URL is set
        sweeper = asyncio.create_task(sweep_expired_uploads_forever(store, database))
        escalations = EscalationWorker(database, rules, settings.escalation_poll_seconds)
        escalations.start()
        try:
            yield
        finally:
            sweeper.cancel()
            escalations.stop()
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="Case server",
        summary="Tickets, crews and the sync API of the public-works field app.",
        version="1.0",
        lifespan=lifespan,
    )
    app.state.db = database
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        streamed_prefix=f"{UPLOADS_PATH}/",
        own_limit=frozenset({PATHS["not_fixed"]}),  # a reporter's photo: the page checks its size itself
    )
    # More API requests than this process can work on at once: 503 and Retry-After at once.
    app.add_middleware(LoadShedder, limit=settings.max_in_flight, retry_after=settings.busy_retry_seconds)
    app.add_middleware(HeadAsGet)  # HEAD wherever GET works
    app.add_middleware(MetricsMiddleware, metrics=metrics, uploads_prefix=f"{UPLOADS_PATH}/")
    app.add_middleware(SecurityHeaders)  # error answers carry the headers too
    app.add_middleware(RequestIds)  # outermost: every answer has its id, every request its access line

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        status, message = _validation_message(exc)
        return JSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail
        headers = exc.headers
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            detail = "malformed JSON: the body is not valid UTF-8 JSON"
        if exc.status_code == 405 and (allowed := _allowed_methods(app, request.url.path)):
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
        open311 = open311_error(request.url.path, exc.status_code, str(detail), headers)
        if open311 is not None:  # e.g. a 405: Open311 clients get the spec's error format
            return open311
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)

    app.include_router(tiles_router(settings.public_url))  # public basemap tiles from CASESERVER_TILES_DIR
    app.include_router(uploads_router(settings, database, store, current_caller))  # tus photo uploads
    app.include_router(photos_router(database, store, current_caller))
    app.include_router(public_photos_router(database, store))
    app.include_router(status_page_router(database, settings))  # public status pages
    app.include_router(reporter_pages_router(database, settings, store))  # "not fixed?", "fixed", unsubscribe
    app.include_router(open311_router(database, settings))  # Open311 GeoReport v2
    app.include_router(operations_router(database, rules, current_caller))  # stats, escalation rules
    app.include_router(metrics_router(metrics, settings.metrics_token))  # Prometheus
    app.include_router(routing_router(database, current_caller))  # routing rules, crew services
    app.include_router(positions_router(database, current_caller))  # opt-in crew positions
    app.include_router(work_router(database, catalogue, ZoneInfo(settings.timezone), current_caller))

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(health_router(database, store))  # liveness and readiness for load balancers

    login_guard = LoginGuard(Throttle(database))  # per user name and address, in the database

    @app.post(
        f"{API_PREFIX}/auth/login",
        response_model=LoginResponse,
        tags=["auth"],
        responses=error_responses(401, 429, s401="Unknown user or wrong password"),
    )
    def login(body: LoginRequest, request: Request) -> LoginResponse:
        address = client_address(request)
        try:
            login_guard.before(body.username, address)
        except Throttled as exc:
            raise exc.http() from exc
        try:
            with database.read() as session:
                user_id = check_credentials(session, body.username, body.password)
            with database.write() as session:
                token, device, user = issue_token(
                    session, user_id, body.device_name, body.device_id, settings.token_days
                )
                caller = caller_for(session, user, device.id)
                answer = LoginResponse(
                    token=token,
                    expires_at=device.expires_at,
                    device_id=device.id,
                    user=_user_doc(caller),
                )
        except AuthError as exc:
            login_guard.failed(address)
            raise HTTPException(401, str(exc)) from exc
        login_guard.succeeded(body.username)
        return answer

    @app.post(f"{API_PREFIX}/auth/logout", status_code=204, tags=["auth"])
    def logout(caller: CallerDep) -> Response:
        with database.write() as session:
            device = session.get(Device, caller.device_id)
            if device is not None:
                device.revoked_at = utcnow()
        return Response(status_code=204)

    @app.get(f"{API_PREFIX}/me", response_model=UserDoc, tags=["auth"])
    def me(caller: CallerDep) -> UserDoc:
        return _user_doc(caller)

    @app.get(
        f"{API_PREFIX}/feed",
        response_model=FeedPage,
        tags=["sync"],
        summary="Changes in the caller's scope after a cursor",
    )
    def get_feed(
        caller: CallerDep,
        cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_FEED_PAGE)] = DEFAULT_FEED_PAGE,
    ) -> Response:
        with database.read() as session:
            body = feed.feed_page(session, caller, cursor, limit)
        return Response(content=body, media_type="application/json")

    @app.get(f"{API_PREFIX}/digest", tags=["sync"])
    def get_digest(caller: CallerDep) -> dict[str, Any]:
        with database.read() as session:
            digest, count = feed.scope_digest(session, caller)
        return {"digest": digest, "count": count}

    @app.post(
        f"{API_PREFIX}/push",
        response_model=PushResponse,
        tags=["sync"],
        summary="Apply a batch of device operations; answers per op, idempotent by op id",
    )
    def post_push(body: PushRequest, caller: CallerDep) -> Response:
        for attempt in range(3):
            try:
                with database.write() as session:
                    answer = PushResponse(results=push(session, caller, body.ops, catalogue))
                metrics.pushed(answer.results)
                # Serialised once, in pydantic's core, rather than validated again on the way out.
                return Response(content=answer.model_dump_json(), media_type="application/json")
            except IntegrityError:
                # The same op id arrived through another server process at the same
                # moment; the retry finds its stored answer.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    @app.get(
        f"{API_PREFIX}/tickets/{{ticket_id}}",
        response_model=TicketDoc,
        tags=["tickets"],
        responses=error_responses(404),
    )
    def get_ticket(ticket_id: str, caller: CallerDep) -> Response:
        with database.read() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or not caller.sees_crew(ticket.assigned_crew_id):
                raise HTTPException(404, "no such ticket")
            return Response(content=ticket.doc, media_type="application/json")

    @app.post(
        f"{API_PREFIX}/tickets",
        response_model=TicketDoc,
        status_code=201,
        tags=["tickets"],
        summary="Log a new ticket (supervisor or admin)",
        responses=error_responses(403),
    )
    def create_ticket(body: TicketCreate, caller: CallerDep) -> Response:
        if caller.role == "crew":
            raise HTTPException(403, "only dispatch or the office can log new tickets")
        service = BY_CODE.get(body.service_code)
        if service is None:
            raise HTTPException(422, f"unknown service code {body.service_code!r}")
        with database.write() as session:
            cs = ChangeSet(session)
            crew_id = None
            if body.assigned_crew is not None:
                crew_id = cs.crews.id_by_code.get(body.assigned_crew)
                if crew_id is None:
                    raise HTTPException(422, f"unknown crew {body.assigned_crew!r}")
                if not caller.sees_crew(crew_id):
                    raise HTTPException(403, f"crew {body.assigned_crew} is not one of your crews")
            now = utcnow()
            values = dict(
                service_code=service.code,
                description=body.description,
                address=body.address,
                lat=body.lat,
                lon=body.lon,
                priority=body.priority or service.priority,
                status="assigned" if crew_id is not None else "new",
                assigned_crew_id=crew_id,
                due_at=body.due_at or now + timedelta(hours=service.sla_hours),
                created_at=now,
                reporter_name=body.reporter_name,
                reporter_email=body.reporter_email,
                reporter_phone=body.reporter_phone,
                reporter_notify=body.reporter_notify,
                reporter_locale=body.reporter_locale,
            )
            reason = route_arrival(session, values)
            ticket = cs.create_ticket(caller, assigned_reason=reason, **values)
            flag_arrival(cs, ticket, settings.duplicate_meters)
            cs.publish()
            doc = ticket.doc
        return Response(content=doc, media_type="application/json", status_code=201)

    @app.get(f"{API_PREFIX}/crews", response_model=list[CrewDoc], tags=["crews"])
    def get_crews(caller: CallerDep) -> list[CrewDoc]:
        with database.read() as session:
            crews = session.scalars(select(Crew).order_by(Crew.code)).all()
            members: dict[int, list[str]] = {}
            for user in session.scalars(select(User).where(User.crew_id.is_not(None))):
                members.setdefault(user.crew_id or 0, []).append(user.username)
            return [
                CrewDoc(
                    code=c.code, name=c.name, members=sorted(members.get(c.id, [])), services=crew_services(c)
                )
                for c in crews
                if caller.sees_crew(c.id) or caller.role != "crew"
            ]

    describe_errors(app, describe_tus)
    return app


def _user_doc(caller: Caller) -> UserDoc:
    return UserDoc(
        username=caller.username,
        display_name=caller.display_name,
        role=caller.role,  # type: ignore[arg-type]
        crew=caller.crew_code,
        crews=list(caller.supervised_codes),
    )
