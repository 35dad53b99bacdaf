"""Resumable photo uploads: tus 1.0.0 at /api/v1/uploads/ (tuspyserver), and what happens on completion.

Unfinished uploads live as files under ``<blob_dir>/uploads`` (the bytes, a JSON
``.info`` beside them with the offset, and tuspyserver's ``flock`` lock files), so
they survive a restart and are shared by every server process on the same blob
folder; nothing about an upload is held in memory.

Around tuspyserver this module adds:

- OPTIONS (tus discovery) for anyone, at `/api/v1/uploads` and `/api/v1/uploads/`,
  listing only the extensions that work (caseserver.tusprotocol);
- the caller's bearer token, checked before anything else on every other tus request
  (a PATCH from a stranger never writes a byte), then the request's tus headers, the
  upload's owner and its offset and length: any refused request writes nothing;
- refusals at creation: `Upload-Length` over the photo limit (413), missing or
  malformed `sha256` / `photo_id` metadata, deferred length, concatenation (400);
  a `photo_id` without a photo record on the server (409: sync first), a photo of a
  ticket the caller cannot see (404, as for reading it), a `sha256` or a length other
  than the record's (422);
- each upload belongs to the user who created it (kept in its `.info` metadata as
  `uploaded_by`): HEAD, PATCH and DELETE from anyone else answer 404;
- a HEAD that also answers for uploads missing tus's optional `filetype` key and for
  finished uploads (offset = length), so a client that lost the last answer sees it
  is done;
- creation-with-upload: a creation may carry the first bytes, or the whole photo;
- on completion (the last PATCH, or a creation that carried every byte): SHA-256
  against the announced one, the JPEG structure check (caseserver.images), a flush to
  disk, storing in the content-addressed BlobStore and the `blobs` row; that request's
  answer then carries `Photo-Stored: <sha256>`. A refusal answers it with 422 and the
  reason, and deletes the upload.
"""

# No `from __future__ import annotations` here: the dependencies' Annotated parameters
# are made inside the factories, where string annotations could not be resolved.
import asyncio
import hashlib
import logging
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool
from tuspyserver import create_tus_router
from tuspyserver.params import TusUploadParams

from caseserver.auth import Caller
from caseserver.blobstore import BlobStore, fsync_path
from caseserver.changes import insert_new
from caseserver.config import Settings
from caseserver.db import Database
from caseserver.images import ImageInfo, ImageRefused, check_jpeg
from caseserver.models import Blob, Photo, Ticket
from caseserver.notifier import photo_arrived
from caseserver.photoaccess import record_holder
from caseserver.tusprotocol import (
    DISCOVERY_HEADERS,
    TUS_VERSION,
    UPLOAD_ID_RE,
    UPLOADS_PATH,
    describe_routes,
    options_route,
    tus_headers,
)
from sync.wire import PHOTO_STORED_HEADER

log = logging.getLogger("caseserver.uploads")

#: An unfinished upload may be resumed for this many days.
UPLOAD_DAYS = 7
#: Expired uploads are swept this often (and once when the server starts).
SWEEP_SECONDS = 3600.0
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
#: Metadata key, set by the server, naming the user id that created the upload.
CREATOR_KEY = "uploaded_by"
NO_RECORD = "the photo's record has not reached the server yet: sync first"
NOT_STORED = "the photo could not be stored just now: send its last byte again (HEAD gives the offset)"
#: Threads that hash and flush finished uploads while the JPEG check runs (two jobs per
#: upload; enough that one upload's flush rarely waits behind another's).
_VERIFIERS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="upload-verify")


class UploadRefused(ValueError):
    """The finished upload is not kept; the message tells the uploader why."""


def uploads_router(settings: Settings, database: Database, caller: Callable[..., Caller]) -> APIRouter:
    """The tus endpoint: OPTIONS open to all (discovery), every other route behind the bearer token."""
    files_dir = uploads_dir(settings)
    files_dir.mkdir(parents=True, exist_ok=True)
    complete = _completion(BlobStore(settings.blob_dir), database)
    tus = create_tus_router(
        prefix=UPLOADS_PATH,
        files_dir=str(files_dir),
        max_size=settings.max_photo_bytes,
        days_to_keep=UPLOAD_DAYS,
        pre_create_dep=_creation_check(settings.max_photo_bytes, database, caller),
        on_upload_complete=complete,
        tags=["photos"],
    )
    tus.routes[:] = [r for r in tus.routes if getattr(r, "methods", None) not in ({"HEAD"}, {"OPTIONS"})]
    tus.add_api_route(
        "/{uuid}",
        _head_route(files_dir),
        methods=["HEAD"],
        summary="Offset of an upload",
    )
    describe_routes(tus)
    # Dependencies given here run before the tus routes' own, so the token, the headers,
    # the upload's owner and its offset are checked before a PATCH body is read: a
    # refused request writes nothing.
    signed_in = APIRouter(
        dependencies=[
            Depends(caller),
            Depends(tus_headers(settings.max_photo_bytes)),
            Depends(_creator_only(files_dir, caller)),
            Depends(_upload_state(files_dir)),
            Depends(_record_creator(files_dir, caller), scope="function"),
            Depends(_announce_stored(files_dir, complete, caller), scope="function"),
        ]
    )
    signed_in.include_router(tus)
    router = APIRouter()
    options = options_route(settings.max_photo_bytes)
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


