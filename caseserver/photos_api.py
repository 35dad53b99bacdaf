"""Reading photos: upload confirmations, originals and thumbnails for crews, public copies.

- `GET /api/v1/blobs/{sha256}`: the device's proof that its photo is stored and its
  hash confirmed (only then may it free the local file).
- `GET /api/v1/photos/{id}/original` and `/thumb`: for signed-in callers who can see
  the photo's ticket; everyone else gets 404, as for the ticket itself.
- `GET /public/photos/{id}.jpg`: no sign-in; only photos marked `for_reporter`, as
  the blob store's public copy (upright, resized, no EXIF, GPS or maker notes).

Blobs never change (their name is their hash), so answers may be cached and a matching
`If-None-Match` gets 304. Originals carry their SHA-256 as ETag (only callers who may
read them see it); thumbnails and public copies carry the hash of their own bytes, so
a public answer never tells anyone the original's hash. Which bytes a caller may read
is decided in photoaccess.py: knowing a hash is never enough.
"""

# No `from __future__ import annotations` here: the routes' Annotated dependencies
# are made inside the factories, where string annotations could not be resolved.
import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from caseserver.auth import Caller
from caseserver.blobstore import PUBLIC_EDGE, BlobMissing, BlobStore, StoreUnavailable, UndecodablePhoto
from caseserver.db import Database
from caseserver.errordocs import error_responses, jpeg_responses
from caseserver.models import Blob, Photo, Ticket
from caseserver.photoaccess import may_read_blob, photo_is_shown
from sync.wire import API_PREFIX

log = logging.getLogger("caseserver.photos")

#: Longest edge of a thumbnail, in pixels.
THUMB_EDGE = 320
PRIVATE_CACHE = "private, max-age=31536000, immutable"
PUBLIC_CACHE = "public, max-age=86400"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class BlobDoc(BaseModel):
    """A stored photo's bytes, as the server checked them."""

    sha256: str
    size: int
    content_type: str
    width: int | None
    height: int | None


def photos_router(database: Database, store: BlobStore, caller: Callable[..., Caller]) -> APIRouter:
    router = APIRouter(tags=["photos"])
    CallerDep = Annotated[Caller, Depends(caller)]
    IfNoneMatch = Annotated[str | None, Header()]

    @router.get(
        f"{API_PREFIX}/blobs/{{sha256}}",
        response_model=BlobDoc,
        summary="Is this photo stored?",
        responses=error_responses(404),
    )
    def get_blob(sha256: Annotated[str, Path(pattern=SHA256_PATTERN)], caller: CallerDep) -> BlobDoc:
        with database.read() as session:
            blob = session.get(Blob, sha256)
            if blob is None or not may_read_blob(session, sha256, caller):
                raise HTTPException(404, "no photo with this SHA-256 is stored")
            return BlobDoc.model_validate(blob, from_attributes=True)

    @router.get(
        f"{API_PREFIX}/photos/{{photo_id}}/original",
        summary="The photo as uploaded",
        responses=jpeg_responses(404, 503),
    )
    def get_original(photo_id: str, caller: CallerDep, if_none_match: IfNoneMatch = None) -> Response:
        with database.read() as session:
            sha = _visible_sha256(session, photo_id, caller)
        if _matches(if_none_match, sha):
            return _not_modified(sha, PRIVATE_CACHE)
        return _jpeg(_stored(store.read, sha), sha, PRIVATE_CACHE)

    @router.get(
        f"{API_PREFIX}/photos/{{photo_id}}/thumb",
        summary=f"The photo, at most {THUMB_EDGE} px",
        responses=jpeg_responses(404, 422, 503),
    )
    def get_thumb(photo_id: str, caller: CallerDep, if_none_match: IfNoneMatch = None) -> Response:
        with database.read() as session:
            sha = _visible_sha256(session, photo_id, caller)
        return _copy(_smaller(store, sha, THUMB_EDGE), PRIVATE_CACHE, if_none_match)

    return router


def public_photos_router(database: Database, store: BlobStore) -> APIRouter:
    router = APIRouter(tags=["public"])

    @router.get(
        "/public/photos/{photo_id}.jpg",
        summary="A photo the crew marked for the reporter",
        responses=jpeg_responses(404, 422, 503),
    )
    def get_public_photo(photo_id: str, if_none_match: Annotated[str | None, Header()] = None) -> Response:
        with database.read() as session:
            photo = _photo(session, photo_id)
            shown = photo is not None and photo.for_reporter and photo_is_shown(session, photo)
            sha = photo.sha256 if shown and photo is not None else None
        if sha is None:
            raise HTTPException(404, "no such photo")
        return _copy(_smaller(store, sha, PUBLIC_EDGE), PUBLIC_CACHE, if_none_match)

    return router


def _smaller(store: BlobStore, sha256: str, edge: int) -> bytes:
    """The EXIF-free copy at most `edge` px; 422 when the stored bytes cannot be decoded."""
    try:
        return _stored(lambda sha: store.public_copy(sha, edge), sha256)
    except UndecodablePhoto as exc:
        log.error("%s", exc)
        raise HTTPException(422, "the photo's image data is damaged: it cannot be shown smaller") from exc


def _stored(read: Callable[[str], bytes], sha256: str) -> bytes:
    """Bytes from the store: 404 when they are gone from it, 503 when it does not answer."""
    try:
        return read(sha256)
    except BlobMissing as exc:
        log.error("the stored photo %s is missing from the blob store", sha256)
        raise HTTPException(404, "the photo's bytes are missing from the store") from exc
    except StoreUnavailable as exc:
        log.error("the blob store did not give %s: %s", sha256, exc)
        raise HTTPException(
            503, "the photo store does not answer just now", headers={"Retry-After": "30"}
        ) from exc


def _photo(session: Session, photo_id: str) -> Photo | None:
    try:
        key = str(uuid.UUID(photo_id))
    except ValueError:
        return None
    return session.get(Photo, key)


def _visible_sha256(session: Session, photo_id: str, caller: Caller) -> str:
    """The hash of the photo's stored bytes, or 404 when unknown, out of scope or not uploaded yet."""
    photo = _photo(session, photo_id)
    ticket = session.get(Ticket, photo.ticket_id) if photo is not None else None
    if photo is None or ticket is None or not caller.sees_crew(ticket.assigned_crew_id):
        raise HTTPException(404, "no such photo")
    if not photo_is_shown(session, photo):
        raise HTTPException(404, "the photo's bytes have not been uploaded yet by its author")
    return photo.sha256


def _matches(if_none_match: str | None, sha256: str) -> bool:
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return f'"{sha256}"' in tags or "*" in tags


def _not_modified(sha256: str, cache: str) -> Response:
    return Response(status_code=304, headers={"ETag": f'"{sha256}"', "Cache-Control": cache})


def _copy(data: bytes, cache: str, if_none_match: str | None) -> Response:
    """A derived copy (thumbnail, public copy), tagged with the hash of its own bytes."""
    etag = hashlib.sha256(data).hexdigest()
    if _matches(if_none_match, etag):
        return _not_modified(etag, cache)
    return _jpeg(data, etag, cache)


def _jpeg(data: bytes, etag: str, cache: str) -> Response:
    return Response(data, media_type="image/jpeg", headers={"ETag": f'"{etag}"', "Cache-Control": cache})
