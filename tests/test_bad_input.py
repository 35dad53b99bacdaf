"""Bad input against a real case server process: every refusal is a precise 4xx with a clear
`detail` (or a per-op rejection inside a 200 push answer), and nothing changes.

"Nothing changed" is checked the strong way: the ticket document read back over
GET /api/v1/tickets/{id} is identical (version, state, notes, events), and the
change feed has not moved (no new position, nothing revoked).
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from serverproc import PASSWORDS, CaseServer, run_caseserver, start_server

from sync.wire import MAX_FEED_PAGE, MAX_OPS_PER_PUSH, MAX_TEXT

API = "/api/v1"
TIMEOUT = 30
#: Body limit of the dedicated "strict" server (small, so a too-large body is cheap to send).
SMALL_LIMIT = 64 * 1024
DEVICE_TIME = "2026-05-01T08:00:00Z"
Doc = dict[str, Any]


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def strict_server(server: CaseServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseServer]:
    """A second server process on the same database: tokens it issues expire at once
    (CASESERVER_TOKEN_DAYS=0) and it refuses bodies over SMALL_LIMIT bytes."""
    folder = tmp_path_factory.mktemp("strict-server")
    proc = start_server(
        server.database_url,
        folder,
        seed=False,
        CASESERVER_TOKEN_DAYS="0",
        CASESERVER_MAX_BODY_BYTES=str(SMALL_LIMIT),
    )
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def tokens(server: CaseServer) -> dict[str, str]:
    """Tokens of users no test signs out (aino's are revoked by one test: she signs in fresh)."""
    return {user: server.token(user) for user in ("admin", "sanna", "eero", "mikko", "liisa")}


# -- helpers --------------------------------------------------------------------------


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def checked(r: requests.Response) -> requests.Response:
    assert r.status_code != 500, f"server error on {r.request.method} {r.request.url}: {r.text}"
    return r


def detail(r: requests.Response, status: int) -> str:
    """The `detail` message of an error answer with exactly this status."""
    checked(r)
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    assert set(body) == {"detail"}, body
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    return str(body["detail"])


def op(ticket_id: str, kind: str = "set", **fields: Any) -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "ticket_id": ticket_id,
        "kind": kind,
        "device_time": DEVICE_TIME,
        **fields,
    }


def note(ticket_id: str, text: str = "checked the site") -> dict[str, Any]:
    return op(ticket_id, "note", value=text)


def post_push(server: CaseServer, token: str, body: Any, **kw: Any) -> requests.Response:
    return checked(
        requests.post(f"{server.url}{API}/push", json=body, headers=auth(token), timeout=TIMEOUT, **kw)
    )


def post_raw(
    server: CaseServer, path: str, data: Any, token: str | None = None, **headers: str
) -> requests.Response:
    hdrs = {"Content-Type": "application/json", **headers}
    if token:
        hdrs.update(auth(token))
    return checked(requests.post(f"{server.url}{API}{path}", data=data, headers=hdrs, timeout=TIMEOUT))


