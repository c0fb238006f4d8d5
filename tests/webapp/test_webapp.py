"""The web app over the real built data: routes, headers, escaping and self-hosted assets.

The map page is checked as text: popups, layer names and the legend are JSON strings inside
folium's script, so the helpers below pull them out and decode them the way a browser would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.support.harness import running
from tests.support.pages import JS_STRING, csp_directives, map_data, popups_by_id
from tests.support.samples import feature, write_data_dir
from webapp import create_app, default_data_dir
from webapp.map.basemaps import BASEMAPS, NATURAL_EARTH, tile_origins
from webapp.map.fragments import format_number
from webapp.model.atlas import FILES, AtlasDataError
from webapp.server import make_server
from webapp.style import CORRIDOR_CLASS, SITE_CLASS, site_colour

SCRIPT_INJECTION = "</script><script>alert(1)</script>"
ATTRIBUTE_INJECTION = '"><img src=x onerror=alert(1)>'
TEMPLATE_INJECTION = "`${alert(1)}`"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


# --- helpers -------------------------------------------------------------------------------


def load_features(data_dir: Path) -> list[dict]:
    return json.loads((data_dir / "atlas.geojson").read_text(encoding="utf-8"))["features"]


class _Text(HTMLParser):
    """Collects the text a browser would show for an HTML fragment (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


def overlay_labels(page: str) -> list[str]:
    """The text of each LayerControl overlay label."""
    block = re.search(r"overlays :  \{(.*?)\},\n", page, re.S).group(1)
    return [html_text(json.loads(key)) for key in re.findall(rf"({JS_STRING}) :", block)]


def legend_html(page: str) -> str:
    return json.loads(re.search(rf"div\.innerHTML = ({JS_STRING});", page).group(1))


def executable_scripts(page: str) -> list[str]:
    """Every <script> tag the browser would run: not the JSON data block."""
    return [
        tag for tag in re.findall(r"<script[^>]*>", page) if 'type="application/json"' not in tag
    ]


def local_resources(page: str) -> list[str]:
    """Every <script src> and <link href> the page loads (not its links to other pages:
    ``rel="alternate"``, the page in another language)."""
    links = re.findall(r"<link\s[^>]*>", page)
    loaded = [link for link in links if 'rel="alternate"' not in link]
    return re.findall(r'<script[^>]*\ssrc="([^"]+)"', page) + [
        re.search(r'\shref="([^"]+)"', link).group(1) for link in loaded
    ]


# --- the map page --------------------------------------------------------------------------


def test_index_is_one_full_window_map(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.text
    assert "<title>Corridor Atlas</title>" in page
    assert page.count("L.map(") == 1
    assert "L.control.layers(" in page


def test_map_is_rendered_once_not_per_request(client):
    # folium names every element with a random id, so a re-render would differ.
    assert client.get("/").data == client.get("/").data


def test_map_is_fitted_to_the_data_bounds(client, built_data_dir):
    min_lon, min_lat, max_lon, max_lat = json.loads(
        (built_data_dir / "atlas.geojson").read_text(encoding="utf-8")
    )["bbox"]
    bounds = map_data(client.get("/").text)["bounds"]  # map.js fits the map to them
    assert [*bounds[0], *bounds[1]] == pytest.approx([min_lat, min_lon, max_lat, max_lon])


def test_every_feature_is_drawn_with_its_class(client, built_data_dir):
    page = client.get("/").text
    for f in load_features(built_data_dir):
        kind_class = CORRIDOR_CLASS if f["properties"]["kind"] == "corridor" else SITE_CLASS
        assert page.count(f'"{kind_class} atlas-id-{f["properties"]["id"]}"') == 1


def test_popup_of_each_feature_quotes_its_sources(client, built_data_dir):
    popups = popups_by_id(client.get("/").text)
    features = load_features(built_data_dir)
    assert set(popups) == {f["properties"]["id"] for f in features}
    for f in features:
        props = f["properties"]
        text = html_text(popups[props["id"]])
        assert props["name"] in text
        assert props["category"] in text
        assert props["status"]["stage"] in text
        assert props["description"] in text
        for date in props["status"]["dates"]:
            assert f"{date['event']}: {date['when']}" in text
        for figure in props["figures"]:
            value = f"{format_number(figure['value'])} {figure.get('unit') or ''}".strip()
            assert f"{figure['label']}{value}" in text
        assert props["sources"], f"{props['id']} has no source"
        for source in props["sources"]:
            assert source["quote"] in text
            assert source["seed"] not in text  # cited by its article, not its file
            if source.get("title"):
                assert source["title"] in text


def test_one_overlay_per_corridor_and_per_site_category(client, built_data_dir):
    features = load_features(built_data_dir)
    corridors = [f["properties"]["name"] for f in features if f["properties"]["kind"] == "corridor"]
    categories = sorted(
        {f["properties"]["category"] for f in features if f["properties"]["kind"] == "site"}
    )
    labels = overlay_labels(client.get("/").text)
    assert labels[: len(corridors)] == corridors
    assert [label.rsplit(" (", 1)[0] for label in labels[len(corridors) :]] == categories


def test_base_layers_have_attributions(client):
    page = client.get("/").text
    for basemap in BASEMAPS:
        assert json.dumps(basemap.name) + " :" in page
        assert basemap.url in page
    assert page.count('"attribution":') == len(BASEMAPS)
    # One base layer shown, once the features are drawn (webapp.map.elements.StartAtlas).
    assert not re.search(r"tile_layer_\w+\.addTo\(", page)
    shown = re.findall(r"config\.bases\[(\"\w+\")\]\.addTo\(config\.map\)", page)
    assert shown == [json.dumps(BASEMAPS[0].key)]
    # The offline layer is a base layer too, drawn by map-basemap.js, attributed as asked.
    assert json.dumps(NATURAL_EARTH.name) + " :" in page
    assert json.dumps(NATURAL_EARTH.url) in page
    assert "Made with" in NATURAL_EARTH.attribution and "naturalearthdata.com" in (
        NATURAL_EARTH.attribution
    )
    assert not re.search(r"offline_basemap_\w+\.addTo\(", page), "tiles first, offline as fallback"


def test_corridors_sharing_a_name_keep_one_overlay_each(tmp_path):
    same = {"name": "Same name"}
    data_dir = write_data_dir(
        tmp_path, [feature("corridor", id="a", **same), feature("corridor", id="b", **same)]
    )
    page = create_app({"DATA_DIR": data_dir}).test_client().get("/").text
    assert overlay_labels(page) == ["Same name (a)", "Same name (b)"]


def test_legend_colours_match_the_markers(client, built_data_dir):
    page = client.get("/").text
    legend = legend_html(page)
    sites = [f for f in load_features(built_data_dir) if f["properties"]["kind"] == "site"]
    for site in sites:
        category = site["properties"]["category"]
        colour = site_colour(category)
        swatch = r'<path d="[^"]+" fill="([^"]+)"[^>]*/></svg>\s*<span[^>]*>'
        entry = re.search(rf"{swatch}{category}<", legend)
        assert entry.group(1) == colour
        class_name = f"{SITE_CLASS} atlas-id-{site['properties']['id']}"
        marker = re.search(rf'"className": "{class_name}"[^}}]*"fillColor": "([^"]+)"', page)
        assert marker.group(1) == colour
    for name in FILES:
        assert f'href="/data/{name}"' in legend


# --- self-hosted assets --------------------------------------------------------------------


def test_page_loads_only_local_scripts_and_stylesheets(client):
    page = client.get("/").text
    resources = local_resources(page)
    assert "/assets/leaflet/leaflet.js" in resources
    assert "/static/map.bundle.css" in resources  # Leaflet's stylesheet among the map's
    for url in resources:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"external resource {url}"
        with client.get(url) as response:
            assert response.status_code == 200, url
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()


def test_only_external_urls_are_tile_templates_and_attribution_links(client):
    allowed = {b.url for b in BASEMAPS}
    for basemap in (*BASEMAPS, NATURAL_EARTH):
        allowed |= set(re.findall(r'href="([^"]+)"', basemap.attribution))
    # Catalogue text (popups, tooltips) may quote a URL; it is shown, never loaded.
    page = re.sub(rf"\.bind(?:Popup|Tooltip)\(\s*{JS_STRING}", "", client.get("/").text)
    found = set(re.findall(r"https?://[^\s\"'\\<>]+", page))
    # The share card's meta tags name the atlas's own absolute addresses (og:url, og:image).
    own = {url for url in found if url.startswith("http://localhost/")}
    assert own and found - own <= allowed


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/assets/leaflet/leaflet.js", "text/javascript"),
        ("/assets/leaflet/leaflet.css", "text/css"),
        ("/static/atlas.css", "text/css"),
        ("/static/favicon.svg", "image/svg+xml"),
    ],
)
def test_assets_are_served(client, path, mimetype):
    with client.get(path) as response:
        assert response.status_code == 200
        assert response.mimetype == mimetype


