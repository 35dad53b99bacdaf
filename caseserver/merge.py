"""The merge rules: what happens to one edit of one field, three-way against its base.

Pure functions over plain values; push.py feeds them and carries out the answer.
See docs/sync.md for the rules in prose and the conflict matrix. Office fields
are never changed by a crew directly: a crew's edit is always a proposed
correction, so the result is the same whichever side syncs first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sync.workflow import FINAL, TERMINAL, field_owner, is_forward, is_legal, may_set_status

Action = Literal["apply", "noop", "conflict", "reject"]


@dataclass(frozen=True)
class Decision:
    action: Action
    #: True when the edit went in over a concurrent change (forward move, authority);
    #: whoever made that change gets a conflict record telling them what replaced it.
    over_concurrent: bool = False
    #: For 'conflict': who should look at it ('crew', 'supervisor' or 'office').
    audience: str | None = None
    #: For 'reject': an HTTP-like code (403, 409, 422); for others unused.
    code: int | None = None
    reason: str = ""


def _author_audience(role: str) -> str:
    return "crew" if role == "crew" else "supervisor"


def decide(
    *,
    field: str,
    base: Any,
    value: Any,
    current: Any,
    ticket_status: str,
    author_role: str,
    last_writer_role: str | None,
) -> Decision:
    """Decide one 'set' edit. `last_writer_role` is the role that last set `field`."""
    if current == value:
        return Decision("noop", reason="already has this value")

    if ticket_status in FINAL and field != "status":
        return Decision(
            "conflict",
            audience=_author_audience(author_role),
            reason=f"the ticket is {ticket_status}; the edit was kept but not applied",
        )

    owner = field_owner(field)
    concurrent = current != base

    if field == "status":
        if not concurrent:
            if may_set_status(author_role, current, value):
                return Decision("apply")
            if is_legal(current, value):
                return Decision("reject", code=403, reason=f"a {author_role} may not set status {value}")
            return Decision("reject", code=409, reason=f"status cannot move from {current} to {value}")
        if current in TERMINAL:
            return Decision(
                "conflict",
                audience=_author_audience(author_role),
                reason=f"the ticket was already {current} on the server; {current} stands",
            )
        if is_forward(current, value) and may_set_status(author_role, current, value):
            return Decision("apply", over_concurrent=True)
        return Decision(
            "conflict",
            audience=_author_audience(author_role),
            reason=f"status was changed to {current} meanwhile; a stale move to {value} would go backwards",
        )

    if owner == "office":
        if author_role == "crew":
            return Decision(
                "conflict",
                audience="office",
                reason=f"{field} belongs to the office: the crew's value is kept as a proposed "
                "correction for the office to review",
            )
        if not concurrent:
            return Decision("apply")
        return Decision(
            "conflict",
            audience="office",
            reason=f"{field} was changed by someone else first; theirs stands",
        )

    if not concurrent:
        return Decision("apply")

    if owner == "dispatch":
        if author_role in ("supervisor", "admin") and last_writer_role == "crew":
            return Decision("apply", over_concurrent=True)
        if author_role == "crew":
            return Decision(
                "conflict",
                audience="crew",
                reason=f"dispatch changed {field} meanwhile; dispatch's value stands",
            )
        return Decision(
            "conflict",
            audience="supervisor",
            reason=f"{field} was changed by another supervisor first; theirs stands",
        )

    return Decision(
        "conflict",
        audience=_author_audience(author_role),
        reason=f"{field} was changed on another device meanwhile; the first one received stands",
    )
