"""The map in a real browser: waitress serves the built data, headless Chromium drives it.

One Chromium per module, a fresh page per test. Requests to other hosts are answered with a
network error, as on a machine without network (tile images may instead be answered with a
local blank tile, so that tiles "load"). Every page is checked when its test ends: no page
error, no CSP violation in any frame, and no script or stylesheet from anywhere but the app.

With ATLAS_SCREENSHOTS=1 the offline test also saves docs/screenshot-map.png for the README: the
Natural Earth base layer under the corridors and sites, with a popup open.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from geodata.geometry import geodesic_km
from geodata.names import exact_key, skeleton_key
from tests.support.live import RECORD_CSP_VIOLATIONS
from tests.support.pages import DESKTOP, expect_popup
from webapp.map.basemaps import BASEMAPS, NATURAL_EARTH, tile_origins
from webapp.model.text import search_form, search_key, search_skeleton
from webapp.style import CORRIDOR_CLASS, SITE_CLASS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-map.png"
TAKE_SCREENSHOTS = os.environ.get("ATLAS_SCREENSHOTS") == "1"
#: A 1×1 transparent PNG, served for tile requests when a test wants tiles to "load".
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


#: Feature ids of the paths with a class; with onlyClickable, only those that are the topmost
#: element at their own centre (not under another marker, a control or an open popup).
FEATURE_IDS = """
([cls, onlyClickable]) => Array.from(document.querySelectorAll("path." + cls)).filter((el) => {
    const r = el.getBoundingClientRect();
    return !onlyClickable
        || document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el;
}).map((el) => [...el.classList].find((c) => c.startsWith("atlas-id-")).slice(9))
"""

#: The map's view and layers as the page's script sees them.
MAP_STATE = """() => {
    const app = CorridorAtlas.app, map = app.map, c = map.getCenter();
    const bases = Object.keys(app.bases).filter((k) => map.hasLayer(app.bases[k]));
    const overlays = Object.keys(app.overlays).filter((k) => map.hasLayer(app.overlays[k].group));
    return {zoom: map.getZoom(), lat: c.lat, lon: c.lng, bases, overlays, open: app.open};
}"""


# --- servers and the browser ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def other_site(live_server: str) -> Iterator[str]:
    """Another origin (another loopback port) whose page frames /embed twice."""
    page = f"""<!DOCTYPE html><html lang="en"><head><title>Another site</title></head><body>
<h1>A page on another site</h1>
<iframe id="focus" title="Bekabad on the Corridor Atlas" width="600" height="400"
  src="{live_server}/embed?focus=bekabad-industrial-park"></iframe>
<iframe id="only" title="Two features of the Corridor Atlas" width="600" height="400"
  src="{live_server}/embed?only=bekabad-industrial-park,trans-afghan-transport-corridor"></iframe>
</body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def features(built_data_dir: Path) -> dict[str, dict]:
    collection = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"] for f in collection["features"]}


@dataclass
class Watched:
    """A page and what it did: errors and every request (kind, URL)."""

    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)


def _is_tile(url: str) -> bool:
    parts = urlsplit(url)
    return any(fnmatch(f"{parts.scheme}://{parts.netloc}", o) for o in tile_origins())


@pytest.fixture
def open_page(browser: Browser, live_server: str, other_site: str) -> Iterator[Callable[..., Page]]:
    """Open a page at a path of the live server (or a full URL); checked when the test ends.

    ``tiles="fail"`` aborts tile requests like the rest of the internet; ``tiles="load"``
    answers them with a blank tile.
    """
    opened: list[Watched] = []

    def route(request_route: Route, tiles: str) -> None:
        request = request_route.request
        if request.url.startswith((live_server + "/", other_site + "/")):
            request_route.continue_()
        elif tiles == "load" and request.resource_type == "image" and _is_tile(request.url):
            request_route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            request_route.abort("internetdisconnected")

    def open_(path: str, viewport: dict = DESKTOP, tiles: str = "fail", **options) -> Page:
        context = browser.new_context(viewport=viewport, **options)
        page = context.new_page()
        watched = Watched(page)
        page.on("pageerror", lambda error: watched.errors.append(str(error)))
        page.on("request", lambda r: watched.requests.append((r.resource_type, r.url)))
        page.route("**/*", lambda r: route(r, tiles))
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        opened.append(watched)
        url = path if path.startswith("http") else live_server + path
        page.goto(url, wait_until="load")
        page.wait_for_function("() => window.CorridorAtlas === undefined || !!CorridorAtlas.app")
        return page

    yield open_

    for watched in opened:
        for frame in watched.page.frames:
            assert frame.evaluate("() => window.__cspViolations || []") == [], frame.url
        watched.page.context.close()
        assert watched.errors == []
        for kind, url in watched.requests:
            if not url.startswith((live_server + "/", other_site + "/")):
                assert kind == "image" and _is_tile(url), f"non-local {kind} request: {url}"


