"""The photo upload queue: resumable tus uploads, separate from record sync.

A photo's metadata travels with record sync (its 'photo' op); its bytes go here, once
the server knows the photo. Each upload is a tus 1.0.0 upload (tuspy client) at
``/api/v1/uploads/`` with the device's bearer token and the metadata keys ``sha256``,
``photo_id`` and ``filename``. A photo up to WHOLE_IN_CREATION bytes goes in the request
that creates its upload (tus creation-with-upload: one round trip less); should that
request fail, its next try goes as a larger photo does: the upload is created, its URL
stored before any byte is sent, and the photo goes in one PATCH. Bodies stream from the
file (progress and cancel every PIECE bytes). The bytes sent are stored after every
PATCH, so an upload resumes where it stopped (dropped connection, cancel, server
restart, app restart): the server's offset (HEAD) decides where to go on.

The answer that finishes the upload (the creation's, or the last PATCH's) names the
SHA-256 the server checked and stored the photo under (``Photo-Stored``); without it (an
upload finished earlier, a lost answer) the queue asks ``GET /api/v1/blobs/{sha256}``,
and only a 200 with the same size counts. Only once the photo is confirmed, and only if
the user chose to free space, does the original leave the device (the thumbnail
stays). A refusal (4xx) puts the photo in the failed state with the server's reason;
network and server failures leave it queued for the next run (the scheduler retries
with backoff).

No threads and no Qt: the scheduler (or the CLI) calls `UploadQueue.run()`; progress
goes out as "upload" events (UploadProgress) on an EventBus.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import requests
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError
from tusclient.request import TusRequest
from tusclient.uploader import Uploader

from sync.client import GATEWAY_FAILURES, CaseServerClient
from sync.errors import AuthRequired, LocalError, Offline, RequestRefused, ServerFailure, SyncError
from sync.events import EventBus
from sync.replica import Replica
from sync.wire import API_PREFIX, PHOTO_STORED_HEADER

OFFSET_OCTETS = "application/offset+octet-stream"

#: Bytes per PATCH: more than any photo the server takes (25 MiB), so a photo goes in one
#: request. The body streams from the file, so progress and a cancel still come every PIECE.
DEFAULT_CHUNK = 64 * 1024 * 1024
#: A PATCH body is read, progress reported and a cancel noticed, this many bytes at a time.
PIECE = 256 * 1024
#: A photo up to this size goes whole in the request that creates its upload (tus
#: creation-with-upload: one round trip less). Its URL comes only with the answer, so a cut
#: or a cancel during that request keeps nothing on the server; a larger photo is created
#: first and sent by PATCH, so a cut keeps what arrived from its first byte.
WHOLE_IN_CREATION = 1024 * 1024
#: An upload whose bytes all went but which the server did not keep is retried this often.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class UploadProgress:
    """One photo's upload, as a screen shows it."""

    photo_id: str
    ticket_id: str
    state: str
    sent: int
    total: int
    error: str | None = None


@dataclass
class UploadReport:
    confirmed: int = 0
    failed: int = 0
    #: Left for a later run (metadata not yet on the server, cancelled, offline).
    waiting: int = 0
    #: Bytes of photo data this run put on the wire (resumed uploads send only the rest).
    bytes_sent: int = 0
    #: Originals removed from the device after confirmation (the user chose to free space).
    freed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Cancelled(SyncError):
    """The run was asked to stop (the app is closing); the upload resumes next time."""


