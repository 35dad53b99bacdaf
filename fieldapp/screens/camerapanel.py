"""Adding a photo inside the ticket screen: the camera panel and a touch-sized picture picker.

The camera panel is full size: the viewfinder, a big shutter and the before / after
choice; without a camera it says so and offers the picker. The picker lists the
pictures of a folder (the Pictures folder or a camera card) as large rows; a tap
selects, "Add" attaches. Both hand files to PhotoGallery, which does the work off the
GUI thread.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fieldapp import theme
from fieldapp.labels import photo_kind_label
from fieldapp.qt import (
    QAbstractItemView,
    QButtonGroup,
    QCamera,
    QFileDialog,
    QHBoxLayout,
    QImageCapture,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMediaCaptureSession,
    QMediaDevices,
    QPushButton,
    QSize,
    Qt,
    QVBoxLayout,
    QVideoWidget,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from sync.photos import IMAGE_SUFFIXES, PHOTO_KINDS

PATH = Qt.ItemDataRole.UserRole


def camera_available() -> bool:
    return QMediaDevices is not None and bool(QMediaDevices.videoInputs())


class KindChips(QWidget):
    """Before / After / Other as three chips, one always chosen."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.chips: dict[str, QPushButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for kind in PHOTO_KINDS:
            label = photo_kind_label(kind)
            chip = touch_button(label, tr("{kind} photo").format(kind=label))
            chip.setObjectName(f"kind_{kind}")
            chip.setProperty("kind", "chip")
            chip.setCheckable(True)
            self.group.addButton(chip)
            self.chips[kind] = chip
            row.addWidget(chip)
        row.addStretch(1)
        self.set_kind(PHOTO_KINDS[0])

    def kind(self) -> str:
        return next((k for k, chip in self.chips.items() if chip.isChecked()), PHOTO_KINDS[0])

    def set_kind(self, kind: str) -> None:
        self.chips.get(kind, self.chips[PHOTO_KINDS[0]]).setChecked(True)


