"""Map tiles for the field app: raster tiles served from the MBTiles files in one folder.

    GET /tiles/{name}/{z}/{x}/{y}.png     one tile (XYZ numbering; MBTiles stores TMS rows)
    GET /tiles/{name}/metadata.json       TileJSON: bounds, zooms, attribution, tile URL template
                                          (under CASESERVER_PUBLIC_URL)

`{name}` is the file `{name}.mbtiles` in the tiles folder: `CASESERVER_TILES_DIR`, by
default the repository's `resources/basemap` (the demo city's basemap). Names are
limited to `[a-z0-9_-]`, so a request can never reach a file outside that folder, and
each file is opened read-only (SQLite `mode=ro`).

Tiles need no sign-in: a city's basemap is public data (rendered from OpenStreetMap),
and a device fetches it before and regardless of any ticket. Whatever is put in the
tiles folder is therefore public: keep private layers elsewhere.

Tiles carry a strong ETag (a hash of the bytes) and `Cache-Control: public,
max-age=86400`; a request whose `If-None-Match` matches gets 304 and no body.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response

from caseserver.errordocs import error_responses

log = logging.getLogger("caseserver.tiles")

TILES_DIR_ENV = "CASESERVER_TILES_DIR"
DEFAULT_TILES_DIR = Path(__file__).resolve().parents[1] / "resources" / "basemap"
NAME_PATTERN = re.compile(r"[a-z0-9_-]{1,64}")
MAX_ZOOM = 24
TILE_CACHE_CONTROL = "public, max-age=86400"
METADATA_CACHE_CONTROL = "public, max-age=300"
_INT = re.compile(r"-?[0-9]{1,12}")
_BINARY = {"type": "string", "format": "binary"}
#: The largest column or row number at MAX_ZOOM.
_MAX_INDEX = (1 << MAX_ZOOM) - 1
# The path parameters are read as text and checked by the routes (a clear 422 each); the
# OpenAPI description states what is accepted.
TilesetName = Annotated[str, PathParam(json_schema_extra={"pattern": f"^{NAME_PATTERN.pattern}$"})]
ZoomLevel = Annotated[
    str, PathParam(json_schema_extra={"type": "integer", "minimum": 0, "maximum": MAX_ZOOM})
]
TileIndex = Annotated[
    str,
    PathParam(
        description="Column (x) or row (y), 0 to 2^z - 1 (past the grid: 404)",
        json_schema_extra={"type": "integer", "minimum": 0, "maximum": _MAX_INDEX},
    ),
]


def tiles_dir() -> Path:
    """The folder of the served `.mbtiles` files (read from the environment)."""
    return Path(os.environ.get(TILES_DIR_ENV) or DEFAULT_TILES_DIR)


def _tileset_path(folder: Path, name: str) -> Path:
    if not NAME_PATTERN.fullmatch(name):
        raise HTTPException(422, f"invalid tileset name {name[:80]!r}: use only a-z, 0-9, '_' and '-'")
    path = folder / f"{name}.mbtiles"
    if not path.is_file():
        raise HTTPException(404, f"no tileset named {name!r}")
    return path


def _coordinate(label: str, text: str, limit: int) -> int:
    """A whole number in 0..`limit`, or 422 saying what is wrong with it."""
    if not _INT.fullmatch(text):
        raise HTTPException(422, f"{label} must be a whole number, not {text[:40]!r}")
    value = int(text)
    if not 0 <= value <= limit:
        raise HTTPException(422, f"{label} = {value} is out of range 0..{limit}")
    return value


def _in_grid(name: str, zoom: int, col: int, row: int) -> None:
    """A column or row past the zoom level's grid names no tile: 404, as a tile the file lacks."""
    last = (1 << zoom) - 1
    if col > last or row > last:
        raise HTTPException(
            404, f"tileset {name!r} has no tile {zoom}/{col}/{row} (0..{last} at zoom {zoom})"
        )


@contextmanager
def _open(path: Path, name: str) -> Iterator[sqlite3.Connection]:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        log.error("tileset %s cannot be opened: %s", path, exc)
        raise HTTPException(500, f"tileset {name!r} cannot be read") from exc
    try:
        with closing(conn):
            yield conn
    except sqlite3.Error as exc:
        log.error("tileset %s cannot be read: %s", path, exc)
        raise HTTPException(500, f"tileset {name!r} cannot be read") from exc


