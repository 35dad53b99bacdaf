"""The change feed: what changed in the caller's scope after a cursor.

Positions come from the feed counter (see changes.py), which makes them visible
in commit order. A page is read in one snapshot: first the counter's value TOP,
then rows with cursor < seq <= TOP. Every position up to TOP had committed when
TOP was read, so the page (and the next cursor) never passes over a change that
is still to commit. Ticket documents are stored pre-rendered and spliced into the
answer as they are, which keeps a first sync close to the cost of moving bytes.

Conflicts have positions of their own on the same counter and go to their audience
(caseserver.conflicts) whatever the ticket's scope, with a summary of the ticket.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import ColumnElement, and_, false, not_, or_, select, true
from sqlalchemy.orm import Session

from caseserver.auth import Caller
from caseserver.changes import Crews
from caseserver.conflicts import addressed_to, conflict_dict
from caseserver.models import Conflict, FeedCounter, Revocation, ScopeDigest, Ticket, User
from sync.wire import digest_hex


def ticket_scope(caller: Caller) -> ColumnElement[bool]:
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
    return and_(crews, not_(ticket_scope(caller)))


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
        .where(window, ticket_scope(caller))
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
    conflict_rows = session.execute(
        select(Conflict.seq, Conflict.id)
        .where(Conflict.seq > cursor, Conflict.seq <= top, addressed_to(caller))
        .order_by(Conflict.seq)
        .limit(limit + 1)
    ).all()

    items: list[tuple[int, str, Any]] = [(r.seq, "t", r) for r in tickets]
    items += [(r.seq, "r", r) for r in revoked]
    items += [(r.seq, "c", r) for r in conflict_rows]
    items.sort(key=lambda item: item[0])
    more = len(items) > limit
    items = items[:limit]
    next_cursor = items[-1][0] if more else top

    docs = [r.doc.encode() for _, kind, r in items if kind == "t"]
    revoked_ids = sorted({r.ticket_id for _, kind, r in items if kind == "r"})
    conflicts = _conflict_docs(session, [r.id for _, kind, r in items if kind == "c"])

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


#: The ticket columns a conflict's summary needs (not the stored document).
_SUMMARY = (Ticket.service_code, Ticket.address, Ticket.assigned_crew_id, Ticket.status, Ticket.version)


def _conflict_docs(session: Session, conflict_ids: list[str]) -> list[dict[str, Any]]:
    """The page's conflicts, in feed order, each with its ticket as it is now."""
    if not conflict_ids:
        return []
    crews = Crews(session)
    usernames = {r.id: r.username for r in session.execute(select(User.id, User.username))}
    out: list[dict[str, Any]] = []
    for start in range(0, len(conflict_ids), 500):
        chunk = conflict_ids[start : start + 500]
        rows = session.execute(
            select(Conflict, *_SUMMARY)
            .join(Ticket, Ticket.id == Conflict.ticket_id)
            .where(Conflict.id.in_(chunk))
            .order_by(Conflict.seq)
        ).all()
        out.extend(conflict_dict(row[0], crews, usernames, row) for row in rows)
    return out
