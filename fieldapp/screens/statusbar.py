"""The always-visible strip: online/offline, syncing, pending, last sync, conflicts, Sync now.

The connection word carries a theme role (fieldapp.theme's stylesheet): "ok" online,
"pending" while syncing, "danger" offline or failing, larger, so "Offline" is seen at
a glance outdoors. The state comes from the scheduler, whose reachability probe turns
it offline within seconds of losing the server, without waiting for an edit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fieldapp.qt import (
    TOUCH,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QWidget,
    Signal,
    touch_button,
    tr,
)
from fieldapp.theme import BODY_PT
from sync.events import SyncState

PHASE_TEXT = {
    "idle": "Online",
    "syncing": "Syncing…",
    "offline": "Offline: your work is kept on this device",
    "error": "Sync problem",
}
#: The theme role (fieldapp.theme stylesheet) of the connection word per phase.
PHASE_ROLE = {"idle": "ok", "syncing": "pending", "offline": "danger", "error": "danger"}
#: How much larger the connection word is when something is wrong.
ALARM_EXTRA_PT = 3


def _when(raw: str | None) -> str:
    if not raw:
        return tr("never")
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone()
    return moment.strftime("%H:%M")


class SyncStatusBar(QWidget):
    sync_requested = Signal()
    conflicts_requested = Signal()
    escalations_requested = Signal()

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
        # Supervisors: tickets nobody acts on past their escalation time (hidden when none).
        self.escalated = touch_button("", tr("Escalated tickets"))
        self.escalated.setFlat(True)
        self.escalated.clicked.connect(self.escalations_requested.emit)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(tr("Sync progress"))
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.sync_button = touch_button(tr("Sync now"), primary=True)
        self.sync_button.clicked.connect(self.sync_requested.emit)
        for widget in (self.phase, self.pending, self.last_sync, self.conflicts, self.escalated):
            widget.setMinimumHeight(TOUCH)
            layout.addWidget(widget)
        # Secondary words give way on a narrow screen; the connection word and the buttons never do.
        for label in (self.pending, self.last_sync, self.message):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.progress)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.sync_button)
        self.show_state(SyncState())

    def show_state(self, state: SyncState) -> None:
        self._show_phase(state.phase)
        self.pending.setText(tr("{n} to send").format(n=state.pending))
        self.last_sync.setText(tr("Last sync {time}").format(time=_when(state.last_sync)))
        self.conflicts.setText(tr("{n} conflicts").format(n=state.conflicts))
        self.conflicts.setStyleSheet("color:#b00020; font-weight:bold" if state.conflicts else "")
        self.escalated.setText(tr("{n} escalated").format(n=state.escalated))
        self.escalated.setStyleSheet("color:#b00020; font-weight:bold")
        self.escalated.setVisible(state.escalated > 0)
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

    def _show_phase(self, phase: str) -> None:
        """The connection word in its theme role; re-polished so the new role's look applies."""
        self.phase.setText(f"● {tr(PHASE_TEXT[phase])}")
        role = PHASE_ROLE.get(phase, "muted")
        if self.phase.property("role") == role:
            return
        self.phase.setProperty("role", role)
        # The size as a rule of its own (the application stylesheet sets the font of roles).
        size = max(BODY_PT, self.font().pointSizeF()) + ALARM_EXTRA_PT
        self.phase.setStyleSheet(f"font-size: {size}pt;" if role == "danger" else "")
        style = self.phase.style()
        style.unpolish(self.phase)
        style.polish(self.phase)
        self.phase.update()
