"""Where the device is, through Qt Positioning: the system's source, a GPS receiver, or a recording.

``PositionService`` wraps one ``QGeoPositionInfoSource`` and emits
``position_changed(lat, lon, accuracy_m)`` for every fix (accuracy is NaN when the
source does not say), plus ``moved(lat, lon)`` only when the device has gone
``move_threshold_m`` since the last one (re-sort lists on that, not on every fix).

Sources (``PositionService.from_spec``; the app reads the spec from ``FIELDAPP_GPS``):

=========================  ======================================================================
``system`` (the default)   the platform's source (Windows location, geoclue on Linux, Core Location)
``serial:COM3@4800``       an NMEA receiver on a serial port (QtSerialPort), real-time mode
``serial:/dev/ttyUSB0``    same, 4800 baud when no ``@baud`` is given
``device:/dev/ttyACM0``    an NMEA stream read from a device file or pipe (no QtSerialPort needed)
``nmea:track.nmea``        a recorded NMEA file played back in simulation mode (demo, tests);
                           ``speed`` plays it faster
=========================  ======================================================================

NMEA sources use ``QNmeaPositionInfoSource``; their accuracy is HDOP times a user
equivalent range error of ``UERE_M`` metres (Qt reports 2 x HDOP x UERE).
"""

from __future__ import annotations

import logging
import math
import os
import re
from pathlib import Path

from fieldapp.qt import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QGeoPositionInfo,
    QGeoPositionInfoSource,
    QIODevice,
    QLocationPermission,
    QNmeaPositionInfoSource,
    QObject,
    QSerialPort,
    Qt,
    QTimer,
    Signal,
)

log = logging.getLogger(__name__)

#: User equivalent range error of a consumer GPS, metres (turns HDOP into metres).
UERE_M = 5.0
DEFAULT_BAUD = 4800
#: ``moved`` fires when the device has gone this far since the last time.
MOVE_THRESHOLD_M = 25.0
UPDATE_INTERVAL_MS = 1000
#: The environment variable the app reads the position source from.
ENV_SPEC = "FIELDAPP_GPS"

_ERRORS = {
    QGeoPositionInfoSource.Error.AccessError: "This app may not use the device's location",
    QGeoPositionInfoSource.Error.ClosedError: "The position source closed (GPS unplugged or off)",
    QGeoPositionInfoSource.Error.UnknownSourceError: "The position source failed",
    QGeoPositionInfoSource.Error.UpdateTimeoutError: "No position fix yet",
}
_NMEA_TIME = re.compile(r"^\$(?:GP|GN|GL|GA|BD)(?:RMC|GGA|GLL|ZDA),(\d{2})(\d{2})(\d{2}(?:\.\d+)?),")


def _checksum(body: str) -> str:
    value = 0
    for char in body:
        value ^= ord(char)
    return f"{value:02X}"


def speed_up_nmea(text: str, speed: float) -> bytes:
    """The NMEA text with its UTC times compressed by ``speed`` (checksums rewritten).

    Qt's simulation mode replays a recording at the pace of its timestamps; a recording
    made at 1 Hz played with ``speed=50`` delivers a fix every 20 ms. Times keep two
    decimals, so speeds above 100 gain nothing for a 1 Hz file.
    """
    if speed <= 0:
        raise ValueError("speed must be positive")
    out: list[str] = []
    first: float | None = None
    previous: float | None = None
    day = 0.0
    for raw in text.splitlines():
        line = raw.strip()
        match = _NMEA_TIME.match(line)
        if speed == 1 or match is None or "*" not in line:
            out.append(line)
            continue
        seconds = int(match.group(1)) * 3600 + int(match.group(2)) * 60 + float(match.group(3))
        if previous is not None and seconds + day < previous - 43_200:
            day += 86_400  # the recording passed midnight
        seconds += day
        previous = seconds
        if first is None:
            first = seconds
        scaled = (first + (seconds - first) / speed) % 86_400
        hours, rest = divmod(scaled, 3600)
        minutes, secs = divmod(rest, 60)
        stamp = f"{int(hours):02d}{int(minutes):02d}{secs:05.2f}"
        body = line[1 : line.index("*")]
        talker, _, tail = body.partition(",")
        tail = tail[tail.index(",") :] if "," in tail else ""
        body = f"{talker},{stamp}{tail}"
        out.append(f"${body}*{_checksum(body)}")
    return ("\r\n".join(out) + "\r\n").encode("ascii", errors="replace")


