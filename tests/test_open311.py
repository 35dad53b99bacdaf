"""Open311 GeoReport v2: services, service definitions, posting and reading requests.

A real case server process with API keys configured; both formats are checked
against the spec's field lists, and errors against the spec's error format.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from reporterkit import (
    GREEN,
    OPEN311_KEY,
    RED,
    ReporterServer,
    device_push,
    jpeg_with_exif,
    photo_op,
    query,
    resolve_on_device,
    upload_photo,
)
from serverproc import CaseServer, Device

from caseserver.services import SERVICES

KEY = OPEN311_KEY
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
POST_ANSWER_FIELDS = {"service_request_id", "service_notice", "account_id"}


@pytest.fixture
def o311(reporter_server: ReporterServer) -> CaseServer:
    """The reporter-loop server: Open311 keys configured, public URL https://city.example."""
    return reporter_server.server


def api(server: CaseServer, path: str) -> str:
    return f"{server.url}/open311/v2/{path}"


def post(server: CaseServer, fmt: str = "json", **form: Any) -> requests.Response:
    body = {"api_key": KEY, "service_code": "pothole", "lat": "60.1699", "long": "24.9384", **form}
    body = {k: v for k, v in body.items() if v is not None}
    return requests.post(api(server, f"requests.{fmt}"), data=body, timeout=30)


def xml_items(response: requests.Response, root: str, item: str) -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/xml")
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    element = ET.fromstring(response.content)
    assert element.tag == root
    assert all(child.tag == item for child in element)
    return [{field.tag: field.text or "" for field in child} for child in element]


def new_request(server: CaseServer, **form: Any) -> str:
    r = post(server, **form)
    assert r.status_code == 201, r.text
    (answer,) = r.json()
    return str(answer["service_request_id"])


def test_service_list_in_json_and_xml_has_the_spec_fields(o311: CaseServer) -> None:
    as_json = requests.get(api(o311, "services.json"), timeout=30)
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    services = as_json.json()
    assert [s["service_code"] for s in services] == [s.code for s in SERVICES]
    for service in services:
        assert set(service) == SERVICE_FIELDS
        assert service["metadata"] is False
        assert service["type"] == "realtime"
    pothole = next(s for s in services if s["service_code"] == "pothole")
    assert pothole["service_name"] == "Pothole"
    assert pothole["group"] == "Streets"

    as_xml = xml_items(requests.get(api(o311, "services.xml"), timeout=30), "services", "service")
    assert [s["service_code"] for s in as_xml] == [s.code for s in SERVICES]
    for service in as_xml:
        assert set(service) == SERVICE_FIELDS
        assert service["metadata"] == "false"


def test_service_definition_has_no_attributes_and_unknown_codes_are_404(o311: CaseServer) -> None:
    as_json = requests.get(api(o311, "services/streetlight.json"), timeout=30)
    assert as_json.status_code == 200
    assert as_json.json() == {"service_code": "streetlight", "attributes": []}

    as_xml = requests.get(api(o311, "services/streetlight.xml"), timeout=30)
    root = ET.fromstring(as_xml.content)
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    assert root.findtext("service_code") == "streetlight"
    assert list(root.find("attributes")) == []  # type: ignore[arg-type]

    missing = requests.get(api(o311, "services/no_such_service.json"), timeout=30)
    assert missing.status_code == 404
    assert missing.json()[0]["code"] == 404
    missing_xml = requests.get(api(o311, "services/no_such_service.xml"), timeout=30)
    assert missing_xml.status_code == 404
    assert ET.fromstring(missing_xml.content).findtext("error/code") == "404"


