"""Download the map for my work: the area round the open tickets, its cost shown before anything downloads.

The plan (tiles, zooms, estimated size) comes from ``maps.prefetch.plan`` on the
database worker; the download is a ``maps.prefetch.Prefetcher`` run on the network
pool, its progress callback re-emitted as a Qt signal (``TileDownload``). Tiles go
into the profile's cache (``<profile>/tiles/cache.mbtiles``), which the maps read
before the shipped basemap. Cancel stops after the current tile; Resume runs the
same plan again and skips what is already there and fresh; "Refresh old tiles"
revalidates stale tiles (``plan_refresh``); the cache's LRU eviction keeps it within
the budget.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fieldapp import mapsettings
from fieldapp.errors import show_error
from fieldapp.mapsettings import MapSettings
from fieldapp.qt import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QLocale,
    QObject,
    QProgressBar,
    QSpinBox,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    is_alive,
    touch_button,
    tr,
)
from fieldapp.tasks import run_task
from maps.mbtiles import MBTiles
from maps.prefetch import (
    DEFAULT_AVG_TILE_BYTES,
    Prefetcher,
    PrefetchPlan,
    PrefetchProgress,
    PrefetchResult,
    plan,
    plan_refresh,
)

log = logging.getLogger(__name__)
#: Cache files being refreshed in the background (one refresh at a time each).
_refreshing: set[Path] = set()


def plan_for_work(replica_path: Path, cache_file: Path, settings: MapSettings) -> PrefetchPlan:
    """The tiles round the device's open tickets, with what the cache already holds (on a worker)."""
    points = mapsettings.work_points(replica_path)
    cache = MBTiles(cache_file) if cache_file.exists() else None
    try:
        avg = DEFAULT_AVG_TILE_BYTES
        if cache is not None and cache.tile_count():
            avg = max(1, cache.total_bytes() // cache.tile_count())
        return plan(
            points,
            settings.margin_m,
            settings.zooms(),
            avg_tile_bytes=avg,
            budget_bytes=settings.budget_bytes,
            cache=cache,
        )
    finally:
        if cache is not None:
            cache.close()


class TileDownload(QObject):
    """One prefetch run off the GUI thread: ``progress(PrefetchProgress)``, then ``finished(PrefetchResult)``.

    ``plan=None`` refreshes the cache's stale tiles instead.
    """

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(
        self, cache_file: Path, source_url: str, agent: str, settings: MapSettings, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.cache_file = Path(cache_file)
        self.source_url = source_url
        self.agent = agent
        self.settings = settings
        self.running = False
        self._cancelled = False
        self._prefetcher: Prefetcher | None = None

    def start(self, plan: PrefetchPlan | None) -> None:
        if self.running:
            return
        self.running = True
        self._cancelled = False
        run_task(lambda: self._work(plan), self._done, self._failed, network=True)

    def cancel(self) -> None:
        self._cancelled = True
        if self._prefetcher is not None:
            self._prefetcher.cancel()

    def _report(self, progress: PrefetchProgress) -> None:
        # The Prefetcher clears its cancel flag when a run starts: a cancel that came
        # before that is passed on here, at the first report.
        if self._cancelled and self._prefetcher is not None:
            self._prefetcher.cancel()
        self.progress.emit(progress)

    def _work(self, the_plan: PrefetchPlan | None) -> PrefetchResult:
        cache = MBTiles(self.cache_file)
        try:
            if the_plan is None:
                the_plan = plan_refresh(cache)
            prefetcher = Prefetcher(
                cache,
                self.source_url,
                self.agent,
                self.settings.budget_bytes,
                rate_per_second=self.settings.rate_per_second,
                on_progress=self._report,
                max_attempts=3,
            )
            self._prefetcher = prefetcher
            try:
                result = prefetcher.run(the_plan)
                # A lowered budget: the least recently used tiles go.
                cache.evict_to(self.settings.budget_bytes)
                return result
            finally:
                prefetcher.close()
        finally:
            cache.close()

    def _done(self, result: PrefetchResult) -> None:
        self.running = False
        self._prefetcher = None
        self.finished.emit(result)

    def _failed(self, exc: Exception) -> None:
        self.running = False
        self._prefetcher = None
        self.failed.emit(exc)


def start_refresh(profile: Path, replica_path: Path, parent: QObject, on_done: Any = None) -> None:
    """Refresh stale tiles in the background when it is due (after a sync: the device is online)."""
    cache_file = mapsettings.cache_path(profile)
    if not cache_file.exists() or cache_file in _refreshing:
        return
    _refreshing.add(cache_file)

    def loaded(result: tuple[MapSettings, str | None]) -> None:
        settings, server = result
        try:
            if not settings.refresh_due():
                raise ValueError("not due")
            source = settings.source_url(server)
        except ValueError:
            _refreshing.discard(cache_file)
            return
        download = TileDownload(cache_file, source, settings.user_agent(server), settings, parent)

        def finished(outcome: PrefetchResult) -> None:
            log.info("map: stale tiles refreshed: %s", outcome.status)
            stamp = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            run_task(lambda: mapsettings.save(replica_path, replace(settings, last_refresh=stamp)))
            download.deleteLater()
            _refreshing.discard(cache_file)
            if on_done is not None:
                on_done(outcome)

        download.finished.connect(finished)

        def failed(exc: Exception) -> None:
            log.warning("map: refresh failed: %s", exc)
            _refreshing.discard(cache_file)

        download.failed.connect(failed)
        download.start(None)

    def not_loaded(exc: Exception) -> None:
        log.warning("map: %s", exc)
        _refreshing.discard(cache_file)

    run_task(lambda: mapsettings.load(replica_path), loaded, not_loaded)


class PrefetchDialog(QDialog):
    """ "Download map for my work": area, zooms, budget and source; count and size shown first."""

    #: New tiles are in the cache (the maps should look again).
    downloaded = Signal()

    def __init__(self, profile: Path, replica_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Download map for my work"))
        self.setAccessibleName(tr("Download map for my work"))
        self.profile = Path(profile)
        self.replica_path = Path(replica_path)
        self.cache_file = mapsettings.cache_path(profile)
        self.settings = MapSettings()
        self.server: str | None = None
        self.plan: PrefetchPlan | None = None
        self.result: PrefetchResult | None = None
        self.download: TileDownload | None = None
        self._planning = 0
        self._loaded = False

        self.source = QLineEdit()
        self.source.setAccessibleName(tr("Tile source"))
        self.margin = self._spin(50, 20_000, tr("Margin round each ticket"), tr(" m"))
        self.min_zoom = self._spin(0, 20, tr("Lowest zoom"))
        self.max_zoom = self._spin(0, 20, tr("Highest zoom"))
        self.budget = self._spin(5, 100_000, tr("Storage budget"), tr(" MB"))
        self.auto_refresh = QCheckBox(tr("Refresh old tiles by themselves when online"))
        self.summary = QLabel(tr("Working out the area…"))
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(tr("Download size"))
        self.progress = QProgressBar()
        self.progress.setAccessibleName(tr("Download progress"))
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(tr("Download status"))

        self.download_button = touch_button(tr("Download"), primary=True)
        self.cancel_button = touch_button(tr("Cancel download"))
        self.resume_button = touch_button(tr("Resume"))
        self.refresh_button = touch_button(tr("Refresh old tiles"))
        self.close_button = touch_button(tr("Close"))
        self.download_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.resume_button.setEnabled(False)
        self.download_button.clicked.connect(self.start_download)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.resume_button.clicked.connect(self.resume_download)
        self.refresh_button.clicked.connect(self.refresh_stale)
        self.close_button.clicked.connect(self.close)

        form = QFormLayout()
        form.addRow(tr("Tile source"), self.source)
        form.addRow(tr("Area round each ticket"), self.margin)
        zooms = QHBoxLayout()
        zooms.addWidget(self.min_zoom)
        zooms.addWidget(QLabel(tr("to")))
        zooms.addWidget(self.max_zoom)
        form.addRow(tr("Zoom levels"), zooms)
        form.addRow(tr("Storage budget"), self.budget)
        form.addRow("", self.auto_refresh)
        buttons = QHBoxLayout()
        for button in (
            self.download_button,
            self.cancel_button,
            self.resume_button,
            self.refresh_button,
            self.close_button,
        ):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self._replan = QTimer(self)
        self._replan.setSingleShot(True)
        self._replan.setInterval(300)
        self._replan.timeout.connect(self.update_plan)
        for spin in (self.margin, self.min_zoom, self.max_zoom, self.budget):
            spin.valueChanged.connect(self._changed)
        self.source.textChanged.connect(self._changed)
        self.auto_refresh.toggled.connect(self._changed)
        run_task(lambda: mapsettings.load(self.replica_path), self._settings_loaded, self._error)

    @staticmethod
    def _spin(low: int, high: int, name: str, suffix: str = "") -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setSuffix(suffix)
        spin.setAccessibleName(name)
        spin.setMinimumHeight(44)
        return spin

    # -- settings and plan -------------------------------------------------------------
    def busy(self) -> bool:
        return self._planning > 0 or not self._loaded or (self.download is not None and self.download.running)

    def _settings_loaded(self, result: tuple[MapSettings, str | None]) -> None:
        self.settings, self.server = result
        s = self.settings
        for widget, value in (
            (self.margin, s.margin_m),
            (self.min_zoom, s.min_zoom),
            (self.max_zoom, s.max_zoom),
            (self.budget, s.budget_mb),
        ):
            widget.blockSignals(True)
            widget.setValue(int(value))
            widget.blockSignals(False)
        self.source.blockSignals(True)
        self.source.setText(s.tile_url)
        self.source.setPlaceholderText(
            MapSettings(tileset=s.tileset).source_url(self.server)
            if self.server
            else tr("Tile URL {z}/{x}/{y}")
        )
        self.source.blockSignals(False)
        self.auto_refresh.blockSignals(True)
        self.auto_refresh.setChecked(s.auto_refresh)
        self.auto_refresh.blockSignals(False)
        self._loaded = True
        self.update_plan()

    def _read_form(self) -> MapSettings:
        low, high = sorted((self.min_zoom.value(), self.max_zoom.value()))
        return replace(
            self.settings,
            tile_url=self.source.text().strip(),
            margin_m=self.margin.value(),
            min_zoom=low,
            max_zoom=high,
            budget_mb=self.budget.value(),
            auto_refresh=self.auto_refresh.isChecked(),
        )

    def _changed(self, *_args: object) -> None:
        self.download_button.setEnabled(False)
        self.summary.setText(tr("Working out the area…"))
        self._replan.start()

    def update_plan(self) -> None:
        """Save the form and plan again on the worker; the count and size follow."""
        if not self._loaded:
            return
        settings = self.settings = self._read_form()
        path, cache_file = self.replica_path, self.cache_file
        self._planning += 1

        def work() -> PrefetchPlan:
            mapsettings.save(path, settings)
            return plan_for_work(path, cache_file, settings)

        def done(result: PrefetchPlan) -> None:
            if not is_alive(self.summary):
                return  # the dialog was closed while the plan was made
            self._planning -= 1
            if settings != self.settings:
                return  # the form changed meanwhile; a newer plan is coming
            self.plan = result
            self.summary.setText(self.summary_text(result))
            running = self.download is not None and self.download.running
            self.download_button.setEnabled(result.count > result.cached and not running)

        def failed(exc: Exception) -> None:
            self._planning -= 1
            self._error(exc)

        run_task(work, done, failed)

    @staticmethod
    def summary_text(p: PrefetchPlan) -> str:
        if not p.count:
            return tr("No open tickets with a location: nothing to download.")
        zooms = sorted(p.per_zoom)
        text = tr("{n} tiles (zoom {low}-{high}), about {mb} MB to download").format(
            n=p.count,
            low=zooms[0] if zooms else "–",
            high=zooms[-1] if zooms else "–",
            mb=QLocale().toString(p.download_bytes / 1_000_000, "f", 1),
        )
        if p.dropped_zooms:
            text += "; " + tr("zoom {levels} left out to stay within the storage budget").format(
                levels=", ".join(map(str, p.dropped_zooms))
            )
        if p.cached:
            text += "; " + tr("{n} already on this device").format(n=p.cached)
        return text

    # -- download ----------------------------------------------------------------------
    def _new_download(self) -> TileDownload | None:
        try:
            source = self.settings.source_url(self.server)
        except ValueError as exc:
            self.message.setText(str(exc))
            return None
        if self.download is not None:
            self.download.deleteLater()
        agent = self.settings.user_agent(self.server)
        download = TileDownload(self.cache_file, source, agent, self.settings, self)
        download.progress.connect(self._progress)
        download.finished.connect(self._finished)
        download.failed.connect(self._download_failed)
        self.download = download
        return download

    def start_download(self) -> None:
        if self.plan is None or not self.plan.count:
            return
        download = self._new_download()
        if download is not None:
            self._running(True)
            download.start(self.plan)

    def resume_download(self) -> None:
        """The same plan again: tiles already there and fresh are skipped."""
        self.start_download()

    def refresh_stale(self) -> None:
        download = self._new_download()
        if download is not None:
            self._running(True)
            download.start(None)

    def cancel_download(self) -> None:
        if self.download is not None:
            self.download.cancel()
            self.message.setText(tr("Stopping after the current tile…"))

    def _running(self, on: bool) -> None:
        self.download_button.setEnabled(not on)
        self.resume_button.setEnabled(False)
        self.refresh_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        self.progress.setVisible(True)
        if on:
            self.progress.setValue(0)
            self.message.setText(tr("Downloading…"))

    def _progress(self, p: PrefetchProgress) -> None:
        self.progress.setMaximum(max(1, p.total))
        self.progress.setValue(p.done)
        text = tr("{done} of {total} tiles · {mb:.1f} MB downloaded").format(
            done=p.done, total=p.total, mb=p.bytes_downloaded / 1_000_000
        )
        if p.unavailable:
            text += " · " + tr("{u} not available from the source").format(u=p.unavailable)
        self.message.setText(text)

    def _finished(self, result: PrefetchResult) -> None:
        self.result = result
        self._running(False)
        words = {
            "finished": tr("The map for your work is on this device."),
            "incomplete": tr("Downloaded, but {n} tiles are missing at the source.").format(
                n=len(result.failed)
            ),
            "cancelled": tr("Download cancelled. Resume continues where it stopped."),
            "budget": tr("The storage budget is full; raise it or choose fewer zoom levels."),
            "failed": tr("The download stopped: {why}").format(why=result.message or ""),
        }
        done = tr("{n} tiles downloaded, {m} renewed, {k} already here.").format(
            n=result.fetched, m=result.revalidated, k=result.skipped
        )
        if result.unavailable:
            done = tr(
                "{n} tiles downloaded, {u} not available from the source, {m} renewed, {k} already here."
            ).format(n=result.fetched, u=result.unavailable, m=result.revalidated, k=result.skipped)
        self.message.setText(words.get(result.status, result.status) + " " + done)
        self.resume_button.setEnabled(result.status in ("cancelled", "failed", "incomplete", "budget"))
        if result.fetched or result.revalidated:
            self.downloaded.emit()
        self.update_plan()

    def _download_failed(self, exc: Exception) -> None:
        self._running(False)
        self.resume_button.setEnabled(True)
        self._error(exc)

    def _error(self, exc: Exception) -> None:
        self._loaded = True
        self.message.setText(str(exc))
        show_error(self, exc)

    def closeEvent(self, event: Any) -> None:
        if self.download is not None and self.download.running:
            self.download.cancel()  # the tiles so far stay; Resume later continues
        super().closeEvent(event)
