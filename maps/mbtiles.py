"""An MBTiles 1.3 file used as the device's tile cache.

The file follows the spec (``metadata(name, value)`` and ``tiles(zoom_level,
tile_column, tile_row, tile_data)`` with TMS rows, unique index on (z, x, row)),
so QGIS, mb-util or any MBTiles server reads it as is. The API takes XYZ
coordinates, like tile URLs; the row flip happens only here.

Cache bookkeeping lives in one extra table, ``tile_state``, which readers that
follow the spec ignore: when a tile was last shown, when it was fetched, when it
expires, its ETag / Last-Modified, and its size (so LRU eviction needs no blob
reads). Tiles written by another tool have no state row: they are never evicted
nor refreshed.

Threads: one ``MBTiles`` object per thread (SQLite connections are not shared;
using one from another thread raises). The file is in WAL mode, so a prefetch
thread can write while the map thread reads. ``close()`` checkpoints the WAL, so
the closed file is one self-contained ``.mbtiles``.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from maps.errors import NotMBTiles, ReadOnlyTiles
from maps.tiles import BBox, Tile, flip_y

#: SQLite's officially assigned magic number for MBTiles ("MPBX").
APPLICATION_ID = 0x4D504258
#: Touches are written in batches of this many, or after TOUCH_INTERVAL seconds.
TOUCH_BATCH = 256
TOUCH_INTERVAL = 10.0

_KEY = "zoom_level = ? AND tile_column = ? AND tile_row = ?"


def _m001_tile_state(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE IF NOT EXISTS tile_state (
            zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL,
            last_used REAL NOT NULL, fetched_at REAL, expires_at REAL, etag TEXT,
            last_modified TEXT, size INTEGER NOT NULL,
            PRIMARY KEY (zoom_level, tile_column, tile_row))"""
    )
    conn.execute("CREATE INDEX IF NOT EXISTS tile_state_lru ON tile_state (last_used)")
    conn.execute("CREATE INDEX IF NOT EXISTS tile_state_expiry ON tile_state (expires_at)")


#: Numbered migrations of the bookkeeping table; the applied count is PRAGMA user_version.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_m001_tile_state,)


@dataclass(frozen=True)
class TileState:
    """The cache bookkeeping of one tile (times are Unix seconds)."""

    tile: Tile
    size: int
    last_used: float
    fetched_at: float | None
    expires_at: float | None
    etag: str | None
    last_modified: str | None

    def is_fresh(self, now: float) -> bool:
        """True while the tile may be used without asking the server again."""
        return self.expires_at is not None and self.expires_at > now


