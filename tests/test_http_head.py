"""HEAD wherever GET works: every GET route of the OpenAPI description, and the public pages.

A HEAD answers with the GET's status and headers (Content-Length of the GET's body)
and no body; a route with a HEAD of its own (tus's upload offset) keeps it.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import requests
from reporterkit import RED, ReporterServer, device_push, jpeg_with_exif, photo_op, upload_photo
from serverproc import Device

#: Answers computed from the clock at each request (ages, "as of"): two requests differ.
LIVE_FIGURES = ("/api/v1/stats",)


def test_every_get_route_answers_head_like_get_without_a_body(
    reporter_server: ReporterServer, tmp_path: Path
) -> None:
    server = reporter_server.server
    office = server.token("sanna")
    ticket = server.create_ticket(office, assigned_crew="north", description="Sign knocked over")
    crew = Device(tmp_path / "aino", server, "aino")
    crew.sync()
    data = jpeg_with_exif(RED, (320, 240))
    op = photo_op(ticket["id"], data, "before")
    device_push(crew, [op])
    upload_photo(crew, op, data, tmp_path)

    values = {
        "ticket_id": ticket["id"],
        "service_request_id": ticket["id"],
        "photo_id": op["op_id"],
        "sha256": op["value"]["sha256"],
        "ext": "json",
        "service_code": "sign_damage",
    }
    spec = requests.get(f"{server.url}/openapi.json", timeout=30).json()
    paths = [path for path, operations in spec["paths"].items() if "get" in operations]
    assert len(paths) >= 15
    urls = [re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "0"), path) for path in paths]
    urls += ["/openapi.json", "/docs", f"/requests/{uuid.uuid4()}", "/open311/v2/requests.xml"]
    auth = {"Authorization": f"Bearer {office}"}
    ok = set()
    for url in urls:
        got = requests.get(f"{server.url}{url}", headers=auth, timeout=30)
        head = requests.head(f"{server.url}{url}", headers=auth, timeout=30)
        assert head.status_code == got.status_code, (url, head.status_code, got.status_code)
        assert head.headers.get("content-type") == got.headers.get("content-type"), url
        if url.startswith(LIVE_FIGURES):  # computed at each request: the length may differ by a digit
            assert (head.headers.get("content-length") or "").isdigit(), url
        else:
            assert head.headers.get("content-length") == str(len(got.content)), url
        assert head.content == b"", url
        if got.status_code == 200:
            ok.add(url)
    for must in (
        "/health",
        "/api/v1/me",
        f"/requests/{ticket['id']}",
        f"/public/photos/{op['op_id']}.jpg",
        f"/open311/v2/requests/{ticket['id']}.json",
        f"/api/v1/photos/{op['op_id']}/original",
    ):
        assert must in ok, must


def test_head_of_a_route_without_get_is_still_refused(reporter_server: ReporterServer) -> None:
    server = reporter_server.server
    refused = requests.head(f"{server.url}/api/v1/push", timeout=30)
    assert refused.status_code == 405
    assert "POST" in refused.headers["allow"]
