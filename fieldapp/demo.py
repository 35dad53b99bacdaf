"""The demo: a local case server on SQLite with the demo city, and signed-in demo devices.

Run with `make demo` (or `python -m fieldapp.demo`). Data lives in ./demo-data.
Each demo user gets a signed-in device profile under demo-data/devices/USER; the
app window opens as the crew member aino (`--user sanna` for the supervisor), and
closing it stops the server. Without a display, the server runs until Ctrl+C.
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


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="demo-data", help="folder for the demo's data")
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument(
        "--user", default="aino", choices=sorted(DEMO_USERS), help="whose device the app window opens as"
    )
    parser.add_argument("--no-gui", action="store_true", help="only the server and the devices")
    args = parser.parse_args()

    data = Path(args.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        CASESERVER_DATABASE_URL=f"sqlite:///{data / 'caseserver.sqlite'}",
        CASESERVER_DATA_DIR=str(data),
        CASESERVER_PUBLIC_URL=f"http://127.0.0.1:{args.port}",
    )
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
            "The field app's command line works on the same devices, for example:\n"
            f"  .venv/bin/fieldapp --profile {data}/devices/aino tickets\n"
            f"  .venv/bin/fieldapp --profile {data}/devices/sanna reassign TICKET central"
        )
        if args.no_gui or not _has_display():
            print("Press Ctrl+C to stop the server.")
            process.wait()
        else:
            print(f"Opening the app as {args.user}; close its window to stop the demo.")
            profile = data / "devices" / args.user
            subprocess.run([sys.executable, "-m", "fieldapp", "--profile", str(profile)], check=False)
    except KeyboardInterrupt:
        pass
    finally:
        process.terminate()
        process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