def _completion(store: BlobStore, database: Database) -> Callable[[str, dict[str, str]], Any]:
    """The check run when an upload's last byte arrives: the photo is stored, or 422 says why not.

    Should storing fail for another reason (a disk or database error), the answer is 503
    and the upload takes its last byte back, so HEAD does not call it finished and the
    client's retry of that byte runs the check again.
    """

    async def on_complete(path: str, metadata: dict[str, str]) -> None:
        try:
            await run_in_threadpool(accept_upload, Path(path), metadata, store, database)
        except UploadRefused as exc:
            raise HTTPException(422, f"photo refused: {exc}") from exc
        except Exception as exc:
            log.exception("storing the finished upload %s failed", path)
            await run_in_threadpool(_reopen, Path(path), store.path_for(metadata.get("sha256", "")))
            raise HTTPException(503, NOT_STORED, headers={"Retry-After": "30"}) from exc

    return on_complete


def _reopen(path: Path, stored: Path) -> None:
    """Set an upload whose completion failed back by one byte (its bytes are put back if they moved)."""
    info = path.with_name(f"{path.name}.info")
    try:
        params = TusUploadParams.model_validate_json(info.read_text())
        if params.size is None or (not path.exists() and not stored.is_file()):
            return
        if not path.exists():
            shutil.copyfile(stored, path)
        with path.open("r+b") as file:
            file.truncate(params.size - 1)
        params.offset = params.size - 1
        partial = info.with_name(f"{info.name}.new")
        partial.write_text(params.model_dump_json())
        os.replace(partial, info)
    except (OSError, ValueError):
        log.exception("the upload %s could not be set back after its failed completion", path.name)


def uploads_dir(settings: Settings) -> Path:
    """Where unfinished uploads live (inside the blob folder: a finished one moves in by rename)."""
    return settings.blob_dir / "uploads"


def _upload_state(files_dir: Path) -> Callable[[Request], Any]:
    """A PATCH must continue its upload at its offset and stay within its length (after the owner check)."""

    async def upload_state(request: Request) -> None:
        if request.method != "PATCH":
            return
        params = _upload_params(files_dir, request.path_params.get("uuid", ""))
        if params is None or params.size is None:
            raise HTTPException(404, "no such upload")
        if _expired(params, datetime.now(UTC)):
            raise HTTPException(410, "upload expired")
        headers = request.headers
        offset = int(headers["upload-offset"])
        if offset != params.offset:
            raise HTTPException(409, f"Upload-Offset {offset} is not the upload's offset {params.offset}")
        if "upload-length" in headers and int(headers["upload-length"]) != params.size:
            raise HTTPException(400, f"the upload's length is {params.size}, set at creation")
        if offset + int(headers.get("content-length", "0")) > params.size:
            raise HTTPException(413, f"the bytes would go past the upload's length {params.size}")

    return upload_state


def _creation_check(
    max_bytes: int, database: Database, caller: Callable[..., Caller]
) -> Callable[..., Callable[[dict[str, str], dict[str, Any]], Any]]:
    """tuspyserver's pre-create dependency: the announcement, then the photo's record, for this caller."""

    async def creation_check(
        who: Annotated[Caller, Depends(caller)],
    ) -> Callable[[dict[str, str], dict[str, Any]], Any]:
        async def check(metadata: dict[str, str], upload: dict[str, Any]) -> None:
            _check_announcement(metadata, upload, max_bytes)
            await run_in_threadpool(_check_record, database, metadata, int(upload["size"]), who)

        return check

    return creation_check


