"""Resumable photo uploads: tus 1.0.0 at /api/v1/uploads/ (creation, creation-with-upload,
expiration, termination), served alike by every server process.

Nothing about an upload is held by a process: where it stands is a database row
(caseserver.uploadstate) and its bytes are parts in the blob store (caseserver.blobstore:
a folder, or an S3-compatible object store), so an upload begun through one process is
continued through any other, and survives restarts.

Every request but OPTIONS (tus discovery, open to anyone) passes, in this order, before a
byte is read: the bearer token; the tus headers (caseserver.tusprotocol); the upload's
owner (anyone else gets 404, as for an upload that does not exist), its expiry (410),
offset (409) and length (400, 413). A refused request changes nothing.

Creation refuses: `Upload-Length` over the photo limit (413), a missing or malformed
`sha256` / `photo_id` in the metadata, a deferred length, concatenation (400); a `photo_id`
with no photo record on the server (409: sync first), a photo of a ticket the caller
cannot see (404), a `sha256` or a length other than the record's (422).

The request that brings the last byte (a PATCH, or a creation carrying the whole photo)
runs the completion (caseserver.photointake): it answers 204 (201) with
`Photo-Stored: <sha256>` only once the bytes are checked and durably stored, 422 with
the reason (and the upload deleted) when they are refused, and 503 when the store failed:
then the upload takes its last byte back, so HEAD does not call it finished and the
client's retry of that byte runs the completion again. A request cut part-way keeps the
bytes that arrived.
"""

# No `from __future__ import annotations` here: FastAPI reads the routes' Annotated signatures.
import asyncio
import base64
import binascii
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from caseserver import uploadstate
from caseserver.auth import Caller
from caseserver.blobstore import BlobMissing, BlobStore, StoreUnavailable, part_key
from caseserver.config import Settings
from caseserver.db import Database
from caseserver.models import Photo, Ticket
from caseserver.photointake import UploadRefused, accept, upload_bytes
from caseserver.tusprotocol import (
    DISCOVERY_HEADERS,
    TUS_ANSWERS,
    TUS_VERSION,
    UPLOAD_ID_RE,
    UPLOADS_PATH,
    options_route,
    tus_headers,
)
from caseserver.uploadstate import Part, UploadState
from sync.wire import PHOTO_STORED_HEADER

log = logging.getLogger("caseserver.uploads")

#: Expired uploads are swept this often (and once when the server starts).
SWEEP_SECONDS = 3600.0
SHA256_CHARS = frozenset("0123456789abcdef")
NO_RECORD = "the photo's record has not reached the server yet: sync first"
NOT_STORED = "the photo could not be stored just now: send its last byte again (HEAD gives the offset)"
NOT_KEPT = "the bytes could not be kept just now: send them again"
LOST = "the upload's bytes were lost on the server: start a new upload"
BUSY = "another request is sending this upload's bytes: HEAD gives the offset once it is done"
#: While bytes keep coming, a request renews its hold on the upload this often.
RENEW_SECONDS = uploadstate.RECEIVING.total_seconds() / 2
#: How often a request waiting for another's bytes looks again.
SETTLE_POLL_SECONDS = 0.05
Metadata = Annotated[str | None, Header(alias="Upload-Metadata")]
Length = Annotated[str | None, Header(alias="Upload-Length")]
Offset = Annotated[str | None, Header(alias="Upload-Offset")]
Resumable = Annotated[str | None, Header(alias="Tus-Resumable")]


