"""The always-visible strip: online/offline, syncing, pending, last sync, conflicts, Sync now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fieldapp.qt import (
    TOUCH,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from sync.events import SyncState

PHASE_TEXT = {
    "idle": "Online",
    "syncing": "Syncing…",
    "offline": "Offline",
    "error": "Sync problem",
}
PHASE_COLOUR = {"idle": "#1b5e20", "syncing": "#0d47a1", "offline": "#616161", "error": "#b00020"}


def _when(raw: str | None) -> str:
    if not raw:
        return tr("never")
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone()
    return moment.strftime("%H:%M")


class SyncStatusBar(QWidget):
    sync_requested = Signal()
    conflicts_requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(tr("Sync status"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.phase = QLabel()
        self.phase.setAccessibleName(tr("Connection"))
        self.pending = QLabel()
        self.pending.setAccessibleName(tr("Changes not yet sent"))
        self.last_sync = QLabel()
        self.last_sync.setAccessibleName(tr("Last successful sync"))
        self.conflicts = touch_button("", tr("Conflicts"))
        self.conflicts.setFlat(True)
        self.conflicts.clicked.connect(self.conflicts_requested.emit)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(tr("Sync progress"))
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.sync_button = touch_button(tr("Sync now"), primary=True)
        self.sync_button.clicked.connect(self.sync_requested.emit)
        for widget in (self.phase, self.pending, self.last_sync, self.conflicts):
            widget.setMinimumHeight(TOUCH)
            layout.addWidget(widget)
        layout.addWidget(self.progress)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.sync_button)
        self.show_state(SyncState())

    def show_state(self, state: SyncState) -> None:
        colour = PHASE_COLOUR.get(state.phase, "#000")
        self.phase.setText(f"<b style='color:{colour}'>● {tr(PHASE_TEXT[state.phase])}</b>")
        self.pending.setText(tr("{n} to send").format(n=state.pending))
        self.last_sync.setText(tr("Last sync {time}").format(time=_when(state.last_sync)))
        self.conflicts.setText(tr("{n} conflicts").format(n=state.conflicts))
        self.conflicts.setStyleSheet("color:#b00020; font-weight:bold" if state.conflicts else "")
        self.message.setText(state.message or "")
        self.sync_button.setEnabled(state.phase != "syncing")
        if state.phase == "syncing" and state.progress is not None:
            what, done, total = state.progress
            self.progress.setVisible(True)
            self.progress.setMaximum(total or 0)  # 0: busy indicator when the total is unknown
            self.progress.setValue(done)
            self.progress.setFormat(tr("Sending %v / %m") if what == "push" else tr("Receiving"))
        else:
            self.progress.setVisible(False)
