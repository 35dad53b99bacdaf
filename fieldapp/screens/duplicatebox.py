"""Possible duplicates on the ticket screen: each nearby report of the same service, with the
two tickets' photos side by side, large enough to judge, and one button to merge this ticket
into the other (queued like any edit; it closes this ticket as a duplicate when it arrives).

A ticket already merged says into which one. The other ticket's photos show when this device
holds that ticket (same crew, or a supervisor's); otherwise the box says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldapp import theme
from fieldapp.errors import show_error
from fieldapp.qt import (
    QGroupBox,
    QHBoxLayout,
    QImage,
    QLabel,
    QPixmap,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.screens.photos import fetch_thumbs, load_photos
from fieldapp.tasks import run_task, with_replica
from sync.errors import LocalError
from sync.replica import Replica
from sync.workflow import TERMINAL

#: Width of each photo in a pair: two side by side fit a portrait tablet.
PHOTO_WIDTH = 320


@dataclass
class Pair:
    other_id: str
    address: str
    distance_m: float
    #: The photos (before first) of this ticket and of the other; None when there is none here.
    mine: QImage | None
    theirs: QImage | None
    #: Whether this device holds the other ticket at all.
    held: bool


def _first_image(replica: Replica, ticket_id: str) -> QImage | None:
    """The ticket's first photo (a 'before' one if any); another device's is fetched once."""
    photos, _ = load_photos(replica, ticket_id)
    photos.sort(key=lambda p: (p.get("kind") != "before", p.get("created_at") or ""))
    for photo in photos:
        if photo.get("thumb") is not None:
            return photo["thumb"]  # type: ignore[no-any-return]
        if photo.get("origin") == "server":
            fetched = fetch_thumbs(replica, [photo["id"]])  # offline: nothing, and no wait
            if photo["id"] in fetched:
                return fetched[photo["id"]]
    return None


def load_pairs(replica: Replica, ticket: dict[str, Any]) -> list[Pair]:
    """This ticket's possible duplicates with a photo of each side (off the GUI thread)."""
    mine = _first_image(replica, ticket["id"])
    pairs = []
    for hint in ticket.get("possible_duplicates") or []:
        try:
            replica.ticket(hint["id"])
            held = True
        except LocalError:
            held = False
        theirs = _first_image(replica, hint["id"]) if held else None
        pairs.append(Pair(hint["id"], hint["address"], hint["distance_m"], mine, theirs, held))
    return pairs


def _picture(image: QImage | None, caption: str, missing: str) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    picture = QLabel()
    picture.setFixedSize(PHOTO_WIDTH, PHOTO_WIDTH * 3 // 4)  # fixed: nothing moves as photos load
    picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
    picture.setWordWrap(True)
    if image is None:
        picture.setText(missing)
    else:
        picture.setPixmap(
            QPixmap.fromImage(image).scaled(
                picture.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
    picture.setAccessibleName(caption)
    layout.addWidget(QLabel(caption))
    layout.addWidget(picture)
    return box


class DuplicateBox(QGroupBox):
    """Shown only for a ticket with possible duplicates, or one merged into another."""

    #: Merge the shown ticket into this one (the other ticket's id).
    merge = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(tr("Possible duplicates"), parent)
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(theme.SPACE)
        self.merge_buttons: dict[str, Any] = {}
        self._shown: str | None = None
        self.setVisible(False)

    def _clear(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
            elif item.layout() is not None:
                _drop_layout(item.layout())
        self.merge_buttons = {}

    def show_ticket(self, replica_path: Any, ticket: dict[str, Any]) -> None:
        self._clear()
        self._shown = None
        if ticket.get("duplicate_of"):
            self.setTitle(tr("Merged"))
            merged = QLabel(tr("This report was merged into another ticket of the same problem."))
            merged.setWordWrap(True)
            self._layout.addWidget(merged)
            self.setVisible(True)
            return
        if not ticket.get("possible_duplicates") or ticket["status"] in TERMINAL:
            self.setVisible(False)
            return
        self.setTitle(tr("Possible duplicates"))
        self.setVisible(True)
        shown = self._shown = ticket["id"]

        def done(pairs: list[Pair]) -> None:
            if self._shown == shown:  # not a ticket opened before this one
                self._show_pairs(pairs)

        load = with_replica(replica_path, lambda r: load_pairs(r, ticket))
        run_task(load, done, lambda exc: show_error(self, exc))

    def _show_pairs(self, pairs: list[Pair]) -> None:
        self._clear()
        for pair in pairs:
            words = tr("{address}, {metres} m away, same service").format(
                address=pair.address, metres=f"{pair.distance_m:.0f}"
            )
            heading = QLabel(words)
            heading.setWordWrap(True)
            self._layout.addWidget(heading)
            photos = QHBoxLayout()
            photos.addWidget(_picture(pair.mine, tr("This report"), tr("No photo yet")))
            missing = tr("No photo yet") if pair.held else tr("That ticket is not on this device")
            photos.addWidget(_picture(pair.theirs, tr("The other report"), missing))
            photos.addStretch(1)
            self._layout.addLayout(photos)
            button = touch_button(tr("Mark this ticket as a duplicate of it"))
            button.clicked.connect(lambda _=False, other=pair.other_id: self.merge.emit(other))
            self.merge_buttons[pair.other_id] = button
            self._layout.addWidget(button)


def _drop_layout(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()
        elif item.layout() is not None:
            _drop_layout(item.layout())
