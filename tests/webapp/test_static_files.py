"""The site's own static files: text ones sent with gzip when accepted (``webapp.static_files``),
each compressed once, revalidated and ranged as ``send`` does, with Flask's Cache-Control;
other files as Flask sends them; nothing outside the folder; the map's bundles untouched."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from flask import request, url_for

from webapp import create_app
from webapp.map.bundles import bundle
from webapp.state import state_of
from webapp.static_files import PART, text_file

STATIC = Path(__file__).parents[2] / "webapp" / "static"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
#: The smallest valid PNG: 1×1, one grey pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a4944415478da636000000002000157de3f0a0000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    """One app for the module: its static folder and config are patched per test, and the
    files it keeps are keyed by their full path."""
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("site.css", "text/css; charset=utf-8"),
        ("theme.js", "text/javascript; charset=utf-8"),
        ("print.css", "text/css; charset=utf-8"),
        ("vendor/supercluster.min.js", "text/javascript; charset=utf-8"),
    ],
)
def test_a_text_file_is_sent_with_gzip_when_accepted(app, name, media_type):
    client = app.test_client()
    on_disk = (STATIC / name).read_bytes()
    plain = client.get(f"/static/{name}")
    packed = client.get(f"/static/{name}", headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers and plain.data == on_disk
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == on_disk
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(on_disk)
    for response in (plain, packed):
        assert response.headers["Content-Type"] == media_type
        assert response.headers["Vary"] == "Accept-Encoding"
        # As Flask's static files: no time to keep them, revalidated each time.
        assert response.headers["Cache-Control"] == "no-cache"
        assert "Last-Modified" in response.headers
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'


@pytest.mark.parametrize("accept", [{}, GZIP])
@pytest.mark.parametrize("gzipped", [False, True])
def test_either_etag_revalidates(app, accept, gzipped):
    """A client may hold either encoding (through a shared cache): both ETags get a 304."""
    client = app.test_client()
    etag = client.get("/static/site.css", headers=GZIP if gzipped else {}).headers["ETag"]
    again = client.get("/static/site.css", headers={**accept, "If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == etag


def test_a_range_of_a_text_file(app):
    on_disk = (STATIC / "site.css").read_bytes()
    response = app.test_client().get("/static/site.css", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206 and response.data == on_disk[:100]
    assert response.headers["Content-Range"] == f"bytes 0-99/{len(on_disk)}"
    beyond = app.test_client().get("/static/site.css", headers={"Range": "bytes=99999999-"})
    assert beyond.status_code == 416


def test_each_file_is_compressed_once_under_its_path(app):
    client = app.test_client()
    client.get("/static/theme.js", headers=GZIP)
    kept = state_of(app).parts[PART]
    entity = kept[str(STATIC / "theme.js")]
    with app.test_request_context():
        assert text_file("theme.js") is entity
        assert text_file("./theme.js") is entity  # one file, one entry
    etag = client.get("/static/theme.js").headers["ETag"]
    assert client.get("/static/theme.js", headers={"If-None-Match": etag}).status_code == 304
    assert kept[str(STATIC / "theme.js")] is entity


def test_url_for_static_is_unchanged(app):
    with app.test_request_context():
        assert url_for("static", filename="site.css") == "/static/site.css"


def test_files_that_are_not_text_go_as_flask_sends_them(app, tmp_path, monkeypatch):
    """A PNG (already compressed), a file of unknown type and a small text file: Flask's
    own answer, never gzip, with Flask's Cache-Control for the configured time."""
    (tmp_path / "pin.png").write_bytes(PNG)
    (tmp_path / "small.css").write_text("a { color: red }\n", encoding="utf-8")
    (tmp_path / "large.css").write_text("a { color: red }\n" * 200, encoding="utf-8")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    monkeypatch.setitem(app.config, "SEND_FILE_MAX_AGE_DEFAULT", 3600)
    client = app.test_client()
    for name, media_type in [("pin.png", "image/png"), ("small.css", "text/css; charset=utf-8")]:
        response = client.get(f"/static/{name}", headers=GZIP)
        assert response.status_code == 200 and response.data == (tmp_path / name).read_bytes()
        assert response.headers["Content-Type"] == media_type
        assert "Content-Encoding" not in response.headers
        assert "Accept-Encoding" not in response.headers.get("Vary", "")
        assert response.headers["Content-Disposition"] == f"inline; filename={name}"
        assert response.headers["Cache-Control"] == "public, max-age=3600"
    large = client.get("/static/large.css", headers=GZIP)
    assert large.headers["Content-Encoding"] == "gzip"
    assert large.headers["Cache-Control"] == "public, max-age=3600"


def test_a_file_of_unknown_type_in_the_folder(app):
    response = app.test_client().get("/static/vendor/LICENSE", headers=GZIP)
    assert response.status_code == 200
    assert response.data == (STATIC / "vendor" / "LICENSE").read_bytes()
    assert "Content-Encoding" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/static/../pyproject.toml",
        "/static/%2e%2e/pyproject.toml",
        "/static/..%2fpyproject.toml",
        "/static/../webapp/factory.py",
        "/static/nope.css",
        "/static/vendor",
        "/static/vendor/",
        "/static/site.css/",  # a file is not a folder (the path once dropped the slash)
        "/static/vendor/supercluster.min.js/",
        "/static/favicon.svg/",
    ],
)
def test_outside_the_folder_or_missing_is_404(app, path):
    response = app.test_client().get(path, headers=GZIP)
    assert response.status_code == 404
    assert b"[tool." not in response.data


def test_no_name_reaches_outside_the_folder(app):
    with app.test_request_context():
        for name in ("../pyproject.toml", "/etc/hostname", "vendor/../../factory.py"):
            assert text_file(name) is None


@pytest.mark.parametrize("name", ["map.bundle.js", "map.bundle.css"])
def test_the_map_bundles_keep_their_route(app, name):
    client = app.test_client()
    expected = bundle(name)
    plain = client.get(f"/static/{name}")
    packed = client.get(f"/static/{name}", headers=GZIP)
    assert plain.data == expected.body and packed.data == expected.gzipped
    assert plain.headers["ETag"] == expected.etag
    with app.test_request_context(f"/static/{name}"):
        assert request.url_rule.endpoint == "map.map_bundle"