def path_ids(page: Page, cls: str, only_clickable: bool = False) -> set[str]:
    return set(page.evaluate(FEATURE_IDS, [cls, only_clickable]))


def layer_control_box(page: Page, label: str):
    """The checkbox or radio of a layer control entry, found by its label text."""
    page.locator(".leaflet-control-layers").hover()
    return page.locator(".leaflet-control-layers label", has_text=label).locator("input")


# --- the map and its popups -----------------------------------------------------------------------


def test_every_feature_is_drawn_and_its_popup_quotes_its_sources(open_page, features):
    corridors = {i for i, p in features.items() if p["kind"] == "corridor"}
    sites = {i for i, p in features.items() if p["kind"] == "site"}
    page = open_page("/", tiles="load")
    expect(page).to_have_title("Corridor Atlas")
    expect(page.locator(f"path.{CORRIDOR_CLASS}")).to_have_count(len(corridors))
    expect(page.locator(f"path.{SITE_CLASS}")).to_have_count(len(sites))
    assert path_ids(page, CORRIDOR_CLASS) == corridors
    assert path_ids(page, SITE_CLASS) == sites
    categories = {features[i]["category"] for i in sites}
    expect(page.locator(".leaflet-control-layers-overlays label")).to_have_count(
        len(corridors) + len(categories)
    )
    expect(page.locator(".leaflet-control-layers-base label")).to_have_count(len(BASEMAPS) + 1)
    expect(page.locator(".atlas-legend")).to_be_visible()

    opened = 0
    for site_id in sorted(sites):
        if opened == 6:
            break  # enough: every popup's text is checked without a browser in test_webapp
        if site_id not in path_ids(page, SITE_CLASS, only_clickable=True):
            continue  # hidden under another marker or a control
        props = features[site_id]
        page.locator(f"path.atlas-id-{site_id}").click()
        expect_popup(page, props["name"])
        text = page.locator(".leaflet-popup-content").text_content() or ""
        assert any(s["quote"] in text for s in props["sources"]), site_id
        link = page.locator(".leaflet-popup-content a", has_text="Details")
        expect(link).to_have_attribute("href", f"/features/{site_id}")
        page.locator(".leaflet-popup-close-button").click()
        expect(page.locator(".leaflet-popup")).to_have_count(0)  # after the fade-out
        opened += 1
    assert opened >= 3, "too few site markers could be clicked"


# --- search ---------------------------------------------------------------------------------------


#: Names the two normalisations must key alike: scripts, accents, apostrophes, ligatures…
NAME_TABLE = [
    "Bekobod",
    "Bekabad",
    "Tirmiz",
    "Termez",
    "Qo‘qon",
    "Oʻzbekiston",
    "Xi’an",
    "XI AN",
    "Mazār-i-Sharīf",
    "Uchquduq Shahri",
    "Gorod Uchkuduk",
    "Shahri",
    "Dzhizak",
    "Djizzax",
    "Jizzakh",
    "Ghazni",
    "Khorgos",
    "Qorghas",
    "Navoiy",
    "Navoi",
    "Бекабад",
    "Душанбе",
    "Dushanbe—Душанбе",
    "漢字",
    "Ürümqi",
    "İstanbul",
    "Şymkent",
    "Kırşehir",
    "Straße",
    "STRASSE",
    "ΣΊΣΥΦΟΣ",
    "Ὀδυσσεύς",
    "ᾈδης",
    "ǅemal",
    "ﬁnland",
    "Ⅻ",
    "①②",
    "ℌello",
    "Ḩājjī",
    "Jalal-Abad",
    "Žilina",
    "Łódź",
    "Æsir",
    "Øresund",
    "a_b",
    "x1y2",
    "Bandar-e Torkaman",
    "Na'in",
    "Qa'em Shahr",
    "Sol'-Iletsk",
    "Arpaçay",
    "Kambar-Ata 1",
    "  ",
    "",
    "Aaarrgh",
]


