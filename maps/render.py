"""Raster basemap rendering: map features drawn into 256x256 PNG tiles with Pillow.

No OpenStreetMap parsing here (that is `maps.basemap`) and no Qt: a `Scene` is a plain,
picklable list of features already projected to Web Mercator "world" coordinates
(x and y in [0, 1], y growing south), so worker processes can render any tile of it.

Each tile is drawn at `SUPERSAMPLE` times its size and reduced with a box filter, which
anti-aliases every edge. Line widths are given at zoom 16 and scale with the zoom.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFont

from maps.tiles import MAX_LAT

TILE_SIZE = 256
SUPERSAMPLE = 2

Point = tuple[float, float]
Ring = list[Point]
Box = tuple[float, float, float, float]  # minx, miny, maxx, maxy in world coordinates

# -- projection (tile numbering itself is maps.tiles) -------------------------------------


def lonlat_to_world(lon: float, lat: float) -> Point:
    """Web Mercator world coordinates in [0, 1] (x east, y south) of a WGS84 position."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = (lon + 180.0) / 360.0
    s = math.sin(math.radians(lat))
    y = 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)
    return x, y


# -- the style -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaStyle:
    fill: str
    minzoom: int
    outline: str | None = None
    outline_minzoom: int = 99


@dataclass(frozen=True)
class LineStyle:
    color: str
    width16: float  # line width in pixels of a 256 px tile at zoom 16
    minzoom: int
    casing: str | None = None
    casing16: float = 0.0  # casing added on each side, pixels at zoom 16
    casing_minzoom: int = 13
    dash: tuple[float, float] | None = None  # dash, gap in pixels (from zoom 16 on)
    low_color: str | None = None  # colour while thinner than ~1.5 px (low zooms)


BACKGROUND = "#f2efe9"
NODATA = "#e4e1dc"  # outside the extract's bounds: no data there, not empty land

#: Area classes in drawing order (later on top).
AREA_STYLES: dict[str, AreaStyle] = {
    "residential": AreaStyle("#e6e2dc", 12),
    "commercial": AreaStyle("#f2dad9", 12),
    "industrial": AreaStyle("#ebdbe8", 12),
    "institution": AreaStyle("#f5f0d8", 12),
    "grass": AreaStyle("#cdebb0", 12),
    "park": AreaStyle("#c8facc", 12, "#a5d6a7", 16),
    "forest": AreaStyle("#add19e", 12),
    "scrub": AreaStyle("#c8d7ab", 12),
    "pitch": AreaStyle("#aae0cb", 13, "#88c8ae", 16),
    "sand": AreaStyle("#f5e9c6", 12),
    "parking": AreaStyle("#eeeeee", 15, "#d6d0cc", 16),
    "pedestrian": AreaStyle("#dddde8", 14, "#c4c4d0", 16),
    "water": AreaStyle("#aad3df", 12),
    "land": AreaStyle(BACKGROUND, 12),  # islands drawn over the sea
    "building": AreaStyle("#d9d0c9", 14, "#c4b6ab", 15),
}

#: Line classes in drawing order (later on top); highway=* values map to these.
LINE_STYLES: dict[str, LineStyle] = {
    "waterway": LineStyle("#aad3df", 2.5, 13),
    "path": LineStyle("#fa8072", 1.4, 15, dash=(4, 2.5), low_color="#f4b5ab"),
    "cycleway": LineStyle("#4a6cf0", 1.4, 15, dash=(4, 2.5), low_color="#a8b8f4"),
    "steps": LineStyle("#fa8072", 3.0, 16, dash=(1.5, 1.5)),
    "track": LineStyle("#996600", 1.5, 15, dash=(5, 3)),
    "service": LineStyle("#ffffff", 4.0, 15, "#bbbbbb", 0.8, 15),
    "pedestrian": LineStyle("#dddde8", 6.0, 14, "#999999", 0.8, 15),
    "residential": LineStyle("#ffffff", 7.0, 13, "#b4b0aa", 1.0, 14, low_color="#d6d2cc"),
    "tertiary": LineStyle("#ffffff", 8.5, 12, "#8f8f8f", 1.0, 13, low_color="#c8c4bd"),
    "secondary": LineStyle("#f7fabf", 10.0, 12, "#707d05", 1.0, 13),
    "primary": LineStyle("#fcd6a4", 11.0, 12, "#a06b00", 1.0, 13),
    "trunk": LineStyle("#f9b29c", 12.0, 12, "#c84e2f", 1.0, 13),
    "motorway": LineStyle("#e892a2", 12.0, 12, "#dc2a67", 1.0, 13),
    "tram": LineStyle("#6e6e6e", 1.3, 14),
    "rail_service": LineStyle("#8a8a8a", 1.5, 15),  # sidings and yards
    "rail": LineStyle("#707070", 2.2, 12, low_color="#b4b0ab"),
}