def uploads_router(
    settings: Settings, database: Database, store: BlobStore, caller: Callable[..., Caller]
) -> APIRouter:
    """The tus endpoint: OPTIONS open to all (discovery), every other route behind the bearer token."""
    CallerDep = Annotated[Caller, Depends(caller)]
    max_bytes = settings.max_photo_bytes
    # The token first, then the tus headers: a stranger learns nothing, a bad request writes nothing.
    signed_in = APIRouter(
        prefix=UPLOADS_PATH,
        tags=["photos"],
        dependencies=[Depends(caller), Depends(tus_headers(max_bytes))],
    )

    async def create(
        request: Request,
        who: CallerDep,
        upload_length: Length = None,
        upload_metadata: Metadata = None,
        tus_resumable: Resumable = None,
    ) -> Response:
        """Start an upload of a photo whose record the server has (`Location` names it); a body
        carries its first bytes, or all of them."""
        length = int(upload_length or 0)
        metadata = _parse_metadata(upload_metadata or "")
        _check_announcement(metadata, length, max_bytes)
        await run_in_threadpool(_check_record, database, metadata, length, who)
        upload = await run_in_threadpool(uploadstate.create, database, who.user_id, metadata, length)
        response = Response(status_code=201, headers=_headers(upload))
        response.headers["Location"] = f"{UPLOADS_PATH}/{upload.id}"
        if int(request.headers.get("content-length", "0")):
            received, stored = await _receive(request, store, database, upload)
            response.headers["Upload-Offset"] = str(received)
            if stored:
                response.headers[PHOTO_STORED_HEADER] = upload.sha256
        return response

    async def head(upload_id: str, who: CallerDep, tus_resumable: Resumable = None) -> Response:
        """How many bytes of the upload the server holds (all of them once it is finished)."""
        upload = await _settled(database, await _owned(database, upload_id, who))
        return Response(
            status_code=200,
            headers={
                **_headers(upload),
                "Upload-Offset": str(upload.received),
                "Upload-Length": str(upload.length),
                "Cache-Control": "no-store",
            },
        )

    async def patch(
        request: Request,
        upload_id: str,
        who: CallerDep,
        upload_offset: Offset = None,
        upload_length: Length = None,
        tus_resumable: Resumable = None,
    ) -> Response:
        """The next bytes of the upload, from its offset; the last ones store the photo."""
        upload = await _settled(database, await _owned(database, upload_id, who))
        offset, body = int(upload_offset or 0), int(request.headers.get("content-length", "0"))
        if offset != upload.received:
            raise HTTPException(409, f"Upload-Offset {offset} is not the upload's offset {upload.received}")
        if upload_length is not None and int(upload_length) != upload.length:
            raise HTTPException(400, f"the upload's length is {upload.length}, set at creation")
        if offset + body > upload.length:
            raise HTTPException(413, f"the bytes would go past the upload's length {upload.length}")
        received, stored = await _receive(request, store, database, upload)
        response = Response(status_code=204, headers={**_headers(upload), "Upload-Offset": str(received)})
        if stored:
            response.headers[PHOTO_STORED_HEADER] = upload.sha256
        return response

    async def terminate(upload_id: str, who: CallerDep, tus_resumable: Resumable = None) -> Response:
        """Abandon the upload: its bytes are removed."""
        upload = await _owned(database, upload_id, who)
        await run_in_threadpool(_remove, store, database, upload.id)
        return Response(status_code=204, headers={"Tus-Resumable": TUS_VERSION})

    for path in ("", "/"):
        signed_in.add_api_route(
            path, create, methods=["POST"], status_code=201, summary="Start an upload", **_doc("POST")
        )
    signed_in.add_api_route(
        "/{upload_id}", head, methods=["HEAD"], summary="Offset of an upload", **_doc("HEAD")
    )
    signed_in.add_api_route(
        "/{upload_id}",
        patch,
        methods=["PATCH"],
        status_code=204,
        summary="Bytes of an upload",
        **_doc("PATCH"),
    )
    signed_in.add_api_route(
        "/{upload_id}",
        terminate,
        methods=["DELETE"],
        status_code=204,
        summary="Abandon an upload",
        **_doc("DELETE"),
    )
    router = APIRouter()
    options = options_route(max_bytes)
    for path in (UPLOADS_PATH, f"{UPLOADS_PATH}/"):
        router.add_api_route(
            path,
            options,
            methods=["OPTIONS"],
            status_code=204,
            tags=["photos"],
            summary="tus discovery: version, extensions, largest upload (no sign-in)",
            response_class=Response,
            responses={204: {"description": "What this tus server supports", "headers": DISCOVERY_HEADERS}},
        )
    router.include_router(signed_in)
    return router


def _doc(method: str) -> dict[str, object]:
    return {"responses": TUS_ANSWERS[method], "response_class": Response}


def _headers(upload: UploadState) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Upload-Expires": format_datetime(upload.expires_at, usegmt=True)}


