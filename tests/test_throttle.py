"""Throttling: sign-ins per user name and per client address, anonymous Open311 posts per address.

A real case server process with small limits (3 failures per user name, 6 per address,
3 anonymous posts per address, a first wait of 2 s). Client addresses are told with
`X-Forwarded-For`, which the server trusts from localhost (uvicorn's default for a
proxy on the same machine).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from reporterkit import query
from serverproc import PASSWORDS, REPO, CaseServer, fresh_database_url, start_server

LIMITS = {
    "CASESERVER_LOGIN_USER_FAILURES": "3",
    "CASESERVER_LOGIN_ADDRESS_FAILURES": "6",
    "CASESERVER_OPEN311_ADDRESS_POSTS": "3",
    "CASESERVER_THROTTLE_FIRST_DELAY_SECONDS": "2",
}


@pytest.fixture(scope="module")
def strict(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseServer]:
    """A server with small limits and open Open311 posting (no API keys)."""
    folder = tmp_path_factory.mktemp(f"throttle-{backend}")
    with fresh_database_url(backend, folder) as url:
        server = start_server(url, folder, **LIMITS)
        try:
            yield server
        finally:
            server.stop()


def login(server: CaseServer, user: str, password: str, address: str) -> requests.Response:
    return requests.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": user, "password": password, "device_name": "tablet"},
        headers={"X-Forwarded-For": address},
        timeout=60,
    )


def must_wait(response: requests.Response) -> int:
    """A 429 with a Retry-After in whole seconds and a plain reason; the seconds."""
    assert response.status_code == 429, response.text
    assert "try again in" in response.json()["detail"]
    assert "token" not in response.json()
    return int(response.headers["Retry-After"])


def test_sign_in_timing_does_not_tell_which_users_exist(strict: CaseServer) -> None:
    known: list[float] = []
    unknown: list[float] = []
    for round_ in range(2):  # two wrong passwords per real user: below its limit
        for i, user in enumerate(("admin", "sanna", "mikko", "liisa")):
            stranger = f"nobody-{uuid.uuid4().hex[:8]}"
            for name, times in ((user, known), (stranger, unknown)):
                started = time.perf_counter()
                r = login(strict, name, "not-the-password", f"10.1.{round_}.{i * 2 + len(times) % 2}")
                times.append(time.perf_counter() - started)
                assert r.status_code == 401, r.text
                assert r.json()["detail"] == "wrong user name or password"
    # Without the same password-hash work the unknown users answer ~100 times faster.
    assert statistics.median(unknown) > 0.5 * statistics.median(known), (known, unknown)


def test_failed_sign_ins_for_one_user_name_wait_longer_each_time(strict: CaseServer) -> None:
    address = "10.2.0.1"
    for _ in range(3):
        assert login(strict, "aino", "wrong", address).status_code == 401
    # The fourth attempt waits, even with the right password, and from any address.
    retry = must_wait(login(strict, "aino", PASSWORDS["aino"], address))
    assert 1 <= retry <= 2
    must_wait(login(strict, "aino", PASSWORDS["aino"], "10.2.0.2"))
    # Another user at the same address is unaffected.
    assert login(strict, "eero", PASSWORDS["eero"], address).status_code == 200

    time.sleep(retry + 0.2)
    assert login(strict, "aino", PASSWORDS["aino"], address).status_code == 200
    # The success cleared the count: a typo or two later are ordinary 401s.
    assert login(strict, "aino", "wrong", "10.2.0.3").status_code == 401
    assert login(strict, "aino", "wrong", "10.2.0.3").status_code == 401
    assert login(strict, "aino", PASSWORDS["aino"], "10.2.0.3").status_code == 200


def test_unknown_user_names_are_throttled_alike_and_the_wait_doubles(strict: CaseServer) -> None:
    ghost = f"ghost-{uuid.uuid4().hex[:8]}"
    for _ in range(3):
        assert login(strict, ghost, "guess", "10.5.0.1").status_code == 401
    first = must_wait(login(strict, ghost, "guess", "10.5.0.2"))
    assert 1 <= first <= 2
    time.sleep(first + 0.2)
    assert login(strict, ghost, "guess", "10.5.0.3").status_code == 401  # allowed, failed: twice as long
    second = must_wait(login(strict, ghost, "guess", "10.5.0.4"))
    assert 3 <= second <= 4


def test_many_failures_from_one_address_wait_and_other_addresses_do_not(strict: CaseServer) -> None:
    address = "10.3.0.1"
    for i in range(6):  # a different user name each time: only the address counts up
        assert login(strict, f"guess-{i}-{uuid.uuid4().hex[:6]}", "x", address).status_code == 401
    retry = must_wait(login(strict, "eero", PASSWORDS["eero"], address))
    assert 1 <= retry <= 2
    assert login(strict, "eero", PASSWORDS["eero"], "10.3.0.2").status_code == 200
    time.sleep(retry + 0.2)
    assert login(strict, "eero", PASSWORDS["eero"], address).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_anonymous_open311_posts_beyond_the_limit_get_429_in_open311_format(
    strict: CaseServer, fmt: str
) -> None:
    address = f"10.4.0.{1 if fmt == 'json' else 2}"
    before = query(strict, "SELECT COUNT(*) FROM tickets")[0][0]

    def post(from_address: str) -> requests.Response:
        return requests.post(
            f"{strict.url}/open311/v2/requests.{fmt}",
            data={"service_code": "graffiti", "lat": "60.17", "long": "24.94"},
            headers={"X-Forwarded-For": from_address},
            timeout=30,
        )

    for _ in range(3):
        assert post(address).status_code == 201
    refused = post(address)
    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    if fmt == "json":
        (err,) = refused.json()
        assert err["code"] == 429 and "try again in" in err["description"]
    else:
        root = ET.fromstring(refused.content)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "429"
        assert "try again in" in (root.findtext("error/description") or "")
    assert post(f"{address}9").status_code == 201  # another address posts as usual
    assert query(strict, "SELECT COUNT(*) FROM tickets")[0][0] == before + 4


def test_the_field_app_says_how_long_to_wait_in_one_line(strict: CaseServer, tmp_path: Path) -> None:
    user = f"typo-{uuid.uuid4().hex[:6]}"
    args = ["--profile", str(tmp_path / "tablet"), "login", "--server", strict.url, "--user", user]
    for attempt in range(4):
        done = subprocess.run(
            [sys.executable, "-m", "fieldapp", *args, "--password", "wrong"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1
        assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr, done.stderr
        expected = "wrong user name or password" if attempt < 3 else "too many failed sign-ins"
        assert expected in done.stderr, done.stderr
    assert "try again in" in done.stderr


def test_parallel_guesses_at_one_user_name_do_not_pass_the_limit_together(strict: CaseServer) -> None:
    ghost = f"target-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda i: login(strict, ghost, f"guess-{i}", f"10.6.0.{i}"), range(12)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [401] * 3 + [429] * 9, codes
