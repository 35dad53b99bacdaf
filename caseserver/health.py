"""Liveness and readiness, for load balancers and orchestrators.

- `GET /health/live`: the process answers (its event loop runs). Restart it when this fails.
- `GET /health/ready`: it can do its work: the database answers a query and the blob store
  takes a write. 503 with `Retry-After` and what failed otherwise: take it out of the pool.

`GET /health` stays what devices probe to know whether the server is reachable.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from caseserver.blobstore import BlobStore
from caseserver.db import Database

log = logging.getLogger("caseserver.health")


def _database(db: Database) -> str | None:
    try:
        with db.read() as session:
            session.execute(text("SELECT 1")).scalar_one()
    except Exception as exc:  # any failure means "not ready"; the reason goes to the log and the answer
        log.warning("readiness: the database does not answer: %s", exc)
        return f"the database does not answer: {type(exc).__name__}"
    return None


def _blob_store(store: BlobStore) -> str | None:
    """Write, read back and remove a small object where photos are stored."""
    why = store.probe()
    if why is not None:
        log.warning("readiness: %s (%s)", why, store.location)
    return why


def health_router(db: Database, store: BlobStore) -> APIRouter:
    router = APIRouter(tags=["meta"])

    @router.get("/health/live", summary="Liveness: the process answers")
    def live() -> dict[str, str]:
        return {"status": "live"}

    @router.get(
        "/health/ready",
        summary="Readiness: the database answers and the blob store takes writes",
        responses={
            503: {
                "description": "Not ready: what failed (each check 'ok' or why), and Retry-After",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    def ready() -> JSONResponse:
        checks: dict[str, Any] = {"database": _database(db), "blob_store": _blob_store(store)}
        failed = {name: why for name, why in checks.items() if why is not None}
        if failed:
            body = {"status": "not ready", **{name: failed.get(name, "ok") for name in checks}}
            return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
        return JSONResponse({"status": "ready", **{name: "ok" for name in checks}})

    return router
