"""Ticket fields on the wire: checking incoming values, reading and writing them.

Every value is compared in one canonical wire form (ISO-8601 UTC with 'Z' for
times, [lat, lon] for the location), so a three-way comparison never trips over
two spellings of the same value.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from caseserver.services import BY_CODE
from sync.wire import MAX_TEXT, text_problem
from sync.workflow import PRIORITIES, RESOLUTION_CODES, STATUSES


class FieldValueError(ValueError):
    """An edit's value has the wrong type or is out of range."""


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise FieldValueError("expected an ISO-8601 time string")
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise FieldValueError(f"not an ISO-8601 time: {raw!r}") from exc
    if dt.tzinfo is None:
        raise FieldValueError("time needs a UTC offset, e.g. 2026-05-01T08:00:00Z")
    try:
        return dt.astimezone(UTC)
    except OverflowError as exc:
        raise FieldValueError(f"time out of range: {raw!r}") from exc


def _text(raw: Any, *, limit: int, optional: bool) -> str | None:
    if raw is None and optional:
        return None
    if not isinstance(raw, str):
        raise FieldValueError("expected text")
    problem = text_problem(raw)
    if problem:
        raise FieldValueError(problem)
    if not raw.strip() and not optional:
        raise FieldValueError("must not be empty")
    if len(raw) > limit:
        raise FieldValueError(f"longer than {limit} characters")
    return raw


def normalize(field: str, raw: Any, crew_codes: set[str]) -> Any:
    """The canonical wire form of `raw` for `field`, or FieldValueError."""
    if field == "status":
        if raw not in STATUSES:
            raise FieldValueError(f"unknown status {raw!r}")
        return raw
    if field == "priority":
        if isinstance(raw, bool) or not isinstance(raw, int) or raw not in PRIORITIES:
            raise FieldValueError("priority must be an integer from 1 (emergency) to 5")
        return raw
    if field == "assigned_crew":
        if raw is None:
            return None
        if not isinstance(raw, str) or raw not in crew_codes:
            raise FieldValueError(f"unknown crew {raw!r}")
        return raw
    if field == "due_at":
        return None if raw is None else iso(parse_time(raw))
    if field == "description":
        return _text(raw, limit=MAX_TEXT, optional=False)
    if field == "address":
        return _text(raw, limit=300, optional=False)
    if field == "service_code":
        if not isinstance(raw, str) or raw not in BY_CODE:
            raise FieldValueError(f"unknown service code {raw!r}")
        return raw
    if field == "location":
        if (
            not isinstance(raw, list | tuple)
            or len(raw) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw)
        ):
            raise FieldValueError("location must be [latitude, longitude]")
        lat, lon = float(raw[0]), float(raw[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise FieldValueError("location out of range")
        return [round(lat, 7), round(lon, 7)]
    if field == "resolution_code":
        if raw is not None and (not isinstance(raw, str) or raw not in RESOLUTION_CODES):
            raise FieldValueError(f"unknown resolution code {raw!r}")
        return raw
    if field == "resolution_note":
        return _text(raw, limit=MAX_TEXT, optional=True)
    if field == "duplicate_of":
        if raw is None:
            return None
        try:
            return str(uuid.UUID(raw))
        except (TypeError, ValueError, AttributeError) as exc:
            raise FieldValueError("duplicate_of must be the id of the main ticket") from exc
    raise FieldValueError(f"unknown or read-only field {field!r}")


def note_text(raw: Any) -> str:
    text = _text(raw, limit=MAX_TEXT, optional=False)
    assert text is not None
    return text
