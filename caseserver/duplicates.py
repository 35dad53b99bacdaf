"""Duplicate reports: the check on arrival, and merging a duplicate into its main ticket.

When a ticket arrives (Open311 or the office), open tickets of the same service within
`CASESERVER_DUPLICATE_METERS` (default 50 m) are possible duplicates: both sides get a hint
(`possible_duplicates` in the ticket document, nearest first) and the older one a line in
its history, so the board and the crew's ticket screen can show them side by side. The
check reads a band of latitude from the (service, latitude) index and measures only what
falls in the box round the new ticket.

Marking a ticket as a duplicate of another is an edit of its `duplicate_of` field like any
other (an op: offline, synced, merged, it can conflict). Applied, it closes the duplicate with
resolution `duplicate`; its notes and photos stay where they are, the main ticket's history
names it, and its reporter hears the main ticket's outcome (see ChangeSet.owe_reporters).
"""

from __future__ import annotations

import math

from geopy.distance import geodesic
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseserver.changes import ChangeSet, TicketRow, dumps, loads
from caseserver.models import Ticket
from sync.workflow import TERMINAL

#: Hints kept per ticket (the nearest).
MAX_HINTS = 10
_M_PER_DEG_LAT = 111_195.0


def nearby_open(
    session: Session, service_code: str, lat: float, lon: float, radius_m: float, exclude: str
) -> list[tuple[str, float]]:
    """(id, metres) of open, unmerged tickets of `service_code` within `radius_m`, nearest first."""
    dlat = radius_m / _M_PER_DEG_LAT
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    rows = session.execute(
        select(Ticket.id, Ticket.lat, Ticket.lon).where(
            Ticket.service_code == service_code,
            Ticket.lat.between(lat - dlat, lat + dlat),
            Ticket.lon.between(lon - dlon, lon + dlon),
            Ticket.status.not_in(TERMINAL),
            Ticket.duplicate_of.is_(None),
            Ticket.id != exclude,
        )
    ).all()
    found = [(tid, geodesic((lat, lon), (a, b)).meters) for tid, a, b in rows]
    return sorted((hit for hit in found if hit[1] <= radius_m), key=lambda hit: (hit[1], hit[0]))


def _hint(ticket: TicketRow, metres: float) -> dict[str, object]:
    return {"id": ticket.id, "distance_m": round(metres, 1), "address": ticket.address}


def flag_arrival(cs: ChangeSet, ticket: TicketRow, radius_m: float) -> None:
    """Flag a new ticket and the open tickets it may duplicate (before `cs.publish()`)."""
    if radius_m <= 0:
        return
    found = nearby_open(cs.session, ticket.service_code, ticket.lat, ticket.lon, radius_m, ticket.id)
    if not found:
        return
    found = found[:MAX_HINTS]
    others = cs.lock(tid for tid, _ in found)
    hints = []
    for tid, metres in found:
        other = others[tid]
        hints.append(_hint(other, metres))
        theirs = [h for h in loads(other.possible_duplicates) or [] if h["id"] != ticket.id]
        theirs = sorted([*theirs, _hint(ticket, metres)], key=lambda h: h["distance_m"])[:MAX_HINTS]
        other.possible_duplicates = dumps(theirs)
        why = f"possible duplicate: a new report {metres:.0f} m away ({ticket.address})"
        cs.system_event(other, "possible_duplicate", ticket.id, reason=why)
    ticket.possible_duplicates = dumps(hints)
