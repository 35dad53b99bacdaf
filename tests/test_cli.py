"""The headless `fieldapp` command line, run as a real process against a real server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from serverproc import PASSWORDS, REPO, CaseServer, Device

from sync.errors import LocalError


def fieldapp(profile: Path, *args: str | bytes) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fieldapp", "--profile", str(profile), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok_json(profile: Path, *args: str) -> object:
    done = fieldapp(profile, "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_crew_works_a_ticket_from_the_command_line(server: CaseServer, tmp_path: Path) -> None:
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    profile = tmp_path / "tablet"
    user = ok_json(
        profile, "login", "--server", server.url, "--user", "aino", "--password", PASSWORDS["aino"]
    )
    assert user["role"] == "crew" and user["crew"] == "north"
    ok_json(profile, "sync")
    listed = ok_json(profile, "tickets")
    assert ticket_id in [t["id"] for t in listed]

    short = ticket_id[:8]
    for step in ("en_route", "in_progress"):
        assert fieldapp(profile, "set-status", short, step).returncode == 0
    done = fieldapp(
        profile,
        "set-status",
        short,
        "resolved",
        "--resolution-code",
        "fixed",
        "--note",
        "patched with cold asphalt",
    )
    assert done.returncode == 0, done.stderr
    status = ok_json(profile, "status")
    assert status["pending"] == 5 and status["user"]["username"] == "aino"
    shown = ok_json(profile, "show", short)
    assert shown["status"] == "resolved" and "status" in shown["pending_fields"]

    report = ok_json(profile, "sync")
    assert report["pushed"] == 5 and report["rejected"] == 0
    on_server = server.get_ticket(server.token("admin"), ticket_id)
    assert on_server["status"] == "resolved" and on_server["resolution_code"] == "fixed"
    # A note given with the resolution is the outcome note the reporter reads.
    assert on_server["resolution_note"] == "patched with cold asphalt" and on_server["notes"] == []
    assert ok_json(profile, "status")["pending"] == 0


def test_expected_failures_are_one_line_without_traceback(server: CaseServer, tmp_path: Path) -> None:
    profile = tmp_path / "tablet"
    cases = [
        (
            ["login", "--server", "http://127.0.0.1:9", "--user", "aino", "--password", "x"],
            "cannot reach the case server",
        ),
        (
            ["login", "--server", server.url, "--user", "aino", "--password", "wrong"],
            "wrong user name or password",
        ),
        (["sync"], "not signed in"),
    ]
    for args, message in cases:
        done = fieldapp(profile, *args)
        assert done.returncode == 1
        assert done.stderr.strip().count("\n") == 0, done.stderr
        assert message in done.stderr and "Traceback" not in done.stderr

    assert (
        fieldapp(
            profile, "login", "--server", server.url, "--user", "aino", "--password", PASSWORDS["aino"]
        ).returncode
        == 0
    )
    assert fieldapp(profile, "sync").returncode == 0
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    fieldapp(profile, "sync")
    for args, message in [
        (["show", "ffffffff"], "no ticket ffffffff"),
        (["set-status", ticket_id[:8], "closed"], "cannot move from assigned to closed"),
        (["reassign", ticket_id[:8], "south"], "only a supervisor"),
        (["resolve", "abc", "--keep", "mine"], "no conflict abc"),
    ]:
        done = fieldapp(profile, *args)
        assert done.returncode == 1, args
        assert message in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_supervisor_reassigns_and_sign_out_protects_unsynced_work(server: CaseServer, tmp_path: Path) -> None:
    ticket_id = server.create_ticket(server.token("admin"))["id"]  # unassigned queue
    profile = tmp_path / "laptop"
    ok_json(profile, "login", "--server", server.url, "--user", "sanna", "--password", PASSWORDS["sanna"])
    ok_json(profile, "sync")
    assert fieldapp(profile, "reassign", ticket_id[:8], "central").returncode == 0
    refused = fieldapp(profile, "logout")
    assert refused.returncode == 1 and "unsynced" in refused.stderr
    ok_json(profile, "sync")
    on_server = server.get_ticket(server.token("admin"), ticket_id)
    assert on_server["assigned_crew"] == "central" and on_server["status"] == "assigned"
    assert fieldapp(profile, "logout").returncode == 0
    assert ok_json(profile, "status")["tickets"] == 0


def test_text_that_is_not_utf8_is_refused_before_anything_changes(server: CaseServer, tmp_path: Path) -> None:
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    profile = tmp_path / "tablet"
    ok_json(profile, "login", "--server", server.url, "--user", "aino", "--password", PASSWORDS["aino"])
    ok_json(profile, "sync")
    short = ticket_id[:8]
    photo = tmp_path / "before.jpg"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(photo)
    bad = b"patched \xff\xfe"  # bytes of another encoding: Python sees lone surrogates
    cases: list[tuple[list[str | bytes], str]] = [
        (["note", short, bad], "the note is not valid UTF-8 text"),
        (["set-status", short, "on_hold", "--note", bad], "--note is not valid UTF-8 text"),
        (["set-status", short, "en_route", "--note", bad], "--note is not valid UTF-8 text"),
        (["edit", short, "description", bad], "the value is not valid UTF-8 text"),
        (["note", b"\xff" + short.encode(), "fine"], "the ticket is not valid UTF-8 text"),
        (["photo", "add", short, str(photo), "--kind", "before", "--caption", bad], "--caption is not valid"),
        (["login", "--server", server.url, "--user", b"ai\xffno", "--password", "x"], "--user is not valid"),
    ]
    for args, message in cases:
        done = fieldapp(profile, *args)
        assert done.returncode == 1, (args, done.stderr)
        assert done.stderr.startswith(f"fieldapp: {message}"), done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    status = ok_json(profile, "status")
    assert status["pending"] == 0 and status["photos"]["waiting"] == 0  # nothing was queued
    assert status["user"]["username"] == "aino"  # the refused sign-in changed nothing
    shown = ok_json(profile, "show", short)
    assert shown["status"] == "assigned" and shown["notes"] == []


def test_a_status_change_with_a_note_is_queued_whole_or_not_at_all(
    server: CaseServer, tmp_path: Path
) -> None:
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    device = Device(tmp_path / "tablet", server, "aino")
    device.sync()
    with device.replica() as replica:
        with pytest.raises(LocalError, match="the note is not valid text"):
            replica.change_status(ticket_id, "on_hold", note="waiting for \udcff parts")
        with pytest.raises(LocalError, match="cannot move from assigned to resolved"):
            replica.change_status(ticket_id, "resolved", note="fixed", resolution_code="fixed")
        assert replica.counts()["pending"] == 0  # neither the status nor the outcome was queued
        ops = replica.change_status(ticket_id, "on_hold", note="waiting for parts")
    assert [(op["kind"], op.get("field")) for op in ops] == [("set", "status"), ("note", None)]
    device.sync()
    on_server = server.get_ticket(server.token("admin"), ticket_id)
    assert on_server["status"] == "on_hold" and [n["text"] for n in on_server["notes"]] == [
        "waiting for parts"
    ]
