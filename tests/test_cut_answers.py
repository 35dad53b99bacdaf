"""A cut connection is an ordinary offline state, at any byte of any answer.

A TCP relay in front of a real case server cuts chosen answers part-way through their
head, right after it, or part-way through the body, for every kind of request the
device makes (sign-in, push, feed page, digest, photo upload). The command line says
"cannot reach the case server" in one line and exits 1, the background scheduler
reports offline, nothing queued is lost, and the next sync over a healthy line
completes with nothing pending. A proxy's or captive portal's answers (a 200 page that
is not JSON, JSON cut short, the wrong content type, a gateway error page) are the same.
"""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from netrelay import AFTER_HEAD, HALF_BODY, INSIDE_HEAD, STATUS_LINE, Relay
from PIL import Image
from serverproc import PASSWORDS, REPO, CaseServer, Device

from fieldapp.cli import main
from sync.client import CaseServerClient
from sync.engine import SyncEngine
from sync.errors import Offline
from sync.events import EventBus, SyncState
from sync.photos import attach_photo
from sync.scheduler import SyncScheduler

CUTS = [STATUS_LINE, INSIDE_HEAD, AFTER_HEAD, HALF_BODY]
OFFLINE_LINE = "fieldapp: cannot reach the case server at "


@pytest.fixture
def relay(server: CaseServer) -> Iterator[Relay]:
    relay = Relay(int(server.url.rsplit(":", 1)[1]))
    yield relay
    relay.close()


def _cli(capsys: pytest.CaptureFixture[str], profile: Path, *args: str) -> tuple[int, str]:
    code = main(["--profile", str(profile), *args])
    return code, capsys.readouterr().err


def _assert_offline_line(code: int, err: str) -> None:
    assert code == 1, err
    assert err.startswith(OFFLINE_LINE) and err.count("\n") == 1, err


def _crew_device(tmp_path: Path, server: CaseServer, relay: Relay) -> tuple[Device, str]:
    """aino's device, synced, with every later request going through the relay."""
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    device = Device(tmp_path / "tablet", server, "aino")
    device.sync()
    with device.replica() as r:
        r.put(server=relay.url)
    return device, ticket_id


@pytest.mark.parametrize("where", CUTS)
@pytest.mark.parametrize("path", ["/api/v1/push", "/api/v1/feed"])
def test_a_cut_sync_answer_is_offline_and_the_next_sync_sends_everything_once(
    server: CaseServer,
    relay: Relay,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    where: str,
) -> None:
    device, ticket_id = _crew_device(tmp_path, server, relay)
    device.set(ticket_id, "status", "en_route")
    device.note(ticket_id, f"cut {path} {where}")
    method = "POST" if path.endswith("push") else "GET"
    cut = relay.cut_answer(method, path, where)

    code, err = _cli(capsys, device.folder, "sync")
    _assert_offline_line(code, err)
    assert cut.done == 1
    if path.endswith("push"):  # the answer was lost: both edits are still queued
        assert device.counts()["pending"] == 2
    assert device.ticket(ticket_id)["status"] == "en_route"

    code, err = _cli(capsys, device.folder, "sync")
    assert code == 0, err
    counts = device.counts()
    assert (counts["pending"], counts["rejected"]) == (0, 0)
    # Conflicts of other tests on this shared server reach the crew too; none is this ticket's.
    with device.replica() as r:
        assert [c for c in r.conflicts() if c["ticket_id"] == ticket_id] == []
    on_server = server.get_ticket(server.token("admin"), ticket_id)
    assert on_server["status"] == "en_route"
    assert [n["text"] for n in on_server["notes"]] == [f"cut {path} {where}"]  # sent once, not lost


