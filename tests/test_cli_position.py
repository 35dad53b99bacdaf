"""The command line records where the device was with a status change or a note (--lat/--lon/--accuracy)."""

from __future__ import annotations

from pathlib import Path

from serverproc import PASSWORDS, CaseServer
from test_cli import fieldapp, ok_json

from sync.replica import Replica
from sync.wire import Op


def test_set_status_and_note_carry_the_position_and_bad_positions_change_nothing(
    server: CaseServer, tmp_path: Path
) -> None:
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    profile = tmp_path / "tablet"
    ok_json(profile, "login", "--server", server.url, "--user", "aino", "--password", PASSWORDS["aino"])
    ok_json(profile, "sync")
    short = ticket_id[:8]
    for bad, words in (
        (["--lat", "60.17"], "both --lat and --lon"),
        (["--lat", "95", "--lon", "24.9"], "within -90..90"),
        (["--lat", "60.17", "--lon", "24.9", "--accuracy", "-3"], "metres"),
    ):
        done = fieldapp(profile, "set-status", short, "en_route", *bad)
        assert done.returncode == 1 and words in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert ok_json(profile, "status")["pending"] == 0

    where = ["--lat", "60.16990", "--lon", "24.93840", "--accuracy", "6.5"]
    assert fieldapp(profile, "set-status", short, "en_route", *where).returncode == 0
    assert (
        fieldapp(profile, "note", short, "on my way", "--lat", "60.1701", "--lon", "24.9390").returncode == 0
    )
    replica = Replica(profile / "replica.sqlite")
    try:
        ops = [Op.model_validate(op) for op in replica.pending_ops(10)]
    finally:
        replica.close()
    assert [(op.kind, op.position.lat, op.position.lon, op.position.accuracy_m) for op in ops] == [
        ("set", 60.1699, 24.9384, 6.5),
        ("note", 60.1701, 24.939, None),
    ]
    assert all(op.position.fixed_at is not None for op in ops)
    report = ok_json(profile, "sync")
    assert report["pushed"] == 2 and report["rejected"] == 0
