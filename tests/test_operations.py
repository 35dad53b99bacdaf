"""Live operations: the figures against hand-counted fixtures (pure, on a device's replica
offline, and from the server's /api/v1/stats), escalations raised exactly once across server
processes and syncs, the Prometheus metrics, and the scope of each."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from serverproc import CaseServer, Device, fresh_database_url, run_caseserver, start_server

from sync.milestones import device_figures
from sync.operations import DAY, HOUR, EscalationRule, OpsRow, figures, milestones

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC).timestamp()


def _row(
    tid: str, crew: str | None, status: str, *, age_h: float, due_h: float | None, **more: Any
) -> OpsRow:
    return OpsRow(
        id=tid,
        crew=crew,
        service_code=more.pop("service", "pothole"),
        status=status,
        priority=more.pop("priority", 3),
        created=NOW - age_h * HOUR,
        due=None if due_h is None else NOW + due_h * HOUR,
        **more,
    )


def test_figures_match_a_hand_counted_fixture() -> None:
    rows = [
        # north: one fresh, one overdue for 2 days (nobody went), one at risk in 1 h (en route)
        _row("n1", "north", "assigned", age_h=5, due_h=48),
        _row("n2", "north", "assigned", age_h=100, due_h=-48, assigned=NOW - 99 * HOUR),
        _row(
            "n3",
            "north",
            "en_route",
            age_h=30,
            due_h=1,
            assigned=NOW - 29 * HOUR,
            first_response=NOW - 27 * HOUR,
        ),
        # south: on hold for 10 days and past due; one resolved 3 days ago after 6 h, reopened once
        _row("s1", "south", "on_hold", age_h=240, due_h=-1, service="streetlight"),
        _row(
            "s2",
            "south",
            "resolved",
            age_h=78,
            due_h=-10,
            assigned=NOW - 77 * HOUR,
            first_response=NOW - 76 * HOUR,
            resolved=NOW - 72 * HOUR,
            reopens=1,
        ),
        # resolved 20 days ago after 24 h: in the 30-day window only
        _row("s3", "south", "closed", age_h=20 * 24 + 24, due_h=None, resolved=NOW - 20 * DAY),
        _row("u1", None, "new", age_h=2, due_h=None, service="graffiti"),
    ]
    got = figures(rows, NOW)
    assert got.open.count == 5 and sorted(got.open.ticket_ids) == ["n1", "n2", "n3", "s1", "u1"]
    assert {crew: b.count for crew, b in got.backlog_by_crew.items()} == {
        "north": 3,
        "south": 1,
        "unassigned": 1,
    }
    assert got.backlog_by_crew["north"].ages == {"<1d": 1, "1-3d": 1, "3-7d": 1, ">7d": 0}
    assert got.backlog_by_crew["south"].ages == {"<1d": 0, "1-3d": 0, "3-7d": 0, ">7d": 1}
    assert {svc: b.count for svc, b in got.backlog_by_service.items()} == {
        "graffiti": 1,
        "pothole": 3,
        "streetlight": 1,
    }
    assert got.at_risk.ticket_ids == ["n3"]
    assert sorted(got.overdue.ticket_ids) == ["n2", "s1"]
    # Escalated: past due and nobody acting (assigned, on hold); n3 is en route, so it is not.
    assert sorted(got.escalated.ticket_ids) == ["n2", "s1"]
    assert got.oldest_by_crew["north"].ticket_id == "n2" and got.oldest_by_crew["north"].age_hours == 100
    assert got.oldest_by_crew["south"].ticket_id == "s1"
    # First response, both within 7 days: n3 set off after 2 h, s2 after 1 h.
    assert got.first_response["7d"].hours == 1.5 and sorted(got.first_response["7d"].ticket_ids) == [
        "n3",
        "s2",
    ]
    # Resolution: s2 in 6 h (7 d and 30 d), s3 in 24 h (30 d only).
    assert got.resolution["7d"].hours == 6 and got.resolution["7d"].ticket_ids == ["s2"]
    assert got.resolution["30d"].hours == 15 and sorted(got.resolution["30d"].ticket_ids) == ["s2", "s3"]
    # Reopen rate: of the two pothole tickets resolved in 30 days (s2, s3), s2 was reopened.
    assert got.reopen_rate_by_service["pothole"].rate == 0.5
    assert got.reopen_rate_by_service["pothole"].ticket_ids == ["s2"]


def test_the_most_specific_escalation_rule_wins() -> None:
    rules = [
        EscalationRule(share=1.0),
        EscalationRule(service_code="pothole", share=0.5),
        EscalationRule(service_code="pothole", priority=1, share=0.25),
    ]
    # Created 10 h ago, due in 10 h: half the time has gone.
    rows = [
        _row("p1", "north", "assigned", age_h=10, due_h=10, priority=1),  # 25%: escalated
        _row("p3", "north", "assigned", age_h=10, due_h=10, priority=3),  # 50%: escalated (just)
        _row("g3", "north", "assigned", age_h=10, due_h=10, service="graffiti"),  # 100%: not yet
        _row("p1-working", "north", "in_progress", age_h=10, due_h=10, priority=1),  # someone acts
    ]
    assert sorted(figures(rows, NOW, rules).escalated.ticket_ids) == ["p1", "p3"]


def test_milestones_come_from_the_history() -> None:
    events = [
        {"field": "assigned_crew", "old": None, "new": "north", "at": "2026-05-01T08:00:00Z"},
        {"field": "status", "old": "new", "new": "assigned", "at": "2026-05-01T08:00:00Z"},
        {"field": "status", "old": "assigned", "new": "en_route", "at": "2026-05-01T09:30:00Z"},
        {"field": "status", "old": "en_route", "new": "in_progress", "at": "2026-05-01T10:00:00Z"},
        {"field": "status", "old": "in_progress", "new": "resolved", "at": "2026-05-01T11:00:00Z"},
        {"field": "status", "old": "resolved", "new": "in_progress", "at": "2026-05-02T07:00:00Z"},
        {"field": "escalation", "old": None, "new": "2026-05-02T08:00:00Z", "at": "2026-05-02T08:00:05Z"},
        {"field": "status", "old": "in_progress", "new": "resolved", "at": "2026-05-02T09:00:00Z"},
    ]
    found = milestones(events)
    t = lambda s: datetime.fromisoformat(s).replace(tzinfo=UTC).timestamp()  # noqa: E731
    assert found.assigned == t("2026-05-01T08:00:00")
    assert found.first_response == t("2026-05-01T09:30:00")
    assert found.resolved == t("2026-05-02T09:00:00")
    assert found.reopens == 1
    assert found.escalated == t("2026-05-02T08:00:05")


# -- against real server processes ------------------------------------------------------------


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _set(ticket: dict[str, Any], field: str, base: Any, value: Any) -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "ticket_id": ticket["id"],
        "kind": "set",
        "field": field,
        "base": base,
        "value": value,
        "device_time": _iso(datetime.now(UTC)),
    }


def _stats(server: CaseServer, token: str, **params: Any) -> dict[str, Any]:
    r = requests.get(f"{server.url}/api/v1/stats", params=params, headers=_auth(token), timeout=30)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _escalations(server: CaseServer, token: str, ticket_id: str) -> list[dict[str, Any]]:
    return [e for e in server.get_ticket(token, ticket_id)["events"] if e["field"] == "escalation"]


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "escalation-rules.json"
    path.write_text(json.dumps([{"share": 1.0}, {"service_code": "pothole", "share": 0.5}]))
    return path


def test_an_escalation_is_raised_once_across_server_processes_and_reaches_the_supervisor_offline(
    backend: str, tmp_path: Path, rules_file: Path
) -> None:
    env = {"CASESERVER_ESCALATION_RULES": str(rules_file), "CASESERVER_ESCALATION_POLL_SECONDS": "0.2"}
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    with fresh_database_url(backend, tmp_path) as url:
        first = start_server(url, tmp_path / "a", **env)
        # Two processes share PostgreSQL and race for every escalation; SQLite is one process.
        second = start_server(url, tmp_path / "b", seed=False, **env) if backend == "postgresql" else None
        try:
            admin = first.token("admin")
            now = datetime.now(UTC)
            # pothole: escalates at half its time (1 s); graffiti at its due time (in a day).
            late = first.create_ticket(admin, assigned_crew="north", due_at=_iso(now + timedelta(seconds=2)))
            calm = first.create_ticket(
                admin, assigned_crew="north", service_code="graffiti", due_at=_iso(now + timedelta(days=1))
            )
            working = first.create_ticket(
                admin, assigned_crew="north", due_at=_iso(now + timedelta(seconds=2))
            )
            aino = first.token("aino")
            first.push(aino, [_set(working, "status", "assigned", "en_route")])
            deadline = time.monotonic() + 30
            while not _escalations(first, admin, late["id"]) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.5)  # more rounds of both processes: still one
            raised = _escalations(first, admin, late["id"])
            assert len(raised) == 1, raised
            assert "no progress by 50% of the time to due (pothole)" in raised[0]["reason"]
            assert _escalations(first, admin, calm["id"]) == []
            assert _escalations(first, admin, working["id"]) == []  # someone is on the way

            laptop = Device(tmp_path / "laptop", first, "sanna")
            laptop.sync()
            with laptop.replica() as replica:
                conn, rules = replica.conn, replica.get("escalation_rules")
                assert [r["share"] for r in rules] == [1.0, 0.5]
                offline = device_figures(conn, rules, time.time())
            assert offline.escalated.ticket_ids == [late["id"]]
            online = _stats(first, first.token("sanna"))
            assert online["escalated"]["count"] == 1
            assert online["open"]["count"] == offline.open.count == 3
            laptop.sync()  # a later sync raises nothing new
            assert len(_escalations(first, admin, late["id"])) == 1
        finally:
            first.stop()
            if second is not None:
                second.stop()


def test_stats_are_scoped_and_match_the_devices_figures(fresh_server: CaseServer, tmp_path: Path) -> None:
    server = fresh_server
    admin = server.token("admin")
    now = datetime.now(UTC)
    overdue = server.create_ticket(admin, assigned_crew="north", due_at=_iso(now - timedelta(hours=3)))
    at_risk = server.create_ticket(admin, assigned_crew="north", due_at=_iso(now + timedelta(hours=1)))
    started = server.create_ticket(admin, assigned_crew="north", due_at=_iso(now + timedelta(days=2)))
    server.create_ticket(admin, assigned_crew="south", service_code="streetlight")
    server.create_ticket(admin)  # the unassigned queue
    aino = server.token("aino")
    server.push(aino, [_set(started, "status", "assigned", "en_route")])
    server.push(aino, [_set(started, "status", "en_route", "in_progress")])
    server.push(aino, [_set(started, "status", "in_progress", "resolved")])

    every = _stats(server, admin, ids="true")
    assert every["open"]["count"] == 4
    assert {crew: b["count"] for crew, b in every["backlog_by_crew"].items()} == {
        "north": 2,
        "south": 1,
        "unassigned": 1,
    }
    assert every["overdue"]["ticket_ids"] == [overdue["id"]]
    assert every["at_risk"]["ticket_ids"] == [at_risk["id"]]
    assert every["escalated"]["ticket_ids"] == [overdue["id"]]  # past due, nobody on it
    assert every["first_response"]["7d"]["ticket_ids"] == [started["id"]]
    assert every["resolution"]["7d"]["count"] == 1
    assert "ticket_ids" not in _stats(server, admin)["open"]  # counts only, unless asked

    # A crew sees its own tickets only.
    own = _stats(server, aino, ids="true")
    assert own["open"]["count"] == 2 and set(own["backlog_by_crew"]) == {"north"}
    liisa = _stats(server, server.token("liisa"))
    assert set(liisa["backlog_by_crew"]) == {"south"}

    # The supervisor's laptop computes the same figures from its replica, offline.
    laptop = Device(tmp_path / "laptop", server, "sanna")
    laptop.sync()
    with laptop.replica() as replica:
        offline = device_figures(replica.conn, replica.get("escalation_rules"), time.time())
    online = _stats(server, server.token("sanna"), ids="true")
    assert offline.open.count == online["open"]["count"] == 4
    assert offline.overdue.ticket_ids == online["overdue"]["ticket_ids"]
    assert offline.at_risk.ticket_ids == online["at_risk"]["ticket_ids"]
    assert offline.first_response["7d"].ticket_ids == online["first_response"]["7d"]["ticket_ids"]
    assert {c: b.count for c, b in offline.backlog_by_crew.items()} == {
        c: b["count"] for c, b in online["backlog_by_crew"].items()
    }

    r = requests.get(f"{server.url}/api/v1/stats", timeout=30)
    assert r.status_code == 401


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_prometheus_metrics_count_backlog_pushes_and_requests(fresh_server: CaseServer) -> None:
    server = fresh_server
    admin = server.token("admin")
    now = datetime.now(UTC)
    ticket = server.create_ticket(admin, assigned_crew="north", due_at=_iso(now - timedelta(hours=1)))
    server.create_ticket(admin, assigned_crew="north")
    aino = server.token("aino")
    server.push(aino, [_set(ticket, "status", "assigned", "en_route")])
    server.push(aino, [_set(ticket, "status", "assigned", "bogus")])  # rejected

    r = requests.get(f"{server.url}/metrics", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    got = _samples(r.text)
    assert got[("caseserver_backlog_tickets", (("crew", "north"),))] == 2
    assert got[("caseserver_overdue_tickets", (("crew", "north"),))] == 1
    assert got[("caseserver_escalated_tickets", (("crew", "north"),))] == 0  # it is en route
    assert got[("caseserver_push_ops_total", (("outcome", "applied"),))] == 1
    assert got[("caseserver_push_ops_total", (("outcome", "rejected"),))] == 1
    push_route = (("method", "POST"), ("route", "/api/v1/push"), ("status", "200"))
    assert got[("caseserver_http_requests_total", push_route)] == 2
    assert got[("caseserver_http_request_seconds_count", (("route", "/api/v1/push"),))] == 2


def test_metrics_need_the_token_when_one_is_set(backend: str, tmp_path: Path) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(url, tmp_path, CASESERVER_METRICS_TOKEN="scrape-secret")
        try:
            assert requests.get(f"{server.url}/metrics", timeout=30).status_code == 401
            wrong = requests.get(f"{server.url}/metrics", headers=_auth("guess"), timeout=30)
            assert wrong.status_code == 401 and "token" in wrong.json()["detail"]
            right = requests.get(f"{server.url}/metrics", headers=_auth("scrape-secret"), timeout=30)
            assert right.status_code == 200 and "caseserver_backlog_tickets" in right.text
        finally:
            server.stop()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('[{"share": 0}]', "0.share: Input should be greater than 0"),
        ("{not json", "not JSON"),
        ('[{"service_code": "pothole", "share": 1, "when": 3}]', "0.when"),
    ],
)
def test_serve_refuses_a_bad_escalation_rules_file_in_one_line(
    tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "rules.json"
    path.write_text(content)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    done = run_caseserver(url, "serve", "--port", "1", CASESERVER_ESCALATION_RULES=str(path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and str(path) in lines[0], done.stderr
    assert not (tmp_path / "db.sqlite").exists()  # nothing was touched
