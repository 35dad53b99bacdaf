"""The map page: a folium (Leaflet) page that works with no network at all (no Qt).

``map_page_html(tickets, center=..., zoom=...)`` returns one HTML document:

* every script and style sheet comes from the Leaflet and Leaflet.markercluster
  files shipped in ``resources/web/leaflet/`` (folium's ``default_js`` and
  ``default_css`` point at CDNs; they are replaced on the objects, so the page
  holds no ``http://`` or ``https://`` reference at all);
* the base layer's tiles come from a custom URL scheme (``tiles://basemap/{z}/{x}/{y}.png``)
  that the Qt web view serves from MBTiles files;
* tickets are one JSON array and a small loop that makes clustered markers
  (markercluster with ``chunkedLoading``): 5,000 folium ``Marker`` objects would make
  a page of megabytes and seconds;
* a marker's fill is its status (or its crew, for supervisors); a red or yellow ring
  and the number inside show its priority; a cluster is a neutral dark stack (a rounded
  square) with the count, ringed red or yellow when a priority 1 or 2 ticket is inside;
* the device's position is a blue dot with its accuracy circle;
* missing tiles show the banner "This area is not downloaded", placed over them (never
  over downloaded tiles); the map goes on
  working on a plain background.

The page talks back through ``console.log`` lines that start with
``MESSAGE_PREFIX`` followed by JSON: ``{"event": "ready", ...}`` when the markers are
on the map, ``{"event": "ticket", "id": ...}`` when a marker is clicked (or chosen
with Enter), ``{"event": "tiles", "missing": n}`` when the visible tiles settle.
Its script object ``window.fa`` takes updates without a reload:
``fa.setTickets(payload)``, ``fa.setPosition(lat, lon, accuracy, follow)``,
``fa.showTicket(id)`` (zoom until the marker is out of its cluster), ``fa.setCrews(list)``
(the crews' last shared positions, each a labelled dot).

**Made with folium, filled at run time.** folium imports numpy (features.py), which
the desktop bundle leaves out (tens of MB over its size budget). So folium builds the
page once, as a template with two holes: the asset folder and one JSON object with
everything that changes (tickets, view, position, tile URL, attribution, zooms).
``build_template()`` (folium) is stored as ``resources/web/leaflet/fieldapp-map.html``
(``python -m maps.mappage`` rewrites it; a test fails when it differs from what
folium makes), and ``map_page_html`` only fills the holes: no folium, no numpy, and
a millisecond instead of a folium render per call.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import sys
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

TILE_URL = "tiles://basemap/{z}/{x}/{y}.png"
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
#: Text of the banner shown while visible tiles are missing.
MISSING_TEXT = "This area is not downloaded"
#: Start of every console line the page writes for the app.
MESSAGE_PREFIX = "fieldapp:"
#: Plain background under missing tiles (the banner says why it is empty).
BACKGROUND = "#e6e2d8"
DEFAULT_CENTER = (60.1699, 24.9384)  # Helsinki, the demo city
#: The stored page, next to the Leaflet files it uses.
TEMPLATE_NAME = "fieldapp-map.html"
#: The template's two holes.
ASSET_TOKEN = "@@FIELDAPP_ASSETS@@/"
CONFIG_TOKEN = "/*@@FIELDAPP_CONFIG@@*/null"
COLOUR_BY = ("status", "crew")

STATUS_COLOURS = {  # each at least 7:1 against the pins' white number, as the touch audit asks
    "new": "#0d47a1",
    "assigned": "#6a1b9a",
    "en_route": "#005a5f",
    "in_progress": "#8a3700",
    "on_hold": "#5d4037",
    "resolved": "#1b5e20",
    "closed": "#424242",
    "cancelled": "#263238",
}
STATUS_LABELS = {
    "new": "New",
    "assigned": "Assigned",
    "en_route": "En route",
    "in_progress": "In progress",
    "on_hold": "On hold",
    "resolved": "Resolved",
    "closed": "Closed",
    "cancelled": "Cancelled",
}
#: Ring round the marker by priority (1 = emergency); the others get a white ring.
PRIORITY_RINGS = {1: "#d50000", 2: "#ffd600"}
PLAIN_RING = "#ffffff"
CREW_PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#ff7f0e",
    "#393b79",
    "#637939",
    "#843c39",
)
UNASSIGNED_COLOUR = "#757575"


def leaflet_dir() -> Path:
    """The shipped Leaflet folder (honours FIELDAPP_RESOURCES and a PyInstaller bundle, like the app)."""
    root = os.environ.get("FIELDAPP_RESOURCES")
    if root:
        return Path(root) / "web" / "leaflet"
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[1]))
    return base / "resources" / "web" / "leaflet"


def default_asset_base() -> str:
    """file:// URL of the shipped Leaflet folder, with a trailing slash."""
    return leaflet_dir().resolve().as_uri() + "/"


