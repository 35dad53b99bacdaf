"""Dispatch suggestions on the board: each chosen ticket goes to its best crew, in words.

`assign_suggested` runs on the worker thread: it reads the replica, ranks the crews for each
ticket (`sync.suggest`: crews that handle the service first, then distance to the crew's nearest
open ticket plus its queued hours),
and queues one reassignment per ticket that is not with its best crew already. Tickets are
taken most urgent first, and each one placed counts as work for its crew before the next is
ranked, so a bulk assignment spreads rather than piling every ticket on one crew.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldapp.qt import tr
from fieldapp.ticketmodel import OPEN
from sync.errors import LocalError
from sync.replica import Replica
from sync.suggest import Suggestion, crew_work, suggest


@dataclass
class Placement:
    ticket_id: str
    best: Suggestion
    #: The next best crews, for the reason in words.
    others: list[Suggestion]
    #: Whether the ticket was with that crew already (nothing queued).
    already: bool = False


@dataclass
class SuggestResult:
    placed: list[Placement] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def moved(self) -> list[str]:
        return [p.ticket_id for p in self.placed if not p.already]


def assign_suggested(replica_path: Path, ticket_ids: list[str], crews: list[str]) -> SuggestResult:
    """Queue each ticket's reassignment to its best crew among `crews`."""
    result = SuggestResult()
    replica = Replica(replica_path)
    try:
        rows = {row["id"]: row for row in replica.ticket_rows()}
        chosen = [rows[t] for t in dict.fromkeys(ticket_ids) if t in rows]
        chosen.sort(key=lambda r: (r["priority"], r["due_at"] or "~", r["id"]))
        picked = {row["id"] for row in chosen}
        services = {c["code"]: c.get("services") or () for c in replica.get("crews") or ()}
        positions = latest_positions(replica.get("crew_positions") or [])
        work = crew_work(
            crews,
            (
                (r["assigned_crew"], r["lat"], r["lon"], r["priority"])
                for r in rows.values()
                if r["status"] in OPEN and r["id"] not in picked
            ),
            services,
            positions,
        )
        by_crew = {w.crew: w for w in work}
        for row in chosen:
            ranked = suggest(row["lat"], row["lon"], work, service=row["service_code"])
            if not ranked:
                result.failed.append((row["id"], tr("no crew to suggest")))
                continue
            best = ranked[0]
            placement = Placement(row["id"], best, ranked[1:], already=row["assigned_crew"] == best.crew)
            if not placement.already:
                try:
                    replica.set_field(row["id"], "assigned_crew", best.crew)
                except LocalError as exc:
                    result.failed.append((row["id"], str(exc)))
                    continue
            by_crew[best.crew].add(row["lat"], row["lon"], row["priority"])
            result.placed.append(placement)
    finally:
        replica.close()
    return result


def latest_positions(docs: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """Each crew's most recent shared position (of any of its devices)."""
    latest: dict[str, dict[str, Any]] = {}
    for doc in docs:
        if doc["crew"] not in latest or doc["fixed_at"] > latest[doc["crew"]]["fixed_at"]:
            latest[doc["crew"]] = doc
    return {crew: (doc["lat"], doc["lon"]) for crew, doc in latest.items()}


def reason(suggestion: Suggestion) -> str:
    """Why a crew: its distance, its open tickets and their hours."""
    if suggestion.distance_km is None:
        where = tr("no open tickets yet")
    elif suggestion.from_position:
        where = tr("{km} km from its last reported position").format(km=f"{suggestion.distance_km:.1f}")
    else:
        where = tr("{km} km from its nearest open ticket").format(km=f"{suggestion.distance_km:.1f}")
    load = tr("{n} open (about {hours} h of work)").format(
        n=suggestion.open_tickets, hours=f"{suggestion.hours:g}"
    )
    if not suggestion.handles:
        return f"{tr('does not handle this service')} · {where} · {load}"
    return f"{where} · {load}"


def placement_text(placement: Placement, address: str) -> str:
    """One line per ticket: where it went and why, and the runner-up."""
    best = placement.best
    head = (
        tr("{address}: stays with crew {crew}: {why}")
        if placement.already
        else tr("{address} → crew {crew}: {why}")
    )
    text = head.format(address=address, crew=best.crew, why=reason(best))
    if placement.others:
        runner = placement.others[0]
        text += " " + tr("(next: crew {crew}, {why})").format(crew=runner.crew, why=reason(runner))
    return text
