"""Sending reporter messages over SMTP (the messages themselves: reportermail.py).

`CASESERVER_SMTP_URL` names the mail server:
``smtp://[user:password@]host:port?from=noreply@city.example[&starttls=1]``, or
``smtps://...`` for TLS from the first byte.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qs, unquote, urlsplit


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


class SmtpConnection:
    """One connection to the mail server, opened at the first message and kept for the next ones.

    A failed send closes it (the next one connects again), so a worker sending a
    round of messages pays for one connection rather than one per message.
    """

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        if config.tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        if config.starttls:
            client.starttls(context=ssl.create_default_context())
        if config.username:
            client.login(config.username, config.password or "")
        return client

    def send(self, message: Message) -> None:
        """Hand the message to the mail server, or raise SendError saying why not."""
        config = self.config
        try:
            if self._client is None:
                self._client = self._connect()
            self._client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset_or_close()
            raise SendError(
                f"the mail server refused the recipient: {exc.recipients}", permanent=True
            ) from exc
        except smtplib.SMTPResponseException as exc:
            self._reset_or_close()
            raw = exc.smtp_error
            text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
            # 5xx answers are final, except authentication trouble, which an operator can fix.
            permanent = 500 <= exc.smtp_code < 600 and exc.smtp_code not in (530, 534, 535)
            raise SendError(f"the mail server answered {exc.smtp_code} {text}", permanent=permanent) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SendError(f"cannot reach the mail server {config.host}:{config.port}: {exc}") from exc

    def _reset_or_close(self) -> None:
        """After a refused message the connection may carry on (RSET), else it is closed."""
        try:
            if self._client is not None:
                self._client.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


@dataclass(frozen=True)
class EmailPhoto:
    kind: str  # before | after
    jpeg: bytes
