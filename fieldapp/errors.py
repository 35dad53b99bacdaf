"""The one place that turns errors into words for a person."""

from __future__ import annotations

import logging

from fieldapp.qt import QMessageBox, QWidget, tr
from sync.errors import AuthRequired, Offline, SyncError

log = logging.getLogger("fieldapp")


def user_message(exc: BaseException) -> str:
    """What to tell the user about an error: plain words, never a traceback."""
    if isinstance(exc, AuthRequired):
        return tr("Please sign in again: {reason}").format(reason=exc)
    if isinstance(exc, Offline):
        return tr("No connection to the case server. Your work is kept and will be sent later.")
    if isinstance(exc, SyncError):
        return str(exc)
    log.error("unexpected error: %s", getattr(exc, "__traceback_text__", repr(exc)))
    return tr("Something went wrong: {error}. Your work is kept.").format(error=exc)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    show_message(parent, user_message(exc))


def show_message(parent: QWidget | None, text: str) -> None:
    """A warning in one plain sentence, with an OK button."""
    box = QMessageBox(QMessageBox.Icon.Warning, tr("Field app"), text, parent=parent)
    box.setAccessibleName(tr("Error message"))
    box.open()
