"""The demo: a local case server on SQLite with the demo city, and signed-in demo devices.

Run with `make demo` (or `python -m fieldapp.demo`). Data lives in ./demo-data;
the server keeps running until Ctrl+C. Each demo user gets a device profile under
demo-data/devices/USER, ready for `fieldapp --profile ...` commands.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from sync.engine import SyncEngine, sign_in

DEMO_USERS = {"aino": "aino-demo", "sanna": "sanna-demo"}


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the case server did not start; see demo-data/server.log")
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit("the case server did not answer in time; see demo-data/server.log")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="demo-data", help="folder for the demo's data")
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--tickets", type=int, default=300)
    args = parser.parse_args()

    data = Path(args.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CASESERVER_DATABASE_URL=f"sqlite:///{data / 'caseserver.sqlite'}")
    server_cmd = [sys.executable, "-m", "caseserver"]
    if not (data / "caseserver.sqlite").exists():
        subprocess.run([*server_cmd, "seed-demo", "--tickets", str(args.tickets)], env=env, check=True)
    log = (data / "server.log").open("ab")
    process = subprocess.Popen(
        [*server_cmd, "serve", "--port", str(args.port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{args.port}"
    try:
        _wait_for(url, process)
        for user, password in DEMO_USERS.items():
            replica = data / "devices" / user / "replica.sqlite"
            sign_in(replica, url, user, password, device_name=f"demo {user}")
            report = SyncEngine(replica).sync()
            print(f"{user}: signed in, {report.pulled} tickets on the device")
        print(
            f"\nCase server: {url} (API docs at {url}/docs)\n"
            "Try the field app from another terminal, for example:\n"
            f"  .venv/bin/fieldapp --profile {data}/devices/aino tickets\n"
            f"  .venv/bin/fieldapp --profile {data}/devices/aino set-status TICKET en_route\n"
            f"  .venv/bin/fieldapp --profile {data}/devices/aino sync\n"
            f"  .venv/bin/fieldapp --profile {data}/devices/sanna reassign TICKET central\n"
            "Press Ctrl+C to stop the server."
        )
        process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        process.terminate()
        process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
