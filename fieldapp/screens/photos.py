"""A ticket's photos: before and after side by side, upload progress, capture and import.

Photos come from the camera (Qt Multimedia, when the device has one), from files (a
dialog, or dropped onto the gallery) or from a whole folder (a camera card). Each is
marked before / after / other, with a caption and whether the reporter may see it.
Processing (sync.photos), the replica and the network all run off the GUI thread
(run_task); upload progress arrives as SyncBridge.upload_progress signals.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldapp.errors import user_message
from fieldapp.labels import photo_kind_label
from fieldapp.qt import (
    TOUCH,
    QCamera,
    QCheckBox,
    QColor,
    QComboBox,
    QDialog,
    QDragEnterEvent,
    QDropEvent,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QIcon,
    QImage,
    QImageCapture,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMediaCaptureSession,
    QMediaDevices,
    QPixmap,
    QSize,
    Qt,
    QVBoxLayout,
    QVideoWidget,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.tasks import run_task, with_replica
from sync.client import CaseServerClient
from sync.errors import Offline, SyncError
from sync.photos import PHOTO_KINDS, PhotoError, attach_photo, images_in
from sync.replica import Replica
from sync.uploads import UploadProgress

ICON = QSize(160, 120)
PHOTO_ID = Qt.ItemDataRole.UserRole
PHOTO_STATE = Qt.ItemDataRole.UserRole + 1
#: Thumbnails of other devices' photos, fetched once from the server and kept for offline use.
REMOTE_THUMBS = "remote-thumbs"


def camera_available() -> bool:
    return QMediaDevices is not None and bool(QMediaDevices.videoInputs())


def state_text(photo: dict[str, Any]) -> str:
    """One line about where the photo's bytes are."""
    state = photo["upload_state"]
    if state == "remote":
        return tr("from {author}").format(author=photo.get("author", "?"))
    if state == "failed":
        return tr("✗ upload failed: {reason}").format(reason=photo.get("upload_error") or "?")
    if state == "confirmed":
        return tr("✓ on the server")
    if state == "uploaded":
        return tr("⟳ checking on the server")
    if state == "uploading":
        percent = int(photo["bytes_sent"]) * 100 // max(1, int(photo["size"]))
        return tr("⟳ uploading {percent}%").format(percent=percent)
    if photo.get("op_pending"):
        return tr("⟳ waiting for sync")
    if photo.get("upload_error"):
        return tr("⟳ waiting to upload ({reason})").format(reason=photo["upload_error"])
    return tr("⟳ waiting to upload")


def _placeholder() -> QIcon:
    pixmap = QPixmap(ICON)
    pixmap.fill(QColor("#cfd8dc"))
    return QIcon(pixmap)


def _load(replica: Replica, ticket_id: str) -> tuple[list[dict[str, Any]], bool]:
    """The ticket's photos with their thumbnails decoded (QImage is safe off the GUI thread)."""
    photos = replica.photos(ticket_id)
    pending = {
        r[0]
        for r in replica.conn.execute(
            "SELECT op_id FROM outbox WHERE kind = 'photo' AND acked_version IS NULL"
        )
    }
    cache = replica.photos_dir / REMOTE_THUMBS
    for photo in photos:
        photo["op_pending"] = photo["id"] in pending
        thumb = photo["thumb_path"] or cache / f"{photo['id']}.jpg"
        photo["thumb"] = QImage(str(thumb)) if Path(thumb).is_file() else None
    return photos, replica.free_space_chosen


def _fetch_thumbs(replica: Replica, photo_ids: list[str]) -> dict[str, QImage]:
    """Thumbnails of other devices' photos from the server, kept on disk; stops when offline."""
    server, token = replica.get("server"), replica.get("token")
    if not server or not token:
        return {}
    cache = replica.photos_dir / REMOTE_THUMBS
    cache.mkdir(parents=True, exist_ok=True)
    client = CaseServerClient(server, token, timeout=5.0)
    found: dict[str, QImage] = {}
    try:
        for photo_id in photo_ids:
            try:
                data = client.photo_thumb(photo_id)
            except Offline:
                break  # a placeholder until the network is back
            except SyncError:
                continue  # not there yet (bytes still uploading from the other device)
            target = cache / f"{photo_id}.jpg"
            target.write_bytes(data)
            image = QImage(str(target))
            if image.isNull():
                target.unlink(missing_ok=True)
            else:
                found[photo_id] = image
    finally:
        client.close()
    return found


