"""Map tiles from a real case server process: bytes, TileJSON, 404/422, ETag and 304, no traversal."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PIL import Image
from serverproc import CaseServer, free_port, fresh_database_url, start_server

ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"


def _png(color: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), color).save(buf, "PNG")
    return buf.getvalue()


def _mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], fmt: str = "png") -> None:
    """A small MBTiles file; `tiles` are keyed by XYZ coordinates and stored with TMS rows."""
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE metadata (name TEXT, value TEXT);
            CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
            CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
            """
        )
        conn.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [
                ("name", "Test city"),
                ("format", fmt),
                ("bounds", "24.93,60.16,24.96,60.18"),
                ("center", "24.945,60.17,15"),
                ("minzoom", "1"),
                ("maxzoom", "16"),
                ("attribution", ATTRIBUTION),
                ("type", "baselayer"),
                ("version", "1.0.0"),
            ],
        )
        conn.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, 2**z - 1 - y, data) for (z, x, y), data in tiles.items()],
        )
    conn.close()


RED, BLUE, GREEN = _png("#ff0000"), _png("#0000ff"), _png("#00ff00")
HELSINKI_Z16 = (16, 37307, 18969)  # XYZ tile of central Helsinki


@pytest.fixture(scope="module")
def tiles_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CaseServer, Path]]:
    root = tmp_path_factory.mktemp("tiles-server")
    folder = root / "tiles"
    folder.mkdir()
    # z1: x=0,y=0 is the north-west tile (TMS row 1); x=0,y=1 the south-west one (TMS row 0)
    _mbtiles(folder / "city.mbtiles", {(1, 0, 0): RED, (1, 0, 1): BLUE, HELSINKI_Z16: GREEN})
    _mbtiles(folder / "photo-set_2.mbtiles", {(1, 0, 0): b"\xff\xd8jpeg"}, fmt="jpg")
    (folder / "Upper.mbtiles").write_bytes((folder / "city.mbtiles").read_bytes())
    (folder / "broken.mbtiles").write_bytes(b"this is not a database")
    # a tileset outside the served folder, that a traversal would reach
    _mbtiles(root / "secret.mbtiles", {(1, 0, 0): b"SECRET"})
    port = free_port()
    with fresh_database_url("sqlite", root) as url:
        server = start_server(
            url,
            root,
            seed=False,
            port=port,
            CASESERVER_TILES_DIR=str(folder),
            CASESERVER_PUBLIC_URL=f"http://127.0.0.1:{port}/",
        )
        try:
            yield server, folder
        finally:
            server.stop()


def _get(server: CaseServer, path: str, **headers: str) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers=headers, timeout=30)


def test_tile_bytes_in_xyz_numbering(tiles_server: tuple[CaseServer, Path]) -> None:
    server, _folder = tiles_server
    north = _get(server, "/tiles/city/1/0/0.png")
    assert north.status_code == 200, north.text
    assert north.content == RED
    assert north.headers["content-type"] == "image/png"
    assert north.headers["cache-control"] == "public, max-age=86400"
    assert _get(server, "/tiles/city/1/0/1.png").content == BLUE
    z, x, y = HELSINKI_Z16
    assert _get(server, f"/tiles/city/{z}/{x}/{y}.png").content == GREEN
    # no auth needed: tiles are public
    assert "www-authenticate" not in north.headers


def test_etag_and_304(tiles_server: tuple[CaseServer, Path]) -> None:
    server, _folder = tiles_server
    first = _get(server, "/tiles/city/1/0/0.png")
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    assert _get(server, "/tiles/city/1/0/0.png").headers["etag"] == etag  # stable
    assert _get(server, "/tiles/city/1/0/1.png").headers["etag"] != etag  # per tile
    again = _get(server, "/tiles/city/1/0/0.png", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "public, max-age=86400"
    listed = _get(server, "/tiles/city/1/0/0.png", **{"If-None-Match": f'"nope", W/{etag}'})
    assert listed.status_code == 304
    other = _get(server, "/tiles/city/1/0/0.png", **{"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == RED


def test_metadata_json(tiles_server: tuple[CaseServer, Path]) -> None:
    server, _folder = tiles_server
    r = _get(server, "/tiles/city/metadata.json")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["bounds"] == [24.93, 60.16, 24.96, 60.18]
    assert doc["center"] == [24.945, 60.17, 15]
    assert (doc["minzoom"], doc["maxzoom"]) == (1, 16)
    assert doc["attribution"] == ATTRIBUTION
    assert doc["scheme"] == "xyz" and doc["format"] == "png"
    assert doc["tiles"] == [f"{server.url}/tiles/city/{{z}}/{{x}}/{{y}}.png"]
    template = doc["tiles"][0].format(z=1, x=0, y=1)
    assert requests.get(template, timeout=30).content == BLUE


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "attacker.example"},
        {
            "Host": "attacker.example:8080",
            "X-Forwarded-Host": "attacker.example",
            "X-Forwarded-Proto": "https",
        },
    ],
)
def test_tilejson_names_tiles_under_the_public_url_whatever_the_host_header(
    tiles_server: tuple[CaseServer, Path], headers: dict[str, str]
) -> None:
    """The answer may be cached and shared: it must not carry an address the client made up."""
    server, _folder = tiles_server
    r = _get(server, "/tiles/city/metadata.json", **headers)
    assert r.status_code == 200, r.text
    assert r.json()["tiles"] == [f"{server.url}/tiles/city/{{z}}/{{x}}/{{y}}.png"]
    assert "attacker" not in r.text


