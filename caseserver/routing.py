"""Routing of new tickets, and the services each crew handles.

A routing rule names a crew, the services it takes (none listed: every service) and its
district (a GeoJSON Polygon or MultiPolygon; none: anywhere). A ticket that arrives without a
crew, from Open311 or the office, goes to the crew of the first rule, in order, matching its
service and place; its history says which rule assigned it. Rules live in the database (every
server process sees the same ones) and are replaced as a whole, validated first, through the
API or the CLI.

A crew's service list (empty: every service) travels to supervisors' devices with the crews,
where dispatch suggestions rank crews that handle a ticket's service first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from shapely.errors import ShapelyError
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from caseserver.models import Crew, RoutingRule
from caseserver.services import BY_CODE

RuleName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class RoutingRuleDoc(BaseModel):
    """One routing rule as the API and the CLI's JSON files carry it."""

    model_config = ConfigDict(extra="forbid")

    name: RuleName
    crew: str = Field(description="Code of the crew the matching tickets go to")
    services: list[str] = Field(default_factory=list, description="Service codes; empty: every service")
    area: dict[str, Any] | None = Field(
        default=None,
        description="GeoJSON Polygon or MultiPolygon (a Feature holding one is accepted); none: anywhere",
    )


class CrewServicesDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")

    services: list[str] = Field(description="Service codes the crew handles; empty: every service")


class RoutingError(ValueError):
    """Rules or a service list that cannot be used; the message says why in one line."""


class UnknownCrew(RoutingError):
    """No crew has the code given."""


def check_services(services: Iterable[str], where: str) -> list[str]:
    """The codes, each known, without repeats, in the order given."""
    codes = list(dict.fromkeys(services))
    unknown = [code for code in codes if code not in BY_CODE]
    if unknown:
        raise RoutingError(f"{where}: unknown service code {unknown[0]!r}")
    return codes


def area_geometry(area: dict[str, Any], where: str) -> BaseGeometry:
    """The district of a rule, checked: a valid polygon in longitude/latitude degrees."""
    if area.get("type") == "Feature":
        area = area.get("geometry") or {}
    if not isinstance(area, dict) or area.get("type") not in ("Polygon", "MultiPolygon"):
        raise RoutingError(f"{where}: area must be a GeoJSON Polygon or MultiPolygon")
    try:
        geometry = shape(area)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, ShapelyError) as exc:
        raise RoutingError(f"{where}: area is not a readable GeoJSON polygon ({exc})") from exc
    if geometry.is_empty:
        raise RoutingError(f"{where}: area is empty")
    low_lon, low_lat, high_lon, high_lat = geometry.bounds
    if not (-180 <= low_lon <= high_lon <= 180 and -90 <= low_lat <= high_lat <= 90):
        raise RoutingError(f"{where}: area lies outside longitude -180..180, latitude -90..90")
    if not geometry.is_valid:
        why = explain_validity(geometry)
        raise RoutingError(f"{where}: area is not a valid polygon ({why})")
    return geometry


def check_rules(rules: Sequence[RoutingRuleDoc], crew_codes: Iterable[str]) -> None:
    """Raise RoutingError for the first thing wrong with `rules`."""
    known = set(crew_codes)
    seen: set[str] = set()
    for number, rule in enumerate(rules, start=1):
        where = f"rule {number} ({rule.name})"
        if rule.name in seen:
            raise RoutingError(f"{where}: another rule has the same name")
        seen.add(rule.name)
        if rule.crew not in known:
            raise RoutingError(f"{where}: unknown crew {rule.crew!r}")
        check_services(rule.services, where)
        if rule.area is not None:
            area_geometry(rule.area, where)


def stored_rules(session: Session) -> list[RoutingRuleDoc]:
    return [
        RoutingRuleDoc(
            name=rule.name,
            crew=code,
            services=json.loads(rule.services),
            area=None if rule.area is None else json.loads(rule.area),
        )
        for rule, code in _rule_rows(session)
    ]


def _rule_rows(session: Session) -> list[Any]:
    """(rule, crew code) of every rule, in order."""
    query = select(RoutingRule, Crew.code).join(Crew, Crew.id == RoutingRule.crew_id)
    return list(session.execute(query.order_by(RoutingRule.position)).tuples())


def replace_rules(session: Session, rules: Sequence[RoutingRuleDoc]) -> None:
    """Put `rules` in place of the current ones, all or nothing."""
    crews = dict(session.execute(select(Crew.code, Crew.id)).tuples().all())
    check_rules(rules, crews)
    session.execute(delete(RoutingRule))
    session.add_all(
        RoutingRule(
            name=rule.name,
            position=position,
            crew_id=crews[rule.crew],
            services=json.dumps(list(dict.fromkeys(rule.services))),
            area=None if rule.area is None else json.dumps(rule.area),
        )
        for position, rule in enumerate(rules)
    )


@dataclass(frozen=True)
class RouteMatch:
    rule: str
    crew_id: int
    crew_code: str

    @property
    def reason(self) -> str:
        return f"routing rule {self.rule!r}"


def route(session: Session, service_code: str, lat: float, lon: float) -> RouteMatch | None:
    """The first rule matching a new ticket's service and place, if any."""
    point = Point(lon, lat)
    for rule, code in _rule_rows(session):
        services = json.loads(rule.services)
        if services and service_code not in services:
            continue
        if rule.area is not None and not area_geometry(json.loads(rule.area), rule.name).covers(point):
            continue
        return RouteMatch(rule.name, rule.crew_id, code)
    return None


def route_arrival(session: Session, values: dict[str, Any]) -> str | None:
    """Assign a new ticket that has no crew by the rules, in `values` (crew, status 'assigned').

    Returns the reason for its history, or None when it has a crew already or no rule matches.
    """
    if values.get("assigned_crew_id") is not None:
        return None
    match = route(session, values["service_code"], values["lat"], values["lon"])
    if match is None:
        return None
    values.update(assigned_crew_id=match.crew_id, status="assigned")
    return match.reason


def crew_services(crew: Crew) -> list[str]:
    return list(json.loads(crew.services or "[]"))


def set_crew_services(session: Session, crew_code: str, services: Iterable[str]) -> list[str]:
    crew = session.scalar(select(Crew).where(Crew.code == crew_code))
    if crew is None:
        raise UnknownCrew(f"unknown crew {crew_code!r}")
    codes = check_services(services, f"crew {crew_code}")
    crew.services = json.dumps(codes)
    return codes