def crew_colour(crew: str | None) -> str:
    """A stable colour for a crew name (the same on every device and every run)."""
    if not crew:
        return UNASSIGNED_COLOUR
    return CREW_PALETTE[zlib.crc32(crew.encode("utf-8")) % len(CREW_PALETTE)]


def _title(row: Mapping[str, Any], words: Mapping[str, str]) -> str:
    status = words.get(str(row.get("status")), str(row.get("status") or ""))
    service = str(row.get("service_code") or "")
    parts = [
        str(row.get("address") or ""),
        words.get(service, service),
        status,
        f"P{row['priority']}" if row.get("priority") is not None else "",
        str(row.get("assigned_crew") or ""),
    ]
    return " · ".join(p for p in parts if p)


#: Most ticket markers a screen puts on one map: beyond this a map is unreadable and
#: building its data would stall the window (the benchmark's 5,000-marker page loads in
#: well under its 2 s goal). Screens pass their most relevant tickets first.
MAX_MARKERS = 5000


def ticket_payload(
    tickets: Iterable[Mapping[str, Any]], colour_by: str = "status", words: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The page's ticket data: one compact array per ticket, plus the legend.

    Each ticket is ``[id, lat, lon, fill, ring, label, title]``. Rows without a
    usable location are left out (they cannot be drawn). `words` names status and
    service codes and "unassigned" in the reader's language (English by default).
    """
    words = {**STATUS_LABELS, "unassigned": "Unassigned", **(words or {})}
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by must be one of {COLOUR_BY}, not {colour_by!r}")
    rows: list[list[Any]] = []
    used: dict[str, str] = {}
    for row in tickets:
        lat, lon = row.get("lat"), row.get("lon")
        if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        if colour_by == "status":
            key = str(row.get("status") or "")
            fill = STATUS_COLOURS.get(key, UNASSIGNED_COLOUR)
            used.setdefault(words.get(key, key or "?"), fill)
        else:
            crew = row.get("assigned_crew")
            fill = crew_colour(crew)
            used.setdefault(str(crew) if crew else words["unassigned"], fill)
        priority = row.get("priority")
        ring = PRIORITY_RINGS.get(priority, PLAIN_RING) if isinstance(priority, int) else PLAIN_RING
        label = str(priority) if priority is not None else ""
        rows.append(
            [
                str(row["id"]),
                round(float(lat), 6),
                round(float(lon), 6),
                fill,
                ring,
                label,
                _title(row, words),
            ]
        )
    if colour_by == "status":
        order = [words.get(code, code) for code in STATUS_LABELS]
        legend = sorted(used.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    else:
        legend = sorted(used.items(), key=lambda kv: (kv[0] == words["unassigned"], kv[0]))
    return {"tickets": rows, "legend": [list(item) for item in legend], "colour_by": colour_by}


_STYLE = """
<style>
  /* Never scrolled: focusing a marker outside the view (Tab, a returning window focus) would
     otherwise scroll the map's box, moving the banner and markers off their places. */
  .leaflet-container { background: %(background)s; overflow: clip; }
  .leaflet-bar a, .leaflet-touch .leaflet-bar a {
    width: 48px; height: 48px; line-height: 48px; font-size: 26px; color: #000; background: #fff;
  }
  .leaflet-bar a.leaflet-disabled { color: #555; background: #f4f4f4; }
  .fa-pin { background: none; border: none; }
  .fa-pin span {
    display: block; box-sizing: border-box; width: 32px; height: 32px; margin: 8px; border-radius: 50%%;
    border: 3px solid #fff; color: #fff; font: bold 14px/1 sans-serif; text-align: center;
    padding-top: 6px; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.55);
  }
  .fa-pin:focus span { outline: 3px solid #000; }
  .fa-cluster { background: none; border: none; }
  .fa-cluster div {
    box-sizing: border-box; width: 100%%; height: 100%%; border-radius: 9px;
    border: 3px solid #fff; background: #263238; color: #fff; font: bold 14px sans-serif;
    display: flex; align-items: center; justify-content: center;
    box-shadow: 3px 3px 0 -1px #fff, 5px 5px 0 -1px #263238, 0 1px 4px rgba(0, 0, 0, 0.5);
  }
  .fa-me { background: none; border: none; }
  .fa-me span {
    display: block; box-sizing: border-box; width: 100%%; height: 100%%; border-radius: 50%%;
    background: #0a84ff; border: 3px solid #fff; box-shadow: 0 0 0 2px #0a84ff, 0 1px 4px rgba(0, 0, 0, 0.6);
  }
  .fa-missing {
    position: absolute; top: 10px; left: 50%%; transform: translateX(-50%%); z-index: 1000;
    box-sizing: border-box; text-align: center;
    background: #fff8e1; color: #3e2723; border: 1px solid #c8a600; border-radius: 4px;
    padding: 8px 14px; font: 15px/1.3 sans-serif; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3);
    pointer-events: none;
  }
  .fa-missing[hidden] { display: none; }
  .fa-legend {
    background: rgba(255, 255, 255, 0.92); padding: 6px 8px; border-radius: 4px;
    font: 12px/1.5 sans-serif; color: #222; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3);
  }
  .fa-legend i {
    display: inline-block; width: 12px; height: 12px; border-radius: 50%%; margin-right: 6px;
    vertical-align: -1px;
  }
</style>
"""


def build_template(asset_token: str = ASSET_TOKEN) -> str:
    """The page made with folium, with the two holes (``ASSET_TOKEN``, ``CONFIG_TOKEN``) left open.

    Deterministic (fixed element ids), so the stored copy can be compared with it.
    """
    import folium  # only here: the app fills the stored template and never imports folium
    from branca.element import Element, MacroElement
    from folium.elements import JSCSSMixin
    from folium.template import Template

    class TicketLayer(JSCSSMixin, MacroElement):
        """Markers, position, banner, legend and messages; brings the markercluster files along."""

        _template = Template(
            """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var tiles = {{ this.tiles.get_name() }};
            var cfg = /*@@FIELDAPP_CONFIG@@*/null;
            var PREFIX = {{ this.prefix|tojson }};
            var fa = window.fa = {map: map, tiles: tiles, markers: {}, missing: 0, ready: false,
                                  tilesIdle: false};
            function report(event, extra) {
                var message = {event: event};
                for (var key in (extra || {})) { message[key] = extra[key]; }
                console.log(PREFIX + JSON.stringify(message));
            }
            fa.report = report;

            // The tile layer as configured. The map has no view yet, so nothing has loaded.
            tiles.setUrl(cfg.tileUrl, true);
            tiles.options.attribution = cfg.attribution;
            tiles.options.minZoom = cfg.minZoom;
            tiles.options.maxZoom = cfg.maxZoom;
            tiles.options.maxNativeZoom = cfg.maxNativeZoom;
            map.setMinZoom(cfg.minZoom);
            map.setMaxZoom(cfg.maxZoom);
            // Attribution in the corner, credit to Leaflet without a link off the device.
            map.attributionControl.setPrefix("Leaflet");

            // "This area is not downloaded": failed tiles in the visible range.
            var banner = L.DomUtil.create("div", "fa-missing", map.getContainer());
            banner.id = "fa-missing";
            banner.setAttribute("role", "status");
            banner.setAttribute("aria-live", "polite");
            banner.textContent = {{ this.missing_text|tojson }};
            banner.hidden = true;
            var failed = {};
            function visibleMissing() {
                var count = 0;
                try {
                    var range = tiles._pxBoundsToTileRange(tiles._getTiledPixelBounds(map.getCenter()));
                    for (var key in failed) {
                        var c = failed[key];
                        if (c.z === tiles._tileZoom && range.contains(L.point(c.x, c.y))) { count++; }
                    }
                } catch (err) {
                    count = Object.keys(failed).length;
                }
                return count;
            }
            // The banner sits over missing tiles only: inside the largest visible part of one.
            function tileBox(c) {
                var size = tiles.getTileSize();
                var nw = map.latLngToContainerPoint(map.unproject(L.point(c.x * size.x, c.y * size.y), c.z));
                var se = map.latLngToContainerPoint(
                    map.unproject(L.point((c.x + 1) * size.x, (c.y + 1) * size.y), c.z));
                var view = map.getSize();
                return L.bounds(L.point(Math.max(0, nw.x), Math.max(0, nw.y)),
                                L.point(Math.min(view.x, se.x), Math.min(view.y, se.y)));
            }
            function placeBanner() {
                var best = null, bestArea = 0;
                for (var key in failed) {
                    var c = failed[key];
                    if (c.z !== tiles._tileZoom) { continue; }
                    var box = tileBox(c);
                    var size = box.getSize();
                    if (size.x > 0 && size.y > 0 && size.x * size.y > bestArea) {
                        best = box;
                        bestArea = size.x * size.y;
                    }
                }
                if (best === null) { return; }
                var width = best.max.x - best.min.x;
                banner.style.maxWidth = Math.max(80, width - 16) + "px";
                banner.style.left = Math.round((best.min.x + best.max.x) / 2) + "px";
                banner.style.top = Math.round(best.min.y + 10) + "px";
            }
            fa.placeBanner = placeBanner;
            function updateBanner() {
                fa.missing = visibleMissing();
                banner.hidden = fa.missing === 0;
                if (!banner.hidden) { placeBanner(); }
            }
            tiles.on("loading", function () { fa.tilesIdle = false; });
            tiles.on("tileerror", function (e) {
                failed[tiles._tileCoordsToKey(e.coords)] = {x: e.coords.x, y: e.coords.y, z: e.coords.z};
                updateBanner();
            });
            tiles.on("tileload tileunload", function (e) {
                delete failed[tiles._tileCoordsToKey(e.coords)];
            });
            tiles.on("load", function () {
                updateBanner();
                fa.tilesIdle = true;
                report("tiles", {missing: fa.missing});
            });
            map.on("move moveend zoomend resize", updateBanner);

            // Clusters are neutral (colours mean status or crew); the ring shows the most urgent inside.
            var RINGS = {{ this.rings|tojson }};
            function clusterIcon(cluster) {
                var count = cluster.getChildCount();
                var best = 99;
                var children = cluster.getAllChildMarkers();
                for (var i = 0; i < children.length && best > 1; i++) {
                    if (children[i].priority < best) { best = children[i].priority; }
                }
                var size = count < 10 ? 48 : count < 100 ? 52 : 56;  // a finger's width at least
                var ring = RINGS[best] || "#ffffff";
                return L.divIcon({html: '<div style="border-color:' + ring + '">' + count + "</div>",
                                  className: "fa-cluster", iconSize: [size, size]});
            }

            // Tickets: clustered, one click handler on the group.
            var group = L.markerClusterGroup({
                chunkedLoading: true,
                chunkInterval: 120,
                chunkDelay: 20,
                showCoverageOnHover: false,
                maxClusterRadius: 60,
                spiderfyOnMaxZoom: true,
                removeOutsideVisibleBounds: true,
                iconCreateFunction: clusterIcon,
                chunkProgress: function (done, total) {
                    if (done === total && fa._afterLoad) {
                        var then = fa._afterLoad;
                        fa._afterLoad = null;
                        setTimeout(function () { requestAnimationFrame(then); }, 0);
                    }
                }
            });
            map.addLayer(group);
            fa.group = group;
            group.on("click", function (e) {
                if (e.layer && e.layer.ticketId) { report("ticket", {id: e.layer.ticketId}); }
            });
            var icons = {};
            function icon(fill, ring, label) {
                var key = fill + ring + label;
                if (!icons[key]) {
                    var span = document.createElement("span");
                    span.style.background = fill;
                    span.style.borderColor = ring;
                    span.textContent = label;
                    icons[key] = L.divIcon({className: "fa-pin", html: span.outerHTML,
                                            iconSize: [48, 48], iconAnchor: [24, 24]});
                }
                return icons[key];
            }
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                this._div = L.DomUtil.create("div", "fa-legend");
                this._div.id = "fa-legend";
                return this._div;
            };
            legend.addTo(map);
            function drawLegend(items) {
                var div = legend._div;
                div.textContent = "";
                div.hidden = items.length === 0;
                items.forEach(function (item) {
                    var row = L.DomUtil.create("div", "", div);
                    var dot = L.DomUtil.create("i", "", row);
                    dot.style.background = item[1];
                    row.appendChild(document.createTextNode(item[0]));
                });
            }
            fa.setTickets = function (payload, fit) {
                if (fa._busy) {  // markers still going in: draw the newest list when they are done
                    fa._queued = [payload, fit];
                    fa.ready = false;
                    return;
                }
                fa._busy = true;
                var rows = payload.tickets;
                var t0 = performance.now();
                group.clearLayers();
                fa.markers = {};
                fa.ready = false;
                var list = new Array(rows.length);
                for (var i = 0; i < rows.length; i++) {
                    var r = rows[i];
                    var m = L.marker([r[1], r[2]], {icon: icon(r[3], r[4], r[5]), title: r[6], alt: r[6],
                                                    riseOnHover: true});
                    m.ticketId = r[0];
                    m.priority = r[5] === "" ? 99 : +r[5];
                    fa.markers[r[0]] = m;
                    list[i] = m;
                }
                drawLegend(payload.legend);
                if (fit && rows.length) { fitTo(rows); }
                fa._afterLoad = function () {
                    fa._busy = false;
                    if (fa._queued) {
                        var next = fa._queued;
                        fa._queued = null;
                        fa.setTickets(next[0], next[1]);
                        return;
                    }
                    fa.ready = true;
                    report("ready", {markers: rows.length, ms: Math.round(performance.now()),
                                     addMs: Math.round(performance.now() - t0)});
                };
                group.addLayers(list);
            };
            function fitTo(rows) {
                map.fitBounds(L.latLngBounds(rows.map(function (r) { return [r[1], r[2]]; })),
                              {padding: [40, 40], maxZoom: 16});
            }
            fa.showTicket = function (id, done) {
                var m = fa.markers[id];
                if (!m) { return false; }
                group.zoomToShowLayer(m, function () { if (done) { done(m); } });
                return true;
            };

            // The device's position.
            var me = null;
            var meCircle = null;
            var meIcon = L.divIcon({className: "fa-me", html: "<span></span>", iconSize: [22, 22],
                                    iconAnchor: [11, 11]});
            fa.setPosition = function (lat, lon, accuracy, follow) {
                var at = L.latLng(lat, lon);
                if (!me) {
                    meCircle = L.circle(at, {radius: 1, color: "#0a84ff", weight: 1, fillOpacity: 0.12,
                                             interactive: false}).addTo(map);
                    me = L.marker(at, {icon: meIcon, zIndexOffset: 10000, keyboard: false,
                                       interactive: false, title: "You are here"}).addTo(map);
                    fa.me = me;
                }
                me.setLatLng(at);
                meCircle.setLatLng(at);
                meCircle.setRadius(accuracy && accuracy > 0 ? accuracy : 0);
                if (follow) { map.panTo(at); }
            };
            // Crews' last shared positions (supervisors): a labelled dot each, not clustered.
            var crewLayer = L.layerGroup().addTo(map);
            fa.crews = [];
            fa.setCrews = function (crews) {
                crewLayer.clearLayers();
                fa.crews = crews.map(function (c) {
                    var dot = L.circleMarker([c.lat, c.lon], {radius: 9, color: "#000000", weight: 3,
                                                              fillColor: c.colour, fillOpacity: 1});
                    dot.bindTooltip(c.label, {permanent: true, direction: "right", offset: [10, 0],
                                              className: "fa-crew"});
                    crewLayer.addLayer(dot);
                    return dot;
                });
            };
            fa.clearPosition = function () {
                if (me) { map.removeLayer(me); map.removeLayer(meCircle); me = null; meCircle = null; }
            };

            // The first view: around the tickets, or the given centre.
            if (cfg.fit && cfg.payload.tickets.length) {
                fitTo(cfg.payload.tickets);
            } else {
                map.setView(cfg.center, cfg.zoom);
            }
            if (cfg.position) { fa.setPosition(cfg.position[0], cfg.position[1], cfg.position[2], false); }
            fa.setTickets(cfg.payload, false);
        })();
        {% endmacro %}
        """
        )

        def __init__(self, tiles: folium.TileLayer) -> None:
            super().__init__()
            self._name = "FieldTickets"
            self._id = "fieldapp"
            self.tiles = tiles
            self.prefix = MESSAGE_PREFIX
            self.missing_text = MISSING_TEXT
            self.rings = {str(k): v for k, v in PRIORITY_RINGS.items()}
            # Instance lists: folium's add_js_link would change the class-wide CDN lists.
            self.default_js = [("leaflet.markercluster", asset_token + "leaflet.markercluster.js")]
            self.default_css = [
                ("markercluster_css", asset_token + "MarkerCluster.css"),
                ("markercluster_default_css", asset_token + "MarkerCluster.Default.css"),
            ]

        def render(self, **kwargs: Any) -> None:
            super().render(**kwargs)
            # After the Leaflet style sheets, so these rules win over theirs.
            header = self.get_root().header
            header.add_child(Element(_STYLE % {"background": BACKGROUND}), name="fieldapp_style")

    # No zoom: Leaflet gets no view (and loads no tile) until the page's script sets one.
    fmap = folium.Map(location=[0.0, 0.0], zoom_start=None, tiles=None, control_scale=True)
    fmap._id = "fieldapp"
    # No CDN: only the shipped Leaflet (folium's jQuery, Bootstrap and awesome-markers are not used).
    fmap.default_js = [("leaflet", asset_token + "leaflet.js")]
    fmap.default_css = [("leaflet_css", asset_token + "leaflet.css")]
    tiles = folium.TileLayer(tiles=TILE_URL, attr=ATTRIBUTION, name="basemap", control=False)
    tiles._id = "fieldapp"
    tiles.add_to(fmap)
    figure = fmap.get_root()
    figure._id = "fieldapp"
    figure.header.add_child(Element("<title>Map</title>"), name="fieldapp_title")
    TicketLayer(tiles).add_to(fmap)
    return figure.render()


def template_path() -> Path:
    return leaflet_dir() / TEMPLATE_NAME


_templates: dict[Path, tuple[float, str]] = {}


def page_template(path: Path | None = None) -> str:
    """The stored template (read once, again when the file changes)."""
    path = path or template_path()
    stamp = path.stat().st_mtime
    cached = _templates.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, path.read_text(encoding="utf-8"))
        _templates[path] = cached
    return cached[1]


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (no "</script>", no "<!--")."""
    text = json.dumps(value, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def map_page_html(
    tickets: Iterable[Mapping[str, Any]],
    *,
    center: Sequence[float] | None = DEFAULT_CENTER,
    zoom: int = 14,
    tile_url: str = TILE_URL,
    attribution: str = ATTRIBUTION,
    position: Sequence[float] | None = None,
    colour_by: str = "status",
    asset_base: str | None = None,
    fit: bool = False,
    min_zoom: int = 3,
    max_zoom: int = 19,
    max_native_zoom: int | None = None,
) -> str:
    """The whole map page as HTML: the folium-made template, filled.

    ``position`` is ``(lat, lon, accuracy_m)`` (or ``(lat, lon)``); ``fit`` zooms to the
    tickets instead of ``center``/``zoom``; ``max_native_zoom`` is the deepest zoom
    the tile files hold (deeper zooms enlarge those tiles instead of failing);
    ``asset_base`` is the URL of the Leaflet folder, with a trailing slash (by
    default the shipped ``resources/web/leaflet/``).
    """
    base = asset_base or default_asset_base()
    if not base.endswith("/"):
        base += "/"
    if center is None:
        center = DEFAULT_CENTER
    point = None
    if position is not None:
        accuracy = float(position[2]) if len(position) > 2 and position[2] is not None else 0.0
        point = [float(position[0]), float(position[1]), accuracy if math.isfinite(accuracy) else 0.0]
    config = {
        "center": [float(center[0]), float(center[1])],
        "zoom": int(zoom),
        "fit": bool(fit),
        "tileUrl": tile_url,
        "attribution": attribution,
        "minZoom": int(min_zoom),
        "maxZoom": int(max_zoom),
        "maxNativeZoom": int(max_native_zoom or max_zoom),
        "position": point,
        "payload": ticket_payload(tickets, colour_by),
    }
    page = page_template()
    if page.count(CONFIG_TOKEN) != 1:
        raise ValueError(f"{template_path()} is not the map page template (run: python -m maps.mappage)")
    page = page.replace(ASSET_TOKEN, html.escape(base, quote=True))
    return page.replace(CONFIG_TOKEN, _script_json(config))


def tile_zoom_range(metadata: Iterable[Mapping[str, str]]) -> tuple[int | None, int | None]:
    """(min, max) zoom over several MBTiles metadata tables (None where none says)."""
    low: int | None = None
    high: int | None = None
    for meta in metadata:
        for key in ("minzoom", "maxzoom"):
            raw = str(meta.get(key, "")).strip()
            if not raw.lstrip("-").isdigit():
                continue
            value = int(raw)
            if key == "minzoom":
                low = value if low is None else min(low, value)
            else:
                high = value if high is None else max(high, value)
    return low, high


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m maps.mappage [--check]``: write (or check) the stored template from folium."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the stored template is out of date")
    args = parser.parse_args(argv)
    fresh = build_template()
    path = template_path()
    if args.check:
        same = path.exists() and path.read_text(encoding="utf-8") == fresh
        print(f"{path}: {'up to date' if same else 'OUT OF DATE (run python -m maps.mappage)'}")
        return 0 if same else 1
    path.write_text(fresh, encoding="utf-8")
    print(f"wrote {path} ({len(fresh)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