def test_missing_tile_and_unknown_tileset_are_404(tiles_server: tuple[CaseServer, Path]) -> None:
    server, _folder = tiles_server
    for path, words in (
        ("/tiles/city/1/2/0.png", "no tile 1/2/0 (0..1 at zoom 1)"),
        ("/tiles/city/0/0/1.png", "0..0"),
    ):
        past = _get(server, path)  # past the zoom level's grid: no such tile
        assert past.status_code == 404 and words in past.json()["detail"], past.text
    missing = _get(server, "/tiles/city/1/1/1.png")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    assert "no tile 1/1/1" in missing.json()["detail"]
    unknown = _get(server, "/tiles/nowhere/1/0/0.png")
    assert unknown.status_code == 404
    assert "no tileset named 'nowhere'" in unknown.json()["detail"]
    assert _get(server, "/tiles/nowhere/metadata.json").status_code == 404
    jpeg = _get(server, "/tiles/photo-set_2/1/0/0.png")
    assert jpeg.status_code == 404 and "not png" in jpeg.json()["detail"]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/tiles/city/-1/0/0.png", "z = -1 is out of range"),
        ("/tiles/city/25/0/0.png", "z = 25 is out of range"),
        ("/tiles/city/1/0/-1.png", "y = -1 is out of range"),
        ("/tiles/city/a/0/0.png", "z must be a whole number"),
        ("/tiles/city/1/0/1.5.png", "y must be a whole number"),
        ("/tiles/city/1/99999999999999999/0.png", "x must be a whole number"),
    ],
)
def test_bad_coordinates_are_422(tiles_server: tuple[CaseServer, Path], path: str, words: str) -> None:
    server, _folder = tiles_server
    r = _get(server, path)
    assert r.status_code == 422, r.text
    assert words in r.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/..%2Fsecret/1/0/0.png",
        "/tiles/%2E%2E%2Fsecret/1/0/0.png",
        "/tiles/%2E%2E/1/0/0.png",
        "/tiles/..%5Csecret/1/0/0.png",
        "/tiles/secret%00/1/0/0.png",
        "/tiles/%2Ftmp%2Fsecret/1/0/0.png",
        "/tiles/..%2Fsecret/metadata.json",
        "/tiles/Upper/1/0/0.png",
        "/tiles/city.mbtiles/1/0/0.png",
    ],
)
def test_names_cannot_reach_other_files(tiles_server: tuple[CaseServer, Path], path: str) -> None:
    server, _folder = tiles_server
    r = requests.get(server.url + path, timeout=30)
    assert r.status_code in (404, 422), (path, r.status_code)
    assert b"SECRET" not in r.content
    assert r.json()["detail"]


def test_names_outside_the_alphabet_are_422(tiles_server: tuple[CaseServer, Path]) -> None:
    server, _folder = tiles_server
    r = _get(server, "/tiles/Upper/1/0/0.png")
    assert r.status_code == 422
    assert "invalid tileset name" in r.json()["detail"]


def test_files_are_opened_read_only(tiles_server: tuple[CaseServer, Path]) -> None:
    server, folder = tiles_server
    before = sorted(p.name for p in folder.iterdir())
    stamp = (folder / "city.mbtiles").stat().st_mtime_ns
    assert _get(server, "/tiles/city/1/0/0.png").status_code == 200
    assert _get(server, "/tiles/city/metadata.json").status_code == 200
    assert sorted(p.name for p in folder.iterdir()) == before  # no journal, WAL or new file
    assert (folder / "city.mbtiles").stat().st_mtime_ns == stamp
    broken = _get(server, "/tiles/broken/1/0/0.png")
    assert broken.status_code == 500
    assert broken.json()["detail"] == "tileset 'broken' cannot be read"
    assert server.process.poll() is None
