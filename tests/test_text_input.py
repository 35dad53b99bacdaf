"""Text that no database can store (lone surrogates, NUL) is refused where it enters, never a 500.

JSON may carry "\\ud800" (half of a UTF-16 pair) although it is no Unicode character; a
UTF-8 column cannot hold it. In a push, such text is that op's problem alone: the op is
rejected with 422 and the rest of the batch still applies.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from serverproc import PASSWORDS, CaseServer

LONE = "half a pair \ud800 here"
BAD_TEXTS = [LONE, "tail \udfff", "nul \x00 here"]
API = "/api/v1"


def _op(ticket_id: str, kind: str = "set", **fields: Any) -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "ticket_id": ticket_id,
        "kind": kind,
        "device_time": "2026-12-01T08:00:00Z",
        **fields,
    }


def _post(server: CaseServer, path: str, body: Any, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = requests.post(f"{server.url}{API}{path}", json=body, headers=headers, timeout=30)
    assert r.status_code < 500, r.text
    return r


@pytest.mark.parametrize("text", BAD_TEXTS, ids=["lone high", "lone low", "nul"])
def test_bad_text_in_any_op_is_refused_alone_and_the_batch_applies(server: CaseServer, text: str) -> None:
    admin = server.token("admin")
    ticket = server.create_ticket(admin, assigned_crew="north")
    tid = str(ticket["id"])
    bad_ops = [
        _op(tid, "note", value=text),
        _op(tid, field="description", base=ticket["description"], value=text),
        _op(tid, field="address", base=ticket["address"], value=text),
        _op(tid, field="resolution_note", base=None, value=text),
        _op(tid, field="description", base=text, value="A fair description"),
        _op(
            tid,
            "photo",
            value={
                "kind": "before",
                "caption": text,
                "sha256": "a" * 64,
                "size": 10,
                "width": 10,
                "height": 10,
            },
        ),
    ]
    good = _op(tid, "note", value="Valve closed")
    r = _post(server, "/push", {"ops": [*bad_ops, good]}, admin)
    assert r.status_code == 200, r.text
    *refused, applied = r.json()["results"]
    for result in refused:
        assert (result["outcome"], result["code"]) == ("rejected", 422), result
    assert applied["outcome"] == "applied"
    after = server.get_ticket(admin, tid)
    assert [n["text"] for n in after["notes"]] == ["Valve closed"]
    assert after["description"] == ticket["description"]
    assert after.get("photos", []) == []


@pytest.mark.parametrize("text", BAD_TEXTS, ids=["lone high", "lone low", "nul"])
def test_bad_text_in_a_new_ticket_or_a_sign_in_is_a_422(server: CaseServer, text: str) -> None:
    admin = server.token("admin")
    body = {
        "service_code": "pothole",
        "description": text,
        "address": "Kaivokatu 1, Helsinki",
        "lat": 60.17,
        "lon": 24.94,
    }
    r = _post(server, "/tickets", body, admin)
    assert r.status_code == 422 and "description" in r.json()["detail"]
    for field, value in (("username", text), ("password", text), ("device_name", text)):
        login = {"username": "eero", "password": PASSWORDS["eero"], field: value}
        r = _post(server, "/auth/login", login)
        assert r.status_code == 422, (field, r.status_code, r.text)
        assert field in r.json()["detail"]
        assert "token" not in r.json()
