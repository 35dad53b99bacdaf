"""The pages behind the links in reporter messages: "not fixed?", "fixed, thanks", unsubscribe.

Each link opens a page in the reporter's language whose one button does the thing
(a POST): mail scanners that open every link in a message change nothing. The
unsubscribe POST also takes RFC 8058's one-click request from mail clients. A link
that was tampered with, has expired or (for "not fixed") was used answers a plain
page saying so, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from caseserver import notfixed, reporterlinks
from caseserver.blobstore import BlobStore
from caseserver.config import Settings
from caseserver.db import Database
from caseserver.images import ImageRefused
from caseserver.models import UsedLink
from caseserver.publicview import status_page_url
from caseserver.publicwords import PAGE, language
from caseserver.statuspage import PAGE_TEMPLATES, SECURITY_HEADERS

#: These pages post their own form back.
PAGE_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"].replace(
        "form-action 'none'", "form-action 'self'"
    ),
    "Cache-Control": "no-store",
}
#: HTTP status of a refused link, by reason.
REFUSED_STATUS = {"bad": 400, "expired": 410, "used": 409}
#: Room for the form's other fields around the photo.
FORM_OVERHEAD = 64 * 1024


def _html(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The HTML pages a route answers besides 200 (declared for clients and the fuzzer)."""
    words = {
        400: "The link is not valid (tampered with, or for another purpose)",
        409: "The link was already used",
        410: "The link has expired",
        413: "The photo is larger than the limit",
        422: "The comment or the photo cannot be used",
    }
    return {code: {"description": words[code], "content": {"text/html": {}}} for code in statuses}


PATHS = {
    "not_fixed": "/reporter/not-fixed",
    "fixed": "/reporter/fixed",
    "unsubscribe": "/reporter/unsubscribe",
}


