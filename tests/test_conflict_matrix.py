"""The conflict matrix of the design brief, each case in both sync orders.

In every case a crew device (aino, crew north) edits offline while someone else
changes the same ticket from their own offline device. 'crew-first' means the
crew device syncs before the other; 'other-first' the other way round. The end
state on the server, and the conflicts people are shown, must be the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from serverproc import CaseServer, Device

ORDERS = ["crew-first", "other-first"]


@dataclass
class Case:
    start_status: str
    crew_edit: Callable[[Device, str], None]
    other_user: str | None
    other_edit: Callable[[Device, str], None] | None
    expect: dict[str, Any]
    #: (user, field, audience) of each open conflict expected; [] means none at all.
    conflicts: list[tuple[str, str, str]]
    notes: int = 0


def _status(*moves: str) -> Callable[[Device, str], None]:
    def edit(device: Device, ticket_id: str) -> None:
        for move in moves:
            device.set(ticket_id, "status", move)

    return edit


def _set(field: str, value: Any) -> Callable[[Device, str], None]:
    return lambda device, ticket_id: device.set(ticket_id, field, value) and None


def _note(text: str) -> Callable[[Device, str], None]:
    return lambda device, ticket_id: device.note(ticket_id, text) and None


def _both(*edits: Callable[[Device, str], None]) -> Callable[[Device, str], None]:
    def edit(device: Device, ticket_id: str) -> None:
        for e in edits:
            e(device, ticket_id)

    return edit


CASES: dict[str, Case] = {
    "resolve-undisturbed": Case(
        "in_progress",
        _status("resolved"),
        None,
        None,
        {"status": "resolved", "assigned_crew": "north"},
        [],
    ),
    "start-while-reassigned": Case(
        "assigned",
        _status("in_progress"),
        "sanna",
        _set("assigned_crew", "central"),
        {"status": "in_progress", "assigned_crew": "central"},
        [("sanna", "assigned_crew", "supervisor")],
    ),
    "hold-while-other-device-resolved": Case(
        "in_progress",
        _status("on_hold"),
        "eero",
        _status("resolved"),
        {"status": "resolved"},
        [("aino", "status", "crew")],
    ),
    "notes-on-both-sides": Case(
        "in_progress",
        _note("crew note"),
        "sanna",
        _note("office note"),
        {"status": "in_progress"},
        [],
        notes=2,
    ),
    "priority-vs-supervisor": Case(
        "assigned",
        _set("priority", 2),
        "sanna",
        _set("priority", 1),
        {"priority": 1},
        [("aino", "priority", "crew")],
    ),
    "address-vs-office": Case(
        "assigned",
        _set("address", "Mannerheimintie 7, Helsinki"),
        "admin",
        _set("address", "Mannerheimintie 5 B, Helsinki"),
        {"address": "Mannerheimintie 5 B, Helsinki"},
        [("admin", "address", "office")],
    ),
    "identical-resolve": Case(
        "in_progress",
        _status("resolved"),
        "eero",
        _status("resolved"),
        {"status": "resolved"},
        [],
    ),
    "edit-while-cancelled": Case(
        "in_progress",
        _both(_status("on_hold"), _note("waiting for parts")),
        "sanna",
        _status("cancelled"),
        {"status": "cancelled"},
        [("aino", "status", "crew")],
        notes=1,
    ),
}


def _prepare(server: CaseServer, admin: str, start_status: str) -> str:
    """A fresh north ticket in `start_status` ('assigned' or 'in_progress')."""
    ticket_id = str(server.create_ticket(admin, assigned_crew="north", priority=3)["id"])
    if start_status == "in_progress":
        started = {
            "op_id": str(uuid.uuid4()),
            "ticket_id": ticket_id,
            "kind": "set",
            "field": "status",
            "base": "assigned",
            "value": "in_progress",
            "device_time": "2026-01-01T08:00:00Z",
        }
        results = server.push(server.token("sanna"), [started])
        assert results[0]["outcome"] == "applied", results
    return ticket_id


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("name", list(CASES))
def test_conflict_matrix(server: CaseServer, tmp_path: Path, name: str, order: str) -> None:
    case = CASES[name]
    admin = server.token("admin")
    ticket_id = _prepare(server, admin, case.start_status)

    crew = Device(tmp_path / "crew", server, "aino")
    other = Device(tmp_path / "other", server, case.other_user or "eero")
    crew.sync()
    other.sync()

    case.crew_edit(crew, ticket_id)
    if case.other_edit is not None:
        case.other_edit(other, ticket_id)

    first, second = (crew, other) if order == "crew-first" else (other, crew)
    first.sync()
    second.sync()
    first.sync()

    final = server.get_ticket(admin, ticket_id)
    for field, value in case.expect.items():
        assert final[field] == value, (field, final[field])
    assert len(final["notes"]) == case.notes

    # Nothing pending or rejected anywhere: every edit landed or is a conflict.
    for device in (crew, other):
        assert device.counts()["pending"] == 0
        assert device.rejected() == []

    devices = {"aino": crew, (case.other_user or "eero"): other}
    found = {
        (user, c["field"], c["audience"])
        for user, device in devices.items()
        for c in device.conflicts()
        if c["ticket_id"] == ticket_id
    }
    if not case.conflicts:
        assert found == set()
    for expected in case.conflicts:
        assert expected in found, (expected, found)
    # Each open conflict keeps both values and says which one stands now.
    for device in devices.values():
        for c in device.conflicts():
            if c["ticket_id"] == ticket_id:
                assert c["standing"] == final[c["field"]]
                assert c["mine"] != c["standing"]
                assert c["reason"]