def test_images_named_by_leaflet_css_are_served(client):
    with client.get("/assets/leaflet/leaflet.css") as response:
        css = response.text
    images = re.findall(r"url\(([^)#]+\.png)\)", css)
    assert images
    for image in images:
        with client.get(urljoin("/assets/leaflet/leaflet.css", image.strip("'\""))) as response:
            assert response.status_code == 200
            assert response.mimetype == "image/png"


# --- downloads and health ------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_download_is_the_built_file(client, built_data_dir, name):
    response = client.get(f"/data/{name}")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert response.data == (built_data_dir / name).read_bytes()
    again = client.get(f"/data/{name}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_healthz_reports_what_is_loaded(client, built_data_dir):
    import hashlib

    features = load_features(built_data_dir)
    corridors = sum(f["properties"]["kind"] == "corridor" for f in features)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.json
    assert body["status"] == "ok"
    assert body["features"] == {
        "corridors": corridors,
        "sites": len(features) - corridors,
        "total": len(features),
    }
    atlas_bytes = (built_data_dir / "atlas.geojson").read_bytes()
    assert body["build_id"] == hashlib.sha256(atlas_bytes).hexdigest()
    assert body["sources"] == 5
    assert body["built_at"].endswith("+00:00")


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/data/nope.geojson",
        "/data/../pyproject.toml",
        "/data/",
        "/assets/leaflet/leaflet-src.js.map",
        "/assets/leaflet/../__init__.py",
        "/static/nope.css",
        "/index.html",
        "/data/features/nope.geojson",
        "/data/features/bekabad-industrial-park.json",
        "/data/features/",
        "/data/atlas.xlsx",
        "/data/sources.json",
    ],
)
def test_unknown_paths_are_html_404s(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "404 Not Found" in response.text
    assert "Back to the map" in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/"),
        ("delete", "/data/atlas.geojson"),
        ("put", "/healthz"),
        ("post", "/assets/leaflet/leaflet.js"),
    ],
)
def test_wrong_methods_are_405s(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]


