"""Duplicate reports: flagged on arrival (same service, within 50 m, still open), merged by an
op that works offline on two devices in either sync order without losing a note or a photo,
and the main ticket's outcome emailed once to every reporter of the merged tickets (a real
SMTP server process)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from reporterkit import OPEN311_KEY, ReporterServer, resolve_on_device, running_reporter_server, wait_for
from serverproc import CaseServer, Device

from sync.photos import attach_photo
from sync.uploads import UploadQueue

PLACE = (60.1699, 24.9384)
NORTH_30_M = (60.1699 + 30 / 111_195, 24.9384)
SOUTH_80_M = (60.1699 - 80 / 111_195, 24.9384)


@pytest.fixture(scope="module")
def dup(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReporterServer]:
    folder = tmp_path_factory.mktemp(f"duplicates-{backend}")
    with running_reporter_server(backend, folder, CASESERVER_DUPLICATE_METERS="50") as setup:
        yield setup


def _spot(place: tuple[float, float]) -> tuple[float, float]:
    """The same kind of place, somewhere no other test of this module reports."""
    shift = uuid.uuid4().int % 10_000 / 1000  # up to 10 km east, in 1 m steps
    return place[0], place[1] + shift / 55.5


def _open311(server: CaseServer, service: str, place: tuple[float, float], email: str | None = None) -> str:
    form = {"service_code": service, "lat": str(place[0]), "long": str(place[1]), "description": "seen it"}
    if email:
        form["email"] = email
    answer = requests.post(
        f"{server.url}/open311/v2/requests.json", params={"api_key": OPEN311_KEY}, data=form, timeout=30
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()[0]["service_request_id"])


def _open311_request(server: CaseServer, ticket_id: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{server.url}/open311/v2/requests/{ticket_id}.json", timeout=30)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def _set(ticket_id: str, field: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "op_id": str(uuid.uuid4()),
        "ticket_id": ticket_id,
        "kind": "set",
        "field": field,
        "device_time": now,
    }


def _hints(server: CaseServer, token: str, ticket_id: str) -> list[tuple[str, float]]:
    doc = server.get_ticket(token, ticket_id)
    return [(h["id"], h["distance_m"]) for h in doc["possible_duplicates"]]


def test_a_new_report_near_an_open_one_of_the_same_service_flags_both(dup: ReporterServer) -> None:
    server = dup.server
    admin = server.token("admin")
    shift = _spot((0.0, 0.0))[1]
    at = lambda place: (place[0], place[1] + shift)  # noqa: E731
    first = server.create_ticket(admin, lat=at(PLACE)[0], lon=at(PLACE)[1])["id"]
    near = _open311(server, "pothole", at(NORTH_30_M))
    other_service = _open311(server, "graffiti", at(PLACE))
    too_far = _open311(server, "pothole", at(SOUTH_80_M))

    ((hint_id, metres),) = _hints(server, admin, near)
    assert hint_id == first and 29 < metres < 31
    assert [h[0] for h in _hints(server, admin, first)] == [near]
    assert _hints(server, admin, other_service) == [] and _hints(server, admin, too_far) == []
    events = [e for e in server.get_ticket(admin, first)["events"] if e["field"] == "possible_duplicate"]
    assert len(events) == 1 and events[0]["new"] == near and "30 m away" in events[0]["reason"]

    # A cancelled ticket is no longer a possible duplicate of anything.
    gone_place = at((PLACE[0] + 0.01, PLACE[1]))
    gone = server.create_ticket(admin, lat=gone_place[0], lon=gone_place[1])["id"]
    version = server.get_ticket(admin, gone)["version"]
    op = {**_set(gone, "status"), "base": "new"}
    assert (
        server.push(admin, [{**op, "value": "cancelled", "ticket_version": version}])[0]["outcome"]
        == "applied"
    )
    assert _hints(server, admin, _open311(server, "pothole", gone_place)) == []


def _jpeg(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (320, 240), colour).save(path, "JPEG")
    return path


@pytest.mark.parametrize("first", ["merge", "work"])
def test_a_merge_offline_on_two_devices_loses_nothing_and_every_reporter_hears_once(
    dup: ReporterServer, first: str, tmp_path: Path
) -> None:
    server, mail = dup.server, dup.mail
    sanna = server.token("sanna")
    main_place = _spot(PLACE)
    dup_place = (main_place[0] + 30 / 111_195, main_place[1])
    main_reporter, dup_reporter = (f"{who}-{uuid.uuid4().hex[:8]}@example.org" for who in ("main", "dup"))
    main = server.create_ticket(
        sanna, assigned_crew="north", lat=main_place[0], lon=main_place[1], reporter_email=main_reporter
    )["id"]
    duplicate = server.create_ticket(
        sanna, assigned_crew="north", lat=dup_place[0], lon=dup_place[1], reporter_email=dup_reporter
    )["id"]
    aino, eero = Device(tmp_path / "aino", server, "aino"), Device(tmp_path / "eero", server, "eero")
    aino.sync()
    eero.sync()
    assert [h["id"] for h in aino.ticket(duplicate)["possible_duplicates"]] == [main]

    # Both offline: Aino merges the duplicate on site; Eero is still working it.
    aino.set(duplicate, "duplicate_of", main)
    assert aino.ticket(duplicate)["status"] == "closed"  # as the server will have it
    eero.note(duplicate, "Cones placed round both holes")
    with eero.replica() as replica:
        attach_photo(replica, duplicate, _jpeg(tmp_path / "before.jpg", (200, 40, 40)), kind="before")
    for device in (aino, eero) if first == "merge" else (eero, aino):
        device.sync()
    UploadQueue(eero.path).run()

    doc = server.get_ticket(sanna, duplicate)
    assert (doc["status"], doc["resolution_code"], doc["duplicate_of"]) == ("closed", "duplicate", main)
    assert [n["text"] for n in doc["notes"]] == ["Cones placed round both holes"]
    assert [p["kind"] for p in doc["photos"]] == ["before"]
    merged = [e for e in server.get_ticket(sanna, main)["events"] if e["field"] == "merged"]
    assert [e["new"] for e in merged] == [duplicate]
    for device in (aino, eero):
        device.sync()
        assert device.rejected() == [] and device.conflicts() == []
        assert device.ticket(duplicate)["status"] == "closed"

    # Open311 shows the merged report with the main ticket's progress, then its outcome.
    (public,) = _open311_request(server, duplicate)
    assert public["status"] == "open" and public["status_notes"].startswith(f"Merged with request {main}")

    # The main ticket is fixed: both reporters hear it, once each.
    resolve_on_device(aino, main, "Both holes filled with hot asphalt")
    (public,) = _open311_request(server, duplicate)
    assert public["status"] == "closed" and "Both holes filled with hot asphalt" in public["status_notes"]
    page = requests.get(f"{server.url}/requests/{duplicate}", timeout=30).text
    assert "Your report was merged with" in page and f'href="/requests/{main}?lang=en"' in page
    assert "Both holes filled with hot asphalt" in page
    to_main = wait_for(lambda: mail.messages_to(main_reporter) or None)
    to_dup = wait_for(lambda: mail.messages_to(dup_reporter) or None)
    body = str(to_dup[0].get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert "merged with another report" in body and "Both holes filled" in body
    time.sleep(2)  # a second email would have been sent by now (the worker polls every 0.3 s)
    assert len(mail.messages_to(main_reporter)) == len(to_main) == 1
    assert len(mail.messages_to(dup_reporter)) == len(to_dup) == 1


def test_merging_is_refused_with_a_reason_when_it_cannot_be(dup: ReporterServer, tmp_path: Path) -> None:
    server = dup.server
    sanna = server.token("sanna")
    place = _spot((PLACE[0] + 0.02, PLACE[1]))
    one = server.create_ticket(sanna, assigned_crew="north", lat=place[0], lon=place[1])["id"]
    two = server.create_ticket(sanna, assigned_crew="north", lat=place[0], lon=place[1])["id"]
    three = server.create_ticket(sanna, assigned_crew="north", lat=place[0], lon=place[1])["id"]

    def merge(ticket: str, into: Any) -> dict[str, Any]:
        version = server.get_ticket(sanna, ticket)["version"]
        op = _set(ticket, "duplicate_of")
        return server.push(sanna, [{**op, "base": None, "value": into, "ticket_version": version}])[0]

    assert merge(one, one)["reason"] == "a ticket cannot be a duplicate of itself"
    assert "no ticket" in merge(one, str(uuid.uuid4()))["reason"]
    assert merge(one, "not-an-id")["code"] == 422
    assert merge(two, one)["outcome"] == "applied"
    refused = merge(three, two)
    assert refused["code"] == 422 and f"itself a duplicate of {one}" in refused["reason"]
    assert server.get_ticket(sanna, three)["status"] == "assigned"
    # Nothing refused changed the tickets.
    assert server.get_ticket(sanna, one)["duplicate_of"] is None
