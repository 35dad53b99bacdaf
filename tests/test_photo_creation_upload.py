"""The device's upload queue sends a small photo in the request that creates its upload (tus
creation-with-upload), through a relay that sees every request, against a real case server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from netrelay import Relay
from photohelpers import jpeg_with_gps, sha256
from serverproc import CaseServer
from test_photo_upload import _attach, _device, _original, _photo

from sync.errors import Offline
from sync.uploads import WHOLE_IN_CREATION, UploadQueue


@pytest.fixture
def relay(fresh_server: CaseServer) -> Iterator[Relay]:
    relay = Relay(int(fresh_server.url.rsplit(":", 1)[1]))
    yield relay
    relay.close()


def _requests(relay: Relay) -> list[str]:
    """The request lines the device sent, in order ("POST /api/v1/uploads/", ...)."""
    return [m.decode() for m in re.findall(rb"(?:GET|HEAD|POST|PATCH|DELETE) /[^ ?]*", bytes(relay.sent_up))]


def _small_photo(tmp_path: Path, seed: int) -> Path:
    path = tmp_path / f"small-{seed}.jpg"
    path.write_bytes(jpeg_with_gps(1024, 768, seed=seed))
    assert path.stat().st_size < WHOLE_IN_CREATION
    return path


def test_a_small_photo_goes_in_its_creation_request_and_its_answer_confirms_it(
    fresh_server: CaseServer, relay: Relay, tmp_path: Path
) -> None:
    device, ticket_id = _device(tmp_path, fresh_server, relay)
    photo = _attach(device, ticket_id, _small_photo(tmp_path, 1))
    device.sync()
    before = len(_requests(relay))
    report = UploadQueue(device.path).run()
    assert report.confirmed == 1 and report.bytes_sent == photo["size"]
    sent = _requests(relay)[before:]
    assert sent == [f"GET /api/v1/blobs/{photo['sha256']}", "POST /api/v1/uploads/"]  # no PATCH, no 2nd GET
    stored = _photo(device, photo["id"])
    assert stored["upload_state"] == "confirmed"
    assert sha256(_original(fresh_server, photo["id"])) == photo["sha256"]


def test_a_cut_creation_is_sent_again_as_a_resumable_upload(
    fresh_server: CaseServer, relay: Relay, tmp_path: Path
) -> None:
    device, ticket_id = _device(tmp_path, fresh_server, relay)
    photo = _attach(device, ticket_id, _small_photo(tmp_path, 2))
    device.sync()
    relay.cut_at = relay.upstream + 2048 + photo["size"] // 2  # half the photo, then the line drops
    with pytest.raises(Offline):
        UploadQueue(device.path, timeout=10).run()
    stored = _photo(device, photo["id"])
    assert stored["upload_state"] == "uploading" and stored["upload_url"] is None
    relay.wait_drained()
    relay.cut_at = None
    before = len(_requests(relay))
    report = UploadQueue(device.path).run()
    assert report.confirmed == 1
    sent = _requests(relay)[before:]
    assert sent[1:] == ["POST /api/v1/uploads/", sent[2]] and sent[2].startswith("PATCH /api/v1/uploads/")
    assert sha256(_original(fresh_server, photo["id"])) == photo["sha256"]
