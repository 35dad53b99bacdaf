"""The work record on the server: the city's catalogue (materials, checklists), and a day's
work per crew as CSV for payroll and cost accounting.

The catalogue is a JSON file (`CASESERVER_WORK_CATALOGUE`, a sync.workrecord.WorkCatalogue);
without one, sync.workrecord.DEFAULT_CATALOGUE. Devices fetch it at every sync.

The export has one row per figure, so a spreadsheet can pivot it: time (travel and on-site
minutes) and materials, per ticket, for the crews and the day asked (in the city's time
zone). Time comes from the status moves made by the crew's members, counted on the day the
move started it; a ticket whose crew recorded a correction of that kind shows the correction
instead, on the day it was recorded. Materials count on the day they were recorded.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from caseserver.models import AuditEvent, Crew, Ticket, User, WorkRecord
from sync.workrecord import DEFAULT_CATALOGUE, WorkCatalogue, status_intervals

COLUMNS = (
    "day",
    "crew",
    "ticket_id",
    "service_code",
    "address",
    "kind",
    "item",
    "quantity",
    "unit",
    "source",
)


class CatalogueError(ValueError):
    """The catalogue file cannot be used; the message says why in one line."""


def load_catalogue(path: str) -> WorkCatalogue:
    if not path:
        return DEFAULT_CATALOGUE
    try:
        return WorkCatalogue.model_validate_json(Path(path).read_bytes())
    except OSError as exc:
        raise CatalogueError(f"work catalogue {path}: cannot read the file ({exc.strerror})") from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise CatalogueError(f"work catalogue {path}: {where + ': ' if where else ''}{error['msg']}") from exc


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, start + timedelta(days=1)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def day_rows(
    session: Session, day: date, crew_ids: Iterable[int], zone: ZoneInfo, catalogue: WorkCatalogue
) -> list[dict[str, Any]]:
    """The export's rows for `day` and these crews, by crew, ticket, kind and item."""
    crews = dict(
        session.execute(select(Crew.id, Crew.code).where(Crew.id.in_(list(crew_ids)))).tuples().all()
    )
    if not crews:
        return []
    start, end = _day_bounds(day, zone)
    members = dict(
        session.execute(select(User.id, User.crew_id).where(User.crew_id.in_(crews))).tuples().all()
    )
    usernames = dict(session.execute(select(User.id, User.username)).tuples().all())
    corrections = list(
        session.scalars(select(WorkRecord).where(WorkRecord.crew_id.in_(crews), WorkRecord.type == "time"))
    )
    corrected = {(r.ticket_id, r.time_kind) for r in corrections}
    latest = {}
    for record in sorted(corrections, key=lambda r: (str(r.device_time or ""), r.id)):
        latest[(record.ticket_id, record.time_kind)] = record.id
    when = func.coalesce(WorkRecord.device_time, WorkRecord.created_at)
    records = session.scalars(
        select(WorkRecord).where(WorkRecord.crew_id.in_(crews), when >= start, when < end)
    ).all()
    rows: list[dict[str, Any]] = []
    tickets: dict[str, Ticket] = {}

    def ticket(ticket_id: str) -> Ticket:
        if ticket_id not in tickets:
            tickets[ticket_id] = session.get(Ticket, ticket_id)  # type: ignore[assignment]
        return tickets[ticket_id]

    def add(
        crew_id: int, ticket_id: str, kind: str, item: str, quantity: float, unit: str, source: str
    ) -> None:
        t = ticket(ticket_id)
        rows.append(
            {
                "day": day.isoformat(),
                "crew": crews[crew_id],
                "ticket_id": ticket_id,
                "service_code": t.service_code,
                "address": t.address,
                "kind": kind,
                "item": item,
                "quantity": round(quantity, 3),
                "unit": unit,
                "source": source,
            }
        )

    # Time from the status moves of the crews' members that started on this day.
    moved = session.execute(
        select(AuditEvent.ticket_id)
        .where(
            AuditEvent.field == "status",
            AuditEvent.actor_id.in_(members),
            AuditEvent.at >= start,
            AuditEvent.at < end,
        )
        .distinct()
    ).scalars()
    for ticket_id in moved:
        events = session.execute(
            select(AuditEvent.field, AuditEvent.new, AuditEvent.at, AuditEvent.actor_id)
            .where(AuditEvent.ticket_id == ticket_id, AuditEvent.field.in_(("status", "created")))
            .order_by(AuditEvent.id)
        ).all()
        starter = {_iso(e.at): e.actor_id for e in events}
        history = [
            {"field": e.field, "new": json.loads(e.new) if e.new else None, "at": _iso(e.at)} for e in events
        ]
        totals: dict[tuple[int, str], float] = {}
        for kind, begin, finish in status_intervals(history):
            actor = starter.get(begin)
            began = datetime.fromisoformat(begin)
            if actor not in members or not (start <= began < end) or (ticket_id, kind) in corrected:
                continue
            key = (members[actor], kind)
            totals[key] = totals.get(key, 0.0) + (datetime.fromisoformat(finish) - began).total_seconds() / 60
        for (crew_id, kind), minutes in sorted(totals.items()):
            add(crew_id, ticket_id, "time", kind, round(minutes), "min", "status moves")

    # Corrections and materials recorded on this day.
    for record in sorted(records, key=lambda r: (r.ticket_id, r.device_time or r.created_at, r.id)):
        if record.crew_id is None:
            continue
        who = f"recorded by {usernames.get(record.author_id, '?')}"
        if record.type == "time" and record.minutes is not None:
            if latest[(record.ticket_id, record.time_kind)] == record.id:  # the correction that stands
                add(
                    record.crew_id,
                    record.ticket_id,
                    "time",
                    str(record.time_kind),
                    record.minutes,
                    "min",
                    who,
                )
        elif record.type == "material" and record.quantity is not None:
            material = catalogue.material(record.material or "")
            unit = material.unit if material else ""
            add(
                record.crew_id, record.ticket_id, "material", str(record.material), record.quantity, unit, who
            )
    rows.sort(key=lambda r: (r["crew"], r["ticket_id"], r["kind"] != "time", r["item"], r["source"]))
    return rows


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
