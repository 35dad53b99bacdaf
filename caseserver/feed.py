"""The change feed: what changed in the caller's scope after a cursor.

Positions come from the feed counter (see changes.py), which makes them visible
in commit order. A page is read in one snapshot: first the counter's value TOP,
then rows with cursor < seq <= TOP. Every position up to TOP had committed when
TOP was read, so the page (and the next cursor) never passes over a change that
is still to commit. Ticket documents are stored pre-rendered and spliced into the
answer as they are, which keeps a first sync close to the cost of moving bytes.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import ColumnElement, and_, false, not_, or_, select, true
from sqlalchemy.orm import Session

from caseserver.auth import Caller
from caseserver.changes import Crews
from caseserver.models import Conflict, FeedCounter, Revocation, ScopeDigest, Ticket, User
from caseserver.push import conflict_dict
from sync.wire import digest_hex


def _ticket_scope(caller: Caller) -> ColumnElement[bool]:
    if caller.scope_crews is None:
        return true()
    crews = Ticket.assigned_crew_id.in_(sorted(caller.scope_crews))
    if caller.sees_unassigned:
        return or_(crews, Ticket.assigned_crew_id.is_(None))
    return crews if caller.scope_crews else false()


def _revocation_scope(caller: Caller) -> ColumnElement[bool]:
    if caller.scope_crews is None:
        return false()
    crews = Revocation.crew_id.in_(sorted(caller.scope_crews))
    if caller.sees_unassigned:
        crews = or_(crews, Revocation.crew_id.is_(None))
    return and_(crews, not_(_ticket_scope(caller)))


def _conflict_visible(caller: Caller) -> ColumnElement[bool]:
    if caller.role != "crew":
        return true()
    if caller.crew_id is None:
        return false()
    return or_(
        Conflict.audience_crew_id == caller.crew_id,
        Conflict.author_crew_id == caller.crew_id,
    )


def scope_digest(session: Session, caller: Caller) -> tuple[str, int]:
    """Digest (see sync.wire) and count of (ticket id, version) over the caller's scope."""
    stmt = select(ScopeDigest.digest, ScopeDigest.count)
    if caller.scope_crews is not None:
        scopes = [str(c) for c in caller.scope_crews]
        if caller.sees_unassigned:
            scopes.append("")
        stmt = stmt.where(ScopeDigest.scope.in_(scopes))
    value, count = 0, 0
    for digest, n in session.execute(stmt):
        value += int(digest, 16)
        count += n
    return digest_hex(value), count


def feed_page(session: Session, caller: Caller, cursor: int, limit: int) -> bytes:
    """One page of the feed as JSON bytes (shape: sync.wire.FeedPage)."""
    top = session.scalar(select(FeedCounter.value).where(FeedCounter.id == 1)) or 0
    window = and_(Ticket.seq > cursor, Ticket.seq <= top)
    tickets = session.execute(
        select(Ticket.seq, Ticket.id, Ticket.doc)
        .where(window, _ticket_scope(caller))
        .order_by(Ticket.seq)
        .limit(limit + 1)
    ).all()
    revoked = session.execute(
        select(Revocation.seq, Revocation.ticket_id)
        .join(Ticket, Ticket.id == Revocation.ticket_id)
        .where(Revocation.seq > cursor, Revocation.seq <= top, _revocation_scope(caller))
        .order_by(Revocation.seq)
        .limit(limit + 1)
    ).all()

    items: list[tuple[int, str, Any]] = [(r.seq, "t", r) for r in tickets]
    items += [(r.seq, "r", r) for r in revoked]
    items.sort(key=lambda item: item[0])
    more = len(items) > limit
    items = items[:limit]
    next_cursor = items[-1][0] if more else top

    docs = [r.doc.encode() for _, kind, r in items if kind == "t"]
    revoked_ids = sorted({r.ticket_id for _, kind, r in items if kind == "r"})
    page_ids = [r.id for _, kind, r in items if kind == "t"]
    conflicts = _conflicts_for(session, caller, page_ids)

    head: dict[str, Any] = {"cursor": next_cursor, "more": more}
    if not more:
        head["digest"], head["count"] = scope_digest(session, caller)
    else:
        head["digest"], head["count"] = None, None
    tail = {"revoked": revoked_ids, "conflicts": conflicts}
    return b"".join(
        [
            orjson.dumps(head)[:-1],
            b',"tickets":[',
            b",".join(docs),
            b"],",
            orjson.dumps(tail)[1:],
        ]
    )


def _conflicts_for(session: Session, caller: Caller, ticket_ids: list[str]) -> list[dict[str, Any]]:
    if not ticket_ids:
        return []
    crews: Crews | None = None
    usernames: dict[int, str] = {}
    out: list[dict[str, Any]] = []
    for start in range(0, len(ticket_ids), 500):
        chunk = ticket_ids[start : start + 500]
        rows = session.scalars(
            select(Conflict)
            .where(Conflict.ticket_id.in_(chunk), _conflict_visible(caller))
            .order_by(Conflict.created_at, Conflict.id)
        ).all()
        if rows and crews is None:
            crews = Crews(session)
            usernames = dict(session.execute(select(User.id, User.username)).tuples().all())
        for c in rows:
            assert crews is not None
            out.append(conflict_dict(c, crews.code_by_id, usernames.get(c.author_id, "?")))
    return out
