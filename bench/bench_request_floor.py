"""What one request costs the case server's CPU, from a bare answer to pushes of 1 to 200 notes.

    .venv/bin/python bench/bench_request_floor.py [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

One `caseserver serve` process on a scratch PostgreSQL database (one crew, 200 tickets),
one client on a kept-alive connection sending requests one after another. For each kind
of request: the server process's CPU (user + system, from /proc) over the run, per
request. The first rows are the floor under any sync request: the HTTP stack alone
(`GET /health`), then the token check and one query (`GET /api/v1/digest`), then a push
that changes nothing; the last rows show how a push's cost splits into a fixed part
(publishing a change: ticket locks, documents, digests, a feed position) and a part per op.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from bench_sync_storm import PASSWORD, drop_database, process_cpu, scratch_database, seed  # noqa: E402
from serverproc import start_server  # noqa: E402

from caseserver.migrate import upgrade  # noqa: E402


def notes(tickets: list[str], first: int, count: int) -> dict[str, object]:
    ops = [
        {
            "op_id": str(uuid.uuid4()),
            "ticket_id": tickets[(first + k) % len(tickets)],
            "kind": "note",
            "value": "checked the site",
            "device_time": "2026-12-04T07:00:00Z",
        }
        for k in range(count)
    ]
    return {"ops": ops}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    name = f"floor_{uuid.uuid4().hex[:6]}"
    url = scratch_database(args.admin_url, name)
    try:
        upgrade(url)
        (crew,) = seed(url, 1, 200)
        server = start_server(url, Path(tempfile.mkdtemp(prefix="floor-")), seed=False)
        try:
            http = requests.Session()
            login = {"username": crew, "password": PASSWORD, "device_name": "floor"}
            token = http.post(f"{server.url}/api/v1/auth/login", json=login, timeout=30).json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            feed = http.get(f"{server.url}/api/v1/feed?cursor=0&limit=500", headers=auth, timeout=30).json()
            tickets = [doc["id"] for doc in feed["tickets"]]

            def push(count: int) -> Callable[[int], requests.Response]:
                return lambda i: http.post(
                    f"{server.url}/api/v1/push",
                    json=notes(tickets, i * count, count),
                    headers=auth,
                    timeout=60,
                )

            # (what, requests sent, ops per request, the request)
            kinds: list[tuple[str, int, int, Callable[[int], requests.Response]]] = [
                ("GET /health (no sign-in)", 400, 0, lambda i: http.get(f"{server.url}/health", timeout=30)),
                (
                    "GET /api/v1/digest (token, 1 query)",
                    400,
                    0,
                    lambda i: http.get(f"{server.url}/api/v1/digest", headers=auth, timeout=30),
                ),
                ("POST /api/v1/push, no ops", 300, 0, push(0)),
                ("POST /api/v1/push, 1 note", 200, 1, push(1)),
                ("POST /api/v1/push, 20 notes", 100, 20, push(20)),
                ("POST /api/v1/push, 200 notes", 20, 200, push(200)),
            ]
            for label, rounds, ops, request in kinds:
                for i in range(10):  # warm: pools, caches, compiled statements
                    request(i)
                before = process_cpu(server.process.pid)
                for i in range(rounds):
                    answer = request(i)
                    assert answer.status_code == 200, answer.text
                per_request = (process_cpu(server.process.pid) - before) / rounds
                ops = (
                    int(label.split(", ")[1].split()[0])
                    if label.endswith("notes") or label.endswith("note")
                    else 0
                )
                per_op = f"  = {per_request / ops * 1e6:6.0f} µs per op" if ops else ""
                print(
                    f"{label:40} {per_request * 1000:7.2f} ms of server CPU per request{per_op}", flush=True
                )
        finally:
            server.stop()
    finally:
        drop_database(args.admin_url, name)


if __name__ == "__main__":
    main()
