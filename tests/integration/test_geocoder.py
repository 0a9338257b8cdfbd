"""Searching near a street address with a geopy geocoder (Nominatim's protocol, served locally)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import dispose, load_directory, make_app

KNOWN = {"2100 lakeside ave, cleveland oh": ("41.5147", "-81.6760")}


class Nominatim(BaseHTTPRequestHandler):
    """Answers /search the way a Nominatim server does, from a small table."""

    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query).get("q", [""])[0].strip().lower()
        found = KNOWN.get(query)
        body = [{"lat": found[0], "lon": found[1], "display_name": query}] if found else []
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def geocoded_app(tmp_path_factory):
    server = HTTPServer(("127.0.0.1", 0), Nominatim)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = {"domain": f"127.0.0.1:{server.server_port}", "scheme": "http", "user_agent": "tests"}
    app = make_app(
        "sqlite", tmp_path_factory.mktemp("geo"), GEOCODER="nominatim", GEOCODER_OPTIONS=options
    )
    load_directory(app)
    yield app
    dispose(app)
    server.shutdown()
    server.server_close()


def test_an_address_is_geocoded_and_searched_near(geocoded_app):
    client = geocoded_app.test_client()
    body = client.get("/api/v1/search?q=shelter&near=2100 Lakeside Ave, Cleveland OH").get_json()
    assert body["near"]["latitude"] == pytest.approx(41.5147)
    assert body["near"]["label"] == "2100 Lakeside Ave, Cleveland OH"
    assert any(r["distance_miles"] is not None for r in body["results"])


def test_an_address_the_geocoder_cannot_find_is_a_clear_400(geocoded_app):
    response = geocoded_app.test_client().get("/api/v1/search?q=food&near=1 Nowhere Lane, Atlantis")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "near" and "No place was found" in error["message"]


def test_an_unreachable_geocoder_is_a_clear_400_not_a_500(tmp_path):
    options = {"domain": "127.0.0.1:9", "scheme": "http", "user_agent": "tests", "timeout": 1}
    app = make_app("sqlite", tmp_path, GEOCODER="nominatim", GEOCODER_OPTIONS=options)
    try:
        response = app.test_client().get("/api/v1/search?q=food&near=1 Main St, Cleveland OH")
        assert response.status_code == 400
        assert "could not be looked up" in response.get_json()["error"]["message"]
    finally:
        dispose(app)
