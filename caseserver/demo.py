"""The demo city: crews, users with known passwords and realistic 311 tickets in Helsinki.

Addresses are real (OpenStreetMap, ODbL: see resources/demo_city/LICENSE.md).
The same generator fills benchmark databases with any number of tickets.
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseserver.auth import hash_password
from caseserver.changes import ChangeSet, Crews
from caseserver.models import Crew, SupervisedCrew, User, utcnow
from caseserver.services import SERVICES, Service

RESOURCES = Path(os.environ.get("FIELDAPP_RESOURCES", Path(__file__).resolve().parents[1] / "resources"))
ADDRESSES = RESOURCES / "demo_city" / "addresses.csv"

CREWS = (
    ("north", "North streets crew"),
    ("central", "Central crew"),
    ("south", "South parks crew"),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    crew: str | None
    password: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "City administrator", "admin", None, "admin-demo"),
    DemoUser("sanna", "Sanna Supervisor", "supervisor", None, "sanna-demo"),
    DemoUser("aino", "Aino (north crew)", "crew", "north", "aino-demo"),
    DemoUser("eero", "Eero (north crew)", "crew", "north", "eero-demo"),
    DemoUser("mikko", "Mikko (central crew)", "crew", "central", "mikko-demo"),
    DemoUser("liisa", "Liisa (south crew)", "crew", "south", "liisa-demo"),
)

_DETAILS: dict[str, tuple[str, ...]] = {
    "pothole": (
        "Deep pothole in the right lane",
        "Several potholes near the crossing",
        "Pothole by the tram stop, cyclists swerving",
    ),
    "sidewalk": ("Broken paving slabs, trip hazard", "Curb stone loose at the corner"),
    "streetlight": (
        "Street light out for three nights",
        "Lamp flickering on and off",
        "Two lights dark in a row",
    ),
    "traffic_signal": ("Pedestrian signal stuck on red", "Traffic light dark at junction"),
    "sign_damage": ("Stop sign knocked over", "Parking sign missing after roadworks"),
    "graffiti": ("Graffiti on the underpass wall", "Tags on the electricity cabinet"),
    "illegal_dumping": ("Mattress and furniture left by the bins", "Bags of construction waste"),
    "overflowing_bin": ("Litter bin overflowing, gulls spreading rubbish",),
    "fallen_tree": ("Large branch blocking the footpath", "Tree leaning over the road after storm"),
    "park_damage": ("Broken bench slats", "Playground swing chain broken"),
    "water_leak": ("Water bubbling up through the asphalt", "Hydrant leaking steadily"),
    "blocked_drain": ("Storm drain blocked with leaves, water pooling",),
    "snow_ice": ("Icy walkway, not sanded", "Snow bank blocking the crossing"),
    "abandoned_bike": ("Bike without wheels locked to the rack for months",),
}


def load_addresses(path: Path = ADDRESSES) -> list[tuple[str, float, float]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            (
                f"{row['street']} {row['housenumber']}, Helsinki",
                float(row["lat"]),
                float(row["lon"]),
            )
            for row in csv.DictReader(fh)
        ]


def ticket_values(
    rng: random.Random,
    addresses: list[tuple[str, float, float]],
    crew_ids: list[int],
    now: datetime,
) -> dict[str, Any]:
    """Column values of one realistic ticket (status mix as a city's open queue)."""
    service: Service = rng.choice(SERVICES)
    address, lat, lon = rng.choice(addresses)
    created = now - timedelta(hours=rng.uniform(0.5, service.sla_hours * 1.3))
    status = rng.choices(
        ["new", "assigned", "en_route", "in_progress", "on_hold", "resolved", "closed"],
        weights=[14, 40, 6, 10, 5, 15, 10],
    )[0]
    crew = None if status == "new" else rng.choice(crew_ids)
    values: dict[str, Any] = {
        "service_code": service.code,
        "description": rng.choice(_DETAILS[service.code]),
        "address": address,
        "lat": round(lat + rng.uniform(-0.00005, 0.00005), 7),
        "lon": round(lon + rng.uniform(-0.00005, 0.00005), 7),
        "priority": max(1, min(5, service.priority + rng.choice([-1, 0, 0, 0, 1]))),
        "status": status,
        "assigned_crew_id": crew,
        "due_at": created + timedelta(hours=service.sla_hours),
        "created_at": created,
        "updated_at": created,
        "reporter_name": rng.choice(["Anna K.", "Jussi L.", "Maria V.", None]),
        "reporter_email": f"reporter{rng.randrange(10_000)}@example.org",
    }
    if status in ("resolved", "closed"):
        values["resolution_code"] = rng.choice(["fixed", "fixed", "fixed", "temporary_fix"])
        values["resolution_note"] = "Repaired on site."
    return values


def ensure_crews_and_users(session: Session) -> dict[str, int]:
    """Create the demo crews and users if missing; return crew ids by code."""
    for code, name in CREWS:
        if session.scalar(select(Crew).where(Crew.code == code)) is None:
            session.add(Crew(code=code, name=name))
    session.flush()
    crew_ids = {c.code: c.id for c in session.scalars(select(Crew))}
    for demo in DEMO_USERS:
        if session.scalar(select(User).where(User.username == demo.username)) is None:
            session.add(
                User(
                    username=demo.username,
                    display_name=demo.display_name,
                    role=demo.role,
                    crew_id=crew_ids[demo.crew] if demo.crew else None,
                    password_hash=hash_password(demo.password),
                )
            )
    session.flush()
    supervisor = session.scalar(select(User).where(User.username == "sanna"))
    assert supervisor is not None
    for code, _ in CREWS:
        key = {"supervisor_id": supervisor.id, "crew_id": crew_ids[code]}
        if session.get(SupervisedCrew, key) is None:
            session.add(SupervisedCrew(**key))
    session.flush()
    return crew_ids


def generate(count: int, seed: int = 311, crew_ids: list[int] | None = None) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    addresses = load_addresses()
    now = utcnow()
    for _ in range(count):
        yield ticket_values(rng, addresses, crew_ids or [], now)


def seed_tickets(session: Session, count: int, seed: int = 311, batch: int = 2000) -> int:
    """Add `count` generated tickets, published to the feed in batches."""
    crews = Crews(session)
    ids = sorted(crews.code_by_id)
    added = 0
    cs = ChangeSet(session, crews)
    for values in generate(count, seed, ids):
        cs.create_ticket(None, **values)
        added += 1
        if added % batch == 0:
            cs.publish()
            cs = ChangeSet(session, crews)
    cs.publish()
    return added
