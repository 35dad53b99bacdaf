"""What an attacker sees: sign-in timing for known and unknown users, and a burst of anonymous Open311 posts.

    .venv/bin/python bench/bench_abuse.py [--attempts 10] [--posts 100]

A fresh SQLite case server (tests/serverproc.start_server) with the default limits.
Sign-ins with a wrong password alternate between demo users and user names that do
not exist, each from its own client address (`X-Forwarded-For`, trusted from
localhost) so that no throttle answers; the medians are printed. Then `--posts`
Open311 posts without an API key from one address, as fast as they go: how many were
accepted and how many answered 429.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from serverproc import start_server  # noqa: E402

USERS = ("admin", "sanna", "aino", "eero", "mikko", "liisa")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10, help="sign-ins of each kind")
    parser.add_argument("--posts", type=int, default=100, help="anonymous Open311 posts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = start_server(f"sqlite:///{folder / 'caseserver.sqlite'}", folder)
        try:
            known: list[float] = []
            unknown: list[float] = []
            for i in range(args.attempts):
                for name, times in (
                    (USERS[i % len(USERS)], known),
                    (f"nobody-{uuid.uuid4().hex[:8]}", unknown),
                ):
                    started = time.perf_counter()
                    answer = requests.post(
                        f"{server.url}/api/v1/auth/login",
                        json={"username": name, "password": "not-the-password"},
                        headers={"X-Forwarded-For": f"10.0.{i}.{len(times)}"},
                        timeout=60,
                    )
                    times.append(time.perf_counter() - started)
                    assert answer.status_code == 401, answer.text
            print(
                f"sign-in with a wrong password: known user median {statistics.median(known) * 1000:.0f} ms, "
                f"unknown user median {statistics.median(unknown) * 1000:.0f} ms ({args.attempts} each)"
            )
            codes: list[int] = []
            started = time.perf_counter()
            for _ in range(args.posts):
                codes.append(
                    requests.post(
                        f"{server.url}/open311/v2/requests.json",
                        data={"service_code": "graffiti", "lat": "60.17", "long": "24.94"},
                        timeout=30,
                    ).status_code
                )
            took = time.perf_counter() - started
            print(
                f"{args.posts} anonymous Open311 posts from one address in {took:.1f} s: "
                f"{codes.count(201)} accepted, {codes.count(429)} answered 429"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
