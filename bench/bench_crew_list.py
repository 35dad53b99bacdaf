"""The crew's card list with 50,000 tickets: opening, sorting and filtering, and flicking.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_crew_list.py [--tickets 50000] [--runs 3]

1. open: the real MainWindow on a profile whose replica holds the tickets (built by
   bench_gui's helper, without a server), timed until the card list shows every open
   ticket and nothing runs (bench_gui.open_once).
2. sort and filter: each sort chip, each filter chip and a text search, timed with
   the list's relayout and repaint (processEvents). Median of `--runs`.
3. flick: the list scrolled 40 px a frame (a brisk flick at 60 frames a second) for
   300 frames, each frame painted at once (`viewport().repaint()`); the frame time is
   the scroll plus the paint. Floor, in the same run: the same list drawn by Qt's
   plain item delegate (one line of text per row), the cheapest a list can paint.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_gui import dispose, helper, median, ms, open_once, percentile

from fieldapp.app import _application
from fieldapp.mainwindow import REPLICA_FILE
from fieldapp.qt import QStyledItemDelegate

FRAME_GOAL = 0.032


def timed(app, action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    app.processEvents()
    return time.perf_counter() - start


def flick_frames(app, cards, frames: int = 300, step: int = 40) -> list[float]:  # type: ignore[no-untyped-def]
    bar = cards.verticalScrollBar()
    bar.setValue(0)
    app.processEvents()
    times = []
    direction = 1
    for _ in range(frames):
        if not 0 <= bar.value() + direction * step <= bar.maximum():
            direction = -direction
        start = time.perf_counter()
        bar.setValue(bar.value() + direction * step)
        cards.viewport().repaint()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = _application()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        template = work / "template" / REPLICA_FILE
        out = helper("replica", str(template), str(args.tickets))
        expected = int(out[0])
        print(f"replica: {args.tickets:,} tickets, {expected:,} open")
        opens = []
        window = None
        for i in range(args.runs):
            if window is not None:
                dispose(app, window)
            figure = open_once(app, template, work / f"open-{i}", expected)
            window = figure.pop("window")
            opens.append(figure["total"])
        assert window is not None
        screen = window.mywork
        screen.map_button.setChecked(False)  # the list alone: the map has its own benchmark
        window.resize(1280, 800)
        app.processEvents()
        print(f"open -> usable card list: median {ms(median(opens))} (max {ms(max(opens))}); goal < 1 s")

        rows: list[tuple[str, float]] = []
        for key in ("priority", "due", "distance", "status"):
            rows.append(
                (
                    f"sort {key}",
                    median([timed(app, lambda k=key: screen.model.set_sort(k)) for _ in range(args.runs)]),
                )
            )
        for key in ("today", "overdue", "all", "open"):
            button = screen.filters.buttons[key]
            times = []
            for _ in range(args.runs):
                screen.filters.buttons["open" if key != "open" else "all"].click()  # from another chip
                app.processEvents()
                times.append(timed(app, button.click))
            rows.append((f"filter chip {key} ({screen.model.rowCount():,} rows)", median(times)))
        rows.append(
            (
                "search 'katu'",
                median([timed(app, lambda: screen.search.setText("katu")) for _ in range(args.runs)]),
            )
        )
        screen.search.setText("")
        app.processEvents()
        model_only = median(
            [
                (lambda t: (screen.model.set_sort("due"), time.perf_counter() - t)[1])(time.perf_counter())
                for _ in range(args.runs)
            ]
        )
        rows.append(("  of it: model sort only", model_only))
        for name, seconds in rows:
            print(f"{name:24} {ms(seconds):>10}  goal < 100 ms {'met' if seconds < 0.1 else 'NOT met'}")

        cards = screen.cards
        flick_frames(app, cards, frames=30)  # warm up: fonts and glyph caches
        cards_times = flick_frames(app, cards)
        delegate = cards.itemDelegate()
        plain = QStyledItemDelegate(cards)
        cards.setItemDelegate(plain)
        app.processEvents()
        floor_times = flick_frames(app, cards)
        cards.setItemDelegate(delegate)
        print(
            f"flick, card list:   p50 {ms(median(cards_times))}  p99 {ms(percentile(cards_times, 99))}  "
            f"max {ms(max(cards_times))}  (goal: no frame over 32 ms: "
            f"{'met' if max(cards_times) <= FRAME_GOAL else 'NOT met'})"
        )
        print(
            f"flick, plain rows (floor): p50 {ms(median(floor_times))}  "
            f"p99 {ms(percentile(floor_times, 99))}  max {ms(max(floor_times))}"
        )
        dispose(app, window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
