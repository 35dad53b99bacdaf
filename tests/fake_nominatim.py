"""A stand-in for a Nominatim server: a real HTTP process on localhost answering
``/search`` and ``/reverse`` with Nominatim-shaped JSON, and logging each request
(path, query, User-Agent) as one JSON line on stdout.

Run: ``python fake_nominatim.py PORT``.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PLACES = {
    "aleksanterinkatu 20, helsinki": (
        "60.1689780",
        "24.9531820",
        "Aleksanterinkatu 20, Kluuvi, Helsinki, Finland",
    ),
    "mannerheimintie 18, helsinki": (
        "60.1690800",
        "24.9391240",
        "Mannerheimintie 18, Kluuvi, Helsinki, Finland",
    ),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        print(
            json.dumps({"path": url.path, "query": query, "agent": self.headers.get("User-Agent")}),
            flush=True,
        )
        if url.path == "/search":
            found = PLACES.get(" ".join(query.get("q", "").split()).casefold())
            body = [] if found is None else [self._place(*found)]
        elif url.path == "/reverse":
            lat, lon = float(query["lat"]), float(query["lon"])
            body = self._place(f"{lat:.7f}", f"{lon:.7f}", f"Near {lat:.4f} {lon:.4f}, Helsinki, Finland")
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def _place(lat: str, lon: str, name: str) -> dict[str, object]:
        return {
            "place_id": 1,
            "licence": "Data © OpenStreetMap contributors, ODbL 1.0",
            "osm_type": "node",
            "lat": lat,
            "lon": lon,
            "display_name": name,
            "class": "place",
            "type": "house",
        }

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print(json.dumps({"ready": True}), flush=True)
    server.serve_forever()
