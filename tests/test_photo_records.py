"""Photo records, positions on edits, and the reporter's notification, through the real push."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from serverproc import CaseServer, Device
from sqlalchemy import create_engine, text

SHA = hashlib.sha256(b"a photo of a pothole").hexdigest()


def _push(server: CaseServer, token: str, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    return server.push(token, list(ops))


def _photo_op(ticket_id: str, **meta: Any) -> dict[str, Any]:
    value = {
        "kind": "before",
        "caption": "Before: pothole 40 cm wide",
        "sha256": SHA,
        "size": 123_456,
        "width": 2560,
        "height": 1920,
        "taken_at": "2026-11-20T08:15:00Z",
        "position": {"lat": 60.17, "lon": 24.94, "accuracy_m": 6.5},
        **meta,
    }
    return {
        "op_id": str(uuid.uuid4()),
        "ticket_id": ticket_id,
        "kind": "photo",
        "value": value,
        "device_time": datetime.now(UTC).isoformat(),
    }


def _rows(server: CaseServer, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def test_photo_metadata_is_attached_once_and_reaches_other_tablets(
    server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    ticket_id = server.create_ticket(admin, assigned_crew="north")["id"]
    aino = server.token("aino")
    op = _photo_op(ticket_id)
    first = _push(server, aino, op)
    replay = _push(server, aino, op)
    assert first[0]["outcome"] == "applied"
    assert replay == first  # the stored answer, not a second photo
    doc = server.get_ticket(admin, ticket_id)
    assert len(doc["photos"]) == 1
    photo = doc["photos"][0]
    assert photo["id"] == op["op_id"] and photo["sha256"] == SHA and photo["kind"] == "before"
    assert photo["author"] == "aino" and photo["position"]["accuracy_m"] == 6.5
    other = Device(tmp_path / "other", server, "eero")  # the same crew, another tablet
    other.sync()
    assert [p["id"] for p in other.ticket(ticket_id)["photos"]] == [op["op_id"]]


def test_a_malformed_photo_is_rejected_and_the_rest_of_the_batch_lands(server: CaseServer) -> None:
    admin = server.token("admin")
    ticket_id = server.create_ticket(admin, assigned_crew="north")["id"]
    bad = _photo_op(ticket_id, sha256="not-a-hash")
    unsized = _photo_op(ticket_id, size=0)
    good = _photo_op(ticket_id, kind="after")
    results = _push(server, server.token("aino"), bad, unsized, good)
    assert [r["outcome"] for r in results] == ["rejected", "rejected", "applied"]
    assert results[0]["code"] == 422 and "sha256" in results[0]["reason"]
    assert results[1]["code"] == 422 and "size" in results[1]["reason"]
    doc = server.get_ticket(admin, ticket_id)
    assert [p["id"] for p in doc["photos"]] == [good["op_id"]]


def test_another_crew_cannot_attach_photos(server: CaseServer) -> None:
    admin = server.token("admin")
    ticket_id = server.create_ticket(admin, assigned_crew="north")["id"]
    results = _push(server, server.token("mikko"), _photo_op(ticket_id))
    assert results[0]["outcome"] == "rejected" and results[0]["code"] == 403
    assert server.get_ticket(admin, ticket_id)["photos"] == []


def test_status_change_keeps_where_the_device_was(server: CaseServer, tmp_path: Path) -> None:
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    device = Device(tmp_path / "dev", server, "aino")
    device.sync()
    with device.replica() as replica:
        replica.set_field(
            ticket_id,
            "status",
            "en_route",
            position={"lat": 60.1701, "lon": 24.9411, "accuracy_m": 4.0, "fixed_at": "2026-11-24T08:00:00Z"},
        )
    device.sync()
    rows = _rows(
        server,
        "SELECT lat, lon, accuracy_m FROM audit_events WHERE ticket_id = :t AND field = 'status' "
        "AND actor_role = 'crew'",
        t=ticket_id,
    )
    assert [tuple(r) for r in rows] == [(60.1701, 24.9411, 4.0)]
    events = device.ticket(ticket_id)["events"]
    moved = [e for e in events if e["field"] == "status" and e["new"] == "en_route"]
    assert moved[0]["position"] == {"lat": 60.1701, "lon": 24.9411, "accuracy_m": 4.0}


def _resolve(server: CaseServer, token: str, ticket_id: str) -> dict[str, Any]:
    op = {
        "op_id": str(uuid.uuid4()),
        "ticket_id": ticket_id,
        "kind": "set",
        "field": "status",
        "base": "assigned",
        "value": "in_progress",
        "device_time": datetime.now(UTC).isoformat(),
    }
    resolved = {**op, "op_id": str(uuid.uuid4()), "base": "in_progress", "value": "resolved"}
    assert [r["outcome"] for r in _push(server, token, op, resolved)] == ["applied", "applied"]
    return resolved


def test_a_resolution_owes_the_reporter_exactly_one_message(server: CaseServer) -> None:
    admin = server.token("admin")
    wants = server.create_ticket(admin, assigned_crew="north", reporter_email="citizen@example.org")["id"]
    opted_out = server.create_ticket(
        admin, assigned_crew="north", reporter_email="quiet@example.org", reporter_notify="none"
    )["id"]
    aino = server.token("aino")
    resolved = _resolve(server, aino, wants)
    _push(server, aino, resolved)  # a replay owes nothing more
    _resolve(server, aino, opted_out)
    owed = _rows(
        server,
        "SELECT ticket_id, status, key FROM notifications WHERE ticket_id IN (:a, :b) AND stage = 'resolved'",
        a=wants,
        b=opted_out,
    )
    assert len(owed) == 1
    assert (
        owed[0][0] == wants and owed[0][1] == "pending" and owed[0][2].startswith(f"stage:resolved:{wants}:")
    )
    # The reporter who opted out is owed nothing at any stage.
    assert _rows(server, "SELECT key FROM notifications WHERE ticket_id = :b", b=opted_out) == []
