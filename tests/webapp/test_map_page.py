"""The map page's additions, checked without a browser: /embed and its framing headers, the
offline base layer, the page's JSON data (search keys, filter choices), header and popups.

The browser half (search, filters, permalinks, phone layout…) is tests/browser/test_map_browser.py;
the page and its files sent with gzip, tests/webapp/test_compression.py.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

import pytest
from shapely.geometry import box, shape

from geodata.names import exact_key, skeleton_key
from geodata.vocabulary import STAGES
from tests.support.pages import csp_directives, map_data, popups_by_id
from tests.support.samples import feature, features_of, write_data_dir
from webapp import create_app
from webapp.map.basemaps import NATURAL_EARTH
from webapp.map.bundles import LARGE_MAP_SCRIPTS, MAP_SCRIPTS, MAP_STYLES
from webapp.map.bundles import STATIC_DIR as STATIC
from webapp.map.pagedata import search_term
from webapp.map.routes import BASEMAP_DIR

BASEMAP_FILE = BASEMAP_DIR / "natural-earth.geojson"
#: The committed base layer must stay small: it is fetched by every offline visitor.
BASEMAP_MAX_BYTES = 400 * 1024


# --- /embed and framing ---------------------------------------------------------------------


def test_embed_is_the_same_map_page(client):
    assert client.get("/embed").data == client.get("/").data
    assert client.get("/embed?focus=bekabad-industrial-park&only=a,b").status_code == 200


@pytest.mark.parametrize("path", ["/embed", "/embed?focus=bekabad-industrial-park"])
def test_embed_may_be_framed_by_any_site(client, path):
    response = client.get(path)
    assert "X-Frame-Options" not in response.headers
    csp = csp_directives(response)
    assert csp["frame-ancestors"] == ["*"]
    # Everything else of the policy is the map page's.
    page_csp = csp_directives(client.get("/"))
    assert {k: v for k, v in csp.items() if k != "frame-ancestors"} == {
        k: v for k, v in page_csp.items() if k != "frame-ancestors"
    }


@pytest.mark.parametrize(
    "path",
    ["/", "/healthz", "/basemap/natural-earth.geojson", "/static/map.js", "/embed/x", "/nope"],
)
def test_every_other_response_refuses_framing(client, path):
    with client.get(path) as response:
        response.close()
    assert response.headers["X-Frame-Options"] == "DENY"
    assert csp_directives(response)["frame-ancestors"] == ["'none'"]


# --- the offline base layer -----------------------------------------------------------------


def test_offline_base_layer_is_served(client):
    with client.get(NATURAL_EARTH.url) as response:
        assert response.status_code == 200
        assert response.mimetype == "application/geo+json"
        assert response.data == BASEMAP_FILE.read_bytes()
    assert client.get("/basemap/other.geojson").status_code == 404


def test_offline_base_layer_is_small_attributed_and_covers_every_feature(built_data_dir):
    assert BASEMAP_FILE.stat().st_size < BASEMAP_MAX_BYTES
    collection = json.loads(BASEMAP_FILE.read_text(encoding="utf-8"))
    assert collection["attribution"] == "Made with Natural Earth"
    assert "Natural Earth" in (BASEMAP_DIR / "README.md").read_text(encoding="utf-8")
    layers = {f["properties"]["layer"] for f in collection["features"]}
    assert layers == {"land", "coastline", "border", "label"}
    land = [
        shape(f["geometry"]) for f in collection["features"] if f["properties"]["layer"] == "land"
    ]
    drawn = box(*collection["bbox"])
    for f in features_of(built_data_dir):
        geometry = shape(f["geometry"])
        assert drawn.contains(geometry.buffer(5)), f["properties"]["id"]  # 5° of margin
        if f["properties"]["kind"] == "site":
            assert any(part.buffer(0.5).contains(geometry) for part in land), f["properties"]["id"]
    labels = {f["properties"]["name"] for f in collection["features"] if "name" in f["properties"]}
    assert {"Uzbekistan", "Kazakhstan", "Turkmenistan", "Tajikistan", "Kyrgyzstan"} <= labels


# --- the page's JSON data -------------------------------------------------------------------


def test_every_feature_has_python_search_keys(client, built_data_dir):
    data = map_data(client.get("/").text)
    by_id = {f["id"]: f for f in data["features"]}
    for f in features_of(built_data_dir):
        props = f["properties"]
        terms = by_id[props["id"]]["terms"]
        texts = {t["text"] for t in terms}
        assert props["name"] in texts
        for name in [*props["aliases"], *(p["place"] for p in props["located_by"])]:
            # Each spelling is searchable (once: spellings with the same key are merged).
            assert any(t["keys"][0] == exact_key(name) for t in terms), name
        for term in terms:
            assert term["keys"] == [exact_key(term["text"]), skeleton_key(term["text"])]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Bekobod", "bekabad-industrial-park"),
        ("Tirmiz", "trans-afghan-transport-corridor"),
        ("Termez", "trans-afghan-transport-corridor"),
        ("Middle Corridor", "trans-caspian-international-transport-route"),
    ],
)
def test_transliterated_names_share_a_key_with_a_feature(client, query, expected):
    """The keys the browser compares: some term of the feature matches the query's key."""
    data = map_data(client.get("/").text)
    (found,) = [f for f in data["features"] if f["id"] == expected]
    keys = {k for t in found["terms"] for k in (t["keys"][1], *(w[1] for w in t["words"]))}
    exact = {k for t in found["terms"] for k in (t["keys"][0], *(w[0] for w in t["words"]))}
    assert exact_key(query) in exact or skeleton_key(query) in keys