# Paint colours a test or a viewer can look for.
COLORS = {
    "background": BACKGROUND,
    "water": AREA_STYLES["water"].fill,
    "building": AREA_STYLES["building"].fill,
    "park": AREA_STYLES["park"].fill,
    "primary": LINE_STYLES["primary"].color,
    "secondary": LINE_STYLES["secondary"].color,
}


def line_width(style: LineStyle, z: int) -> float:
    """Line width in (256 px tile) pixels at zoom `z`: ×1.7 a zoom level, ~true scale at z17."""
    return style.width16 * 1.7 ** (z - 16)


# -- the scene -----------------------------------------------------------------------------


@dataclass
class Feature:
    """One thing to draw: an area (outer rings, holes) or a line (one ring = the line)."""

    cls: str
    rings: list[Ring]
    holes: list[Ring] = field(default_factory=list)
    bbox: Box = (0.0, 0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        xs = [p[0] for r in self.rings for p in r]
        ys = [p[1] for r in self.rings for p in r]
        if xs:
            self.bbox = (min(xs), min(ys), max(xs), max(ys))


#: Grid used to find the features of a tile quickly (tile size of this zoom level).
INDEX_ZOOM = 14


@dataclass
class Scene:
    """Everything drawn, in world coordinates, with a coarse grid index."""

    areas: dict[str, list[Feature]]
    lines: dict[str, list[Feature]]
    data_bounds: tuple[float, float, float, float] | None = None  # west, south, east, north
    #: Named streets (line class, name, line in world coordinates), for labels.
    names: list[tuple[str, str, Ring]] = field(default_factory=list)
    #: Street labels by the XYZ tile they touch (filled by `place_labels`).
    labels: dict[tuple[int, int, int], list[Label]] = field(default_factory=dict)
    _index: dict[tuple[str, str], dict[tuple[int, int], list[int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = 2**INDEX_ZOOM
        for kind, groups in (("a", self.areas), ("l", self.lines)):
            for cls, feats in groups.items():
                cells: dict[tuple[int, int], list[int]] = defaultdict(list)
                for i, f in enumerate(feats):
                    x0, y0, x1, y1 = f.bbox
                    for cx in range(int(x0 * n), int(x1 * n) + 1):
                        for cy in range(int(y0 * n), int(y1 * n) + 1):
                            cells[(cx, cy)].append(i)
                self._index[(kind, cls)] = dict(cells)

    def query(self, kind: str, cls: str, box: Box) -> list[Feature]:
        """Features of one class whose bounding box overlaps `box` (world coordinates)."""
        feats = (self.areas if kind == "a" else self.lines).get(cls, [])
        if not feats:
            return []
        n = 2**INDEX_ZOOM
        cells = self._index[(kind, cls)]
        x0, y0, x1, y1 = box
        cx0, cx1 = int(max(0.0, x0) * n), int(min(1.0, x1) * n)
        cy0, cy1 = int(max(0.0, y0) * n), int(min(1.0, y1) * n)
        if (cx1 - cx0 + 1) * (cy1 - cy0 + 1) > len(cells):
            candidates: Iterable[int] = range(len(feats))
        else:
            seen: set[int] = set()
            for cx in range(cx0, cx1 + 1):
                for cy in range(cy0, cy1 + 1):
                    seen.update(cells.get((cx, cy), ()))
            candidates = sorted(seen)
        out = []
        for i in candidates:
            f = feats[i]
            b = f.bbox
            if b[0] <= x1 and b[2] >= x0 and b[1] <= y1 and b[3] >= y0:
                out.append(f)
        return out

    def counts(self) -> dict[str, int]:
        out = {f"area:{k}": len(v) for k, v in self.areas.items() if v}
        out.update({f"line:{k}": len(v) for k, v in self.lines.items() if v})
        return out


# -- street labels -------------------------------------------------------------------------

#: Line classes that get name labels, with the first zoom of their labels (and priority order).
LABEL_MINZOOM = {
    "motorway": 15,
    "trunk": 15,
    "primary": 15,
    "secondary": 15,
    "tertiary": 16,
    "residential": 16,
    "pedestrian": 16,
}
LABEL_COLOR = "#333333"
LABEL_HALO = "#ffffff"


def label_size(z: int) -> int:
    """Font size of street names in (256 px tile) pixels."""
    return 10 if z <= 15 else 11


@dataclass(frozen=True)
class Label:
    """One street name, placed in world coordinates for one zoom level."""

    text: str
    x: float  # centre, world coordinates
    y: float
    angle: float  # degrees anticlockwise (Pillow's rotate)
    size: int


#: Label fonts tried in order (found in the system's font folders by Pillow): they need the
#: Finnish and Swedish letters (ä, ö, å), which Pillow's built-in font lacks. Debian's
#: `fonts-dejavu-core` has DejaVu Sans. `MAPS_LABEL_FONT` (a .ttf path) overrides.
LABEL_FONTS = (
    "DejaVuSansCondensed.ttf",
    "DejaVuSans.ttf",
    "LiberationSansNarrow-Regular.ttf",
    "LiberationSans-Regular.ttf",
    "NotoSans-Regular.ttf",
    "Arial.ttf",
    "arial.ttf",
)


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    override = os.environ.get("MAPS_LABEL_FONT")
    for name in (override, *LABEL_FONTS) if override else LABEL_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size)  # Pillow >= 10.1 (scalable, but no ä/ö)
    except TypeError:
        return ImageFont.load_default()


def label_font_name() -> str:
    """The family and style of the font labels are drawn with."""
    font = _font(12)
    return " ".join(font.getname()) if isinstance(font, ImageFont.FreeTypeFont) else "Pillow default"


def _text_length(text: str, size: int) -> float:
    return float(_font(size).getlength(text))


def _join_by_name(lines: list[tuple[str, str, Ring]]) -> list[tuple[str, str, Ring]]:
    """Join the pieces of each named street that meet end to end (OSM splits streets often)."""
    groups: dict[str, list[tuple[str, Ring]]] = defaultdict(list)
    for cls, name, ring in lines:
        groups[name].append((cls, list(ring)))
    rank = {c: i for i, c in enumerate(LABEL_MINZOOM)}
    out = []
    for name, pieces in groups.items():
        pieces = [p for p in pieces if len(p[1]) >= 2]
        while pieces:
            cls, chain = pieces.pop()
            grown = True
            while grown:
                grown = False
                for i, (c2, other) in enumerate(pieces):
                    if other[0] == chain[-1]:
                        chain = chain + other[1:]
                    elif other[-1] == chain[0]:
                        chain = other + chain[1:]
                    elif other[0] == chain[0]:
                        chain = other[::-1] + chain[1:]
                    elif other[-1] == chain[-1]:
                        chain = chain + other[::-1][1:]
                    else:
                        continue
                    cls = min(cls, c2, key=lambda c: rank.get(c, 99))
                    pieces.pop(i)
                    grown = True
                    break
            out.append((cls, name, chain))
    return out


def _label_candidates(pts: list[Point], length: float, spacing: float) -> Iterator[tuple[Point, float]]:
    """Centre and angle of straight-enough stretches of `length` px along a pixel polyline."""
    seglens = [math.hypot(bx - ax, by - ay) for (ax, ay), (bx, by) in itertools.pairwise(pts)]
    total = sum(seglens)
    if total < length * 1.1:
        return
    cum = [0.0, *itertools.accumulate(seglens)]

    def at(d: float) -> Point:
        i = min(
            max(0, next((k for k in range(len(seglens)) if cum[k + 1] >= d), len(seglens) - 1)),
            len(seglens) - 1,
        )
        t = 0.0 if seglens[i] == 0 else (d - cum[i]) / seglens[i]
        (ax, ay), (bx, by) = pts[i], pts[i + 1]
        return ax + (bx - ax) * t, ay + (by - ay) * t

    # from the middle outwards, every `spacing` px
    offsets = [0.0]
    k = 1
    while spacing * k < total / 2:
        offsets += [spacing * k, -spacing * k]
        k += 1
    for off in offsets:
        mid = total / 2 + off
        a, b = mid - length / 2, mid + length / 2
        if a < 0 or b > total:
            continue
        (ax, ay), (bx, by) = at(a), at(b)
        chord = math.hypot(bx - ax, by - ay)
        # straight enough: the path may not bulge away from its chord
        inner = [pts[i] for i in range(1, len(pts) - 1) if a < cum[i] < b]
        if chord < length * 0.97 or any(
            abs((bx - ax) * (py - ay) - (by - ay) * (px - ax)) / chord > 3.5 for px, py in inner
        ):
            continue
        if bx < ax:  # read left to right
            ax, ay, bx, by = bx, by, ax, ay
        yield ((ax + bx) / 2, (ay + by) / 2), -math.degrees(math.atan2(by - ay, bx - ax))


def place_labels(scene: Scene, zooms: Iterable[int]) -> None:
    """Place street names for each zoom, once for the whole map, so labels cross tiles intact.

    Longer streets of higher classes go first; a label that would overlap one already
    placed, or repeat its street's name within 400 px, is left out.
    """
    rank = {c: i for i, c in enumerate(LABEL_MINZOOM)}
    streets = _join_by_name(scene.names)
    scene.labels = {}
    for z in zooms:
        size = label_size(z)
        n = 2**z
        world_px = TILE_SIZE * n
        candidates = []
        for cls, name, ring in streets:
            if z < LABEL_MINZOOM.get(cls, 99):
                continue
            pts = [(wx * world_px, wy * world_px) for wx, wy in ring]
            length = sum(math.hypot(bx - ax, by - ay) for (ax, ay), (bx, by) in itertools.pairwise(pts))
            candidates.append((rank.get(cls, 99), -length, name, pts))
        candidates.sort(key=lambda c: (c[0], c[1]))
        grid: dict[tuple[int, int], list[tuple[float, float, float, float]]] = defaultdict(list)
        placed_names: dict[str, list[Point]] = defaultdict(list)
        cell = 64.0
        for _rank, _neg, name, pts in candidates:
            width = _text_length(name, size) + 8
            height = size + 6
            for (cx, cy), angle in _label_candidates(pts, width, spacing=width + 200):
                if any(math.hypot(cx - qx, cy - qy) < 400 for qx, qy in placed_names[name]):
                    continue
                r = math.radians(angle)
                hw = (abs(math.cos(r)) * width + abs(math.sin(r)) * height) / 2
                hh = (abs(math.sin(r)) * width + abs(math.cos(r)) * height) / 2
                box = (cx - hw, cy - hh, cx + hw, cy + hh)
                cells = [
                    (i, j)
                    for i in range(int(box[0] // cell), int(box[2] // cell) + 1)
                    for j in range(int(box[1] // cell), int(box[3] // cell) + 1)
                ]
                if any(
                    b[0] < box[2] and b[2] > box[0] and b[1] < box[3] and b[3] > box[1]
                    for c in cells
                    for b in grid.get(c, ())
                ):
                    continue
                for c in cells:
                    grid[c].append(box)
                placed_names[name].append((cx, cy))
                label = Label(name, cx / world_px, cy / world_px, angle, size)
                for tx in range(int(box[0] // TILE_SIZE), int(box[2] // TILE_SIZE) + 1):
                    for ty in range(int(box[1] // TILE_SIZE), int(box[3] // TILE_SIZE) + 1):
                        if 0 <= tx < n and 0 <= ty < n:
                            scene.labels.setdefault((z, tx, ty), []).append(label)


@functools.lru_cache(maxsize=512)
def _label_image(text: str, size: int, angle: float) -> Image.Image:
    """The label drawn at SUPERSAMPLE scale with its halo, rotated, on transparency."""
    font = _font(size * SUPERSAMPLE)
    halo = SUPERSAMPLE * 2
    left, top, right, bottom = font.getbbox(text, stroke_width=halo)
    img = Image.new("RGBA", (right - left + 2, bottom - top + 2), (0, 0, 0, 0))
    ImageDraw.Draw(img).text(
        (1 - left, 1 - top), text, font=font, fill=LABEL_COLOR, stroke_width=halo, stroke_fill=LABEL_HALO
    )
    return img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)


def _draw_labels(img: Image.Image, labels: list[Label], scale: float, ox: float, oy: float) -> None:
    for lab in labels:
        text = _label_image(lab.text, lab.size, round(lab.angle, 1))
        cx, cy = lab.x * scale - ox, lab.y * scale - oy
        img.paste(text, (round(cx - text.width / 2), round(cy - text.height / 2)), text)


# -- drawing -------------------------------------------------------------------------------


def _dashed(points: list[Point], dash: float, gap: float) -> Iterator[list[Point]]:
    """Split a polyline into dash segments (lengths in pixels)."""
    on, left = True, dash
    current: list[Point] = [points[0]]
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        seg = math.hypot(bx - ax, by - ay)
        pos = 0.0
        while seg - pos > left:
            pos += left
            t = pos / seg
            p = (ax + (bx - ax) * t, ay + (by - ay) * t)
            if on:
                current.append(p)
                yield current
            current = [p]
            on = not on
            left = dash if on else gap
        left -= seg - pos
        if on:
            current.append((bx, by))
    if on and len(current) > 1:
        yield current


def render_tile(scene: Scene, z: int, x: int, y: int) -> bytes:
    """The PNG bytes of XYZ tile z/x/y of the scene."""
    size = TILE_SIZE * SUPERSAMPLE
    img = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(img)
    n = 2**z
    scale = n * size  # world coordinates -> pixels of this (supersampled) tile
    ox, oy = x * size, y * size
    k = SUPERSAMPLE

    def px(ring: Ring) -> list[Point]:
        return [(wx * scale - ox, wy * scale - oy) for wx, wy in ring]

    # Margin: features just outside the tile still reach in with their line width.
    margin = 24 * k / scale
    box = (x / n - margin, y / n - margin, (x + 1) / n + margin, (y + 1) / n + margin)

    if scene.data_bounds is not None:
        _draw_nodata(draw, scene.data_bounds, px, size)

    for cls, style in AREA_STYLES.items():
        if z < style.minzoom:
            continue
        outline = style.outline if z >= style.outline_minzoom else None
        for f in scene.query("a", cls, box):
            rings = [px(r) for r in f.rings]
            if f.holes:
                mask = Image.new("L", (size, size), 0)
                mdraw = ImageDraw.Draw(mask)
                for r in rings:
                    if len(r) >= 3:
                        mdraw.polygon(r, fill=255)
                for h in f.holes:
                    hr = px(h)
                    if len(hr) >= 3:
                        mdraw.polygon(hr, fill=0)
                img.paste(style.fill, (0, 0, size, size), mask)
                if outline:
                    for r in [*rings, *(px(h) for h in f.holes)]:
                        if len(r) >= 2:
                            draw.line([*r, r[0]], fill=outline, width=k)
            else:
                for r in rings:
                    if len(r) >= 3:
                        draw.polygon(r, fill=style.fill, outline=None)
                        if outline:
                            draw.line([*r, r[0]], fill=outline, width=k)

    # Lines: every casing first, then every fill, so crossings join cleanly.
    visible = {
        cls: [px(f.rings[0]) for f in scene.query("l", cls, box)]
        for cls, style in LINE_STYLES.items()
        if z >= style.minzoom
    }
    for cls, lines in visible.items():
        style = LINE_STYLES[cls]
        if style.casing and z >= style.casing_minzoom:
            w = (line_width(style, z) + 2 * style.casing16 * 1.25 ** (z - 16)) * k
            for pts in lines:
                _polyline(draw, pts, style.casing, w)
    for cls, lines in visible.items():
        style = LINE_STYLES[cls]
        w = line_width(style, z)
        color = style.low_color if (style.low_color and w < 1.5) else style.color
        w = max(w, 0.6) * k
        for pts in lines:
            if style.dash and z >= 16:
                d, g = style.dash[0] * k, style.dash[1] * k
                for piece in _dashed(pts, d, g):
                    _polyline(draw, piece, color, w, caps=False)
            else:
                _polyline(draw, pts, color, w)

    labels = scene.labels.get((z, x, y))
    if labels:
        _draw_labels(img, labels, scale, ox, oy)

    out = img.reduce(SUPERSAMPLE) if SUPERSAMPLE > 1 else img
    buf = io.BytesIO()
    out.save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def _polyline(
    draw: ImageDraw.ImageDraw, pts: list[Point], color: str, width: float, caps: bool = True
) -> None:
    if len(pts) < 2:
        return
    w = max(1, round(width))
    draw.line(pts, fill=color, width=w, joint="curve" if w > 2 else None)
    if caps and w > 3:
        r = w / 2 - 0.5
        for cx, cy in (pts[0], pts[-1]):
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=color)


def _draw_nodata(draw: ImageDraw.ImageDraw, bounds: Sequence[float], px, size: int) -> None:  # type: ignore[no-untyped-def]
    """Shade the part of the tile outside the extract: the map has no data there."""
    west, south, east, north = bounds
    (x0, y0), (x1, y1) = px([lonlat_to_world(west, north), lonlat_to_world(east, south)])
    if x0 <= 0 and y0 <= 0 and x1 >= size and y1 >= size:
        return
    for rect in ((0, 0, size, y0), (0, y1, size, size), (0, y0, x0, y1), (x1, y0, size, y1)):
        if rect[2] > rect[0] and rect[3] > rect[1] and rect[2] > 0 and rect[3] > 0:
            draw.rectangle(
                (max(rect[0], 0), max(rect[1], 0), min(rect[2], size), min(rect[3], size)), fill=NODATA
            )
