"""The hostile catalogue (``tests/support/hostile.py``) served by the app, read without a browser.

Catalogue text reaches HTML only as text: no payload appears raw, no element or event handler
comes from the data, no ``href`` or ``src`` takes a catalogue string, and the map page has the
same elements and inline scripts as the real one. The text itself survives unchanged: in HTML
(once parsed), in the map's JSON and popups, in the API's JSON, in CSV (formula-like cells get
an apostrophe) and in KML (parsed with ElementTree). The vocabularies and ids refuse hostile
values, and even a hand-edited GeoJSON with hostile vocabulary is escaped. Last, every route
answers with the security headers, whatever the method, status or cache state.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from geodata.build import build
from geodata.errors import CatalogueError
from geodata.geopackage import NUL_STAND_IN
from tests.support import hostile
from webapp import create_app
from webapp.downloads.csv import COLUMNS
from webapp.map.assets import page_assets
from webapp.model.atlas import AtlasDataError
from webapp.model.subsets import SELECTION_FORMATS
from webapp.security import inline_script_hashes
from webapp.share import shorten

ENTRIES = {entry["id"]: entry for entry in hostile.catalogue()["entries"]}
#: Where a large atlas's map fetches its features and popups.
MAP_FEED, MAP_POPUPS = page_assets().map_features, page_assets().map_popups
FEATURE_PAGES = [f"/features/{feature_id}" for feature_id in ENTRIES]
SOURCE_PAGES = ["/sources/hostile_article", "/sources/hostile_headline"]
#: Payloads that are markup: none may appear as they are in an HTML answer.
MARKUP = [p for p in hostile.PAYLOADS.values() if "<" in p or ">" in p]
#: Attributes that hold a URL.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href"}
#: A URL the app may write: a path of this origin, a fragment or query, or an https/http link.
SAFE_URL = re.compile(r"^(?:/(?!/)|#|\?|https?://)")
#: Elements no page of the atlas writes in its HTML.
FORBIDDEN_TAGS = {"img", "svg", "math", "object", "embed", "base", "frame", "frameset"}
JS_STRING = r'"(?:[^"\\]|\\.)*"'


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir, compiled = hostile.build_hostile(tmp_path_factory.mktemp("hostile"))
    assert (compiled.corridors, compiled.sites, compiled.not_mapped) == (2, 3, 1)
    return data_dir


@pytest.fixture(scope="module")
def hostile_app(hostile_data: Path):
    return create_app({"TESTING": True, "DATA_DIR": hostile_data})


@pytest.fixture
def hclient(hostile_app):
    return hostile_app.test_client()


class Parsed(HTMLParser):
    """An HTML document as its elements, its visible text and its inline scripts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag
            if tag == "script":
                self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        elif self._in is None:
            self.text.append(data)

    def visible_text(self) -> str:
        return "".join(self.text)

    def tags(self) -> Counter[str]:
        return Counter(tag for tag, _ in self.elements)

    def executable_scripts(self) -> list[str]:
        """Bodies of the inline scripts a browser would run (not JSON data blocks)."""
        return [
            body
            for attrs, body in self.scripts
            if "src" not in attrs and attrs.get("type") in (None, "text/javascript", "module")
        ]


def html_text(fragment: str) -> str:
    return Parsed(fragment).visible_text()


def markup_problems(html: str) -> list[str]:
    """Elements, handlers, URLs or raw payloads that catalogue text could have introduced."""
    page = Parsed(html)
    problems = [f"raw payload {p!r}" for p in MARKUP if p in html]
    for tag, attrs in page.elements:
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}> element {attrs}")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"event handler {name}={value!r} on <{tag}>")
            unsafe_url = not SAFE_URL.match(value or "") or "__pwned" in (value or "")
            if name in URL_ATTRIBUTES and unsafe_url:
                problems.append(f"<{tag} {name}={value!r}>")
        equiv = (attrs.get("http-equiv") or "content-type").lower()
        if tag == "meta" and equiv != "content-type":
            problems.append(f"<meta http-equiv={equiv!r}>")
    return problems


