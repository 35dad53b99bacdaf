"""The one door for Qt: every Qt import of the app goes through this module.

Version quirks and small helpers live here, so screens import names, not PySide6.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPalette,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

#: Smallest touch target, in device-independent pixels (a gloved finger).
TOUCH = 44


def tr(text: str, context: str = "fieldapp") -> str:
    """Translate a user-visible string (Qt's translation system; English is built in)."""
    return QCoreApplication.translate(context, text)


def touch_button(text: str, name: str | None = None, primary: bool = False) -> QPushButton:
    """A button big enough for gloves, with an accessible name."""
    button = QPushButton(text)
    button.setMinimumHeight(TOUCH)
    button.setMinimumWidth(TOUCH * 2)
    button.setAccessibleName(name or text)
    if primary:
        button.setDefault(True)
        font = button.font()
        font.setBold(True)
        button.setFont(font)
    return button


__all__ = [
    "TOUCH",
    "QAbstractItemView",
    "QAbstractTableModel",
    "QAction",
    "QApplication",
    "QBrush",
    "QButtonGroup",
    "QColor",
    "QComboBox",
    "QCoreApplication",
    "QDialog",
    "QDialogButtonBox",
    "QDrag",
    "QDragEnterEvent",
    "QDragLeaveEvent",
    "QDragMoveEvent",
    "QDropEvent",
    "QEvent",
    "QFont",
    "QFormLayout",
    "QFrame",
    "QGridLayout",
    "QGroupBox",
    "QHBoxLayout",
    "QHeaderView",
    "QIcon",
    "QInputDialog",
    "QKeyEvent",
    "QKeySequence",
    "QLabel",
    "QLineEdit",
    "QListWidget",
    "QListWidgetItem",
    "QMainWindow",
    "QMessageBox",
    "QMimeData",
    "QModelIndex",
    "QMouseEvent",
    "QObject",
    "QPalette",
    "QPersistentModelIndex",
    "QPixmap",
    "QPlainTextEdit",
    "QPointF",
    "QProgressBar",
    "QPushButton",
    "QRunnable",
    "QScrollArea",
    "QShortcut",
    "QSize",
    "QSizePolicy",
    "QSplitter",
    "QStackedWidget",
    "QTableView",
    "QTextBrowser",
    "QThreadPool",
    "QTimer",
    "QToolButton",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "Signal",
    "Slot",
    "touch_button",
    "tr",
]
