"""Signed links in reporter messages: "not fixed?", "fixed, thanks" and unsubscribe.

A link carries its purpose, the reporter's ticket, an expiry and a nonce, signed
with HMAC-SHA256 under a key every server process shares (made once, kept in the
database). A link is good for its purpose only; a tampered one fails the signature;
an expired one says so; a used single-use link ("not fixed") is refused the second
time (its nonce is recorded in the same transaction as what it did).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from sqlalchemy.orm import Session

from caseserver.changes import insert_if_new, insert_new
from caseserver.models import ServerSecret, UsedLink, utcnow

PURPOSES: frozenset[str] = frozenset({"not_fixed", "fixed", "unsubscribe"})
#: Purposes whose link works once.
SINGLE_USE: frozenset[str] = frozenset({"not_fixed"})
_KEY_NAME = "reporter-links"


class LinkRefused(Exception):
    """The link cannot be used; `reason` is 'bad', 'expired' or 'used' (a key of the page texts)."""

    def __init__(self, reason: str, lang: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        #: The reporter's language, when the link's signature held (an expired link).
        self.lang = lang


@dataclass(frozen=True)
class Link:
    purpose: str
    ticket_id: str
    lang: str
    expires: datetime
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def stored_key(session: Session) -> bytes | None:
    found = session.get(ServerSecret, _KEY_NAME)
    return None if found is None else bytes.fromhex(found.value)


def signing_key(session: Session) -> bytes:
    """The shared key; the first process to ask makes it (a race keeps the first one stored)."""
    found = session.get(ServerSecret, _KEY_NAME)
    if found is None:
        insert_new(session, ServerSecret, "name", [{"name": _KEY_NAME, "value": secrets.token_hex(32)}])
        session.flush()
        found = session.get(ServerSecret, _KEY_NAME)
    assert found is not None
    return bytes.fromhex(found.value)


def make(key: bytes, purpose: str, ticket_id: str, lang: str, valid_for: timedelta, now: datetime) -> str:
    body = {
        "p": purpose,
        "t": ticket_id,
        "l": lang,
        "e": int((now + valid_for).timestamp()),
        "n": secrets.token_urlsafe(12),
    }
    payload = _b64(orjson.dumps(body))
    return f"{payload}.{_b64(_mac(key, payload))}"


def _mac(key: bytes, payload: str) -> bytes:
    return hmac.new(key, payload.encode(), hashlib.sha256).digest()[:20]


def read(key: bytes, token: str, purpose: str, now: datetime | None = None) -> Link:
    """The link in `token` for `purpose`, or LinkRefused (tampered, for another purpose, or expired)."""
    payload, _, mac = (token or "").strip().partition(".")
    try:
        good = hmac.compare_digest(_unb64(mac), _mac(key, payload))
        body = orjson.loads(_unb64(payload)) if good else None
    except (ValueError, orjson.JSONDecodeError):
        body = None
    if not isinstance(body, dict) or body.get("p") != purpose:
        raise LinkRefused("bad")
    try:
        link = Link(
            purpose,
            str(body["t"]),
            str(body["l"]),
            datetime.fromtimestamp(int(body["e"]), utcnow().tzinfo),
            str(body["n"]),
        )
    except (KeyError, TypeError, ValueError):
        raise LinkRefused("bad") from None
    if (now or utcnow()) > link.expires:
        raise LinkRefused("expired", link.lang)
    return link


def use(session: Session, link: Link) -> None:
    """Record a single-use link as used (in the caller's transaction), or LinkRefused('used')."""
    if link.purpose not in SINGLE_USE:
        return
    row = {"nonce": link.nonce, "purpose": link.purpose, "used_at": utcnow()}
    if not insert_if_new(session, UsedLink, "nonce", row):
        raise LinkRefused("used")