def js_strings(page: str, call: str) -> list[str]:
    """The decoded first argument of every ``.<call>(...)`` in the page's script."""
    return [json.loads(s) for s in re.findall(rf"\.{call}\(\s*({JS_STRING})", page)]


def properties_of(document: dict) -> dict[str, dict]:
    features = document.get("features", [document])
    return {f["properties"]["id"]: f["properties"] for f in features}


def assert_text_kept(properties: dict, entry: dict) -> None:
    """Every text field of a served feature is exactly the catalogue's text."""
    assert properties["name"] == entry["name"]
    assert properties["aliases"] == entry["aliases"]
    assert properties["description"] == entry["description"]
    # The build reads each date's words; build_hostile writes hostile words in afterwards.
    assert [(d["event"], d["when"]) for d in properties["status"]["dates"]] == [
        (d["event"], hostile.text("When")) for d in entry["status"]["dates"]
    ]
    assert [(f["label"], f["unit"], f["quote"]) for f in properties["figures"]] == [
        (f["label"], f["unit"], f["quote"]) for f in entry["figures"]
    ]
    assert [s["quote"] for s in properties["sources"]] == [s["quote"] for s in entry["sources"]]


def curated_places(entry: dict) -> list[dict]:
    places = [entry.get("location"), *entry.get("route", [])]
    places += [place for branch in entry.get("branches", []) for place in branch]
    return [p for p in places if p and "lat" in p]


# --- HTML: escaped, never markup -------------------------------------------------------------

ENGLISH_PAGES = [
    "/",
    "/embed",
    "/embed?focus=hostile-site-alpha",
    "/features",
    "/features?kind=site&category=technopark&sort=name&order=desc",
    "/features?country=UZ&status=planned",
    "/features?as_of=2026-06&status=planned",
    *FEATURE_PAGES,
    "/sources",
    *SOURCE_PAGES,
    "/data",
    "/api",
    "/about",
]
#: Every page again in Russian: translations are trusted text, but the catalogue's text is
#: placed into them through placeholders, which must still escape it.
HTML_PAGES = [
    *ENGLISH_PAGES,
    *(f"{page}{'&' if '?' in page else '?'}lang=ru" for page in ENGLISH_PAGES),
]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_carry_no_markup_from_the_catalogue(hclient, path):
    response = hclient.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert markup_problems(response.text) == []


def _share_card(html: str) -> dict[str, str | None]:
    return {
        (attrs.get("property") or attrs.get("name") or ""): attrs.get("content")
        for tag, attrs in Parsed(html).elements
        if tag == "meta"
        and (attrs.get("property") or attrs.get("name") or "")[:3] in ("og:", "twi")
    }


@pytest.mark.parametrize(
    "path", [*FEATURE_PAGES, *SOURCE_PAGES, *(f"{p}?lang=ru" for p in FEATURE_PAGES)]
)
def test_share_cards_keep_the_catalogue_text_inside_their_attributes(hclient, path):
    """og:/twitter: tags hold hostile names and descriptions as text, whole (a description cut
    to a card's length), and their image is the feature's, drawn despite the hostile name."""
    page = hclient.get(path).text
    card = _share_card(page)
    title = Parsed(page).visible_text()  # the <title> comes first
    assert card["og:title"] == card["twitter:title"]
    assert title.lstrip().startswith(f"{card['og:title']} · Corridor Atlas")
    if path.startswith("/features/"):
        entry = ENTRIES[path.removeprefix("/features/").split("?")[0]]
        assert card["og:description"] == shorten(entry["description"])
        assert entry["name"] in (card["og:image:alt"] or "")
        image = card["og:image"] or ""
        assert image == f"http://localhost/previews/features/{entry['id']}.png"
        served = hclient.get(image.removeprefix("http://localhost"))
        assert (served.status_code, served.mimetype) == (200, "image/png")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/features/{quote(hostile.SCRIPT, safe='')}", 404),
        (f"/features/{quote(hostile.PAYLOADS['img-attribute'], safe='')}", 404),
        (f"/sources/{quote(hostile.PAYLOADS['svg-attribute'], safe='')}", 404),
        (f"/data/{quote(hostile.PAYLOADS['img-attribute'], safe='')}", 404),
        (f"/nope/{quote(hostile.ALL, safe='/')}", 404),
        (f"/features?kind={quote(hostile.SCRIPT)}", 400),
        (f"/features?category={quote(hostile.PAYLOADS['img-attribute'])}", 400),
        (f"/features?sort={quote(hostile.PAYLOADS['svg-attribute'])}", 400),
        (f"/features?country={quote(hostile.PAYLOADS['js-template'])}", 400),
        *((f"/features?as_of={quote(value)}", 400) for value in hostile.BAD_AS_OF[-4:-1]),
    ],
)
def test_error_pages_escape_what_the_request_carried(hclient, path, status):
    response = hclient.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert markup_problems(response.text) == []
    assert f"{status} " in html_text(response.text)


