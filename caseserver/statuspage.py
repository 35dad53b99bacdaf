"""The public status page of a request: `GET /requests/{ticket_id}`, HTML, no sign-in.

Shows what the city did about a report: service, address, status in plain words,
dates, the outcome and the before/after photos (public copies). Never the names of
crews or their members, never the reporter's contact. Every text is HTML-escaped
(Jinja2 autoescape), and the page needs and allows no JavaScript at all
(Content-Security-Policy without script sources).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from caseserver import reporterlinks
from caseserver.config import Settings
from caseserver.db import Database
from caseserver.errordocs import ERROR_REF
from caseserver.models import Ticket
from caseserver.publicview import (
    FINISHED,
    local_time,
    outcome_words,
    reporter_photos,
    service_name,
    status_words,
    timeline,
    zone,
)
from caseserver.publicwords import PAGE, language, our_language

#: The public pages' templates (status page, reporter pages).
PAGE_TEMPLATES = Environment(
    loader=PackageLoader("caseserver", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

#: No scripts, no frames, no foreign origins: images and the inline stylesheet only.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def status_page_router(db: Database, settings: Settings) -> APIRouter:
    router = APIRouter(tags=["public"])
    tz = zone(settings.timezone)

    def page(template: str, status_code: int, lang: str = "en", **context: object) -> HTMLResponse:
        html = PAGE_TEMPLATES.get_template(template).render(
            agency=settings.agency_name, lang=lang, t=PAGE[lang], **context
        )
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=60"}
        return HTMLResponse(html, status_code=status_code, headers=headers)

    def not_found(lang: str) -> HTMLResponse:
        return page("request_not_found.html", 404, lang)

    def page_language(request: Request) -> str:
        """?lang= (links in messages carry the reporter's), else the browser's, else the city's."""
        wanted = our_language(request.query_params.get("lang"))
        return wanted or language(request.headers.get("accept-language"), settings.default_language)

    def not_fixed_offer(token: str, ticket_id: str) -> str | None:
        """The "not fixed?" page for the reporter whose message link carried a good token."""
        if not token:
            return None
        with db.read() as session:
            key = reporterlinks.stored_key(session)
        try:
            link = reporterlinks.read(key or b"", token, "not_fixed")
        except reporterlinks.LinkRefused:
            return None
        return f"/reporter/not-fixed?k={token}" if link.ticket_id == ticket_id else None

    @router.get(
        "/requests/{ticket_id:path}",
        response_class=HTMLResponse,
        summary="Public status page",
        responses={
            404: {
                "description": "No such request: an HTML page (JSON for an id no route takes)",
                "content": {"text/html": {}, "application/json": {"schema": {"$ref": ERROR_REF}}},
            }
        },
    )
    def status_page(ticket_id: str, request: Request) -> HTMLResponse:
        lang = page_language(request)
        try:
            canonical = str(uuid.UUID(ticket_id))
        except ValueError:
            return not_found(lang)
        offer = not_fixed_offer(request.query_params.get("k", ""), canonical)
        with db.read() as session:
            ticket = session.get(Ticket, canonical)
            if ticket is None:
                return not_found(lang)
            # A report merged into another shows that one's progress, outcome and photos.
            main = session.get(Ticket, ticket.duplicate_of) if ticket.duplicate_of else None
            shown = main or ticket
            photos = [p for p in reporter_photos(session, shown.id) if p.arrived]
            steps = timeline(session, ticket.id, lang)
            finished = shown.status in FINISHED
            return page(
                "request_status.html",
                200,
                lang,
                ticket_id=ticket.id,
                service=service_name(ticket.service_code, lang),
                address=ticket.address,
                description=ticket.description,
                status=status_words(shown.status, lang),
                finished=finished,
                merged_into=None if main is None else main.id,
                reported=local_time(ticket.created_at, tz, lang),
                updated=local_time(shown.updated_at, tz, lang),
                expected=None if finished else local_time(shown.due_at, tz, lang) or None,
                outcome=outcome_words(shown, lang) if finished else None,
                reopened=not finished and shown.reopened_by_reporter_at is not None,
                photos=photos,
                steps=[(step.words, local_time(step.at, tz, lang)) for step in steps],
                not_fixed=offer if shown.status == "resolved" else None,
            )

    return router
