"""The ticket screen's photo gallery: real widgets offscreen, a real case server, real files."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint
from serverproc import PASSWORDS, CaseServer, Device

from fieldapp.mainwindow import MainWindow
from fieldapp.qt import QApplication, QDragEnterEvent, QDropEvent, QMimeData, QPointF, Qt, QUrl
from sync.photos import attach_photo
from sync.uploads import UploadProgress, UploadQueue

pytestmark = pytest.mark.usefixtures("no_threads_left_behind")


def _jpeg(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (800, 600)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG", quality=85)
    return path


def _open_ticket(qtbot, server: CaseServer, profile: Path, ticket_id: str) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(profile, sync_interval=3600)
    qtbot.addWidget(window, before_close_func=lambda w: w.shutdown())
    window.resize(1280, 900)
    window.show()
    window.signin.server.setText(server.url)
    window.signin.user.setText("aino")
    window.signin.password.setText(PASSWORDS["aino"])
    qtbot.mouseClick(window.signin.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.bridge is not None and window.bridge.state.last_sync is not None, timeout=30_000
    )
    window.open_ticket(ticket_id)
    qtbot.waitUntil(lambda: window.ticket.ticket is not None and not window.busy(), timeout=30_000)
    return window


def test_imported_photos_show_before_and_after_side_by_side_with_pending_marks(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    ticket_id = server.create_ticket(admin, assigned_crew="north")["id"]
    window = _open_ticket(qtbot, server, tmp_path / "tablet", ticket_id)
    gallery = window.ticket.gallery
    # No camera here: "Take photo" opens the camera panel, which says so and offers files.
    qtbot.mouseClick(gallery.take_button, Qt.MouseButton.LeftButton)
    assert window.ticket.page() == "camera"
    assert window.ticket.camera.no_camera.isVisible() and not window.ticket.camera.shutter.isEnabled()
    qtbot.keyClick(window.ticket, Qt.Key.Key_Escape)
    assert window.ticket.page() == "details"

    broken = tmp_path / "card" / "broken.jpg"
    broken.parent.mkdir()
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    gallery.caption.setText("Hole in the lane")
    gallery.import_paths([_jpeg(tmp_path / "b1.jpg", (200, 40, 40)), broken], kind="before")
    qtbot.waitUntil(lambda: len(gallery.states()) == 1 and not gallery.busy(), timeout=30_000)
    assert "Not added: broken.jpg" in gallery.message.text()

    # A whole folder dropped onto the gallery (a camera card), as "after" photos.
    qtbot.mouseClick(gallery.kind.chips["after"], Qt.MouseButton.LeftButton)
    card = tmp_path / "DCIM"
    _jpeg(card / "100CAM" / "IMG_0002.JPG", (40, 200, 40))
    _jpeg(card / "IMG_0003.jpg", (40, 40, 200))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(card))])
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    assert QApplication.sendEvent(gallery, enter) and enter.isAccepted()
    QApplication.sendEvent(gallery, drop)
    qtbot.waitUntil(lambda: len(gallery.states()) == 3 and not gallery.busy(), timeout=30_000)

    states = gallery.states()
    columns = sorted(kind for kind, _state, _text in states.values())
    assert columns == ["after", "after", "before"]
    before, after = gallery.lists["before"], gallery.lists["after"]
    top_left_before = before.mapTo(window, before.rect().topLeft())
    top_left_after = after.mapTo(window, after.rect().topLeft())
    assert top_left_before.y() == top_left_after.y() and top_left_before.x() < top_left_after.x()
    assert before.item(0).text().startswith("Hole in the lane")
    assert not before.item(0).icon().isNull()

    # The photos' records sync with the ticket; their bytes wait for the upload queue.
    qtbot.waitUntil(
        lambda: window.bridge.state.pending == 0 and window.bridge.state.phase == "idle", timeout=30_000
    )
    on_server = server.get_ticket(admin, ticket_id)
    assert {p["id"] for p in on_server["photos"]} == set(states)
    assert {p["kind"] for p in on_server["photos"]} == {"before", "after"}
    gallery.reload()
    qtbot.waitUntil(lambda: not gallery.busy(), timeout=10_000)
    for _kind, state, text in gallery.states().values():
        assert state in ("queued", "uploading", "uploaded", "confirmed"), state
        if state != "confirmed":
            assert "⟳" in text, text  # marked pending until the server confirms the bytes
    window.shutdown()


def test_upload_progress_and_failures_and_other_devices_photos_are_shown(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    ticket_id = server.create_ticket(admin, assigned_crew="north")["id"]
    eero = Device(tmp_path / "eero", server, "eero")
    eero.sync()
    with eero.replica() as replica:
        theirs = attach_photo(replica, ticket_id, _jpeg(tmp_path / "e.jpg", (90, 90, 90)), kind="after")
    eero.sync()
    assert UploadQueue(eero.path).run().confirmed == 1

    window = _open_ticket(qtbot, server, tmp_path / "tablet", ticket_id)
    gallery = window.ticket.gallery
    qtbot.waitUntil(lambda: theirs["id"] in gallery.states(), timeout=30_000)
    kind, state, text = gallery.states()[theirs["id"]]
    assert (kind, state) == ("after", "remote") and "from eero" in text
    # Its thumbnail comes from the server (off the GUI thread) and is kept for offline use.
    cached = tmp_path / "tablet" / "photos" / "remote-thumbs" / f"{theirs['id']}.jpg"
    qtbot.waitUntil(cached.is_file, timeout=30_000)
    with Image.open(cached) as thumb:
        assert max(thumb.size) <= 400 and thumb.getpixel((5, 5))[0] in range(80, 101)

    window.bridge.scheduler.uploads = None  # this test drives the progress events itself
    gallery.import_paths([_jpeg(tmp_path / "m.jpg", (200, 40, 40))], kind="before")
    qtbot.waitUntil(lambda: len(gallery.states()) == 2 and not gallery.busy(), timeout=30_000)
    qtbot.waitUntil(
        lambda: window.bridge.state.pending == 0 and window.bridge.state.phase == "idle", timeout=30_000
    )
    qtbot.waitUntil(lambda: not window.busy(), timeout=30_000)
    mine = next(pid for pid in gallery.states() if pid != theirs["id"])
    size = gallery.photos[mine]["size"]

    # Progress comes from the upload queue's worker thread through the bridge's signal.
    def report_until_shown(progress: UploadProgress, shown: Callable[[], bool]) -> None:
        # Sent again until it shows: a reload of the gallery from the replica (after a
        # background sync) may replace a progress line, as it would between two chunks.
        deadline = time.monotonic() + 10
        while True:
            threading.Thread(target=window.bridge.events.emit, args=("upload", progress)).start()
            qtbot.wait(200)
            if shown():
                return
            assert time.monotonic() < deadline, gallery.states()[progress.photo_id]

    percent = (size * 2 // 5) * 100 // size
    report_until_shown(
        UploadProgress(mine, ticket_id, "uploading", size * 2 // 5, size),
        lambda: f"⟳ uploading {percent}%" in gallery.states()[mine][2],
    )
    report_until_shown(
        UploadProgress(mine, ticket_id, "failed", size // 2, size, "the photo is not a JPEG"),
        lambda: gallery.states()[mine][1] == "failed",
    )
    assert "upload failed: the photo is not a JPEG" in gallery.states()[mine][2]

    # Its record is on the server but its bytes are not: signing out asks first.
    asked: list[dict[str, int]] = []
    window.sign_out(confirm=lambda counts: asked.append(counts) or False)
    qtbot.waitUntil(lambda: bool(asked) and window.bridge is not None, timeout=10_000)
    assert asked[0]["pending"] == 1
    qtbot.waitUntil(lambda: not window.busy(), timeout=30_000)
    assert window.current_view() != "signin"
    window.shutdown()
