"""The ticket map: the folium/Leaflet page of ``maps.mappage`` in a Qt web view, fully offline.

Three pieces keep it offline:

* ``tiles://`` is a custom URL scheme. ``TileSchemeHandler`` answers
  ``tiles://basemap/{z}/{x}/{y}.png`` from MBTiles files (the bundled basemap and
  the profile's downloaded cache); a tile no file holds fails as "not found",
  the scheme's 404, and the page shows "This area is not downloaded".
* ``OfflineInterceptor`` sits on the map's own web profile and blocks every
  request that is not ``tiles://`` or a ``file://`` under the page's folders:
  no CDN, no tile server, no link off the device, ever. It remembers what it saw,
  so tests can show that nothing left the app.
* The page is written to a private temporary folder and loaded as a file; the
  scripts and style sheets it uses are the shipped ones in ``resources/web/leaflet``.

The page answers through ``console.log`` lines (``maps.mappage.MESSAGE_PREFIX`` +
JSON) that ``MapPage`` turns into signals: ``ticket_clicked(id)`` and ``ready``.

``register_schemes()`` must run before the ``QApplication`` is created (a Qt
WebEngine rule for custom schemes). Importing this module before the application
exists does it; otherwise call it first thing at start-up.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sqlite3
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fieldapp.qt import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QObject,
    QTimer,
    QUrl,
    QVBoxLayout,
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
    QWebEngineView,
    QWidget,
    Signal,
    delete_now,
    tr,
)
from fieldapp.tasks import run_task
from maps.errors import NotMBTiles
from maps.mappage import (
    ATTRIBUTION,
    DEFAULT_CENTER,
    MESSAGE_PREFIX,
    STATUS_LABELS,
    TILE_URL,
    crew_colour,
    leaflet_dir,
    map_page_html,
    ticket_payload,
    tile_zoom_range,
)
from maps.mbtiles import MBTiles

log = logging.getLogger(__name__)

SCHEME = b"tiles"
#: Schemes that never reach a network: the page's own files and the tile scheme.
ALLOWED_SCHEMES = frozenset({"file", "tiles"})
#: How often (seconds) a missing tile may trigger a rescan of the tile folders.
RESCAN_AFTER = 5.0
#: How often the use of cache tiles is written back (for the cache's LRU eviction).
RECORD_USE_MS = 30_000
_TILE_PATH = re.compile(r"^/(\d{1,2})/(\d{1,9})/(\d{1,9})(?:\.(?:png|jpe?g|webp))?$")
_registered: list[bool] = []


def register_schemes() -> bool:
    """Register the ``tiles://`` scheme with Qt WebEngine; call before the QApplication exists.

    Safe to call more than once. Returns whether the scheme is registered: False (with
    a warning) when it is too late, the application exists and nobody registered the
    scheme in time; a ``MapView`` then refuses to start.
    """
    if _registered:
        return True
    if QCoreApplication.instance() is not None:
        log.warning("map: register_schemes() called after the QApplication was created: no tiles:// scheme")
        return False
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.LocalScheme)
    QWebEngineUrlScheme.registerScheme(scheme)
    _registered.append(True)
    return True


def schemes_registered() -> bool:
    return bool(_registered)


if QCoreApplication.instance() is None:  # imported at start-up: in time to register
    from fieldapp.app import prepare_environment

    prepare_environment()
    register_schemes()


def _mime(data: bytes, fmt: str | None) -> bytes:
    if data.startswith(b"\x89PNG"):
        return b"image/png"
    if data.startswith(b"\xff\xd8"):
        return b"image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return b"image/webp"
    return {"jpg": b"image/jpeg", "jpeg": b"image/jpeg", "webp": b"image/webp"}.get(fmt or "", b"image/png")


def _plain(text: str) -> str:
    """Attribution text without markup (an MBTiles file may carry links; the page must not)."""
    return re.sub(r"<[^>]*>", "", text).strip()


class TileSources:
    """Read-only access to the tiles of several MBTiles files, first file first.

    ``paths`` are files or folders (every ``*.mbtiles`` in a folder, by name). Put the
    profile's downloaded cache before the bundled basemap so fresher tiles win.
    Files that appear later (a first download) are picked up by ``refresh()``, which
    a missing tile also triggers at most every ``RESCAN_AFTER`` seconds. Tiles are
    read on the GUI thread: one primary-key lookup in SQLite, tens of microseconds.

    The files are opened read-only, so showing a tile never waits for a prefetch that
    is writing. Which cache tiles were shown (for the cache's LRU eviction) is kept in
    memory: ``take_shown()`` hands it over, and ``record_use`` writes it on a worker.
    Only files with the cache's bookkeeping table are tracked (never the bundled basemap).
    """

    def __init__(self, paths: Iterable[str | Path]) -> None:
        self.paths = [Path(p) for p in paths]
        self._open: dict[Path, MBTiles] = {}
        self._formats: dict[Path, str | None] = {}
        self._tracked: set[Path] = set()
        self._shown: dict[Path, dict[tuple[int, int, int], float]] = {}
        self._bad: set[Path] = set()
        self._scanned = 0.0
        self.refresh()

    def files(self) -> list[Path]:
        found: list[Path] = []
        for path in self.paths:
            if path.is_dir():
                found.extend(sorted(path.glob("*.mbtiles")))
            elif path.suffix == ".mbtiles" and path.is_file():
                found.append(path)
        return found

    def refresh(self) -> None:
        """Open tile files that appeared, close those that went away."""
        self._scanned = time.monotonic()
        present = self.files()
        for path in list(self._open):
            if path not in present:
                self._open.pop(path).close()
        for path in present:
            if path in self._open or path in self._bad:
                continue
            try:
                tiles = MBTiles(path, readonly=True)
            except NotMBTiles as exc:
                log.warning("map: skipping %s: %s", path, exc)
                self._bad.add(path)
                continue
            self._open[path] = tiles
            self._formats[path] = tiles.metadata().get("format")
            if _has_bookkeeping(path):
                self._tracked.add(path)
        # Keep the order of self.files(): first source first.
        self._open = {p: self._open[p] for p in present if p in self._open}

    def tile(self, z: int, x: int, y: int) -> tuple[bytes, bytes] | None:
        """(data, mime type) of the first file holding the tile, or None."""
        if not (0 <= x < (1 << z) and 0 <= y < (1 << z)):
            return None
        for attempt in range(2):
            for path, tiles in self._open.items():
                data = tiles.get_tile(z, x, y)
                if data:
                    if path in self._tracked:
                        self._shown.setdefault(path, {})[(z, x, y)] = time.time()
                    return data, _mime(data, self._formats.get(path))
            if attempt or time.monotonic() - self._scanned < RESCAN_AFTER:
                break
            self.refresh()
        return None

    def metadata(self) -> list[dict[str, str]]:
        return [tiles.metadata() for tiles in self._open.values()]

    def take_shown(self) -> dict[Path, dict[tuple[int, int, int], float]]:
        """Cache tiles shown since the last call, with when (Unix seconds); clears the record."""
        shown, self._shown = self._shown, {}
        return shown

    def close(self) -> None:
        for tiles in self._open.values():
            tiles.close()
        self._open.clear()


def _has_bookkeeping(path: Path) -> bool:
    """True for a tile cache written by ``maps.mbtiles`` (it has the ``tile_state`` table)."""
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'tile_state'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return row is not None


def record_use(shown: Mapping[Path, Mapping[tuple[int, int, int], float]]) -> int:
    """Write when cache tiles were shown (``TileSources.take_shown()``); run it on a worker.

    Returns how many tiles were recorded. Each file gets its own short-lived writable
    ``MBTiles`` on the calling thread.
    """
    count = 0
    for path, tiles in shown.items():
        with MBTiles(path) as cache:
            for (z, x, y), when in tiles.items():
                cache.touch(z, x, y, when)
                count += 1
    return count


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves ``tiles://<name>/{z}/{x}/{y}.png`` from ``TileSources``; missing tiles fail as not found."""

    def __init__(self, sources: TileSources, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sources = sources
        self.served = 0
        self.missing = 0

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        if bytes(job.requestMethod().data()) != b"GET":
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        match = _TILE_PATH.match(job.requestUrl().path())
        if match is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        z, x, y = (int(v) for v in match.groups())
        found = self.sources.tile(z, x, y)
        if found is None:
            self.missing += 1
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        data, mime = found
        self.served += 1
        buffer = QBuffer(job)  # the job owns it: freed when the engine is done with the reply
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(QByteArray(mime), buffer)


class OfflineInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks every request except ``tiles://`` and ``file://`` under the allowed folders.

    ``seen`` keeps the last requests as ``(url, allowed)``, ``blocked`` counts refusals;
    ``request_blocked(url)`` is emitted for each refusal.
    """

    request_blocked = Signal(str)

    def __init__(self, file_roots: Iterable[str | Path], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.file_roots = [Path(p).resolve() for p in file_roots]
        self.seen: deque[tuple[str, bool]] = deque(maxlen=5000)
        self.allowed = 0
        self.blocked = 0

    def permits(self, url: QUrl) -> bool:
        scheme = url.scheme()
        if scheme not in ALLOWED_SCHEMES:
            return False
        if scheme == "file":
            path = Path(url.toLocalFile()).resolve()
            return any(path.is_relative_to(root) for root in self.file_roots)
        return True

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        ok = self.permits(url)
        self.seen.append((url.toString(), ok))
        if ok:
            self.allowed += 1
            return
        self.blocked += 1
        info.block(True)
        log.info("map: blocked a request to %s", url.toString())
        self.request_blocked.emit(url.toString())


class MapPage(QWebEnginePage):
    """The map's page: turns the page's console messages into ``message(dict)``; no navigation away."""

    message = Signal(dict)

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.home: QUrl | None = None

    def javaScriptConsoleMessage(
        self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, text: str, line: int, source: str
    ) -> None:
        if text.startswith(MESSAGE_PREFIX) and self.home is not None and QUrl(source) == self.home:
            try:
                message = json.loads(text[len(MESSAGE_PREFIX) :])
            except ValueError:
                log.warning("map: unreadable page message %r", text[:200])
                return
            if isinstance(message, dict):
                self.message.emit(message)
            return
        log.debug("map page console (%s:%s): %s", source, line, text)

    def acceptNavigationRequest(
        self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        url = QUrl(url)
        if self.home is not None and url.isLocalFile() and url.toLocalFile() == self.home.toLocalFile():
            return True
        log.info("map: refused to navigate to %s", url.toString())
        return False

    def createWindow(self, kind: QWebEnginePage.WebWindowType) -> None:
        return None


Row = Mapping[str, Any]


class MapView(QWidget):
    """Tickets on an offline map.

    ``show_tickets(rows)`` draws them (clustered; coloured by status, or by crew with
    ``colour_by="crew"``), ``set_position(lat, lon, accuracy_m)`` moves the "you are
    here" dot, ``ticket_clicked(id)`` reports a chosen marker, and ``ready`` is
    emitted each time the page is loaded and the latest tickets are on it.
    """

    ticket_clicked = Signal(str)
    ready = Signal()
    #: True while tiles of the visible area are missing (the page shows the banner).
    area_missing = Signal(bool)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        tile_sources: Sequence[str | Path] | None = None,
        center: Sequence[float] = DEFAULT_CENTER,
        zoom: int = 15,
        asset_dir: str | Path | None = None,
    ) -> None:
        super().__init__(parent)
        if not schemes_registered():
            raise RuntimeError(
                "the tiles:// scheme is not registered: call fieldapp.mapview.register_schemes() "
                "before creating the QApplication"
            )
        if tile_sources is None:
            from fieldapp.app import RESOURCES

            tile_sources = [RESOURCES / "basemap"]
        self.asset_dir = Path(asset_dir) if asset_dir is not None else leaflet_dir()
        self._folder = tempfile.TemporaryDirectory(prefix="fieldapp-map-")
        self.page_path = Path(self._folder.name) / "map.html"

        self.view = QWebEngineView(self)
        self.view.setObjectName("map_web_view")
        self.view.setAccessibleName(tr("Map of tickets"))
        self.profile = QWebEngineProfile()  # off the record: nothing kept on disk
        self.profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        self.interceptor = OfflineInterceptor([self.asset_dir, self._folder.name], self.profile)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        self.sources = TileSources(tile_sources)
        self.tile_handler = TileSchemeHandler(self.sources, self.profile)
        self.profile.installUrlSchemeHandler(SCHEME, self.tile_handler)
        self.page = MapPage(self.profile, self.view)
        # A profile must outlive its pages: owned by the page, it is deleted right after it,
        # whatever order the widgets are torn down in.
        self.profile.setParent(self.page)
        self.view.setPage(self.page)
        settings = self.page.settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, False)
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
        settings.setAttribute(QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows, False)
        settings.setAttribute(QWebEngineSettings.WebAttribute.AutoLoadIconsForPage, False)
        settings.setAttribute(QWebEngineSettings.WebAttribute.PluginsEnabled, False)
        settings.setAttribute(QWebEngineSettings.WebAttribute.FocusOnNavigationEnabled, False)
        self.page.message.connect(self._on_message)
        self.page.loadFinished.connect(self._on_load_finished)
        self._use_timer = QTimer(self)
        self._use_timer.setInterval(RECORD_USE_MS)
        self._use_timer.timeout.connect(self.record_tile_use)
        self._use_timer.start()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

        self._center = (float(center[0]), float(center[1]))
        self._zoom = zoom
        self._rows: list[Row] = []
        self._colour_by = "status"
        self._position: tuple[float, float, float] | None = None
        self._crews: list[dict[str, Any]] = []
        self._loaded = False
        self._markers_on = False
        self._is_ready = False
        self._shown_once = False
        #: Counts background builds of markers or pages; only the newest is applied.
        self._generation = 0
        self._load_started = 0.0
        self._first_ready = False
        self._closed = False
        #: Seconds from starting the page load to the markers being on the map (last load).
        self.load_seconds: float | None = None
        #: The page's own measure (ms from navigation start to markers on the map).
        self.page_ms: int | None = None
        self.missing_tiles = 0

    # -- public API --------------------------------------------------------------------
    def show_tickets(
        self,
        rows: Iterable[Row],
        center: Sequence[float] | None = None,
        colour_by: str = "status",
        *,
        zoom: int | None = None,
        fit: bool | None = None,
    ) -> None:
        """Draw these tickets. ``center`` (and ``zoom``) move the map; with neither, the
        first call fits the map to the tickets and later calls keep the user's view
        (``fit=True`` forces a fit)."""
        self._rows = list(rows)
        self._colour_by = colour_by
        if fit is None:
            fit = center is None and not self._shown_once
        if center is not None:
            self._center = (float(center[0]), float(center[1]))
        if zoom is not None:
            self._zoom = zoom
        self._shown_once = True
        if self._page_up():
            rows, move = self._rows, center is not None
            self._is_ready = False
            self._markers_on = False
            words = map_words(rows)  # the reader's language, looked up here on the GUI thread
            # Thousands of markers take tens of milliseconds to encode: on a worker.
            self._in_background(
                lambda: json.dumps(ticket_payload(rows, colour_by, words)),
                lambda payload: self._set_tickets(payload, bool(fit), move),
            )
        elif not self._closed:
            self._load(fit)

    def _in_background(self, build: Callable[[], Any], apply: Callable[[Any], None]) -> None:
        """Run `build` on a worker, then `apply` its result here unless a newer call came since."""
        self._generation += 1
        generation = self._generation

        def done(result: Any) -> None:
            if generation == self._generation and not self._closed:
                apply(result)

        run_task(build, done, network=True)

    def _set_tickets(self, payload: str, fit: bool, move: bool) -> None:
        if not self._page_up():
            self._load(fit)  # the page went away meanwhile: load it with the rows
            return
        script = f"fa.setTickets({payload}, {json.dumps(fit)});"
        if move:
            script += f"fa.map.setView([{self._center[0]}, {self._center[1]}], {int(self._zoom)});"
        self.page.runJavaScript(script, 0)

    def set_position(self, lat: float, lon: float, accuracy: float = 0.0, follow: bool = False) -> None:
        """Move the "you are here" dot (accuracy in metres draws a circle round it)."""
        accuracy = float(accuracy) if accuracy is not None and math.isfinite(accuracy) else 0.0
        self._position = (float(lat), float(lon), max(accuracy, 0.0))
        if self._page_up():
            lat_, lon_, acc = self._position
            self.page.runJavaScript(f"fa.setPosition({lat_}, {lon_}, {acc}, {json.dumps(follow)});", 0)

    def show_crews(self, crews: Sequence[Mapping[str, Any]]) -> None:
        """The crews' last shared positions: a dot in the crew's colour, labelled with the
        crew, who, and how old the position is (`label` in each mapping)."""
        self._crews = [
            {
                "lat": float(c["lat"]),
                "lon": float(c["lon"]),
                "label": str(c["label"]),
                "colour": crew_colour(c["crew"]),
            }
            for c in crews
        ]
        if self._page_up():
            self.page.runJavaScript(f"fa.setCrews({json.dumps(self._crews)});", 0)

    def center_on(self, lat: float, lon: float, zoom: int | None = None) -> None:
        self._center = (float(lat), float(lon))
        if zoom is not None:
            self._zoom = zoom
        if self._page_up():
            self.page.runJavaScript(f"fa.map.setView([{lat}, {lon}], {int(self._zoom)});", 0)

    def show_ticket(self, ticket_id: str) -> None:
        """Zoom until the ticket's marker stands on its own (out of its cluster)."""
        if self._page_up():
            self.page.runJavaScript(f"fa.showTicket({json.dumps(str(ticket_id))});", 0)

    def is_ready(self) -> bool:
        return self._is_ready

    def _page_up(self) -> bool:
        """The page is loaded (its script object ``fa`` exists), markers or not."""
        return self._loaded and not self._closed

    def run_js(self, script: str, callback: Callable[[Any], None] | None = None) -> None:
        """Run a script in the page (the main world, where ``window.fa`` lives)."""
        if self._closed:
            return
        if callback is None:
            self.page.runJavaScript(script, 0)
        else:
            self.page.runJavaScript(script, 0, callback)

    def refresh_tiles(self) -> None:
        """Pick up new or removed tile files (after a download) and redraw the tiles."""
        self.sources.refresh()
        if self._page_up():
            self.page.runJavaScript("fa.tiles.redraw();", 0)

    def record_tile_use(self) -> None:
        """Write which cache tiles were shown, on the worker (a timer does it every 30 s)."""
        shown = self.sources.take_shown()
        if shown:
            run_task(
                lambda: record_use(shown),
                on_error=lambda exc: log.warning("map: tile use not saved: %s", exc),
            )

    # -- internals ---------------------------------------------------------------------
    def _load(self, fit: bool) -> None:
        """Write the page with the current rows (on a worker) and load it."""
        metadata = self.sources.metadata()
        low, high = tile_zoom_range(metadata)
        attributions = [_plain(m["attribution"]) for m in metadata if m.get("attribution")]
        rows, page_path = self._rows, self.page_path
        settings = {
            "center": self._center,
            "zoom": self._zoom,
            "tile_url": TILE_URL,
            "attribution": " | ".join(dict.fromkeys(a for a in attributions if a)) or ATTRIBUTION,
            "position": self._position,
            "colour_by": self._colour_by,
            "asset_base": self.asset_dir.resolve().as_uri() + "/",
            "fit": fit,
            "max_native_zoom": high,
        }
        self._loaded = self._markers_on = self._is_ready = False
        self._load_started = time.perf_counter()
        self._first_ready = True

        def write() -> None:
            page_path.write_text(map_page_html(rows, **settings), encoding="utf-8")

        def load(_: Any) -> None:
            url = QUrl.fromLocalFile(str(page_path))
            self.page.home = url
            log.debug("map: loading %d tickets (tile zooms %s-%s)", len(rows), low, high)
            self.page.load(url)

        self._in_background(write, load)

    def _on_load_finished(self, ok: bool) -> None:
        if not ok:
            log.warning("map: the page did not load")
            return
        self._loaded = True
        if self._crews:  # shown before the page was up
            self.page.runJavaScript(f"fa.setCrews({json.dumps(self._crews)});", 0)
        self._maybe_ready()

    def _on_message(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        if event == "ticket" and message.get("id") is not None:
            self.ticket_clicked.emit(str(message["id"]))
        elif event == "ready":
            self._markers_on = True
            if self._first_ready and isinstance(message.get("ms"), int | float):
                self.page_ms = int(message["ms"])
                self._first_ready = False
            self._maybe_ready()
        elif event == "tiles":
            missing = int(message.get("missing") or 0)
            if (missing > 0) != (self.missing_tiles > 0):
                self.area_missing.emit(missing > 0)
            self.missing_tiles = missing

    def _maybe_ready(self) -> None:
        if not (self._loaded and self._markers_on) or self._is_ready:
            return
        self._is_ready = True
        if self._load_started:
            self.load_seconds = time.perf_counter() - self._load_started
            self._load_started = 0.0
        if self._position is not None:
            lat, lon, acc = self._position
            self.page.runJavaScript(f"fa.setPosition({lat}, {lon}, {acc}, false);", 0)
        self.ready.emit()

    def shutdown(self) -> None:
        """Delete the web view, page and profile now and close the tile files; the map is blank afterwards.

        Call it when the window closes: a page still alive when Qt WebEngine shuts
        down is an error ("Release of profile requested but WebEnginePage still not deleted").
        """
        if self._closed:
            return
        self._closed = True
        self._is_ready = False
        self._use_timer.stop()
        self.record_tile_use()
        self.page.triggerAction(QWebEnginePage.WebAction.Stop)
        # The view goes too: left alone it would make itself a new page in the default profile.
        # The page is the view's child; the profile, interceptor and tile handler the page's.
        delete_now(self.view)
        self.sources.close()


def map_words(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Status and service codes, and "unassigned", in the reader's language for the map page."""
    from fieldapp.labels import service_label, status_label

    words = {code: status_label(code) for code in STATUS_LABELS}
    words.update(
        {code: service_label(code) for code in {str(r.get("service_code") or "") for r in rows} if code}
    )
    words["unassigned"] = tr("Unassigned")
    return words
