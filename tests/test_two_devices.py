"""Two crew devices and a supervisor work offline against one real server, then sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from serverproc import CaseServer, Device

ORDERS = {
    "crew-first": ["aino", "eero", "sanna"],
    "supervisor-first": ["sanna", "eero", "aino"],
}


def _server_view(server: CaseServer, token: str, ticket_id: str) -> dict:
    return server.get_ticket(token, ticket_id)


@pytest.mark.parametrize("order", list(ORDERS))
def test_offline_edits_and_reassignment_converge(server: CaseServer, tmp_path: Path, order: str) -> None:
    admin = server.token("admin")
    t1 = server.create_ticket(admin, assigned_crew="north", description="t1")["id"]
    t2 = server.create_ticket(admin, assigned_crew="north", description="t2")["id"]
    t3 = server.create_ticket(admin, assigned_crew="north", description="t3", priority=3)["id"]

    devices = {
        "aino": Device(tmp_path / "aino", server, "aino"),
        "eero": Device(tmp_path / "eero", server, "eero"),
        "sanna": Device(tmp_path / "sanna", server, "sanna"),
    }
    for device in devices.values():
        device.sync()
    aino, eero, sanna = devices["aino"], devices["eero"], devices["sanna"]

    # Everyone goes offline and works.
    aino.set(t1, "status", "en_route")
    aino.set(t1, "status", "in_progress")
    aino.note(t1, "valve closed, digging")
    eero.note(t1, "bring the big compressor")
    eero.set(t2, "status", "in_progress")
    eero.set(t3, "priority", 2)
    sanna.set(t2, "assigned_crew", "central")
    sanna.set(t3, "priority", 1)

    for name in ORDERS[order]:
        devices[name].sync()
    for name in ORDERS[order]:
        devices[name].sync()

    # Server end state: every edit landed or is a visible conflict.
    s1 = _server_view(server, admin, t1)
    assert s1["status"] == "in_progress"
    assert sorted(n["text"] for n in s1["notes"]) == [
        "bring the big compressor",
        "valve closed, digging",
    ]
    s2 = _server_view(server, admin, t2)
    assert s2["assigned_crew"] == "central"
    assert s2["status"] == "in_progress"  # the crew's work landed
    s3 = _server_view(server, admin, t3)
    assert s3["priority"] == 1  # the supervisor's priority stands

    # Every device agrees with the server on what it can see, and has nothing pending.
    for name, device in devices.items():
        assert device.counts()["pending"] == 0, name
        assert device.rejected() == [], name
        for tid, expected in ((t1, s1), (t3, s3)):
            seen = device.ticket(tid)
            for field in ("status", "priority", "assigned_crew", "version"):
                assert seen[field] == expected[field], (name, field)
            assert [n["id"] for n in seen["notes"]] == [n["id"] for n in expected["notes"]]
    # t2 left the north crew's scope; the supervisor still sees it.
    assert not aino.has(t2) and not eero.has(t2)
    assert sanna.ticket(t2)["version"] == s2["version"]

    # The same conflicts exist whichever side synced first, each for the right person:
    # eero's priority lost to the supervisor's, and the supervisor reassigned t2 over
    # work the crew had started.
    assert (t3, "priority") in {(c["ticket_id"], c["field"]) for c in eero.conflicts()}
    assert (t2, "assigned_crew") in {(c["ticket_id"], c["field"]) for c in sanna.conflicts()}