def push_results(server: CaseServer, token: str, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    r = post_push(server, token, {"ops": list(ops)})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [res["op_id"] for res in results] == [o["op_id"] for o in ops]
    return list(results)


def rejected(result: dict[str, Any], code: int, *words: str) -> str:
    """Assert a per-op rejection with this code and a reason containing all `words`."""
    assert result["outcome"] == "rejected", result
    assert result["code"] == code, result
    reason = result["reason"]
    assert isinstance(reason, str) and reason.strip(), result
    for word in words:
        assert word in reason, (word, result)
    assert result["ticket_version"] is None and result["conflict"] is None, result
    return str(reason)


def login(server: CaseServer, body: Any) -> requests.Response:
    return checked(requests.post(f"{server.url}{API}/auth/login", json=body, timeout=TIMEOUT))


TICKET = {
    "service_code": "pothole",
    "description": "Sunken manhole cover",
    "address": "Kaivokatu 1, Helsinki",
    "lat": 60.17,
    "lon": 24.94,
}


def post_ticket(server: CaseServer, token: str, body: Any) -> requests.Response:
    return checked(
        requests.post(f"{server.url}{API}/tickets", json=body, headers=auth(token), timeout=TIMEOUT)
    )


def get_ticket(server: CaseServer, token: str, ticket_id: str) -> requests.Response:
    return checked(
        requests.get(f"{server.url}{API}/tickets/{ticket_id}", headers=auth(token), timeout=TIMEOUT)
    )


def feed_page(server: CaseServer, token: str, cursor: int, limit: int = MAX_FEED_PAGE) -> dict[str, Any]:
    r = checked(
        requests.get(
            f"{server.url}{API}/feed",
            params={"cursor": cursor, "limit": limit},
            headers=auth(token),
            timeout=TIMEOUT,
        )
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


_feed_cursor: dict[str, int] = {}


def feed_top(server: CaseServer, admin: str) -> int:
    """The newest feed position (read through the admin's feed, incrementally)."""
    cursor = _feed_cursor.get(server.url, 0)
    while True:
        page = feed_page(server, admin, cursor)
        cursor = page["cursor"]
        if not page["more"]:
            break
    _feed_cursor[server.url] = cursor
    return cursor


@dataclass
class Snapshot:
    server: CaseServer
    admin: str
    tickets: dict[str, dict[str, Any]]
    cursor: int

    def assert_unchanged(self) -> None:
        for ticket_id, before in self.tickets.items():
            r = get_ticket(self.server, self.admin, ticket_id)
            assert r.status_code == 200, r.text
            assert r.json() == before, f"ticket {ticket_id} changed"
        page = feed_page(self.server, self.admin, self.cursor)
        assert (page["cursor"], page["tickets"], page["revoked"]) == (self.cursor, [], []), (
            "the change feed moved"
        )


def snapshot(server: CaseServer, admin: str, *ticket_ids: str) -> Snapshot:
    docs = {}
    for ticket_id in ticket_ids:
        r = get_ticket(server, admin, ticket_id)
        assert r.status_code == 200, r.text
        docs[ticket_id] = r.json()
    return Snapshot(server, admin, docs, feed_top(server, admin))


def new_ticket(server: CaseServer, admin: str, crew: str | None = "north", **fields: Any) -> str:
    if crew is not None:
        fields["assigned_crew"] = crew
    description = f"bad-input test {uuid.uuid4().hex[:8]}"
    return str(server.create_ticket(admin, description=description, **fields)["id"])


def set_status(server: CaseServer, admin: str, ticket_id: str, *path: str) -> None:
    """Walk a ticket along `path` as the admin (each step must apply)."""
    for current, new in itertools.pairwise(path):
        (res,) = push_results(server, admin, op(ticket_id, field="status", base=current, value=new))
        assert res["outcome"] == "applied", res


# -- malformed and mistyped bodies ------------------------------------------------------


def test_malformed_json_on_push(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    whole = json.dumps({"ops": [note(tid)]})
    for body in (whole[:-3], whole.replace(":", "=", 1), "{'ops': []}", "{"):
        message = detail(post_raw(server, "/push", body, tokens["eero"]), 400)
        assert message.startswith("malformed JSON"), message
    snap.assert_unchanged()


def test_malformed_json_on_login(server: CaseServer) -> None:
    body = '{"username": "admin", "password": "admin-demo"'  # right password, no closing brace
    r = post_raw(server, "/auth/login", body)
    assert detail(r, 400).startswith("malformed JSON")
    assert "token" not in r.text


def test_body_that_is_not_utf8_is_malformed_json(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    body = json.dumps({"ops": [note(tid, "caf\u00e9")]}).encode().replace(b"caf\\u00e9", b"caf\xe9")
    assert detail(post_raw(server, "/push", body, tokens["eero"]), 400).startswith("malformed JSON")
    snap.assert_unchanged()


def test_absurdly_nested_json_is_refused(server: CaseServer, tokens: dict[str, str]) -> None:
    r = post_raw(server, "/push", "[" * 50_000 + "]" * 50_000, tokens["eero"])
    assert r.status_code == 400, r.text
    assert "internal error" not in detail(r, 400)


@pytest.mark.parametrize(
    "body, words",
    [
        ("[]", ["valid dictionary"]),
        ('"ops"', ["valid dictionary"]),
        ("42", ["valid dictionary"]),
        ('[{"ops": []}]', ["valid dictionary"]),
    ],
    ids=["array", "string", "number", "array-of-object"],
)
def test_json_that_is_not_an_object(
    server: CaseServer, tokens: dict[str, str], body: str, words: list[str]
) -> None:
    snap = snapshot(server, tokens["admin"])
    for path, token in (("/push", tokens["eero"]), ("/auth/login", None), ("/tickets", tokens["admin"])):
        message = detail(post_raw(server, path, body, token), 422)
        for word in words:
            assert word in message, (path, message)
    snap.assert_unchanged()


@pytest.mark.parametrize(
    "change, where, words",
    [
        ({"op_id": "not-a-uuid"}, "ops.0.op_id", ["UUID"]),
        ({"op_id": 12345}, "ops.0.op_id", ["UUID"]),
        ({"ticket_id": "ticket-1"}, "ops.0.ticket_id", ["UUID"]),
        ({"kind": "delete"}, "ops.0.kind", ["'set', 'note', 'resolve', 'photo' or 'record'"]),
        ({"device_time": "yesterday"}, "ops.0.device_time", ["datetime"]),
        ({"conflict_id": "nope"}, "ops.0.conflict_id", ["UUID"]),
        ({"field": ["status"]}, "ops.0.field", ["string"]),
        ({"field": "x" * 41}, "ops.0.field", ["at most 40 characters"]),
    ],
    ids=[
        "op_id-text",
        "op_id-number",
        "ticket_id",
        "kind",
        "device_time",
        "conflict_id",
        "field-list",
        "field-long",
    ],
)
def test_wrong_types_in_an_op_refuse_the_whole_push(
    server: CaseServer, tokens: dict[str, str], change: dict[str, Any], where: str, words: list[str]
) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    good = note(tid)
    bad = {**op(tid, field="priority", base=3, value=2), **change}
    message = detail(post_push(server, tokens["eero"], {"ops": [bad, good]}), 422)
    assert message.startswith(where), message
    for word in words:
        assert word in message, message
    snap.assert_unchanged()  # not even the good op was applied: the request was invalid


def test_ops_must_be_a_list(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    for ops in (note(tid), "all of them", None):
        message = detail(post_push(server, tokens["eero"], {"ops": ops}), 422)
        assert message.startswith("ops: ") and "valid list" in message, message
    snap.assert_unchanged()


def test_priority_as_text_is_a_per_op_rejection(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"], priority=3)
    snap = snapshot(server, tokens["admin"], tid)
    (res,) = push_results(server, tokens["sanna"], op(tid, field="priority", base=3, value="high"))
    rejected(res, 422, "priority must be an integer")
    snap.assert_unchanged()


@pytest.mark.parametrize(
    "user, fields, words",
    [
        ("eero", {"field": "status", "base": "assigned", "value": "done"}, ["unknown status 'done'"]),
        ("sanna", {"field": "priority", "base": 3, "value": True}, ["priority must be an integer"]),
        ("sanna", {"field": "priority", "base": 3, "value": 9}, ["priority must be an integer"]),
        ("sanna", {"field": "priority", "base": 3, "value": 2.5}, ["priority must be an integer"]),
        ("sanna", {"field": "due_at", "base": None, "value": "2026-06-01 08:00"}, ["UTC offset"]),
        ("sanna", {"field": "due_at", "base": None, "value": "next week"}, ["not an ISO-8601 time"]),
        ("sanna", {"field": "due_at", "base": None, "value": 1767225600}, ["ISO-8601"]),
        ("admin", {"field": "location", "base": None, "value": [95.0, 24.9]}, ["out of range"]),
        ("admin", {"field": "location", "base": None, "value": "60.1,24.9"}, ["[latitude, longitude]"]),
        ("admin", {"field": "service_code", "base": "pothole", "value": "ufo"}, ["unknown service code"]),
        ("admin", {"field": "description", "base": None, "value": "   "}, ["must not be empty"]),
        ("eero", {"field": "resolution_code", "base": None, "value": "magic"}, ["unknown resolution code"]),
        ("eero", {"field": "status", "base": 7, "value": "en_route"}, ["base:", "unknown status"]),
        ("sanna", {"field": "priority", "base": "three", "value": 2}, ["base:", "priority must be"]),
    ],
    ids=[
        "status-unknown",
        "priority-bool",
        "priority-9",
        "priority-float",
        "due-naive",
        "due-text",
        "due-number",
        "location-range",
        "location-text",
        "service-unknown",
        "description-blank",
        "resolution-code",
        "status-base",
        "priority-base",
    ],
)
def test_wrong_values_are_per_op_rejections(
    server: CaseServer, tokens: dict[str, str], user: str, fields: dict[str, Any], words: list[str]
) -> None:
    tid = new_ticket(server, tokens["admin"], priority=3)
    snap = snapshot(server, tokens["admin"], tid)
    (res,) = push_results(server, tokens[user], op(tid, **fields))
    rejected(res, 422, *words)
    snap.assert_unchanged()


@pytest.mark.parametrize("value", [["pothole"], {"code": "pothole"}], ids=["list", "object"])
def test_service_code_of_the_wrong_type_is_a_per_op_rejection(
    server: CaseServer, tokens: dict[str, str], value: Any
) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    (res,) = push_results(server, tokens["admin"], op(tid, field="service_code", base="pothole", value=value))
    rejected(res, 422, "service code")
    snap.assert_unchanged()


def test_due_at_outside_the_calendar_is_a_per_op_rejection(
    server: CaseServer, tokens: dict[str, str]
) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    for value in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"):
        (res,) = push_results(server, tokens["sanna"], op(tid, field="due_at", base=None, value=value))
        rejected(res, 422)
    snap.assert_unchanged()


def test_device_time_outside_the_calendar_is_refused(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    bad = {**note(tid), "device_time": "0001-01-01T00:00:00+01:00"}
    message = detail(post_push(server, tokens["eero"], {"ops": [bad]}), 422)
    assert "device_time" in message, message
    snap.assert_unchanged()


def test_note_text_of_the_wrong_kind(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    results = push_results(
        server,
        tokens["eero"],
        note(tid, "x" * (MAX_TEXT + 1)),
        op(tid, "note", value=42),
        op(tid, "note", value=["a", "b"]),
        op(tid, "note"),
        note(tid, " \n\t "),
    )
    rejected(results[0], 422, f"longer than {MAX_TEXT} characters")
    for res in results[1:4]:
        rejected(res, 422, "expected text")
    rejected(results[4], 422, "must not be empty")
    snap.assert_unchanged()


def test_note_of_exactly_the_maximum_length_is_kept(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    text = "y" * MAX_TEXT
    (res,) = push_results(server, tokens["eero"], note(tid, text))
    assert res["outcome"] == "applied", res
    assert [n["text"] for n in server.get_ticket(tokens["admin"], tid)["notes"]] == [text]


def test_note_with_a_nul_character(server: CaseServer, tokens: dict[str, str]) -> None:
    """A NUL character is kept exactly or refused per op with 422, on every backend; never a 500."""
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    text = "valve\u0000closed"
    (res,) = push_results(server, tokens["eero"], note(tid, text))
    if res["outcome"] == "applied":
        assert [n["text"] for n in server.get_ticket(tokens["admin"], tid)["notes"]] == [text]
    else:
        rejected(res, 422)
        snap.assert_unchanged()


def test_sign_in_with_a_nul_character(server: CaseServer) -> None:
    r = login(server, {"username": "admin\u0000", "password": PASSWORDS["admin"]})
    if r.status_code == 401:
        assert detail(r, 401) == "wrong user name or password"
    else:
        assert "username" in detail(r, 422)
    assert "token" not in r.json()


def test_device_name_with_a_nul_character(server: CaseServer) -> None:
    r = login(server, {"username": "eero", "password": PASSWORDS["eero"], "device_name": "tab\u0000let"})
    if r.status_code != 200:
        assert "device_name" in detail(r, 422)


def test_ticket_with_a_nul_character(server: CaseServer, tokens: dict[str, str]) -> None:
    snap = snapshot(server, tokens["admin"])
    body = {**TICKET, "description": "nul \u0000 here"}
    r = post_ticket(server, tokens["admin"], body)
    if r.status_code == 201:
        assert server.get_ticket(tokens["admin"], r.json()["id"])["description"] == body["description"]
    else:
        assert "description" in detail(r, 422)
        snap.assert_unchanged()


# -- unknown and missing fields ---------------------------------------------------------


def test_unknown_fields_are_refused(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)

    bad_op = {**note(tid), "colour": "red"}
    message = detail(post_push(server, tokens["eero"], {"ops": [bad_op]}), 422)
    assert message == "ops.0.colour: Extra inputs are not permitted", message

    message = detail(post_push(server, tokens["eero"], {"ops": [note(tid)], "force": True}), 422)
    assert message == "force: Extra inputs are not permitted", message

    r = login(server, {"username": "admin", "password": PASSWORDS["admin"], "role": "admin"})
    assert detail(r, 422) == "role: Extra inputs are not permitted"
    assert "token" not in r.json()

    r = post_ticket(server, tokens["admin"], {**TICKET, "version": 7})
    assert detail(r, 422) == "version: Extra inputs are not permitted"
    snap.assert_unchanged()


def test_missing_fields_are_refused(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)

    assert detail(post_push(server, tokens["eero"], {}), 422) == "ops: Field required"
    for missing in ("op_id", "ticket_id", "kind", "device_time"):
        bad = note(tid)
        del bad[missing]
        message = detail(post_push(server, tokens["eero"], {"ops": [bad]}), 422)
        assert message == f"ops.0.{missing}: Field required", message

    r = login(server, {"username": "admin"})
    assert detail(r, 422) == "password: Field required"
    r = login(server, {"username": "", "password": PASSWORDS["admin"]})
    assert "username" in detail(r, 422)

    r = post_ticket(server, tokens["admin"], {"service_code": "pothole", "address": "Kaivokatu 1"})
    message = detail(r, 422)
    for name in ("description", "lat", "lon"):
        assert f"{name}: Field required" in message, message
    snap.assert_unchanged()


def test_per_op_missing_pieces(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    results = push_results(
        server,
        tokens["eero"],
        op(tid, value="en_route"),  # a 'set' without a field
        op(tid, "resolve", value="mine"),  # a 'resolve' without a conflict
        op(tid, "resolve", conflict_id=str(uuid.uuid4()), value="both"),
        op(tid, "resolve", conflict_id=str(uuid.uuid4()), value="mine"),
    )
    rejected(results[0], 422, "needs a field")
    rejected(results[1], 422, "needs a conflict_id")
    rejected(results[2], 422, "'mine' or 'theirs'")
    rejected(results[3], 404, "no such conflict")
    snap.assert_unchanged()


@pytest.mark.parametrize("field", ["colour", "version", "id", "notes", "reporter_email", "seq"])
def test_unknown_or_read_only_field_is_a_per_op_rejection(
    server: CaseServer, tokens: dict[str, str], field: str
) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    (res,) = push_results(server, tokens["admin"], op(tid, field=field, base=None, value="x"))
    rejected(res, 422, f"unknown or read-only field {field!r}")
    snap.assert_unchanged()


# -- sizes -------------------------------------------------------------------------------


def test_too_many_ops(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    ops = [note(tid, f"note {i}") for i in range(MAX_OPS_PER_PUSH + 1)]
    message = detail(post_push(server, tokens["eero"], {"ops": ops}), 422)
    assert message.startswith("ops: ") and f"at most {MAX_OPS_PER_PUSH} items" in message, message
    snap.assert_unchanged()


def test_exactly_the_maximum_number_of_ops_is_answered(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    ops = [note(str(uuid.uuid4())) for _ in range(MAX_OPS_PER_PUSH)]  # all on unknown tickets
    results = push_results(server, tokens["eero"], *ops)
    for res in results:
        rejected(res, 404, "no such ticket")
    snap.assert_unchanged()


def _big_push(ticket_id: str, size: int) -> bytes:
    """A push of valid notes (each within MAX_TEXT) just over `size` bytes in all."""
    ops: list[dict[str, Any]] = []
    while len(json.dumps({"ops": ops})) <= size:
        ops.append(note(ticket_id, "z" * (MAX_TEXT - 100)))
    return json.dumps({"ops": ops}).encode()


def test_huge_body_with_content_length(
    server: CaseServer, strict_server: CaseServer, tokens: dict[str, str]
) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    body = _big_push(tid, 3 * SMALL_LIMIT)
    r = post_raw(strict_server, "/push", body, tokens["eero"])
    assert r.request.headers["Content-Length"] == str(len(body))
    assert detail(r, 413) == f"request body larger than {SMALL_LIMIT} bytes"
    r = post_raw(strict_server, "/auth/login", b'{"username": "' + b"a" * SMALL_LIMIT + b'"}')
    assert detail(r, 413) == f"request body larger than {SMALL_LIMIT} bytes"
    snap.assert_unchanged()


def test_huge_body_chunked_without_content_length(
    server: CaseServer, strict_server: CaseServer, tokens: dict[str, str]
) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    body = _big_push(tid, 3 * SMALL_LIMIT)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    r = post_raw(strict_server, "/push", chunks(), tokens["eero"])
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in r.request.headers
    assert detail(r, 413) == f"request body larger than {SMALL_LIMIT} bytes"
    snap.assert_unchanged()


def test_bodies_under_the_limit_pass_chunked_or_not(
    server: CaseServer, strict_server: CaseServer, tokens: dict[str, str]
) -> None:
    """The limit refuses only what is too large (chunked bodies are read normally)."""
    tid = new_ticket(server, tokens["admin"])
    body = json.dumps({"ops": [note(tid, "small and chunked")]}).encode()
    r = post_raw(strict_server, "/push", iter([body[:10], body[10:]]), tokens["eero"])
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["outcome"] == "applied"
    body = _big_push(tid, SMALL_LIMIT - 5000)
    assert SMALL_LIMIT - 5000 < len(body) <= SMALL_LIMIT
    r = post_raw(strict_server, "/push", body, tokens["eero"])
    assert r.status_code == 200, r.text
    assert {res["outcome"] for res in r.json()["results"]} == {"applied"}


# -- query parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, where, words",
    [
        ({"cursor": -1}, "query.cursor", ["greater than or equal to 0"]),
        ({"cursor": "abc"}, "query.cursor", ["valid integer"]),
        ({"cursor": "1.5"}, "query.cursor", ["valid integer"]),
        ({"cursor": 2**63}, "query.cursor", []),
        ({"cursor": 10**30}, "query.cursor", []),
        ({"limit": 0}, "query.limit", ["greater than or equal to 1"]),
        ({"limit": -5}, "query.limit", ["greater than or equal to 1"]),
        ({"limit": 999999}, "query.limit", [f"less than or equal to {MAX_FEED_PAGE}"]),
        ({"limit": MAX_FEED_PAGE + 1}, "query.limit", [f"less than or equal to {MAX_FEED_PAGE}"]),
        ({"limit": "all"}, "query.limit", ["valid integer"]),
    ],
    ids=[
        "cursor-negative",
        "cursor-text",
        "cursor-float",
        "cursor-2^63",
        "cursor-10^30",
        "limit-0",
        "limit-negative",
        "limit-999999",
        "limit-max+1",
        "limit-text",
    ],
)
def test_bad_feed_query_params(
    server: CaseServer, tokens: dict[str, str], params: dict[str, Any], where: str, words: list[str]
) -> None:
    r = checked(
        requests.get(f"{server.url}{API}/feed", params=params, headers=auth(tokens["eero"]), timeout=TIMEOUT)
    )
    message = detail(r, 422)
    assert message.startswith(where), message
    for word in words:
        assert word in message, message


# -- illegal status moves ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path, value, code, words",
    [
        (["assigned"], "resolved", 409, ["status cannot move from assigned to resolved"]),
        (["assigned"], "closed", 409, ["status cannot move from assigned to closed"]),
        (["assigned"], "new", 409, ["status cannot move from assigned to new"]),
        (["assigned", "in_progress", "resolved"], "closed", 403, ["a crew may not set status closed"]),
        (["assigned"], "cancelled", 403, ["a crew may not set status cancelled"]),
        (["assigned", "cancelled"], "in_progress", 409, ["status cannot move from cancelled"]),
    ],
    ids=[
        "assigned-resolved",
        "assigned-closed",
        "assigned-new",
        "resolved-closed",
        "cancel",
        "cancelled-reopen",
    ],
)
def test_crew_illegal_status_moves(
    server: CaseServer, tokens: dict[str, str], path: list[str], value: str, code: int, words: list[str]
) -> None:
    tid = new_ticket(server, tokens["admin"])
    set_status(server, tokens["admin"], tid, *path)
    snap = snapshot(server, tokens["admin"], tid)
    (res,) = push_results(server, tokens["eero"], op(tid, field="status", base=path[-1], value=value))
    rejected(res, code, *words)
    snap.assert_unchanged()


def test_new_to_resolved(server: CaseServer, tokens: dict[str, str]) -> None:
    """A new ticket is unassigned: outside a crew's scope, and no one can jump it to resolved."""
    tid = new_ticket(server, tokens["admin"], crew=None)
    snap = snapshot(server, tokens["admin"], tid)
    assert snap.tickets[tid]["status"] == "new"
    (res,) = push_results(server, tokens["eero"], op(tid, field="status", base="new", value="resolved"))
    rejected(res, 403, "not assigned to your crew")
    for user in ("sanna", "admin"):
        (res,) = push_results(server, tokens[user], op(tid, field="status", base="new", value="resolved"))
        rejected(res, 409, "status cannot move from new to resolved")
    snap.assert_unchanged()


# -- tokens and sign-in ------------------------------------------------------------------

PROTECTED = [
    ("GET", "/me"),
    ("GET", "/feed"),
    ("GET", "/digest"),
    ("GET", "/crews"),
    ("GET", f"/tickets/{uuid.uuid4()}"),
    ("POST", "/push"),
    ("POST", "/tickets"),
    ("POST", "/auth/logout"),
]


def call(server: CaseServer, method: str, path: str, headers: dict[str, str]) -> requests.Response:
    body = {"ops": []} if path == "/push" else None
    return checked(
        requests.request(method, f"{server.url}{API}{path}", json=body, headers=headers, timeout=TIMEOUT)
    )


@pytest.mark.parametrize(
    "headers, words",
    [
        ({}, "missing bearer token"),
        ({"Authorization": ""}, "missing bearer token"),
        ({"Authorization": "Basic YWRtaW46YWRtaW4tZGVtbw=="}, "missing bearer token"),
        ({"Authorization": "Bearer"}, "missing bearer token"),
        ({"Authorization": "Bearer not-a-real-token"}, "unknown token"),
        ({"Authorization": "Bearer  "}, "missing bearer token"),
    ],
    ids=["none", "empty", "basic", "bearer-only", "unknown", "bearer-blank"],
)
def test_missing_or_unknown_token(
    server: CaseServer, tokens: dict[str, str], headers: dict[str, str], words: str
) -> None:
    snap = snapshot(server, tokens["admin"])
    for method, path in PROTECTED:
        message = detail(call(server, method, path, headers), 401)
        assert words in message, (method, path, message)
    snap.assert_unchanged()


def test_wrong_password_issues_no_token(server: CaseServer) -> None:
    for body in (
        {"username": "aino", "password": "aino-demo "},
        {"username": "aino", "password": PASSWORDS["eero"]},
        {"username": "AINO", "password": PASSWORDS["aino"]},
        {"username": "nobody", "password": "aino-demo"},
    ):
        r = login(server, body)
        assert detail(r, 401) == "wrong user name or password", body
        assert "token" not in r.json()


def test_expired_token(server: CaseServer, strict_server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    r = login(strict_server, {"username": "eero", "password": PASSWORDS["eero"]})
    assert r.status_code == 200, r.text
    expired = r.json()["token"]
    for target in (strict_server, server):
        for method, path in PROTECTED:
            message = detail(call(target, method, path, auth(expired)), 401)
            assert "expired" in message, (method, path, message)
        r = post_push(target, expired, {"ops": [note(tid)]})
        assert "expired" in detail(r, 401)
    snap.assert_unchanged()


def test_revoked_token(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    aino = server.token("aino")
    (res,) = push_results(server, aino, note(tid, "before the revoke"))
    assert res["outcome"] == "applied"
    snap = snapshot(server, tokens["admin"], tid)

    done = run_caseserver(server.database_url, "device", "revoke", "--user", "aino")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("revoked "), done.stdout

    for method, path in PROTECTED:
        message = detail(call(server, method, path, auth(aino)), 401)
        assert "signed out by an administrator" in message, (method, path, message)
    assert "signed out" in detail(post_push(server, aino, {"ops": [note(tid, "after the revoke")]}), 401)
    snap.assert_unchanged()

    # Signing in again gives a working token; others' tokens were never affected.
    again = server.token("aino")
    assert checked(requests.get(f"{server.url}{API}/me", headers=auth(again), timeout=TIMEOUT)).ok
    assert checked(requests.get(f"{server.url}{API}/me", headers=auth(tokens["eero"]), timeout=TIMEOUT)).ok


# -- scope: crews see and touch only their own tickets ------------------------------------


def test_crew_cannot_read_another_crews_ticket(server: CaseServer, tokens: dict[str, str]) -> None:
    central = new_ticket(server, tokens["admin"], crew="central")
    unassigned = new_ticket(server, tokens["admin"], crew=None)
    for tid in (central, unassigned, str(uuid.uuid4()), "not-a-ticket-id"):
        assert detail(get_ticket(server, tokens["eero"], tid), 404) == "no such ticket"
    # The owner and dispatch see it.
    assert get_ticket(server, tokens["mikko"], central).status_code == 200
    assert get_ticket(server, tokens["sanna"], unassigned).status_code == 200


def test_crew_cannot_write_another_crews_ticket(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"], crew="central", priority=3)
    snap = snapshot(server, tokens["admin"], tid)
    results = push_results(
        server,
        tokens["eero"],
        op(tid, field="status", base="assigned", value="en_route"),
        op(tid, field="priority", base=3, value=1),
        op(tid, field="resolution_note", base=None, value="done"),
        note(tid, "we were here"),
    )
    for res in results:
        rejected(res, 403, "this ticket is not assigned to your crew")
    snap.assert_unchanged()


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"field": "assigned_crew", "base": "north", "value": "central"}, "may change assigned_crew"),
        ({"field": "assigned_crew", "base": "north", "value": None}, "may change assigned_crew"),
        ({"field": "due_at", "base": None, "value": "2030-01-01T00:00:00Z"}, "may change due_at"),
    ],
    ids=["reassign", "unassign", "due_at"],
)
def test_crew_cannot_dispatch(
    server: CaseServer, tokens: dict[str, str], fields: dict[str, Any], words: str
) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    (res,) = push_results(server, tokens["eero"], op(tid, **fields))
    rejected(res, 403, "only dispatch", words)
    snap.assert_unchanged()


def test_crew_cannot_create_tickets(server: CaseServer, tokens: dict[str, str]) -> None:
    snap = snapshot(server, tokens["admin"])
    for crew in ("north", None):
        body = {**TICKET, **({"assigned_crew": crew} if crew else {})}
        r = post_ticket(server, tokens["eero"], body)
        assert detail(r, 403) == "only dispatch or the office can log new tickets"
    snap.assert_unchanged()


def test_supervisor_bad_assignments(server: CaseServer, tokens: dict[str, str]) -> None:
    tid = new_ticket(server, tokens["admin"])
    snap = snapshot(server, tokens["admin"], tid)
    results = push_results(
        server,
        tokens["sanna"],
        op(tid, field="assigned_crew", base="north", value="west"),
        op(tid, field="assigned_crew", base="north", value=7),
        op(tid, field="assigned_crew", base="north", value="North"),
    )
    rejected(results[0], 422, "unknown crew 'west'")
    rejected(results[1], 422, "unknown crew 7")
    rejected(results[2], 422, "unknown crew 'North'")

    def create(**fields: Any) -> requests.Response:
        return post_ticket(server, tokens["sanna"], {**TICKET, **fields})

    assert detail(create(assigned_crew="west"), 422) == "unknown crew 'west'"
    assert detail(create(service_code="ufo"), 422) == "unknown service code 'ufo'"
    assert "priority" in detail(create(priority=0), 422)
    assert "lat" in detail(create(lat=91), 422)
    assert "due_at" in detail(create(due_at="soon"), 422)
    snap.assert_unchanged()


def test_ticket_due_date_outside_the_calendar_is_refused(server: CaseServer, tokens: dict[str, str]) -> None:
    snap = snapshot(server, tokens["admin"])
    r = post_ticket(server, tokens["admin"], {**TICKET, "due_at": "0001-01-01T00:00:00+01:00"})
    assert "due_at" in detail(r, 422)
    snap.assert_unchanged()


def test_unknown_ticket_is_a_per_op_404(server: CaseServer, tokens: dict[str, str]) -> None:
    snap = snapshot(server, tokens["admin"])
    ghost = str(uuid.uuid4())
    for user in ("eero", "sanna", "admin"):
        results = push_results(
            server, tokens[user], note(ghost), op(ghost, field="priority", base=3, value=2)
        )
        for res in results:
            rejected(res, 404, "no such ticket")
    snap.assert_unchanged()


def test_a_rejected_op_does_not_stop_the_batch_and_replays_the_same(
    server: CaseServer, tokens: dict[str, str]
) -> None:
    tid = new_ticket(server, tokens["admin"], priority=3)
    other = new_ticket(server, tokens["admin"], crew="south")
    ops = [
        op(tid, field="priority", base=3, value="high"),
        op(str(uuid.uuid4()), field="status", base="assigned", value="en_route"),
        note(other, "not ours"),
        op(tid, field="status", base="assigned", value="closed"),
        note(tid, "the one good op"),
    ]
    results = push_results(server, tokens["eero"], *ops)
    rejected(results[0], 422, "priority must be an integer")
    rejected(results[1], 404, "no such ticket")
    rejected(results[2], 403, "not assigned to your crew")
    rejected(results[3], 409, "status cannot move from assigned to closed")
    assert results[4]["outcome"] == "applied", results[4]
    doc = server.get_ticket(tokens["admin"], tid)
    assert (doc["version"], doc["priority"], doc["status"]) == (2, 3, "assigned")
    assert [n["text"] for n in doc["notes"]] == ["the one good op"]

    # The same ops again (a device retrying): the same answers, and nothing changes.
    snap = snapshot(server, tokens["admin"], tid, other)
    assert push_results(server, tokens["eero"], *ops) == results
    snap.assert_unchanged()


def test_crew_feed_never_contains_another_crews_ticket(server: CaseServer, tokens: dict[str, str]) -> None:
    admin = tokens["admin"]
    start = feed_top(server, admin)
    mine = new_ticket(server, admin, crew="north")
    theirs = {crew: new_ticket(server, admin, crew=crew) for crew in ("central", "south")}
    unassigned = new_ticket(server, admin, crew=None)
    moved = new_ticket(server, admin, crew="north")

    def crew_feed(token: str, cursor: int) -> tuple[list[Doc], set[str], list[Doc], int]:
        """All of a crew's feed after `cursor`, in pages of two."""
        tickets: list[Doc] = []
        revoked: set[str] = set()
        conflicts: list[Doc] = []
        while True:
            page = feed_page(server, token, cursor, limit=2)
            tickets += page["tickets"]
            revoked |= set(page["revoked"])
            conflicts += page["conflicts"]
            cursor = page["cursor"]
            if not page["more"]:
                return tickets, revoked, conflicts, cursor

    tickets, _, conflicts, cursor = crew_feed(tokens["eero"], 0)  # the whole feed, in small pages
    assert {t["assigned_crew"] for t in tickets} == {"north"}
    ids = {t["id"] for t in tickets}
    assert {mine, moved} <= ids
    assert not ids & {*theirs.values(), unassigned}
    # Conflicts go to their audience whatever the ticket's scope: only north's reach north.
    assert all("north" in (c["audience_crew"], c["author_crew"]) for c in conflicts)

    # Dispatch moves a ticket away; the central crew writes on theirs and gets a conflict there.
    move = op(moved, field="assigned_crew", base="north", value="central")
    (res,) = push_results(server, tokens["sanna"], move)
    assert res["outcome"] == "applied", res
    central = theirs["central"]
    (res,) = push_results(server, tokens["sanna"], op(central, field="priority", base=3, value=1))
    assert res["outcome"] == "applied", res
    results = push_results(
        server,
        tokens["mikko"],
        note(central, "central at work"),
        op(central, field="priority", base=3, value=2),  # stale: dispatch changed it meanwhile
    )
    assert [res["outcome"] for res in results] == ["applied", "conflict"], results
    conflict_id = results[1]["conflict"]["id"]
    try:
        tickets, revoked, conflicts, _ = crew_feed(tokens["eero"], cursor)
        assert (tickets, revoked, conflicts) == ([], {moved}, [])
        assert detail(get_ticket(server, tokens["eero"], moved), 404) == "no such ticket"

        tickets, _, conflicts, _ = crew_feed(tokens["mikko"], start)
        assert {t["assigned_crew"] for t in tickets} == {"central"}
        assert {t["id"] for t in tickets} == {central, moved}
        assert [(c["ticket_id"], c["field"]) for c in conflicts] == [(central, "priority")]
        for crew, user in (("north", "eero"), ("south", "liisa")):
            tickets, _, conflicts, _ = crew_feed(tokens[user], 0)
            assert {t["assigned_crew"] for t in tickets} == {crew}, crew
            assert central not in {c["ticket_id"] for c in conflicts}, crew
    finally:
        # Leave no open conflict behind on the shared server (a supervisor's device would see it).
        resolve = op(central, "resolve", conflict_id=conflict_id, value="theirs")
        (res,) = push_results(server, tokens["mikko"], resolve)
        assert res["outcome"] == "applied", res