def test_map_page_has_the_elements_and_scripts_of_the_real_one(hclient, client):
    hostile_page, real_page = hclient.get("/").text, client.get("/").text
    hostile_parsed, real_parsed = Parsed(hostile_page), Parsed(real_page)
    assert hostile_parsed.tags() == real_parsed.tags()
    scripts = hostile_parsed.executable_scripts()
    assert len(scripts) == len(real_parsed.executable_scripts())
    assert len(inline_script_hashes(hostile_page)) == len(inline_script_hashes(real_page))
    for body in scripts:
        for payload in MARKUP:
            assert payload not in body
        assert "{{" not in body and "{%" not in body  # catalogue braces stay JSON-escaped


def test_map_page_shows_the_text_literally(hclient):
    page = hclient.get("/").text
    data_block = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', page)
    assert data_block is not None
    data = json.loads(data_block.group(1))
    assert {f["id"]: f["name"] for f in data["features"]} == {
        i: e["name"] for i, e in ENTRIES.items()
    }
    popups = [html_text(html) for html in js_strings(page, "bindPopup")]
    tooltips = [html_text(html) for html in js_strings(page, "bindTooltip")]
    assert len(popups) == len(tooltips) == len(ENTRIES)
    for entry in ENTRIES.values():
        assert entry["name"] in tooltips
        popup = next(p for p in popups if p.lstrip().startswith(entry["name"]))
        for text in [entry["description"], *entry["aliases"], entry["figures"][0]["unit"]]:
            assert text in popup
        for source in entry["sources"]:
            assert source["quote"] in popup
    (legend,) = re.findall(rf"div\.innerHTML = ({JS_STRING})", page)
    legend_text = html_text(json.loads(legend))
    labels = [html_text(json.loads(k)) for k in re.findall(rf"({JS_STRING}) : \w+,", page)]
    for corridor in (e for e in ENTRIES.values() if e["kind"] == "corridor"):
        assert corridor["name"] in legend_text
        assert corridor["name"] in labels


@pytest.mark.parametrize("feature_id", list(ENTRIES))
def test_popup_fragments_are_escaped_and_literal(hclient, feature_id):
    """The popups a large atlas's map fetches (MAP_POPUPS + <id>.html)."""
    with hclient.get(f"{MAP_POPUPS}{feature_id}.html") as response:
        html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert markup_problems(html) == []
    entry, text = ENTRIES[feature_id], html_text(html)
    for field in [entry["name"], entry["description"], *entry["aliases"]]:
        assert field in text
    assert all(s["quote"] in text for s in entry["sources"])


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings(item)


def test_map_feed_keeps_the_names_exactly(hclient):
    with hclient.get(MAP_FEED) as response:
        strings = set(_strings(json.loads(response.get_data())))
    assert {entry["name"] for entry in ENTRIES.values()} <= strings


