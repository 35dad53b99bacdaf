"""The ticket workflow: statuses, legal moves, who may make them, and field ownership.

Shared by the case server (which enforces it) and the device (which offers only
legal next steps). Pure data and functions, no I/O.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Role(StrEnum):
    CREW = "crew"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)

#: Statuses a stale edit can never undo.
TERMINAL: frozenset[str] = frozenset({Status.RESOLVED, Status.CLOSED, Status.CANCELLED})

#: Statuses after which the ticket is finished for good.
FINAL: frozenset[str] = frozenset({Status.CLOSED, Status.CANCELLED})

#: Legal moves of the status field.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ASSIGNED, Status.CANCELLED}),
    Status.ASSIGNED: frozenset({Status.EN_ROUTE, Status.IN_PROGRESS, Status.ON_HOLD, Status.CANCELLED}),
    Status.EN_ROUTE: frozenset({Status.IN_PROGRESS, Status.ON_HOLD, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.ON_HOLD, Status.RESOLVED, Status.CANCELLED}),
    Status.ON_HOLD: frozenset({Status.IN_PROGRESS, Status.EN_ROUTE, Status.RESOLVED, Status.CANCELLED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}

#: What (un)assigning does to the status. Assigning a `new` ticket makes it `assigned`;
#: a supervisor's unassign returns an `assigned` ticket (nobody started) to the queue as
#: `new`. Started tickets (en route, in progress, on hold) keep their status in the
#: queue, so the work done shows and the next crew carries on from there; finished
#: ones keep theirs too. These moves happen only with the assignment (the audit event
#: says so); nobody sets them directly: `assigned -> new` is not in TRANSITIONS.
ON_ASSIGN: dict[str, str] = {Status.NEW: Status.ASSIGNED}
ON_UNASSIGN: dict[str, str] = {Status.ASSIGNED: Status.NEW}

#: How far along the workflow a status is; a stale edit may only move forward.
RANK: dict[str, int] = {
    Status.NEW: 0,
    Status.ASSIGNED: 1,
    Status.EN_ROUTE: 2,
    Status.IN_PROGRESS: 3,
    Status.ON_HOLD: 3,
    Status.RESOLVED: 5,
    Status.CLOSED: 6,
    Status.CANCELLED: 6,
}

#: Statuses a crew may set; supervisors and admins may make any legal move.
CREW_SETTABLE: frozenset[str] = frozenset(
    {Status.EN_ROUTE, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED}
)

#: `duplicate_of` merges the ticket into another (crew on site, or dispatch): it closes as a duplicate.
CREW_FIELDS: frozenset[str] = frozenset({"status", "resolution_code", "resolution_note", "duplicate_of"})
DISPATCH_FIELDS: frozenset[str] = frozenset({"assigned_crew", "priority", "due_at"})
OFFICE_FIELDS: frozenset[str] = frozenset({"description", "address", "location", "service_code"})
EDITABLE_FIELDS: frozenset[str] = CREW_FIELDS | DISPATCH_FIELDS | OFFICE_FIELDS

RESOLUTION_CODES: tuple[str, ...] = (
    "fixed",
    "temporary_fix",
    "not_found",
    "duplicate",
    "referred",
    "no_action_needed",
)

PRIORITIES: tuple[int, ...] = (1, 2, 3, 4, 5)  # 1 = emergency, 5 = planned


def field_owner(field: str) -> str:
    """Which group owns a field: 'crew', 'dispatch' or 'office'."""
    if field in CREW_FIELDS:
        return "crew"
    if field in DISPATCH_FIELDS:
        return "dispatch"
    if field in OFFICE_FIELDS:
        return "office"
    raise KeyError(field)


def is_legal(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def may_set_status(role: str, current: str, new: str) -> bool:
    """Whether a user of `role` may move a ticket from `current` to `new`."""
    if not is_legal(current, new):
        return False
    if role == Role.CREW:
        return new in CREW_SETTABLE and current != Status.RESOLVED
    return True


def next_steps(role: str, current: str) -> list[str]:
    """The moves a user of `role` can offer from `current`, in workflow order."""
    return [s for s in STATUSES if may_set_status(role, current, s)]


def is_forward(current: str, new: str) -> bool:
    """A legal move that goes further along the workflow (used for stale edits)."""
    return is_legal(current, new) and RANK[new] > RANK[current]


def status_after_assignment(current: str, crew: str | None) -> str | None:
    """The status a (re/un)assignment moves the ticket to, or None when it stays."""
    return (ON_ASSIGN if crew is not None else ON_UNASSIGN).get(current)


def keep_mine_refusal(
    *,
    role: str,
    own_crews: tuple[str, ...] | None,
    audience: str,
    ticket_status: str,
    ticket_crew: str | None,
) -> str | None:
    """Why this user may not keep their value of a conflict, naming who can; None if they may.

    `own_crews` is the user's crew (crews) or supervised crews, None for an admin. A
    crew keeps its value only on a ticket that is still its own and not finished;
    proposals to the office are the office's to accept. A supervisor needs the ticket in
    their scope (their crews or the queue). A closed or cancelled ticket changes no more.
    Conflicts addressed to dispatch or the office are theirs to decide, not a crew's.
    """
    if ticket_status in FINAL:
        return f"the ticket is {ticket_status}: it cannot change any more"
    if role == Role.ADMIN or own_crews is None:
        return None
    if role == Role.CREW:
        if audience == "office":
            return "the office decides on proposed corrections: ask your supervisor"
        if audience == "supervisor":
            return "this is for dispatch to decide: ask your supervisor"
        if ticket_crew not in own_crews:
            holder = f"crew {ticket_crew}" if ticket_crew else "the unassigned queue"
            return f"the ticket is now with {holder}: ask your supervisor"
        if ticket_status in TERMINAL:
            return f"the ticket is {ticket_status}: ask your supervisor"
        return None
    if ticket_crew is not None and ticket_crew not in own_crews:
        return f"the ticket is now with crew {ticket_crew}, not one of yours: ask its supervisor or an admin"
    return None
