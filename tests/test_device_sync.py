"""Device-side guarantees: durable edits, nothing dropped, revocations, the digest check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from serverproc import REPO, CaseServer, Device

from sync.engine import SyncEngine
from sync.errors import LocalError


def _north_ticket(server: CaseServer, **fields: object) -> str:
    return str(server.create_ticket(server.token("admin"), assigned_crew="north", **fields)["id"])


def test_local_edit_survives_a_hard_kill_right_after_it_returns(server: CaseServer, tmp_path: Path) -> None:
    ticket_id = _north_ticket(server)
    device = Device(tmp_path / "dev", server, "aino")
    device.sync()
    script = "\n".join(
        [
            "import os, sys",
            f"sys.path.insert(0, {str(REPO)!r})",
            "from sync.replica import Replica",
            f"r = Replica({str(device.path)!r})",
            f"r.set_field({ticket_id!r}, 'status', 'en_route')",
            f"r.add_note({ticket_id!r}, 'left the depot')",
            "os._exit(9)  # no close, no cleanup: as if the battery died",
        ]
    )
    done = subprocess.run([sys.executable, "-c", script], check=False)
    assert done.returncode == 9
    seen = device.ticket(ticket_id)
    assert seen["status"] == "en_route" and seen["pending"] == 2
    assert [n["text"] for n in seen["notes"]] == ["left the depot"]
    device.sync()
    on_server = server.get_ticket(server.token("admin"), ticket_id)
    assert on_server["status"] == "en_route"
    assert [n["text"] for n in on_server["notes"]] == ["left the depot"]


def test_pending_edit_shows_at_once_and_is_marked_until_the_server_has_it(
    server: CaseServer, tmp_path: Path
) -> None:
    ticket_id = _north_ticket(server)
    device = Device(tmp_path / "dev", server, "aino")
    device.sync()
    device.set(ticket_id, "status", "en_route")
    seen = device.ticket(ticket_id)
    assert seen["status"] == "en_route" and seen["pending_fields"] == ["status"]
    device.sync()
    seen = device.ticket(ticket_id)
    assert seen["status"] == "en_route" and seen["pending_fields"] == []
    assert device.counts()["pending"] == 0 and device.rejected() == []


def test_acknowledged_edit_stays_visible_when_the_pull_fails(server: CaseServer, tmp_path: Path) -> None:
    """Push succeeded, the network died before the pull: the screen keeps the new value."""
    ticket_id = _north_ticket(server)
    device = Device(tmp_path / "dev", server, "aino")
    device.sync()
    device.set(ticket_id, "status", "en_route")
    with device.replica() as replica:
        ops = replica.pending_ops(10)
        token = replica.get("token")
        r = requests.post(
            f"{server.url}/api/v1/push",
            json={"ops": ops},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        replica.apply_results(ops, r.json()["results"])
    seen = device.ticket(ticket_id)
    assert seen["status"] == "en_route"
    assert seen["pending"] == 0


def test_a_rejected_op_is_kept_visible_and_the_rest_of_the_queue_continues(
    server: CaseServer, tmp_path: Path
) -> None:
    first = _north_ticket(server)
    second = _north_ticket(server)
    device = Device(tmp_path / "dev", server, "aino")
    device.sync()
    # An op the server must refuse (assigned -> resolved skips the work), as an older
    # app version could have queued it.
    with device.replica() as replica, replica.conn:
        replica._append(replica._new_op(first, "set", field="status", base="assigned", value="resolved"))
    device.set(second, "status", "en_route")
    report = device.sync()
    assert report.rejected == 1
    rejected = device.rejected()
    assert [r["ticket_id"] for r in rejected] == [first]
    assert rejected[0]["code"] == 409 and "cannot move" in rejected[0]["reason"]
    assert rejected[0]["value"] == "resolved"
    admin = server.token("admin")
    assert server.get_ticket(admin, second)["status"] == "en_route"
    assert server.get_ticket(admin, first)["status"] == "assigned"
    assert device.ticket(first)["status"] == "assigned"  # the server's truth, after the pull


def test_reassigned_ticket_is_pushed_first_then_removed(server: CaseServer, tmp_path: Path) -> None:
    ticket_id = _north_ticket(server)
    crew = Device(tmp_path / "crew", server, "aino")
    boss = Device(tmp_path / "boss", server, "sanna")
    crew.sync()
    boss.sync()
    crew.set(ticket_id, "status", "in_progress")
    crew.note(ticket_id, "pipe replaced")
    boss.set(ticket_id, "assigned_crew", "south")
    boss.sync()
    report = crew.sync()
    assert report.revoked == 1
    assert not crew.has(ticket_id)
    assert crew.counts()["pending"] == 0
    final = server.get_ticket(server.token("admin"), ticket_id)
    assert final["assigned_crew"] == "south"
    assert final["status"] == "in_progress"
    assert [n["text"] for n in final["notes"]] == ["pipe replaced"]


def test_revocation_keeps_a_ticket_while_its_edits_are_unsent(server: CaseServer, tmp_path: Path) -> None:
    ticket_id = _north_ticket(server)
    crew = Device(tmp_path / "crew", server, "aino")
    crew.sync()
    crew.note(ticket_id, "written while the ticket was being moved")
    boss = Device(tmp_path / "boss", server, "sanna")
    boss.sync()
    boss.set(ticket_id, "assigned_crew", "south")
    boss.sync()
    # Pull only (as if the push had failed): the revocation arrives, the note is unsent.
    with crew.replica() as replica:
        from sync.client import CaseServerClient

        client = CaseServerClient(server.url, replica.get("token"))
        page = client.feed(replica.cursor)
        assert ticket_id in [str(t) for t in page["revoked"]]
        replica.apply_page(page)
        row = replica.conn.execute("SELECT revoked FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        assert row == (1,)
        assert replica.counts()["pending"] == 1
    crew.sync()
    assert not crew.has(ticket_id)
    final = server.get_ticket(server.token("admin"), ticket_id)
    assert [n["text"] for n in final["notes"]] == ["written while the ticket was being moved"]


def test_digest_mismatch_triggers_a_full_re_pull(server: CaseServer, tmp_path: Path) -> None:
    ticket_id = _north_ticket(server)
    device = Device(tmp_path / "dev", server, "aino")
    device.sync()
    truth = device.ticket(ticket_id)
    with device.replica() as replica:
        # Corrupt the replica behind the engine's back: a lost row and a wrong value.
        replica.conn.execute("DELETE FROM tickets WHERE id = ?", (ticket_id,))
        replica.conn.commit()
    _north_ticket(server)  # something new so the feed has a page to deliver
    report = device.sync()
    assert report.repulled
    assert device.ticket(ticket_id)["version"] == truth["version"]
    with device.replica() as replica:
        client_digest = replica.digest()
        token = replica.get("token")
    r = requests.get(f"{server.url}/api/v1/digest", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert client_digest == (r.json()["digest"], r.json()["count"])


def test_no_change_sync_is_one_request(server: CaseServer, tmp_path: Path) -> None:
    _north_ticket(server)
    device = Device(tmp_path / "dev", server, "aino")
    device.sync()
    report = SyncEngine(device.path).sync()
    assert report.requests == 1 and report.pulled == 0 and not report.repulled


def _priority_conflict(server: CaseServer, tmp_path: Path) -> tuple[str, Device, Device, dict]:
    """The supervisor sets priority 4, then the crew's stale edit to 1 becomes a conflict."""
    ticket_id = _north_ticket(server, priority=3)
    crew = Device(tmp_path / "crew", server, "aino")
    boss = Device(tmp_path / "boss", server, "sanna")
    crew.sync()
    boss.sync()
    boss.set(ticket_id, "priority", 4)
    boss.sync()
    crew.set(ticket_id, "priority", 1)
    crew.sync()
    (conflict,) = [c for c in crew.conflicts() if c["ticket_id"] == ticket_id]
    return ticket_id, crew, boss, conflict


