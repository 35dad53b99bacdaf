"""The merge rules and the workflow machine as pure functions (no server)."""

from __future__ import annotations

import pytest

from caseserver.merge import decide
from sync.workflow import (
    STATUSES,
    TERMINAL,
    is_forward,
    keep_mine_refusal,
    may_set_status,
    next_steps,
)


def _decide(field: str, base, value, current, role="crew", status="in_progress", last=None):
    return decide(
        field=field,
        base=base,
        value=value,
        current=current,
        ticket_status=status,
        author_role=role,
        last_writer_role=last,
    )


def test_unchanged_base_applies_a_legal_move() -> None:
    assert _decide("status", "in_progress", "resolved", "in_progress").action == "apply"


def test_identical_edits_never_conflict() -> None:
    assert _decide("status", "in_progress", "resolved", "resolved").action == "noop"
    assert _decide("priority", 3, 1, 1, role="supervisor").action == "noop"


def test_illegal_move_is_rejected_with_409_and_role_limits_with_403() -> None:
    illegal = _decide("status", "assigned", "closed", "assigned", status="assigned")
    assert (illegal.action, illegal.code) == ("reject", 409)
    not_allowed = _decide("status", "resolved", "closed", "resolved", status="resolved")
    assert (not_allowed.action, not_allowed.code) == ("reject", 403)


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_stale_edit_never_undoes_a_terminal_state(terminal: str) -> None:
    d = _decide("status", "in_progress", "on_hold", terminal, status=terminal)
    assert d.action == "conflict" and d.audience == "crew"


def test_stale_forward_move_applies_over_a_concurrent_change() -> None:
    d = _decide("status", "in_progress", "resolved", "on_hold")
    assert d.action == "apply" and d.over_concurrent


def test_stale_backward_move_is_a_conflict() -> None:
    d = _decide("status", "assigned", "en_route", "in_progress")
    assert d.action == "conflict"


def test_supervisor_beats_crew_on_dispatch_fields_and_first_supervisor_stands() -> None:
    over_crew = _decide("priority", 3, 1, 2, role="supervisor", last="crew")
    assert over_crew.action == "apply" and over_crew.over_concurrent
    second_supervisor = _decide("priority", 3, 1, 2, role="supervisor", last="supervisor")
    assert second_supervisor.action == "conflict" and second_supervisor.audience == "supervisor"
    crew_late = _decide("priority", 3, 2, 1, role="crew", last="supervisor")
    assert crew_late.action == "conflict" and crew_late.audience == "crew"


def test_crew_edit_of_an_office_field_is_always_a_proposal() -> None:
    d = _decide("address", "A 1", "A 2", "A 1")
    assert d.action == "conflict" and d.audience == "office"
    office = _decide("address", "A 1", "A 3", "A 1", role="admin")
    assert office.action == "apply"


def test_any_field_edit_on_a_cancelled_ticket_is_a_conflict() -> None:
    d = _decide("priority", 3, 2, 3, status="cancelled")
    assert d.action == "conflict"


def test_workflow_offers_only_legal_steps_per_role() -> None:
    assert next_steps("crew", "assigned") == ["en_route", "in_progress", "on_hold"]
    assert "closed" in next_steps("supervisor", "resolved")
    assert next_steps("crew", "resolved") == []
    for status in STATUSES:
        for step in next_steps("supervisor", status):
            assert may_set_status("supervisor", status, step)
    assert is_forward("on_hold", "resolved") and not is_forward("in_progress", "en_route")


def _refusal(role: str, crews: tuple[str, ...] | None, audience: str, status: str, crew: str | None):
    return keep_mine_refusal(
        role=role, own_crews=crews, audience=audience, ticket_status=status, ticket_crew=crew
    )


def test_a_crew_keeps_its_value_only_on_its_own_unfinished_ticket() -> None:
    assert _refusal("crew", ("north",), "crew", "in_progress", "north") is None
    moved = _refusal("crew", ("north",), "crew", "in_progress", "south")
    assert moved == "the ticket is now with crew south: ask your supervisor"
    queued = _refusal("crew", ("north",), "crew", "new", None)
    assert queued == "the ticket is now with the unassigned queue: ask your supervisor"
    assert _refusal("crew", ("north",), "crew", "resolved", "north") == (
        "the ticket is resolved: ask your supervisor"
    )
    office = _refusal("crew", ("north",), "office", "assigned", "north")
    assert office == "the office decides on proposed corrections: ask your supervisor"
    dispatch = _refusal("crew", ("north",), "supervisor", "assigned", "north")
    assert dispatch == "this is for dispatch to decide: ask your supervisor"


def test_a_supervisor_keeps_their_value_on_tickets_of_their_scope() -> None:
    assert _refusal("supervisor", ("north",), "supervisor", "assigned", "north") is None
    assert _refusal("supervisor", ("north",), "office", "new", None) is None  # the queue is theirs
    assert _refusal("supervisor", ("north",), "supervisor", "resolved", "north") is None
    other = _refusal("supervisor", ("north",), "supervisor", "assigned", "south")
    assert other == "the ticket is now with crew south, not one of yours: ask its supervisor or an admin"
    assert _refusal("admin", None, "office", "in_progress", "south") is None


@pytest.mark.parametrize("final", ["closed", "cancelled"])
@pytest.mark.parametrize("role", ["crew", "supervisor", "admin"])
def test_nobody_keeps_a_value_on_a_closed_or_cancelled_ticket(role: str, final: str) -> None:
    crews = None if role == "admin" else ("north",)
    refusal = _refusal(role, crews, "crew", final, "north")
    assert refusal == f"the ticket is {final}: it cannot change any more"