class CameraPanel(QWidget):
    """The camera as a full panel; each shot is saved to a file and handed on with its kind."""

    #: (file path, photo kind)
    captured = Signal(str, str)
    from_files = Signal(str)
    close_panel = Signal()

    def __init__(self, folder: Path, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("camera_panel")
        self.folder = folder
        self.camera: Any = None
        self.capture: Any = None
        self.session: Any = None
        self.kinds = KindChips()
        self.viewfinder = QVideoWidget()
        self.no_camera = QLabel(tr("No camera found on this device. Add the photo from files instead."))
        self.no_camera.setWordWrap(True)
        self.no_camera.setProperty("role", "warning")
        self.no_camera.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.shutter = touch_button(tr("Take photo"))
        self.shutter.setObjectName("shutter")
        self.shutter.setProperty("kind", "primary")
        self.shutter.setMinimumHeight(theme.TOUCH * 2)
        self.shutter.clicked.connect(self.shoot)
        files = touch_button(tr("From files…"), tr("Add the photo from files"))
        files.clicked.connect(lambda: self.from_files.emit(self.kinds.kind()))
        done = touch_button(tr("Done"), tr("Back to the ticket"))
        done.clicked.connect(self.close_panel.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(done, 1)
        buttons.addWidget(files, 1)
        buttons.addWidget(self.shutter, 2)
        layout = QVBoxLayout(self)
        layout.setSpacing(theme.SPACE)
        layout.addWidget(self.kinds)
        layout.addWidget(self.viewfinder, 1)
        layout.addWidget(self.no_camera, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def start(self, kind: str) -> None:
        """Open the camera (when there is one) with `kind` chosen."""
        self.kinds.set_kind(kind)
        self.message.clear()
        has_camera = camera_available()
        self.viewfinder.setVisible(has_camera)
        self.no_camera.setVisible(not has_camera)
        self.shutter.setEnabled(has_camera)
        if not has_camera:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.camera is None:
            self.camera = QCamera(QMediaDevices.defaultVideoInput())
            self.capture = QImageCapture()
            self.session = QMediaCaptureSession()
            self.session.setCamera(self.camera)
            self.session.setImageCapture(self.capture)
            self.session.setVideoOutput(self.viewfinder)
            self.capture.imageSaved.connect(lambda _id, path: self.captured.emit(path, self.kinds.kind()))
            self.capture.errorOccurred.connect(lambda _id, _error, text: self.message.setText(text))
            self.camera.errorOccurred.connect(lambda _error, text: self.message.setText(text))
        self.camera.start()

    def stop(self) -> None:
        if self.camera is not None:
            self.camera.stop()

    def shoot(self) -> None:
        if self.capture is not None and self.capture.isReadyForCapture():
            self.capture.captureToFile(str(self.folder / f"capture-{uuid.uuid4()}.jpg"))


def default_folder() -> Path:
    pictures = Path.home() / "Pictures"
    return pictures if pictures.is_dir() else Path.home()


class PhotoPicker(QWidget):
    """The pictures of one folder as large rows: tap to select, "Add" attaches them."""

    #: (chosen files, photo kind)
    chosen = Signal(list, str)
    close_panel = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("photo_picker")
        self.folder = default_folder()
        self.kinds = KindChips()
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setProperty("role", "muted")
        other = touch_button(tr("Other folder…"), tr("Pick pictures from another folder or a camera card"))
        other.clicked.connect(self._choose_folder)
        self.files = QListWidget()
        self.files.setObjectName("picker_files")
        self.files.setAccessibleName(tr("Pictures"))
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.files.setIconSize(QSize(theme.TOUCH * 2, theme.TOUCH * 2))
        self.files.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.files.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.files.itemSelectionChanged.connect(self._update)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.add = touch_button(tr("Add"))
        self.add.setObjectName("picker_add")
        self.add.setProperty("kind", "primary")
        self.add.clicked.connect(self._add)
        cancel = touch_button(tr("Cancel"), tr("Back without adding photos"))
        cancel.clicked.connect(self.close_panel.emit)
        top = QHBoxLayout()
        top.addWidget(self.where, 1)
        top.addWidget(other)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel, 1)
        buttons.addWidget(self.add, 2)
        layout = QVBoxLayout(self)
        layout.setSpacing(theme.SPACE)
        layout.addWidget(self.kinds)
        layout.addLayout(top)
        layout.addWidget(self.files, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)

    def start(self, kind: str, folder: Path | None = None) -> None:
        """Show the pictures of `folder` (the last one by default), `kind` chosen, none selected."""
        self.kinds.set_kind(kind)
        if folder is not None:
            self.folder = folder
        self.where.setText(str(self.folder))
        self.files.clear()
        try:
            names = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        except OSError as exc:
            names = []
            self.empty.setText(tr("This folder cannot be read: {reason}").format(reason=exc.strerror or exc))
        else:
            self.empty.setText("" if names else tr("No pictures in this folder."))
        for path in names:
            item = QListWidgetItem(path.name)
            item.setData(PATH, str(path))
            item.setSizeHint(QSize(0, theme.TOUCH + 2 * theme.SPACE))
            self.files.addItem(item)
        self.files.verticalScrollBar().setValue(0)
        self._update()

    def _update(self) -> None:
        count = len(self.files.selectedItems())
        self.add.setEnabled(count > 0)
        self.add.setText(tr("Add {n} photo(s)").format(n=count) if count else tr("Add"))

    def _add(self) -> None:
        paths = [Path(item.data(PATH)) for item in self.files.selectedItems()]
        if paths:
            self.chosen.emit(paths, self.kinds.kind())

    def _choose_folder(self) -> None:
        dialog = QFileDialog(self, tr("Pick a folder or camera card"), str(self.folder))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.resize(self.size())
        if dialog.exec() and dialog.selectedFiles():
            self.start(self.kinds.kind(), Path(dialog.selectedFiles()[0]))