class _Body:
    """`length` bytes of an open file, from where it stands, as a streamed request body.

    Read PIECE bytes at a time (whatever size the HTTP library asks for); `on_piece` hears
    of each piece before it goes out and may raise to abandon the request.
    """

    def __init__(self, file: BinaryIO, length: int, on_piece: Callable[[int], None]) -> None:
        self._file = file
        self._left = length
        self._on_piece = on_piece

    def __len__(self) -> int:
        return self._left

    def read(self, _size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        piece = self._file.read(min(PIECE, self._left))
        self._left -= len(piece)
        self._on_piece(len(piece))
        return piece


class _TimedRequest(TusRequest):
    """A tus PATCH streamed from the file, with a timeout (tuspy sends none, so a dead peer
    could hang it forever), on the uploader's kept-alive session."""

    def __init__(self, uploader: _Uploader) -> None:
        super().__init__(uploader)
        self.uploader = uploader

    def perform(self) -> None:
        uploader = self.uploader
        body = _Body(self.file, self._content_length, uploader.on_piece)
        try:
            response = uploader.session.patch(
                self._url, data=body, headers=self._request_headers, timeout=uploader.timeout
            )
        except requests.RequestException as exc:
            raise TusCommunicationError(str(exc)) from exc
        finally:
            self.file.close()
        self.status_code = response.status_code
        self.response_content = response.content
        self.response_headers = {k.lower(): v for k, v in response.headers.items()}


@dataclass(frozen=True)
class _Answer:
    """The headers of the answer to a creation that carried bytes (read as a PATCH's are)."""

    response_headers: dict[str, str]


class _Uploader(Uploader):  # type: ignore[misc]
    """tuspy's uploader with timeouts on every request, no silent retries, one kept-alive
    HTTP session for all of them, and a hook that hears of every piece of a PATCH body."""

    timeout: float = 30.0
    session: requests.Session
    on_piece: Callable[[int], None] = staticmethod(lambda _n: None)
    #: Bytes sent in the creation request (creation-with-upload).
    sent_at_creation: int = 0

    def get_offset(self) -> int:
        try:
            response = self.session.head(self.url, headers=self.get_headers(), timeout=self.timeout)
        except requests.RequestException as exc:
            raise TusCommunicationError(str(exc)) from exc
        offset = _offset(response.headers)
        if offset is None:
            if response.status_code < 300:  # a 2xx without an offset is not the tus server's
                raise TusCommunicationError("an answer without Upload-Offset")
            raise TusCommunicationError(None, response.status_code, response.content)
        return offset

    def create_url(self) -> str:
        try:
            response = self.session.post(
                self.client.url, headers=self.get_url_creation_headers(), timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise TusCommunicationError(str(exc)) from exc
        location = response.headers.get("location")
        if response.status_code >= 300 or location is None:
            raise TusCommunicationError(None, response.status_code, response.content)
        return str(requests.compat.urljoin(self.client.url, location))

    def create_with_upload(self, length: int) -> None:
        """Create the upload with its first `length` bytes in the same request (tus
        creation-with-upload): one round trip less per photo. Sets the URL, the offset the
        server kept and `request` to the answer (whose `Photo-Stored` confirms the photo)."""
        headers = {**self.get_url_creation_headers(), "Content-Type": OFFSET_OCTETS}
        with open(self.file_path, "rb") as file:
            body = _Body(file, length, self.on_piece)
            try:
                response = self.session.post(
                    self.client.url, data=body, headers=headers, timeout=self.timeout
                )
            except requests.RequestException as exc:
                raise TusCommunicationError(str(exc)) from exc
        location = response.headers.get("location")
        if response.status_code >= 300 or location is None:
            raise TusCommunicationError(None, response.status_code, response.content)
        offset = _offset(response.headers)
        if offset is None:
            raise TusCommunicationError("an answer without Upload-Offset")
        self.url = str(requests.compat.urljoin(self.client.url, location))
        self.offset = offset
        self.request = _Answer({k.lower(): v for k, v in response.headers.items()})

    def _do_request(self) -> None:
        request = _TimedRequest(self)
        self.request = request
        request.perform()
        if not 200 <= (request.status_code or 0) < 300:
            raise TusCommunicationError(None, request.status_code, request.response_content)
        if _offset(request.response_headers) is None:  # tuspy reads it next: it must be there
            raise TusCommunicationError("an answer without Upload-Offset")


def _offset(headers: Any) -> int | None:
    """The Upload-Offset an answer names, or None when it names none a tus server would."""
    raw = headers.get("upload-offset")
    if raw is None or not str(raw).isdigit():
        return None
    return int(raw)


def _reason(error: TusCommunicationError) -> str:
    """The server's words for a refusal (its JSON `detail`, or its text)."""
    content = error.response_content or b""
    try:
        payload = orjson.loads(content)
    except orjson.JSONDecodeError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("detail"), str):
        return str(payload["detail"])
    text = content.decode("utf-8", "replace").strip() if isinstance(content, bytes) else str(content)
    return text[:300] or f"HTTP {error.status_code}"


def _typed(error: TusCommunicationError, server: str) -> SyncError:
    status = error.status_code
    content = error.response_content or b""
    if status is None or status < 400 or (status in GATEWAY_FAILURES and not content.startswith(b"{")):
        # cut, refused, an answer without what a tus server sends, or a gateway's page
        return Offline(f"cannot reach the case server at {server}")
    if status == 401:
        return AuthRequired(_reason(error))
    if 400 <= status < 500:
        return RequestRefused(status, _reason(error))
    return ServerFailure(f"the case server failed (HTTP {status}): {_reason(error)}")


class UploadQueue:
    def __init__(
        self,
        replica_path: str | Path,
        events: EventBus | None = None,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        timeout: float = 30.0,
        whole_in_creation: int = WHOLE_IN_CREATION,
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least one byte")
        self.replica_path = Path(replica_path)
        self.events = events or EventBus()
        self.chunk_size = chunk_size
        self.timeout = timeout
        self.whole_in_creation = whole_in_creation
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        #: The HTTP session of the run under way (its tus requests share its connections).
        self._http: requests.Session | None = None

    def cancel(self) -> None:
        """Stop the request in flight at its next piece; the server keeps what arrived, and the
        next run goes on from there."""
        self._cancel.set()

    def waiting(self) -> int:
        replica = Replica(self.replica_path)
        try:
            return len(replica.photos_to_upload()) + len(replica.photos_to_free())
        finally:
            replica.close()

    # -- one run through the queue --------------------------------------------------------
    def run(self) -> UploadReport:
        """Upload, confirm and (if chosen) free every photo that is ready.

        Raises Offline, AuthRequired or ServerFailure when the server cannot take uploads
        now (what was sent is kept); refusals of single photos do not stop the run.
        """
        with self._lock:
            self._cancel.clear()
            replica = Replica(self.replica_path)
            try:
                return self._run(replica)
            finally:
                replica.close()

    def _run(self, replica: Replica) -> UploadReport:
        server, token = replica.get("server"), replica.get("token")
        if not server or not token:
            raise LocalError("not signed in: use login first")
        report = UploadReport()
        client = CaseServerClient(server, token, timeout=self.timeout)
        self._http = requests.Session()
        try:
            for photo in replica.photos_to_upload():
                if self._cancel.is_set():
                    report.waiting += 1
                    continue
                try:
                    self._upload(replica, client, photo, report)
                except Cancelled:
                    report.waiting += 1
                except RequestRefused as exc:
                    self._fail(replica, photo, str(exc), report)
                except SyncError as exc:
                    # Offline, signed out or a failing server: every photo would fail alike.
                    replica.update_photo(photo["id"], upload_error=str(exc))
                    self._emit(replica.photo(photo["id"]), "waiting", int(photo["bytes_sent"]), str(exc))
                    raise
            for photo in replica.photos_to_free():
                self._free(replica, photo, report)
        finally:
            client.close()
            self._http.close()
            self._http = None
        report.waiting += replica.upload_counts()["waiting"] - report.waiting
        return report

    def _emit(self, photo: dict[str, Any], state: str, sent: int, error: str | None = None) -> None:
        self.events.emit(
            "upload",
            UploadProgress(photo["id"], photo["ticket_id"], state, sent, int(photo["size"]), error),
        )

    def _fail(self, replica: Replica, photo: dict[str, Any], reason: str, report: UploadReport) -> None:
        replica.update_photo(photo["id"], upload_state="failed", upload_error=reason)
        report.failed += 1
        report.failures.append({"photo_id": photo["id"], "reason": reason})
        self._emit(photo, "failed", int(photo["bytes_sent"]), reason)

    def _upload(
        self, replica: Replica, client: CaseServerClient, photo: dict[str, Any], report: UploadReport
    ) -> None:
        if self._confirm(replica, client, photo, report):
            return  # the server already has these bytes (an earlier run, or another device)
        if photo["path"] is None or not Path(photo["path"]).is_file():
            raise RequestRefused(0, "the photo's file is missing on this device")
        if photo["upload_state"] == "uploaded":
            # Every byte went, yet the server kept nothing: start over, a few times at most.
            attempts = int(photo["attempts"]) + 1
            if attempts >= MAX_ATTEMPTS:
                raise RequestRefused(0, "the server did not keep the uploaded photo")
            replica.update_photo(photo["id"], attempts=attempts, upload_url=None, bytes_sent=0)
            photo = replica.photo(photo["id"])
        if self._send(replica, photo, report):
            self._confirmed(replica, photo, report)  # the final answer confirmed the hash
        elif not self._confirm(replica, client, photo, report):
            replica.update_photo(photo["id"], upload_state="uploaded")
            raise ServerFailure("the server has not confirmed the uploaded photo yet")

    def _confirm(
        self, replica: Replica, client: CaseServerClient, photo: dict[str, Any], report: UploadReport
    ) -> bool:
        try:
            blob = client.blob(photo["sha256"])
        except RequestRefused as exc:
            if exc.status in (404, 405):
                return False
            raise
        if blob.get("sha256") != photo["sha256"]:
            return False
        if int(blob.get("size", -1)) != int(photo["size"]):
            raise RequestRefused(0, "the server holds a different file under this photo's hash")
        self._confirmed(replica, photo, report)
        return True

    def _confirmed(self, replica: Replica, photo: dict[str, Any], report: UploadReport) -> None:
        replica.mark_confirmed(photo["id"])
        report.confirmed += 1
        self._emit(photo, "confirmed", int(photo["size"]))

    def _tus(self, replica: Replica, photo: dict[str, Any]) -> tuple[TusClient, dict[str, str]]:
        server = str(replica.get("server")).rstrip("/")
        tus = TusClient(
            f"{server}{API_PREFIX}/uploads/",
            headers={"Authorization": f"Bearer {replica.get('token')}"},
        )
        metadata = {
            "sha256": photo["sha256"],
            "photo_id": photo["id"],
            "filename": f"{photo['id']}.jpg",
        }
        return tus, metadata

    def _uploader(self, replica: Replica, photo: dict[str, Any]) -> _Uploader:
        """An uploader at the server's offset of the stored upload, or of a new one."""
        tus, metadata = self._tus(replica, photo)
        server = str(replica.get("server"))
        uploader = _Uploader(
            file_path=str(photo["path"]), client=tus, chunk_size=self.chunk_size, metadata=metadata
        )
        uploader.timeout = self.timeout
        assert self._http is not None, "uploads happen inside run()"
        uploader.session = self._http
        if photo["upload_url"]:
            uploader.url = photo["upload_url"]
            try:
                uploader.offset = uploader.get_offset()  # HEAD: where the server stands
            except TusCommunicationError as exc:
                if exc.status_code is None or exc.status_code in (401, 403) or exc.status_code >= 500:
                    raise _typed(exc, server) from exc
                # The server no longer knows that upload (expired, cleaned): start a new one.
            else:
                replica.update_photo(
                    photo["id"], bytes_sent=uploader.offset, upload_state="uploading", upload_error=None
                )
                return uploader
        try:
            size = int(photo["size"])
            if photo["upload_state"] == "queued" and size <= min(self.whole_in_creation, self.chunk_size):
                # The creation carries the photo. Marked first: the URL comes only with the
                # answer, so after a failure the next try creates a plain upload and resumes.
                replica.update_photo(photo["id"], upload_state="uploading", upload_error=None)
                uploader.on_piece = self._progress(photo, 0)
                uploader.create_with_upload(size)
                uploader.sent_at_creation = size
            else:
                uploader.url = uploader.create_url()
                uploader.offset = 0
        except TusCommunicationError as exc:
            if exc.status_code in (404, 405):
                raise ServerFailure("the case server does not take photo uploads yet") from exc
            raise _typed(exc, server) from exc
        replica.update_photo(
            photo["id"],
            upload_url=uploader.url,
            bytes_sent=uploader.offset,
            upload_state="uploading",
            upload_error=None,
        )
        return uploader

    def _send(self, replica: Replica, photo: dict[str, Any], report: UploadReport) -> bool:
        """Send what the server lacks; True when the last answer says the photo is stored."""
        server = str(replica.get("server"))
        total = int(photo["size"])
        try:
            uploader = self._uploader(replica, photo)  # its URL and offset are stored
            report.bytes_sent += uploader.sent_at_creation
            self._emit(photo, "uploading", uploader.offset)
            while uploader.offset < total:
                if self._cancel.is_set():
                    raise Cancelled("upload paused")
                length = uploader.get_request_length()
                uploader.on_piece = self._progress(photo, uploader.offset)
                try:
                    uploader.upload_chunk()
                except TusCommunicationError as exc:
                    if exc.status_code != 409:
                        raise
                    uploader.offset = uploader.get_offset()  # out of step: ask where the server is
                    continue
                report.bytes_sent += length
                if uploader.offset < total:  # the last answer is stored below with the new state
                    replica.update_photo(photo["id"], bytes_sent=uploader.offset)
                self._emit(photo, "uploading", uploader.offset)
        except TusCommunicationError as exc:
            raise _typed(exc, server) from exc
        replica.update_photo(photo["id"], upload_state="uploaded", bytes_sent=total)
        answer = uploader.request.response_headers if uploader.request is not None else {}
        return bool(answer.get(PHOTO_STORED_HEADER.lower()) == photo["sha256"])

    def _progress(self, photo: dict[str, Any], offset: int) -> Callable[[int], None]:
        """Hears of each piece of a PATCH body: reports it, and stops the request on a cancel."""
        sent = offset

        def on_piece(length: int) -> None:
            nonlocal sent
            if self._cancel.is_set():
                raise Cancelled("upload paused")  # the server keeps what arrived; HEAD says where
            if sent > offset:
                self._emit(photo, "uploading", sent)  # what has gone out (this piece is on its way)
            sent += length

        return on_piece

    def _free(self, replica: Replica, photo: dict[str, Any], report: UploadReport) -> None:
        """Remove a confirmed original (never the thumbnail)."""
        if photo["upload_state"] != "confirmed" or not photo["free_space"]:
            return
        if photo["path"] is not None:
            Path(photo["path"]).unlink(missing_ok=True)
        replica.mark_local_removed(photo["id"])
        report.freed += 1
        self._emit(photo, "confirmed", int(photo["size"]))
