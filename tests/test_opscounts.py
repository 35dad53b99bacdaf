"""The operations view's counts from SQLite (sync.opscounts) equal the pure figures over the
same rows, and the tickets read on a tap are those behind the figure, for any replica."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.milestones import MILESTONES_INSERT
from sync.operations import DAY, EscalationRule, OpsFigures, OpsRow, figures
from sync.opscounts import device_counts, figure_ids
from sync.replica import Replica

NOW = 1_780_000_000.0
STATUSES = ["new", "assigned", "en_route", "in_progress", "on_hold", "resolved", "closed", "cancelled"]
_TIME = st.floats(min_value=-45 * DAY, max_value=5 * DAY).map(lambda s: round(NOW + s))  # whole seconds: ties
_MAYBE = st.none() | _TIME


@st.composite
def ops_row(draw: Any, index: int) -> OpsRow:
    return OpsRow(
        id=f"t{index:04d}",
        crew=draw(st.sampled_from([None, "north", "south"])),
        service_code=draw(st.sampled_from(["pothole", "graffiti"])),
        status=draw(st.sampled_from(STATUSES)),
        priority=draw(st.integers(1, 5)),
        created=draw(_TIME),
        due=draw(_MAYBE),
        assigned=draw(_MAYBE),
        first_response=draw(_MAYBE),
        resolved=draw(_MAYBE),
        reopens=draw(st.integers(0, 2)),
        escalated=draw(st.none() | _TIME),
    )


ROWS = st.integers(0, 40).flatmap(lambda n: st.tuples(*(ops_row(i) for i in range(n))))
RULES = st.lists(
    st.builds(
        EscalationRule,
        service_code=st.sampled_from([None, "pothole"]),
        priority=st.sampled_from([None, 1, 3]),
        share=st.sampled_from([0.5, 0.75, 1.0]),
    ),
    max_size=3,
)


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "ticket_ids"}
    return value


def _keys(expected: OpsFigures) -> dict[str, list[str]]:
    keys = {
        "open": expected.open.ticket_ids,
        "at_risk": expected.at_risk.ticket_ids,
        "overdue": expected.overdue.ticket_ids,
        "escalated": expected.escalated.ticket_ids,
    }
    for window in ("7d", "30d"):
        keys[f"response_{window}"] = expected.first_response[window].ticket_ids
        keys[f"resolution_{window}"] = expected.resolution[window].ticket_ids
    keys.update({f"crew:{k}": v.ticket_ids for k, v in expected.backlog_by_crew.items()})
    keys.update({f"service:{k}": v.ticket_ids for k, v in expected.backlog_by_service.items()})
    keys.update({f"reopen:{k}": v.ticket_ids for k, v in expected.reopen_rate_by_service.items()})
    return keys


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, rules=RULES)
def test_counts_and_tapped_tickets_equal_the_pure_figures(
    tmp_path: Path, rows: tuple[OpsRow, ...], rules: list[EscalationRule]
) -> None:
    replica = Replica(tmp_path / "replica.sqlite")
    try:
        with replica.conn:
            replica.conn.execute("DELETE FROM ticket_milestones")
            replica.conn.executemany(MILESTONES_INSERT, [(*row, 0) for row in rows])
        raw = [rule.model_dump() for rule in rules]
        expected = figures(rows, NOW, tuple(rules)) if rules else figures(rows, NOW)  # none sent: default
        counted = device_counts(replica.conn, raw, NOW)
        assert _without_ids(counted.model_dump()) == _without_ids(expected.model_dump())
        for key, ids in _keys(expected).items():
            assert sorted(figure_ids(replica.conn, key, raw, NOW)) == sorted(ids), key
    finally:
        replica.close()
