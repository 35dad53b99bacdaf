"""The merge rules and the workflow machine as pure functions (no server)."""

from __future__ import annotations

import pytest

from caseserver.merge import decide
from sync.workflow import STATUSES, TERMINAL, is_forward, may_set_status, next_steps


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
