"""Routing of new tickets by service and district, and crews' service lists: set through the
API and the CLI (admin only, validated whole), applied to tickets arriving from Open311 and the
office with the rule named in their history, and used by dispatch suggestions on a device."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests
from serverproc import CaseServer, Device, run_caseserver

from fieldapp.screens.suggestions import assign_suggested, placement_text

# Two districts side by side in Helsinki: north-west (lon 24.90-24.96) and south-east (24.96-25.00).
WEST = {
    "type": "Polygon",
    "coordinates": [[[24.90, 60.15], [24.96, 60.15], [24.96, 60.19], [24.90, 60.19], [24.90, 60.15]]],
}
EAST_FEATURE = {
    "type": "Feature",
    "properties": {"district": "east"},
    "geometry": {
        "type": "MultiPolygon",
        "coordinates": [[[[24.96, 60.15], [25.00, 60.15], [25.00, 60.19], [24.96, 60.19], [24.96, 60.15]]]],
    },
}
IN_WEST = (60.17, 24.93)
IN_EAST = (60.17, 24.98)
OUTSIDE = (60.30, 24.93)
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[24.9, 60.1], [25.0, 60.2], [25.0, 60.1], [24.9, 60.2], [24.9, 60.1]]],
}

RULES: list[dict[str, Any]] = [
    {"name": "west potholes", "crew": "north", "services": ["pothole", "sidewalk"], "area": WEST},
    {"name": "east district", "crew": "south", "area": EAST_FEATURE},
]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _rules_url(server: CaseServer) -> str:
    return f"{server.url}/api/v1/routing-rules"


def _open311(server: CaseServer, service: str, place: tuple[float, float]) -> str:
    form = {
        "service_code": service,
        "lat": str(place[0]),
        "long": str(place[1]),
        "description": "seen on my walk",
    }
    answer = requests.post(f"{server.url}/open311/v2/requests.json", data=form, timeout=30)
    assert answer.status_code == 201, answer.text
    return str(answer.json()[0]["service_request_id"])


def _assignment(server: CaseServer, token: str, ticket_id: str) -> tuple[str | None, str, str | None]:
    """(crew, status, the reason its history gives for the crew)."""
    doc = server.get_ticket(token, ticket_id)
    reasons = [e.get("reason") for e in doc["events"] if e["field"] == "assigned_crew"]
    return doc["assigned_crew"], doc["status"], reasons[0] if reasons else None


def test_routing_rules_are_admins_to_set_whole_and_valid(fresh_server: CaseServer) -> None:
    server = fresh_server
    admin, sanna, aino = server.token("admin"), server.token("sanna"), server.token("aino")
    url = _rules_url(server)
    assert requests.get(url, headers=_auth(aino), timeout=30).status_code == 403
    assert requests.put(url, json=RULES, headers=_auth(sanna), timeout=30).status_code == 403

    bad = {
        "unknown crew": [{**RULES[0], "crew": "west"}],
        "unknown service code 'potholes'": [{**RULES[0], "services": ["potholes"]}],
        "not a valid polygon (Self-intersection": [{**RULES[0], "area": BOWTIE}],
        "area must be a GeoJSON Polygon or MultiPolygon": [
            {**RULES[0], "area": {"type": "Point", "coordinates": [24.9, 60.1]}}
        ],
        "not a readable GeoJSON polygon": [
            {**RULES[0], "area": {"type": "Polygon", "coordinates": [[[24.9, 60.1]]]}}
        ],
        "outside longitude": [
            {**RULES[0], "area": {"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [0, 1], [0, 0]]]}}
        ],
        "another rule has the same name": [RULES[0], {**RULES[1], "name": RULES[0]["name"]}],
    }
    for words, rules in bad.items():
        answer = requests.put(url, json=[RULES[1], *rules], headers=_auth(admin), timeout=30)
        assert answer.status_code == 422 and words in answer.json()["detail"], (words, answer.text)
    # An unknown key is refused too; nothing so far changed the (empty) rules.
    answer = requests.put(url, json=[{**RULES[0], "colour": "red"}], headers=_auth(admin), timeout=30)
    assert answer.status_code == 422
    assert requests.get(url, headers=_auth(sanna), timeout=30).json() == []

    answer = requests.put(url, json=RULES, headers=_auth(admin), timeout=30)
    assert answer.status_code == 200, answer.text
    stored = requests.get(url, headers=_auth(sanna), timeout=30).json()
    assert [r["name"] for r in stored] == ["west potholes", "east district"]
    assert stored[0]["area"] == WEST and stored[1]["area"] == EAST_FEATURE and stored[1]["services"] == []


def test_new_tickets_are_routed_by_service_and_district_and_say_by_which_rule(
    fresh_server: CaseServer,
) -> None:
    server = fresh_server
    admin = server.token("admin")
    assert requests.put(_rules_url(server), json=RULES, headers=_auth(admin), timeout=30).status_code == 200

    west_pothole = _open311(server, "pothole", IN_WEST)
    west_graffiti = _open311(server, "graffiti", IN_WEST)  # the west rule takes only its services
    east_graffiti = _open311(server, "graffiti", IN_EAST)
    far_pothole = _open311(server, "pothole", OUTSIDE)
    office_east = server.create_ticket(admin, lat=IN_EAST[0], lon=IN_EAST[1])["id"]
    chosen = server.create_ticket(admin, lat=IN_EAST[0], lon=IN_EAST[1], assigned_crew="central")["id"]

    assert _assignment(server, admin, west_pothole) == ("north", "assigned", "routing rule 'west potholes'")
    assert _assignment(server, admin, west_graffiti) == (None, "new", None)
    assert _assignment(server, admin, east_graffiti) == ("south", "assigned", "routing rule 'east district'")
    assert _assignment(server, admin, far_pothole) == (None, "new", None)
    assert _assignment(server, admin, office_east) == ("south", "assigned", "routing rule 'east district'")
    assert _assignment(server, admin, chosen) == ("central", "assigned", None)  # the office chose

    # The routed ticket reaches its crew's device with the rule in its history.
    liisa = server.token("liisa")
    assert _assignment(server, liisa, east_graffiti)[2] == "routing rule 'east district'"

    # Rules removed: tickets arrive in the unassigned queue again.
    assert requests.put(_rules_url(server), json=[], headers=_auth(admin), timeout=30).status_code == 200
    assert _assignment(server, admin, _open311(server, "pothole", IN_WEST)) == (None, "new", None)


def test_crew_service_lists_reach_the_supervisor_and_steer_suggestions(
    fresh_server: CaseServer, tmp_path: Path
) -> None:
    server = fresh_server
    admin, sanna = server.token("admin"), server.token("sanna")
    services_url = f"{server.url}/api/v1/crews/north/services"
    assert (
        requests.put(
            services_url, json={"services": ["pothole"]}, headers=_auth(sanna), timeout=30
        ).status_code
        == 403
    )
    missing = requests.put(
        f"{server.url}/api/v1/crews/west/services", json={"services": []}, headers=_auth(admin), timeout=30
    )
    assert missing.status_code == 404
    wrong = requests.put(
        services_url, json={"services": ["pothole", "moon"]}, headers=_auth(admin), timeout=30
    )
    assert wrong.status_code == 422 and "unknown service code 'moon'" in wrong.json()["detail"]
    answer = requests.put(
        services_url, json={"services": ["pothole", "sidewalk", "pothole"]}, headers=_auth(admin), timeout=30
    )
    assert answer.status_code == 200 and answer.json() == {"services": ["pothole", "sidewalk"]}
    crews = {
        c["code"]: c
        for c in requests.get(f"{server.url}/api/v1/crews", headers=_auth(sanna), timeout=30).json()
    }
    assert crews["north"]["services"] == ["pothole", "sidewalk"] and crews["south"]["services"] == []

    # north works right next to the new graffiti, south far off: south is suggested, because
    # north does not handle graffiti; a pothole there still goes to north.
    server.create_ticket(admin, assigned_crew="north", lat=60.1700, lon=24.9400)
    server.create_ticket(admin, assigned_crew="south", lat=60.2000, lon=25.0500)
    graffiti = server.create_ticket(admin, service_code="graffiti", lat=60.1701, lon=24.9401)["id"]
    pothole = server.create_ticket(admin, service_code="pothole", lat=60.1701, lon=24.9402)["id"]
    device = Device(tmp_path / "sanna", server, "sanna")
    device.sync()
    with device.replica() as replica:
        assert {c["code"]: c["services"] for c in replica.get("crews")}["north"] == ["pothole", "sidewalk"]
        path = replica.path
    result = assign_suggested(path, [pothole], ["central", "north", "south"])
    assert result.placed[0].best.crew == "north"
    result = assign_suggested(path, [graffiti], ["central", "north", "south"])
    (placed,) = result.placed
    assert placed.best.crew == "central" and placed.best.handles  # no work yet, but handles graffiti
    assert [s.crew for s in placed.others] == ["south", "north"] and not placed.others[-1].handles
    graffiti_words = placement_text(assign_suggested(path, [graffiti], ["north"]).placed[0], "Here")
    assert "does not handle this service" in graffiti_words


def test_routing_and_services_from_the_command_line(fresh_server: CaseServer, tmp_path: Path) -> None:
    url = fresh_server.database_url
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{**RULES[0], "area": BOWTIE}]), encoding="utf-8")
    done = run_caseserver(url, "routing", "set", str(rules))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Self-intersection" in done.stderr
    rules.write_text("[{]", encoding="utf-8")
    done = run_caseserver(url, "routing", "set", str(rules))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert json.loads(run_caseserver(url, "routing", "show").stdout) == []

    rules.write_text(json.dumps(RULES), encoding="utf-8")
    done = run_caseserver(url, "routing", "set", str(rules))
    assert done.returncode == 0 and "2 routing rule(s)" in done.stdout
    admin = fresh_server.token("admin")
    stored = requests.get(_rules_url(fresh_server), headers=_auth(admin), timeout=30).json()
    assert [r["name"] for r in stored] == ["west potholes", "east district"]
    assert (
        _assignment(fresh_server, fresh_server.token("admin"), _open311(fresh_server, "pothole", IN_WEST))[0]
        == "north"
    )

    done = run_caseserver(url, "crew", "services", "south", "--set", "graffiti", "nonsense")
    assert done.returncode == 2 and "unknown service code 'nonsense'" in done.stderr
    done = run_caseserver(url, "crew", "services", "south", "--set", "graffiti", "park_damage")
    assert done.returncode == 0 and "crew south handles graffiti, park_damage" in done.stdout
    assert run_caseserver(url, "crew", "services", "west").returncode == 2
