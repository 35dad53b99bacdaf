"""Reporter emails: the message for one resolution, and sending it over SMTP.

`CASESERVER_SMTP_URL` names the mail server:
``smtp://[user:password@]host:port?from=noreply@city.example[&starttls=1]``, or
``smtps://...`` for TLS from the first byte.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

_templates = Environment(
    loader=PackageLoader("caseserver", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class SmtpUrlError(ValueError):
    """CASESERVER_SMTP_URL cannot be understood."""


class SendError(Exception):
    """The mail server did not take the message; `permanent` if retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig | None:
        """The configuration in `url`; None when the URL is empty (email is off)."""
        if not url.strip():
            return None
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps"):
            raise SmtpUrlError(f"CASESERVER_SMTP_URL must start with smtp:// or smtps://, not {url!r}")
        if not parts.hostname:
            raise SmtpUrlError("CASESERVER_SMTP_URL names no host")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        sender = query.get("from", "")
        if "@" not in sender:
            raise SmtpUrlError("CASESERVER_SMTP_URL needs ?from=address (the sender of reporter emails)")
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            sender=sender,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=query.get("starttls", "0").lower() in ("1", "true", "yes"),
            tls=tls,
            timeout=float(query.get("timeout", 30)),
        )


def send(config: SmtpConfig, message: EmailMessage) -> None:
    """Hand the message to the mail server, or raise SendError saying why not."""
    try:
        if config.tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            if config.starttls:
                client.starttls(context=ssl.create_default_context())
            if config.username:
                client.login(config.username, config.password or "")
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"the mail server refused the recipient: {exc.recipients}", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        raw = exc.smtp_error
        text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
        # 5xx answers are final, except authentication trouble, which an operator can fix.
        permanent = 500 <= exc.smtp_code < 600 and exc.smtp_code not in (530, 534, 535)
        raise SendError(f"the mail server answered {exc.smtp_code} {text}", permanent=permanent) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"cannot reach the mail server {config.host}:{config.port}: {exc}") from exc


@dataclass(frozen=True)
class EmailPhoto:
    kind: str  # before | after
    jpeg: bytes


@dataclass(frozen=True)
class ResolutionEmail:
    """Everything one reporter email says. No crew names: only the city's agency."""

    #: Unique per resolution (the notification key); becomes the Message-ID.
    key: str
    to_email: str
    to_name: str | None
    agency: str
    service: str
    address: str
    description: str
    reported_at: str
    resolved_at: str
    status: str
    outcome: str | None
    link: str
    photos: list[EmailPhoto] = field(default_factory=list)


def _clean_name(name: str | None) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", " ", name or "").strip()[:120]


def build_message(sender: str, email: ResolutionEmail, sent_at: datetime) -> EmailMessage:
    """A text and HTML message with the before/after photos inline (public copies)."""
    message = EmailMessage()
    message["Subject"] = f"Your report is resolved: {email.service}, {email.address}"[:200]
    message["From"] = Address(email.agency, addr_spec=sender)
    message["To"] = Address(_clean_name(email.to_name), addr_spec=email.to_email)
    message["Date"] = format_datetime(sent_at)
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{re.sub(r'[^A-Za-z0-9.-]', '.', email.key)}@{domain}>"
    context = {"email": email, "greeting": _clean_name(email.to_name)}
    message.set_content(_templates.get_template("resolution_email.txt").render(context))
    message.add_alternative(_templates.get_template("resolution_email.html").render(context), subtype="html")
    html_part = message.get_payload()[1]  # type: ignore[index]
    for index, photo in enumerate(email.photos):
        html_part.add_related(
            photo.jpeg,
            maintype="image",
            subtype="jpeg",
            cid=f"<{photo.kind}.{index}>",
            filename=f"{photo.kind}.jpg",
            disposition="inline",
        )
    return message
