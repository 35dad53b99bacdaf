"""Maps and positions in the real window (offscreen, real Qt WebEngine) against a real case server:
the crew's map with its markers and position, a marker click opening the ticket, the supervisor's
map coloured by crew, the offline map download from the server's /tiles, nearest first from a
recorded NMEA drive, the on-site suggestion, and the position recorded with the edits."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import math
from pathlib import Path
from typing import Any

import pytest
from serverproc import CaseServer
from test_gui import _settle, _sign_in, _window
from test_mapview import count_near, hex_rgb, js, near, pixel, wait_js

from fieldapp import mapsettings
from fieldapp.mainwindow import MainWindow
from fieldapp.mapview import MapView
from fieldapp.positioning import PositionService
from fieldapp.qt import QImage, Qt
from maps.geo import distance_m, nearest_first
from maps.mappage import MISSING_TEXT, STATUS_COLOURS, crew_colour
from maps.mbtiles import MBTiles
from sync.engine import SyncEngine
from sync.replica import Replica
from sync.wire import Op

pytestmark = pytest.mark.usefixtures("no_threads_left_behind")

TRACK = Path(__file__).resolve().parents[1] / "resources" / "nmea" / "helsinki-drive.nmea"
POSITION_COLOUR = (0x0A, 0x84, 0xFF)


def wait_map(qtbot, view: MapView) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(view.is_ready, timeout=30_000)
    wait_js(qtbot, view, "fa.tilesIdle")


def wait_page_fits(qtbot, view: MapView) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page has taken the widget's size: on a busy machine Chromium lays the page
    out a moment after the widget was resized, and positions read before that miss the picture."""
    wait_js(
        qtbot,
        view,
        f"window.innerWidth === {view.width()} && window.innerHeight === {view.height()} && fa.tilesIdle",
        timeout=20_000,
    )


def point(qtbot, view: MapView, lat: float, lon: float) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    x, y = js(
        qtbot, view, f"(function(p){{return [p.x, p.y];}})(fa.map.latLngToContainerPoint([{lat}, {lon}]))"
    )
    return float(x), float(y)


def grab_whole(view: MapView) -> QImage | None:
    """The view's picture, or None while the compositor still hands over a frame of an earlier
    size (on a busy machine it can lag the widget by seconds)."""
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    ratio = image.devicePixelRatio()
    whole = round(image.width() / ratio) == view.width() and round(image.height() / ratio) == view.height()
    return image if whole else None


def grab_until(qtbot, view: MapView, ok: Any, timeout: float = 20.0) -> QImage:  # type: ignore[no-untyped-def]
    image = grab_whole(view)
    waited = 0.0
    while (image is None or not ok(image)) and waited < timeout:
        qtbot.wait(100)
        waited += 0.1
        image = grab_whole(view)
    assert image is not None, "the view never showed a frame of its own size"
    return image


def test_crew_map_shows_its_tickets_and_position_and_a_marker_opens_the_ticket(  # type: ignore[no-untyped-def]
    qtbot, fresh_server: CaseServer, tmp_path: Path
) -> None:
    # A server of its own: other tests' tickets nearby would cluster with these markers.
    server = fresh_server
    admin = server.token("admin")
    spots = {"west": (60.1752, 24.9501), "assigned": (60.1752, 24.9561)}
    ids = {
        key: server.create_ticket(admin, assigned_crew="north", lat=lat, lon=lon, priority=3)["id"]
        for key, (lat, lon) in spots.items()
    }
    window = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, window, server, "aino")
    view = window.mywork.map
    assert view is not None and view.isVisible()
    wait_map(qtbot, view)
    on_map = js(qtbot, view, "Object.keys(fa.markers)")
    assert set(ids.values()) <= set(on_map)
    assert set(on_map) == set(window.mywork.model.visible_ids())  # the map shows what the list shows

    here = (60.1745, 24.9531)
    window.set_position(*here, 12.0)
    view.center_on(60.1750, 24.9531, 16)
    wait_js(qtbot, view, "fa.tilesIdle")
    assigned = hex_rgb(STATUS_COLOURS["assigned"])

    def drawn(im: QImage) -> bool:
        # Where the points are is asked again on every frame: the view may still be settling.
        marker, dot = point(qtbot, view, *spots["assigned"]), point(qtbot, view, *here)
        return count_near(im, *marker, 12, assigned) > 50 and count_near(im, *dot, 6, POSITION_COLOUR) > 20

    image = grab_until(qtbot, view, drawn)
    marker, dot = point(qtbot, view, *spots["assigned"]), point(qtbot, view, *here)
    assert count_near(image, *marker, 12, assigned) > 50, pixel(image, *marker)
    assert count_near(image, *dot, 6, POSITION_COLOUR) > 20, pixel(image, *dot)

    # A click on a marker opens its ticket, with the ticket's own map round it.
    view.run_js(f"fa.markers['{ids['assigned']}'].fire('click', {{}}, true);")
    qtbot.waitUntil(lambda: window.current_view() == "ticket", timeout=10_000)
    _settle(qtbot, window)
    assert window.ticket.ticket["id"] == ids["assigned"]
    small = window.ticket.map_box.map
    assert small is not None
    wait_map(qtbot, small)
    assert js(qtbot, small, "Object.keys(fa.markers)") == [ids["assigned"]]
    assert "60.17520" in window.ticket.map_box.map_label.text()
    assert "of you" in window.ticket.map_box.way.text()  # the way from the position to the site
    window.shutdown()


