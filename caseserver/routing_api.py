"""Routes of routing: the rules that assign new tickets, and each crew's service list.

Supervisors and admins read them; only an admin changes them. The rules are replaced as a
whole (PUT), so a city keeps them in one file and a bad file changes nothing.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from caseserver.auth import Caller
from caseserver.db import Database
from caseserver.errordocs import error_responses
from caseserver.routing import (
    CrewServicesDoc,
    RoutingError,
    RoutingRuleDoc,
    UnknownCrew,
    replace_rules,
    set_crew_services,
    stored_rules,
)
from sync.wire import API_PREFIX


def routing_router(database: Database, caller: Callable[..., Caller]) -> APIRouter:
    router = APIRouter(tags=["routing"])
    CallerDep = Annotated[Caller, Depends(caller)]

    def office(caller_: Caller) -> None:
        if caller_.role == "crew":
            raise HTTPException(403, "only supervisors and admins see the routing rules")

    def admin(caller_: Caller) -> None:
        if caller_.role != "admin":
            raise HTTPException(403, "only an admin changes routing")

    @router.get(
        f"{API_PREFIX}/routing-rules",
        response_model=list[RoutingRuleDoc],
        summary="The rules that assign new tickets to crews, in the order they are tried",
        responses=error_responses(403),
    )
    def get_rules(caller_: CallerDep) -> list[RoutingRuleDoc]:
        office(caller_)
        with database.read() as session:
            return stored_rules(session)

    @router.put(
        f"{API_PREFIX}/routing-rules",
        response_model=list[RoutingRuleDoc],
        summary="Replace the routing rules (admin); all or nothing",
        responses=error_responses(403, 422),
    )
    def put_rules(rules: list[RoutingRuleDoc], caller_: CallerDep) -> list[RoutingRuleDoc]:
        admin(caller_)
        with database.write() as session:
            try:
                replace_rules(session, rules)
            except RoutingError as exc:
                raise HTTPException(422, str(exc)) from exc
            session.flush()
            return stored_rules(session)

    @router.put(
        f"{API_PREFIX}/crews/{{code}}/services",
        response_model=CrewServicesDoc,
        summary="Set the services a crew handles (admin); empty: every service",
        responses=error_responses(403, 404, 422),
    )
    def put_services(code: str, body: CrewServicesDoc, caller_: CallerDep) -> CrewServicesDoc:
        admin(caller_)
        with database.write() as session:
            try:
                services = set_crew_services(session, code, body.services)
            except UnknownCrew as exc:
                raise HTTPException(404, str(exc)) from exc
            except RoutingError as exc:
                raise HTTPException(422, str(exc)) from exc
        return CrewServicesDoc(services=services)

    return router
