"""Throttling of guessable or abusable requests: sign-ins and anonymous Open311 posts.

Each user name and each client address has a count of recent failed sign-ins (or,
for Open311, of posts without a valid API key). Up to a limit nothing happens; from
the limit on, every further attempt must wait, and the wait doubles with each one
(`CASESERVER_THROTTLE_FIRST_DELAY_SECONDS`, doubling up to `..._MAX_DELAY_SECONDS`).
An attempt during the wait is answered 429 with `Retry-After` and is not counted.
A count restarts after `CASESERVER_THROTTLE_FORGET_SECONDS` without a new one, and a
successful sign-in clears its user name's count.

The counts live in the `throttle_counts` table, so every server process (PostgreSQL)
sees the same ones; a count is taken under the row's lock, so parallel attempts cannot
slip past the limit together. Keys hold a SHA-256 of the name or address, never the
text; rows past the forget time are pruned.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fastapi import HTTPException, Request
from sqlalchemy import delete, select

from caseserver.changes import insert_new
from caseserver.db import Database
from caseserver.models import ThrottleCount, utcnow

log = logging.getLogger("caseserver.throttle")

#: Pruning of forgotten counts runs at most this often in one process, in seconds.
PRUNE_EVERY = 60.0


def _env_number(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass(frozen=True)
class ThrottleSettings:
    """The limits, read from the environment (see README's configuration table)."""

    #: Failed sign-ins per user name before each further attempt waits.
    login_user_failures: int = field(
        default_factory=lambda: int(_env_number("CASESERVER_LOGIN_USER_FAILURES", 5))
    )
    #: Failed sign-ins per client address before each further attempt waits.
    login_address_failures: int = field(
        default_factory=lambda: int(_env_number("CASESERVER_LOGIN_ADDRESS_FAILURES", 50))
    )
    #: Open311 posts without a valid API key per client address before each further one waits.
    open311_address_posts: int = field(
        default_factory=lambda: int(_env_number("CASESERVER_OPEN311_ADDRESS_POSTS", 10))
    )
    #: The first wait, in seconds; it doubles with each further attempt.
    first_delay: float = field(
        default_factory=lambda: _env_number("CASESERVER_THROTTLE_FIRST_DELAY_SECONDS", 1)
    )
    #: The longest wait, in seconds.
    max_delay: float = field(
        default_factory=lambda: _env_number("CASESERVER_THROTTLE_MAX_DELAY_SECONDS", 900)
    )
    #: A count restarts after this many seconds without a new attempt (and its row is pruned).
    forget: float = field(default_factory=lambda: _env_number("CASESERVER_THROTTLE_FORGET_SECONDS", 900))


@dataclass(frozen=True)
class Key:
    """One throttled thing: a kind ('login-user', 'login-address', 'open311-address') and its value."""

    kind: str
    value: str
    limit: int

    @property
    def id(self) -> str:
        digest = hashlib.sha256(self.value.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        return f"{self.kind}:{digest}"


class Throttled(Exception):
    """The caller must wait `retry_after` seconds before trying again."""

    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message

    def http(self) -> HTTPException:
        """The 429 answer of the JSON API."""
        return HTTPException(429, self.message, headers={"Retry-After": str(self.retry_after)})


def client_address(request: Request) -> str:
    """The caller's address (uvicorn takes it from X-Forwarded-For of trusted proxies only)."""
    return request.client.host if request.client is not None else "unknown"


class Throttle:
    def __init__(self, db: Database, settings: ThrottleSettings | None = None) -> None:
        self.db = db
        self.settings = settings or ThrottleSettings()
        self._next_prune = 0.0

    def delay(self, count: int, limit: int) -> timedelta:
        """The wait after `count` attempts: none below `limit`, then first delay, doubling."""
        if count < limit:
            return timedelta(0)
        seconds = self.settings.first_delay * 2 ** min(count - limit, 40)
        return timedelta(seconds=min(seconds, self.settings.max_delay))

    def check(self, keys: list[Key], what: str) -> None:
        """Raise Throttled if any key must still wait (a read; counts nothing)."""
        now = utcnow()
        with self.db.read() as session:
            rows = session.scalars(select(ThrottleCount).where(ThrottleCount.key.in_([k.id for k in keys])))
            self._refuse_if_waiting(list(rows), now, what)

    def hit(self, keys: list[Key], what: str, *, check: bool = True) -> None:
        """Count one attempt for each key, atomically; with `check`, first refuse (Throttled) if one waits."""
        now = utcnow()
        ordered = sorted(keys, key=lambda k: k.id)  # one lock order: no deadlocks between processes
        with self.db.write() as session:
            empty = {"count": 0, "last_at": now, "blocked_until": None}
            insert_new(session, ThrottleCount, "key", [{"key": k.id, **empty} for k in ordered])
            rows = session.scalars(
                select(ThrottleCount)
                .where(ThrottleCount.key.in_([k.id for k in ordered]))
                .order_by(ThrottleCount.key)
                .with_for_update()
            ).all()
            if check:
                self._refuse_if_waiting(list(rows), now, what)
            limits = {k.id: k.limit for k in ordered}
            for row in rows:
                if row.last_at < now - timedelta(seconds=self.settings.forget):
                    row.count = 0
                row.count += 1
                row.last_at = now
                wait = self.delay(row.count, limits[row.key])
                row.blocked_until = now + wait if wait else None
        self._prune_now_and_then()

    def clear(self, key: Key) -> None:
        """Forget a key's count (a successful sign-in)."""
        with self.db.write() as session:
            session.execute(delete(ThrottleCount).where(ThrottleCount.key == key.id))

    def prune(self) -> int:
        """Delete counts nobody added to for the forget time and that block nothing; returns how many."""
        now = utcnow()
        stale = (
            select(ThrottleCount.key)
            .where(
                ThrottleCount.last_at < now - timedelta(seconds=self.settings.forget),
                (ThrottleCount.blocked_until.is_(None)) | (ThrottleCount.blocked_until < now),
            )
            .limit(10_000)
        )
        if not self.db.is_sqlite:
            stale = stale.with_for_update(skip_locked=True)  # never waits for an attempt being counted
        with self.db.write() as session:
            result = session.execute(delete(ThrottleCount).where(ThrottleCount.key.in_(stale)))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def _prune_now_and_then(self) -> None:
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + PRUNE_EVERY
        try:
            self.prune()
        except Exception:  # housekeeping; the next round tries again
            log.exception("pruning throttle counts failed")

    @staticmethod
    def _refuse_if_waiting(rows: list[ThrottleCount], now: datetime, what: str) -> None:
        waits = [(row.blocked_until - now).total_seconds() for row in rows if row.blocked_until]
        longest = max(waits, default=0.0)
        if longest > 0:
            seconds = max(1, math.ceil(longest))
            raise Throttled(seconds, f"too many {what}: try again in {seconds} s")


class LoginGuard:
    """Sign-in throttling per user name (counted before the password check) and per address."""

    def __init__(self, throttle: Throttle) -> None:
        self.throttle = throttle

    def _user(self, username: str) -> Key:
        return Key("login-user", username.casefold(), self.throttle.settings.login_user_failures)

    def _address(self, address: str) -> Key:
        return Key("login-address", address, self.throttle.settings.login_address_failures)

    def before(self, username: str, address: str) -> None:
        """Raise Throttled if this address or user name must wait; else count the attempt for the user.

        The user's count is taken before the (slow) password check and cleared on success,
        so parallel guesses at one user name cannot pass the limit together.
        """
        self.throttle.check([self._address(address)], "failed sign-ins from this address")
        self.throttle.hit([self._user(username)], "failed sign-ins for this user name")

    def failed(self, address: str) -> None:
        self.throttle.hit([self._address(address)], "failed sign-ins", check=False)

    def succeeded(self, username: str) -> None:
        self.throttle.clear(self._user(username))
