"""What reporters answered to "is it fixed?", per service (`GET /api/v1/satisfaction`).

Scoped like the change feed. An answer counts in the window of the moment it was
given; a later answer of the same reporter replaces the earlier one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caseserver.auth import Caller
from caseserver.feed import ticket_scope
from caseserver.models import Ticket


class Answers(BaseModel):
    #: "Fixed, thanks".
    fixed: int = 0
    #: "Not fixed" (each reopened the ticket or logged a follow-up).
    not_fixed: int = 0
    #: Share of "fixed" among the answers; None without answers.
    fixed_share: float | None = None


class Satisfaction(BaseModel):
    days: int
    total: Answers
    by_service: dict[str, Answers]


def satisfaction(session: Session, caller: Caller, days: int, now: datetime) -> Satisfaction:
    rows = session.execute(
        select(Ticket.service_code, Ticket.satisfaction, func.count())
        .where(ticket_scope(caller), Ticket.satisfaction.is_not(None))
        .where(Ticket.satisfaction_at >= now - timedelta(days=days))
        .group_by(Ticket.service_code, Ticket.satisfaction)
    ).tuples()
    by_service: dict[str, Answers] = {}
    total = Answers()
    for service, answer, count in rows:
        for answers in (by_service.setdefault(service, Answers()), total):
            if answer == "fixed":
                answers.fixed += count
            else:
                answers.not_fixed += count
    for answers in (*by_service.values(), total):
        asked = answers.fixed + answers.not_fixed
        answers.fixed_share = round(answers.fixed / asked, 3) if asked else None
    return Satisfaction(days=days, total=total, by_service=dict(sorted(by_service.items())))
