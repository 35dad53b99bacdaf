"""What tus 1.0.0 asks of a request, checked before an upload is read or touched, and the
endpoint's OpenAPI description (headers, bodies, every answer).

`tus_headers` refuses a request whose headers are wrong before anything else happens, so a
refused request writes nothing; OPTIONS (`options_route`) lists the extensions that work.
"""

# No `from __future__ import annotations`: FastAPI reads the dependencies' signatures.
import re
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request, Response
from starlette.datastructures import Headers

from caseserver.errordocs import error_responses
from sync.wire import API_PREFIX, PHOTO_STORED_HEADER

UPLOADS_PATH = f"{API_PREFIX}/uploads"
TUS_VERSION = "1.0.0"
UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")
#: The tus extensions this endpoint supports, as OPTIONS advertises them (not
#: creation-defer-length nor concatenation: a photo's length is known, and it is one upload).
TUS_EXTENSIONS = ("creation", "creation-with-upload", "expiration", "termination")
OFFSET_OCTETS = "application/offset+octet-stream"
_DIGITS = re.compile(r"^[0-9]{1,15}$")
_HEADER_NAMES = {
    "upload-length": "Upload-Length",
    "upload-offset": "Upload-Offset",
    "content-length": "Content-Length",
}


def options_route(max_bytes: int) -> Callable[[], Response]:
    def tus_options() -> Response:
        """What this tus server supports; answered to anyone, with or without `Tus-Resumable`."""
        return Response(
            status_code=204,
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": ",".join(TUS_EXTENSIONS),
                "Tus-Max-Size": str(max_bytes),
            },
        )

    return tus_options


def tus_headers(max_bytes: int) -> Callable[[Request], Any]:
    """Refusals that need only the request: before anything is read, created or written."""

    async def tus_headers(request: Request) -> None:
        uid = request.path_params.get("upload_id")
        if uid is not None and not UPLOAD_ID_RE.match(uid):
            raise HTTPException(404, "no such upload")
        headers = request.headers
        if headers.get("tus-resumable") != TUS_VERSION:
            raise HTTPException(
                412, f"Tus-Resumable: {TUS_VERSION} is required", headers={"Tus-Version": TUS_VERSION}
            )
        if "upload-concat" in headers:
            raise HTTPException(400, "Upload-Concat is not supported: upload each photo as one upload")
        if "upload-defer-length" in headers:
            raise HTTPException(400, "Upload-Length is required (a deferred length is not accepted)")
        if request.method == "POST":
            length = _whole_number(headers, "upload-length", 400)
            body = _body_length(headers, required=False)
            if body:
                _offset_octets(headers)
                if body > min(length, max_bytes):
                    raise HTTPException(
                        413, f"the creation request carries {body} bytes, more than Upload-Length"
                    )
        elif request.method == "PATCH":
            _offset_octets(headers)
            _whole_number(headers, "upload-offset", 400)
            _body_length(headers, required=True)
            if "upload-length" in headers:
                _whole_number(headers, "upload-length", 400)

    return tus_headers


def _whole_number(headers: Headers, name: str, status: int) -> int:
    value = headers.get(name)
    if value is None or not _DIGITS.match(value):
        raise HTTPException(status, f"{_HEADER_NAMES[name]} must be a whole number of bytes")
    return int(value)


def _body_length(headers: Headers, *, required: bool) -> int:
    """The request body's length: a chunked body (no Content-Length) is refused, the length must be known."""
    if "transfer-encoding" in headers or (required and "content-length" not in headers):
        raise HTTPException(411, "Content-Length is required (no chunked transfer encoding)")
    return _whole_number(headers, "content-length", 400) if "content-length" in headers else 0


def _offset_octets(headers: Headers) -> None:
    if headers.get("content-type") != OFFSET_OCTETS:
        raise HTTPException(415, f"Content-Type must be {OFFSET_OCTETS}")


