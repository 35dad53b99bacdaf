"""Open311 GeoReport v2 under `/open311/v2/`, in JSON and XML (format by extension).

    GET  /open311/discovery.{json|xml}                    the spec's discovery document
    GET  /open311/v2/services.{json|xml}                  the service list (the catalogue)
    GET  /open311/v2/services/{service_code}.{json|xml}   a service definition (no attributes)
    POST /open311/v2/requests.{json|xml}                  report a problem (form-encoded)
    GET  /open311/v2/requests.{json|xml}                  requests, with the spec's filters
    GET  /open311/v2/requests/{service_request_id}.{json|xml}

A posted request becomes a ticket (`source='open311'`, status `new`) in the
unassigned queue, where dispatch assigns it. Posting needs an `api_key` from
`CASESERVER_OPEN311_API_KEYS` when that is set, and is open to anyone when it is
not (`api_key` in the form or the query string); posts without a valid key are
throttled per client address (caseserver.throttle: 429 with Retry-After). Reading
needs no key; a date range spans at most 90 days, as the spec says. Answers never
carry reporter contact details or crew names. Errors use the spec's shape
(`[{"code", "description"}]`, or `<errors><error>…`) with the matching HTTP status,
a body over the size limit included; XML is built with ElementTree.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from caseserver.changes import ChangeSet
from caseserver.config import Settings
from caseserver.db import Database
from caseserver.duplicates import flag_arrival
from caseserver.errordocs import open311_responses
from caseserver.models import BlobHolder, Photo, Ticket, utcnow
from caseserver.photoaccess import shown_by_author
from caseserver.publicview import FINISHED, outcome_words, photo_url, status_words, zone
from caseserver.publicwords import PAGE, our_language
from caseserver.routing import route_arrival
from caseserver.services import BY_CODE, SERVICES, Service
from caseserver.throttle import Key, Throttle, Throttled, client_address
from sync.wire import MAX_TEXT, text_problem

ROOT = "/open311"
PREFIX = f"{ROOT}/v2"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
#: The spec this server implements, as discovery documents name it.
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this server's Open311 API last changed (the discovery document's changeset).
CHANGESET = "2026-12-03T00:00:00Z"
#: Most requests one GET answers, and the longest date range (the spec's limits).
MAX_REQUESTS = 1000
MAX_DAYS = 90
_OPEN_STATUSES = ("new", "assigned", "en_route", "in_progress", "on_hold")
_CHUNK = 500


class Open311Error(Exception):
    """An error answered in the spec's error format with an HTTP status."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


# -- rendering ---------------------------------------------------------------------------
#: Characters XML 1.0 cannot carry at all (control characters other than tab and newlines).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _xml_fill(parent: ET.Element, item: dict[str, Any]) -> None:
    for key, value in item.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, list):
            singular = key[:-1] if key.endswith("s") else key
            for element in value:
                if isinstance(element, dict):
                    _xml_fill(ET.SubElement(child, singular), element)
                else:
                    ET.SubElement(child, singular).text = _xml_text(element)
        else:
            child.text = _xml_text(value)


def render(fmt: str, root: str, item: str, items: Sequence[dict[str, Any]], status: int = 200) -> Response:
    """A list of items as the spec shapes it: a JSON array, or <root><item>…</item></root>."""
    if fmt == "json":
        body = orjson.dumps(list(items))
    else:
        element = ET.Element(root)
        for entry in items:
            _xml_fill(ET.SubElement(element, item), entry)
        body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return Response(content=body, status_code=status, media_type=FORMATS[fmt])


def render_one(fmt: str, root: str, doc: dict[str, Any]) -> Response:
    """One document: a JSON object, or <root>…</root>."""
    if fmt == "json":
        return Response(orjson.dumps(doc), media_type=FORMATS[fmt])
    element = ET.Element(root)
    _xml_fill(element, doc)
    return Response(ET.tostring(element, encoding="utf-8", xml_declaration=True), media_type=FORMATS[fmt])


def error(fmt: str, code: int, description: str, headers: dict[str, str] | None = None) -> Response:
    answer = render(fmt, "errors", "error", [{"code": code, "description": description}], status=code)
    answer.headers.update(headers or {})
    return answer


