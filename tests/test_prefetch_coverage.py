"""A download larger than the tile source's area, from a real case server's tiles route.

The server publishes the shipped Helsinki basemap (a few streets at zoom 12-17); the
plan round the crew's work reaches beyond it. Tiles the source does not have (404) are
"not available", not failures: the download finishes and says how many came and how
many the source does not have, and tiles under a missing one are not asked for.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import requests
from serverproc import CaseServer

from maps.mbtiles import MBTiles
from maps.prefetch import Prefetcher, PrefetchProgress, plan, user_agent
from maps.tiles import Tile, flip_y

BASEMAP = Path(__file__).resolve().parents[1] / "resources" / "basemap" / "helsinki.mbtiles"
CENTRAL_HELSINKI = [(60.1716, 24.9443)]  # (lat, lon), inside the basemap
UA = user_agent("https://works.example.org/fieldapp-contact")


def shipped_tiles() -> set[Tile]:
    db = sqlite3.connect(BASEMAP.as_uri() + "?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT zoom_level, tile_column, tile_row FROM tiles").fetchall()
    finally:
        db.close()
    return {Tile(z, x, flip_y(z, row)) for z, x, row in rows}


def test_a_download_beyond_the_source_finishes_and_counts_what_is_not_there(
    server: CaseServer, tmp_path: Path
) -> None:
    the_plan = plan(CENTRAL_HELSINKI, 3000, range(12, 18))
    available = shipped_tiles() & set(the_plan.tiles)
    assert 0 < len(available) < the_plan.count / 4, (len(available), the_plan.count)
    answers: Counter[int] = Counter()
    session = requests.Session()
    session.hooks["response"].append(lambda response, *_a, **_k: answers.update([response.status_code]))
    progress: list[PrefetchProgress] = []
    with MBTiles(tmp_path / "cache.mbtiles") as cache:
        job = Prefetcher(
            cache,
            f"{server.url}/tiles/helsinki/{{z}}/{{x}}/{{y}}.png",
            UA,
            100_000_000,
            rate_per_second=500.0,
            session=session,
            on_progress=progress.append,
        )
        result = job.run(the_plan)
        assert set(cache.tiles()) == available
    assert result.status == "finished", result.message
    assert result.failed == ()
    assert result.fetched == len(available)
    assert result.unavailable == the_plan.count - len(available)
    assert (
        result.message
        == f"{len(available)} tiles downloaded, {result.unavailable} not available from the source"
    )
    assert progress[-1].done == the_plan.count and progress[-1].unavailable == result.unavailable
    # Below a tile the source lacks, at a zoom it serves, nothing is asked for.
    assert answers[200] == len(available)
    assert 0 < answers[404] < result.unavailable / 2, answers


def test_a_source_that_starts_at_a_deeper_zoom_is_still_asked_for_it(
    server: CaseServer, tmp_path: Path
) -> None:
    """Missing overview tiles say nothing about deeper ones until the source served that zoom."""
    the_plan = plan(CENTRAL_HELSINKI, 200, range(10, 13))  # the basemap starts at zoom 12
    with MBTiles(tmp_path / "cache.mbtiles") as cache:
        job = Prefetcher(cache, f"{server.url}/tiles/helsinki/{{z}}/{{x}}/{{y}}.png", UA, 10**8, 500.0)
        result = job.run(the_plan)
        got: list[Any] = list(cache.tiles())
    assert result.status == "finished" and result.fetched == 1 and len(got) == 1 and got[0].z == 12
    assert result.unavailable == the_plan.count - 1
