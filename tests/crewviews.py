"""Test helpers: a signed-in device profile with work on it, and the real window on each view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from serverproc import CaseServer, Device

#: The crew's views and panels (`MainWindow.prepare_screenshot`) that exist in this build.
CREW_VIEWS = ("signin", "mywork", "ticket", "resolve", "onhold", "camera", "photos", "conflicts", "settings")
SIZES = ((1280, 800), (800, 1280))

#: Services the test tickets use (one of each status the crew works through).
WORK = (
    ("pothole", "Mannerheimintie 5, Helsinki"),
    ("traffic_signal", "Hämeentie 12, Helsinki"),
    ("snow_ice", "Bulevardi 3, Helsinki"),
)


def crew_profile(server: CaseServer, folder: Path, user: str = "aino", crew: str = "north") -> Path:
    """A device folder signed in as `user`, synced, with a few tickets of `crew` on it."""
    admin = server.token("admin")
    for service, address in WORK:
        server.create_ticket(admin, assigned_crew=crew, service_code=service, address=address)
    device = Device(folder, server, user)
    device.sync()
    return folder


def show_view(qtbot: Any, window: Any, view: str, size: tuple[int, int]) -> None:
    """Put the window at `size` on `view` and wait until it has settled."""
    window.resize(*size)
    window.prepare_screenshot(view)
    qtbot.waitUntil(lambda: not window.busy(), timeout=30_000)
    qtbot.wait(50)  # layouts after the resize