@pytest.fixture(scope="module")
def large_client(hostile_data: Path):
    """The hostile atlas on the page of a large atlas (features fetched, sites clustered)."""
    limits = {"map_inline_features": 0}
    app = create_app({"TESTING": True, "DATA_DIR": hostile_data, "LIMITS": limits})
    return app.test_client()


@pytest.mark.parametrize("path", ["/", "/embed?focus=hostile-site-alpha"])
def test_large_map_page_carries_no_markup(large_client, path):
    page = large_client.get(path).text
    assert markup_problems(page) == []
    for body in Parsed(page).executable_scripts():
        assert "{{" not in body and "{%" not in body
        assert not any(payload in body for payload in MARKUP)


def test_no_template_in_the_catalogue_is_evaluated(tmp_path):
    """Catalogue text once ran as Jinja on the server: branca compiles each element's output."""
    document = hostile.catalogue()
    site = document["entries"][2]
    site["name"] = "Probe {{ lipsum.__globals__.os.getcwd() }} {{7*7}} {% if 1 %}yes{% endif %}"
    document["entries"][0]["name"] = "Unbalanced {{ corridor {% endif %} {#"
    catalogue_path, seeds_dir = hostile.write_inputs(tmp_path, hostile.checkable(document))
    build(tmp_path / "data", catalogue_path=catalogue_path, seeds_dir=seeds_dir)
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data"})  # no TemplateSyntaxError
    page = app.test_client().get("/").text
    names = js_strings(page, "bindTooltip")
    assert site["name"] in [html_text(n) for n in names]
    assert str(Path.cwd()) not in page
    assert "49" not in " ".join(names)


@pytest.mark.parametrize("path", [p for p in HTML_PAGES if p.startswith(("/features", "/s", "/d"))])
def test_text_pages_show_the_text_literally(hclient, path):
    text = html_text(hclient.get(path).text)
    for payload in hostile.PAYLOADS.values():
        assert payload in text


@pytest.mark.parametrize("feature_id", list(ENTRIES))
def test_feature_pages_show_every_field_literally(hclient, feature_id):
    entry = ENTRIES[feature_id]
    page = Parsed(hclient.get(f"/features/{feature_id}").text)
    text = page.visible_text()
    fields = [entry["name"], entry["description"], *entry["aliases"]]
    fields += [f"{d['event']}: {hostile.text('When')}" for d in entry["status"]["dates"]]
    fields += [f["unit"] for f in entry["figures"]] + [f["quote"] for f in entry["figures"]]
    fields += [s["quote"] for s in entry["sources"]]
    for place in curated_places(entry):
        fields += [place["name"], f"curated: {place['reference']}"]
    for field in fields:
        assert field in text
    # The embed snippet is HTML to paste: one iframe of this atlas, its title the name as text.
    snippet = Parsed(next(t for t in page.text if t.startswith("<iframe")))
    ((tag, attrs),) = snippet.elements
    assert tag == "iframe" and not any(name.startswith("on") for name in attrs)
    assert attrs["src"] == f"http://localhost/embed?focus={feature_id}"
    assert attrs["title"] == f"Map of {entry['name']} (Corridor Atlas)"


def test_no_link_takes_a_catalogue_string(hclient):
    for path in HTML_PAGES[3:]:
        for tag, attrs in Parsed(hclient.get(path).text).elements:
            for name in URL_ATTRIBUTES & set(attrs):
                value = attrs[name] or ""
                assert "javascript" not in value.lower(), (path, tag, value)
                assert "Hostile" not in value and "Reference" not in value, (path, tag, value)


# --- JSON, CSV, KML: well-formed, the text as data --------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/features",
        "/api/features?kind=site&limit=2&offset=1",
        "/ogc/collections/atlas/items",
        "/data/atlas.geojson",
        "/data/corridors.geojson",
        "/data/sites.geojson",
        *[f"/data/features/{i}.geojson" for i in ENTRIES],
        *[f"/ogc/collections/atlas/items/{i}" for i in ENTRIES],
    ],
)
def test_json_answers_keep_the_text_exactly(hclient, path):
    with hclient.get(path) as response:
        body = response.get_data()
    assert response.status_code == 200
    for properties in properties_of(json.loads(body)).values():
        assert_text_kept(properties, ENTRIES[properties["id"]])