def test_supervisor_map_colours_tickets_by_crew_and_says_where_nothing_is_downloaded(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    spots = {"north": (60.1601, 24.9201), "south": (60.1601, 24.9301)}
    for crew, (lat, lon) in spots.items():
        server.create_ticket(admin, assigned_crew=crew, lat=lat, lon=lon)
    window = _window(qtbot, tmp_path / "laptop")
    _sign_in(qtbot, window, server, "sanna")
    assert window.current_view() == "dispatch"
    window.dispatch.show_map(True)
    view = window.dispatch.map
    wait_map(qtbot, view)
    view.center_on(60.1601, 24.9251, 15)  # south-west of the shipped basemap: no tiles here
    wait_js(qtbot, view, "fa.tilesIdle && !document.getElementById('fa-missing').hidden")
    wait_page_fits(qtbot, view)
    colours = {crew: hex_rgb(crew_colour(crew)) for crew in spots}
    assert colours["north"] != colours["south"]
    points: dict[str, tuple[float, float]] = {}

    def drawn(image: QImage) -> bool:  # where the markers are once the view stopped moving
        points.update({crew: point(qtbot, view, *where) for crew, where in spots.items()})
        return all(count_near(image, *points[c], 12, colours[c]) > 80 for c in spots)

    image = grab_until(qtbot, view, drawn)
    for crew in spots:
        assert count_near(image, *points[crew], 12, colours[crew]) > 80, (crew, pixel(image, *points[crew]))
        other = "south" if crew == "north" else "north"
        assert count_near(image, *points[crew], 12, colours[other]) == 0
    # The banner is on screen: its words in the page, its light yellow box in the picture. It
    # stands over the missing tiles and may settle after the markers: ask where, then look.
    banner = hex_rgb("#fff8e1")
    where = (
        "(function(b){var r=b.getBoundingClientRect(); return [b.textContent, r.x, r.y, r.width, r.height];})"
        "(document.getElementById('fa-missing'))"
    )
    box: list[Any] = []
    inside: list[tuple[float, float]] = []

    def banner_shown(image: QImage) -> bool:
        fits = f"window.innerWidth === {view.width()} && window.innerHeight === {view.height()}"
        if not js(qtbot, view, fits):
            return False  # the widget was resized and the page is not laid out anew yet
        box[:] = js(qtbot, view, where)
        inside[:] = [(box[1] + 4, box[2] + 4), (box[1] + box[3] - 5, box[2] + box[4] - 5)]
        return all(near(pixel(image, x, y), banner, 4) for x, y in inside)

    wait_page_fits(qtbot, view)
    image = grab_until(qtbot, view, banner_shown, timeout=30.0)
    assert box[0] == MISSING_TEXT and box[3] > 100 and box[4] > 10
    assert all(near(pixel(image, x, y), banner, 4) for x, y in inside), [pixel(image, *p) for p in inside]
    assert view.missing_tiles > 0
    window.shutdown()


def test_download_map_for_my_work_shows_the_cost_first_then_cancels_and_resumes(  # type: ignore[no-untyped-def]
    qtbot, fresh_server: CaseServer, tmp_path: Path
) -> None:
    server = fresh_server
    admin = server.token("admin")
    server.create_ticket(admin, assigned_crew="south", lat=60.1700, lon=24.9440)
    server.create_ticket(admin, assigned_crew="south", lat=60.1680, lon=24.9480)
    window = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, window, server, "liisa")
    dialog = window.open_prefetch()
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.plan is not None, timeout=10_000)
    dialog.margin.setValue(150)
    dialog.min_zoom.setValue(14)
    dialog.max_zoom.setValue(17)
    dialog.budget.setValue(50)
    dialog.update_plan()
    qtbot.waitUntil(
        lambda: not dialog.busy() and dialog.plan.per_zoom.keys() == {14, 15, 16, 17}, timeout=10_000
    )
    plan = dialog.plan
    # Count and size are on screen before anything was downloaded.
    assert f"{plan.count} tiles (zoom 14-17)" in dialog.summary.text()
    assert "MB to download" in dialog.summary.text()
    assert dialog.download_button.isEnabled()
    cache_file = mapsettings.cache_path(window.profile)
    assert not cache_file.exists()
    assert dialog.settings.source_url(server.url) == f"{server.url}/tiles/helsinki/{{z}}/{{x}}/{{y}}.png"

    # Start slowly, cancel after the first tiles.
    dialog.settings.rate_per_second = 4.0
    progress: list[Any] = []
    dialog.start_download()
    dialog.download.progress.connect(progress.append)
    qtbot.waitUntil(lambda: sum(1 for p in progress if p.fetched) >= 2, timeout=15_000)
    dialog.cancel_download()
    qtbot.waitUntil(lambda: dialog.result is not None and not dialog.busy(), timeout=15_000)
    assert dialog.result.status == "cancelled"
    first = dialog.result.fetched
    assert 0 < first < plan.count
    assert dialog.resume_button.isEnabled()
    with MBTiles(cache_file) as cache:
        assert cache.tile_count() == first

    # Resume: what is there is skipped, the rest downloaded.
    dialog.settings.rate_per_second = 100.0
    dialog.result = None
    dialog.resume_download()
    qtbot.waitUntil(lambda: dialog.result is not None and not dialog.busy(), timeout=30_000)
    result = dialog.result
    assert result.status == "finished", result
    assert result.skipped == first and result.fetched == plan.count - first
    with MBTiles(cache_file) as cache:
        assert cache.tile_count() == plan.count
        assert all(cache.has_tile(*t) for t in plan.tiles)
    assert "on this device" in dialog.message.text()
    qtbot.waitUntil(lambda: "already on this device" in dialog.summary.text(), timeout=10_000)
    assert not dialog.download_button.isEnabled()  # nothing left to download

    # The crew's map reads the downloaded cache before the shipped basemap.
    assert window.mywork.map.sources.files()[0] == cache_file
    # Settings persist in the profile.
    settings, _ = mapsettings.load(window.replica_path)
    assert (settings.margin_m, settings.min_zoom, settings.max_zoom, settings.budget_mb) == (150, 14, 17, 50)
    window.shutdown()