def test_error_pages_escape_the_request(client):
    response = client.get(f"/data/{ATTRIBUTE_INJECTION}")
    assert response.status_code == 404
    assert ATTRIBUTE_INJECTION not in response.text
    assert "<img" not in response.text


# --- security headers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/data/atlas.geojson", "/assets/leaflet/leaflet.js", "/nope"]
)
def test_security_headers_on_every_response(client, path):
    with client.get(path) as response:
        response.close()
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    # the reader's pages hold no secret: no new renderer process for them (webapp/security.py)
    assert "Cross-Origin-Opener-Policy" not in response.headers
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["img-src"] == ["'self'", "data:", *tile_origins()]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert all(s == "'self'" or s.startswith("'sha256-") for s in csp["script-src"])


def test_csp_allows_exactly_the_inline_scripts_of_the_page(client):
    # The page is rendered once per language (its layer names and popups differ): the policy
    # allows the inline scripts of the map page in each language, and nothing else.
    response = client.get("/")
    bodies = [
        body
        for language in ("en", "ru")
        for body in re.findall(
            r"<script>(.*?)</script>", client.get(f"/?lang={language}").text, re.S
        )
    ]
    expected = {
        "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
        for b in bodies
    }
    allowed = csp_directives(response)["script-src"][1:]
    assert set(allowed) == expected
    assert len(allowed) == len(expected)  # each hash once


# --- escaping of catalogue text ------------------------------------------------------------


@pytest.fixture
def hostile_page(tmp_path) -> str:
    """The map page of data whose every free-text field tries to break out of its context."""
    evil = f"{SCRIPT_INJECTION} {ATTRIBUTE_INJECTION} {TEMPLATE_INJECTION}"
    fields = {
        "name": evil,
        "aliases": [evil],
        "description": evil,
        "status": {"stage": evil, "dates": [{"event": evil, "when": evil}]},
        "figures": [{"label": evil, "value": evil, "unit": evil, "quote": evil}],
        "sources": [{"seed": evil, "quote": evil}],
    }
    data_dir = write_data_dir(
        tmp_path,
        [feature("corridor", **fields), feature("site", category=evil, **fields)],
    )
    app = create_app({"TESTING": True, "DATA_DIR": data_dir})
    return app.test_client().get("/").text


