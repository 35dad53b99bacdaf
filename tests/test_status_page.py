"""The public status page of a request, in a real browser (Debian's chromium, headless).

A crew resolves a ticket with before/after photos through the sync API; the page
shows the outcome in plain words and the photos (which must actually load), at a
phone's width, with the reporter's text escaped and no crew or reporter details.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from devtools import LAYOUT, Browser
from PIL import Image, ImageChops
from reporterkit import (
    GREEN,
    RED,
    ReporterServer,
    device_push,
    jpeg_with_exif,
    photo_op,
    resolve_on_device,
    upload_photo,
)
from serverproc import CaseServer, Device

PHONE_WIDTH = 390
TIMELINE = "[...document.querySelectorAll('#timeline li')].map(li => li.innerText)"
HOSTILE = "<script>document.title='pwned';document.body.innerHTML='pwned'</script> & <b>not bold</b>"


@pytest.fixture
def page_server(reporter_server: ReporterServer) -> tuple[CaseServer, Path]:
    return reporter_server.server, reporter_server.blob_dir


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    return found


def browse(url: str, folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={folder / 'chromium-profile'}",
            "--virtual-time-budget=5000",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


def resolved_ticket(server: CaseServer, blob_dir: Path, folder: Path) -> tuple[str, dict[str, Any]]:
    office = server.token("sanna")
    ticket = server.create_ticket(
        office,
        description=HOSTILE,
        assigned_crew="north",
        reporter_name="Maija Reporter",
        reporter_email="maija@example.org",
        reporter_phone="+358 40 765 4321",
    )
    ticket_id = str(ticket["id"])
    crew = Device(folder / "aino", server, "aino")
    crew.sync()
    before, after = jpeg_with_exif(RED, (800, 600)), jpeg_with_exif(GREEN, (800, 600))
    ops = [photo_op(ticket_id, before, "before"), photo_op(ticket_id, after, "after")]
    device_push(crew, ops)
    upload_photo(crew, ops[0], before, folder)
    upload_photo(crew, ops[1], after, folder)
    resolve_on_device(crew, ticket_id, "Patched with hot asphalt.")
    return ticket_id, ticket


def test_status_page_shows_outcome_and_photos_in_a_browser_at_phone_width(
    page_server: tuple[CaseServer, Path], tmp_path: Path
) -> None:
    server, blob_dir = page_server
    ticket_id, _ = resolved_ticket(server, blob_dir, tmp_path)
    url = f"{server.url}/requests/{ticket_id}"

    r = requests.get(url, timeout=30)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src" not in r.headers["content-security-policy"]  # no script may run at all
    html = r.text
    assert "<h1>Pothole</h1>" in html
    assert "Mannerheimintie 5, Helsinki" in html
    assert ">Resolved<" in html
    assert "Fixed. Patched with hot asphalt." in html
    assert "Reported" in html and "Last update" in html
    assert "&lt;script&gt;" in html and "<script" not in html
    for private in ("Maija", "maija@example.org", "765 4321", "sanna", "North streets crew"):
        assert private not in html
    for event_actor in ("aino", "eero"):  # the history shows what happened, never who did it
        assert f">{event_actor}<" not in html.lower()

    dom = browse(url, tmp_path, "--dump-dom").stdout
    assert "<title>Pothole, Mannerheimintie 5, Helsinki" in dom  # the title was not rewritten
    assert "&lt;script&gt;document.title='pwned'" in dom  # shown as text, not run
    assert "<b>not bold</b>" not in dom

    shot = tmp_path / "phone.png"
    browse(url, tmp_path, f"--window-size={PHONE_WIDTH},2400", f"--screenshot={shot}")
    with Image.open(shot) as image:
        assert image.width == PHONE_WIDTH
        pixels = image.convert("RGB")
        red = _box(pixels, RED)
        green = _box(pixels, GREEN)
    # Both photos loaded, each scaled to the phone's width with its 4:3 shape kept.
    for left, top, right, bottom in (red, green):
        width, height = right - left + 1, bottom - top + 1
        assert PHONE_WIDTH * 0.75 < width <= PHONE_WIDTH
        assert height == pytest.approx(width * 3 / 4, abs=4)
    assert red[1] < green[1]  # before above after


def _box(image: Image.Image, color: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """Bounding box of the pixels close to `color` (a photo on the page)."""
    target = Image.new("RGB", image.size, color)
    diff = ImageChops.difference(image, target).convert("L")
    mask = diff.point(lambda v: 255 if v < 12 else 0)
    box = mask.getbbox()
    assert box is not None, f"no {color} photo on the page"
    left, top, right, bottom = box
    return left, top, right - 1, bottom - 1


@pytest.mark.parametrize(
    "ticket_id",
    [
        "0b7d6a5e-3c1f-4f8e-9a55-2d0c6e1b9f47",
        "not-a-ticket",
        "12345",
        "%00",
        "x" * 300,
        "<script>alert(1)</script>",
    ],
)
def test_unknown_requests_get_a_404_page(page_server: tuple[CaseServer, Path], ticket_id: str) -> None:
    server, _ = page_server
    r = requests.get(f"{server.url}/requests/{ticket_id}", timeout=30)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Request not found" in r.text
    assert "<script>alert" not in r.text


def test_status_page_timeline_in_finnish_fits_a_phone_with_readable_text(
    page_server: tuple[CaseServer, Path], tmp_path: Path
) -> None:
    """At 390 x 844 in headless chromium: no horizontal scroll, no text under 16 px, the reader's language."""
    server, blob_dir = page_server
    ticket_id, _ = resolved_ticket(server, blob_dir, tmp_path)
    browser = Browser(tmp_path, PHONE_WIDTH, 844)
    try:
        for url, lang, words in (
            (f"{server.url}/requests/{ticket_id}?lang=fi", "fi", ("Ilmoitettu", "Työ käynnissä", "Korjattu")),
            (f"{server.url}/requests/{ticket_id}?lang=sv", "sv", ("Anmäld", "Arbetet pågår", "Åtgärdad")),
            (f"{server.url}/requests/{ticket_id}", "en", ("Reported", "Work in progress", "Resolved")),
            (f"{server.url}/requests/{uuid.uuid4()}?lang=fi", "fi", ("Ilmoitusta ei löytynyt",)),
            (f"{server.url}/reporter/not-fixed?k=broken&lang=sv", "sv", ("Länken är inte giltig",)),
        ):
            browser.open(url)
            layout = browser.evaluate(LAYOUT)
            assert layout["lang"] == lang, url
            assert layout["scrollWidth"] <= layout["innerWidth"] == PHONE_WIDTH, (url, layout)
            assert layout["smallest"] >= 16, (url, layout)
            text = browser.evaluate("document.body.innerText")
            for word in words:
                assert word in text, (url, word)
            if url.endswith("?lang=fi") and ticket_id in url:
                steps = browser.evaluate(TIMELINE)
                # Reported (to a crew at once), in progress, resolved: oldest first, each with its time.
                assert [s.splitlines()[-1] for s in steps] == ["Ilmoitettu", "Työ käynnissä", "Korjattu"]
                assert all(" klo " in s for s in steps)
    finally:
        browser.close()
