"""Routes of live operations: the escalation rules devices evaluate offline, and the
operations figures for the city's dashboards."""

from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from caseserver.auth import Caller
from caseserver.db import Database
from caseserver.models import utcnow
from caseserver.satisfaction import Satisfaction, satisfaction
from caseserver.stats import stats, without_ids
from sync.operations import EscalationRule, OpsFigures
from sync.wire import API_PREFIX


def operations_router(
    database: Database, rules: Sequence[EscalationRule], caller: Callable[..., Caller]
) -> APIRouter:
    router = APIRouter(tags=["operations"])
    CallerDep = Annotated[Caller, Depends(caller)]

    @router.get(
        f"{API_PREFIX}/escalation-rules",
        response_model=list[EscalationRule],
        summary="When tickets nobody acts on escalate (devices evaluate these offline too)",
    )
    def get_rules(_caller: CallerDep) -> list[EscalationRule]:
        return list(rules)

    @router.get(
        f"{API_PREFIX}/stats",
        response_model=OpsFigures,
        summary="Backlog, SLA risk, overdue, escalations, response and resolution times, reopen rates",
        description=(
            "Scoped like the change feed: a crew's own tickets, a supervisor's crews and the "
            "unassigned queue, or every ticket for an admin. `ids=true` adds the tickets behind "
            "each figure. Times are POSIX seconds; medians in hours."
        ),
    )
    def get_stats(caller_: CallerDep, ids: Annotated[bool, Query()] = False) -> JSONResponse:
        with database.read() as session:
            figures = stats(session, caller_, rules, utcnow())
        body = figures.model_dump(mode="json") if ids else without_ids(figures)
        return JSONResponse(body)

    @router.get(
        f"{API_PREFIX}/satisfaction",
        response_model=Satisfaction,
        summary='Reporters\' answers to "is it fixed?" per service, over the last `days` days',
        description='Scoped like the change feed. `fixed_share` is the share of "fixed" among the answers.',
    )
    def get_satisfaction(caller_: CallerDep, days: Annotated[int, Query(ge=1, le=366)] = 30) -> Satisfaction:
        with database.read() as session:
            return satisfaction(session, caller_, days, utcnow())

    return router