def test_search_term_keys_whole_names_and_words():
    term = search_term("Termez–Mazar-i-Sharif railway", "alias")
    assert term["keys"] == [exact_key(term["text"]), skeleton_key(term["text"])]
    assert ["termez", "trmz"] in term["words"]
    assert search_term("Bekabad", "place")["words"] == []  # one word: the whole key suffices


def test_filter_choices_cover_every_feature(client, built_data_dir):
    data = map_data(client.get("/").text)
    features = features_of(built_data_dir)
    categories = {c["name"]: c for c in data["categories"]}
    overlays = {o["key"]: o for o in data["overlays"]}
    for f in features:
        props = f["properties"]
        (entry,) = [d for d in data["features"] if d["id"] == props["id"]]
        assert props["id"] in overlays[entry["overlay"]]["features"]
        assert entry["overlay"] in categories[props["category"]]["overlays"]
        assert entry["stage"] in {s["key"] for s in data["stages"]}
        assert set(props["countries"]) <= {c["code"] for c in data["countries"]}
    # Corridor categories first, stages in project order, countries named.
    kinds = [c["kind"] for c in data["categories"]]
    assert kinds == sorted(kinds, key=lambda k: k != "corridor")
    names = [s["name"] for s in data["stages"]]
    assert names == [s for s in STAGES if s in names]
    assert {"code": "UZ", "name": "Uzbekistan"}.items() <= next(
        c for c in data["countries"] if c["code"] == "UZ"
    ).items()


def test_hostile_names_stay_data(tmp_path):
    evil = '</script><script>alert(1)</script>"'
    data_dir = write_data_dir(tmp_path, [feature("site", name=evil, aliases=[evil])])
    page = create_app({"DATA_DIR": data_dir}).test_client().get("/").text
    assert evil not in page
    assert map_data(page)["features"][0]["name"] == evil


# --- header, scripts, popups -----------------------------------------------------------------


def test_page_has_a_labelled_search_box_and_the_site_navigation(client):
    page = client.get("/").text
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<label class="atlas-visually-hidden" for="atlas-search-input">' in page
    assert 'role="combobox"' in page and 'aria-controls="atlas-search-results"' in page
    for href in ("/features", "/sources", "/data", "/api"):
        assert f'<a href="{href}">' in page
    map_id = re.search(r'<div class="folium-map" id="(map_\w+)"', page).group(1)
    assert f'href="#{map_id}">Skip to the map</a>' in page


@pytest.mark.parametrize(
    ("bundle", "parts"),
    [
        ("map.bundle.js", MAP_SCRIPTS),
        ("map-large.bundle.js", LARGE_MAP_SCRIPTS),
        ("map.bundle.css", MAP_STYLES),
    ],
)
def test_map_bundles_join_the_map_files_in_order(client, bundle, parts):
    with client.get(f"/static/{bundle}") as response:
        assert response.status_code == 200
        assert response.mimetype == ("text/javascript" if bundle.endswith(".js") else "text/css")
        assert response.headers["ETag"]
        text = response.text
    positions = [text.index(f"/* {name} */\n") for name in parts]
    assert positions == sorted(positions)
    for name in parts:
        assert (STATIC / name).read_text(encoding="utf-8") in text
    # No URL to load from elsewhere in the app's files (the SVG namespace is a name, not a
    # resource; Leaflet's stylesheet names a bug report in a comment).
    own = text[text.index(f"/* {parts[0]} */") :]
    assert "http://" not in own.replace('"http://www.w3.org/2000/svg"', "")
    assert "https://" not in own
    with client.get(
        f"/static/{bundle}", headers={"If-None-Match": response.headers["ETag"]}
    ) as again:
        assert again.status_code == 304