def test_conflict_resolution_keep_mine_resends_over_what_stands(server: CaseServer, tmp_path: Path) -> None:
    ticket_id, crew, boss, conflict = _priority_conflict(server, tmp_path)
    assert (conflict["mine"], conflict["theirs"], conflict["standing"]) == (1, 4, 4)
    with crew.replica() as replica:
        replica.resolve_conflict(conflict["id"], "mine")
        with pytest.raises(LocalError, match="already being resolved"):
            replica.resolve_conflict(conflict["id"], "mine")
    crew.sync()
    assert server.get_ticket(server.token("admin"), ticket_id)["priority"] == 1
    assert [c for c in crew.conflicts() if c["ticket_id"] == ticket_id] == []
    boss.sync()
    assert boss.ticket(ticket_id)["priority"] == 1


def test_conflict_resolution_keep_theirs_closes_it_everywhere(server: CaseServer, tmp_path: Path) -> None:
    ticket_id, crew, boss, conflict = _priority_conflict(server, tmp_path)
    with crew.replica() as replica:
        replica.resolve_conflict(conflict["id"], "theirs")
    crew.sync()
    boss.sync()
    assert server.get_ticket(server.token("admin"), ticket_id)["priority"] == 4
    assert all(c["id"] != conflict["id"] for c in crew.conflicts())
    assert all(c["id"] != conflict["id"] for c in boss.conflicts())
    with boss.replica() as replica:
        everything = replica.conflicts(include_resolved=True)
    assert [c["resolution"] for c in everything if c["id"] == conflict["id"]] == ["theirs"]


def test_switching_user_with_unsynced_work_is_refused(server: CaseServer, tmp_path: Path) -> None:
    ticket_id = _north_ticket(server)
    device = Device(tmp_path / "dev", server, "aino")
    device.sync()
    device.note(ticket_id, "unsent")
    with pytest.raises(LocalError, match="unsynced work"):
        Device(tmp_path / "dev", server, "eero")
    with device.replica() as replica:
        assert replica.counts()["pending"] == 1