def error_for_path(
    path: str, code: int, description: str, headers: dict[str, str] | None = None
) -> Response | None:
    """An error answered outside the routes (413, 405, ...) for an Open311 path, in its format; else None."""
    if not path.startswith(f"{ROOT}/"):
        return None
    return error("xml" if path.endswith(".xml") else "json", code, description, headers)


def too_large(path: str, limit: int) -> Response | None:
    """The 413 answer for an over-size body sent to an Open311 path, in its format; None elsewhere."""
    return error_for_path(path, 413, f"the request body is larger than {limit} bytes")


def _format(ext: str) -> str:
    if ext not in FORMATS:
        raise Open311Error(404, f"unknown format {ext!r}: use .json or .xml")
    return ext


# -- reading requests ------------------------------------------------------------------
def _service_doc(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": f"{service.name}. The city aims to resolve it within {service.sla_hours} hours.",
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(service.keywords.split()),
        "group": service.group,
    }


def _parse_date(name: str, raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} is not a W3C date-time (e.g. 2026-05-01T08:00:00Z)") from exc
    if value.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone (Z or an offset such as +02:00)")
    return value.astimezone(UTC)


def _comma_list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


class Requests:
    """Service requests as the spec shows them, from tickets."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tz = zone(settings.timezone)

    def _time(self, value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(self.tz).isoformat(timespec="seconds")

    def media_urls(self, session: Session, ticket_ids: list[str]) -> dict[str, str]:
        """Per ticket, the public URL of its after photo, else its before photo (bytes arrived)."""
        best: dict[str, tuple[int, str]] = {}
        for start in range(0, len(ticket_ids), _CHUNK):
            rows = session.execute(
                select(Photo.ticket_id, Photo.id, Photo.kind)
                .join(BlobHolder, shown_by_author())
                .where(
                    Photo.ticket_id.in_(ticket_ids[start : start + _CHUNK]),
                    Photo.for_reporter.is_(True),
                    Photo.kind.in_(("before", "after")),
                )
                .order_by(Photo.created_at, Photo.id)
            )
            for ticket_id, photo_id, kind in rows:
                rank = 1 if kind == "after" else 0
                if ticket_id not in best or rank >= best[ticket_id][0]:
                    best[ticket_id] = (rank, photo_id)
        return {tid: photo_url(self.settings.public_url, pid) for tid, (_, pid) in best.items()}

    def doc(self, ticket: Ticket, media_url: str | None, main: Ticket | None = None) -> dict[str, Any]:
        """A request as Open311 shows it; a report merged into `main` shows the main ticket's
        progress and outcome, so its reporter hears what was done."""
        service = BY_CODE.get(ticket.service_code)
        shown = main or ticket
        finished = shown.status in FINISHED
        notes = outcome_words(shown) if finished else status_words(shown.status)
        if not finished and shown.reopened_by_reporter_at is not None:
            notes = f"{PAGE['en']['reopened']} {notes}"
        if main is not None:
            merged = f"Merged with request {main.id}, a report of the same problem."
            notes = f"{merged} {notes}" if notes else merged
        return {
            "service_request_id": ticket.id,
            "status": "closed" if finished else "open",
            "status_notes": notes,
            "service_name": service.name if service else ticket.service_code,
            "service_code": ticket.service_code,
            "description": ticket.description,
            "agency_responsible": self.settings.agency_name,
            "service_notice": _notice(service),
            "requested_datetime": self._time(ticket.created_at),
            "updated_datetime": self._time(ticket.updated_at),
            "expected_datetime": self._time(ticket.due_at),
            "address": ticket.address,
            "address_id": None,
            "zipcode": None,
            "lat": ticket.lat,
            "long": ticket.lon,
            "media_url": media_url,
        }

    def docs(self, session: Session, tickets: list[Ticket]) -> list[dict[str, Any]]:
        mains = {t.duplicate_of: session.get(Ticket, t.duplicate_of) for t in tickets if t.duplicate_of}
        media = self.media_urls(session, [t.id for t in tickets] + [m for m in mains if m])
        out = []
        for ticket in tickets:
            main = mains.get(ticket.duplicate_of) if ticket.duplicate_of else None
            photo = media.get(main.id) if main is not None and main.id in media else media.get(ticket.id)
            out.append(self.doc(ticket, photo, main))
        return out

    def search(self, session: Session, params: dict[str, str]) -> list[Ticket]:
        """Tickets matching the spec's filters, newest first, at most MAX_REQUESTS."""
        ids = _comma_list(params.get("service_request_id"))
        if ids:  # the spec: with ids given, the other filters are ignored
            wanted = [i for i in (_uuid_or_none(raw) for raw in ids[:MAX_REQUESTS]) if i]
            return list(
                session.scalars(
                    select(Ticket).where(Ticket.id.in_(wanted)).order_by(Ticket.created_at.desc())
                )
            )
        stmt = select(Ticket)
        codes = _comma_list(params.get("service_code"))
        unknown = [c for c in codes if c not in BY_CODE]
        if unknown:
            raise Open311Error(400, f"unknown service_code {', '.join(unknown)}")
        if codes:
            stmt = stmt.where(Ticket.service_code.in_(codes))
        statuses = _comma_list(params.get("status"))
        bad = [s for s in statuses if s not in ("open", "closed")]
        if bad:
            raise Open311Error(400, f"status must be open or closed, not {', '.join(bad)}")
        if statuses and set(statuses) != {"open", "closed"}:
            wanted_statuses = _OPEN_STATUSES if statuses[0] == "open" else tuple(FINISHED)
            stmt = stmt.where(Ticket.status.in_(wanted_statuses))
        start, end = _date_range(params.get("start_date"), params.get("end_date"))
        stmt = stmt.where(Ticket.created_at >= start, Ticket.created_at <= end)
        return list(session.scalars(stmt.order_by(Ticket.created_at.desc()).limit(MAX_REQUESTS)))


