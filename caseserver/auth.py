"""Passwords (Argon2id) and device bearer tokens (random, stored as SHA-256, expiring)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseserver.models import Crew, Device, SupervisedCrew, User, utcnow

_hasher = PasswordHasher()


class AuthError(Exception):
    """Sign-in or token failure; the message is safe to show to the caller."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _unknown_user_hash() -> str:
    """A hash of a random password, made once, checked in place of an unknown user's.

    Signing in as a user that does not exist then costs the same Argon2 work as a wrong
    password for one that does, so the answer's timing does not tell which users exist.
    """
    return _hasher.hash(secrets.token_urlsafe(16))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Caller:
    """Who is making a request, and what they may see."""

    user_id: int
    username: str
    display_name: str
    role: str
    device_id: str | None
    crew_id: int | None
    crew_code: str | None
    #: Crews whose tickets this caller sees; None means every ticket (admin).
    scope_crews: frozenset[int] | None
    #: Whether the unassigned queue is in scope.
    sees_unassigned: bool
    supervised_codes: tuple[str, ...] = field(default=())

    def sees_crew(self, crew_id: int | None) -> bool:
        if self.scope_crews is None:
            return True
        if crew_id is None:
            return self.sees_unassigned
        return crew_id in self.scope_crews


def caller_for(session: Session, user: User, device_id: str | None, crew: Crew | None = None) -> Caller:
    """Who the user is to the API; `crew` is the user's crew when the caller has it already."""
    crew_code = None
    if user.crew_id is not None:
        crew_code = (crew if crew is not None else session.get(Crew, user.crew_id)).code  # type: ignore[union-attr]
    supervised: tuple[str, ...] = ()
    if user.role == "admin":
        scope: frozenset[int] | None = None
        unassigned = True
    elif user.role == "supervisor":
        rows = session.execute(
            select(Crew.id, Crew.code)
            .join(SupervisedCrew, SupervisedCrew.crew_id == Crew.id)
            .where(SupervisedCrew.supervisor_id == user.id)
            .order_by(Crew.code)
        ).all()
        scope = frozenset(r.id for r in rows)
        supervised = tuple(r.code for r in rows)
        unassigned = True
    else:
        scope = frozenset({user.crew_id}) if user.crew_id is not None else frozenset()
        unassigned = False
    return Caller(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        device_id=device_id,
        crew_id=user.crew_id,
        crew_code=crew_code,
        scope_crews=scope,
        sees_unassigned=unassigned,
        supervised_codes=supervised,
    )


def check_credentials(session: Session, username: str, password: str) -> int:
    """The id of the active user with this name and password, or AuthError.

    Run it in a read transaction: the Argon2 check takes a good part of a second.
    """
    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None else _unknown_user_hash()
    password_ok = check_password(stored, password)  # always the same work, whoever asks
    if user is None or not user.active or not password_ok:
        raise AuthError("wrong user name or password")
    return user.id


def issue_token(
    session: Session,
    user_id: int,
    device_name: str,
    device_id: uuid.UUID | None,
    token_days: int,
) -> tuple[str, Device, User]:
    """A new token for the device (re-using its id) of a user whose password was checked."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise AuthError("wrong user name or password")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    dev_id = str(device_id or uuid.uuid4())
    device = session.get(Device, dev_id)
    if device is not None and device.user_id != user.id:
        dev_id = str(uuid.uuid4())
        device = None
    if device is None:
        device = Device(id=dev_id, user_id=user.id, name=device_name)
        session.add(device)
    device.name = device_name
    device.token_hash = token_digest(token)
    device.created_at = now
    device.expires_at = now + timedelta(days=token_days)
    device.revoked_at = None
    return token, device, user


def authenticate(
    session: Session, token: str, now: datetime | None = None
) -> tuple[User, Device, Crew | None]:
    """The user, device and the user's crew behind a bearer token, or AuthError saying why not."""
    now = now or utcnow()
    # One query for the device, its user and the user's crew (which caller_for then finds
    # in the session): every API request makes it.
    row = session.execute(
        select(Device, User, Crew)
        .outerjoin(User, User.id == Device.user_id)
        .outerjoin(Crew, Crew.id == User.crew_id)
        .where(Device.token_hash == token_digest(token))
    ).first()
    if row is None:
        raise AuthError("unknown token: sign in again")
    device, user, crew = row
    if device.revoked_at is not None:
        raise AuthError("this device was signed out by an administrator: sign in again")
    if device.expires_at <= now:
        raise AuthError("session expired: sign in again")
    if user is None or not user.active:
        raise AuthError("account disabled")
    return user, device, crew