async def _owned(database: Database, upload_id: str, who: Caller) -> UploadState:
    """The caller's own upload: 404 for anyone else's or none, 410 once it expired."""
    upload = None
    if UPLOAD_ID_RE.match(upload_id):
        upload = await run_in_threadpool(uploadstate.load, database, upload_id)
    if upload is None or upload.owner_id != who.user_id:
        raise HTTPException(404, "no such upload")
    if upload.expired(datetime.now(UTC)):
        raise HTTPException(410, "upload expired")
    return upload


async def _receive(
    request: Request, store: BlobStore, database: Database, upload: UploadState
) -> tuple[int, bool]:
    """Read the body (all of it, or up to a cut), keep it as a part and count it; the offset after
    it, and whether it finished the upload with the photo stored."""
    if not await run_in_threadpool(uploadstate.claim, database, upload):
        raise HTTPException(409, BUSY)
    try:
        data = await _body(request, database, upload)
    except BaseException:
        await run_in_threadpool(uploadstate.release, database, upload)
        raise
    if not data:
        await run_in_threadpool(uploadstate.release, database, upload)
        return upload.received, False
    part = Part(upload.received, upload.received + len(data), uuid.uuid4().hex[:12])
    if part.end == upload.length:
        await _complete(store, database, upload, part, data)
        return upload.length, True
    try:
        await run_in_threadpool(store.put_part, upload.id, part.start, part.token, data)
    except StoreUnavailable as exc:
        log.error("upload %s: its bytes could not be kept: %s", upload.id, exc)
        await run_in_threadpool(uploadstate.release, database, upload)
        raise HTTPException(503, NOT_KEPT, headers={"Retry-After": "30"}) from exc
    if not await run_in_threadpool(uploadstate.append, database, upload, part):
        await run_in_threadpool(store.delete_prefix, part_key(upload.id, part.start, part.token))
        raise HTTPException(409, "another request moved the upload's offset first: HEAD gives it")
    return part.end, False


async def _body(request: Request, database: Database, upload: UploadState) -> bytes:
    """The request's bytes, up to its end or a cut connection; the hold on the upload is renewed
    while they keep coming."""
    chunks: list[bytes] = []
    renewed = time.monotonic()
    try:
        async for chunk in request.stream():
            chunks.append(chunk)
            if time.monotonic() - renewed > RENEW_SECONDS:
                await run_in_threadpool(uploadstate.renew, database, upload)
                renewed = time.monotonic()
    except ClientDisconnect:
        log.info("upload %s: the connection was cut after %d bytes", upload.id, sum(map(len, chunks)))
    return b"".join(chunks)


async def _settled(database: Database, upload: UploadState) -> UploadState:
    """The upload once no request is taking its bytes (or after at most one hold's length): what
    a HEAD tells, and where a PATCH must start."""
    deadline = time.monotonic() + uploadstate.RECEIVING.total_seconds()
    while upload.receiving(datetime.now(UTC)) and time.monotonic() < deadline:
        await asyncio.sleep(SETTLE_POLL_SECONDS)
        fresh = await run_in_threadpool(uploadstate.load, database, upload.id)
        if fresh is None:
            raise HTTPException(404, "no such upload")
        upload = fresh
    return upload


async def _complete(
    store: BlobStore, database: Database, upload: UploadState, last: Part, tail: bytes
) -> None:
    """Check and keep the photo; 422 (the upload removed) or 503 (the upload set back one byte)."""
    try:
        data = await run_in_threadpool(upload_bytes, store, upload, last, tail)
        await run_in_threadpool(accept, store, database, data, upload.sha256, upload.owner_id)
        await run_in_threadpool(_finish, store, database, upload)
    except UploadRefused as exc:
        log.info("upload %s refused: %s", upload.id, exc)
        await run_in_threadpool(_remove, store, database, upload.id)
        raise HTTPException(422, f"photo refused: {exc}") from exc
    except BlobMissing as exc:
        log.error("upload %s: a part is missing from the store: %s", upload.id, exc)
        await run_in_threadpool(_remove, store, database, upload.id)
        raise HTTPException(410, LOST) from exc
    except Exception as exc:
        log.exception("storing the finished upload %s failed", upload.id)
        await run_in_threadpool(_set_back, store, database, upload, last, tail)
        raise HTTPException(503, NOT_STORED, headers={"Retry-After": "30"}) from exc