@pytest.mark.parametrize("where", CUTS)
def test_a_cut_sign_in_answer_is_offline_and_signs_nobody_in(
    server: CaseServer, relay: Relay, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    profile = tmp_path / "tablet"
    login = ["login", "--server", relay.url, "--user", "aino", "--password", PASSWORDS["aino"]]
    relay.cut_answer("POST", "/api/v1/auth/login", where)
    _assert_offline_line(*_cli(capsys, profile, *login))
    code, err = _cli(capsys, profile, "sync")
    assert code == 1 and "not signed in" in err
    code, err = _cli(capsys, profile, *login)
    assert code == 0, err


@pytest.mark.parametrize("where", CUTS)
def test_a_cut_digest_answer_is_offline(server: CaseServer, relay: Relay, where: str) -> None:
    client = CaseServerClient(relay.url, server.token("aino"), timeout=10)
    try:
        relay.cut_answer("GET", "/api/v1/digest", where)
        with pytest.raises(Offline, match="cannot reach the case server"):
            client.digest()
        assert set(client.digest()) == {"digest", "count"}
    finally:
        client.close()


def test_the_command_line_process_prints_one_line_for_a_cut_answer(
    server: CaseServer, relay: Relay, tmp_path: Path
) -> None:
    device, ticket_id = _crew_device(tmp_path, server, relay)
    device.note(ticket_id, "one line, no traceback")
    relay.cut_answer("POST", "/api/v1/push", HALF_BODY)
    done = subprocess.run(
        [sys.executable, "-m", "fieldapp", "--profile", str(device.folder), "sync"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(OFFLINE_LINE) and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("method", "path", "where", "edge"),
    [
        ("GET", "/api/v1/blobs/", HALF_BODY, 1800),  # the confirmation before and after the bytes
        ("GET", "/api/v1/blobs/", AFTER_HEAD, 1800),
        ("POST", "/api/v1/uploads/", STATUS_LINE, 1800),  # creation, then PATCH
        ("POST", "/api/v1/uploads/", STATUS_LINE, 400),  # a small photo goes in its creation
        ("PATCH", "/api/v1/uploads/", STATUS_LINE, 1800),
        ("HEAD", "/api/v1/uploads/", STATUS_LINE, 1800),  # resuming: where does the server stand
    ],
)
def test_a_cut_upload_answer_is_offline_and_the_photo_still_goes(
    server: CaseServer,
    relay: Relay,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    method: str,
    path: str,
    where: str,
    edge: int,
) -> None:
    device, ticket_id = _crew_device(tmp_path, server, relay)
    source = tmp_path / "before.jpg"
    # 1800 px: larger than one creation request carries (created, then sent by PATCH).
    Image.effect_noise((edge, edge * 3 // 4), 60).convert("RGB").save(source, quality=95)
    with device.replica() as r:
        photo = attach_photo(r, ticket_id, source, kind="before")
    assert _cli(capsys, device.folder, "sync")[0] == 0
    if method == "HEAD":  # an upload to resume: the line drops half-way through the PATCH
        relay.cut_at = relay.upstream + 4096 + photo["size"] // 2
        code, err = _cli(capsys, device.folder, "upload")
        _assert_offline_line(code, err)
        relay.wait_drained()
        relay.cut_at = None
    cut = relay.cut_answer(method, path, where)

    code, err = _cli(capsys, device.folder, "upload")
    _assert_offline_line(code, err)
    assert cut.done == 1
    with device.replica() as r:
        assert r.photo(photo["id"])["upload_state"] in ("queued", "uploading", "uploaded")

    code, err = _cli(capsys, device.folder, "upload")
    assert code == 0, err
    with device.replica() as r:
        assert r.photo(photo["id"])["upload_state"] == "confirmed"
        assert r.upload_counts()["waiting"] == 0


def test_the_scheduler_reports_offline_for_cut_answers_and_recovers(
    server: CaseServer, relay: Relay, tmp_path: Path
) -> None:
    device, ticket_id = _crew_device(tmp_path, server, relay)
    device.note(ticket_id, "sent by the scheduler")
    relay.cut_answer("POST", "/api/v1/push", HALF_BODY, times=2)
    relay.cut_answer("GET", "/api/v1/feed", AFTER_HEAD, times=2)
    events = EventBus()
    states: list[SyncState] = []
    done = threading.Event()

    def on_state(state: SyncState) -> None:
        states.append(state)
        if state.phase == "idle" and state.pending == 0:
            done.set()

    events.subscribe("state", on_state)
    scheduler = SyncScheduler(
        SyncEngine(device.path, events), interval=3600, retry_base=0.1, retry_cap=0.5, seed=3
    )
    scheduler.start()
    try:
        assert done.wait(60), states
    finally:
        scheduler.stop()
    failed = [s for s in states if s.phase in ("offline", "error")]
    assert len(failed) == 4, states  # two cut pushes, then two cut feed pages
    assert all(s.phase == "offline" and "cannot reach the case server" in (s.message or "") for s in failed)
    on_server = server.get_ticket(server.token("admin"), ticket_id)
    assert [n["text"] for n in on_server["notes"]] == ["sent by the scheduler"]


#: What sits at the server's address instead of the case server, by path prefix.
PORTAL_ANSWERS: dict[str, tuple[int, str, bytes]] = {
    "/html": (200, "text/html", b"<html><body>Sign in to the Wi-Fi</body></html>"),
    "/half-json": (200, "application/json", b'{"token": "abc", "user": {"us'),
    "/text-json": (200, "text/plain", b'{"results": []}'),
    "/other-json": (200, "application/json", b'{"status": "welcome"}'),
    "/gateway": (502, "text/html", b"<h1>502 Bad Gateway</h1>"),
}


class _Portal(http.server.BaseHTTPRequestHandler):
    """A captive portal, a proxy or another server, answering every request alike."""

    def _answer(self) -> None:
        status, kind, body = PORTAL_ANSWERS[self.path.split("/api/")[0]]
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_HEAD = _answer

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def portal() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("answer", list(PORTAL_ANSWERS))
def test_answers_that_are_not_the_case_servers_are_offline(
    server: CaseServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], portal: str, answer: str
) -> None:
    ticket_id = server.create_ticket(server.token("admin"), assigned_crew="north")["id"]
    device = Device(tmp_path / "tablet", server, "aino")
    device.sync()
    source = tmp_path / "before.jpg"
    Image.effect_noise((400, 300), 30).convert("RGB").save(source)
    with device.replica() as r:
        attach_photo(r, ticket_id, source, kind="before")
    device.sync()  # the photo's record is on the server: its bytes can go
    device.note(ticket_id, "kept through the portal")
    device.set(ticket_id, "status", "en_route")
    with device.replica() as r:
        r.put(server=portal + answer)
    profile = device.folder
    for args in (["sync"], ["upload"]):
        _assert_offline_line(*_cli(capsys, profile, *args))
    login = ["login", "--server", portal + answer, "--user", "aino", "--password", PASSWORDS["aino"]]
    _assert_offline_line(*_cli(capsys, tmp_path / "other", *login))
    assert device.counts()["pending"] == 2  # the note and the photo record wait

    with device.replica() as r:
        r.put(server=server.url)
    assert _cli(capsys, profile, "sync")[0] == 0
    assert _cli(capsys, profile, "upload")[0] == 0
    assert device.counts()["pending"] == 0
    with device.replica() as r:
        assert r.upload_counts() == {"waiting": 0, "failed": 0, "confirmed": 1}