def _check_announcement(metadata: dict[str, str], upload: dict[str, Any], max_bytes: int) -> None:
    size = upload.get("size")
    if upload.get("defer_length") or size is None:
        raise HTTPException(400, "Upload-Length is required (a deferred length is not accepted)")
    if size > max_bytes:
        raise HTTPException(413, f"the photo is {size} bytes, more than the {max_bytes} allowed")
    if size == 0:
        raise HTTPException(422, "photo refused: an empty file is not a photo")
    if not SHA256_RE.match(metadata.get("sha256", "")):
        raise HTTPException(400, "Upload-Metadata needs sha256: the photo's SHA-256 as 64 lowercase hex")
    try:
        uuid.UUID(metadata.get("photo_id", ""))
    except ValueError:
        raise HTTPException(400, "Upload-Metadata needs photo_id: the photo's id (a UUID)") from None


def _check_record(database: Database, metadata: dict[str, str], size: int, who: Caller) -> None:
    """The upload must be the bytes of a photo record the caller may see (404 hides other crews' photos)."""
    with database.read() as session:
        photo = session.get(Photo, str(uuid.UUID(metadata["photo_id"])))
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


def _creator_only(files_dir: Path, caller: Callable[..., Caller]) -> Callable[..., None]:
    """HEAD, PATCH and DELETE of an upload answer 404 to anyone but the user who created it."""

    async def creator_only(request: Request, who: Annotated[Caller, Depends(caller)]) -> None:
        uid = request.path_params.get("uuid")
        if uid is None:
            return
        params = _upload_params(files_dir, uid)
        if params is not None and params.metadata.get(CREATOR_KEY) != str(who.user_id):
            raise HTTPException(404, "no such upload")

    return creator_only


def _record_creator(files_dir: Path, caller: Callable[..., Caller]) -> Callable[..., AsyncIterator[None]]:
    """After a creation, write the creator into the new upload's `.info` (before the answer goes out).

    The answer's `Location` becomes a path: tuspyserver builds it from the request's
    `Host` (or `X-Forwarded-Host`), which a client chooses; tus clients resolve a path
    against the URL they posted to.
    """

    async def record_creator(
        request: Request, response: Response, who: Annotated[Caller, Depends(caller)]
    ) -> AsyncIterator[None]:
        yield
        location = response.headers.get("location")
        if request.method != "POST" or response.status_code != 201 or not location:
            return
        uid = location.rstrip("/").rsplit("/", 1)[1]
        params = _upload_params(files_dir, uid)
        if params is None:
            raise HTTPException(500, "the new upload could not be found")
        params.metadata[CREATOR_KEY] = str(who.user_id)
        info = files_dir / f"{uid}.info"
        partial = info.with_name(f"{uid}.info.new")
        partial.write_text(params.model_dump_json())
        os.replace(partial, info)
        response.headers["location"] = f"{UPLOADS_PATH}/{uid}"

    return record_creator


def _announce_stored(
    files_dir: Path, complete: Callable[[str, dict[str, str]], Any], caller: Callable[..., Caller]
) -> Callable[..., AsyncIterator[None]]:
    """The request that finishes an upload says, in its answer, that the photo is stored.

    That is the last PATCH, or a creation whose body carried the whole photo
    (creation-with-upload; the library does not run the completion check for it, so it
    runs here). It answers 204 (201) only after the completion check kept the bytes (a
    refusal is a 422), so its `Photo-Stored: <sha256>` header is the server confirming
    the hash: the device needs no separate `GET /blobs/{sha256}` round trip before it
    may free its copy.
    """

    async def announce_stored(
        request: Request, response: Response, who: Annotated[Caller, Depends(caller)]
    ) -> AsyncIterator[None]:
        yield
        if request.method == "PATCH" and response.status_code == 204:
            uid = request.path_params.get("uuid", "")
        elif request.method == "POST" and response.status_code == 201 and "upload-offset" in response.headers:
            uid = response.headers.get("location", "").rstrip("/").rsplit("/", 1)[-1]
        else:
            return
        params = _upload_params(files_dir, uid)
        if params is None or params.size is None or params.offset != params.size:
            return
        if request.method == "POST":  # the creator is not in the upload's metadata yet
            await complete(str(files_dir / uid), {**params.metadata, CREATOR_KEY: str(who.user_id)})
        response.headers[PHOTO_STORED_HEADER] = params.metadata.get("sha256", "")

    return announce_stored