def test_only_leaflet_and_the_stylesheet_block_the_first_paint(client):
    """The page's <head> loads the theme, Leaflet and one stylesheet (Leaflet's among the
    map's); the page's own script loads the map's scripts (one bundle) after the first frame:
    nothing else holds up the features or competes with them."""
    page = client.get("/").text
    head = page[: page.index("</head>")]
    assert re.findall(r"<script[^>]*\ssrc=[^>]*>", head) == [
        '<script src="/static/theme.js">',
        '<script src="/assets/leaflet/leaflet.js">',
    ]
    inline = page[page.rindex("<script>") :]
    after_first_frame = inline[inline.index("requestAnimationFrame(") :]
    assert 'scripts.src = "/static/map.bundle.js";' in after_first_frame
    sheets = re.findall(r'<link rel="stylesheet"[^>]*>', head)
    assert sheets == [
        '<link rel="stylesheet" href="/static/print.css" media="print">',
        '<link rel="stylesheet" href="/static/map.bundle.css"/>',
    ]
    with client.get("/static/map.bundle.css") as response:
        css = response.text
    assert css.startswith("/* leaflet.css */")
    images = re.findall(r"url\(([^)#]+\.png)\)", css)
    assert images and all(image.startswith("../assets/leaflet/images/") for image in images)
    for image in images:
        with client.get(urljoin("/static/map.bundle.css", image)) as response:
            assert response.status_code == 200
            assert response.mimetype == "image/png"


def test_unknown_bundles_are_not_found(client):
    assert client.get("/static/map.bundle.json").status_code == 404
    assert client.get("/static/other.bundle.js").status_code == 404


def test_popups_link_to_the_feature_page(client, built_data_dir):
    popups = popups_by_id(client.get("/").text)
    for feature_id, popup in popups.items():
        assert f'<a href="/features/{feature_id}">' in popup


# --- languages (issue 13) ---------------------------------------------------------------------


def test_accept_language_russian_gets_the_russian_map_and_lang_en_the_english(client):
    russian = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    page = russian.get_data(as_text=True)
    assert russian.headers["Content-Language"] == "ru"
    assert '<html lang="ru">' in page
    assert "Перейти к карте" in page and 'placeholder="Поиск: Бекабад' in page
    data = map_data(page)
    assert {"label": "строится", "name": "under construction"}.items() <= {
        k: v for s in data["stages"] for k, v in s.items() if s["key"] == "under-construction"
    }.items()
    assert "Казахстан" in {c["name"] for c in data["countries"]}

    english = client.get("/?lang=en", headers={"Accept-Language": "ru"})
    page = english.get_data(as_text=True)
    assert english.headers["Content-Language"] == "en"
    assert '<html lang="en">' in page
    assert "Skip to the map" in page and "Перейти" not in page
    assert "Kazakhstan" in {c["name"] for c in map_data(page)["countries"]}


def test_russian_popups_name_features_in_russian_and_mark_english_data(client, built_data_dir):
    page = client.get("/?lang=ru").get_data(as_text=True)
    popups = popups_by_id(page)
    corridor = popups["north-south-international-transport-corridor"]
    assert '<h3 class="atlas-popup-name">Международный транспортный коридор «Север — Юг»</h3>' in (
        corridor
    )
    assert '<p class="atlas-popup-english-name" lang="en">North–South' in corridor
    assert re.search(r"≈\s6\s300\sкм по схематичной линии", corridor)
    site = popups["taraz-electrometallurgical-plant"]
    assert '<h3 class="atlas-popup-name" lang="en">' in site
    assert re.search(r"строится</strong>\s*— по состоянию на 14 июля 2024\sг\.", site)
    # The same popup, fetched one by one as a large atlas's page does, in the asked language.
    fetched = client.get("/assets/map/popups/taraz-electrometallurgical-plant.html?lang=ru")
    assert "по состоянию на 14 июля 2024" in fetched.get_data(as_text=True)
    english = popups_by_id(client.get("/?lang=en").get_data(as_text=True))
    assert "as reported on 14 July 2024" in english["taraz-electrometallurgical-plant"]
    assert '<h3 class="atlas-popup-name">' in english["taraz-electrometallurgical-plant"]
