"""A ticket's photos: before and after side by side, upload progress, capture and import.

Photos come from the camera (the camera panel, Qt Multimedia, when the device has one),
from files (the touch-sized picker, or dropped onto the gallery) or from a whole folder
(a camera card). "Take photo" and "From files" ask the ticket screen to open its panels. Each is
marked before / after / other, with a caption and whether the reporter may see it.
Processing (sync.photos), the replica and the network all run off the GUI thread
(run_task); upload progress arrives as SyncBridge.upload_progress signals.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldapp import theme
from fieldapp.errors import user_message
from fieldapp.labels import photo_kind_label
from fieldapp.qt import (
    TOUCH,
    QCheckBox,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QGridLayout,
    QHBoxLayout,
    QIcon,
    QImage,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QSize,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.screens.camerapanel import KindChips
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
    pixmap.fill(QColor(theme.current().surface_alt))
    return QIcon(pixmap)


def load_photos(replica: Replica, ticket_id: str) -> tuple[list[dict[str, Any]], bool]:
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


def fetch_thumbs(replica: Replica, photo_ids: list[str]) -> dict[str, QImage]:
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


class PhotoGallery(QWidget):
    #: Photos were attached (queued on this device); the window starts a sync.
    changed = Signal()
    #: (photo kind, how many) after photos were attached.
    added = Signal(str, int)
    #: The crew wants the camera panel / the picture picker, with this photo kind chosen.
    camera_wanted = Signal(str)
    files_wanted = Signal(str)

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

        self.kind = KindChips()
        self.caption = QLineEdit()
        self.caption.setPlaceholderText(tr("Caption (optional)"))
        self.caption.setAccessibleName(tr("Photo caption"))
        self.caption.setMinimumHeight(TOUCH)
        self.for_reporter = QCheckBox(tr("Reporter may see it"))
        self.for_reporter.setChecked(True)
        self.for_reporter.setMinimumHeight(TOUCH)
        self.take_button = touch_button(tr("Take photo"))
        self.take_button.clicked.connect(lambda: self.camera_wanted.emit(self.kind.kind()))
        self.files_button = touch_button(tr("From files…"), tr("Add photos from files or a camera card"))
        self.files_button.clicked.connect(lambda: self.files_wanted.emit(self.kind.kind()))
        self.free_space = QCheckBox(tr("Remove originals from this device once the server has them"))
        self.free_space.setMinimumHeight(TOUCH)
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
            view.itemClicked.connect(self._item_activated)
            columns.addWidget(QLabel(f"<b>{photo_kind_label(kind)}</b>"), 0, column)
            columns.addWidget(view, 1, column)
            self.lists[kind] = view

        controls = QHBoxLayout()
        controls.addWidget(self.kind)
        controls.addWidget(self.caption, 1)
        buttons = QHBoxLayout()
        for widget in (self.take_button, self.files_button):
            buttons.addWidget(widget, 1)
        hint = QLabel(tr("Drop photos or folders here. Tap a failed upload to try again."))
        hint.setWordWrap(True)
        hint.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(controls)
        layout.addWidget(self.for_reporter)
        layout.addWidget(self.free_space)
        layout.addWidget(self.message)
        layout.addLayout(columns)
        layout.addWidget(hint)

    # -- wiring --------------------------------------------------------------------------
    def follow(self, bridge: Any) -> None:
        """Show upload progress from the bridge (SyncBridge.upload_progress)."""
        bridge.upload_progress.connect(self.on_upload)
        self._upload_now = bridge.upload_now

    def _upload_now(self) -> None:
        """Replaced by `follow`: ask the upload queue to run."""

    def busy(self) -> bool:
        return self._busy > 0

    def reset(self) -> None:
        """Defaults for a newly opened ticket: "before" chosen, no caption, no message."""
        self.kind.set_kind(PHOTO_KINDS[0])
        self.caption.clear()
        self.for_reporter.setChecked(True)
        self.message.clear()

    def kinds_present(self) -> set[str]:
        """The kinds of photo the shown ticket has."""
        return {photo.get("kind") or "other" for photo in self.photos.values()}

    # -- loading ---------------------------------------------------------------------------
    def show_ticket(self, ticket_id: str) -> None:
        if ticket_id != self.ticket_id:
            self.reset()
        self.ticket_id = ticket_id
        self._run(lambda r: load_photos(r, ticket_id), lambda result: self._show(ticket_id, *result))

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
            self._run(lambda r: fetch_thumbs(r, missing), self._remote_thumbs, network=True)

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
        colours = theme.current()
        failed = photo["upload_state"] == "failed"
        item.setForeground(QColor(colours.danger if failed else colours.text))
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
        kind = kind or self.kind.kind()
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
                self.added.emit(kind, added)

        self._message_role("")
        self.message.setText(tr("Adding photos…"))
        self._run(work, done)

    def _message_role(self, role: str) -> None:
        self.message.setProperty("role", role)
        self.message.style().polish(self.message)

    def attach_captured(self, path: str, kind: str) -> None:
        """Attach a shot the camera saved to `path` (removed once the pipeline has its copy)."""
        if self.ticket_id is None:
            return
        ticket_id = self.ticket_id
        caption = self.caption.text().strip()
        for_reporter, position = self.for_reporter.isChecked(), self.position_provider()

        def work(replica: Replica) -> None:
            try:
                attach_photo(
                    replica,
                    ticket_id,
                    path,
                    kind=kind,
                    caption=caption,
                    for_reporter=for_reporter,
                    position=position,
                )
            finally:
                Path(path).unlink(missing_ok=True)  # the stored copy is the pipeline's

        def done(_result: None) -> None:
            self.reload()
            self.changed.emit()
            self.added.emit(kind, 1)

        self._run(work, done)

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
