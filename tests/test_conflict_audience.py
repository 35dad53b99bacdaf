"""Conflicts reach the people they are addressed to, whatever happened to the ticket's scope.

Six devices against one real server: crew north (aino, eero), crew south (liisa),
sanna (supervisor of every crew), ville (supervisor of north only) and admin. In each
scenario device A edits offline while B changes the same ticket; they sync in both
orders ('a-first', 'b-first'). Every device of the conflict's audience must show it
(replica and `fieldapp conflicts`), nobody else may; keep mine is refused where it is
not the user's to do, saying who can; one audience device settles it, and after the
next sync it is closed on every device.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from serverproc import PASSWORDS, CaseServer, Device, run_caseserver
from test_cli import fieldapp
from test_conflict_matrix import _prepare

from fieldapp.cli import main as fieldapp_main

USERS = ("aino", "eero", "liisa", "sanna", "ville", "admin")
Devices = dict[str, Device]
Step = Callable[[Devices, str], None]


@pytest.fixture(scope="module")
def north_supervisor(server: CaseServer) -> str:
    """ville: a supervisor of crew north only (the demo's sanna supervises every crew)."""
    PASSWORDS["ville"] = "ville-demo-pw"
    done = run_caseserver(
        server.database_url,
        *("user", "add", "ville", "--role", "supervisor", "--supervises", "north"),
        *("--password", PASSWORDS["ville"]),
    )
    assert done.returncode == 0 or "already exists" in done.stderr, done.stderr
    return "ville"


def _set(user: str, field_name: str, value: Any) -> Step:
    return lambda devices, ticket_id: devices[user].set(ticket_id, field_name, value) and None


def _steps(*steps: Step) -> Step:
    def run(devices: Devices, ticket_id: str) -> None:
        for step in steps:
            step(devices, ticket_id)

    return run


def _sync(user: str) -> Step:
    return lambda devices, _ticket_id: devices[user].sync() and None


def _south_resolves(devices: Devices, ticket_id: str) -> None:
    """Crew south picks the ticket up and resolves it."""
    liisa = devices["liisa"]
    liisa.sync()
    liisa.set(ticket_id, "status", "resolved")
    liisa.sync()


def _move_to_south(devices: Devices, ticket_id: str) -> None:
    """sanna moves the ticket to crew south: out of north's and ville's scope."""
    devices["sanna"].sync()
    devices["sanna"].set(ticket_id, "assigned_crew", "south")
    devices["sanna"].sync()


@dataclass(frozen=True)
class Expect:
    field: str
    audience: str
    #: Users whose devices show the conflict; every other device must not.
    visible: frozenset[str]
    #: Users for whom keep mine is not theirs to do (the refusal says who can).
    refused: frozenset[str]
    #: Who settles it on their device, and how.
    settle_by: str
    keep: str
    #: The ticket on the server once settled.
    final: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    start: str
    a: str
    a_edit: Step
    b: str
    b_edit: Step
    expect: dict[str, Expect]
    #: After B synced (before A in 'b-first', after both in 'a-first').
    b_after: Step | None = None
    #: After both synced: take the ticket out of the audience's scope.
    move: Step | None = None
    tags: tuple[str, ...] = field(default=())


NORTH = frozenset({"aino", "eero"})
CREW_NORTH_AUDIENCE = NORTH | {"sanna", "ville", "admin"}
SUPERVISORS = frozenset({"sanna", "ville", "admin"})


def _both(expect: Expect) -> dict[str, Expect]:
    return {"a-first": expect, "b-first": expect}


SCENARIOS: dict[str, Scenario] = {
    # The issue's first case: a crew's offline status edit while dispatch moved the
    # ticket to crew south, which resolved it. Crew-first, the crew's work lands and
    # the supervisor hears the crew had started.
    "crew-status-while-reassigned-and-resolved": Scenario(
        "in_progress",
        "aino",
        _set("aino", "status", "on_hold"),
        "sanna",
        _set("sanna", "assigned_crew", "south"),
        b_after=_south_resolves,
        expect={
            "b-first": Expect(
                "status",
                "crew",
                CREW_NORTH_AUDIENCE,
                NORTH,
                "eero",
                "theirs",
                {"status": "resolved", "assigned_crew": "south"},
            ),
            "a-first": Expect(
                "assigned_crew",
                "supervisor",
                frozenset({"sanna", "admin"}),
                frozenset(),
                "sanna",
                "theirs",
                {"status": "resolved", "assigned_crew": "south"},
            ),
        },
    ),
    # The issue's second case: the supervisor, offline, sets priority 5 and reassigns to
    # south while a north device sets priority 1.
    "crew-priority-while-supervisor-reassigned": Scenario(
        "assigned",
        "aino",
        _set("aino", "priority", 1),
        "sanna",
        _steps(_set("sanna", "priority", 5), _set("sanna", "assigned_crew", "south")),
        expect=_both(
            Expect(
                "priority",
                "crew",
                CREW_NORTH_AUDIENCE,
                NORTH,
                "aino",
                "theirs",
                {"priority": 5, "assigned_crew": "south"},
            )
        ),
    ),
    "crew-priority-in-scope": Scenario(
        "assigned",
        "aino",
        _set("aino", "priority", 2),
        "sanna",
        _set("sanna", "priority", 1),
        expect=_both(
            Expect(
                "priority",
                "crew",
                CREW_NORTH_AUDIENCE,
                frozenset(),
                "eero",
                "mine",
                {"priority": 2, "assigned_crew": "north"},
            )
        ),
    ),
    "supervisor-in-scope": Scenario(
        "assigned",
        "ville",
        _set("ville", "priority", 4),
        "sanna",
        _set("sanna", "priority", 1),
        expect={
            "a-first": Expect(
                "priority", "supervisor", SUPERVISORS, frozenset(), "sanna", "mine", {"priority": 1}
            ),
            "b-first": Expect(
                "priority", "supervisor", SUPERVISORS, frozenset(), "ville", "mine", {"priority": 4}
            ),
        },
    ),
    "supervisor-out-of-scope": Scenario(
        "assigned",
        "ville",
        _set("ville", "priority", 4),
        "sanna",
        _set("sanna", "priority", 1),
        move=_move_to_south,
        expect={
            "a-first": Expect(
                "priority",
                "supervisor",
                SUPERVISORS,
                frozenset({"ville"}),
                "ville",
                "theirs",
                {"priority": 4, "assigned_crew": "south"},
            ),
            "b-first": Expect(
                "priority",
                "supervisor",
                SUPERVISORS,
                frozenset({"ville"}),
                "ville",
                "theirs",
                {"priority": 1, "assigned_crew": "south"},
            ),
        },
    ),
    "office-in-scope": Scenario(
        "assigned",
        "aino",
        _set("aino", "address", "Mannerheimintie 7, Helsinki"),
        "admin",
        _set("admin", "address", "Mannerheimintie 5 B, Helsinki"),
        expect=_both(
            Expect(
                "address",
                "office",
                CREW_NORTH_AUDIENCE,
                NORTH,
                "ville",
                "mine",
                {"address": "Mannerheimintie 7, Helsinki", "assigned_crew": "north"},
            )
        ),
    ),
    "office-out-of-scope": Scenario(
        "assigned",
        "aino",
        _set("aino", "address", "Mannerheimintie 7, Helsinki"),
        "admin",
        _set("admin", "address", "Mannerheimintie 5 B, Helsinki"),
        move=_move_to_south,
        expect=_both(
            Expect(
                "address",
                "office",
                CREW_NORTH_AUDIENCE,
                NORTH | {"ville"},
                "sanna",
                "mine",
                {"address": "Mannerheimintie 7, Helsinki", "assigned_crew": "south"},
            )
        ),
    ),
}


def cli(capsys: pytest.CaptureFixture[str], device: Device, *args: str) -> tuple[int, Any, str]:
    """Run `fieldapp --profile DIR --json ARGS` in this process: (exit code, JSON, stderr)."""
    capsys.readouterr()
    code = fieldapp_main(["--profile", str(device.folder), "--json", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def _conflicts_on(device: Device, ticket_id: str, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    with device.replica() as replica:
        found = replica.conflicts(include_resolved=include_resolved)
    return [c for c in found if c["ticket_id"] == ticket_id]


@pytest.mark.parametrize("order", ["a-first", "b-first"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_conflict_reaches_its_audience_and_closes_everywhere(
    server: CaseServer,
    north_supervisor: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    order: str,
) -> None:
    scenario = SCENARIOS[name]
    expect = scenario.expect[order]
    admin = server.token("admin")
    ticket_id = _prepare(server, admin, scenario.start)
    devices = {user: Device(tmp_path / user, server, user) for user in USERS}
    for device in devices.values():
        device.sync()

    scenario.a_edit(devices, ticket_id)
    scenario.b_edit(devices, ticket_id)
    a, b = devices[scenario.a], devices[scenario.b]
    if order == "a-first":
        a.sync()
        b.sync()
        if scenario.b_after:
            scenario.b_after(devices, ticket_id)
    else:
        b.sync()
        if scenario.b_after:
            scenario.b_after(devices, ticket_id)
        a.sync()
    if scenario.move:
        scenario.move(devices, ticket_id)
    for device in devices.values():
        device.sync()

    # The audience sees it (replica and command line); nobody else does.
    conflict_id = None
    for user, device in devices.items():
        stored = _conflicts_on(device, ticket_id)
        code, listed, _ = cli(capsys, device, "conflicts")
        assert code == 0
        listed = [c for c in listed if c["ticket_id"] == ticket_id]
        if user not in expect.visible:
            assert stored == [] and listed == [], (user, stored)
            continue
        assert [(c["field"], c["audience"]) for c in stored] == [(expect.field, expect.audience)], user
        assert [c["id"] for c in listed] == [c["id"] for c in stored]
        conflict = stored[0]
        conflict_id = conflict_id or conflict["id"]
        assert conflict["id"] == conflict_id
        # Enough of the ticket to understand it, also where the ticket is not on the device.
        now = server.get_ticket(admin, ticket_id)
        assert conflict["ticket"]["assigned_crew"] == now["assigned_crew"], user
        assert conflict["ticket"]["status"] == now["status"]
        assert conflict["ticket"]["address"] == now["address"]
        assert conflict["ticket"]["service_code"] == now["service_code"]
        assert conflict["standing"] == now[expect.field]
        assert conflict["on_device"] == device.has(ticket_id)
        refusal = conflict["keep_mine_refusal"]
        if user in expect.refused:
            assert refusal and ("supervisor" in refusal or "admin" in refusal), (user, refusal)
            code, _, err = cli(capsys, device, "resolve", conflict_id[:8], "--keep", "mine")
            assert code == 1 and "ask" in err and len(err.strip().splitlines()) == 1, err
            assert device.counts()["pending"] == 0
        elif user in (expect.settle_by,):
            assert refusal is None, (user, refusal)

    # Settled on one audience device; closed on every device after the next sync.
    settler = devices[expect.settle_by]
    code, _, err = cli(capsys, settler, "resolve", conflict_id[:8], "--keep", expect.keep)
    assert code == 0, err
    settler.sync()
    assert settler.rejected() == []
    for device in devices.values():
        device.sync()
    for user, device in devices.items():
        assert device.counts()["pending"] == 0 and device.rejected() == [], user
        code, listed, _ = cli(capsys, device, "conflicts")
        assert [c for c in listed if c["ticket_id"] == ticket_id] == [], user
        if user in expect.visible:
            closed = _conflicts_on(device, ticket_id, include_resolved=True)
            assert [(c["status"], c["resolution"]) for c in closed] == [("resolved", expect.keep)], user
            assert closed[0]["resolved_by"] == expect.settle_by, user
    final = server.get_ticket(admin, ticket_id)
    for name_, value in expect.final.items():
        assert final[name_] == value, (name_, final[name_])


def _run_ok(profile: Path, *args: str) -> str:
    done = fieldapp(profile, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _north_devices_show_and_settle(
    server: CaseServer, devices: Devices, ticket_id: str, field_name: str
) -> None:
    """Both north devices list the conflict in words; one acknowledges; it closes everywhere."""
    for user in ("aino", "eero"):
        _run_ok(devices[user].folder, "sync")
        text = _run_ok(devices[user].folder, "conflicts")
        assert text.strip() != "no conflicts", user
        assert ticket_id[:8] in text and f" {field_name}: " in text
        assert "pothole at Mannerheimintie 5, Helsinki" in text and "with crew south" in text
        assert "keep mine: the ticket is now with crew south: ask your supervisor" in text
    conflict_id = _conflicts_on(devices["eero"], ticket_id)[0]["id"]
    refused = fieldapp(devices["aino"].folder, "resolve", conflict_id[:8], "--keep", "mine")
    assert refused.returncode == 1 and "ask your supervisor" in refused.stderr
    _run_ok(devices["aino"].folder, "resolve", conflict_id[:8], "--keep", "seen")
    _run_ok(devices["aino"].folder, "sync")
    for user in ("eero", "sanna", "aino"):
        _run_ok(devices[user].folder, "sync")
        assert ticket_id[:8] not in _run_ok(devices[user].folder, "conflicts"), user
        closed = _conflicts_on(devices[user], ticket_id, include_resolved=True)
        assert [(c["status"], c["resolved_by"]) for c in closed] == [("resolved", "aino")], user


def test_issue_case_crew_status_edit_while_reassigned_crew_resolves(
    server: CaseServer, tmp_path: Path
) -> None:
    """Crew offline: on hold; dispatch reassigns to south, which resolves; the crew syncs last."""
    admin = server.token("admin")
    ticket_id = _prepare(server, admin, "in_progress")
    devices = {user: Device(tmp_path / user, server, user) for user in ("aino", "eero", "liisa", "sanna")}
    for device in devices.values():
        device.sync()
    devices["aino"].set(ticket_id, "status", "on_hold")  # offline
    devices["sanna"].set(ticket_id, "assigned_crew", "south")
    devices["sanna"].sync()
    _south_resolves(devices, ticket_id)
    assert server.get_ticket(admin, ticket_id)["status"] == "resolved"
    _north_devices_show_and_settle(server, devices, ticket_id, "status")
    assert server.get_ticket(admin, ticket_id)["status"] == "resolved"


def test_issue_case_supervisor_priority_and_reassign_over_crew_priority(
    server: CaseServer, tmp_path: Path
) -> None:
    """Supervisor offline: priority 5, reassign to south; a north device sets priority 1 and
    syncs; then the supervisor syncs."""
    admin = server.token("admin")
    ticket_id = _prepare(server, admin, "assigned")
    devices = {user: Device(tmp_path / user, server, user) for user in ("aino", "eero", "sanna")}
    for device in devices.values():
        device.sync()
    devices["sanna"].set(ticket_id, "priority", 5)
    devices["sanna"].set(ticket_id, "assigned_crew", "south")
    devices["aino"].set(ticket_id, "priority", 1)
    _run_ok(devices["aino"].folder, "sync")
    devices["sanna"].sync()
    final = server.get_ticket(admin, ticket_id)
    assert (final["priority"], final["assigned_crew"]) == (5, "south")
    _north_devices_show_and_settle(server, devices, ticket_id, "priority")


def test_digest_repull_keeps_conflicts_of_tickets_out_of_scope(server: CaseServer, tmp_path: Path) -> None:
    """A full re-pull (digest mismatch) must not drop a conflict whose ticket left the scope."""
    admin = server.token("admin")
    ticket_id = _prepare(server, admin, "assigned")
    staying = _prepare(server, admin, "assigned")
    devices = {user: Device(tmp_path / user, server, user) for user in ("aino", "eero", "sanna")}
    for device in devices.values():
        device.sync()
    devices["sanna"].set(ticket_id, "priority", 5)
    devices["sanna"].set(ticket_id, "assigned_crew", "south")
    devices["sanna"].sync()
    devices["aino"].set(ticket_id, "priority", 1)
    devices["aino"].sync()
    eero = devices["eero"]
    eero.sync()
    assert [c["field"] for c in _conflicts_on(eero, ticket_id)] == ["priority"]
    with eero.replica() as replica:  # a damaged local copy: its digest no longer matches
        replica.conn.execute("UPDATE tickets SET vhash = vhash + 1 WHERE revoked = 0")
        replica.conn.commit()
    report = eero.sync()
    assert report.repulled
    assert [c["field"] for c in _conflicts_on(eero, ticket_id)] == ["priority"]
    assert not eero.has(ticket_id) and eero.has(staying)
    with eero.replica() as replica:  # settled, leaving nothing open on the shared server
        replica.resolve_conflict(_conflicts_on(eero, ticket_id)[0]["id"], "theirs")
    eero.sync()
    assert _conflicts_on(eero, ticket_id) == []


def test_server_refuses_keep_mine_that_is_not_yours_and_settling_by_outsiders(server: CaseServer) -> None:
    """The device's checks are repeated by the server: 403 with who can, nothing changed."""
    admin, aino = server.token("admin"), server.token("aino")
    ticket_id = _prepare(server, admin, "assigned")

    def op(kind: str, **fields: Any) -> dict[str, Any]:
        return {
            "op_id": str(uuid.uuid4()),
            "ticket_id": ticket_id,
            "kind": kind,
            "device_time": "2026-01-01T08:00:00Z",
            **fields,
        }

    sanna = server.token("sanna")
    assert server.push(sanna, [op("set", field="priority", base=3, value=5)])[0]["outcome"] == "applied"
    assert (
        server.push(sanna, [op("set", field="assigned_crew", base="north", value="south")])[0]["outcome"]
        == "applied"
    )
    (lost,) = server.push(aino, [op("set", field="priority", base=3, value=1)])
    assert lost["outcome"] == "conflict"
    conflict = lost["conflict"]
    assert conflict["ticket"] == {
        "service_code": "pothole",
        "address": "Mannerheimintie 5, Helsinki",
        "assigned_crew": "south",
        "status": "assigned",
        "version": conflict["ticket"]["version"],
    }

    resolve = {"conflict_id": conflict["id"], "base": 5}
    (mine,) = server.push(aino, [op("resolve", value="mine", **resolve)])
    assert (mine["outcome"], mine["code"]) == ("rejected", 403)
    assert mine["reason"] == "you cannot keep yours: the ticket is now with crew south: ask your supervisor"
    (outsider,) = server.push(server.token("liisa"), [op("resolve", value="theirs", **resolve)])
    assert (outsider["outcome"], outsider["code"]) == ("rejected", 403)
    assert server.get_ticket(admin, ticket_id)["priority"] == 5

    (seen,) = server.push(aino, [op("resolve", value="theirs", **resolve)])
    assert seen["outcome"] == "applied"
    (again,) = server.push(sanna, [op("resolve", value="mine", **resolve)])
    assert (again["outcome"], again["reason"]) == ("merged", "already resolved")
    assert server.get_ticket(admin, ticket_id)["priority"] == 5
