"""The MBTiles cache: files other tools read (plain SQLite per the 1.3 spec, Pillow,
mb-util), files other tools wrote, size budget and LRU eviction, bookkeeping."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from PIL import Image

from maps.errors import NotMBTiles, ReadOnlyTiles
from maps.mbtiles import APPLICATION_ID, TOUCH_BATCH, MBTiles
from maps.tiles import Tile, flip_y


def colour(z: int, x: int, y: int) -> tuple[int, int, int]:
    return (z * 20 % 256, x % 256, y % 256)


def png(z: int, x: int, y: int, size: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour(z, x, y)).save(out, format="PNG")
    return out.getvalue()


# The spec's own example: the tile called 11/327/791 in URLs is stored at tile_row 1256.
SPEC_TILE = Tile(11, 327, 791)
SAMPLE = [Tile(0, 0, 0), Tile(1, 0, 0), Tile(1, 1, 0), Tile(1, 0, 1), Tile(3, 5, 2), SPEC_TILE]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    path = tmp_path / "cache.mbtiles"
    with MBTiles(path) as cache:
        cache.put_tiles((t.z, t.x, t.y, png(*t)) for t in SAMPLE)
        cache.set_metadata(
            name="Demo city",
            bounds=(-122.5, 37.7, -122.3, 37.8),
            center=(-122.4, 37.75, 11),
            minzoom=0,
            maxzoom=11,
            attribution="© OpenStreetMap contributors",
            type="baselayer",
            version=1,
            description="tile cache",
        )
    return path


def test_an_independent_sqlite_reader_finds_what_the_spec_promises(written: Path) -> None:
    conn = sqlite3.connect(written)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"metadata", "tiles"} <= tables
    columns = [r[1] for r in conn.execute("PRAGMA table_info(tiles)")]
    assert columns[:4] == ["zoom_level", "tile_column", "tile_row", "tile_data"]
    assert [r[1] for r in conn.execute("PRAGMA table_info(metadata)")] == ["name", "value"]
    unique = [
        [c[2] for c in conn.execute(f"PRAGMA index_info('{name}')")]
        for _, name, is_unique, *_ in conn.execute("PRAGMA index_list(tiles)")
        if is_unique
    ]
    assert ["zoom_level", "tile_column", "tile_row"] in unique
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID

    meta = dict(conn.execute("SELECT name, value FROM metadata"))
    assert meta["name"] == "Demo city" and meta["format"] == "png"
    left, bottom, right, top = (float(v) for v in meta["bounds"].split(","))
    assert (left, bottom, right, top) == (-122.5, 37.7, -122.3, 37.8)
    assert meta["center"] == "-122.4,37.75,11"
    assert (meta["minzoom"], meta["maxzoom"], meta["type"], meta["version"]) == ("0", "11", "baselayer", "1")

    # TMS rows: 11/327/791 in XYZ is row 2^11 - 1 - 791 = 1256, and nothing sits at row 791.
    row = conn.execute(
        "SELECT tile_data FROM tiles WHERE zoom_level = 11 AND tile_column = 327 AND tile_row = 1256"
    ).fetchone()
    assert row is not None and bytes(row[0]) == png(*SPEC_TILE)
    assert (
        conn.execute(
            "SELECT 1 FROM tiles WHERE zoom_level = 11 AND tile_column = 327 AND tile_row = 791"
        ).fetchone()
        is None
    )
    # z1: the northern XYZ row 0 is TMS row 1.
    top_left = conn.execute(
        "SELECT tile_data FROM tiles WHERE zoom_level = 1 AND tile_column = 0 AND tile_row = 1"
    )
    assert bytes(top_left.fetchone()[0]) == png(1, 0, 0)

    for z, x, tile_row, data in conn.execute("SELECT * FROM tiles"):
        image = Image.open(io.BytesIO(data))
        image.load()
        assert image.format == "PNG" and image.size == (64, 64)
        assert image.getpixel((10, 10)) == colour(z, x, flip_y(z, tile_row))
    assert conn.execute("SELECT COUNT(*) FROM tiles").fetchone()[0] == len(SAMPLE)
    conn.close()


def test_a_closed_cache_is_one_self_contained_file(written: Path, tmp_path: Path) -> None:
    assert not Path(f"{written}-wal").exists()
    alone = tmp_path / "copied" / "alone.mbtiles"
    alone.parent.mkdir()
    shutil.copyfile(written, alone)
    with MBTiles(alone, readonly=True) as copy:
        assert copy.get_tile(*SPEC_TILE) == png(*SPEC_TILE)
        assert copy.tile_count() == len(SAMPLE)


def test_mb_util_exports_every_tile_at_its_xyz_path(written: Path, tmp_path: Path) -> None:
    mbutil = pytest.importorskip("mbutil.util")
    out = tmp_path / "exported"
    mbutil.mbtiles_to_disk(str(written), str(out), scheme="xyz", silent=True)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert files == sorted(f"{t.z}/{t.x}/{t.y}.png" for t in SAMPLE)
    for t in SAMPLE:
        assert (out / str(t.z) / str(t.x) / f"{t.y}.png").read_bytes() == png(*t)
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["name"] == "Demo city" and meta["format"] == "png"


def test_reads_tiles_that_mb_util_wrote_including_a_deduplicated_view(tmp_path: Path) -> None:
    mbutil = pytest.importorskip("mbutil.util")
    src = tmp_path / "dir"
    for t in SAMPLE:
        (src / str(t.z) / str(t.x)).mkdir(parents=True, exist_ok=True)
        (src / str(t.z) / str(t.x) / f"{t.y}.png").write_bytes(png(*t))
    (src / "metadata.json").write_text(json.dumps({"name": "from mb-util", "format": "png"}))
    plain, packed = tmp_path / "plain.mbtiles", tmp_path / "packed.mbtiles"
    mbutil.disk_to_mbtiles(str(src), str(plain), scheme="xyz", format="png", silent=True)
    mbutil.disk_to_mbtiles(str(src), str(packed), scheme="xyz", format="png", silent=True, compression=True)

    for path in (plain, packed):
        with MBTiles(path, readonly=True) as ro:
            assert ro.metadata()["name"] == "from mb-util"
            assert sorted(ro.tiles()) == sorted(SAMPLE)
            assert all(ro.get_tile(*t) == png(*t) for t in SAMPLE)
            assert ro.state(*SPEC_TILE) is None and ro.stale_tiles(now=1e12) == []

    # Opened for writing, foreign tiles stay as they are: never evicted, never "stale".
    with MBTiles(plain) as cache:
        cache.put_tile(5, 1, 1, b"x" * 1000)
        assert cache.evict_to(0) == 1000
        assert sorted(cache.tiles()) == sorted(SAMPLE)
    # mb-util's deduplicated layout keeps tiles in a view: readable, not writable.
    with MBTiles(packed) as cache:
        assert cache.get_tile(*SPEC_TILE) == png(*SPEC_TILE)
        with pytest.raises(ReadOnlyTiles):
            cache.put_tile(5, 1, 1, b"x")


def test_put_tiles_is_one_transaction(tmp_path: Path) -> None:
    def tiles():  # type: ignore[no-untyped-def]
        yield 0, 0, 0, b"a"
        yield 1, 0, 0, b"b"
        raise RuntimeError("source broke")

    with MBTiles(tmp_path / "t.mbtiles") as cache:
        with pytest.raises(RuntimeError):
            cache.put_tiles(tiles())
        assert cache.tile_count() == 0
        assert cache.put_tiles([(0, 0, 0, b"a"), (1, 0, 0, b"b")]) == 2
        assert cache.tile_count() == 2 and cache.tile_count(zoom=1) == 1


def test_put_get_replace_and_totals(tmp_path: Path) -> None:
    with MBTiles(tmp_path / "t.mbtiles") as cache:
        assert cache.get_tile(3, 1, 2) is None and not cache.has_tile(3, 1, 2)
        assert cache.put_tile(3, 1, 2, b"12345") == 5
        assert cache.put_tile(3, 1, 2, b"12") == -3  # replaced, not duplicated
        assert cache.get_tile(3, 1, 2) == b"12" and cache.has_tile(3, 1, 2)
        assert cache.tile_count() == 1 and cache.total_bytes() == 2
        assert cache.delete_tile(3, 1, 2) and not cache.delete_tile(3, 1, 2)
        with pytest.raises(ValueError):
            cache.put_tile(1, 2, 0, b"outside the world")


def test_rejects_files_that_are_not_tile_packages(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE tickets (id TEXT)")
    conn.close()
    with pytest.raises(NotMBTiles):
        MBTiles(other)
    text = tmp_path / "notes.mbtiles"
    text.write_text("not a database at all, really not" * 100)
    with pytest.raises(NotMBTiles):
        MBTiles(text)
    with pytest.raises(NotMBTiles):
        MBTiles(tmp_path / "missing.mbtiles", readonly=True)


def test_read_only_refuses_writes(written: Path) -> None:
    with MBTiles(written, readonly=True) as ro:
        ro.touch(*SPEC_TILE)  # silently nothing
        with pytest.raises(ReadOnlyTiles):
            ro.put_tile(0, 0, 0, b"x")
        with pytest.raises(ReadOnlyTiles):
            ro.set_metadata(name="x")


def _filled(path: Path, sizes: dict[Tile, int]) -> MBTiles:
    cache = MBTiles(path)
    for i, (t, size) in enumerate(sizes.items()):
        cache.put_tile(*t, os.urandom(size), fetched_at=1000.0 + i)
    return cache


def test_evict_to_budget_removes_least_recently_used_first(tmp_path: Path) -> None:
    tiles = [Tile(10, x, 7) for x in range(10)]
    cache = _filled(tmp_path / "t.mbtiles", dict.fromkeys(tiles, 1000))
    # Shown recently: the two oldest downloads must survive.
    cache.touch(*tiles[0], when=5000.0)
    cache.touch(*tiles[1], when=5001.0)
    assert cache.total_bytes() == 10_000
    assert cache.evict_to(10_000) == 0
    assert cache.evict_to(4_500) == 6_000
    assert cache.total_bytes() == 4_000
    assert set(cache.tiles()) == {tiles[0], tiles[1], tiles[8], tiles[9]}
    cache.close()


def test_eviction_prefers_detailed_zooms_and_spares_recent_work(tmp_path: Path) -> None:
    sizes = {Tile(12, 1, 1): 1000, Tile(16, 1, 1): 1000, Tile(14, 1, 1): 1000}
    cache = MBTiles(tmp_path / "t.mbtiles")
    for t, size in sizes.items():
        cache.put_tile(*t, os.urandom(size), fetched_at=100.0)  # same age
    cache.put_tile(17, 3, 3, os.urandom(1000), fetched_at=200.0)
    assert cache.evict_to(3000) == 1000
    assert not cache.has_tile(16, 1, 1)
    # Nothing used before t=150 is left to evict but z12, z14; tiles used since are protected.
    assert cache.evict_to(0, used_before=150.0) == 2000
    assert list(cache.tiles()) == [Tile(17, 3, 3)]
    cache.close()


def test_eviction_gives_disk_space_back(tmp_path: Path) -> None:
    path = tmp_path / "t.mbtiles"
    cache = _filled(path, {Tile(12, x, 0): 20_000 for x in range(50)})
    cache.close()
    before = path.stat().st_size
    cache = MBTiles(path)
    cache.evict_to(100_000)
    cache.close()
    assert path.stat().st_size < before / 2


def test_touch_is_batched_and_flushed(tmp_path: Path) -> None:
    path = tmp_path / "t.mbtiles"
    cache = _filled(path, {Tile(9, x, 0): 10 for x in range(TOUCH_BATCH + 1)})
    spy = sqlite3.connect(path)

    def last_used(x: int) -> float:
        return spy.execute("SELECT last_used FROM tile_state WHERE tile_column = ?", (x,)).fetchone()[0]

    cache.touch(9, 0, 0, when=9999.0)
    assert last_used(0) == 1000.0  # still in memory
    cache.flush()
    assert last_used(0) == 9999.0
    cache.touch(9, 0, 0, when=10.0)  # an older time never moves last_used back
    for x in range(1, TOUCH_BATCH):
        cache.touch(9, x, 0, when=7777.0)
    assert last_used(1) == 7777.0  # a full batch was written without asking
    assert last_used(0) == 9999.0
    cache.close()
    spy.close()


def test_stale_tiles_and_revalidation(tmp_path: Path) -> None:
    with MBTiles(tmp_path / "t.mbtiles") as cache:
        cache.put_tile(4, 1, 1, b"a", fetched_at=0.0, expires_at=100.0, etag='"a"')
        cache.put_tile(4, 2, 1, b"b", fetched_at=0.0, expires_at=300.0, etag='"b"', last_modified="Mon")
        cache.put_tile(4, 3, 1, b"c", fetched_at=0.0)  # no expiry known: never counted stale
        assert cache.stale_tiles(now=50.0) == []
        assert cache.stale_tiles(now=200.0) == [Tile(4, 1, 1)]
        assert set(cache.stale_tiles(now=400.0)) == {Tile(4, 1, 1), Tile(4, 2, 1)}
        cache.mark_fresh(4, 2, 1, expires_at=1000.0, fetched_at=400.0)
        state = cache.state(4, 2, 1)
        assert state is not None and state.etag == '"b"' and state.last_modified == "Mon"
        assert state.is_fresh(999.0) and not state.is_fresh(1000.0)
        assert cache.get_tile(4, 2, 1) == b"b"
        assert cache.stale_tiles(now=400.0) == [Tile(4, 1, 1)]


def test_one_connection_per_thread_and_readers_beside_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "t.mbtiles"
    cache = MBTiles(path)
    cache.put_tile(0, 0, 0, b"first")
    errors: list[BaseException] = []
    seen: list[bytes | None] = []

    def other_thread() -> None:
        try:
            cache.get_tile(0, 0, 0)
        except sqlite3.ProgrammingError as exc:
            errors.append(exc)
        with MBTiles(path, readonly=True) as reader:
            seen.append(reader.get_tile(0, 0, 0))

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert len(errors) == 1 and seen == [b"first"]
    cache.close()


def test_extend_extent_grows_the_metadata(tmp_path: Path) -> None:
    from maps.tiles import BBox

    with MBTiles(tmp_path / "t.mbtiles") as cache:
        cache.extend_extent(BBox(10.0, 50.0, 10.1, 50.1), 12, 15)
        cache.extend_extent(BBox(9.9, 50.05, 10.05, 50.2), 14, 17)
        meta = cache.metadata()
    assert [float(v) for v in meta["bounds"].split(",")] == [9.9, 50.0, 10.1, 50.2]
    assert (meta["minzoom"], meta["maxzoom"]) == ("12", "17")
    assert meta["center"] == "10.050000,50.050000,15"
