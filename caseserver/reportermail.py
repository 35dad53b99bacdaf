"""One message to a reporter: what it says (`compose`), and its words from the city's
templates in the reporter's language (`build_message`).

Templates are Jinja files, `reporter/<lang>/subject.txt`, `message.txt` and
`message.html` (fi, sv, en). A city edits them without touching code by putting
its own files of the same names in `CASESERVER_TEMPLATES_DIR`; the shipped ones
(caseserver/templates/reporter/) fill in whatever it leaves out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import Header
from email.message import Message
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    TemplateError,
    select_autoescape,
)

from caseserver import reporterlinks
from caseserver.config import Settings
from caseserver.mailer import EmailPhoto
from caseserver.models import Ticket
from caseserver.publicview import local_time, outcome_words, service_name, status_page_url, status_words
from caseserver.publicwords import LANGUAGES, language
from caseserver.reporterstages import OUTCOME_STAGES, STAGES, StagePolicy, StagePolicyError, load_policy

TEMPLATE_NAMES: tuple[str, ...] = ("subject.txt", "message.txt", "message.html")
#: Header lines up to SMTP's limit: a long link in List-Unsubscribe stays on one line.
_HEADERS = compat32.clone(max_line_length=998)


@dataclass(frozen=True)
class ReporterMessage:
    """Everything one message says. No crew or user names: only the city's agency."""

    #: The notification key; becomes the Message-ID (a resend has the same one).
    key: str
    stage: str
    lang: str
    to_email: str
    to_name: str | None
    agency: str
    service: str
    address: str
    description: str
    reported_at: str
    changed_at: str
    status: str
    outcome: str | None
    #: The status page, in the reporter's language, with their "not fixed?" link when there is one.
    link: str
    unsubscribe_url: str
    #: Whether the report was merged into another (whose progress it tells).
    merged: bool = False
    #: "Fixed, thanks" and "not fixed" (outcome stages only).
    fixed_url: str | None = None
    not_fixed_url: str | None = None
    photos: list[EmailPhoto] = field(default_factory=list)


@lru_cache(maxsize=8)
def templates(folder: str) -> Environment:
    """The city's templates in `folder` (may be empty), over the shipped ones."""
    loaders = [FileSystemLoader(folder)] if folder.strip() else []
    return Environment(
        loader=ChoiceLoader([*loaders, PackageLoader("caseserver", "templates")]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def stage_policy(settings: Settings) -> StagePolicy:
    """The city's stage settings, with its templates and default language checked: StagePolicyError
    in one line when something cannot be used (a server refuses to start with it)."""
    wanted = settings.default_language
    if wanted not in LANGUAGES:
        choices = ", ".join(LANGUAGES)
        raise StagePolicyError(f"CASESERVER_DEFAULT_LANGUAGE must be one of {choices}, not {wanted!r}")
    folder = settings.templates_dir
    if folder.strip() and not Path(folder).is_dir():
        raise StagePolicyError(f"CASESERVER_TEMPLATES_DIR {folder!r} is not a folder")
    env = templates(folder)
    for lang in LANGUAGES:
        for name in TEMPLATE_NAMES:
            try:
                env.get_template(f"reporter/{lang}/{name}")
            except TemplateError as exc:
                raise StagePolicyError(f"template reporter/{lang}/{name}: {exc}") from None
    return load_policy(
        settings.notify_stages,
        settings.notify_service_stages,
        settings.notify_gap_hours,
        settings.notify_quiet_hours,
    )


def _clean_name(name: str | None) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", " ", name or "").strip()[:120]


def build_message(env: Environment, sender: str, message: ReporterMessage, sent_at: datetime) -> Message:
    """Text and HTML parts, the before/after photos inline (public copies), an unsubscribe header.

    Built with the email package's compat32 classes: several times faster than EmailMessage's
    parsed headers, which matters when a city's morning fans out to thousands of messages.
    """
    assert message.stage in STAGES and message.lang in LANGUAGES
    context = {
        "m": message,
        "stage": message.stage,
        "lang": message.lang,
        "greeting": _clean_name(message.to_name),
    }
    folder = f"reporter/{message.lang}"
    subject = " ".join(env.get_template(f"{folder}/subject.txt").render(context).split())[:200]
    text = MIMEText(env.get_template(f"{folder}/message.txt").render(context), "plain", "utf-8")
    html: Message = MIMEText(
        env.get_template(f"{folder}/message.html").render({**context, "subject": subject}), "html", "utf-8"
    )
    if message.photos:
        related = MIMEMultipart("related")
        related.attach(html)
        for index, photo in enumerate(message.photos):
            image = MIMEImage(photo.jpeg, "jpeg")
            image["Content-ID"] = f"<{photo.kind}.{index}>"
            image.add_header("Content-Disposition", "inline", filename=f"{photo.kind}.jpg")
            related.attach(image)
        html = related
    email = MIMEMultipart("alternative", _subparts=[text, html], policy=_HEADERS)
    email["Subject"] = Header(subject, "utf-8")
    email["From"] = formataddr((message.agency, sender), "utf-8")
    email["To"] = formataddr((_clean_name(message.to_name), message.to_email), "utf-8")
    email["Date"] = format_datetime(sent_at)
    domain = sender.rpartition("@")[2] or "localhost"
    email["Message-ID"] = f"<{re.sub(r'[^A-Za-z0-9.-]', '.', message.key)}@{domain}>"
    email["Content-Language"] = message.lang
    # One-click unsubscribe (RFC 8058): mail clients show their own button for it.
    email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
    email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return email


def compose(
    settings: Settings,
    tz: ZoneInfo,
    link_key: bytes,
    key: str,
    stage: str,
    reporter: Ticket,
    shown: Ticket,
    changed_at: datetime,
    now: datetime,
    photos: list[EmailPhoto],
) -> ReporterMessage:
    """The message owed to `reporter`'s reporter (notification `key`) for `stage` of `shown`
    (their own ticket, or the one it was merged into), with its signed links."""
    lang = language(reporter.reporter_locale, settings.default_language)
    public = settings.public_url
    valid = timedelta(days=settings.reporter_link_days)

    def token(purpose: str) -> str:
        return reporterlinks.make(link_key, purpose, reporter.id, lang, valid, now)

    outcome = stage in OUTCOME_STAGES
    # The status page link carries the "not fixed?" token, so the page offers it to this reporter.
    not_fixed = token("not_fixed") if outcome else None
    page = f"{status_page_url(public, reporter.id)}?lang={lang}" + (f"&k={not_fixed}" if not_fixed else "")
    return ReporterMessage(
        key=key,
        stage=stage,
        lang=lang,
        to_email=(reporter.reporter_email or "").strip(),
        to_name=reporter.reporter_name,
        agency=settings.agency_name,
        service=service_name(reporter.service_code, lang),
        address=reporter.address,
        description=reporter.description,
        reported_at=local_time(reporter.created_at, tz, lang),
        changed_at=local_time(changed_at, tz, lang),
        status=status_words(shown.status, lang),
        outcome=outcome_words(shown, lang) if outcome or stage == "cancelled" else None,
        link=page,
        merged=shown.id != reporter.id,
        unsubscribe_url=f"{public}/reporter/unsubscribe?k={token('unsubscribe')}",
        fixed_url=f"{public}/reporter/fixed?k={token('fixed')}" if outcome else None,
        not_fixed_url=f"{public}/reporter/not-fixed?k={not_fixed}" if not_fixed else None,
        photos=photos,
    )