def test_browser_keys_names_as_python_does(open_page, features):
    names = list(NAME_TABLE)
    for props in features.values():
        names += [props["name"], *props["aliases"], *(p["place"] for p in props["located_by"])]
    page = open_page("/", tiles="load")
    keyed = page.evaluate(
        "(names) => names.map((n) => [CorridorAtlas.exactKey(n), CorridorAtlas.skeletonKey(n)])",
        names,
    )
    mismatches = [
        (name, js, [exact_key(name), skeleton_key(name)])
        for name, js in zip(names, keyed, strict=True)
        if js != [exact_key(name), skeleton_key(name)]
    ]
    assert mismatches == []


#: Names in the region's scripts (issue 13): Russian and Uzbek Cyrillic, Kazakh letters, Uzbek
#: Latin with every apostrophe-like mark, Azerbaijani ə, and other scripts any-ascii reads.
SCRIPT_TABLE = [
    "Бекабад", "Бекобод", "Ташкент", "Тошкент", "Toshkent", "Термез", "Алматы", "Бухара",
    "Buxoro", "Чирчик", "Хоргос", "Қорғас", "Farg'ona", "Fargʻona", "Farg‘ona", "Farg’ona",
    "Fargʼona", "Farg`ona", "Qoʻqon", "Qo'qon", "Қўқон", "Ўзбекистон", "ЎЗБЕКИСТОН", "Фарғона",
    "Ҳазорасп", "Қазақстан", "ҚАЗАҚСТАН", "Әәіүұөһң ҒғҚқҢң", "Ələt", "Oʻzbekiston Respublikasi",
    "Подъезд", "Ёлкин", "Алматы қаласы", "Xi’an", "西安", "Ürümqi", "ⅩⅡ", "Straße", "Ὀδυσσεύς",
    "Хоргос — Восточные ворота", "Navoiy viloyati", "",
]  # fmt: skip


def test_browser_search_keys_any_script_as_python_does(open_page, features):
    names = [*NAME_TABLE, *SCRIPT_TABLE]
    for props in features.values():
        names += [props["name"], *props["aliases"]]
        names += [props.get(f"name_{language}") or "" for language in ("ru", "uz", "kk")]
        for place in props["located_by"]:
            names += [place["place"], *(place.get("names") or {}).values()]
    page = open_page("/", tiles="load")
    keyed = page.evaluate(
        """async (names) => {
            await CorridorAtlas.transliteration(names.join(" "));
            const CA = CorridorAtlas;
            return names.map((n) => [CA.searchForm(n), CA.searchKey(n), CA.searchSkeleton(n)]);
        }""",
        names,
    )
    mismatches = [
        (name, js, python)
        for name, js in zip(names, keyed, strict=True)
        if js != (python := [search_form(name), search_key(name), search_skeleton(name)])
    ]
    assert mismatches == []
    assert search_key("Бекабад") == "bekabad"  # the table is keyed in Latin letters, not as is


