"""*Offline map…* round work that reaches beyond the tile source's area (as in the demo).

Real window offscreen, real case server publishing the shipped Helsinki basemap. One
ticket is inside the basemap, one outside it: the download finishes and the dialog
says how many tiles came and how many the source does not have.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

from serverproc import CaseServer
from test_gui import _sign_in, _window

from fieldapp import mapsettings
from maps.mbtiles import MBTiles


def test_a_download_beyond_the_basemap_finishes_and_says_what_is_not_available(  # type: ignore[no-untyped-def]
    qtbot, fresh_server: CaseServer, tmp_path: Path
) -> None:
    server = fresh_server
    admin = server.token("admin")
    server.create_ticket(admin, assigned_crew="south", lat=60.1700, lon=24.9440)  # inside the basemap
    server.create_ticket(admin, assigned_crew="south", lat=60.2050, lon=24.8800)  # far outside it
    window = _window(qtbot, tmp_path / "tablet")
    _sign_in(qtbot, window, server, "liisa")
    dialog = window.open_prefetch()
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.plan is not None, timeout=10_000)
    dialog.margin.setValue(300)
    dialog.min_zoom.setValue(14)
    dialog.max_zoom.setValue(17)
    dialog.update_plan()
    qtbot.waitUntil(
        lambda: not dialog.busy() and dialog.plan.per_zoom.keys() == {14, 15, 16, 17}, timeout=10_000
    )
    plan = dialog.plan
    dialog.settings.rate_per_second = 200.0
    dialog.start_download()
    qtbot.waitUntil(lambda: dialog.result is not None and not dialog.busy(), timeout=60_000)
    result = dialog.result
    assert result.status == "finished", result
    assert result.fetched > 0 and result.unavailable > 0 and result.failed == ()
    assert result.fetched + result.unavailable == plan.count
    text = dialog.message.text()
    assert text.startswith("The map for your work is on this device."), text
    assert f"{result.fetched} tiles downloaded, {result.unavailable} not available from the source" in text
    assert not dialog.resume_button.isEnabled()
    with MBTiles(mapsettings.cache_path(window.profile)) as cache:
        assert cache.tile_count() == result.fetched
    window.shutdown()
