"""Request ids and structured logs: one sync can be followed across the device and every server.

Each request carries an id: the device's own `X-Request-Id` (its sync client sends one per
request and logs it), or one made here. The answer carries it back, and every log line
written while the request is handled names it. With `CASESERVER_LOG_FORMAT=json` (the
default for `caseserver serve`) each line is one JSON object: `time`, `level`, `logger`,
`message`, `request_id`, and for the access log `method`, `path`, `status`, `ms`, `client`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The request being handled by this task or thread (asyncio copies it into the thread pool).
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
HEADER = "X-Request-Id"
#: A device's id is kept when it is this plain; anything else is replaced.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,80}")

access_log = logging.getLogger("caseserver.access")


class RequestIds:
    """Pure ASGI middleware: the request's id in `REQUEST_ID`, in the answer, and one access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(HEADER.lower().encode(), b"").decode("latin-1")
        request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            client = scope.get("client")
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": client[0] if client else None,
                },
            )
            REQUEST_ID.reset(token)


class WithRequestId(logging.Filter):
    """Puts the current request's id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


#: Record attributes the JSON lines carry when a log call gave them (`extra=`).
_EXTRA = ("method", "path", "status", "ms", "client")


class JsonLines(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        line.update((name, getattr(record, name)) for name in _EXTRA if hasattr(record, name))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def log_config(level: str, json_lines: bool, access: bool = True) -> dict[str, Any]:
    """`logging.config.dictConfig` for `caseserver serve` (uvicorn takes it as `log_config`).

    Uvicorn's own access log is off: `RequestIds` writes the access lines, with the id.
    """
    formatter = {"()": JsonLines} if json_lines else {"format": TEXT_FORMAT}
    handler = {"class": "logging.StreamHandler", "formatter": "lines", "filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": WithRequestId}},
        "formatters": {"lines": formatter},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "caseserver.access": {"level": "INFO" if access else "WARNING"},
        },
    }
