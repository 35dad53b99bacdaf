"""What happens when an upload's last byte arrives: the photo is checked and kept, or refused.

The bytes (the upload's parts and the last request's) are joined, hashed against the
announced SHA-256 and walked as a JPEG (caseserver.images); kept ones go into the blob
store (durable before `store` returns) and get their `blobs` row, and reporter emails
waiting for them are woken. Only then is the device told the photo is stored.
"""

from __future__ import annotations

import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from caseserver.blobstore import BlobStore
from caseserver.changes import insert_new
from caseserver.db import Database
from caseserver.images import ImageInfo, ImageRefused, check_jpeg
from caseserver.models import Blob
from caseserver.notifier import photo_arrived
from caseserver.photoaccess import record_holder
from caseserver.uploadstate import Part, UploadState

log = logging.getLogger("caseserver.uploads")

#: Threads that hash finished uploads while the JPEG check runs on the request's own.
_HASHERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="upload-hash")


class UploadRefused(ValueError):
    """The finished upload is not kept; the message tells the uploader why."""


def upload_bytes(store: BlobStore, upload: UploadState, last: Part | None = None, tail: bytes = b"") -> bytes:
    """Every byte of the upload: its counted parts, then `tail` (the bytes of `last`, not yet counted)."""
    pieces = [store.read_part(upload.id, p.start, p.token)[: p.end - p.start] for p in upload.parts]
    return b"".join([*pieces, tail])


def accept(
    store: BlobStore, database: Database, data: bytes, announced: str, holder_id: int | None
) -> ImageInfo:
    """Check the bytes of a finished upload and keep them; UploadRefused says why not.

    StoreUnavailable (and database errors) pass through: the bytes were fine, the store
    was not, and the same bytes may be sent again.
    """
    hashed = _HASHERS.submit(lambda: hashlib.sha256(data).hexdigest())
    try:
        info: ImageInfo | ImageRefused = check_jpeg(data)
    except ImageRefused as exc:
        info = exc
    actual = hashed.result()
    if actual != announced:
        raise UploadRefused(f"the bytes' SHA-256 is {actual}, not the announced {announced}")
    if isinstance(info, ImageRefused):
        raise UploadRefused(str(info)) from info
    store.store(actual, data)
    record_blob(database, actual, len(data), info, holder_id)
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