#: The answer headers of tus, for the OpenAPI description.
_TUS_RESUMABLE = {"description": "The tus version of the answer", "schema": {"type": "string"}}
_OFFSET = {"description": "Bytes of the upload the server holds", "schema": {"type": "integer"}}
_EXPIRES = {
    "description": "Until when the upload may be resumed (RFC 7231 date)",
    "schema": {"type": "string"},
}
_STORED = {
    "description": "On the answer that finished the upload: the SHA-256 the photo is stored under",
    "schema": {"type": "string"},
}
DISCOVERY_HEADERS = {
    "Tus-Resumable": _TUS_RESUMABLE,
    "Tus-Version": {"description": "The tus versions supported", "schema": {"type": "string"}},
    "Tus-Extension": {"description": "The tus extensions supported", "schema": {"type": "string"}},
    "Tus-Max-Size": {"description": "The largest upload accepted, in bytes", "schema": {"type": "integer"}},
}
#: Per method: the success answer and the errors a tus route gives (401 is declared for every route).
TUS_ANSWERS: dict[str, dict[int | str, dict[str, Any]]] = {
    "POST": {
        201: {
            "description": "Upload created at `Location`; with a body (creation-with-upload), "
            "`Upload-Offset` says how much of it was kept",
            "headers": {
                "Location": {"description": "The upload's URL", "schema": {"type": "string"}},
                "Tus-Resumable": _TUS_RESUMABLE,
                "Upload-Offset": _OFFSET,
                "Upload-Expires": _EXPIRES,
                PHOTO_STORED_HEADER: _STORED,
            },
        },
        **error_responses(400, 404, 409, 411, 412, 413, 415, 422, 503),
    },
    "PATCH": {
        204: {
            "description": "The bytes are kept; the last ones also stored the photo (`Photo-Stored`)",
            "headers": {
                "Tus-Resumable": _TUS_RESUMABLE,
                "Upload-Offset": _OFFSET,
                "Upload-Expires": _EXPIRES,
                PHOTO_STORED_HEADER: _STORED,
            },
        },
        **error_responses(400, 404, 409, 410, 411, 412, 413, 415, 422, 503),
    },
    "DELETE": {
        204: {"description": "The upload is abandoned", "headers": {"Tus-Resumable": _TUS_RESUMABLE}},
        **error_responses(404, 410, 412),
    },
    "HEAD": {
        200: {
            "description": "Where the upload stands (offset = length once finished)",
            "headers": {
                "Tus-Resumable": _TUS_RESUMABLE,
                "Upload-Offset": _OFFSET,
                "Upload-Length": {"description": "The upload's length", "schema": {"type": "integer"}},
            },
        },
        **error_responses(404, 410, 412),
    },
}
_BYTES = {"application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}}
#: Headers the routes read that HTTP itself sets, or that this endpoint refuses.
_UNDECLARED = {"upload-defer-length", "upload-concat", "content-type", "content-length"}


def describe_tus(openapi: dict[str, Any]) -> None:
    """The tus operations' request side in the OpenAPI description: headers and bodies as tus has them."""
    for path, operations in openapi.get("paths", {}).items():
        if not path.startswith(UPLOADS_PATH):
            continue
        for method, operation in operations.items():
            params = [p for p in operation.get("parameters", []) if p["name"].lower() not in _UNDECLARED]
            for param in params:
                name = param["name"].lower()
                if name == "tus-resumable":
                    param["required"] = method != "options"
                    param["schema"] = {"type": "string", "enum": [TUS_VERSION]}
                    param["description"] = "The tus version the client speaks"
                elif name in ("upload-offset", "upload-length"):
                    param["schema"] = {"type": "integer", "minimum": 0}
                    param["required"] = name == "upload-offset" or method == "post"
                elif name == "upload-metadata":
                    param["required"] = method == "post"
                    param["description"] = (
                        "tus metadata: `sha256 <base64 of the 64 hex digits>,photo_id <base64 of the photo's "
                        "UUID>`, optionally `filename`"
                    )
            if method == "patch":
                params = [p for p in params if p["name"].lower() != "upload-length"]
                operation["requestBody"] = {"required": True, "content": _BYTES}
            elif method == "post":
                operation["requestBody"] = {"required": False, "content": _BYTES}
            operation["parameters"] = params