@pytest.mark.parametrize("payload", [*hostile.PAYLOADS.values(), hostile.CONTROLS])
@pytest.mark.parametrize("endpoint", ["/api/features", "/ogc/collections/atlas/items"])
def test_hostile_queries_get_json(hclient, endpoint, payload):
    response = hclient.get(endpoint, query_string={"q": payload})
    assert response.status_code in (200, 400)
    document = json.loads(response.get_data())
    if response.status_code == 400:
        assert response.mimetype == "application/problem+json"
        assert document["detail"]
    else:
        assert document["type"] == "FeatureCollection"


TEXT_COLUMNS = (
    "id",
    "name",
    "name_ru",
    "name_uz",
    "name_kk",
    "aliases",
    "kind",
    "category",
    "countries",
    "status",
    "stage",
    "reported_on",
    "first_source",
    "dates",
    "figures",
    "description",
    "sources",
    "nearest_corridor",
    "nearest_corridor_id",
    "sites_within_100km",
    "waypoints",
)
#: The other columns hold numbers (empty when they do not apply) or the WKT geometry.
NUMBER_COLUMNS = (
    "source_count",
    "length_km",
    "lon",
    "lat",
    "nearest_corridor_km",
    "sites_within_100km_count",
)


def neutralised(text: str) -> str:
    """How a text cell starting like a formula is written: after an apostrophe."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@pytest.mark.parametrize("name", ["atlas.csv", "corridors.csv", "sites.csv"])
def test_csv_is_well_formed_and_runs_no_formula(hclient, name):
    with hclient.get(f"/data/{name}") as response:
        body = response.get_data()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows
    for row in rows:
        entry = ENTRIES[row["id"]]
        assert row["name"] == neutralised(entry["name"])
        assert row["aliases"] == neutralised(" | ".join(entry["aliases"]))
        assert row["description"] == neutralised(entry["description"])
        for column in TEXT_COLUMNS:
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), column
        for column in NUMBER_COLUMNS:
            assert row[column] == "" or math.isfinite(float(row[column])), column
        assert row["wkt"].startswith(("POINT", "LINESTRING", "MULTILINESTRING"))
    assert set(rows[0]) == {*TEXT_COLUMNS, *NUMBER_COLUMNS, "wkt"} == set(COLUMNS)
    beta = [row for row in rows if row["id"] == "hostile-site-beta"]
    assert len(beta) == (0 if name == "corridors.csv" else 1)
    for row in beta:  # the entry whose fields start like formulas
        for column in ("name", "aliases", "description", "dates", "figures"):
            assert row[column].startswith("'"), column


KML = "{http://www.opengis.net/kml/2.2}"


@pytest.mark.parametrize("name", ["atlas.kml", "corridors.kml", "sites.kml"])
def test_kml_is_well_formed_and_keeps_the_text(hclient, name):
    with hclient.get(f"/data/{name}") as response:
        body = response.get_data()
    root = ET.fromstring(body)  # raises on anything XML cannot hold
    placemarks = root.iter(f"{KML}Placemark")
    seen = set()
    for placemark in placemarks:
        data = {
            d.get("name"): d.findtext(f"{KML}value") or "" for d in placemark.iter(f"{KML}Data")
        }
        entry = ENTRIES[data["id"]]
        seen.add(data["id"])
        assert placemark.findtext(f"{KML}name") == entry["name"]
        assert data["aliases"] == " | ".join(entry["aliases"])
        balloon = placemark.findtext(f"{KML}description") or ""
        assert markup_problems(balloon) == []
        assert {tag for tag, _ in Parsed(balloon).elements} <= {"p", "ul", "li"}
        shown = html_text(balloon)
        description = entry["description"].replace(hostile.CONTROLS, hostile.CONTROLS_IN_XML)
        for text in (description, entry["sources"][0]["quote"]):
            assert text in shown
    kinds = {"corridors.kml": {"corridor"}, "sites.kml": {"site"}}.get(name, {"corridor", "site"})
    assert seen == {i for i, e in ENTRIES.items() if e["kind"] in kinds}


def test_control_characters_stay_exact_in_json(hostile_data):
    features = json.loads((hostile_data / "atlas.geojson").read_text(encoding="utf-8"))
    beta = properties_of(features)["hostile-corridor-beta"]
    assert hostile.CONTROLS in beta["description"]


# --- ids and vocabularies refuse hostile values ----------------------------------------------


def _set(entry: dict, dotted: str, value: object) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        entry = entry[part]
    entry[last] = value


@pytest.mark.parametrize(("field", "value"), hostile.REJECTED_FIELDS)
def test_ids_and_vocabularies_refuse_hostile_values(tmp_path, field, value):
    document = hostile.catalogue()
    _set(document["entries"][2], field, value)
    catalogue_path, seeds_dir = hostile.write_inputs(tmp_path, document)
    with pytest.raises(CatalogueError) as caught:
        build(tmp_path / "data", catalogue_path=catalogue_path, seeds_dir=seeds_dir)
    message = str(caught.value)
    expected_field = "countries[0]" if field == "countries" else field
    assert str(catalogue_path) in message
    assert f"field '{expected_field}'" in message
    assert not (tmp_path / "data").exists()


def test_a_seed_file_named_with_markup_is_never_served(tmp_path):
    document = hostile.catalogue()
    name = '"><img src=x onerror=alert(7)>.txt'
    document["not_mapped"].append(
        {"name": "Odd file", "why": "Its name is markup.", "sources": [{"seed": name}]}
    )
    document["not_mapped"][-1]["sources"][0]["quote"] = "a quote in an oddly named file"
    catalogue_path, seeds_dir = hostile.write_inputs(tmp_path, document)
    (seeds_dir / name).write_text("Here is a quote in an oddly named file.\n", encoding="utf-8")
    try:
        build(tmp_path / "data", catalogue_path=catalogue_path, seeds_dir=seeds_dir)
    except CatalogueError:
        return  # refused by the pipeline: the best place
    with pytest.raises(AtlasDataError, match="slug"):
        create_app({"TESTING": True, "DATA_DIR": tmp_path / "data"})


# --- a hand-edited GeoJSON with hostile vocabulary is still escaped --------------------------


@pytest.fixture(scope="module")
def tampered_client(hostile_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """The hostile build with hostile categories, stages, countries and resolutions written
    into the GeoJSON by hand (the pipeline would refuse them; the app must still escape them)."""
    data_dir = tmp_path_factory.mktemp("tampered")
    for path in hostile_data.iterdir():
        if path.is_file():  # not the previews folder: the cards fall back to none
            shutil.copy(path, data_dir / path.name)
    for name in ("atlas.geojson", "corridors.geojson", "sites.geojson"):
        document = json.loads((data_dir / name).read_text(encoding="utf-8"))
        for feature in document["features"]:
            p = feature["properties"]
            p["category"] = f"{hostile.PAYLOADS['img-attribute']} {p['category']}"
            p["status"]["stage"] = p["stage"] = hostile.SCRIPT
            p["countries"] = [hostile.PAYLOADS["svg-attribute"], "UZ"]
            for place in p["located_by"]:
                place["resolved_by"] = hostile.PAYLOADS["javascript-url"]
        (data_dir / name).write_text(json.dumps(document), encoding="utf-8")
    return create_app({"TESTING": True, "DATA_DIR": data_dir}).test_client()


@pytest.mark.parametrize(
    "path", ["/", "/features", *FEATURE_PAGES[:1], FEATURE_PAGES[-1], "/data", "/api"]
)
def test_hand_edited_vocabulary_is_escaped(tampered_client, path):
    response = tampered_client.get(path)
    assert response.status_code == 200
    assert markup_problems(response.text) == []


@pytest.mark.parametrize("name", ["atlas.csv", "atlas.kml", "atlas.geojson"])
def test_hand_edited_vocabulary_keeps_downloads_well_formed(tampered_client, name):
    with tampered_client.get(f"/data/{name}") as response:
        body = response.get_data()
    assert response.status_code == 200
    if name.endswith(".kml"):
        for description in ET.fromstring(body).iter(f"{KML}description"):
            assert markup_problems(description.text or "") == []
    elif name.endswith(".csv"):
        assert len(list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))) == len(ENTRIES)
    else:
        assert len(json.loads(body)["features"]) == len(ENTRIES)


# --- security headers on every response -------------------------------------------------------

DOWNLOADS = [
    *(f"/data/{k}.{x}" for k in ("atlas", "corridors", "sites") for x in ("geojson", "csv", "kml")),
    "/data/atlas.gpkg",
    *(f"/data/selection.{x}?kind=site&q=alpha" for x in SELECTION_FORMATS),
]
#: At least one URL per route of the app, successes and errors alike.
EVERY_ROUTE = [
    *HTML_PAGES,
    "/healthz",
    *DOWNLOADS,
    "/data/features/hostile-site-alpha.geojson",
    MAP_FEED,
    f"{MAP_POPUPS}hostile-site-alpha.html",
    f"{MAP_POPUPS}nope.html",
    "/api/features?q=alpha",
    "/api/places?q=Tashkent",
    "/api/places/?q=%3Cscript%3E",
    "/ogc/collections?f=html",
    "/ogc/collections/sites/items?f=html&limit=2",
    "/basemap/cities.geojson",
    "/api/openapi.json",
    "/api/nope",
    "/ogc",
    "/ogc/conformance",
    "/ogc/api",
    "/ogc/collections",
    "/ogc/collections/sites",
    "/ogc/collections/sites/items?limit=2",
    "/ogc/collections/sites/items/hostile-site-alpha",
    "/ogc/collections/sites/queryables",
    "/ogc/nope",
    # every API and OGC path answers under a trailing slash too
    "/api/",
    "/api/features/",
    "/api/openapi.json/",
    "/ogc/",
    "/ogc/conformance/",
    "/ogc/api/",
    "/ogc/collections/",
    "/ogc/collections/sites/",
    "/ogc/collections/sites/items/",
    "/ogc/collections/sites/items/hostile-site-alpha/",
    "/ogc/collections/sites/queryables/",
    "/ogc?f=xml",
    "/static/atlas.css",
    "/static/map.js",
    "/static/map.bundle.js",
    "/static/favicon.svg",
    "/assets/leaflet/leaflet.js",
    "/assets/leaflet/leaflet.css",
    "/assets/leaflet/images/layers.png",
    "/basemap/natural-earth.geojson",
    "/nope",
    "/features/nope",
    "/features?kind=nope",
    "/api/features?limit=ten",
    "/data/nope.csv",
    "/previews/atlas.png",
    "/previews/features/hostile-site-alpha.png",
    "/previews/features/nope.png",
]


def test_the_route_list_covers_every_route(hostile_app):
    adapter = hostile_app.url_map.bind("localhost")
    reached = set()
    for url in EVERY_ROUTE:
        path = url.split("?")[0]
        try:
            endpoint, _ = adapter.match(path)
        except Exception:  # a 404 URL reaches no route
            continue
        reached.add(endpoint)
    assert reached == {rule.endpoint for rule in hostile_app.url_map.iter_rules()}


def _frameable(url: str) -> bool:
    return url.split("?")[0] == "/embed"


@pytest.mark.parametrize("url", EVERY_ROUTE)
@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "POST"])
def test_security_headers_on_every_response(hclient, url, method):
    with hclient.open(url, method=method) as response:
        response.close()
    assert response.status_code < 500
    frameable = _frameable(url) and method in ("GET", "HEAD")
    assert hostile.security_header_problems(response.headers, frameable) == []


@pytest.mark.parametrize(
    "url",
    [
        *DOWNLOADS,
        "/data/features/hostile-site-alpha.geojson",
        MAP_FEED,
        f"{MAP_POPUPS}hostile-site-beta.html",
        "/api/features?kind=site",
        "/static/atlas.css",
        "/assets/leaflet/leaflet.js",
    ],
)
def test_security_headers_on_not_modified(hclient, url):
    with hclient.get(url) as first:
        first.close()
    etag = first.headers["ETag"]
    with hclient.get(url, headers={"If-None-Match": etag}) as response:
        response.close()
    assert response.status_code == 304
    assert hostile.security_header_problems(response.headers) == []


# --- downloads of a selection (issue 14): hostile parameters and hostile text ----------------


@pytest.mark.parametrize("extension", SELECTION_FORMATS)
@pytest.mark.parametrize(
    "query",
    [
        {"kind": hostile.SCRIPT},
        {"category": hostile.PAYLOADS["img-attribute"]},
        {"country": hostile.PAYLOADS["js-template"]},
        {"status": hostile.PAYLOADS["svg-attribute"]},
        {"q": hostile.LONG},
        {hostile.PAYLOADS["img-attribute"]: "1"},
        *({"as_of": value} for value in hostile.BAD_AS_OF),
    ],
)
def test_selections_refuse_hostile_parameters_with_escaped_400s(hclient, extension, query):
    response = hclient.get(f"/data/selection.{extension}", query_string=query)
    assert response.status_code in (400, 414)  # 414: the long text makes the address too long
    assert response.mimetype == "text/html"
    assert markup_problems(response.text) == []
    assert "Content-Disposition" not in response.headers


@pytest.mark.parametrize("extension", SELECTION_FORMATS)
@pytest.mark.parametrize("payload", [*hostile.PAYLOADS.values(), hostile.CONTROLS])
def test_hostile_searches_give_a_file_with_a_plain_name(hclient, extension, payload):
    response = hclient.get(f"/data/selection.{extension}", query_string={"q": payload})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        disposition = response.headers["Content-Disposition"]
        assert re.fullmatch(rf"attachment; filename=[a-z0-9-]+\.{extension}", disposition)


def assert_names_kept(properties: dict, nul: str = "\x00") -> None:
    """The names and description are the catalogue's, each NUL written as ``nul``."""
    entry = ENTRIES[properties["id"]]
    expected = (entry["name"], entry["description"])
    assert (properties["name"], properties["description"]) == tuple(
        text.replace("\x00", nul) for text in expected
    )
    assert properties["aliases"] == entry["aliases"]  # a JSON column: kept whole


def test_selection_files_keep_the_catalogue_text(hclient, tmp_path):
    document = hclient.get("/data/selection.geojson?q=Hostile").json
    assert document["features"]
    for properties in properties_of(document).values():
        assert_names_kept(properties)
    rows = csv.DictReader(
        io.StringIO(hclient.get("/data/selection.csv?q=Hostile").data.decode("utf-8-sig"))
    )
    names = {row["id"]: row["name"] for row in rows}
    assert set(names) == set(properties_of(document))
    for feature_id, name in names.items():
        assert name.removeprefix("'") == ENTRIES[feature_id]["name"]  # a formula is defused
    package = tmp_path / "selection.gpkg"
    package.write_bytes(hclient.get("/data/selection.gpkg?q=Hostile").data)
    for layer in ("corridors", "sites"):
        read = json.loads(
            subprocess.run(
                ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", str(package), layer],
                capture_output=True, check=True,
            ).stdout
        )  # fmt: skip
        assert read["features"]
        for feature in read["features"]:
            assert_names_kept(feature["properties"], nul=NUL_STAND_IN)  # SQLite text ends at NUL
