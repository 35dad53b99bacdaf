"""An op id names one edit of one sender: a replay gets its answer, a reuse is refused."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from serverproc import CaseServer


def _note(ticket_id: str, text: str, op_id: str | None = None) -> dict[str, Any]:
    return {
        "op_id": op_id or str(uuid.uuid4()),
        "ticket_id": ticket_id,
        "kind": "note",
        "value": text,
        "device_time": "2026-12-01T08:00:00Z",
    }


@pytest.fixture
def north_ticket(server: CaseServer) -> str:
    return str(server.create_ticket(server.token("admin"), assigned_crew="north")["id"])


def _notes(server: CaseServer, ticket_id: str) -> list[str]:
    return [n["text"] for n in server.get_ticket(server.token("admin"), ticket_id)["notes"]]


def test_an_honest_replay_gets_the_stored_answer_and_changes_nothing(
    server: CaseServer, north_ticket: str
) -> None:
    aino = server.token("aino")
    op = _note(north_ticket, "Cone placed")
    first = server.push(aino, [op])
    again = server.push(aino, [op])
    assert first[0]["outcome"] == "applied"
    assert again == first
    assert _notes(server, north_ticket).count("Cone placed") == 1


@pytest.mark.parametrize(
    "change",
    [
        {"value": "Other words"},
        {"kind": "set", "field": "priority", "value": 1, "base": 3},
    ],
    ids=["other text", "other kind"],
)
def test_the_same_op_id_with_other_content_is_refused(
    server: CaseServer, north_ticket: str, change: dict[str, Any]
) -> None:
    aino = server.token("aino")
    op = _note(north_ticket, "First words")
    server.push(aino, [op])
    reused = server.push(aino, [{**op, **change}])[0]
    assert reused["outcome"] == "rejected" and reused["code"] == 409
    assert "different edit" in reused["reason"]
    assert reused.get("ticket_version") is None
    assert "Other words" not in _notes(server, north_ticket)


def test_the_same_op_id_on_another_ticket_is_refused(server: CaseServer, north_ticket: str) -> None:
    aino = server.token("aino")
    other_ticket = str(server.create_ticket(server.token("admin"), assigned_crew="north")["id"])
    op = _note(north_ticket, "Here")
    server.push(aino, [op])
    reused = server.push(aino, [{**op, "ticket_id": other_ticket}])[0]
    assert reused["outcome"] == "rejected" and reused["code"] == 409
    assert _notes(server, other_ticket) == []


def test_another_user_reusing_an_op_id_learns_nothing_of_the_first(
    server: CaseServer, north_ticket: str
) -> None:
    op = _note(north_ticket, "Aino's note")
    server.push(server.token("aino"), [op])
    eero = server.push(server.token("eero"), [op])[0]  # same crew, same content, other sender
    assert eero["outcome"] == "rejected" and eero["code"] == 409
    assert "another sender" in eero["reason"]
    assert eero.get("ticket_version") is None


def test_an_op_id_twice_in_one_batch_refuses_the_second(server: CaseServer, north_ticket: str) -> None:
    aino = server.token("aino")
    op = _note(north_ticket, "Once")
    twin = {**op, "value": "Twice"}
    first, second = server.push(aino, [op, twin])
    assert first["outcome"] == "applied"
    assert second["outcome"] == "rejected" and second["code"] == 409
    assert "twice in the batch" in second["reason"]
    assert _notes(server, north_ticket) == ["Once"]