def test_search_by_keyboard_opens_the_popup(open_page):
    page = open_page("/", tiles="load")
    search = page.locator("#atlas-search-input")
    for _ in range(6):  # skip link, atlas name, then the search box
        page.keyboard.press("Tab")
        if search.evaluate("(el) => el === document.activeElement"):
            break
    expect(search).to_be_focused()
    assert search.evaluate("(el) => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.type("Bekobod")
    options = page.locator("#atlas-search-results [role=option]")
    expect(options.first).to_contain_text("Bekabad industrial park")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Enter")
    expect_popup(page, "Bekabad industrial park")
    expect(page.locator("#atlas-search-results")).to_be_hidden()
    page.wait_for_function("() => location.hash.includes('open=bekabad-industrial-park')")


#: Queries and the feature the search lists first.
SEARCHES = {
    "Tirmiz": "trans-afghan-transport-corridor",
    "Termez": "trans-afghan-transport-corridor",
    "bekobod indus": "bekabad-industrial-park",
    "Qorghas": "xian-khorgos-almaty-saryagash-tashkent-railway-route",
    "middle corridor": "trans-caspian-international-transport-route",
    "Navoiy technopark": "navoi-region-russian-uzbek-technopark",
    "Kambar Ata": "kambarata-1-hydroelectric-power-station",
}


def test_search_is_transliteration_insensitive(open_page):
    page = open_page("/", tiles="load")
    box = page.locator("#atlas-search-input")
    found = {}
    for query in SEARCHES:
        box.fill(query)
        page.wait_for_function(
            "(q) => CorridorAtlas.app.search.query === q && !CorridorAtlas.app.search.pending",
            arg=query,
        )
        found[query] = page.locator("#atlas-search-results [data-feature]").first.get_attribute(
            "data-feature"
        )
    assert found == SEARCHES


def test_arrow_keys_choose_a_result_and_a_click_flies_there(open_page, features):
    page = open_page("/", tiles="load")
    search = page.locator("#atlas-search-input")
    search.fill("Tashkent")
    options = page.locator("#atlas-search-results [role=option]")
    expect(options.first).to_be_visible()
    assert options.count() >= 3
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", "atlas-search-option-1")
    page.keyboard.press("Escape")
    expect(page.locator("#atlas-search-results")).to_be_hidden()
    search.fill("Kambar-Ata")
    page.locator("#atlas-search-results [role=option]").first.click()
    expect_popup(page, features["kambarata-1-hydroelectric-power-station"]["name"])


# --- filters --------------------------------------------------------------------------------------


def test_filters_hide_features_and_agree_with_the_layer_control(open_page, features):
    page = open_page("/", tiles="load")
    technoparks = {i for i, p in features.items() if p["category"] == "technopark"}
    operational = {i for i, p in features.items() if p["status"]["stage"] == "operational"}
    everything = set(features)
    toggle = page.get_by_role("button", name="Filters")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    panel = page.locator("#atlas-filters-panel")

    panel.get_by_label("technopark").uncheck()
    assert path_ids(page, SITE_CLASS) & technoparks == set()
    expect(layer_control_box(page, "technopark")).not_to_be_checked()
    page.wait_for_function("() => location.hash.includes('category=')")
    assert "technopark" not in page.evaluate("location.hash")
    layer_control_box(page, "technopark").check()  # the layer control turns it back on
    expect(panel.get_by_label("technopark")).to_be_checked()
    assert technoparks <= path_ids(page, SITE_CLASS)

    # A corridor category is the parent of its corridors' overlays: mixed when some are off.
    layer_control_box(page, "Trans-Afghan").uncheck()
    assert panel.get_by_label("transport corridor", exact=True).evaluate("(b) => b.indeterminate")

    status = panel.get_by_label("operational")
    status.focus()
    page.keyboard.press("Space")  # operable from the keyboard
    expect(status).not_to_be_checked()
    shown = path_ids(page, SITE_CLASS) | path_ids(page, CORRIDOR_CLASS)
    assert shown & operational == set()
    assert shown == everything - operational - {"trans-afghan-transport-corridor"}
    expect(panel.locator(".atlas-filters-summary")).to_contain_text(f"{len(shown)} of 22")

    panel.get_by_role("button", name="Show all").click()
    assert path_ids(page, SITE_CLASS) | path_ids(page, CORRIDOR_CLASS) == everything


# --- permalinks -----------------------------------------------------------------------------------


def test_permalink_restores_view_layers_filters_and_popup(open_page):
    page = open_page("/", tiles="load")
    page.evaluate("() => { CorridorAtlas.app.map.setView([41.0, 69.5], 6.5, {animate: false}); }")
    layer_control_box(page, "CartoDB Positron").check()
    layer_control_box(page, "Trans-Afghan").uncheck()
    page.get_by_role("button", name="Filters").click()
    page.locator("#atlas-filters-panel").get_by_label("completed").uncheck()
    page.locator("#atlas-filters-panel").get_by_label("Iran").uncheck()
    page.get_by_role("button", name="Filters").click()
    page.locator("path.atlas-id-bekabad-industrial-park").click()
    expect_popup(page, "Bekabad industrial park")
    page.wait_for_function("() => location.hash.includes('open=bekabad-industrial-park')")
    page.wait_for_timeout(400)  # the popup's pan and the last URL update settle
    url = page.url
    before = page.evaluate(MAP_STATE)
    fragment = url.split("#", 1)[1]
    assert "base=positron" in fragment and "layers=trans-afghan-transport-corridor" in fragment
    assert "status=" in fragment and "completed" not in fragment.split("status=")[1]

    again = open_page(url, tiles="load")
    expect_popup(again, "Bekabad industrial park")
    after = again.evaluate(MAP_STATE)
    assert after["zoom"] == before["zoom"]
    assert after["lat"] == pytest.approx(before["lat"], abs=1e-4)
    assert after["lon"] == pytest.approx(before["lon"], abs=1e-4)
    assert after["bases"] == before["bases"] == ["positron"]
    assert after["overlays"] == before["overlays"]
    expect(layer_control_box(again, "CartoDB Positron")).to_be_checked()
    expect(layer_control_box(again, "Trans-Afghan")).not_to_be_checked()
    again.get_by_role("button", name="Filters").click()
    expect(again.locator("#atlas-filters-panel").get_by_label("completed")).not_to_be_checked()
    expect(again.locator("#atlas-filters-panel").get_by_label("Iran")).not_to_be_checked()
    again.wait_for_timeout(300)
    assert again.url.split("#", 1)[1] == fragment  # the restored page writes the same state


def test_open_fragment_fits_to_the_feature_and_follows_hash_changes(open_page, features):
    corridor = "trans-afghan-transport-corridor"
    page = open_page(f"/#open={corridor}", tiles="load")
    expect_popup(page, features[corridor]["name"])
    inside = page.evaluate(
        """(id) => {
            const app = CorridorAtlas.app;
            return app.map.getBounds().contains(app.features.get(id).layer.getBounds());
        }""",
        corridor,
    )
    assert inside
    page.evaluate("() => { location.hash = '#open=bekabad-industrial-park'; }")
    expect_popup(page, "Bekabad industrial park")


# --- embedding ------------------------------------------------------------------------------------


def test_embed_renders_inside_an_iframe_of_another_site(open_page, other_site, features):
    page = open_page(other_site + "/", tiles="load")
    focus = page.frame_locator("#focus")
    expect(focus.locator(f"path.{SITE_CLASS}")).to_have_count(
        sum(1 for p in features.values() if p["kind"] == "site")
    )
    expect(focus.locator(".atlas-header")).to_be_hidden()
    expect(focus.locator(".leaflet-popup")).to_have_count(0)  # focus opens nothing
    expect(focus.locator("a.atlas-embed-link")).to_be_visible()
    focused = focus.locator("path.atlas-id-bekabad-industrial-park")
    expect(focused).not_to_have_attribute("stroke-opacity", "0.3")
    expect(focus.locator("path.atlas-id-taraz-electrometallurgical-plant")).to_have_attribute(
        "stroke-opacity", "0.3"
    )
    only = page.frame_locator("#only")
    expect(only.locator("path.atlas-id-bekabad-industrial-park")).to_have_count(1)
    expect(only.locator("path.atlas-id-trans-afghan-transport-corridor")).to_have_count(1)
    expect(only.locator(f"path.{SITE_CLASS}, path.{CORRIDOR_CLASS}")).to_have_count(2)
    # Popups work in the frame.
    only.locator("path.atlas-id-bekabad-industrial-park").click()
    expect(only.locator(".leaflet-popup-content")).to_contain_text("Bekabad industrial park")


# --- phone, keyboard, tools -----------------------------------------------------------------------

#: The map's controls that must stay visible and apart on a phone.
CONTROLS = {
    "zoom": ".leaflet-control-zoom",
    "tools": ".atlas-tools",
    "layers": ".leaflet-control-layers",
    "filters": ".atlas-filters",
    "legend": ".atlas-legend",
    "scale": ".leaflet-control-scale",
    "attribution": ".leaflet-control-attribution",
}


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_phone_layout_fills_the_screen_without_overlapping_controls(open_page):
    page = open_page("/", viewport=PHONE, tiles="load", is_mobile=True, has_touch=True)
    header = page.locator(".atlas-header").bounding_box()
    map_box = page.locator(".folium-map").bounding_box()
    assert header["y"] == 0 and header["width"] == PHONE["width"]
    assert map_box["y"] == pytest.approx(header["y"] + header["height"], abs=1)
    assert map_box["x"] == 0 and map_box["width"] == PHONE["width"]
    assert map_box["y"] + map_box["height"] == pytest.approx(PHONE["height"], abs=1)
    expect(page.locator(".atlas-legend details")).not_to_have_attribute("open", "")

    boxes = {}
    for name, selector in CONTROLS.items():
        control = page.locator(selector)
        expect(control).to_be_visible()
        boxes[name] = control.bounding_box()
    for name, box in boxes.items():
        assert box["x"] >= map_box["x"] and box["y"] >= map_box["y"], name
        assert box["x"] + box["width"] <= map_box["x"] + map_box["width"], name
        assert box["y"] + box["height"] <= map_box["y"] + map_box["height"], name
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not _overlap(boxes[a], boxes[b]), f"{a} overlaps {b}"

    header_parts = [".atlas-brand", "#atlas-search-input", ".atlas-menu-button"]
    parts = [page.locator(s).bounding_box() for s in header_parts]
    assert not any(_overlap(a, b) for i, a in enumerate(parts) for b in parts[i + 1 :])
    menu = page.get_by_role("button", name="Menu")
    expect(page.locator("#atlas-nav")).to_be_hidden()
    menu.click()
    expect(page.get_by_role("link", name="Features")).to_be_visible()
    page.locator(".folium-map").click(position={"x": 200, "y": 400})  # elsewhere: it closes
    expect(page.locator("#atlas-nav")).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")

    page.get_by_role("button", name="Filters").click()
    panel = page.locator("#atlas-filters-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]


def test_every_control_is_reachable_by_keyboard_with_visible_focus(open_page):
    page = open_page("/", tiles="load")
    wanted = {
        "search": "#atlas-search-input",
        "map": ".folium-map",
        "zoom in": ".leaflet-control-zoom-in",
        "full screen": ".atlas-fullscreen",
        "measure": ".atlas-measure",
        "layers": ".leaflet-control-layers-toggle",
        "filters": ".atlas-filters-toggle",
        "legend": ".atlas-legend summary",
        "features page": ".atlas-nav a[href='/features']",
    }
    reached: set[str] = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        name, outline = page.evaluate(
            """(wanted) => {
                const active = document.activeElement;
                const name = Object.keys(wanted).find(
                    (key) => document.querySelector(wanted[key]) === active);
                return [name || null, getComputedStyle(active).outlineStyle];
            }""",
            wanted,
        )
        if name:
            reached.add(name)
            assert outline != "none", f"{name} has no visible focus"
    assert reached == set(wanted)
    # Controls are labelled for screen readers.
    for name in ("Full screen", "Measure distance", "Filters", "Layers", "Zoom in"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    expect(page.get_by_role("combobox", name="Search corridors, sites and places")).to_be_visible()
    expect(page.get_by_role("region", name="Map of the corridors and sites")).to_be_visible()


def test_measuring_sums_great_circle_distances_in_km(open_page):
    page = open_page("/", tiles="load")
    page.evaluate("() => { CorridorAtlas.app.map.setView([42.3, 73.0], 6, {animate: false}); }")
    measure = page.get_by_role("button", name="Measure distance")
    measure.click()
    expect(measure).to_have_attribute("aria-pressed", "true")
    box = page.locator(".folium-map").bounding_box()
    clicked = []
    for lat, lon in [(41.3, 69.3), (43.25, 76.9), (42.9, 74.6)]:  # Tashkent, Almaty, Bishkek
        x, y = page.evaluate(
            "([lat, lon]) => { const p = CorridorAtlas.app.map.latLngToContainerPoint([lat, lon]);"
            " return [p.x, p.y]; }",
            [lat, lon],
        )
        page.mouse.click(box["x"] + x, box["y"] + y)
        clicked.append(
            page.evaluate(
                "([x, y]) => { const l = CorridorAtlas.app.map.containerPointToLatLng([x, y]);"
                " return [l.lng, l.lat]; }",
                [x, y],
            )
        )
    expected = sum(geodesic_km(a, b) for a, b in itertools.pairwise(clicked))
    total = page.locator(".atlas-measure-total").text_content() or ""
    km = float(total.removeprefix("Distance: ").removesuffix(" km").replace(",", ""))
    assert km == pytest.approx(expected, rel=0.006)  # great circle vs ellipsoid
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    page.locator(".folium-map").focus()
    page.keyboard.press("Escape")
    expect(measure).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".atlas-measure-readout")).to_be_hidden()


def test_full_screen_toggles(open_page):
    page = open_page("/", tiles="load")
    button = page.locator(".atlas-fullscreen")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_attribute("aria-label", "Exit full screen")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")


# --- offline --------------------------------------------------------------------------------------


def test_offline_base_layer_is_drawn_when_tiles_fail(open_page):
    page = open_page("/", tiles="fail")
    basemap_paths = page.locator(".leaflet-atlas-basemap-pane path")
    expect(basemap_paths).to_have_count(6, timeout=8000)  # land, coasts, borders ×2 scales
    assert page.locator(".atlas-country-label").count() >= 20
    expect(layer_control_box(page, NATURAL_EARTH.name)).to_be_checked()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Made with Natural Earth")
    expect(page.locator(".atlas-notice")).to_contain_text("offline")
    assert "base=" not in page.url  # a fallback, not the reader's choice
    assert (
        page.evaluate(
            "() => getComputedStyle(CorridorAtlas.app.map.getContainer()).backgroundColor"
        )
        == "rgb(212, 230, 241)"
    )  # light sea, not grey
    if TAKE_SCREENSHOTS:
        page.evaluate("() => document.querySelector('.atlas-notice').hidden = true")
        page.mouse.move(700, 880)  # away from the layer control, which folds
        # A corridor's popup, opened on its line at Hami: clear of the crowded Fergana valley.
        page.evaluate(
            """() => CorridorAtlas.app.features.get(
                'xian-khorgos-almaty-saryagash-tashkent-railway-route'
            ).layer.openPopup(L.latLng(42.8, 93.5))"""
        )
        page.wait_for_timeout(300)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOT)


