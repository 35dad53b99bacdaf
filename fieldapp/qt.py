"""The one door for Qt: every Qt import of the app goes through this module.

Version quirks and small helpers live here, so screens import names, not PySide6.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import (
    QT_TR_NOOP,
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QBuffer,
    QByteArray,
    QCoreApplication,
    QDate,
    QEvent,
    QEventLoop,
    QFile,
    QIODevice,
    QLibraryInfo,
    QLocale,
    QLocationPermission,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTime,
    QTimer,
    QTranslator,
    QUrl,
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
    QFontMetrics,
    QIcon,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QShortcut,
)
from PySide6.QtPositioning import (
    QGeoCoordinate,
    QGeoPositionInfo,
    QGeoPositionInfoSource,
    QNmeaPositionInfoSource,
)
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QScrollBar,
    QScroller,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabBar,
    QTableView,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

try:  # an optional module: without it photos are imported from files only
    from PySide6.QtMultimedia import QCamera, QImageCapture, QMediaCaptureSession, QMediaDevices
    from PySide6.QtMultimediaWidgets import QVideoWidget
except ImportError:  # pragma: no cover - depends on the Qt build
    QCamera = QImageCapture = QMediaCaptureSession = QMediaDevices = QVideoWidget = None  # type: ignore[assignment,misc]

try:  # an optional module: a serial GPS can also be read as a device file
    from PySide6.QtSerialPort import QSerialPort, QSerialPortInfo
except ImportError:  # pragma: no cover - depends on the Qt build
    QSerialPort = None  # type: ignore[assignment,misc]
    QSerialPortInfo = None  # type: ignore[assignment,misc]

#: Smallest touch target, in device-independent pixels (Material's minimum; crews wear gloves).
TOUCH = 48


def tr(text: str, disambiguation: str | None = None) -> str:
    """Translate a user-visible string (Qt's translation system; English is built in).

    `pyside6-lupdate` files a call to this plain ``tr("...")`` under the empty context
    (and a second argument as its disambiguation), so that is where it is looked up.
    A string passed through a variable must be marked ``QT_TR_NOOP("...")`` where it is
    written, or lupdate never sees it.
    """
    return QCoreApplication.translate("", text, disambiguation)


def is_alive(obj: QObject) -> bool:
    """Whether Qt still holds the object (a late task result must not touch a closed screen)."""
    return shiboken6.isValid(obj)


def delete_now(obj: QObject) -> None:
    """Delete a Qt object at once, not at the next turn of the event loop (like deleteLater).

    For objects whose teardown order matters (a web page before its profile) when the
    event loop may never run again.
    """
    if shiboken6.isValid(obj):
        shiboken6.delete(obj)


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
    "QT_TRANSLATE_NOOP",
    "QT_TR_NOOP",
    "TOUCH",
    "QAbstractButton",
    "QAbstractItemView",
    "QAbstractSpinBox",
    "QAbstractTableModel",
    "QAction",
    "QApplication",
    "QBrush",
    "QBuffer",
    "QButtonGroup",
    "QByteArray",
    "QCamera",
    "QCheckBox",
    "QColor",
    "QComboBox",
    "QCoreApplication",
    "QDate",
    "QDialog",
    "QDialogButtonBox",
    "QDrag",
    "QDragEnterEvent",
    "QDragLeaveEvent",
    "QDragMoveEvent",
    "QDropEvent",
    "QEvent",
    "QEventLoop",
    "QFile",
    "QFileDialog",
    "QFont",
    "QFontMetrics",
    "QFormLayout",
    "QFrame",
    "QGeoCoordinate",
    "QGeoPositionInfo",
    "QGeoPositionInfoSource",
    "QGridLayout",
    "QGroupBox",
    "QHBoxLayout",
    "QHeaderView",
    "QIODevice",
    "QIcon",
    "QImage",
    "QImageCapture",
    "QInputDialog",
    "QKeyEvent",
    "QKeySequence",
    "QLabel",
    "QLibraryInfo",
    "QLineEdit",
    "QListView",
    "QListWidget",
    "QListWidgetItem",
    "QLocale",
    "QLocationPermission",
    "QMainWindow",
    "QMediaCaptureSession",
    "QMediaDevices",
    "QMessageBox",
    "QMimeData",
    "QModelIndex",
    "QMouseEvent",
    "QNmeaPositionInfoSource",
    "QObject",
    "QPainter",
    "QPalette",
    "QPen",
    "QPersistentModelIndex",
    "QPixmap",
    "QPlainTextEdit",
    "QPoint",
    "QPointF",
    "QProgressBar",
    "QPushButton",
    "QRadioButton",
    "QRect",
    "QRunnable",
    "QScrollArea",
    "QScrollBar",
    "QScroller",
    "QSerialPort",
    "QSerialPortInfo",
    "QShortcut",
    "QSize",
    "QSizePolicy",
    "QSlider",
    "QSpinBox",
    "QSplitter",
    "QStackedWidget",
    "QStyle",
    "QStyleOptionViewItem",
    "QStyledItemDelegate",
    "QTabBar",
    "QTableView",
    "QTextBrowser",
    "QTextEdit",
    "QThreadPool",
    "QTime",
    "QTimer",
    "QToolButton",
    "QTranslator",
    "QUrl",
    "QVBoxLayout",
    "QVideoWidget",
    "QWebEnginePage",
    "QWebEngineProfile",
    "QWebEngineSettings",
    "QWebEngineUrlRequestInfo",
    "QWebEngineUrlRequestInterceptor",
    "QWebEngineUrlRequestJob",
    "QWebEngineUrlScheme",
    "QWebEngineUrlSchemeHandler",
    "QWebEngineView",
    "QWidget",
    "Qt",
    "Signal",
    "Slot",
    "delete_now",
    "is_alive",
    "touch_button",
    "tr",
]