def test_posted_request_lands_in_the_unassigned_queue_and_dispatch_can_assign_it(
    o311: CaseServer, tmp_path: Path
) -> None:
    email = f"maija-{uuid.uuid4().hex[:8]}@example.org"
    r = post(
        o311,
        service_code="streetlight",
        description="Lamp out <b>all week</b>",
        email=email,
        first_name="Maija",
        last_name="Meikäläinen",
        phone="+358 40 123 4567",
        address_string="Mannerheimintie 5, Helsinki",
    )
    assert r.status_code == 201, r.text
    (answer,) = r.json()
    assert set(answer) == POST_ANSWER_FIELDS
    ticket_id = answer["service_request_id"]
    assert answer["account_id"] is None
    assert "120 hours" in answer["service_notice"]

    # The city keeps the reporter's contact, marked as an Open311 request.
    (row,) = query(
        o311,
        "SELECT source, status, assigned_crew_id, reporter_email, reporter_name, reporter_phone,"
        " reporter_notify FROM tickets WHERE id = :id",
        id=ticket_id,
    )
    assert tuple(row) == (
        "open311",
        "new",
        None,
        email,
        "Maija Meikäläinen",
        "+358 40 123 4567",
        "email",
    )

    supervisor = Device(tmp_path / "sanna", o311, "sanna")
    supervisor.sync()
    ticket = supervisor.ticket(ticket_id)
    assert ticket["status"] == "new"
    assert ticket["assigned_crew"] is None
    assert ticket["description"] == "Lamp out <b>all week</b>"
    token = o311.token("sanna")
    raw = requests.get(
        f"{o311.url}/api/v1/tickets/{ticket_id}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ).text
    for private in (email, "Maija", "Meikäläinen", "123 4567"):
        assert private not in raw

    supervisor.set(ticket_id, "assigned_crew", "north")
    supervisor.sync()
    crew = Device(tmp_path / "aino", o311, "aino")
    crew.sync()
    assert crew.ticket(ticket_id)["status"] == "assigned"
    assert crew.ticket(ticket_id)["assigned_crew"] == "north"

    # The public view: open, no contact details, no crew.
    for fmt in ("json", "xml"):
        public = requests.get(api(o311, f"requests/{ticket_id}.{fmt}"), timeout=30)
        assert public.status_code == 200
        for private in (email, "Maija", "Meikäläinen", "123 4567", "north", "aino"):
            assert private not in public.text
    (doc,) = requests.get(api(o311, f"requests/{ticket_id}.json"), timeout=30).json()
    assert set(doc) == REQUEST_FIELDS
    assert doc["status"] == "open"
    assert doc["service_code"] == "streetlight"
    assert doc["agency_responsible"] == "Helsinki Public Works"
    assert doc["address"] == "Mannerheimintie 5, Helsinki"
    assert doc["lat"] == pytest.approx(60.1699) and doc["long"] == pytest.approx(24.9384)
    assert doc["media_url"] is None
    requested = datetime.fromisoformat(doc["requested_datetime"])
    expected = datetime.fromisoformat(doc["expected_datetime"])
    assert requested.tzinfo is not None
    assert expected - requested == pytest.approx(timedelta(hours=120), abs=timedelta(seconds=5))


def test_address_string_alone_is_located_in_the_city_register(o311: CaseServer) -> None:
    ticket_id = new_request(o311, lat=None, long=None, address_string="aleksanterinkatu 5")
    (doc,) = requests.get(api(o311, f"requests/{ticket_id}.json"), timeout=30).json()
    assert doc["address"] == "Aleksanterinkatu 5, Helsinki"
    assert (doc["lat"], doc["long"]) == pytest.approx((60.169095, 24.950631))

    unknown = post(o311, lat=None, long=None, address_string="Nowhere street 999")
    assert unknown.status_code == 400
    assert "lat and long" in unknown.json()[0]["description"]


def test_request_list_filters_and_formats_follow_the_spec(o311: CaseServer, tmp_path: Path) -> None:
    graffiti = new_request(o311, service_code="graffiti", description="Tags on the wall\x01 & <more>")
    bin_one = new_request(o311, service_code="overflowing_bin")
    bin_two = new_request(o311, service_code="overflowing_bin")
    mine = {graffiti, bin_one, bin_two}

    supervisor = Device(tmp_path / "sanna", o311, "sanna")
    supervisor.sync()
    supervisor.set(bin_two, "status", "cancelled")
    supervisor.sync()

    def ids(fmt: str = "json", **params: str) -> set[str]:
        r = requests.get(api(o311, f"requests.{fmt}"), params=params, timeout=30)
        assert r.status_code == 200, r.text
        if fmt == "json":
            docs = r.json()
            assert all(set(d) == REQUEST_FIELDS for d in docs)
            return {d["service_request_id"] for d in docs} & mine
        items = xml_items(r, "service_requests", "request")
        assert all(set(d) == REQUEST_FIELDS for d in items)
        return {d["service_request_id"] for d in items} & mine

    assert ids() == mine
    assert ids("xml") == mine
    assert ids(service_code="overflowing_bin") == {bin_one, bin_two}
    assert ids(service_code="graffiti,overflowing_bin") == mine
    assert ids(status="open") == {graffiti, bin_one}
    assert ids(status="closed") == {bin_two}
    assert ids("xml", status="closed") == {bin_two}
    assert ids(status="open,closed") == mine
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert ids(start_date=later, end_date=(datetime.now(UTC) + timedelta(hours=2)).isoformat()) == set()
    earlier = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert ids(start_date=earlier) == mine
    assert ids(end_date=earlier) == set()
    # With ids given, the other filters do not apply.
    assert ids(service_request_id=f"{graffiti},{bin_two}", status="open") == {graffiti, bin_two}

    (cancelled,) = requests.get(api(o311, f"requests/{bin_two}.json"), timeout=30).json()
    assert cancelled["status"] == "closed"
    assert "cancelled" in cancelled["status_notes"].lower()

    # Text that XML cannot carry raw is escaped or replaced, and the document stays well-formed.
    (tagged,) = xml_items(
        requests.get(api(o311, f"requests/{graffiti}.xml"), timeout=30), "service_requests", "request"
    )
    assert tagged["description"] == "Tags on the wall\ufffd & <more>"


def test_resolved_request_has_status_notes_and_the_after_photo_as_media_url(
    reporter_server: ReporterServer, tmp_path: Path
) -> None:
    o311 = reporter_server.server
    ticket_id = new_request(o311, service_code="pothole", email="reporter@example.org")
    supervisor = Device(tmp_path / "sanna", o311, "sanna")
    supervisor.sync()
    supervisor.set(ticket_id, "assigned_crew", "north")
    supervisor.sync()
    crew = Device(tmp_path / "aino", o311, "aino")
    crew.sync()
    before, after = jpeg_with_exif(RED, (320, 240)), jpeg_with_exif(GREEN, (320, 240))
    before_op, after_op = photo_op(ticket_id, before, "before"), photo_op(ticket_id, after, "after")
    device_push(crew, [before_op, after_op])
    upload_photo(crew, before_op, before, tmp_path)
    resolve_on_device(crew, ticket_id, "Filled and sealed.", code="temporary_fix")

    (doc,) = requests.get(api(o311, f"requests/{ticket_id}.json"), timeout=30).json()
    assert doc["status"] == "closed"
    assert doc["status_notes"] == (
        "Made safe with a temporary repair; a permanent repair will follow. Filled and sealed."
    )
    # Only the before photo's bytes have arrived: it stands in for the after photo.
    assert doc["media_url"] == f"https://city.example/public/photos/{before_op['op_id']}.jpg"

    upload_photo(crew, after_op, after, tmp_path)
    (doc,) = requests.get(api(o311, f"requests/{ticket_id}.json"), timeout=30).json()
    assert doc["media_url"] == f"https://city.example/public/photos/{after_op['op_id']}.jpg"
    (as_xml,) = xml_items(
        requests.get(api(o311, f"requests/{ticket_id}.xml"), timeout=30), "service_requests", "request"
    )
    assert as_xml["media_url"] == doc["media_url"]
    assert as_xml["status"] == "closed"
    assert as_xml["status_notes"] == doc["status_notes"]
    for private in ("reporter@example.org", "aino", "north"):
        assert private not in str(doc) and private not in str(as_xml)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_requests_get_spec_errors_and_change_nothing(o311: CaseServer, fmt: str) -> None:
    before = query(o311, "SELECT COUNT(*) FROM tickets")[0][0]

    def check(response: requests.Response, code: int, words: str) -> None:
        assert response.status_code == code, response.text
        if fmt == "json":
            (err,) = response.json()
            assert set(err) == {"code", "description"}
            assert err["code"] == code
            assert words in err["description"]
        else:
            root = ET.fromstring(response.content)
            assert root.tag == "errors"
            (err_el,) = list(root)
            assert err_el.tag == "error"
            assert err_el.findtext("code") == str(code)
            assert words in (err_el.findtext("description") or "")

    check(post(o311, fmt, api_key=None), 400, "api_key is required")
    check(post(o311, fmt, api_key="guess"), 403, "api_key is not valid")
    check(post(o311, fmt, service_code=None), 400, "service_code is required")
    check(post(o311, fmt, service_code="unicorns"), 400, "not a service")
    check(post(o311, fmt, lat=None, long=None), 400, "location is required")
    check(post(o311, fmt, long=None), 400, "both lat and long")
    check(post(o311, fmt, lat="north"), 400, "lat is not a number")
    check(post(o311, fmt, lat="91"), 400, "lat must be between")
    check(post(o311, fmt, long="nan"), 400, "long must be between")
    check(post(o311, fmt, email="not an address"), 400, "email")
    check(post(o311, fmt, email="nobody"), 400, "email")
    check(post(o311, fmt, description="x" * 4001), 400, "description is longer")
    check(post(o311, fmt, media_url="file:///etc/passwd"), 400, "media_url")
    bad_utf8 = requests.post(
        api(o311, f"requests.{fmt}"),
        data=b"api_key=" + KEY.encode() + b"&service_code=pothole&description=\xff\xfe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    check(bad_utf8, 400, "UTF-8")
    as_json = requests.post(api(o311, f"requests.{fmt}"), json={"service_code": "pothole"}, timeout=30)
    check(as_json, 400, "form-encoded")

    check(requests.get(api(o311, f"requests/{uuid.uuid4()}.{fmt}"), timeout=30), 404, "no service request")
    check(requests.get(api(o311, f"requests/not-a-uuid.{fmt}"), timeout=30), 404, "no service request")
    check(requests.get(api(o311, f"requests.{fmt}?start_date=yesterday"), timeout=30), 400, "start_date")
    check(requests.get(api(o311, f"requests.{fmt}?end_date=2026-01-01T00:00:00"), timeout=30), 400, "zone")
    later, earlier = "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z"
    backwards = {"start_date": later, "end_date": earlier}
    check(requests.get(api(o311, f"requests.{fmt}"), params=backwards, timeout=30), 400, "after end_date")
    check(requests.get(api(o311, f"requests.{fmt}?status=pending"), timeout=30), 400, "open or closed")
    check(requests.get(api(o311, f"requests.{fmt}?service_code=unicorns"), timeout=30), 400, "unknown")
    check(requests.get(api(o311, f"nothing-here.{fmt}"), timeout=30), 404, "no such Open311 resource")
    check(
        requests.put(api(o311, f"requests.{fmt}"), data={"service_code": "pothole"}, timeout=30),
        405,
        "Method",
    )
    check(requests.delete(api(o311, f"requests/{uuid.uuid4()}.{fmt}"), timeout=30), 405, "Method")

    assert query(o311, "SELECT COUNT(*) FROM tickets")[0][0] == before


def test_unknown_format_is_404(o311: CaseServer) -> None:
    r = requests.get(api(o311, "services.yaml"), timeout=30)
    assert r.status_code == 404
    assert r.json()[0]["code"] == 404
    assert post(o311, "csv").status_code == 404


def test_discovery_document_names_the_v2_endpoint_at_the_public_url(o311: CaseServer) -> None:
    as_json = requests.get(f"{o311.url}/open311/discovery.json", timeout=30)
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    doc = as_json.json()
    assert set(doc) == {"changeset", "contact", "key_service", "endpoints"}
    assert doc["contact"] == "Helsinki Public Works"
    assert "API key" in doc["key_service"]
    (endpoint,) = doc["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "https://city.example/open311/v2",
        "changeset": doc["changeset"],
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    datetime.fromisoformat(doc["changeset"])

    as_xml = requests.get(f"{o311.url}/open311/discovery.xml", timeout=30)
    assert as_xml.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(as_xml.content)
    assert root.tag == "discovery"
    assert root.findtext("changeset") == doc["changeset"]
    assert root.findtext("key_service") == doc["key_service"]
    (xml_endpoint,) = root.findall("endpoints/endpoint")
    assert xml_endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert xml_endpoint.findtext("url") == "https://city.example/open311/v2"
    assert [f.text for f in xml_endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    assert requests.get(f"{o311.url}/open311/discovery.yaml", timeout=30).status_code == 404


def test_a_third_party_client_reads_services_and_requests_in_both_formats(o311: CaseServer) -> None:
    from georeport import GeoReport

    ticket_id = new_request(o311, service_code="fallen_tree", description="Branch across the path")
    for fmt in ("json", "xml"):
        client = GeoReport(f"{o311.url}/open311/v2", output_format=fmt)
        assert [s["service_code"] for s in client.get_service_list()] == [s.code for s in SERVICES]
        assert client.get_service_definition("fallen_tree")["service_code"] == "fallen_tree"
        listed = client.get_service_requests(service_code="fallen_tree", status="open")
        listed = listed if isinstance(listed, list) else [listed]  # xmltodict gives one item bare
        assert ticket_id in {r["service_request_id"] for r in listed}
        one = client.get_service_request(ticket_id)
        assert one["description"] == "Branch across the path"
        assert one["status"] == "open"


def test_api_key_is_accepted_in_the_query_string(o311: CaseServer) -> None:
    form = {"service_code": "pothole", "lat": "60.1699", "long": "24.9384"}
    ok = requests.post(api(o311, "requests.json"), params={"api_key": KEY}, data=form, timeout=30)
    assert ok.status_code == 201, ok.text
    wrong = requests.post(api(o311, "requests.json"), params={"api_key": "guess"}, data=form, timeout=30)
    assert wrong.status_code == 403
    assert wrong.json()[0]["description"] == "api_key is not valid"


def test_date_ranges_span_at_most_90_days(o311: CaseServer) -> None:
    ticket_id = new_request(o311, service_code="snow_ice")
    now = datetime.now(UTC)

    def listed(**params: str) -> requests.Response:
        return requests.get(api(o311, "requests.json"), params=params, timeout=30)

    too_long = {"start_date": (now - timedelta(days=91)).isoformat(), "end_date": now.isoformat()}
    refused = listed(**too_long)
    assert refused.status_code == 400
    assert "90 days" in refused.json()[0]["description"]
    inside = {"start_date": (now - timedelta(days=89)).isoformat(), "end_date": now.isoformat()}
    assert ticket_id in {r["service_request_id"] for r in listed(**inside).json()}
    # One date alone: 90 days from it (or up to it), never more.
    long_ago = listed(start_date=(now - timedelta(days=200)).isoformat())
    assert long_ago.status_code == 200
    assert ticket_id not in {r["service_request_id"] for r in long_ago.json()}
    soon = listed(end_date=(now + timedelta(days=1)).isoformat())
    assert ticket_id in {r["service_request_id"] for r in soon.json()}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_too_large_body_is_answered_in_the_open311_error_format(o311: CaseServer, fmt: str) -> None:
    before = query(o311, "SELECT COUNT(*) FROM tickets")[0][0]
    huge = {
        "api_key": KEY,
        "service_code": "pothole",
        "lat": "60.17",
        "long": "24.94",
        "description": "x" * 5_000_000,
    }
    declared = requests.post(api(o311, f"requests.{fmt}"), data=huge, timeout=60)

    def chunks() -> Any:  # no Content-Length: the server must count the bytes itself
        yield f"api_key={KEY}&service_code=pothole&lat=60.17&long=24.94&description=".encode()
        for _ in range(50):
            yield b"x" * 100_000

    streamed = requests.post(
        api(o311, f"requests.{fmt}"),
        data=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
    )
    for refused in (declared, streamed):
        assert refused.status_code == 413
        if fmt == "json":
            assert refused.headers["content-type"].startswith("application/json")
            (err,) = refused.json()
            assert err["code"] == 413 and "larger than" in err["description"]
        else:
            assert refused.headers["content-type"].startswith("text/xml")
            root = ET.fromstring(refused.content)
            assert root.findtext("error/code") == "413"
            assert "larger than" in (root.findtext("error/description") or "")
    assert query(o311, "SELECT COUNT(*) FROM tickets")[0][0] == before


def test_head_answers_as_get_without_a_body(o311: CaseServer) -> None:
    ticket_id = new_request(o311, service_code="graffiti")
    paths = [
        "/open311/discovery.json",
        "/open311/discovery.xml",
        "/open311/v2/services.xml",
        "/open311/v2/services/graffiti.json",
        f"/open311/v2/requests.json?service_request_id={ticket_id}",
        f"/open311/v2/requests/{ticket_id}.json",
        f"/open311/v2/requests/{ticket_id}.xml",
        f"/open311/v2/requests/{uuid.uuid4()}.json",
        "/open311/v2/nothing-here.xml",
    ]
    for path in paths:
        got = requests.get(f"{o311.url}{path}", timeout=30)
        head = requests.head(f"{o311.url}{path}", timeout=30)
        assert head.status_code == got.status_code, path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-length"] == str(len(got.content)), path
        assert head.content == b""
