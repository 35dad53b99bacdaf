"""The demo: a local case server on SQLite with the demo city, and signed-in demo devices.

Run with `make demo` (or `python -m fieldapp.demo`). Data lives in ./demo-data.
Each demo user gets a signed-in device profile under demo-data/devices/USER; the
app window opens as the crew member aino (`--user sanna` for the supervisor), and
closing it stops the server. The devices play the shipped NMEA drive through Helsinki
as their position (unless FIELDAPP_GPS names another source), so "Nearest first" and
distances work. `--no-gui` runs only the server and devices, until Ctrl+C; a demo whose
window cannot open says why and exits 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from fieldapp.app import RESOURCES
from fieldapp.windowcheck import window_problem
from sync.engine import SyncEngine, sign_in
from sync.replica import Replica

DEMO_USERS = {"aino": "aino-demo", "sanna": "sanna-demo"}
ENV_SPEC = "FIELDAPP_GPS"  # fieldapp.positioning.ENV_SPEC, without loading Qt here
DEMO_TRACK = RESOURCES / "nmea" / "helsinki-drive.nmea"


def device_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The app's environment: the shipped drive as the position source unless one is set."""
    env = dict(os.environ if environ is None else environ)
    if not env.get(ENV_SPEC):
        env[ENV_SPEC] = f"nmea:{DEMO_TRACK}"
    return env


def tickets_on_device(replica_path: Path) -> int:
    """How many tickets the device holds now (not only those the last sync brought)."""
    replica = Replica(replica_path)
    try:
        return replica.ticket_count()
    finally:
        replica.close()


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
    parser.add_argument("--port", type=int, default=8311, help="the case server's port (default 8311)")
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument(
        "--user", default="aino", choices=sorted(DEMO_USERS), help="whose device the app window opens as"
    )
    parser.add_argument("--no-gui", action="store_true", help="only the server and the devices")
    args = parser.parse_args()
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port}: a port is 1 to 65535")
    problem = None if args.no_gui else window_problem()
    if problem is not None:
        print(
            f"demo: the app window cannot open: {problem} (--no-gui runs the server alone)", file=sys.stderr
        )
        return 1

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
            SyncEngine(replica).sync()
            print(f"{user}: signed in, {tickets_on_device(replica)} tickets on the device")
        print(
            f"\nCase server: {url} (API docs at {url}/docs)\n"
            "The field app's command line works on the same devices, for example:\n"
            f"  .venv/bin/fieldapp --profile {data}/devices/aino tickets\n"
            f"  .venv/bin/fieldapp --profile {data}/devices/sanna reassign TICKET central"
        )
        if args.no_gui:
            print("Press Ctrl+C to stop the server.")
            process.wait()
            return 0
        app_env = device_environment()
        print(f"Position: the device follows {app_env[ENV_SPEC]} (set {ENV_SPEC} for another source)")
        print(f"Opening the app as {args.user}; close its window to stop the demo.")
        profile = data / "devices" / args.user
        command = [sys.executable, "-m", "fieldapp", "--profile", str(profile)]
        code = subprocess.run(command, env=app_env, check=False).returncode
        if code != 0:
            print(f"demo: the app stopped with exit code {code}", file=sys.stderr)
            return code if code > 0 else 1
    except KeyboardInterrupt:
        pass
    finally:
        process.terminate()
        process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