def reporter_pages_router(db: Database, settings: Settings, store: BlobStore) -> APIRouter:
    router = APIRouter(tags=["public"])
    photo_limit = settings.max_photo_bytes

    def page(lang: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("form", None)
        html = PAGE_TEMPLATES.get_template("reporter_page.html").render(
            agency=settings.agency_name, lang=lang, t=PAGE[lang], **context
        )
        return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)

    def refused(request: Request, exc: reporterlinks.LinkRefused) -> HTMLResponse:
        """A page saying why the link cannot be used, in the link's language when it can be trusted."""
        wanted = request.query_params.get("lang") or request.headers.get("accept-language")
        lang = exc.lang if exc.lang in PAGE else language(wanted, settings.default_language)
        text = PAGE[lang][f"link_{exc.reason}"]
        return page(lang, REFUSED_STATUS[exc.reason], title=PAGE[lang]["request"], message=text, refused=True)

    def read(purpose: str, token: str) -> reporterlinks.Link:
        with db.read() as session:
            key = reporterlinks.stored_key(session)
        if key is None:  # no link was ever made
            raise reporterlinks.LinkRefused("bad")
        return reporterlinks.read(key, token, purpose)

    def was_used(link: reporterlinks.Link) -> bool:
        with db.read() as session:
            return session.scalar(select(UsedLink.nonce).where(UsedLink.nonce == link.nonce)) is not None

    def status_link(link: reporterlinks.Link) -> str:
        return f"{status_page_url('', link.ticket_id)}?lang={link.lang}"

    def confirm_page(purpose: str, link: reporterlinks.Link, token: str) -> HTMLResponse:
        t = PAGE[link.lang]
        if purpose == "not_fixed":
            return page(
                link.lang,
                title=t["not_fixed_title"],
                form="not_fixed",
                action=PATHS[purpose],
                token=token,
                limit=notfixed.MAX_COMMENT,
                status_link=status_link(link),
            )
        title, message, button = {
            "fixed": (t["fixed_title"], t["fixed_confirm"], t["fixed_button"]),
            "unsubscribe": (t["unsubscribe_title"], t["unsubscribe_confirm"], t["unsubscribe_button"]),
        }[purpose]
        return page(
            link.lang,
            title=title,
            message=message,
            form="button",
            button=button,
            action=PATHS[purpose],
            token=token,
        )

    def add_get(purpose: str) -> None:
        @router.get(
            PATHS[purpose],
            response_class=HTMLResponse,
            summary=f"Reporter link: {purpose} (a page with one button)",
            responses=_html(400, 409, 410) if purpose in reporterlinks.SINGLE_USE else _html(400, 410),
        )
        def show(request: Request, k: str = "") -> HTMLResponse:
            try:
                link = read(purpose, k)
            except reporterlinks.LinkRefused as exc:
                return refused(request, exc)
            if purpose in reporterlinks.SINGLE_USE and was_used(link):
                return refused(request, reporterlinks.LinkRefused("used", link.lang))
            return confirm_page(purpose, link, k)

        show.__name__ = f"reporter_{purpose}_page"

    for purpose in PATHS:
        add_get(purpose)

    def add_one_button(purpose: str, act: Any, summary: str, title: str, done: str) -> None:
        """The POST behind a page's one button: `act(db, link)`, then a page saying it was done."""

        @router.post(PATHS[purpose], response_class=HTMLResponse, summary=summary, responses=_html(400, 410))
        async def say(request: Request) -> HTMLResponse:
            form = (
                await request.form()
            )  # RFC 8058 one-click posts List-Unsubscribe=One-Click, the token in the URL
            try:
                token = str(form.get("k") or request.query_params.get("k", ""))
                link = await run_in_threadpool(read, purpose, token)  # the database, off the event loop
                await run_in_threadpool(act, db, link)
            except reporterlinks.LinkRefused as exc:
                return refused(request, exc)
            t = PAGE[link.lang]
            return page(link.lang, title=t[title], message=t[done], status_link=status_link(link))

        say.__name__ = f"reporter_{purpose}"

    add_one_button("fixed", notfixed.fixed, "Reporter: it is fixed", "fixed_title", "fixed_done")
    add_one_button(
        "unsubscribe",
        notfixed.unsubscribe,
        "Reporter: stop messages (also RFC 8058 one-click)",
        "unsubscribe_title",
        "unsubscribe_done",
    )

    @router.post(
        PATHS["not_fixed"],
        response_class=HTMLResponse,
        summary="Reporter: the problem is still there (comment and optional photo)",
        responses=_html(400, 409, 410, 413, 422),
    )
    async def say_not_fixed(request: Request) -> HTMLResponse:
        declared = request.headers.get("content-length", "")
        if not declared.isdigit() or int(declared) > photo_limit + FORM_OVERHEAD:
            lang = language(request.query_params.get("lang"), settings.default_language)
            reason = PAGE[lang]["photo_bad"].format(reason=f"larger than {photo_limit // (1024 * 1024)} MB")
            return page(lang, 413, title=PAGE[lang]["not_fixed_title"], message=reason, refused=True)
        form = await request.form(max_files=1, max_fields=4)
        token = str(form.get("k") or "")
        try:
            link = await run_in_threadpool(read, "not_fixed", token)
        except reporterlinks.LinkRefused as exc:
            return refused(request, exc)
        t = PAGE[link.lang]
        comment = str(form.get("comment") or "")
        if len(comment) > notfixed.MAX_COMMENT:
            message = t["comment_long"].format(limit=notfixed.MAX_COMMENT)
            return page(link.lang, 422, title=t["not_fixed_title"], message=message, refused=True)
        upload = form.get("photo")
        photo = None
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read()
            try:
                if not data:
                    raise ImageRefused("the file is empty")
                sha256, info = await run_in_threadpool(notfixed.store_photo, store, db, data)
            except ImageRefused as exc:
                message = t["photo_bad"].format(reason=str(exc))
                return page(link.lang, 422, title=t["not_fixed_title"], message=message, refused=True)
            photo = (sha256, len(data), info)
        try:
            answer = await run_in_threadpool(
                notfixed.not_fixed, db, link, comment, photo, settings.reopen_days
            )
        except reporterlinks.LinkRefused as exc:
            return refused(request, reporterlinks.LinkRefused(exc.reason, link.lang))
        done = t["not_fixed_done"] if answer.kind == "reopened" else t["follow_up_done"]
        return page(link.lang, title=t["not_fixed_title"], message=done, status_link=status_link(link))

    return router