def test_hostile_text_never_reaches_the_page_unescaped(hostile_page):
    for raw in (SCRIPT_INJECTION, ATTRIBUTE_INJECTION, "<img", "alert(1)</"):
        assert raw not in hostile_page
    # Backticks and ${ survive only inside JSON strings, never in a JS template literal.
    outside_strings = re.sub(JS_STRING, '""', hostile_page)
    assert "`" not in outside_strings and "${" not in outside_strings
    # Only the app's own script files plus folium's two inline scripts: nothing was injected.
    scripts = executable_scripts(hostile_page)
    assert sum(1 for tag in scripts if "src=" not in tag) == 2
    local = re.compile(r'<script src="/(assets|static)/[\w./-]+\.js"( defer)?>')
    assert all(local.fullmatch(tag) or tag == "<script>" for tag in scripts), scripts
    # The JSON data block holds the hostile text only as escaped JSON strings.
    data = map_data(hostile_page)
    assert (
        data["features"][0]["name"]
        == f"{SCRIPT_INJECTION} {ATTRIBUTE_INJECTION} {TEMPLATE_INJECTION}"
    )


def test_hostile_text_is_shown_as_text(hostile_page):
    evil = f"{SCRIPT_INJECTION} {ATTRIBUTE_INJECTION} {TEMPLATE_INJECTION}"
    popups = popups_by_id(hostile_page)
    assert set(popups) == {"test-corridor", "test-site"}
    for popup in popups.values():
        assert "<script" not in popup and "<img" not in popup
        assert evil in html_text(popup)
    assert evil in html_text(legend_html(hostile_page))
    assert any(evil in label for label in overlay_labels(hostile_page))
    tooltips = re.findall(rf"\.bindTooltip\(\s*({JS_STRING})", hostile_page)
    assert all(html_text(json.loads(t)) == evil for t in tooltips)


# --- loading the data ----------------------------------------------------------------------


@pytest.fixture
def good_data_dir(tmp_path) -> Path:
    return write_data_dir(tmp_path, [feature("corridor"), feature("site")])


@pytest.mark.parametrize("name", FILES)
def test_missing_file_is_named(good_data_dir, name):
    (good_data_dir / name).unlink()
    with pytest.raises(AtlasDataError, match=re.escape(str(good_data_dir / name))):
        create_app({"DATA_DIR": good_data_dir})


@pytest.mark.parametrize("name", FILES)
def test_corrupt_file_is_named(good_data_dir, name):
    (good_data_dir / name).write_text(
        '{"type": "FeatureCollection", "features": [', encoding="utf-8"
    )
    with pytest.raises(AtlasDataError, match=re.escape(str(good_data_dir / name))):
        create_app({"DATA_DIR": good_data_dir})


@pytest.mark.parametrize(
    "bad",
    [
        {"geometry": {"type": "LineString", "coordinates": [[69.2, 41.3], [64.4, 39.8]]}},
        {"geometry": {"type": "Point", "coordinates": [[69.2, 41.3]]}},
        {"properties": {"id": "x", "name": "x", "kind": "site"}},
        {"properties": {"id": "not a slug", "name": "x", "kind": "site", "category": "monument"}},
    ],
)
def test_feature_breaking_the_contract_is_refused(tmp_path, bad):
    write_data_dir(tmp_path, [{**feature("site"), **bad}])
    with pytest.raises(AtlasDataError, match="does not follow the data contract"):
        create_app({"DATA_DIR": tmp_path})


def test_split_files_must_match_the_atlas(good_data_dir):
    (good_data_dir / "sites.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8"
    )
    with pytest.raises(AtlasDataError, match=r"sites\.geojson does not hold the same features"):
        create_app({"DATA_DIR": good_data_dir})


def test_default_data_dir_is_the_geodata_package():
    import geodata

    assert default_data_dir() == Path(geodata.__file__).parent


def test_app_never_loads_the_geocoders(built_data_dir):
    code = (
        "import sys; from webapp import create_app; "
        f"create_app({{'DATA_DIR': {str(built_data_dir)!r}}}); "
        "loaded = [m for m in sys.modules if m.startswith(('geodata.geocoding', 'geopy'))]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


# --- the waitress server -------------------------------------------------------------------


def test_server_serves_the_app(built_data_dir):
    server = make_server(built_data_dir, host="127.0.0.1", port=0)
    with running(server) as base, urllib.request.urlopen(f"{base}/healthz", timeout=10) as answer:
        assert answer.status == 200
        assert json.load(answer)["status"] == "ok"
