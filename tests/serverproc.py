"""Test helpers: a real `caseserver serve` process, fresh databases, and device profiles."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from sync.engine import SyncEngine, SyncReport, sign_in
from sync.replica import Replica

REPO = Path(__file__).resolve().parents[1]
PASSWORDS = {
    "admin": "admin-demo",
    "sanna": "sanna-demo",
    "aino": "aino-demo",
    "eero": "eero-demo",
    "mikko": "mikko-demo",
    "liisa": "liisa-demo",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def fresh_database_url(backend: str, folder: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'caseserver.sqlite'}"
        return
    import psycopg

    base = os.environ["CASESERVER_TEST_DATABASE_URL"]
    name = f"cs_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    prefix, _, _ = base.rpartition("/")
    try:
        yield f"{prefix}/{name}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serving(backend: str, folder: Path) -> Iterator[CaseServer]:
    """A seeded case server on a fresh database of `backend`, stopped and dropped afterwards."""
    with fresh_database_url(backend, folder) as url:
        proc = start_server(url, folder)
        try:
            yield proc
        finally:
            proc.stop()


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["CASESERVER_DATABASE_URL"] = database_url
    env["PYTHONPATH"] = str(REPO)
    # Most tests log many reports of one service at one spot; the duplicate check is off
    # unless a test turns it on (test_duplicates.py).
    env["CASESERVER_DUPLICATE_METERS"] = "0"
    # Reporters hear only the outcome, at any hour, unless a test sets the stages
    # (test_reporter_stages.py): the suite runs at any time of day.
    env["CASESERVER_NOTIFY_STAGES"] = "resolved,referred"
    env["CASESERVER_NOTIFY_GAP_HOURS"] = "0"
    env["CASESERVER_NOTIFY_QUIET_HOURS"] = ""
    env.update(extra)
    return env


def run_caseserver(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caseserver", *args],
        env=server_env(database_url, **env),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@dataclass
class CaseServer:
    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    # -- convenience HTTP for tests (the office / dispatch side) ---------------------
    def token(self, user: str) -> str:
        r = requests.post(
            f"{self.url}/api/v1/auth/login",
            json={"username": user, "password": PASSWORDS[user], "device_name": "test"},
            timeout=30,
        )
        r.raise_for_status()
        return str(r.json()["token"])

    def create_ticket(self, token: str, **fields: Any) -> dict[str, Any]:
        body = {
            "service_code": "pothole",
            "description": "Deep pothole in the right lane",
            "address": "Mannerheimintie 5, Helsinki",
            "lat": 60.1699,
            "lon": 24.9384,
            **fields,
        }
        r = requests.post(
            f"{self.url}/api/v1/tickets",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def push(self, token: str, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST ops as a device would; the per-op answers (the push itself must succeed)."""
        r = requests.post(
            f"{self.url}/api/v1/push",
            json={"ops": ops},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return list(r.json()["results"])

    def get_ticket(self, token: str, ticket_id: str) -> dict[str, Any]:
        r = requests.get(
            f"{self.url}/api/v1/tickets/{ticket_id}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        return dict(r.json())


def start_server(
    database_url: str,
    folder: Path,
    *,
    seed: bool = True,
    workers: int = 1,
    port: int | None = None,
    access_log: bool = False,
    **env: str,
) -> CaseServer:
    """A real `caseserver serve` process; `port` reuses an address (a restart); `access_log`:
    a line per request (at level info) in its log.

    Its data folder (blob store, unfinished uploads) is `folder` unless `env` says otherwise.
    """
    env.setdefault("CASESERVER_DATA_DIR", str(folder))
    if seed:
        done = run_caseserver(database_url, "seed-demo", "--tickets", "0")
        assert done.returncode == 0, done.stderr
    port = port or free_port()
    log_path = folder / f"server-{port}.log"
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "caseserver",
            "serve",
            "--port",
            str(port),
            "--access-log" if access_log else "--no-access-log",
            "--log-level",
            "info" if access_log else "warning",
            "--workers",
            str(workers),
        ],
        env=server_env(database_url, **env),
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"case server exited: {log_path.read_text()}")
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return CaseServer(url, database_url, process, log_path)
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"case server did not start: {log_path.read_text()}")


def restart_server(server: CaseServer, folder: Path) -> CaseServer:
    """Start the stopped server again on the same port and database."""
    port = int(server.url.rsplit(":", 1)[1])
    return start_server(server.database_url, folder, seed=False, port=port)


class Device:
    """One device: a profile folder with its replica, signed in as one user."""

    def __init__(self, folder: Path, server: CaseServer, user: str) -> None:
        self.folder = folder
        self.path = folder / "replica.sqlite"
        self.server = server
        self.user = user
        sign_in(self.path, server.url, user, PASSWORDS[user], device_name=f"{user}-tablet")
        self.engine = SyncEngine(self.path)

    def sync(self) -> SyncReport:
        return self.engine.sync()

    @contextmanager
    def replica(self) -> Iterator[Replica]:
        replica = Replica(self.path)
        try:
            yield replica
        finally:
            replica.close()

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        with self.replica() as r:
            return r.ticket(ticket_id)

    def has(self, ticket_id: str) -> bool:
        with self.replica() as r:
            row = r.conn.execute(
                "SELECT 1 FROM tickets WHERE id = ? AND revoked = 0", (ticket_id,)
            ).fetchone()
            return row is not None

    def set(self, ticket_id: str, field: str, value: Any) -> dict[str, Any]:
        with self.replica() as r:
            return r.set_field(ticket_id, field, value)

    def note(self, ticket_id: str, text: str) -> dict[str, Any]:
        with self.replica() as r:
            return r.add_note(ticket_id, text)

    def conflicts(self) -> list[dict[str, Any]]:
        with self.replica() as r:
            return r.conflicts()

    def rejected(self) -> list[dict[str, Any]]:
        with self.replica() as r:
            return r.rejected()

    def counts(self) -> dict[str, int]:
        with self.replica() as r:
            return r.counts()