def _metadata(conn: sqlite3.Connection) -> dict[str, str]:
    return {str(k): str(v) for k, v in conn.execute("SELECT name, value FROM metadata") if k is not None}


def _etag(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return any(t == "*" or t.removeprefix("W/") == etag for t in tags)


def _floats(text: str | None, count: int) -> list[float] | None:
    if not text:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        return None
    return values if len(values) == count else None


def tiles_router(public_url: str, folder: Path | None = None) -> APIRouter:
    """The `/tiles` routes, serving the `.mbtiles` files of `folder` (default: `tiles_dir()`).

    TileJSON names its tiles under `public_url` (CASESERVER_PUBLIC_URL), never under the
    request's `Host` header: the answer may be cached and shared, so it must not carry
    an address a client made up.
    """
    base = folder or tiles_dir()
    router = APIRouter(prefix="/tiles", tags=["tiles"])
    answers = error_responses(404, 422)

    def tile(name: TilesetName, z: ZoomLevel, x: TileIndex, y: TileIndex, request: Request) -> Response:
        zoom = _coordinate("z", z, MAX_ZOOM)
        col = _coordinate("x", x, _MAX_INDEX)
        row = _coordinate("y", y, _MAX_INDEX)
        path = _tileset_path(base, name)
        _in_grid(name, zoom, col, row)
        with _open(path, name) as conn:
            fmt = conn.execute("SELECT value FROM metadata WHERE name = 'format'").fetchone()
            if fmt is not None and str(fmt[0]).lower() != "png":
                raise HTTPException(404, f"tileset {name!r} has {fmt[0]} tiles, not png")
            found = conn.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (zoom, col, (1 << zoom) - 1 - row),
            ).fetchone()
        if found is None or found[0] is None:
            raise HTTPException(404, f"tileset {name!r} has no tile {zoom}/{col}/{row}")
        data = bytes(found[0])
        etag = _etag(data)
        headers = {"ETag": etag, "Cache-Control": TILE_CACHE_CONTROL}
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return Response(content=data, media_type="image/png", headers=headers)

    tile_answers: dict[int | str, dict[str, Any]] = {
        200: {"description": "The tile", "content": {"image/png": {"schema": _BINARY}}},
        304: {"description": "The tile has not changed (If-None-Match)"},
        **answers,
    }
    for method in ("GET", "HEAD"):  # one route each, so each has its own operation id
        router.add_api_route(
            "/{name}/{z}/{x}/{y}.png",
            tile,
            methods=[method],
            response_class=Response,
            responses=tile_answers,
            name=f"tile_{method.lower()}",
            summary="One map tile (XYZ numbering)",
        )

    @router.get("/{name}/metadata.json", responses=answers, summary="TileJSON of a tileset")
    def metadata(name: TilesetName) -> JSONResponse:
        path = _tileset_path(base, name)
        with _open(path, name) as conn:
            meta = _metadata(conn)
            lo, hi = conn.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        template = f"{public_url}/tiles/{name}/{{z}}/{{x}}/{{y}}.png"
        doc: dict[str, Any] = {
            "tilejson": "3.0.0",
            "name": meta.get("name", name),
            "description": meta.get("description", ""),
            "version": meta.get("version", "1.0.0"),
            "attribution": meta.get("attribution", ""),
            "scheme": "xyz",
            "format": meta.get("format", "png"),
            "tiles": [template],
            "minzoom": int(meta["minzoom"]) if meta.get("minzoom", "").isdigit() else lo,
            "maxzoom": int(meta["maxzoom"]) if meta.get("maxzoom", "").isdigit() else hi,
        }
        bounds = _floats(meta.get("bounds"), 4)
        if bounds:
            doc["bounds"] = bounds
        center = _floats(meta.get("center"), 3)
        if center:
            doc["center"] = [center[0], center[1], round(center[2])]
        return JSONResponse(doc, headers={"Cache-Control": METADATA_CACHE_CONTROL})

    return router