def _head_route(files_dir: Path) -> Callable[..., Response]:
    def head_upload(uuid: str, tus_resumable: Annotated[str | None, Header()] = None) -> Response:
        """How many bytes of the upload the server holds (all of them once it is finished)."""
        if tus_resumable != TUS_VERSION:
            raise HTTPException(412, f"Unsupported version. Expected {TUS_VERSION}")
        params = _upload_params(files_dir, uuid)
        if params is None:
            raise HTTPException(404, "no such upload")
        if _expired(params, datetime.now(UTC)):
            raise HTTPException(410, "upload expired")
        finished = not (files_dir / uuid).exists()
        offset = params.size if finished else params.offset
        return Response(
            status_code=200,
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Upload-Offset": str(offset),
                "Upload-Length": str(params.size),
                "Cache-Control": "no-store",
            },
        )

    return head_upload


def _expired(params: TusUploadParams, now: datetime) -> bool:
    if not isinstance(params.expires, str):
        return False
    try:
        return parsedate_to_datetime(params.expires) < now
    except (TypeError, ValueError):
        return False


def sweep_expired_uploads(files_dir: Path, now: datetime | None = None) -> int:
    """Delete uploads past their expiry: unfinished bytes, the `.info` and the lock file.

    An expired upload can no longer be resumed (HEAD and PATCH answer 410), so nothing
    of use is lost; without the sweep, uploads abandoned by their device would fill
    the disk. Returns how many uploads were removed.
    """
    now = now or datetime.now(UTC)
    removed = 0
    for info in files_dir.glob("*.info"):
        uid = info.name.removesuffix(".info")
        params = _upload_params(files_dir, uid)
        if params is None or not _expired(params, now):
            continue
        for path in (files_dir / uid, info, files_dir / ".locks" / f"{uid}.lock"):
            path.unlink(missing_ok=True)
        removed += 1
    if removed:
        log.info("removed %d expired uploads", removed)
    return removed


async def sweep_expired_uploads_forever(files_dir: Path, every_seconds: float = SWEEP_SECONDS) -> None:
    """The server's housekeeping task: a sweep at start, then one every `every_seconds`."""
    while True:
        try:
            await run_in_threadpool(sweep_expired_uploads, files_dir)
        except Exception:  # housekeeping outlives a bad file; the next round tries again
            log.exception("sweeping expired uploads failed")
        await asyncio.sleep(every_seconds)


def _upload_params(files_dir: Path, uid: str) -> TusUploadParams | None:
    if not UPLOAD_ID_RE.match(uid):
        return None
    try:
        return TusUploadParams.model_validate_json((files_dir / f"{uid}.info").read_text())
    except (FileNotFoundError, ValueError):
        return None


def accept_upload(path: Path, metadata: dict[str, str], store: BlobStore, database: Database) -> ImageInfo:
    """Check a finished upload and keep it, or delete it and raise UploadRefused.

    Kept: the bytes are made durable and move into the blob store (once, whoever sends
    them), and the `blobs` row is written; the upload's `.info` stays, so HEAD reports
    it finished. The hash and the flush to disk run on other threads (both release
    the GIL) while this one walks the JPEG's structure.
    """
    announced = metadata.get("sha256", "")
    try:
        data = path.read_bytes()  # at most the photo limit; read once for the hash and the check
        hashed = _VERIFIERS.submit(lambda: hashlib.sha256(data).hexdigest())
        flushed = _VERIFIERS.submit(fsync_path, path)  # on disk before the server says it has it
        try:
            info: ImageInfo | ImageRefused = check_jpeg(data)
        except ImageRefused as exc:
            info = exc
        actual = hashed.result()
        flushed.result()
        if actual != announced:
            raise UploadRefused(f"the bytes' SHA-256 is {actual}, not the announced {announced}")
        if isinstance(info, ImageRefused):
            raise UploadRefused(str(info)) from info
    except UploadRefused as exc:
        log.info("upload %s refused: %s", path.name, exc)
        path.unlink(missing_ok=True)
        path.with_name(f"{path.name}.info").unlink(missing_ok=True)
        raise
    store.adopt(path, actual)
    creator = metadata.get(CREATOR_KEY, "")
    record_blob(database, actual, len(data), info, int(creator) if creator.isdigit() else None)
    photo_arrived(database, actual)  # reporter emails waiting for these bytes go now
    return info


def record_blob(
    database: Database, sha256: str, size: int, info: ImageInfo, holder_id: int | None = None
) -> None:
    """Insert the `blobs` row and record who showed the bytes; a second upload of the same bytes
    adds only its sender as a holder."""
    values = {
        "sha256": sha256,
        "size": size,
        "content_type": info.content_type,
        "width": info.width,
        "height": info.height,
        "stored_at": datetime.now(UTC),
    }
    with database.write() as session:
        insert_new(session, Blob, "sha256", [values])
        if holder_id is not None:
            record_holder(session, sha256, holder_id)
