"""Routes of the work record: the catalogue devices fetch, and a day's work per crew as CSV."""

from collections.abc import Callable
from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from sqlalchemy import select

from caseserver.auth import Caller
from caseserver.db import Database
from caseserver.errordocs import error_responses
from caseserver.models import Crew
from caseserver.workrecords import as_csv, day_rows
from sync.wire import API_PREFIX
from sync.workrecord import WorkCatalogue


def work_router(
    database: Database, catalogue: WorkCatalogue, zone: ZoneInfo, caller: Callable[..., Caller]
) -> APIRouter:
    router = APIRouter(tags=["work record"])
    CallerDep = Annotated[Caller, Depends(caller)]

    @router.get(
        f"{API_PREFIX}/work-catalogue",
        response_model=WorkCatalogue,
        summary="Materials and checklists per service (devices fetch it at every sync)",
    )
    def get_catalogue(_caller: CallerDep) -> WorkCatalogue:
        return catalogue

    @router.get(
        f"{API_PREFIX}/work-record.csv",
        summary="A day's work per crew as CSV (time and materials per ticket), for payroll and costs",
        description=(
            "One row per figure: day, crew, ticket, service, address, kind (time or material), "
            "item (travel, on_site or a material code), quantity, unit, source. `crew` left out: "
            "every crew the caller sees (a crew member: their own crew)."
        ),
        responses={200: {"content": {"text/csv": {}}}, **error_responses(403, 404, 422)},
    )
    def get_day(
        caller_: CallerDep, day: Annotated[date, Query()], crew: Annotated[str | None, Query()] = None
    ) -> Response:
        with database.read() as session:
            codes = dict(session.execute(select(Crew.code, Crew.id)).tuples().all())
            if crew is not None:
                if crew not in codes:
                    raise HTTPException(404, f"unknown crew {crew!r}")
                if not caller_.sees_crew(codes[crew]):
                    raise HTTPException(403, f"crew {crew} is not one of your crews")
                wanted = [codes[crew]]
            else:
                wanted = [crew_id for crew_id in codes.values() if caller_.sees_crew(crew_id)]
            rows = day_rows(session, day, wanted, zone, catalogue)
        filename = f"work-{day.isoformat()}{'-' + crew if crew else ''}.csv"
        return Response(
            as_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return router