def _date_range(start_raw: str | None, end_raw: str | None) -> tuple[datetime, datetime]:
    """The spec's range: at most 90 days; the most recent 90 days, or 90 days from the one date given."""
    span = timedelta(days=MAX_DAYS)
    start = _parse_date("start_date", start_raw) if start_raw else None
    end = _parse_date("end_date", end_raw) if end_raw else None
    if start is None:
        end = end or utcnow()
        return end - span, end
    if end is None:
        return start, start + span
    if start > end:
        raise Open311Error(400, "start_date is after end_date")
    if end - start > span:
        raise Open311Error(400, f"start_date and end_date may not span more than {MAX_DAYS} days")
    return start, end


def _notice(service: Service | None) -> str:
    if service is None:
        return ""
    return f"The city aims to resolve this within {service.sla_hours} hours."


def _uuid_or_none(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


# -- posting a request ---------------------------------------------------------------------
@cache
def _address_register() -> dict[str, tuple[str, float, float]]:
    """The city's street addresses (the demo city's register), keyed for lookup."""
    from caseserver.demo import ADDRESSES, load_addresses

    if not ADDRESSES.is_file():
        return {}
    return {_address_key(address): (address, lat, lon) for address, lat, lon in load_addresses()}


def _address_key(address: str) -> str:
    words = re.sub(r"[^\w]+", " ", address.casefold()).split()
    if words and words[-1] == "helsinki":
        words = words[:-1]
    return " ".join(words)


def _text(form: dict[str, str], name: str, limit: int) -> str | None:
    value = form.get(name, "").strip()
    problem = text_problem(value)
    if problem:
        raise Open311Error(400, f"{name}: {problem}")
    if len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters")
    return value or None


def _coordinate(form: dict[str, str], name: str, low: float, high: float) -> float:
    try:
        value = float(form[name])
    except ValueError as exc:
        raise Open311Error(400, f"{name} is not a number") from exc
    if not low <= value <= high:  # also refuses NaN
        raise Open311Error(400, f"{name} must be between {low} and {high}")
    return value


def _email(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        address = Address(addr_spec=raw)
    except Exception as exc:  # the parser raises several kinds of errors for bad addresses
        raise Open311Error(400, "email is not a valid email address") from exc
    if not address.domain or not address.username or " " in raw:
        raise Open311Error(400, "email is not a valid email address")
    return raw


def ticket_values(form: dict[str, str], accept_language: str = "") -> dict[str, Any]:
    """The new ticket's column values from a posted request, or Open311Error (400).

    The reporter's language is the form's `locale` (the spec's field, e.g. 'fi_FI'), else
    the request's Accept-Language, else none (the city's default)."""
    code = _text(form, "service_code", 40)
    if code is None:
        raise Open311Error(400, "service_code is required")
    service = BY_CODE.get(code)
    if service is None:
        raise Open311Error(400, f"service_code {code!r} is not a service of this city")
    address = _text(form, "address_string", 300)
    if form.get("lat", "").strip() or form.get("long", "").strip():
        if not (form.get("lat", "").strip() and form.get("long", "").strip()):
            raise Open311Error(400, "give both lat and long")
        lat = _coordinate(form, "lat", -90, 90)
        lon = _coordinate(form, "long", -180, 180)
        address = address or f"Near {lat:.5f}, {lon:.5f}"
    elif address is not None:
        found = _address_register().get(_address_key(address))
        if found is None:
            raise Open311Error(400, "address_string is not in the city's address register: give lat and long")
        address, lat, lon = found
    else:
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    description = _text(form, "description", MAX_TEXT) or service.name
    media = _text(form, "media_url", 1000)
    if media is not None:
        parts = urlsplit(media)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Open311Error(400, "media_url must be an http or https URL")
        description = f"{description}\n\nPhoto from the reporter: {media}"[:MAX_TEXT]
    first = _text(form, "first_name", 60)
    last = _text(form, "last_name", 60)
    email = _email(_text(form, "email", 254))
    name = " ".join(part for part in (first, last) if part) or None
    now = utcnow()
    return {
        "service_code": service.code,
        "description": description,
        "address": address,
        "lat": lat,
        "lon": lon,
        "priority": service.priority,
        "status": "new",
        "assigned_crew_id": None,
        "due_at": now + timedelta(hours=service.sla_hours),
        "created_at": now,
        "reporter_name": name,
        "reporter_email": email,
        "reporter_phone": _text(form, "phone", 40),
        "reporter_notify": "email" if email else "none",
        "reporter_locale": our_language(form.get("locale")) or our_language(accept_language),
        "source": "open311",
    }


async def _form(request: Request) -> dict[str, str]:
    """The posted form (application/x-www-form-urlencoded, UTF-8); the last value of each key."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("", "application/x-www-form-urlencoded"):
        raise Open311Error(400, "send the request form-encoded (application/x-www-form-urlencoded)")
    try:
        text = (await request.body()).decode("utf-8")
        parsed = parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise Open311Error(400, "the form is not valid UTF-8") from exc
    return {key: values[-1] for key, values in parsed.items()}


# -- routes ------------------------------------------------------------------------------
def discovery_doc(settings: Settings) -> dict[str, Any]:
    """The spec's discovery document: who to ask, how keys are had, where the v2 endpoint is."""
    contact = settings.open311_contact or settings.agency_name
    key_service = (
        f"Posting requests needs an API key: ask {contact}."
        if settings.open311_api_keys
        else "Posting requests needs no API key."
    )
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{settings.public_url}{PREFIX}",
                "changeset": CHANGESET,
                "type": "production",
                "formats": [FORMATS["xml"].split(";")[0], FORMATS["json"].split(";")[0]],
            }
        ],
    }