def _play(qtbot, window: MainWindow) -> PositionService:  # type: ignore[no-untyped-def]
    """The recorded drive at 100x through the window, to its last fix."""
    service = PositionService.nmea_file(TRACK, window, speed=100)
    fixes = sum(1 for line in TRACK.read_text().splitlines() if line.startswith("$GPRMC"))
    window.use_position_service(service)
    qtbot.waitUntil(lambda: service.fixes >= fixes, timeout=30_000)
    return service


def test_nmea_drive_sorts_nearest_first_suggests_on_site_and_edits_record_the_position(  # type: ignore[no-untyped-def]
    qtbot, server: CaseServer, tmp_path: Path
) -> None:
    admin = server.token("admin")
    # Real addresses along the recorded drive; it ends on Aleksanterinkatu by the Senate Square.
    places = {
        "end": ("Aleksanterinkatu 22", 60.168965, 24.952540),
        "esplanadi": ("Eteläesplanadi 18", 60.167009, 24.946228),
        "start": ("Mannerheimintie 18", 60.169080, 24.939124),
    }
    ids = {
        key: server.create_ticket(admin, assigned_crew="central", address=a, lat=lat, lon=lon)["id"]
        for key, (a, lat, lon) in places.items()
    }
    window = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, window, server, "mikko")
    window.bridge.stop()  # edits stay in the outbox to be looked at; sent at the end
    window.bridge = None
    assert window.mywork.sort.currentData() == "priority"

    service = _play(qtbot, window)
    lat, lon, accuracy = service.last
    assert math.isfinite(accuracy) and accuracy > 0
    # The first fix switched the list to nearest first; the order follows the last position.
    assert window.mywork.sort.currentData() == "distance"
    qtbot.waitUntil(lambda: window.mywork.model.position is not None, timeout=5_000)
    shown = [i for i in window.mywork.model.visible_ids() if i in ids.values()]
    rows = [{"id": ids[k], "lat": v[1], "lon": v[2]} for k, v in places.items()]
    moved_to = window.mywork.model.position
    assert shown == [r["id"] for r in nearest_first(rows, moved_to)]
    assert shown[0] == ids["end"]
    row = window.mywork.model.visible_ids().index(ids["esplanadi"])
    distance_text = window.mywork.model.data(window.mywork.model.index(row, 3))
    assert distance_text.endswith(" SW") and "m" in distance_text  # the Esplanadi is south-west of the end
    # The position dot is on the crew's map.
    dot = js(qtbot, window.mywork.map, "(function(p){return [p.lat, p.lng];})(fa.me.getLatLng())")
    assert dot == pytest.approx([lat, lon])

    # Far from the site (> 50 m): no suggestion.
    assert distance_m((lat, lon), rows[1]) > 50
    window.open_ticket(ids["esplanadi"])
    _settle(qtbot, window)
    assert window.ticket.ticket["id"] == ids["esplanadi"]
    assert window.ticket.onsite.isHidden()
    # At the site (< 50 m): "You are at the site — mark In progress?".
    assert distance_m((lat, lon), rows[0]) < 50
    window.open_ticket(ids["end"])
    _settle(qtbot, window)
    assert window.ticket.onsite.isVisible()
    assert "at the site" in window.ticket.onsite.label.text()
    qtbot.mouseClick(window.ticket.onsite.start_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, window)
    assert window.ticket.ticket["status"] == "in_progress"
    assert window.ticket.onsite.isHidden()
    window.ticket.add_note("valve found, starting")
    _settle(qtbot, window)

    replica = Replica(window.replica_path)
    try:
        ops = [op for op in replica.pending_ops(100) if op["ticket_id"] == ids["end"]]
    finally:
        replica.close()
    assert [(op["kind"], op.get("field")) for op in ops] == [("set", "status"), ("note", None)]
    for op in ops:
        wire = Op.model_validate(op)  # exactly what is pushed
        assert wire.position is not None
        assert (wire.position.lat, wire.position.lon) == pytest.approx((lat, lon))
        assert wire.position.accuracy_m == pytest.approx(accuracy, abs=0.1)
        assert wire.position.fixed_at is not None
    # The server takes the edits with their position.
    report = SyncEngine(window.replica_path).sync()
    assert report.pushed >= 2 and report.rejected == 0
    assert server.get_ticket(admin, ids["end"])["status"] == "in_progress"
    window.shutdown()


