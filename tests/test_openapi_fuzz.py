"""The API against its own OpenAPI description, fuzzed by schemathesis (a third-party OpenAPI fuzzer).

A real case server process (SQLite, its own blob folder) and a signed-in crew member;
schemathesis reads `/openapi.json`, generates requests for every operation (ones the
description allows, and ones it does not) and checks each answer: no 5xx, the status
code declared, the content type declared, the body and the headers as the schema
describes them (a client generated from the description handles every answer the server
gives). The fast tests send about 500 requests; `-m slow` 6,000.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from photohelpers import auth, jpeg_with_gps, north_ticket, photo_server, push_photo
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    missing_required_header,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    allow_header_conformance,
    missing_required_header,
    unsupported_method,
]
#: Refusals of a request missing a required header: the usual 4xx, and tus's own (411 no
#: Content-Length, 412 no `Tus-Resumable`, 413 bytes past the length).
REFUSALS = [400, 401, 403, 404, 405, 406, 409, 411, 412, 413, 415, 422, 428, 429]
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "missing_required_header": {"expected-statuses": REFUSALS},
        }
    }
)
#: Signing out would end the token the other operations use: it is fuzzed on its own.
LOGOUT = "/api/v1/auth/logout"


@schemathesis.serializer("application/offset+octet-stream")
def _offset_octets(_context: Any, value: Any) -> dict[str, bytes]:
    """tus PATCH (and creation-with-upload) bodies: the bytes as generated."""
    return {"data": value if isinstance(value, bytes) else str(value).encode()}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server with a ticket and a photo record in the crew's scope; its URL and a crew token."""
    with photo_server("sqlite", tmp_path_factory.mktemp("fuzz")) as photos:
        token = photos.server.token("aino")
        data = jpeg_with_gps(seed=900)
        push_photo(photos.server, token, north_ticket(photos.server), data)
        yield photos.url, token


@pytest.fixture(scope="module")
def api_schema(fuzzed: tuple[str, str]) -> Any:
    url, _token = fuzzed
    return schemathesis.openapi.from_url(f"{url}/openapi.json", config=CONFIG)


def _fuzz(api_schema: Any, token: str, mode: GenerationMode, examples: int) -> None:
    """`examples` generated requests spread over the operations, each answer checked."""

    @given(case=api_schema.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
        derandomize=True,
        database=None,
    )
    def request(case: Any) -> None:
        case.call_and_validate(headers=auth(token), checks=CHECKS)

    request()


def test_valid_requests_get_described_answers(api_schema: Any, fuzzed: tuple[str, str]) -> None:
    """Fast: 300 schema-valid requests over every operation but sign-out, signed in."""
    _fuzz(api_schema.exclude(path=LOGOUT), fuzzed[1], GenerationMode.POSITIVE, 300)


def test_invalid_requests_get_described_answers(api_schema: Any, fuzzed: tuple[str, str]) -> None:
    """Fast: 200 requests that break the schema (wrong types, missing headers, bad bodies)."""
    _fuzz(api_schema.exclude(path=LOGOUT), fuzzed[1], GenerationMode.NEGATIVE, 200)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_many_requests_get_described_answers(
    api_schema: Any, fuzzed: tuple[str, str], mode: GenerationMode
) -> None:
    _fuzz(api_schema.exclude(path=LOGOUT), fuzzed[1], mode, 3000)


def test_signing_out_gets_described_answers(api_schema: Any, fuzzed: tuple[str, str]) -> None:
    url, _token = fuzzed
    login = {"username": "eero", "password": "eero-demo", "device_name": "fuzz"}
    token = requests.post(f"{url}/api/v1/auth/login", json=login, timeout=30).json()["token"]
    for mode in GenerationMode:
        _fuzz(api_schema.include(path=LOGOUT), token, mode, 5)  # 204 first, then 401


#: Path parameter values that have broken servers: null bytes, bad UTF-8, line breaks,
#: traversal, huge numbers, very long ids.
MALFORMED_IDS = [
    "%00",
    "x%00y",
    "%ff",
    "%0A",
    "%0d%0a",
    "..",
    "%2e%2e",
    "..%2F..%2Fetc",
    "A" * 5000,
    "%F0%9F%98%80",
    "%ED%A0%80",
    "-1",
    "9" * 30,
    "%20",
    "%25",
    "%5C",
]


def test_malformed_path_parameters_are_refused_with_a_4xx(fuzzed: tuple[str, str]) -> None:
    """Every path parameter of every operation, with each malformed value: a 4xx, never a 5xx."""
    url, token = fuzzed
    description = requests.get(f"{url}/openapi.json", timeout=30).json()
    headers = {
        **auth(token),
        "Tus-Resumable": "1.0.0",
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": "0",
    }
    tried = 0
    for template, operations in description["paths"].items():
        if "{" not in template:
            continue
        for method in operations:
            for value in MALFORMED_IDS:
                path = re.sub(r"\{[^}]+\}", value, template)
                body = b"x" if method in ("post", "patch") else None
                r = requests.request(method.upper(), url + path, headers=headers, data=body, timeout=30)
                assert 400 <= r.status_code < 500, (method, path[:120], r.status_code, r.text[:200])
                tried += 1
    assert tried > 200


def test_the_fuzzer_reaches_past_sign_in(fuzzed: tuple[str, str]) -> None:
    """The token the fuzzing uses is still accepted (else every answer would be a described 401)."""
    url, token = fuzzed
    assert requests.get(f"{url}/api/v1/me", headers=auth(token), timeout=30).status_code == 200


def test_the_422_answer_is_described_as_it_is_sent(fuzzed: tuple[str, str]) -> None:
    url, token = fuzzed
    description = requests.get(f"{url}/openapi.json", timeout=30).json()
    assert "HTTPValidationError" not in str(description)
    declared = description["paths"]["/api/v1/push"]["post"]["responses"]["422"]["content"]["application/json"]
    assert declared["schema"] == {"$ref": "#/components/schemas/ErrorDoc"}
    assert description["components"]["schemas"]["ErrorDoc"]["properties"]["detail"]["type"] == "string"
    r = requests.post(f"{url}/api/v1/push", json={"ops": "none"}, headers=auth(token), timeout=30)
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)


def test_a_method_a_path_does_not_take_is_405_with_the_described_methods(fuzzed: tuple[str, str]) -> None:
    url, token = fuzzed
    description = requests.get(f"{url}/openapi.json", timeout=30).json()
    for template, operations in description["paths"].items():
        path = re.sub(r"\{[^}]+\}", "x", template)
        described = {method.upper() for method in operations}
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE"} - described:
            if template.startswith("/open311/") and method == "POST":
                continue  # Open311 answers an unknown resource with its own 404
            r = requests.request(method, url + path, headers=auth(token), timeout=30)
            assert r.status_code == 405, (method, path, r.status_code)
            assert set(r.headers["Allow"].split(", ")) == described, (method, path, r.headers["Allow"])