def _finish(store: BlobStore, database: Database, upload: UploadState) -> None:
    uploadstate.finish(database, upload)
    try:
        store.drop_upload(upload.id)
    except StoreUnavailable:  # stored all the same; the expiry sweep removes the parts
        log.warning("upload %s: its parts stay until the sweep", upload.id)


def _set_back(store: BlobStore, database: Database, upload: UploadState, last: Part, tail: bytes) -> None:
    """Keep all but the last byte of a finished upload whose photo could not be stored."""
    try:
        store.put_part(upload.id, last.start, last.token, tail)
        uploadstate.set_back(database, upload, last)
    except Exception:
        log.exception("the upload %s could not be set back after its failed completion", upload.id)
        try:  # its earlier bytes still count; nobody need wait for this request
            uploadstate.release(database, upload)
        except Exception:  # the database is down too: the hold runs out by itself
            log.exception("the upload %s stays held until its hold runs out", upload.id)


def _remove(store: BlobStore, database: Database, upload_id: str) -> None:
    """The upload and its parts go; if the store keeps the parts for now, the upload is only
    ended (expired), and the sweep removes both later."""
    try:
        store.drop_upload(upload_id)
    except StoreUnavailable as exc:
        log.warning("upload %s: its parts stay until the sweep: %s", upload_id, exc)
        uploadstate.expire(database, upload_id)
        return
    uploadstate.remove(database, upload_id)


def _parse_metadata(header: str) -> dict[str, str]:
    """tus's `Upload-Metadata`: comma-separated `key base64value` pairs (a value may be absent)."""
    metadata: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, value = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise HTTPException(400, f"Upload-Metadata: the value of {key!r} is not base64 text") from None
    return metadata


def _check_announcement(metadata: dict[str, str], size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise HTTPException(413, f"the photo is {size} bytes, more than the {max_bytes} allowed")
    if size == 0:
        raise HTTPException(422, "photo refused: an empty file is not a photo")
    digest = metadata.get("sha256", "")
    if len(digest) != 64 or not set(digest) <= SHA256_CHARS:
        raise HTTPException(400, "Upload-Metadata needs sha256: the photo's SHA-256 as 64 lowercase hex")
    try:
        metadata["photo_id"] = str(uuid.UUID(metadata.get("photo_id", "")))
    except ValueError:
        raise HTTPException(400, "Upload-Metadata needs photo_id: the photo's id (a UUID)") from None


def _check_record(database: Database, metadata: dict[str, str], size: int, who: Caller) -> None:
    """The upload must be the bytes of a photo record the caller may see (404 hides other crews' photos)."""
    with database.read() as session:
        photo = session.get(Photo, metadata["photo_id"])
        if photo is None:
            raise HTTPException(409, NO_RECORD)
        ticket = session.get(Ticket, photo.ticket_id)
        if ticket is None or not who.sees_crew(ticket.assigned_crew_id):
            raise HTTPException(404, "no such photo")
        if photo.sha256 != metadata["sha256"]:
            raise HTTPException(
                422,
                f"photo refused: the announced SHA-256 {metadata['sha256']} is not the photo record's "
                f"{photo.sha256}",
            )
        if photo.size != size:
            raise HTTPException(
                422, f"photo refused: Upload-Length {size} is not the photo record's size {photo.size}"
            )


def sweep_expired_uploads(store: BlobStore, database: Database, now: datetime | None = None) -> int:
    """Delete uploads past their expiry, with their bytes; how many went.

    An expired upload can no longer be resumed (HEAD and PATCH answer 410), so nothing of
    use is lost; without the sweep, uploads abandoned by their device would fill the store.
    Every process sweeps; removing what another removed first is no error.
    """
    expired = uploadstate.expired_ids(database, now or datetime.now(UTC))
    for upload_id in expired:
        _remove(store, database, upload_id)
    if expired:
        log.info("removed %d expired uploads", len(expired))
    return len(expired)


async def sweep_expired_uploads_forever(
    store: BlobStore, database: Database, every_seconds: float = SWEEP_SECONDS
) -> None:
    """The server's housekeeping task: a sweep at start, then one every `every_seconds`."""
    while True:
        try:
            await run_in_threadpool(sweep_expired_uploads, store, database)
        except Exception:  # housekeeping outlives a bad round; the next round tries again
            log.exception("sweeping expired uploads failed")
        await asyncio.sleep(every_seconds)
