"""The work record: times from the status moves with corrections, materials and checklists as
append-only records (a union under replays and either sync order), a required checklist item
blocking `resolved` on the device and on the server, and the day's CSV matching the records."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from pydantic import ValidationError
from serverproc import CaseServer, Device, fresh_database_url, run_caseserver
from test_cli import fieldapp

from sync.errors import LocalError
from sync.workrecord import WorkRecordValue, materials_used, ticked, time_totals


def _event(at: str, status: str) -> dict[str, Any]:
    return {"field": "status", "new": status, "at": at}


def _record(rid: str, when: str, **value: Any) -> dict[str, Any]:
    return {"id": rid, "device_time": when, **value}


def test_times_come_from_the_status_moves_and_the_latest_correction_wins() -> None:
    events = [
        {"field": "created", "new": "assigned", "at": "2026-05-04T07:00:00Z"},
        _event("2026-05-04T08:00:00Z", "en_route"),  # 20 min travel
        _event("2026-05-04T08:20:00Z", "in_progress"),  # 40 min on site
        _event("2026-05-04T09:00:00Z", "on_hold"),
        _event("2026-05-04T10:00:00Z", "in_progress"),  # 15 min more
        _event("2026-05-04T10:15:00Z", "resolved"),
    ]
    assert time_totals(events, []) == {
        "travel": {"minutes": 20, "corrected": False},
        "on_site": {"minutes": 55, "corrected": False},
    }
    records = [
        _record("b", "2026-05-04T11:00:00Z", type="time", time_kind="on_site", minutes=70),
        _record("a", "2026-05-04T12:00:00Z", type="time", time_kind="on_site", minutes=65),
    ]
    assert time_totals(events, records)["on_site"] == {"minutes": 65, "corrected": True}
    assert time_totals(events, records)["travel"] == {"minutes": 20, "corrected": False}
    materials = [
        _record("m1", "t1", type="material", material="asphalt_t", quantity=0.5),
        _record("m2", "t2", type="material", material="asphalt_t", quantity=0.25),
        _record("m3", "t3", type="material", material="cold_patch_bag", quantity=2),
        _record("m4", "t4", type="material", material="cold_patch_bag", quantity=-2),  # a correction
    ]
    assert materials_used(materials) == {"asphalt_t": 0.75}
    checks = [
        _record("c1", "2026-05-04T10:00:00Z", type="check", item="area_safe", done=True),
        _record("c2", "2026-05-04T10:05:00Z", type="check", item="edges_sealed", done=True),
        _record("c3", "2026-05-04T10:06:00Z", type="check", item="edges_sealed", done=False),
    ]
    assert ticked(checks) == {"area_safe"}


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"type": "time", "minutes": 5}, "needs time_kind"),
        ({"type": "material", "material": "asphalt_t", "quantity": 0}, "other than 0"),
        ({"type": "check", "item": "x", "done": True, "minutes": 3}, "has no minutes"),
        ({"type": "time", "time_kind": "on_site", "minutes": 5000}, "less than or equal to 1440"),
    ],
)
def test_a_record_must_be_whole(value: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        WorkRecordValue.model_validate(value)


def _work_ids(server: CaseServer, token: str, ticket_id: str) -> list[str]:
    return sorted(r["id"] for r in server.get_ticket(token, ticket_id)["work"])


@pytest.mark.parametrize("first", ["aino", "eero"])
def test_records_are_a_union_in_either_sync_order_and_a_replay_adds_nothing(
    work_server: CaseServer, tmp_path: Path, first: str
) -> None:
    server = work_server
    sanna = server.token("sanna")
    ticket = server.create_ticket(sanna, assigned_crew="north")["id"]
    devices = {name: Device(tmp_path / name, server, name) for name in ("aino", "eero")}
    for device in devices.values():
        device.sync()
    with devices["aino"].replica() as replica:
        assert replica.work_catalogue.material("asphalt_t") is not None  # the server's catalogue
        a1 = replica.add_record(ticket, type="material", material="asphalt_t", quantity=0.5)
        a2 = replica.add_record(ticket, type="check", item="area_safe", done=True)
    with devices["eero"].replica() as replica:
        e1 = replica.add_record(ticket, type="material", material="asphalt_t", quantity=0.25)
        e2 = replica.add_record(ticket, type="time", time_kind="on_site", minutes=50)
        with pytest.raises(LocalError, match="unknown material 'gold'"):
            replica.add_record(ticket, type="material", material="gold", quantity=1)
    order = [first, "eero" if first == "aino" else "aino"]
    for name in order:
        devices[name].sync()
    expected = sorted(op["op_id"] for op in (a1, a2, e1, e2))
    assert _work_ids(server, sanna, ticket) == expected

    # A replay (a lost answer, a restored backup) gets the same answer again and adds nothing.
    token = server.token("aino")
    replayed = {k: a1[k] for k in ("op_id", "ticket_id", "kind", "value", "device_time")}
    assert server.push(token, [replayed])[0]["outcome"] == "applied"
    assert _work_ids(server, sanna, ticket) == expected
    for device in devices.values():
        device.sync()
        with device.replica() as replica:
            summary = replica.work_summary(ticket)
        assert summary["materials"] == {"asphalt_t": 0.75}
        assert summary["times"]["on_site"] == {"minutes": 50, "corrected": True}
        assert [(c["code"], c["done"], c["required"]) for c in summary["checklist"]] == [
            ("area_safe", True, True),
            ("edges_sealed", False, False),
        ]


def test_a_required_item_blocks_resolved_on_the_device_and_on_the_server(
    work_server: CaseServer, tmp_path: Path
) -> None:
    server = work_server
    sanna = server.token("sanna")
    ticket = server.create_ticket(sanna, assigned_crew="north")["id"]
    aino = Device(tmp_path / "aino", server, "aino")
    aino.sync()
    with aino.replica() as replica:
        replica.change_status(ticket, "in_progress")
        with pytest.raises(LocalError, match="tick the checklist before resolving: “Area made safe”"):
            replica.change_status(ticket, "resolved", resolution_code="fixed", note="Filled")
        assert replica.ticket(ticket)["status"] == "in_progress"  # nothing queued by the refusal
        assert replica.counts()["pending"] == 1
        replica.add_record(ticket, type="check", item="area_safe", done=True)
        replica.change_status(ticket, "resolved", resolution_code="fixed", note="Filled")
    aino.sync()
    assert server.get_ticket(sanna, ticket)["status"] == "resolved"

    # A device that does not check (an older app) is refused by the server, with the reason.
    other = server.create_ticket(sanna, assigned_crew="north")["id"]
    token = server.token("aino")
    now = datetime.now(UTC).isoformat()
    version = server.get_ticket(token, other)["version"]
    ops = [
        {"op_id": str(uuid.uuid4()), "ticket_id": other, "kind": "set", "field": "status", "base": base,
         "value": value, "device_time": now, "ticket_version": version}
        for base, value in (("assigned", "in_progress"), ("in_progress", "resolved"))
    ]  # fmt: skip
    applied, refused = server.push(token, ops)
    assert applied["outcome"] == "applied"
    assert refused["outcome"] == "rejected" and refused["code"] == 409
    assert "Area made safe" in refused["reason"]
    assert server.get_ticket(token, other)["status"] == "in_progress"

    # Records that do not fit are refused one by one, with the reason, and add nothing.
    version = server.get_ticket(token, other)["version"]
    bad_values = {
        "work record: unknown material 'gold'": {"type": "material", "material": "gold", "quantity": 1},
        "not on the checklist of pothole": {"type": "check", "item": "water_off", "done": True},
        "work record: type": {"type": "overtime", "minutes": 5},
        "work record: Value error, a time record needs time_kind": {"type": "time", "minutes": 5},
    }
    records = [
        {"op_id": str(uuid.uuid4()), "ticket_id": other, "kind": "record", "value": value, "device_time": now}
        for value in bad_values.values()
    ]
    for words, answer in zip(bad_values, server.push(token, records), strict=True):
        assert answer["outcome"] == "rejected" and answer["code"] == 422 and words in answer["reason"], answer
    after = server.get_ticket(token, other)
    assert after["work"] == [] and after["version"] == version


def test_the_day_csv_matches_the_records_and_is_scoped(work_server: CaseServer, tmp_path: Path) -> None:
    server = work_server
    sanna = server.token("sanna")
    one = server.create_ticket(sanna, assigned_crew="north", address="Mannerheimintie 5")["id"]
    two = server.create_ticket(sanna, assigned_crew="north", address="Aleksanterinkatu 1")["id"]
    aino = Device(tmp_path / "aino", server, "aino")
    aino.sync()
    with aino.replica() as replica:
        replica.change_status(one, "en_route")
        replica.change_status(one, "in_progress")
        replica.change_status(one, "on_hold", note="Waiting for the asphalt truck")  # closes the on-site time
        replica.add_record(one, type="material", material="asphalt_t", quantity=0.5)
        replica.add_record(one, type="material", material="cold_patch_bag", quantity=3)
        replica.add_record(two, type="time", time_kind="on_site", minutes=45)
    aino.sync()
    day = datetime.now(UTC).date().isoformat()
    answer = requests.get(
        f"{server.url}/api/v1/work-record.csv",
        params={"day": day, "crew": "north"},
        headers={"Authorization": f"Bearer {sanna}"},
        timeout=30,
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    mine = {one, two}  # the module's other tests worked for north today too
    rows = [r for r in csv.DictReader(io.StringIO(answer.text)) if r["ticket_id"] in mine]
    materials = sorted(
        (r["ticket_id"], r["item"], float(r["quantity"]), r["unit"]) for r in rows if r["kind"] == "material"
    )
    assert materials == sorted([(one, "asphalt_t", 0.5, "t"), (one, "cold_patch_bag", 3.0, "bag")])
    times = {(r["ticket_id"], r["item"]): r for r in rows if r["kind"] == "time"}
    assert (
        times[(two, "on_site")]["quantity"] == "45"
        and times[(two, "on_site")]["source"] == "recorded by aino"
    )
    assert times[(one, "travel")]["source"] == "status moves" and (one, "on_site") in times
    assert {r["crew"] for r in rows} == {"north"} and {r["day"] for r in rows} == {day}
    assert {r["address"] for r in rows if r["ticket_id"] == one} == {"Mannerheimintie 5"}

    # The command line gives the same file.
    done = run_caseserver(server.database_url, "work-record", "--day", day, "--crew", "north")
    assert done.returncode == 0 and done.stdout == answer.text
    bad = run_caseserver(server.database_url, "work-record", "--day", "yesterday")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1

    def status(token: str, **params: str) -> int:
        url = f"{server.url}/api/v1/work-record.csv"
        return requests.get(
            url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ).status_code

    liisa = server.token("liisa")  # the south crew
    assert status(liisa, day=day, crew="north") == 403
    assert status(sanna, day=day, crew="west") == 404
    assert status(sanna, day="2026-13-40") == 422
    assert (
        "asphalt_t"
        not in requests.get(
            f"{server.url}/api/v1/work-record.csv",
            params={"day": day},
            headers={"Authorization": f"Bearer {liisa}"},
            timeout=30,
        ).text
    )  # south's own day holds none of north's work


def test_the_command_line_records_work_and_refuses_what_does_not_fit(
    work_server: CaseServer, tmp_path: Path
) -> None:
    server = work_server
    ticket = server.create_ticket(server.token("sanna"), assigned_crew="north")["id"]
    profile = tmp_path / "aino"
    Device(profile, server, "aino").sync()
    assert fieldapp(profile, "work", "material", ticket, "asphalt_t", "0.5").returncode == 0
    assert fieldapp(profile, "work", "check", ticket, "area_safe").returncode == 0
    assert fieldapp(profile, "work", "time", ticket, "--on-site", "40").returncode == 0
    shown = fieldapp(profile, "work", "show", ticket).stdout
    assert (
        "on site: 40 min (corrected)" in shown
        and "Hot asphalt: 0.5 t" in shown
        and "[x] Area made safe" in shown
    )
    for args, words in (
        (("material", ticket, "gold", "1"), "unknown material 'gold'"),
        (("check", ticket, "cones"), "not on the checklist"),
        (("time", ticket), "give --on-site MINUTES or --travel MINUTES"),
    ):
        done = fieldapp(profile, "work", *args)
        assert done.returncode == 1 and words in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert json.loads(fieldapp(profile, "--json", "status").stdout)["pending"] == 3


def test_serve_refuses_a_bad_work_catalogue_in_one_line(backend: str, tmp_path: Path) -> None:
    bad = tmp_path / "catalogue.json"
    bad.write_text(
        json.dumps({"materials": [{"code": "Bad Code", "name": "x", "unit": "t"}]}), encoding="utf-8"
    )
    with fresh_database_url(backend, tmp_path) as url:
        done = run_caseserver(url, "serve", "--port", "1", CASESERVER_WORK_CATALOGUE=str(bad))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith("caseserver: work catalogue") and "materials.0.code" in done.stderr
