"""Photo upload benchmarks: tus through a real case server against plain HTTP of the same bytes.

    .venv/bin/python bench/bench_uploads.py [--photos 50] [--cut-mb 2] [--chunks 256 512 1024 4096]
    .venv/bin/python bench/bench_uploads.py --photos 20 --round-trip 8   # creation-with-upload only
    .venv/bin/python bench/bench_uploads.py --store s3   # photos in a bucket of moto's S3 server

A fresh SQLite case server (`caseserver serve`, tests/serverproc.start_server) runs on a
free loopback port with its blob store in a temporary folder (or, with `--store s3`, a
bucket of moto's S3 server on loopback, tests/s3server.py). The benchmark makes
`--photos` distinct photo-like JPEGs of about 4 MB each (Pillow), then:

1. **the device's upload queue** (the judged figure): a crew device signs in, the photos
   are recorded on a new ticket of its crew as the app records them and a sync sends the
   records (untimed: the server takes bytes only for photos it has a record of); then one
   `sync.uploads.UploadQueue.run()`, as the app runs it: per photo, ask whether the server
   has it, create the tus upload, send it in one streamed PATCH whose answer confirms it
   (`Photo-Stored`).
   **tuspy alone**: the same photos, records pushed apart, uploaded with `tuspy` itself,
   one upload per photo in one PATCH; each then confirmed (timed apart). The server
   checks the hash and the JPEG's structure, writes the bytes durably into the
   content-addressed store and writes the `blobs` row.
2. **bytes only**: the same bytes POSTed with `requests` (a new connection per photo,
   like tuspy) to a trivial `http.server` in another process that reads and discards
   the body: the bytes over loopback.
3. **plain upload**: the same POSTs to a one-route FastAPI app served by uvicorn in
   another process, as `caseserver serve` runs (same HTTP implementation and event
   loop), that streams the body into a file: a plain HTTP upload of the same bytes.
   Reported again with the bytes then kept by the case server's own `photointake.accept`
   (hash, JPEG check, a durable write into the blob store, `blobs` row), as a finished tus
   upload is: the same work over plain HTTP, so the difference is the protocol.
4. **dropped connections**: the uploads go through a TCP proxy that closes whatever
   connection is open each time another `--cut-mb` MB of client bytes has passed; tuspy
   resumes from HEAD (retries). For each chunk size the bytes the client sent to the
   proxy (bodies and headers, including bytes lost in the cut) are compared with the
   photos' size: re-sent = sent - size.

With `--round-trip ROUNDS` only `creation_round_trip` runs: the device's queue with and
without creation-with-upload, on photos of the app's size (the round trip saved).

Figures are printed; docs/benchmarks.md keeps them with the command.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hashlib
import io
import multiprocessing
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import uvicorn
from fastapi import FastAPI, Request, Response
from PIL import Image
from starlette.concurrency import run_in_threadpool
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError, TusUploadFailed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from s3server import S3Server  # noqa: E402
from serverproc import start_server  # noqa: E402

from caseserver.db import Database  # noqa: E402
from caseserver.filestore import FileBlobStore  # noqa: E402
from caseserver.migrate import upgrade  # noqa: E402
from caseserver.photointake import accept  # noqa: E402
from sync.engine import SyncEngine, sign_in  # noqa: E402
from sync.errors import Offline, ServerFailure  # noqa: E402
from sync.photos import ProcessedPhoto  # noqa: E402
from sync.replica import Replica  # noqa: E402
from sync.uploads import UploadQueue, UploadReport  # noqa: E402

MB = 1024 * 1024
#: The case servers' photo store settings: empty for a folder; `--store s3` fills them.
STORE_ENV: dict[str, str] = {}


def make_photos(
    folder: Path, count: int, target: int = 4 * MB, size: tuple[int, int] = (2560, 1920), first: int = 0
) -> list[Path]:
    """`count` distinct photo-like JPEGs of about `target` bytes (numbered from `first`)."""
    width, height = size
    noise = Image.effect_noise((width, height), 48)
    gradient = Image.linear_gradient("L").resize((width, height))
    base = Image.merge("RGB", (gradient, noise, noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    quality = min(range(70, 99), key=lambda q: abs(_encoded_size(base, q) - target))
    paths = []
    for i in range(first, first + count):
        image = base.copy()
        image.paste((i * 5 % 256, 30, 200), (0, 0, 16, 16))  # distinct bytes per photo
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        path = folder / f"photo-{i:03d}.jpg"
        path.write_bytes(out.getvalue())
        paths.append(path)
    return paths


def _encoded_size(image: Image.Image, quality: int) -> int:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.tell()


# -- the floor: a trivial endpoint that reads and discards ------------------------------------
class _Discard(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        remaining = int(self.headers["Content-Length"])
        while remaining:
            remaining -= len(self.rfile.read(min(remaining, MB)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def _serve_discard(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), _Discard).serve_forever()


# -- the plain upload: the same server software as the case server, one POST per photo -----------
def _serve_plain_upload(port: int, folder: str, checked: bool) -> None:
    """uvicorn + FastAPI as `caseserver serve` runs them: the body streamed into a file.

    With `checked`, the bytes are then kept by the case server's own `photointake.accept`,
    as a finished tus upload's are: hashed, checked, written durably into a blob store
    and recorded in the `blobs` table of a SQLite database made with the server's schema.
    The only difference from the tus upload left is the protocol.
    """
    app = FastAPI()
    if checked:
        database_url = f"sqlite:///{Path(folder) / 'plain.sqlite'}"
        upgrade(database_url)
        database = Database(database_url)
        store = FileBlobStore(Path(folder) / "blobs")

    @app.post("/upload")
    async def upload(request: Request) -> Response:
        chunks = [chunk async for chunk in request.stream()]
        if checked:
            data = b"".join(chunks)
            await run_in_threadpool(accept, store, database, data, request.headers["x-sha256"], None)
        else:
            with open(Path(folder) / uuid.uuid4().hex, "wb") as stream:
                stream.writelines(chunks)
        return Response(status_code=204)

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _serve(target: Callable[..., None], *args: object) -> tuple[multiprocessing.Process, int]:
    port = free_port()
    proc = multiprocessing.get_context("fork").Process(target=target, args=(port, *args), daemon=True)
    proc.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            assert time.monotonic() < deadline, "floor server did not start"
            time.sleep(0.05)


def post_all(paths: list[Path], target: Callable[..., None], *args: object, path: str = "/") -> float:
    """Seconds to POST every photo (a new connection each, like tuspy) to a server run by `target`."""
    hashes = [hashlib.sha256(photo.read_bytes()).hexdigest() for photo in paths]  # untimed, as for tus
    proc, port = _serve(target, *args)
    try:
        start = time.perf_counter()
        for photo, sha in zip(paths, hashes, strict=True):
            url = f"http://127.0.0.1:{port}{path}"
            r = requests.post(url, data=photo.read_bytes(), headers={"X-SHA256": sha}, timeout=60)
            assert r.status_code == 204, r.text
        return time.perf_counter() - start
    finally:
        proc.terminate()
        proc.join()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- tus uploads ------------------------------------------------------------------------------
def new_crew_ticket(url: str) -> str:
    """A new ticket of crew north (aino's), made by the admin; its id."""
    admin = requests.post(
        f"{url}/api/v1/auth/login",
        json={"username": "admin", "password": "admin-demo", "device_name": "bench"},
        timeout=30,
    ).json()["token"]
    ticket = requests.post(
        f"{url}/api/v1/tickets",
        json={
            "service_code": "pothole",
            "description": "Benchmark photos",
            "address": "Mannerheimintie 5, Helsinki",
            "lat": 60.1699,
            "lon": 24.9384,
            "assigned_crew": "north",
        },
        headers={"Authorization": f"Bearer {admin}"},
        timeout=30,
    )
    assert ticket.status_code in (200, 201), ticket.text
    return str(ticket.json()["id"])


def push_records(url: str, token: str, paths: list[Path]) -> dict[Path, str]:
    """The photos' records, pushed to a new ticket of the caller's crew in one push; their ids."""
    ticket_id = new_crew_ticket(url)
    ids = {path: str(uuid.uuid4()) for path in paths}
    ops = []
    for path, photo_id in ids.items():
        with Image.open(path) as image:
            width, height = image.size
        value = {
            "kind": "before",
            "caption": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "size": path.stat().st_size,
            "width": width,
            "height": height,
        }
        ops.append(
            {
                "op_id": photo_id,
                "ticket_id": ticket_id,
                "kind": "photo",
                "value": value,
                "device_time": datetime.now(UTC).isoformat(),
            }
        )
    r = requests.post(
        f"{url}/api/v1/push", json={"ops": ops}, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    assert r.status_code == 200 and all(x["outcome"] == "applied" for x in r.json()["results"]), r.text
    return ids


def queue_upload(url: str, paths: list[Path], folder: Path) -> tuple[float, UploadReport]:
    """The device's own upload queue (sync.uploads.UploadQueue, as the app runs it) on the photos.

    Untimed: the photos recorded on a device (record_on_device). Timed: one
    `UploadQueue.run()`, which for each photo asks whether the server has it, creates the
    upload and sends it in one streamed PATCH, whose answer confirms it.
    """
    replica_path = record_on_device(url, paths, folder)
    start = time.perf_counter()
    report = UploadQueue(replica_path).run()
    seconds = time.perf_counter() - start
    assert report.confirmed == len(paths) and report.failed == 0, report
    return seconds, report


def record_on_device(url: str, paths: list[Path], folder: Path) -> Path:
    """A crew device signed in, with the photos recorded on a new ticket of its crew as the app
    records them (replica rows and 'photo' ops; the files stay where they are) and synced."""
    replica_path = folder / "replica.sqlite"
    sign_in(replica_path, url, "aino", "aino-demo", device_name="bench tablet")
    ticket_id = new_crew_ticket(url)
    engine = SyncEngine(replica_path)
    engine.sync()
    replica = Replica(replica_path)
    try:
        for path in paths:
            with Image.open(path) as image:
                width, height = image.size
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            photo = ProcessedPhoto(
                str(uuid.uuid4()), path, path, sha, len(data), width, height, taken_at=None, position=None
            )
            replica.add_photo(ticket_id, photo, kind="before")
    finally:
        replica.close()
    engine.sync()
    return replica_path


def _upload_counts(replica_path: Path) -> dict[str, int]:
    replica = Replica(replica_path)
    try:
        return replica.upload_counts()
    finally:
        replica.close()


def creation_round_trip(folder: Path, count: int, rounds: int) -> None:
    """The device's queue with and without creation-with-upload, on photos of the app's size.

    One case server; each round uploads `count` new photos (about 0.8 MiB, 1600×1200) with
    the whole photo in the creation request, and `count` others created first and sent by
    PATCH (`whole_in_creation=0`), in alternating order. Printed: milliseconds per photo
    for each (median of the rounds) and the difference: the round trip saved per photo.
    """
    server = start_server(
        f"sqlite:///{folder / 'caseserver.sqlite'}",
        folder,
        CASESERVER_BLOB_DIR=str(folder / "blobs"),
        **STORE_ENV,
    )
    per_photo: dict[str, list[float]] = {"created, then PATCH": [], "in the creation request": []}
    try:
        made = 0
        for round_no in range(rounds):
            order = list(per_photo) if round_no % 2 == 0 else list(reversed(per_photo))
            for mode in order:
                photos_dir = folder / f"photos-{made}"
                photos_dir.mkdir()
                paths = make_photos(photos_dir, count, target=int(0.8 * MB), size=(1600, 1200), first=made)
                made += count
                (folder / f"device-{made}").mkdir()
                replica_path = record_on_device(server.url, paths, folder / f"device-{made}")
                whole = 0 if mode == "created, then PATCH" else 64 * MB
                start = time.perf_counter()
                report = UploadQueue(replica_path, whole_in_creation=whole).run()
                seconds = time.perf_counter() - start
                assert report.confirmed == count and report.failed == 0, report
                per_photo[mode].append(1000 * seconds / count)
        size = sum(p.stat().st_size for p in paths) / count / MB
        print(f"the device's queue, {count} photos of {size:.2f} MiB per round, {rounds} rounds:")
        for mode, values in per_photo.items():
            print(
                f"  {mode:<26} {statistics.median(values):6.2f} ms per photo  (rounds: "
                + ", ".join(f"{v:.2f}" for v in values)
                + ")"
            )
        saved = statistics.median(per_photo["created, then PATCH"]) - statistics.median(
            per_photo["in the creation request"]
        )
        print(f"  saved per photo: {saved:.2f} ms on loopback, plus one network round trip on a real line")
    finally:
        server.stop()


def queue_through_cuts(paths: list[Path], folder: Path, cut_bytes: int) -> tuple[CuttingProxy, int, float]:
    """The device's queue on a line that drops every `cut_bytes`: (the proxy, queue runs, seconds).

    A case server of its own (so no photo is stored yet); the device records and syncs
    directly, then uploads through the cutting proxy. Each dropped line ends a run with
    Offline, and the next run starts at once (the app's scheduler waits with backoff first),
    resuming from the server's offset, until every photo is confirmed.
    """
    server = start_server(
        f"sqlite:///{folder / 'caseserver.sqlite'}",
        folder,
        CASESERVER_BLOB_DIR=str(folder / "blobs"),
        **STORE_ENV,
    )
    proxy = CuttingProxy(int(server.url.rsplit(":", 1)[1]), cut_bytes)
    try:
        replica_path = record_on_device(server.url, paths, folder)
        replica = Replica(replica_path)
        replica.put(server=f"http://127.0.0.1:{proxy.port}")
        replica.close()
        runs = 0
        start = time.perf_counter()
        while _upload_counts(replica_path)["waiting"]:
            runs += 1
            assert runs < 50 * len(paths), "the queue does not get through"
            with contextlib.suppress(Offline, ServerFailure):
                UploadQueue(replica_path, timeout=10).run()
        counts = _upload_counts(replica_path)
        assert counts["confirmed"] == len(paths) and counts["failed"] == 0, counts
        return proxy, runs, time.perf_counter() - start
    finally:
        proxy.close()
        server.stop()


def upload_all(
    url: str, token: str, paths: list[Path], records: dict[Path, str], chunk: int, retries: int = 0
) -> tuple[float, float]:
    """Upload every photo (records pushed before) with tuspy, resuming from HEAD; (upload s, confirm s)."""
    client = TusClient(f"{url}/api/v1/uploads/", headers={"Authorization": f"Bearer {token}"})
    upload_s = 0.0
    confirm_s = 0.0
    for path in paths:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        start = time.perf_counter()
        metadata = {"sha256": sha, "photo_id": records[path], "filename": path.name}
        while True:
            try:
                uploader = client.uploader(
                    str(path), chunk_size=chunk, metadata=metadata, retries=retries, retry_delay=0.2
                )
                uploader.set_url(uploader.create_url())
                break
            except TusCommunicationError:
                if not retries:
                    raise
        for _attempt in range(50):
            try:
                uploader.upload()
                break
            except (TusCommunicationError, TusUploadFailed):
                if not retries:
                    raise
                time.sleep(0.2)
                uploader.offset = uploader.get_offset()
        mid = time.perf_counter()
        r = requests.get(
            f"{url}/api/v1/blobs/{sha}", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert r.status_code == 200, r.text
        upload_s += mid - start
        confirm_s += time.perf_counter() - mid
    return upload_s, confirm_s


# -- a proxy that drops the line every N bytes --------------------------------------------------
@dataclass
class CuttingProxy:
    """Forwards loopback TCP to `upstream`, closing the open connection after every `every` client bytes."""

    upstream: int
    every: int
    sent: int = 0  # client -> proxy bytes, including those lost in a cut
    cuts: int = 0

    def __post_init__(self) -> None:
        self._budget = self.every
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._up, args=(client, server), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client), daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket) -> None:
        try:
            while data := client.recv(16384):
                with self._lock:
                    self.sent += len(data)
                    allowed = min(len(data), self._budget)
                    self._budget -= allowed
                    cut = self._budget == 0
                    if cut:
                        self._budget = self.every
                        self.cuts += 1
                server.sendall(data[:allowed])
                if cut:
                    break
        except OSError:
            pass
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    @staticmethod
    def _down(server: socket.socket, client: socket.socket) -> None:
        try:
            while data := server.recv(65536):
                client.sendall(data)
        except OSError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--cut-mb", type=float, default=2.0)
    parser.add_argument("--chunks", type=int, nargs="+", default=[256, 1024, 4096], help="KiB")
    parser.add_argument("--cut-photos", type=int, default=None, help="photos per chunk size (default: all)")
    parser.add_argument(
        "--round-trip",
        type=int,
        metavar="ROUNDS",
        help="only measure creation-with-upload: the device's queue with and without it, ROUNDS rounds",
    )
    parser.add_argument(
        "--store",
        choices=("folder", "s3"),
        default="folder",
        help="the case servers' photo store: a folder, or a bucket of moto's S3 server on loopback",
    )
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    if args.store == "s3":
        s3_folder = Path(tempfile.mkdtemp(prefix="bench-s3-"))
        s3 = S3Server(s3_folder)
        atexit.register(s3.stop)
        STORE_ENV.update(s3.env(s3.new_bucket()))
        print(f"photo store: a bucket of moto's S3 server at {s3.url}")
    if args.round_trip:
        with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
            creation_round_trip(Path(tmp), args.photos, args.round_trip)
        print(f"load average after: {os.getloadavg()}")
        return
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        folder = Path(tmp)
        (folder / "photos").mkdir()
        start = time.perf_counter()
        paths = make_photos(folder / "photos", args.photos)
        total = sum(p.stat().st_size for p in paths)
        print(
            f"{len(paths)} photos, {total / MB:.1f} MiB ({total / len(paths) / MB:.2f} MiB each), "
            f"made in {time.perf_counter() - start:.1f} s"
        )
        server = start_server(
            f"sqlite:///{folder / 'caseserver.sqlite'}",
            folder,
            CASESERVER_BLOB_DIR=str(folder / "blobs"),
            **STORE_ENV,
        )
        try:
            token = requests.post(
                f"{server.url}/api/v1/auth/login",
                json={"username": "aino", "password": "aino-demo", "device_name": "bench"},
                timeout=30,
            ).json()["token"]
            plain_dir = folder / "plain"
            plain_dir.mkdir()

            def plain(checked: bool) -> float:
                seconds = post_all(paths, _serve_plain_upload, str(plain_dir), checked, path="/upload")
                shutil.rmtree(plain_dir)
                plain_dir.mkdir()
                return seconds

            bytes_s = statistics.median(post_all(paths, _serve_discard) for _ in range(3))
            plain_s = statistics.median(plain(False) for _ in range(3))
            checked_s = statistics.median(plain(True) for _ in range(3))
            queue_s, queue_report = queue_upload(server.url, paths, folder / "device")
            records = push_records(server.url, token, paths)
            upload_s, confirm_s = upload_all(server.url, token, paths, records, chunk=8 * MB)
            mib = total / MB
            row = "{:<58}{:7.2f} s {:7.1f} MiB/s   queue = {:4.1f}x   tuspy = {:4.1f}x"
            for name, seconds in (
                ("bytes only (POST to http.server, discarded):", bytes_s),
                ("bare plain upload (POST to uvicorn + FastAPI, into a file):", plain_s),
                ("plain upload + the same photointake.accept as tus:", checked_s),
            ):
                print(row.format(name, seconds, mib / seconds, queue_s / seconds, upload_s / seconds))
            print(
                f"{'the device upload queue (check, create, one PATCH):':<58}{queue_s:7.2f} s "
                f"{mib / queue_s:7.1f} MiB/s   ({queue_report.bytes_sent / MB:.1f} MiB sent)"
            )
            print(
                f"{'tuspy alone (create, one PATCH; confirmations apart):':<58}{upload_s:7.2f} s "
                f"{mib / upload_s:7.1f} MiB/s"
            )
            print(f"confirmations (GET /blobs, {len(paths)}): {confirm_s:6.2f} s")

            cut_paths = paths[: args.cut_photos or len(paths)]
            cut_total = sum(p.stat().st_size for p in cut_paths)
            print(
                f"\ndropped connection every {args.cut_mb} MiB, {len(cut_paths)} photos "
                f"({cut_total / MB:.1f} MiB), tuspy resuming from HEAD:"
            )
            port = int(server.url.rsplit(":", 1)[1])
            for chunk_kib in args.chunks:
                proxy = CuttingProxy(port, int(args.cut_mb * MB))
                try:
                    # New photos each round would cost minutes; the same bytes are fine because
                    # every round makes new uploads (the store's dedup happens after the bytes arrive).
                    up_s, _ = upload_all(
                        f"http://127.0.0.1:{proxy.port}",
                        token,
                        cut_paths,
                        records,
                        chunk_kib * 1024,
                        retries=5,
                    )
                finally:
                    proxy.close()
                resent = proxy.sent - cut_total
                print(
                    f"  chunk {chunk_kib:5d} KiB: {proxy.cuts:4d} cuts, sent {proxy.sent / MB:7.1f} MiB, "
                    f"re-sent {resent / MB:6.2f} MiB = {100 * resent / cut_total:5.2f} %, {up_s:6.1f} s"
                )
            (folder / "cut-queue").mkdir()
            proxy, runs, queue_cut_s = queue_through_cuts(
                cut_paths, folder / "cut-queue", int(args.cut_mb * MB)
            )
            resent = proxy.sent - cut_total
            print(
                f"  the device's queue (one streamed PATCH per photo, {runs} runs): {proxy.cuts:4d} cuts, "
                f"sent {proxy.sent / MB:7.1f} MiB, re-sent {resent / MB:6.2f} MiB = "
                f"{100 * resent / cut_total:5.2f} %, {queue_cut_s:6.1f} s"
            )
        finally:
            server.stop()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
