"""The API's error answers, as the OpenAPI description states them.

Every error of the JSON API is `{"detail": "<one sentence>"}` with a precise status,
the 422 of a malformed parameter or body included (the server never answers FastAPI's
default list of validation errors). `error_responses(...)` declares statuses on a
route; `describe_errors(app)` installs the OpenAPI builder that adds, to every
operation, those that follow from how it is built (a bearer token: 401; a body: 400
and 413; parameters: 422) and points every error at the `ErrorDoc` schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

ERROR_REF = "#/components/schemas/ErrorDoc"
#: What each error status means, in this API.
MEANINGS: dict[int, str] = {
    400: "Malformed request: JSON, a header or a parameter the server cannot read",
    401: "Not signed in: a missing, unknown, expired or revoked bearer token",
    403: "Signed in, but not allowed to do this",
    404: "Not found, or not visible to the caller",
    409: "In conflict with the server's state",
    410: "Gone: the resource expired",
    411: "Content-Length is required",
    412: "A precondition failed (for tus: Tus-Resumable must be 1.0.0)",
    413: "The body is larger than the server accepts",
    415: "The body's Content-Type is not the one this route takes",
    422: "A well-formed request with a value the server refuses",
    429: "Too many requests: Retry-After says when to try again",
    503: "The server could not finish the request just now: try again after Retry-After",
}
#: How the API's callers sign in: the token from `POST /api/v1/auth/login`.
BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "The device token from POST /api/v1/auth/login",
}
_BINARY = {"type": "string", "format": "binary"}
#: Methods whose requests the API's body limit (api.BodyLimit) reads, and may refuse with 413.
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorDoc(BaseModel):
    """Every error answer of the JSON API."""

    detail: str


def error_responses(*codes: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for these error statuses (a description per `s<code>=` overrides the usual)."""
    return {
        code: {
            "description": descriptions.get(f"s{code}", MEANINGS[code]),
            "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
        }
        for code in codes
    }


def jpeg_responses(*errors: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route that answers a JPEG, 304 to a matching `If-None-Match`, and `errors`."""
    return {
        200: {"description": "The JPEG", "content": {"image/jpeg": {"schema": _BINARY}}},
        304: {"description": "Not modified: the ETag matched If-None-Match"},
        **error_responses(*errors),
    }


def open311_responses(*errors: int, created: bool = False) -> dict[int | str, dict[str, Any]]:
    """`responses=` of an Open311 route: its document and its errors, in JSON or XML by the path's format.

    Open311 errors are the spec's list, `[{"code": 404, "description": "..."}]` (or its XML).
    """
    listed = {"type": "array", "items": {"type": "object"}}
    errors_doc = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
            "required": ["code", "description"],
        },
    }
    xml = {"schema": {"type": "string"}}
    answers: dict[int | str, dict[str, Any]] = {
        code: {
            "description": MEANINGS[code],
            "content": {"application/json": {"schema": errors_doc}, "text/xml": xml},
        }
        for code in errors
    }
    success = {"application/json": {"schema": listed if created else {}}, "text/xml": xml}
    answers[201 if created else 200] = {"description": "The Open311 document", "content": success}
    return answers


def describe_errors(app: FastAPI, *refine: Callable[[dict[str, Any]], None]) -> None:
    """Install the OpenAPI builder that declares every operation's implied errors as ErrorDoc.

    Implied: 401 where the bearer token is read (the `Authorization` header), 413 where
    a body is read (and 400 for JSON that cannot be parsed), 503 with `Retry-After` on every
    API route (a busy process), 422 wherever a parameter or body is validated (replacing
    FastAPI's list-of-errors schema, which the server never sends). Routes declare the rest
    themselves (`error_responses`). `refine` functions amend the finished document (the tus
    headers, for example).
    """
    build = app.openapi
    described: list[dict[str, Any]] = []  # the document last amended (FastAPI caches it)

    def openapi() -> dict[str, Any]:
        schema = build()
        if described and described[0] is schema:
            return schema
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                _declare_implied(method.upper(), operation)
                _bearer_as_security(operation)
                if path.startswith("/api/"):  # a busy process turns API requests away (loadshed.py)
                    operation.setdefault("responses", {}).setdefault("503", error_responses(503)[503])
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["bearer"] = BEARER_SCHEME
        schemas = components.setdefault("schemas", {})
        schemas["ErrorDoc"] = ErrorDoc.model_json_schema()
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        for amend in refine:
            amend(schema)
        described[:] = [schema]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _bearer_as_security(operation: dict[str, Any]) -> None:
    """The bearer token as a security requirement, not as an `Authorization` header parameter."""
    params = operation.get("parameters", [])
    kept = [p for p in params if not (p["in"] == "header" and p["name"].lower() == "authorization")]
    if len(kept) != len(params):
        operation["parameters"] = kept
        operation["security"] = [{"bearer": []}]


def _declare_implied(method: str, operation: dict[str, Any]) -> None:
    params = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    codes = []
    if any(p["in"] == "header" and p["name"].lower() == "authorization" for p in params):
        codes.append(401)
    if method in _BODY_METHODS:
        codes.append(413)
        if "application/json" in body:
            codes.append(400)
    answers = operation.setdefault("responses", {})
    if "422" in answers or params or body:
        implied = error_responses(422)[422]
        declared = answers.get("422", {}).get("content", {})
        if declared and "application/json" not in declared:
            # The route's own 422 (an HTML page, say) stays; validation's JSON comes beside it.
            answers["422"]["content"] = {**declared, **implied["content"]}
        else:
            answers["422"] = implied
    for code, answer in error_responses(*codes).items():
        answers.setdefault(str(code), answer)