class CameraDialog(QDialog):
    """The device's camera: a viewfinder and a shutter button; each shot is saved to a file."""

    captured = Signal(str)

    def __init__(self, folder: Path, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Take photo"))
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.viewfinder = QVideoWidget()
        self.viewfinder.setMinimumSize(480, 360)
        self.camera = QCamera(QMediaDevices.defaultVideoInput())
        self.capture = QImageCapture()
        self.session = QMediaCaptureSession()
        self.session.setCamera(self.camera)
        self.session.setImageCapture(self.capture)
        self.session.setVideoOutput(self.viewfinder)
        self.message = QLabel()
        self.shutter = touch_button(tr("Take photo"), primary=True)
        self.shutter.clicked.connect(self.shoot)
        done = touch_button(tr("Done"))
        done.clicked.connect(self.accept)
        self.capture.imageSaved.connect(lambda _id, path: self.captured.emit(path))
        self.capture.errorOccurred.connect(lambda _id, _error, text: self.message.setText(text))
        self.camera.errorOccurred.connect(lambda _error, text: self.message.setText(text))
        buttons = QHBoxLayout()
        buttons.addWidget(self.shutter)
        buttons.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.viewfinder, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.camera.start()

    def shoot(self) -> None:
        if self.capture.isReadyForCapture():
            self.capture.captureToFile(str(self.folder / f"capture-{uuid.uuid4()}.jpg"))

    def done(self, result: int) -> None:
        self.camera.stop()
        super().done(result)


class PhotoGallery(QWidget):
    #: Photos were attached (queued on this device); the window starts a sync.
    changed = Signal()
    #: A photo of this kind was attached (the resolve panel marks its after-photo step done).
    photo_captured = Signal(str)

    def __init__(self, replica_path: Path, parent: Any = None) -> None:
        super().__init__(parent)
        self.replica_path = replica_path
        self.ticket_id: str | None = None
        self.photos: dict[str, dict[str, Any]] = {}
        self.items: dict[str, QListWidgetItem] = {}
        #: Where the device is now (sync.wire.Position as a dict), for photos without EXIF GPS.
        self.position_provider: Callable[[], dict[str, Any] | None] = lambda: None
        self._busy = 0
        self._fetched: set[str] = set()
        self.setAcceptDrops(True)

        self.kind = QComboBox()
        self.kind.setAccessibleName(tr("Photo kind"))
        self.kind.setMinimumHeight(TOUCH)
        for kind in PHOTO_KINDS:
            self.kind.addItem(photo_kind_label(kind), kind)
        self.caption = QLineEdit()
        self.caption.setPlaceholderText(tr("Caption (optional)"))
        self.caption.setAccessibleName(tr("Photo caption"))
        self.caption.setMinimumHeight(TOUCH)
        self.for_reporter = QCheckBox(tr("Reporter may see it"))
        self.for_reporter.setChecked(True)
        self.for_reporter.setMinimumHeight(TOUCH)
        self.take_button = touch_button(tr("Take photo…"))
        self.take_button.clicked.connect(lambda: self.open_camera())
        self.files_button = touch_button(tr("Add photos…"))
        self.files_button.clicked.connect(self.choose_files)
        self.folder_button = touch_button(tr("Add folder…"), tr("Add every photo of a folder or camera card"))
        self.folder_button.clicked.connect(self.choose_folder)
        self.free_space = QCheckBox(tr("Remove originals from this device once the server has them"))
        self.free_space.clicked.connect(self._free_space_clicked)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(tr("Photo messages"))

        self.lists: dict[str, QListWidget] = {}
        columns = QGridLayout()
        for column, kind in enumerate(PHOTO_KINDS):
            view = QListWidget()
            view.setObjectName(f"photos_{kind}")
            view.setAccessibleName(tr("{kind} photos").format(kind=photo_kind_label(kind)))
            view.setViewMode(QListWidget.ViewMode.IconMode)
            view.setIconSize(ICON)
            view.setResizeMode(QListWidget.ResizeMode.Adjust)
            view.setWordWrap(True)
            view.setMinimumHeight(ICON.height() + 70)
            view.setAcceptDrops(False)
            view.itemClicked.connect(self._item_activated)  # one tap, as everywhere
            columns.addWidget(QLabel(f"<b>{photo_kind_label(kind)}</b>"), 0, column)
            columns.addWidget(view, 1, column)
            self.lists[kind] = view

        controls = QHBoxLayout()
        for widget in (self.kind, self.caption, self.for_reporter):
            controls.addWidget(widget)
        buttons = QHBoxLayout()
        for widget in (self.take_button, self.files_button, self.folder_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.free_space)
        hint = QLabel(tr("Drop photos or folders here. Tap a failed upload to try again."))
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addLayout(columns)
        layout.addWidget(hint)
        self._camera_checked = False

    # -- wiring --------------------------------------------------------------------------
    def follow(self, bridge: Any) -> None:
        """Show upload progress from the bridge (SyncBridge.upload_progress)."""
        bridge.upload_progress.connect(self.on_upload)
        self._upload_now = bridge.upload_now

    def _upload_now(self) -> None:
        """Replaced by `follow`: ask the upload queue to run."""

    def busy(self) -> bool:
        return self._busy > 0

    def showEvent(self, event: Any) -> None:
        if not self._camera_checked:  # looking for cameras takes a moment: once, when first shown
            self._camera_checked = True
            has_camera = camera_available()
            self.take_button.setEnabled(has_camera)
            if not has_camera:
                self.take_button.setToolTip(tr("No camera found on this device: add photos from files"))
        super().showEvent(event)

    # -- loading ---------------------------------------------------------------------------
    def show_ticket(self, ticket_id: str) -> None:
        if ticket_id != self.ticket_id:
            self.message.clear()
        self.ticket_id = ticket_id
        self._run(lambda r: _load(r, ticket_id), lambda result: self._show(ticket_id, *result))

    def reload(self) -> None:
        if self.ticket_id is not None:
            self.show_ticket(self.ticket_id)

    def _run(
        self, action: Callable[[Replica], Any], done: Callable[[Any], None], *, network: bool = False
    ) -> None:
        self._busy += 1

        def finished(result: Any) -> None:
            self._busy -= 1
            done(result)

        def failed(exc: Exception) -> None:
            self._busy -= 1
            self.message.setText(user_message(exc))

        run_task(with_replica(self.replica_path, action), finished, failed, network=network)

    def _show(self, ticket_id: str, photos: list[dict[str, Any]], free_space: bool) -> None:
        if ticket_id != self.ticket_id:
            return  # another ticket was opened meanwhile
        self.free_space.setChecked(free_space)
        for view in self.lists.values():
            view.clear()
        self.items, self.photos = {}, {}
        missing = []
        for photo in photos:
            item = QListWidgetItem()
            item.setData(PHOTO_ID, photo["id"])
            image = photo.pop("thumb")
            item.setIcon(QIcon(QPixmap.fromImage(image)) if image is not None else _placeholder())
            if image is None and photo["origin"] == "server" and photo["id"] not in self._fetched:
                missing.append(photo["id"])
            self.lists.get(photo["kind"], self.lists["other"]).addItem(item)
            self.items[photo["id"]] = item
            self.photos[photo["id"]] = photo
            self._render(photo["id"])
        if missing:
            self._fetched.update(missing)
            self._run(lambda r: _fetch_thumbs(r, missing), self._remote_thumbs, network=True)

    def _remote_thumbs(self, images: dict[str, QImage]) -> None:
        for photo_id, image in images.items():
            item = self.items.get(photo_id)
            if item is not None:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
        self._fetched.difference_update(set(self.photos) - set(images))  # try the others next time

    def _render(self, photo_id: str) -> None:
        photo, item = self.photos[photo_id], self.items[photo_id]
        state = state_text(photo)
        caption = photo.get("caption") or ""
        private = "" if photo.get("for_reporter", True) else tr(" · not for the reporter")
        item.setText(f"{caption}\n{state}".strip())
        item.setData(PHOTO_STATE, photo["upload_state"])
        item.setToolTip(f"{photo_kind_label(photo.get('kind') or 'other')}{private}\n{state}")
        failed = photo["upload_state"] == "failed"
        item.setForeground(QColor("#b71c1c") if failed else QColor("#263238"))
        item.setSizeHint(QSize(ICON.width() + 24, ICON.height() + 64))

    def on_upload(self, progress: UploadProgress) -> None:
        photo = self.photos.get(progress.photo_id)
        if photo is None:
            return
        photo["op_pending"] = False
        if progress.state == "waiting":
            photo["upload_error"] = progress.error
        else:
            photo["upload_state"] = progress.state
            photo["upload_error"] = progress.error
        photo["bytes_sent"] = progress.sent
        self._render(progress.photo_id)

    def states(self) -> dict[str, tuple[str, str, str]]:
        """Photo id -> (column, upload state, text shown), for tests and support."""
        out = {}
        for kind, view in self.lists.items():
            for row in range(view.count()):
                item = view.item(row)
                out[item.data(PHOTO_ID)] = (kind, item.data(PHOTO_STATE), item.text())
        return out

    # -- adding photos -------------------------------------------------------------------
    def import_paths(self, paths: list[Path], kind: str | None = None) -> None:
        """Attach files (folders: every image in them) to the ticket, off the GUI thread."""
        if self.ticket_id is None or not paths:
            return
        ticket_id = self.ticket_id
        kind = kind or self.kind.currentData()
        caption = self.caption.text().strip()
        for_reporter = self.for_reporter.isChecked()
        position = self.position_provider()

        def work(replica: Replica) -> tuple[int, list[str]]:
            files: list[Path] = []
            errors: list[str] = []
            for path in paths:
                try:
                    files.extend(images_in(path) if path.is_dir() else [path])
                except PhotoError as exc:
                    errors.append(str(exc))
            added = 0
            for source in files:
                try:
                    attach_photo(
                        replica,
                        ticket_id,
                        source,
                        kind=kind,
                        caption=caption,
                        for_reporter=for_reporter,
                        position=position,
                    )
                    added += 1
                except PhotoError as exc:  # one bad file does not stop the others
                    errors.append(str(exc))
            if not files and not errors:
                errors.append(tr("no photos found there"))
            return added, errors

        def done(result: tuple[int, list[str]]) -> None:
            added, errors = result
            lines = (
                [tr("{n} photo(s) added; they upload in the background.").format(n=added)] if added else []
            )
            lines += [tr("Not added: {reason}").format(reason=e) for e in errors]
            self.message.setText("\n".join(lines))
            self._message_role("danger" if errors else "ok")
            if added:
                self.caption.clear()
                self.reload()
                self.changed.emit()
                self.photo_captured.emit(kind)

        self._message_role("")
        self.message.setText(tr("Adding photos…"))
        self._run(work, done)

    def choose_files(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self, tr("Add photos"), "", tr("Images (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp)")
        )
        self.import_paths([Path(n) for n in names])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Add every photo of a folder"))
        if folder:
            self.import_paths([Path(folder)])

    def reset_choices(self) -> None:
        """The defaults for a ticket just opened: before photo, no caption, no message."""
        self.kind.setCurrentIndex(0)
        self.caption.clear()
        self.message.clear()

    def _message_role(self, role: str) -> None:
        self.message.setProperty("role", role)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def open_camera(self, kind: str | None = None) -> None:
        if kind is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        if not camera_available():
            self.message.setText(tr("No camera found on this device: add photos from files."))
            return
        dialog = CameraDialog(Path(self.replica_path).parent / "photos" / "captures", self)
        dialog.captured.connect(self._captured)
        dialog.open()

    def _captured(self, path: str) -> None:
        def work(replica: Replica) -> None:
            assert self.ticket_id is not None
            try:
                attach_photo(
                    replica,
                    self.ticket_id,
                    path,
                    kind=kind,
                    caption=caption,
                    for_reporter=for_reporter,
                    position=position,
                )
            finally:
                Path(path).unlink(missing_ok=True)  # the stored copy is the pipeline's

        kind, caption = self.kind.currentData(), self.caption.text().strip()
        for_reporter, position = self.for_reporter.isChecked(), self.position_provider()
        self._run(work, lambda _r: (self.reload(), self.changed.emit(), self.photo_captured.emit(kind)))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.import_paths(paths)

    # -- upload choices ------------------------------------------------------------------
    def _free_space_clicked(self, checked: bool) -> None:
        self._run(lambda r: r.choose_free_space(checked), lambda _r: self._upload_now())

    def _item_activated(self, item: QListWidgetItem) -> None:
        photo_id = item.data(PHOTO_ID)
        if self.photos.get(photo_id, {}).get("upload_state") == "failed":
            self.retry(photo_id)

    def retry(self, photo_id: str) -> None:
        self._run(lambda r: r.retry_photo(photo_id), lambda _r: (self.reload(), self._upload_now()))