def open311_router(db: Database, settings: Settings) -> APIRouter:
    router = APIRouter(prefix=ROOT, tags=["open311"])
    requests_view = Requests(settings)
    throttle = Throttle(db)

    def answer(ext: str, produce: Any) -> Response:
        fmt = ext if ext in FORMATS else "json"
        try:
            return produce(_format(ext))
        except Open311Error as exc:
            return error(fmt, exc.code, exc.description)

    @router.get(
        "/discovery.{ext}", summary="Open311: the discovery document", responses=open311_responses(404)
    )
    def discovery(ext: str) -> Response:
        return answer(ext, lambda fmt: render_one(fmt, "discovery", discovery_doc(settings)))

    @router.get("/v2/services.{ext}", summary="Open311: the service list", responses=open311_responses(404))
    def services(ext: str) -> Response:
        docs = [_service_doc(s) for s in SERVICES]
        return answer(ext, lambda fmt: render(fmt, "services", "service", docs))

    @router.get(
        "/v2/services/{service_code}.{ext}",
        summary="Open311: a service definition",
        responses=open311_responses(404),
    )
    def service_definition(service_code: str, ext: str) -> Response:
        def produce(fmt: str) -> Response:
            if service_code not in BY_CODE:
                raise Open311Error(404, f"no service with service_code {service_code!r}")
            doc = {"service_code": service_code, "attributes": []}
            return render_one(fmt, "service_definition", doc)

        return answer(ext, produce)

    @router.get(
        "/v2/requests.{ext}", summary="Open311: service requests", responses=open311_responses(400, 404)
    )
    def list_requests(ext: str, request: Request) -> Response:
        params = {key: value for key, value in request.query_params.items()}

        def produce(fmt: str) -> Response:
            with db.read() as session:
                docs = requests_view.docs(session, requests_view.search(session, params))
            return render(fmt, "service_requests", "request", docs)

        return answer(ext, produce)

    @router.get(
        "/v2/requests/{service_request_id}.{ext}",
        summary="Open311: one service request",
        responses=open311_responses(404),
    )
    def one_request(service_request_id: str, ext: str) -> Response:
        def produce(fmt: str) -> Response:
            ticket_id = _uuid_or_none(service_request_id)
            with db.read() as session:
                ticket = session.get(Ticket, ticket_id) if ticket_id else None
                if ticket is None:
                    raise Open311Error(404, f"no service request {service_request_id!r}")
                docs = requests_view.docs(session, [ticket])
            return render(fmt, "service_requests", "request", docs)

        return answer(ext, produce)

    @router.post(
        "/v2/requests.{ext}",
        summary="Open311: report a problem (form-encoded)",
        responses=open311_responses(400, 403, 404, 429, created=True),
    )
    async def post_request(ext: str, request: Request) -> Response:
        fmt = ext if ext in FORMATS else "json"
        try:
            _format(ext)
            form = await _form(request)
            key = form.get("api_key", "").strip() or request.query_params.get("api_key", "").strip()
            if key not in settings.open311_api_keys:  # anonymous (or guessing a key): throttled
                limit = throttle.settings.open311_address_posts
                address = Key("open311-address", client_address(request), limit)
                await _run_sync(throttle.hit, [address], "posts without an API key from this address")
            _check_key(settings, key)
            values = ticket_values(form, request.headers.get("accept-language", ""))
        except Open311Error as exc:
            return error(fmt, exc.code, exc.description)
        except Throttled as exc:
            return error(fmt, 429, exc.message, {"Retry-After": str(exc.retry_after)})
        ticket_id = await _run_sync(_create, db, values, settings.duplicate_meters)
        service = BY_CODE[values["service_code"]]
        doc = {"service_request_id": ticket_id, "service_notice": _notice(service), "account_id": None}
        return render(fmt, "service_requests", "request", [doc], status=201)

    @router.api_route("/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    def unknown(rest: str) -> Response:
        fmt = "xml" if rest.endswith(".xml") else "json"
        return error(fmt, 404, f"no such Open311 resource: {ROOT}/{rest}")

    return router


def _check_key(settings: Settings, key: str) -> None:
    if not settings.open311_api_keys:
        return
    if not key:
        raise Open311Error(400, "api_key is required")
    if key not in settings.open311_api_keys:
        raise Open311Error(403, "api_key is not valid")


def _create(db: Database, values: dict[str, Any], duplicate_meters: float) -> str:
    with db.write() as session:
        changes = ChangeSet(session)
        values = dict(values)
        reason = route_arrival(session, values)
        ticket = changes.create_ticket(None, assigned_reason=reason, **values)
        flag_arrival(changes, ticket, duplicate_meters)
        changes.publish()
        return ticket.id


async def _run_sync(function: Any, *args: Any) -> Any:
    """Database work off the event loop (the write lock may wait)."""
    return await run_in_threadpool(function, *args)