#: At the first feature path: the files fetched so far, whether each blocked rendering, and
#: whether the rich controls (the app, the legend) were there yet.
FIRST_FEATURE = """
(selector) => {
  const watcher = new MutationObserver(() => {
    if (document.querySelector(selector)) {
      watcher.disconnect();
      window.__atFirstFeature = {
        files: performance.getEntriesByType("resource").map((e) => [
          new URL(e.name).pathname, e.renderBlockingStatus,
        ]),
        started: !!(window.CorridorAtlas && window.CorridorAtlas.app),
        legend: !!document.querySelector(".atlas-legend"),
      };
    }
  });
  watcher.observe(document, { subtree: true, childList: true });
}
"""


def test_first_feature_waits_only_for_leaflet_and_one_stylesheet(browser, live_server):
    """The structure behind the first paint (issue 15): no more requests before the first
    feature than a plain folium page makes (10), only Leaflet, the map's stylesheet and the
    theme block rendering, and the rich controls start after the features are drawn."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(live_server) else r.abort(),
        )
        page.add_init_script(f"({FIRST_FEATURE})('path.{SITE_CLASS}, path.{CORRIDOR_CLASS}')")
        page.goto(live_server + "/", wait_until="load")
        page.wait_for_function("() => !!(window.CorridorAtlas && CorridorAtlas.app)")
        first = page.evaluate("() => window.__atFirstFeature")
    finally:
        context.close()
    files = dict(first["files"])
    assert len(files) + 1 <= 10, files  # the page itself, and the files
    blocking = {path for path, status in files.items() if status == "blocking"}
    assert blocking <= {"/assets/leaflet/leaflet.js", "/static/map.bundle.css", "/static/theme.js"}
    assert files.get("/static/map.bundle.js") in (None, "non-blocking")
    assert not any(path.startswith("/static/map-") for path in files), files
    assert not first["started"] and not first["legend"]
