"""What the command line's text checks leave to other places: an undecodable file name inside
a camera card's folder is shown escaped (not a traceback), over-long text is refused on the
device before anything is queued, and a sign-in check answered by a portal is offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from serverproc import PASSWORDS, REPO, CaseServer
from test_cut_answers import PORTAL_ANSWERS, portal  # noqa: F401 (the fixture)

from sync.client import CaseServerClient
from sync.errors import Offline


def fieldapp(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fieldapp", "--profile", str(profile), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )


def status(profile: Path) -> dict[str, object]:
    done = fieldapp(profile, "--json", "status")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_damaged_card_file_with_an_undecodable_name_is_one_escaped_line(
    server: CaseServer, tmp_path: Path
) -> None:
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    profile = tmp_path / "tablet"
    login = ["login", "--server", server.url, "--user", "aino", "--password", PASSWORDS["aino"]]
    assert fieldapp(profile, *login).returncode == 0
    assert fieldapp(profile, "sync").returncode == 0
    card = tmp_path / "card"
    card.mkdir()
    (card / "IMG-\udcff.jpg").write_bytes(b"\xff\xd8 damaged")  # the name's byte is not UTF-8
    done = fieldapp(profile, "photo", "add", ticket_id[:8], str(card), "--kind", "before")
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr, done.stderr
    assert "IMG-\\udcff.jpg" in done.stdout
    assert status(profile)["photos"] == {"waiting": 0, "failed": 0, "confirmed": 0}


def test_over_long_text_is_refused_on_the_device_and_nothing_is_queued(
    server: CaseServer, tmp_path: Path
) -> None:
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    profile = tmp_path / "tablet"
    login = ["login", "--server", server.url, "--user", "aino", "--password", PASSWORDS["aino"]]
    assert fieldapp(profile, *login).returncode == 0
    assert fieldapp(profile, "sync").returncode == 0
    too_long = "x" * 4001
    for args in (
        ["note", ticket_id[:8], too_long],
        ["set-status", ticket_id[:8], "en_route", "--note", too_long],
        ["edit", ticket_id[:8], "description", too_long],
    ):
        done = fieldapp(profile, *args)
        assert done.returncode == 1 and "at most 4000 characters" in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1
    assert status(profile)["pending"] == 0  # not queued to be refused by the server later
    assert fieldapp(profile, "note", ticket_id[:8], "x" * 4000).returncode == 0


@pytest.mark.parametrize("answer", list(PORTAL_ANSWERS))
def test_who_am_i_answered_by_a_portal_is_offline(portal: str, answer: str) -> None:  # noqa: F811
    client = CaseServerClient(portal + answer, "a-token")
    try:
        with pytest.raises(Offline, match="cannot reach the case server"):
            client.me()
    finally:
        client.close()