class StreamDevice(QIODevice):
    """A read-only sequential device that is fed bytes (``feed``) and says so (``readyRead``).

    Real-time NMEA sources read from it: ``DeviceReader`` feeds it from a device file,
    tests feed it sentences on a timer.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._data = bytearray()
        self.open(QIODevice.OpenModeFlag.ReadOnly)

    def feed(self, data: bytes) -> None:
        if not data:
            return
        self._data += data
        self.readyRead.emit()

    def isSequential(self) -> bool:
        return True

    def bytesAvailable(self) -> int:
        return len(self._data) + super().bytesAvailable()

    def canReadLine(self) -> bool:
        return b"\n" in self._data or super().canReadLine()

    def readData(self, maxlen: int) -> bytes:
        chunk = bytes(self._data[:maxlen])
        del self._data[:maxlen]
        return chunk

    def writeData(self, data: bytes) -> int:
        return -1


class DeviceReader(QObject):
    """Reads a device file (a GPS's tty, a pipe, a growing log) without blocking, into a StreamDevice.

    Polls every ``interval_ms``; on a POSIX terminal it sets raw mode and the baud rate.
    """

    def __init__(
        self,
        path: str | Path,
        baud: int = DEFAULT_BAUD,
        parent: QObject | None = None,
        interval_ms: int = 200,
    ) -> None:
        super().__init__(parent)
        self.path = str(path)
        if not hasattr(os, "O_NONBLOCK"):  # Windows: a COM port read this way would block the GUI
            raise OSError(f"cannot read {path} as a device file here: use serial:{path} (QtSerialPort)")
        self.device = StreamDevice(self)
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
        self._fd: int | None = os.open(self.path, flags)
        if os.isatty(self._fd):
            self._configure_tty(baud)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _configure_tty(self, baud: int) -> None:
        try:
            import termios
            import tty
        except ImportError:  # pragma: no cover - not POSIX
            return
        assert self._fd is not None
        tty.setraw(self._fd)
        speed = getattr(termios, f"B{baud}", None)
        if speed is not None:
            attrs = termios.tcgetattr(self._fd)
            attrs[4] = attrs[5] = speed
            termios.tcsetattr(self._fd, termios.TCSANOW, attrs)

    def _poll(self) -> None:
        if self._fd is None:
            return
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            except OSError as exc:
                log.warning("positioning: reading %s failed: %s", self.path, exc)
                self.close()
                return
            if not data:
                return  # end of a regular file for now: keep polling for more
            self.device.feed(data)

    def close(self) -> None:
        self._timer.stop()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class PositionService(QObject):
    """The device's position from one Qt position source, as plain signals."""

    #: Every fix: latitude, longitude (degrees), horizontal accuracy in metres (NaN if unknown).
    position_changed = Signal(float, float, float)
    #: The device moved at least ``move_threshold_m`` since the last ``moved`` (or first fix).
    moved = Signal(float, float)
    #: Something went wrong, in words for a person.
    error = Signal(str)

    def __init__(
        self,
        source: QGeoPositionInfoSource,
        parent: QObject | None = None,
        *,
        description: str = "",
        move_threshold_m: float = MOVE_THRESHOLD_M,
    ) -> None:
        super().__init__(parent)
        self.source = source
        source.setParent(self)
        self.description = description or source.sourceName()
        self.move_threshold_m = move_threshold_m
        self.last: tuple[float, float, float] | None = None
        self._last_moved: tuple[float, float] | None = None
        self.active = False
        self.fixes = 0
        source.positionUpdated.connect(self._on_position)
        source.errorOccurred.connect(self._on_error)
        if not isinstance(source, QNmeaPositionInfoSource):
            # An NMEA source delivers what the receiver sends; an interval would throttle playback.
            source.setUpdateInterval(max(UPDATE_INTERVAL_MS, source.minimumUpdateInterval()))

    # -- constructors ------------------------------------------------------------------
    @classmethod
    def system(cls, parent: QObject | None = None) -> PositionService | None:
        """The platform's default source, or None when there is none."""
        source = QGeoPositionInfoSource.createDefaultSource(None)
        if source is None:
            return None
        return cls(source, parent, description=f"system ({source.sourceName()})")

    @classmethod
    def nmea_file(
        cls, path: str | Path, parent: QObject | None = None, *, speed: float = 1.0
    ) -> PositionService:
        """A recorded NMEA file played back at the pace of its timestamps (times ``speed``)."""
        text = Path(path).read_text(encoding="ascii", errors="replace")
        source = QNmeaPositionInfoSource(QNmeaPositionInfoSource.UpdateMode.SimulationMode)
        buffer = QBuffer(source)
        buffer.setData(QByteArray(speed_up_nmea(text, speed)))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        source.setDevice(buffer)
        source.setUserEquivalentRangeError(UERE_M)
        label = f"NMEA recording {Path(path).name}" + (f" at {speed:g}x" if speed != 1 else "")
        return cls(source, parent, description=label)

    @classmethod
    def nmea_stream(
        cls, device: QIODevice, parent: QObject | None = None, *, description: str = ""
    ) -> PositionService:
        """A live NMEA stream from any open QIODevice (real-time mode)."""
        source = QNmeaPositionInfoSource(QNmeaPositionInfoSource.UpdateMode.RealTimeMode)
        if device.parent() is None:
            device.setParent(source)
        source.setDevice(device)
        source.setUserEquivalentRangeError(UERE_M)
        return cls(source, parent, description=description or "NMEA stream")

    @classmethod
    def serial(cls, port: str, baud: int = DEFAULT_BAUD, parent: QObject | None = None) -> PositionService:
        """An NMEA receiver on a serial port (``COM3``, ``/dev/ttyUSB0``, ``ttyACM0``).

        Without QtSerialPort a path is read as a device file instead.
        """
        if QSerialPort is None:
            return cls.device(port, baud, parent)
        serial = QSerialPort(port)
        serial.setBaudRate(baud)
        if not serial.open(QIODevice.OpenModeFlag.ReadOnly):
            raise OSError(f"cannot open the GPS on {port}: {serial.errorString()}")
        return cls.nmea_stream(serial, parent, description=f"NMEA receiver on {port} at {baud} baud")

    @classmethod
    def device(
        cls, path: str | Path, baud: int = DEFAULT_BAUD, parent: QObject | None = None
    ) -> PositionService:
        """An NMEA stream read from a device file or pipe, polled without blocking."""
        reader = DeviceReader(path, baud)
        service = cls.nmea_stream(reader.device, parent, description=f"NMEA device {path}")
        reader.setParent(service)
        reader.device.setParent(service.source)
        service._reader = reader  # keep the Python side alive with the service
        return service

    @classmethod
    def from_spec(
        cls, spec: str | None, parent: QObject | None = None, *, speed: float = 1.0
    ) -> PositionService | None:
        """The source a spec names (see the module doc); None for ``none``/``off`` or no system source."""
        spec = (spec or "system").strip()
        kind, _, rest = spec.partition(":")
        kind = kind.lower()
        if kind in ("none", "off", ""):
            return None
        if kind == "system":
            return cls.system(parent)
        if kind == "nmea":
            return cls.nmea_file(rest, parent, speed=speed)
        if kind in ("serial", "device"):
            port, _, baud_text = rest.partition("@")
            baud = int(baud_text) if baud_text else DEFAULT_BAUD
            return cls.serial(port, baud, parent) if kind == "serial" else cls.device(port, baud, parent)
        raise ValueError(
            f"unknown position source {spec!r} (system, serial:PORT[@BAUD], device:PATH, nmea:FILE)"
        )

    @classmethod
    def from_environment(cls, parent: QObject | None = None) -> PositionService | None:
        """The source ``FIELDAPP_GPS`` names (default: the system's); None when there is none."""
        try:
            return cls.from_spec(os.environ.get(ENV_SPEC), parent)
        except (OSError, ValueError) as exc:
            log.warning("positioning: %s", exc)
            return None

    # -- running -------------------------------------------------------------------------
    def start(self) -> None:
        """Start updates (asking for location permission first where the platform has one)."""
        if self.active:
            return
        self.active = True
        app = QCoreApplication.instance()
        if isinstance(self.source, QNmeaPositionInfoSource) or app is None:
            self.source.startUpdates()
            return
        permission = QLocationPermission()
        permission.setAccuracy(QLocationPermission.Accuracy.Precise)
        permission.setAvailability(QLocationPermission.Availability.WhenInUse)
        status = app.checkPermission(permission)
        if status == Qt.PermissionStatus.Granted:
            self.source.startUpdates()
        elif status == Qt.PermissionStatus.Denied:
            self.active = False
            self.error.emit(_ERRORS[QGeoPositionInfoSource.Error.AccessError])
        else:
            try:
                app.requestPermission(permission, self, self._on_permission)
            except (TypeError, AttributeError):  # pragma: no cover - bindings without the call
                self.source.startUpdates()

    def _on_permission(self, permission: QLocationPermission) -> None:
        app = QCoreApplication.instance()
        if app is not None and app.checkPermission(permission) == Qt.PermissionStatus.Granted:
            if self.active:
                self.source.startUpdates()
        else:
            self.active = False
            self.error.emit(_ERRORS[QGeoPositionInfoSource.Error.AccessError])

    def stop(self) -> None:
        self.active = False
        self.source.stopUpdates()

    def close(self) -> None:
        """Stop, and let go of a device file this service reads (a serial port closes with the source)."""
        self.stop()
        reader = getattr(self, "_reader", None)
        if reader is not None:
            reader.close()

    # -- source events -------------------------------------------------------------------
    def _on_position(self, info: QGeoPositionInfo) -> None:
        coordinate = info.coordinate()
        if not (info.isValid() and coordinate.isValid()):
            return
        lat, lon = coordinate.latitude(), coordinate.longitude()
        accuracy = math.nan
        if info.hasAttribute(QGeoPositionInfo.Attribute.HorizontalAccuracy):
            accuracy = float(info.attribute(QGeoPositionInfo.Attribute.HorizontalAccuracy))
        self.last = (lat, lon, accuracy)
        self.fixes += 1
        self.position_changed.emit(lat, lon, accuracy)
        if self._last_moved is None or _metres(self._last_moved, (lat, lon)) >= self.move_threshold_m:
            self._last_moved = (lat, lon)
            self.moved.emit(lat, lon)

    def _on_error(self, code: QGeoPositionInfoSource.Error) -> None:
        if code == QGeoPositionInfoSource.Error.NoError:
            return
        words = _ERRORS.get(code, "The position source failed")
        log.warning("positioning: %s (%s): %s", self.description, code, words)
        self.error.emit(words)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance: plenty for a 25 m movement threshold, and cheap at 1 Hz."""
    mean = math.radians((a[0] + b[0]) / 2)
    dy = math.radians(b[0] - a[0])
    dx = math.radians(b[1] - a[1]) * math.cos(mean)
    return 6_371_008.8 * math.hypot(dx, dy)
