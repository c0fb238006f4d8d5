"""gzip for the reader's app: every text answer worth it, whether its view prepared the gzip
(``send``: Leaflet, the base layer, the API) or the app compressed it after the view
(``webapp.compression``: the pages, the map page, popups); never twice, never a range of the
wrong bytes, and replayed right to both kinds of clients."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from werkzeug.wrappers import Request, Response

from webapp import create_app
from webapp.compression import PART, gzip_text
from webapp.http.representation import MIN_GZIP_BYTES, gzip_cache
from webapp.map.basemaps import NATURAL_EARTH
from webapp.state import state_of

FEATURE = "bekabad-industrial-park"
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    """One app for the module: nothing here changes its state but its caches."""
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


@pytest.fixture(scope="module")
def source_page(app) -> str:
    return f"/sources/{state_of(app).atlas.seeds[0].slug}"


# --- through the app ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "validated"),
    [
        ("/", False),
        ("/embed", False),
        (f"/features/{FEATURE}", False),
        ("/features", False),
        ("/features?sort=length&order=desc", False),
        ("/about", False),
        ("SOURCE", False),
        (f"/assets/map/popups/{FEATURE}.html", True),
        ("/assets/leaflet/leaflet.js", True),
        ("/assets/leaflet/leaflet.css", True),
        ("/static/map.bundle.js", True),
        (NATURAL_EARTH.url, True),
        ("/basemap/cities.geojson", True),
        ("/api/features", True),
    ],
)
def test_every_text_answer_is_sent_with_gzip_when_accepted(app, source_page, path, validated):
    """The map page (187 KB for the seed atlas), the text pages, the map's files and the API
    go as gzip to every reader who accepts it, plain to the others, both saying they vary."""
    client = app.test_client()
    path = source_page if path == "SOURCE" else path
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data  # compressed once, not twice
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    for response in (plain, packed):
        assert "Accept-Encoding" in response.headers["Vary"]
    assert ("ETag" in packed.headers) is validated
    if validated:  # the gzip variant has an ETag of its own, and revalidates with it
        assert packed.headers["ETag"] != plain.headers["ETag"]
        etag = packed.headers["ETag"]
        again = client.get(path, headers={**GZIP, "If-None-Match": etag})
        assert again.status_code == 304 and again.headers["ETag"] == etag


def test_the_largest_answers_shrink_to_a_fraction(app):
    client = app.test_client()
    for path in ("/", f"/features/{FEATURE}", "/features", "/basemap/cities.geojson"):
        plain, packed = client.get(path), client.get(path, headers=GZIP)
        assert len(packed.data) < len(plain.data) / 2, path


def test_cities_are_cached_for_a_day_with_validators(app):
    response = app.test_client().get("/basemap/cities.geojson", headers=GZIP)
    assert response.mimetype == "application/geo+json"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert "Last-Modified" in response.headers


@pytest.mark.parametrize("path", ["/healthz", "/assets/leaflet/images/layers.png"])
def test_small_or_binary_answers_are_sent_as_they_are(app, path):
    with app.test_client().get(path, headers=GZIP) as response:
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert "Accept-Encoding" not in response.headers.get("Vary", "")
        response.close()


def test_an_error_page_is_sent_as_it_is(app):
    response = app.test_client().get("/features/no-such-feature", headers=GZIP)
    assert response.status_code == 404
    assert "Content-Encoding" not in response.headers
    assert b"no-such-feature" in response.data


def test_a_range_is_a_range_of_the_bytes_sent(app):
    """A range without If-Range is one of the plain bytes (the view's); one whose If-Range
    names the gzip variant gets that whole variant, never a range of other bytes."""
    client = app.test_client()
    path = f"/assets/map/popups/{FEATURE}.html"
    plain, packed = client.get(path), client.get(path, headers=GZIP)
    part = client.get(path, headers={**GZIP, "Range": "bytes=0-9"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert part.data == plain.data[:10] and part.headers["ETag"] == plain.headers["ETag"]
    whole = client.get(
        path, headers={**GZIP, "Range": "bytes=0-9", "If-Range": packed.headers["ETag"]}
    )
    assert whole.status_code == 200 and whole.data == packed.data


def test_replayed_answers_stay_right_for_both_kinds_of_client(app):
    """The replay cache keys on whether gzip is accepted; every other Accept-Encoding gets one
    of the two answers (gzip is the only coding sent)."""
    client = app.test_client()
    replay = app.wsgi_app
    replay.clear()
    path = f"/features/{FEATURE}"
    plain = client.get(path).data
    packed = client.get(path, headers=GZIP).data
    hits = replay.hits
    for encoding, expected in [
        ("gzip", packed),
        (None, plain),
        ("br", plain),
        ("gzip, deflate, br, zstd", packed),
        ("gzip;q=0, br", plain),
        ("identity", plain),
    ]:
        headers = {"Accept-Encoding": encoding} if encoding else {}
        response = client.get(path, headers=headers)
        assert response.data == expected, encoding
        assert ("Content-Encoding" in response.headers) is (expected is packed)
    assert replay.hits == hits + 6


def test_each_distinct_body_is_compressed_once(app):
    cache = state_of(app).part(PART)
    client = app.test_client()
    client.get("/about", headers=GZIP)
    kept, hits = len(cache), cache.hits
    app.wsgi_app.clear()  # reach the app again, not its replay
    client.get("/about", headers=GZIP)
    assert (len(cache), cache.hits) == (kept, hits + 1)


# --- the step alone -------------------------------------------------------------------------

PAGE = b"<!DOCTYPE html><p>" + b"words " * 400


def _step(response: Response, **headers: str) -> Response:
    request = Request.from_values("/page", headers={**GZIP, **headers})
    return gzip_text(response, request, gzip_cache(1 << 20))


def test_a_view_s_etag_gets_the_gzip_suffix_and_revalidates_with_it():
    response = Response(PAGE, content_type="text/html")
    response.set_etag("abc")
    assert _step(response).headers["ETag"] == '"abc-gzip"'
    again = Response(PAGE, content_type="text/html")
    again.set_etag("abc")
    assert _step(again, **{"If-None-Match": '"abc-gzip"'}).status_code == 304


def test_a_private_page_is_never_compressed():
    """BREACH: a page holding a secret beside text an attacker chose says so (private or
    no-store) and keeps its length its own."""
    for value in ("no-store", "private"):
        response = Response(PAGE, content_type="text/html", headers={"Cache-Control": value})
        assert _step(response).get_data() == PAGE, value


@pytest.mark.parametrize(
    "response",
    [
        Response(PAGE, status=206, content_type="text/html"),
        Response(PAGE, status=404, content_type="text/html"),
        Response(PAGE, content_type="text/html", headers={"Content-Encoding": "br"}),
        Response(PAGE, content_type="image/png"),
        Response(PAGE[: MIN_GZIP_BYTES - 1], content_type="text/html"),
        Response(iter([PAGE]), content_type="text/html"),
    ],
    ids=["range", "error", "encoded", "binary", "small", "streamed"],
)
def test_only_whole_plain_text_answers_held_in_memory_are_compressed(response):
    assert "gzip" not in _step(response).headers.get("Content-Encoding", "")