class MBTiles:
    """One MBTiles file: tiles in XYZ coordinates, metadata, cache bookkeeping."""

    def __init__(self, path: str | Path, *, readonly: bool = False, format: str = "png") -> None:
        """Open ``path``, creating an empty tileset (``format`` png, jpg, webp, pbf or mvt) if missing."""
        self.path = Path(path)
        self.readonly = readonly
        self.owner_thread = threading.get_ident()
        self._touched: dict[tuple[int, int, int], float] = {}
        self._last_flush = time.monotonic()
        if readonly:
            if not self.path.exists():
                raise NotMBTiles(f"no tile package at {self.path}")
            uri = self.path.resolve().as_uri() + "?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            self._conn.execute("PRAGMA busy_timeout=10000")
            self._open(format)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise NotMBTiles(f"{self.path.name} is not a readable tile package ({exc})") from exc
        except BaseException:
            self._conn.close()
            raise

    def _open(self, format: str) -> None:
        kinds = dict(self._conn.execute("SELECT name, type FROM sqlite_master"))
        fresh = not kinds
        if (fresh and self.readonly) or (not fresh and ("tiles" not in kinds or "metadata" not in kinds)):
            raise NotMBTiles(f"{self.path.name} is not a tile package (no tiles or metadata table)")
        self._tiles_writable = kinds.get("tiles", "table") == "table"
        self._has_state = "tile_state" in kinds
        if self.readonly:
            return
        if fresh:
            # Must come before the first table: lets evictions give disk space back.
            self._conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
            self._conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        with self._transaction() as conn:
            if fresh:
                conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
                conn.execute("CREATE UNIQUE INDEX name ON metadata (name)")
                conn.execute(
                    "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER,"
                    " tile_row INTEGER, tile_data BLOB)"
                )
                conn.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
            applied = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, migration in enumerate(MIGRATIONS, start=1):
                if number > applied:
                    migration(conn)
                    conn.execute(f"PRAGMA user_version={number}")
            # The two keys the spec requires.
            have = {row[0] for row in conn.execute("SELECT name FROM metadata")}
            if "name" not in have:
                conn.execute("INSERT INTO metadata (name, value) VALUES ('name', ?)", (self.path.stem,))
            if "format" not in have:
                conn.execute("INSERT INTO metadata (name, value) VALUES ('format', ?)", (format,))
        self._has_state = True

    # -- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        """Write pending touches and close (the last connection checkpoints the WAL)."""
        try:
            self.flush()
        finally:
            self._conn.close()

    def __enter__(self) -> MBTiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _require_writable(self) -> None:
        if self.readonly:
            raise ReadOnlyTiles(f"{self.path.name} is open read-only")
        if not self._tiles_writable:
            raise ReadOnlyTiles(f"the tiles of {self.path.name} are a view and cannot be changed")

    @staticmethod
    def _key(z: int, x: int, y: int) -> tuple[int, int, int]:
        if not 0 <= x < (1 << z) or not 0 <= y < (1 << z):
            raise ValueError(f"no tile {z}/{x}/{y}")
        return z, x, flip_y(z, y)

    # -- metadata ----------------------------------------------------------------------
    def metadata(self) -> dict[str, str]:
        """Every metadata row, as stored (all values are text)."""
        return {name: value for name, value in self._conn.execute("SELECT name, value FROM metadata")}

    def set_metadata(self, values: Mapping[str, object] | None = None, **more: object) -> None:
        """Set metadata rows in one transaction; sequences become "a,b,c" (bounds, center), None deletes."""
        self._require_writable()
        items = {**(values or {}), **more}
        with self._transaction() as conn:
            for name, value in items.items():
                conn.execute("DELETE FROM metadata WHERE name = ?", (name,))
                if value is None:
                    continue
                text = ",".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
                conn.execute("INSERT INTO metadata (name, value) VALUES (?, ?)", (name, text))

    def extend_extent(self, bbox: BBox, minzoom: int, maxzoom: int) -> None:
        """Grow ``bounds``, ``minzoom``, ``maxzoom`` (and set ``center`` if missing) to hold a new area."""
        meta = self.metadata()
        if "bounds" in meta:
            try:
                old = BBox(*(float(v) for v in meta["bounds"].split(",")))
                bbox = bbox.union(old)
            except (TypeError, ValueError):
                pass  # a malformed bounds row is replaced
        if meta.get("minzoom", "").isdigit():
            minzoom = min(minzoom, int(meta["minzoom"]))
        if meta.get("maxzoom", "").isdigit():
            maxzoom = max(maxzoom, int(meta["maxzoom"]))
        values: dict[str, object] = {"bounds": bbox.as_metadata(), "minzoom": minzoom, "maxzoom": maxzoom}
        if "center" not in meta:
            lon = (bbox.west + bbox.east) / 2
            lat = (bbox.south + bbox.north) / 2
            values["center"] = f"{lon:.6f},{lat:.6f},{max(minzoom, min(maxzoom, 15))}"
        self.set_metadata(values)

    # -- tiles -------------------------------------------------------------------------
    def get_tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's bytes, or None. Does not record use: call ``touch`` when a tile is shown."""
        row = self._conn.execute(f"SELECT tile_data FROM tiles WHERE {_KEY}", self._key(z, x, y)).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def has_tile(self, z: int, x: int, y: int) -> bool:
        return (
            self._conn.execute(f"SELECT 1 FROM tiles WHERE {_KEY}", self._key(z, x, y)).fetchone() is not None
        )

    def tile_count(self, zoom: int | None = None) -> int:
        if zoom is None:
            return int(self._conn.execute("SELECT COUNT(*) FROM tiles").fetchone()[0])
        sql = "SELECT COUNT(*) FROM tiles WHERE zoom_level = ?"
        return int(self._conn.execute(sql, (zoom,)).fetchone()[0])

    def total_bytes(self) -> int:
        """Bytes of tile data in the file (what the size budget counts)."""
        return int(self._conn.execute("SELECT COALESCE(SUM(LENGTH(tile_data)), 0) FROM tiles").fetchone()[0])

    def tiles(self, zoom: int | None = None) -> Iterator[Tile]:
        """Every stored tile, in XYZ numbering."""
        sql = "SELECT zoom_level, tile_column, tile_row FROM tiles"
        rows = (
            self._conn.execute(sql)
            if zoom is None
            else self._conn.execute(sql + " WHERE zoom_level = ?", (zoom,))
        )
        for z, x, row in rows.fetchall():
            yield Tile(z, x, flip_y(z, row))

    def put_tile(
        self,
        z: int,
        x: int,
        y: int,
        data: bytes,
        *,
        fetched_at: float | None = None,
        expires_at: float | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> int:
        """Store one tile (replacing any) in its own transaction; returns the change in stored bytes."""
        self._require_writable()
        with self._transaction():
            return self._put(z, x, y, data, fetched_at, expires_at, etag, last_modified)

    def put_tiles(
        self, tiles: Iterable[tuple[int, int, int, bytes]], *, expires_at: float | None = None
    ) -> int:
        """Store many (z, x, y, data) tiles in one transaction; returns how many."""
        self._require_writable()
        count = 0
        with self._transaction():
            for z, x, y, data in tiles:
                self._put(z, x, y, data, None, expires_at, None, None)
                count += 1
        return count

    def _put(
        self,
        z: int,
        x: int,
        y: int,
        data: bytes,
        fetched_at: float | None,
        expires_at: float | None,
        etag: str | None,
        last_modified: str | None,
    ) -> int:
        key = self._key(z, x, y)
        now = time.time() if fetched_at is None else fetched_at
        old = self._conn.execute(f"SELECT LENGTH(tile_data) FROM tiles WHERE {_KEY}", key).fetchone()
        # Delete + insert rather than OR REPLACE: a foreign file may lack the unique index.
        self._conn.execute(f"DELETE FROM tiles WHERE {_KEY}", key)
        self._conn.execute(
            "INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)",
            (*key, sqlite3.Binary(data)),
        )
        self._conn.execute(
            "INSERT OR REPLACE INTO tile_state (zoom_level, tile_column, tile_row, last_used, fetched_at,"
            " expires_at, etag, last_modified, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*key, now, now, expires_at, etag, last_modified, len(data)),
        )
        self._touched.pop(key, None)
        return len(data) - ((old[0] or 0) if old else 0)

    def delete_tile(self, z: int, x: int, y: int) -> bool:
        """Remove one tile; True if it was there."""
        self._require_writable()
        key = self._key(z, x, y)
        with self._transaction() as conn:
            gone = conn.execute(f"DELETE FROM tiles WHERE {_KEY}", key).rowcount
            conn.execute(f"DELETE FROM tile_state WHERE {_KEY}", key)
        return gone > 0

    # -- cache bookkeeping -------------------------------------------------------------
    def state(self, z: int, x: int, y: int) -> TileState | None:
        """The tile's bookkeeping, or None (not stored, or written by another tool)."""
        if not self._has_state:
            return None
        row = self._conn.execute(
            "SELECT size, last_used, fetched_at, expires_at, etag, last_modified"
            f" FROM tile_state WHERE {_KEY}",
            self._key(z, x, y),
        ).fetchone()
        return None if row is None else TileState(Tile(z, x, y), *row)

    def touch(self, z: int, x: int, y: int, when: float | None = None) -> None:
        """Record that a tile was shown (for LRU). Cheap: kept in memory, written in batches."""
        if self.readonly or not self._has_state:
            return
        self._touched[self._key(z, x, y)] = time.time() if when is None else when
        if len(self._touched) >= TOUCH_BATCH or time.monotonic() - self._last_flush >= TOUCH_INTERVAL:
            self.flush()

    def flush(self) -> None:
        """Write pending touches in one transaction."""
        self._last_flush = time.monotonic()
        if not self._touched:
            return
        pending, self._touched = self._touched, {}
        with self._transaction() as conn:
            conn.executemany(
                f"UPDATE tile_state SET last_used = MAX(last_used, ?) WHERE {_KEY}",
                [(when, *key) for key, when in pending.items()],
            )

    def mark_fresh(
        self,
        z: int,
        x: int,
        y: int,
        *,
        expires_at: float | None,
        fetched_at: float | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """The server confirmed the tile (HTTP 304): new expiry and validators, same bytes."""
        self._require_writable()
        now = time.time() if fetched_at is None else fetched_at
        with self._transaction() as conn:
            conn.execute(
                "UPDATE tile_state SET fetched_at = ?, expires_at = ?, last_used = MAX(last_used, ?),"
                " etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified)"
                f" WHERE {_KEY}",
                (now, expires_at, now, etag, last_modified, *self._key(z, x, y)),
            )

    def stale_tiles(self, now: float | None = None, limit: int | None = None) -> list[Tile]:
        """Tiles whose expiry has passed, most recently used first (refresh those first)."""
        if not self._has_state:
            return []
        now = time.time() if now is None else now
        sql = (
            "SELECT zoom_level, tile_column, tile_row FROM tile_state"
            " WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY last_used DESC, zoom_level"
        )
        args: tuple[float, ...] | tuple[float, int] = (now,)
        if limit is not None:
            sql += " LIMIT ?"
            args = (now, limit)
        return [Tile(z, x, flip_y(z, row)) for z, x, row in self._conn.execute(sql, args)]

    def evict_to(self, budget_bytes: int, *, used_before: float | None = None) -> int:
        """Delete least-recently-used tiles until the tile data fits ``budget_bytes``; returns bytes freed.

        Only tiles with bookkeeping are evicted, and with ``used_before`` only those last
        used before that time (a running prefetch protects what it has just stored).
        Among tiles used at the same time, the most detailed zoom goes first. The space
        is given back to the file system (incremental vacuum).
        """
        self._require_writable()
        self.flush()
        total = self.total_bytes()
        if total <= budget_bytes:
            return 0
        sql = "SELECT zoom_level, tile_column, tile_row, size FROM tile_state"
        args: tuple[float, ...] = ()
        if used_before is not None:
            sql += " WHERE last_used < ?"
            args = (used_before,)
        victims: list[tuple[int, int, int]] = []
        freed = 0
        for z, x, row, size in self._conn.execute(sql + " ORDER BY last_used, zoom_level DESC", args):
            victims.append((z, x, row))
            freed += size
            if total - freed <= budget_bytes:
                break
        if not victims:
            return 0
        with self._transaction() as conn:
            conn.executemany(f"DELETE FROM tiles WHERE {_KEY}", victims)
            conn.executemany(f"DELETE FROM tile_state WHERE {_KEY}", victims)
        # executescript steps the pragma to the end (execute() would free one page only).
        self._conn.executescript("PRAGMA incremental_vacuum;")
        return freed