def test_focusing_a_marker_outside_the_view_never_scrolls_the_map(  # type: ignore[no-untyped-def]
    qtbot, fresh_server: CaseServer, tmp_path: Path
) -> None:
    """Tab (or the window's focus coming back) may land on something of the map outside the
    view, a marker below it: the browser would scroll the map's box to show it, leaving the
    banner and the markers out of place until something moved the map."""
    admin = fresh_server.token("admin")
    fresh_server.create_ticket(admin, assigned_crew="north", lat=60.1601, lon=24.9201)
    window = _window(qtbot, tmp_path / "laptop")
    _sign_in(qtbot, window, fresh_server, "sanna")
    window.dispatch.show_map(True)
    view = window.dispatch.map
    wait_map(qtbot, view)
    wait_page_fits(qtbot, view)
    focused = js(
        qtbot,
        view,
        "(function(){var box = fa.map.getContainer(); var far = L.DomUtil.create('a', '', box);"
        " far.href = '#'; far.textContent = 'below'; far.style.position = 'absolute';"
        " far.style.top = (box.clientHeight + 400) + 'px'; far.focus();"
        " var seen = [document.activeElement === far, box.scrollTop, window.scrollY];"
        " box.removeChild(far); return seen; })()",
    )
    assert focused == [True, 0, 0]
