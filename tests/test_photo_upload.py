"""The device's photo upload queue end to end: real case server processes, real files, real tus.

Bytes on the wire are counted by a TCP relay between device and server (it can also
slow the line down or cut it), so "resumes without re-sending" is measured, not
taken from the device's own bookkeeping.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from netrelay import Relay
from PIL import Image
from serverproc import REPO, CaseServer, Device, restart_server
from sqlalchemy import create_engine, text

from sync.errors import Offline
from sync.photos import attach_photo
from sync.replica import Replica
from sync.scheduler import SyncScheduler
from sync.uploads import UploadProgress, UploadQueue

CHUNK = 128 * 1024
#: Generous room for HTTP request lines and headers per request.
OVERHEAD_PER_REQUEST = 2048


@pytest.fixture
def relay(fresh_server: CaseServer) -> Iterator[Relay]:
    port = int(fresh_server.url.rsplit(":", 1)[1])
    relay = Relay(port)
    yield relay
    relay.close()


def _big_photo(path: Path, seed: int = 0) -> Path:
    """A grainy 2560×1920 photo: about 2–3 MB as stored, many chunks."""
    image = Image.effect_noise((2560, 1920), 50 + seed).convert("RGB")
    image.save(path, "JPEG", quality=92)
    return path


def _device(tmp_path: Path, server: CaseServer, relay: Relay | None = None) -> tuple[Device, str]:
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    device = Device(tmp_path / "tablet", server, "aino")
    device.sync()
    if relay is not None:
        with device.replica() as r:
            r.put(server=relay.url)  # every request of this device goes through the relay
    return device, ticket_id


def _attach(device: Device, ticket_id: str, source: Path, **kw: Any) -> dict[str, Any]:
    with device.replica() as r:
        return attach_photo(r, ticket_id, source, kind=kw.pop("kind", "before"), **kw)


def _photo(device: Device, photo_id: str) -> dict[str, Any]:
    with device.replica() as r:
        return r.photo(photo_id)


def _blob_rows(server: CaseServer, sha: str) -> int:
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(text("SELECT count(*) FROM blobs WHERE sha256 = :s"), {"s": sha}).scalar()
            )
    finally:
        engine.dispose()


def _original(server: CaseServer, photo_id: str) -> bytes:
    r = requests.get(
        f"{server.url}/api/v1/photos/{photo_id}/original",
        headers={"Authorization": f"Bearer {server.token('sanna')}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.content


def test_photo_is_uploaded_after_its_record_and_its_file_goes_only_when_confirmed_and_chosen(
    server: CaseServer, tmp_path: Path
) -> None:
    device, ticket_id = _device(tmp_path, server)
    source = tmp_path / "before.jpg"
    Image.effect_noise((1600, 1200), 40).convert("RGB").save(source, quality=90)
    photo = _attach(device, ticket_id, source, caption="the hole")
    queue = UploadQueue(device.path, chunk_size=CHUNK)
    seen: list[UploadProgress] = []
    queue.events.subscribe("upload", seen.append)

    report = queue.run()  # the server does not know the photo yet: its bytes wait
    assert (report.confirmed, report.waiting, report.bytes_sent) == (0, 1, 0)
    device.sync()
    report = queue.run()
    assert report.confirmed == 1 and report.bytes_sent == photo["size"] and report.freed == 0
    assert [p.state for p in seen][-1] == "confirmed" and seen[-1].sent == photo["size"]
    assert any(p.state == "uploading" and 0 < p.sent < photo["size"] for p in seen)
    stored = _photo(device, photo["id"])
    assert stored["upload_state"] == "confirmed" and stored["confirmed_at"]
    assert stored["path"].is_file(), "kept: the user did not choose to free space"
    assert _original(server, photo["id"]) == stored["path"].read_bytes()

    with device.replica() as r:
        r.choose_free_space(True)
    report = queue.run()
    assert report.freed == 1 and report.bytes_sent == 0
    stored = _photo(device, photo["id"])
    assert stored["path"] is None and stored["local_removed_at"]
    assert not (device.folder / "photos" / f"{photo['id']}.jpg").exists()
    assert stored["thumb_path"].is_file(), "the thumbnail stays for the lists"
    assert queue.run().as_dict() | {"failures": []} == {
        "confirmed": 0,
        "failed": 0,
        "waiting": 0,
        "bytes_sent": 0,
        "freed": 0,
        "failures": [],
    }


def test_cut_line_and_server_restart_resume_without_resending(
    fresh_server: CaseServer, relay: Relay, tmp_path: Path
) -> None:
    device, ticket_id = _device(tmp_path, fresh_server, relay)
    photo = _attach(device, ticket_id, _big_photo(tmp_path / "p.jpg"))
    with device.replica() as r:
        r.choose_free_space(True)
    device.sync()
    size = photo["size"]
    assert size > 8 * CHUNK

    # The line drops in the middle of the fourth chunk.
    relay.cut_at = relay.upstream + 3 * CHUNK + CHUNK // 2 + 3 * OVERHEAD_PER_REQUEST
    queue = UploadQueue(device.path, chunk_size=CHUNK, timeout=10)
    with pytest.raises(Offline):
        queue.run()
    stored = _photo(device, photo["id"])
    assert stored["upload_state"] == "uploading" and stored["upload_url"]
    assert 0 < stored["bytes_sent"] < size
    assert stored["path"].is_file(), "never removed before confirmation"

    # The server restarts (the unfinished upload is on its disk), the line is back.
    fresh_server.stop()
    server = restart_server(fresh_server, fresh_server.log_path.parent)
    try:
        relay.cut_at = None
        on_server = len(_offset_probe(server, stored["upload_url"], device))
        before = relay.upstream
        report = UploadQueue(device.path, chunk_size=CHUNK).run()
        upstream = relay.upstream - before
        assert report.confirmed == 1 and report.freed == 1
        # Only what the server did not have went up again (plus request headers).
        remaining = size - on_server
        assert report.bytes_sent == remaining
        assert remaining <= upstream < remaining + 40 * OVERHEAD_PER_REQUEST, (remaining, upstream)
        assert on_server >= stored["bytes_sent"]
        assert _blob_rows(server, photo["sha256"]) == 1
        assert len(_original(server, photo["id"])) == size
        assert _photo(device, photo["id"])["path"] is None
    finally:
        server.stop()


def _offset_probe(server: CaseServer, upload_url: str, device: Device) -> bytes:
    """How many bytes of the upload the server holds (HEAD, straight to the server)."""
    with device.replica() as r:
        token = r.get("token")
    path = upload_url.split("/api/v1/", 1)[1]
    r = requests.head(
        f"{server.url}/api/v1/{path}",
        headers={"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"},
        timeout=10,
    )
    assert r.status_code in (200, 204), r.status_code
    return b"x" * int(r.headers["Upload-Offset"])


def test_app_killed_mid_upload_completes_after_restart_with_one_copy_on_the_server(
    fresh_server: CaseServer, relay: Relay, tmp_path: Path
) -> None:
    device, ticket_id = _device(tmp_path, fresh_server, relay)
    photo = _attach(device, ticket_id, _big_photo(tmp_path / "p.jpg", seed=3), kind="after")
    device.sync()
    size = photo["size"]
    relay.delay = 0.02  # a slow line: the upload takes a while
    command = [sys.executable, "-m", "fieldapp", "--profile", str(device.folder), "--json"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    app = subprocess.Popen(
        [*command, "upload", "--chunk-size", str(64 * 1024)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _sent(device.path, photo["id"]) < 5 * 64 * 1024:
            time.sleep(0.01)
        app.send_signal(signal.SIGKILL)
    finally:
        app.wait(30)
    sent_before = _sent(device.path, photo["id"])
    assert 0 < sent_before < size, "killed in the middle of the upload"

    relay.delay = 0.0
    relay.wait_drained()  # what the killed app had already written is not counted as re-sent
    before = relay.upstream
    done = subprocess.run(
        [*command, "upload"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr

    report = json.loads(done.stdout)
    assert report["confirmed"] == 1 and report["failed"] == 0
    # The restarted app sent only the rest: at most one chunk of the killed run went twice.
    assert size - sent_before - 64 * 1024 <= report["bytes_sent"] <= size - sent_before
    assert relay.upstream - before < size - sent_before + 20 * OVERHEAD_PER_REQUEST
    assert _blob_rows(fresh_server, photo["sha256"]) == 1
    assert _original(fresh_server, photo["id"]) == _photo(device, photo["id"])["path"].read_bytes()
    assert _photo(device, photo["id"])["path"].is_file(), "free space was not chosen"


def _sent(replica_path: Path, photo_id: str) -> int:
    replica = Replica(replica_path)
    try:
        return int(replica.photo(photo_id)["bytes_sent"])
    finally:
        replica.close()


def test_a_refused_photo_is_failed_with_the_servers_reason_and_the_rest_go_on(
    server: CaseServer, tmp_path: Path
) -> None:
    device, ticket_id = _device(tmp_path, server)
    bad = _attach(device, ticket_id, _big_photo(tmp_path / "bad.jpg", seed=5))
    good = _attach(device, ticket_id, _big_photo(tmp_path / "good.jpg", seed=6), kind="after")
    device.sync()
    # The stored file changes after its hash was recorded (a disk error): the server refuses it.
    data = bytearray(bad["path"].read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad["path"].write_bytes(bytes(data))
    with device.replica() as r:
        r.choose_free_space(True)

    report = UploadQueue(device.path, chunk_size=512 * 1024).run()
    assert (report.confirmed, report.failed) == (1, 1)
    failed = _photo(device, bad["id"])
    assert failed["upload_state"] == "failed"
    assert "SHA-256" in failed["upload_error"] or "sha256" in failed["upload_error"].lower()
    assert failed["path"].is_file(), "a refused photo is never removed"
    assert report.failures == [{"photo_id": bad["id"], "reason": failed["upload_error"]}]
    assert _photo(device, good["id"])["upload_state"] == "confirmed"
    # A failed photo stays visible and is not retried on its own...
    assert UploadQueue(device.path).run().failed == 0
    assert _photo(device, bad["id"])["upload_state"] == "failed"
    with device.replica() as r:
        assert r.upload_counts() == {"waiting": 0, "failed": 1, "confirmed": 1}
        r.retry_photo(bad["id"])  # ...until the user asks
        assert r.photo(bad["id"])["upload_state"] == "queued"


def test_offline_keeps_the_photo_queued_with_the_reason(server: CaseServer, tmp_path: Path) -> None:
    device, ticket_id = _device(tmp_path, server)
    photo = _attach(device, ticket_id, _big_photo(tmp_path / "p.jpg", seed=7))
    device.sync()
    with device.replica() as r:
        r.put(server="http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(Offline):
        UploadQueue(device.path, timeout=5).run()
    stored = _photo(device, photo["id"])
    assert stored["upload_state"] == "queued" and "cannot reach" in stored["upload_error"]


def test_a_slow_upload_never_holds_up_record_sync(
    fresh_server: CaseServer, relay: Relay, tmp_path: Path
) -> None:
    device, ticket_id = _device(tmp_path, fresh_server)
    photo = _attach(device, ticket_id, _big_photo(tmp_path / "p.jpg", seed=9))
    device.sync()
    queue = UploadQueue(device.path, chunk_size=64 * 1024)
    with device.replica() as r:
        r.put(server=relay.url)
    relay.delay = 0.05  # about 50 s for this photo: far slower than a sync
    scheduler = SyncScheduler(device.engine, interval=3600, uploads=queue)
    started = threading.Event()
    queue.events.subscribe("upload", lambda p: p.sent > 0 and started.set())
    scheduler.start(sync_now=False)
    try:
        scheduler.upload_now()
        assert started.wait(30), "the upload began"
        device.note(ticket_id, "while the photo uploads")
        synced = threading.Event()
        device.engine.events.subscribe("synced", lambda _r: synced.set())
        scheduler.sync_now()
        assert synced.wait(20), "record sync ran while the upload was still going"
        assert _photo(device, photo["id"])["upload_state"] == "uploading"
        notes = fresh_server.get_ticket(fresh_server.token("admin"), ticket_id)["notes"]
        assert [n["text"] for n in notes] == ["while the photo uploads"]
    finally:
        scheduler.stop(wait=True)  # the upload stops part-way; it resumes next time
    assert _photo(device, photo["id"])["upload_state"] == "uploading"


def test_command_line_attaches_lists_and_uploads_photos(server: CaseServer, tmp_path: Path) -> None:
    device, ticket_id = _device(tmp_path, server)
    card = tmp_path / "DCIM"
    (card / "100CAM").mkdir(parents=True)
    Image.new("RGB", (640, 480), (200, 30, 30)).save(card / "100CAM" / "IMG_0001.JPG")
    Image.new("RGB", (640, 480), (30, 30, 200)).save(card / "IMG_0002.jpg")
    (card / "IMG_0003.jpg").write_bytes(b"half a photo")
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def fieldapp(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fieldapp", "--profile", str(device.folder), *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    added = fieldapp(
        "photo", "add", ticket_id[:8], str(card), "--kind", "after", "--caption", "Fixed", "--private"
    )
    assert added.returncode == 1  # one file was not a photo; it is named, the others are attached
    assert "not attached: IMG_0003.jpg: not an image this app can read" in added.stdout
    assert added.stdout.count(" after 640×480 queued") == 2
    wrong = fieldapp("photo", "add", ticket_id, str(card / "IMG_0002.jpg"), "--kind", "during")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr

    listed = fieldapp("photos", ticket_id)
    assert listed.returncode == 0 and listed.stdout.count("after  queued [private] Fixed") == 2
    assert fieldapp("sync").returncode == 0
    uploaded = fieldapp("--json", "upload", "--free-space")
    assert uploaded.returncode == 0, uploaded.stderr
    assert json.loads(uploaded.stdout) | {"bytes_sent": 0} == {
        "confirmed": 2,
        "failed": 0,
        "waiting": 0,
        "bytes_sent": 0,
        "freed": 2,
        "failures": [],
    }
    listed = fieldapp("photos", ticket_id)
    assert listed.stdout.count("confirmed, original removed from this device [private] Fixed") == 2
    on_server = server.get_ticket(server.token("admin"), ticket_id)["photos"]
    assert (
        sorted((p["kind"], p["caption"], p["for_reporter"]) for p in on_server)
        == [("after", "Fixed", False)] * 2
    )


def test_a_photo_goes_in_one_streamed_patch_with_progress_and_a_cancel_keeps_what_arrived(
    fresh_server: CaseServer, relay: Relay, tmp_path: Path
) -> None:
    device, ticket_id = _device(tmp_path, fresh_server, relay)
    photo = _attach(device, ticket_id, _big_photo(tmp_path / "p.jpg", seed=5))
    device.sync()
    size = photo["size"]
    queue = UploadQueue(device.path)  # the app's own chunking: the whole photo per PATCH
    seen: list[UploadProgress] = []
    queue.events.subscribe("upload", seen.append)
    # Progress is heard on the uploading thread: past a third of the photo, the app closes.
    queue.events.subscribe("upload", lambda p: p.sent > size // 3 and queue.cancel())
    report = queue.run()
    assert report.waiting == 1 and report.confirmed == 0 and report.bytes_sent == 0
    sending = [p.sent for p in seen if p.state == "uploading"]
    assert sending == sorted(sending) and len(set(sending)) >= 4, sending
    stored = _photo(device, photo["id"])
    relay.wait_drained()
    upload_id = stored["upload_url"].rsplit("/", 1)[1]
    deadline = time.monotonic() + 10
    while not (parts := _upload_parts(fresh_server, upload_id)) and time.monotonic() < deadline:
        time.sleep(0.02)  # the server is still reading up to the dropped connection
    assert len(parts) == 1, "one PATCH carried all that was sent"
    on_server = len(_offset_probe(fresh_server, stored["upload_url"], device))
    assert size // 3 < on_server < size, "the cancel stopped the request part-way; the server kept what came"

    before = len(relay.sent_up)
    report = UploadQueue(device.path).run()
    assert report.confirmed == 1 and report.bytes_sent == size - on_server
    assert len(_original(fresh_server, photo["id"])) == size
    resumed = bytes(relay.sent_up[before:])
    assert resumed.count(b"PATCH /api/v1/uploads/") == 1
    # Asked once whether the server had the photo; its last answer confirmed it, no second GET.
    assert resumed.count(b"GET /api/v1/blobs/") == 1


def _upload_parts(server: CaseServer, upload_id: str) -> list[list[Any]]:
    """The parts the server counts for an unfinished upload (one per request that brought bytes)."""
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            parts = conn.execute(text("SELECT parts FROM uploads WHERE id = :id"), {"id": upload_id}).scalar()
    finally:
        engine.dispose()
    return list(json.loads(parts or "[]"))
