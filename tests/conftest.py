"""Shared fixtures: real case server processes on free localhost ports, real databases.

The server tests run against SQLite always and against PostgreSQL too when
CASESERVER_TEST_DATABASE_URL points at one (each server gets its own fresh
database there).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from reporterkit import ReporterServer, running_reporter_server
from s3server import S3Server, s3_server
from serverproc import CaseServer, fresh_database_url, serving, start_server

PG_URL = os.environ.get("CASESERVER_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
#: (database, photo store) pairs the photo tests run on: a town's (SQLite and a folder) and
#: a city's (PostgreSQL, when there is one, and an S3-compatible object store).
PHOTO_SETUPS = [("sqlite", "file"), (BACKENDS[-1], "s3")]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session", params=PHOTO_SETUPS, ids=["-".join(p) for p in PHOTO_SETUPS])
def photo_setup(request: pytest.FixtureRequest) -> tuple[str, S3Server | None]:
    """A database backend, and the S3 server when the photo store is object storage (else None)."""
    backend, store = request.param
    return backend, request.getfixturevalue("s3") if store == "s3" else None


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3-compatible server process (moto's) for this worker's session; a bucket per test server."""
    with s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture(scope="session")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseServer]:
    """One seeded case server per backend for the whole run; tests make their own tickets."""
    with serving(backend, tmp_path_factory.mktemp(f"server-{backend}")) as proc:
        yield proc


@pytest.fixture(scope="session")
def reporter_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReporterServer]:
    """One server per backend for the reporter loop (email, status page, Open311), with its SMTP server."""
    with running_reporter_server(backend, tmp_path_factory.mktemp(f"reporter-{backend}")) as setup:
        yield setup


@pytest.fixture
def fresh_server(backend: str, tmp_path: Path) -> Iterator[CaseServer]:
    """A server with an empty database of its own (for tests that count everything)."""
    with fresh_database_url(backend, tmp_path) as url:
        proc = start_server(url, tmp_path)
        try:
            yield proc
        finally:
            proc.stop()


@pytest.fixture
def no_threads_left_behind() -> Iterator[None]:
    """Like napari's conftest: a GUI test that leaves a thread running fails."""
    import threading
    import time

    from fieldapp.tasks import wait_for_tasks

    before = {t.ident for t in threading.enumerate()}
    yield
    wait_for_tasks()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        extra = [t for t in threading.enumerate() if t.ident not in before and t.is_alive() and not t.daemon]
        if not extra:
            break
        time.sleep(0.05)
    assert not extra, f"threads left running: {extra}"


#: The work catalogue of the work-record tests: area_safe is required for every service.
WORK_CATALOGUE = {
    "materials": [
        {"code": "asphalt_t", "name": "Hot asphalt", "unit": "t"},
        {"code": "cold_patch_bag", "name": "Cold patch", "unit": "bag"},
    ],
    "checklists": {
        "*": [{"code": "area_safe", "text": "Area made safe", "required": True}],
        "pothole": [{"code": "edges_sealed", "text": "Edges sealed"}],
    },
}


@pytest.fixture(scope="module")
def work_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseServer]:
    """A server with the work catalogue above, shared by a module's tests (each makes its own tickets)."""
    tmp_path = tmp_path_factory.mktemp(f"work-{backend}")
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(json.dumps(WORK_CATALOGUE), encoding="utf-8")
    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(url, tmp_path, CASESERVER_WORK_CATALOGUE=str(catalogue))
        try:
            yield server
        finally:
            server.stop()
