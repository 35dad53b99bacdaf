"""Possible duplicates on the crew's ticket screen (both photos side by side, one tap to merge)
and on the supervisor's board: real widgets offscreen, a real case server with the check on."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serverproc import CaseServer, Device, fresh_database_url, start_server
from test_gui_ticket import Taps, _jpeg, _open, _synced, _window

from fieldapp.qt import TOUCH
from fieldapp.screens.dispatch import item_text
from sync.photos import attach_photo
from sync.replica import Replica

pytestmark = pytest.mark.usefixtures("no_threads_left_behind")

MAIN = (60.1699, 24.9384)
TWENTY_M_EAST = (60.1699, 24.9384 + 20 / 55_450)


@pytest.fixture(scope="module")
def checking_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseServer]:
    tmp_path = tmp_path_factory.mktemp(f"duplicates-gui-{backend}")
    with fresh_database_url(backend, tmp_path) as url:
        server = start_server(url, tmp_path, CASESERVER_DUPLICATE_METERS="50")
        try:
            yield server
        finally:
            server.stop()


def _colour_at_centre(label: Any) -> tuple[int, int, int]:
    image = label.pixmap().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    return colour.red(), colour.green(), colour.blue()


def test_the_crew_sees_both_photos_side_by_side_and_merges_in_one_tap(
    qtbot: Any, checking_server: CaseServer, tmp_path: Path
) -> None:
    server = checking_server
    sanna = server.token("sanna")
    main = server.create_ticket(sanna, assigned_crew="north", lat=MAIN[0], lon=MAIN[1])["id"]
    duplicate = server.create_ticket(
        sanna, assigned_crew="north", lat=TWENTY_M_EAST[0], lon=TWENTY_M_EAST[1]
    )["id"]
    # Eero photographed the first report on his tablet; it reached the server.
    eero = Device(tmp_path / "eero", server, "eero")
    eero.sync()
    with eero.replica() as replica:
        attach_photo(replica, main, _jpeg(tmp_path / "red.jpg", (220, 30, 30)), kind="before")
    eero.sync()
    from sync.uploads import UploadQueue

    assert UploadQueue(eero.path).run().confirmed == 1

    window = _window(qtbot, server, tmp_path / "aino")
    replica = Replica(window.replica_path)
    try:
        attach_photo(replica, duplicate, _jpeg(tmp_path / "blue.jpg", (30, 30, 220)), kind="before")
    finally:
        replica.close()
    _open(qtbot, window, duplicate)
    box = window.ticket.duplicates
    qtbot.waitUntil(lambda: main in box.merge_buttons, timeout=30_000)
    assert box.isVisible() and "20 m away" in box.findChildren(type(window.ticket.title))[0].text()
    pictures = [
        label
        for label in box.findChildren(type(window.ticket.title))
        if label.pixmap() and not label.pixmap().isNull()
    ]
    assert len(pictures) == 2 and all(p.width() >= 320 for p in pictures)  # both, large enough to judge
    mine, theirs = (_colour_at_centre(p) for p in pictures)
    assert mine[2] > 150 > mine[0] and theirs[0] > 150 > theirs[2]  # this (blue), the other (red)

    button = box.merge_buttons[main]
    assert button.height() >= TOUCH
    taps = Taps(qtbot)
    taps.button(button)
    qtbot.waitUntil(
        lambda: window.ticket.ticket is not None and window.ticket.ticket["status"] == "closed",
        timeout=30_000,
    )
    assert taps.count == 1
    _synced(qtbot, window)
    doc = server.get_ticket(sanna, duplicate)
    assert (doc["status"], doc["resolution_code"], doc["duplicate_of"]) == ("closed", "duplicate", main)
    assert [p["kind"] for p in doc["photos"]] == ["before"]  # the crew's photo stays with its ticket


def test_the_board_marks_possible_duplicates(checking_server: CaseServer, tmp_path: Path) -> None:
    server = checking_server
    sanna = server.token("sanna")
    north = 0.01  # a kilometre from the other test's reports (the server is the module's)
    first = server.create_ticket(sanna, lat=MAIN[0] + north, lon=MAIN[1])["id"]
    second = server.create_ticket(sanna, lat=TWENTY_M_EAST[0] + north, lon=TWENTY_M_EAST[1])["id"]
    alone = server.create_ticket(sanna, service_code="graffiti", lat=MAIN[0] + north, lon=MAIN[1])["id"]
    device = Device(tmp_path / "sanna", server, "sanna")
    device.sync()
    with device.replica() as replica:
        rows = {row["id"]: row for row in replica.ticket_rows()}
    assert "⧉ possible duplicate" in item_text(rows[first]) and "⧉ possible duplicate" in item_text(
        rows[second]
    )
    assert "possible duplicate" not in item_text(rows[alone])
