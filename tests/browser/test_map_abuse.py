"""The map's URL state and search under abuse (issue "The house", item 7), in a real browser.

Names read from the URL fragment (#base=, #open=, the filter lists) or the embed query (?focus=,
?only=) are looked up in the page's tables of layers and features. Names that every object
inherits (``__proto__``, ``constructor``, ``toString``…) must be unknown names like any other:
ignored, nothing written onto ``Object.prototype``, no error. Numbers in #map= are checked:
NaN, infinities and absurd coordinates are refused, the rest clamped or wrapped, so the tab
never freezes. And many quick Enters in the search box must not trip over the previous flight.

waitress serves the seed atlas; Debian's Chromium loads each hostile URL in a fresh context
that records page errors and console errors; tile images are answered with a blank tile and any
other request to another host fails, as offline.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.support.harness import running
from tests.support.pages import DESKTOP, expect_popup
from webapp.map.basemaps import tile_origins
from webapp.server import make_server

pytestmark = pytest.mark.browser

BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
#: A page that has not answered within this long is taken as frozen.
ANSWER_MS = 5000

#: Before any script of the page runs: the own property names of the built-in objects that a
#: lookup by an inherited name reaches (``bases.constructor`` is ``Object``).
RECORD_BUILTINS = """
window.__builtins = () => [Object, Object.prototype, Function.prototype, Array.prototype].map(
    (o) => Object.getOwnPropertyNames(o).sort().join(","));
window.__builtinsBefore = window.__builtins();
"""

#: Whether those built-ins are as they were: no new property, no enumerable key, no function
#: of Object.prototype stamped by Leaflet (L.stamp sets ``_leaflet_id`` on what it is given).
BUILTINS_REPORT = """() => {
    const proto = Object.prototype;
    const stamped = Object.getOwnPropertyNames(proto).filter((name) => {
        const value = Object.getOwnPropertyDescriptor(proto, name).value;
        return typeof value === "function" && Object.keys(value).length > 0;
    });
    return {
        same: JSON.stringify(window.__builtins()) === JSON.stringify(window.__builtinsBefore),
        keys: [...Object.keys(proto), ...Object.keys(Object), ...Object.keys(Array.prototype)],
        stamped,
        probes: [({}).polluted, ({})._leaflet_id, ({}).layer, ({}).data].map(String),
    };
}"""
CLEAN_BUILTINS = {"same": True, "keys": [], "stamped": [], "probes": ["undefined"] * 4}

#: What the map shows, as its script sees it.
MAP_STATE = """() => {
    const app = CorridorAtlas.app, map = app.map, c = map.getCenter();
    const bases = Object.keys(app.bases).filter((k) => map.hasLayer(app.bases[k]));
    const overlays = Object.keys(app.overlays).filter((k) => map.hasLayer(app.overlays[k].group));
    const drawn = document.querySelectorAll("path.atlas-site, path.atlas-corridor").length;
    return {
        zoom: map.getZoom(), lat: c.lat, lon: c.lng, maxZoom: map.getMaxZoom(), bases, overlays,
        open: app.open, filters: app.filters.getState(), drawn,
        popups: document.querySelectorAll(".leaflet-popup").length,
    };
}"""


@dataclass
class Watched:
    """A page in its own browser context, with its page errors and console errors."""

    page: Page
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def check_clean(self) -> None:
        """No error, the built-ins untouched, and the page still answering."""
        self.page.wait_for_function("() => true", timeout=ANSWER_MS)
        assert self.page.evaluate(BUILTINS_REPORT) == CLEAN_BUILTINS
        assert self.errors == []
        assert self.console == []


@pytest.fixture(scope="module")
def large_server(built_data_dir: Path) -> Iterator[str]:
    """The same atlas on the page of a large atlas (features fetched, sites clustered)."""
    server = make_server(built_data_dir, port=0, limits={"map_inline_features": 0})
    with running(server) as url:
        yield url


@pytest.fixture
def open_page(browser: Browser, live_server: str) -> Iterator[Callable[[str], Watched]]:
    """Open a path of the live server (or a full URL) in a fresh context; every page is
    checked at the end."""
    opened: list[Watched] = []

    def route(request_route: Route) -> None:
        request = request_route.request
        parts = urlsplit(request.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.hostname == "127.0.0.1":  # this test's servers
            request_route.continue_()
        elif request.resource_type == "image" and any(fnmatch(origin, o) for o in tile_origins()):
            request_route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            request_route.abort("internetdisconnected")

    def open_(path: str) -> Watched:
        context = browser.new_context(viewport=DESKTOP)
        context.add_init_script(RECORD_BUILTINS)
        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(15_000)  # a frozen tab fails here rather than hanging
        watched = Watched(page)
        opened.append(watched)
        page.on("pageerror", lambda error: watched.errors.append(str(error)))
        page.on("console", lambda m: watched.console.append(m.text) if m.type == "error" else None)
        page.goto(path if path.startswith("http") else live_server + path, wait_until="load")
        page.wait_for_function("() => !!(window.CorridorAtlas && CorridorAtlas.app)")
        return watched

    yield open_
    try:
        for watched in opened:
            watched.check_clean()
    finally:
        for watched in opened:
            watched.page.context.close()


def map_state(page: Page) -> dict:
    page.wait_for_timeout(200)  # a view set on load has settled
    return page.evaluate(MAP_STATE)


def assert_same_view(state: dict, expected: dict) -> None:
    """Same zoom, centre, layers, filters and popups (the centre to a few metres)."""
    for key in ("lat", "lon"):
        assert state.pop(key) == pytest.approx(expected.pop(key), abs=1e-4), key
    assert state == expected


def assert_usable(page: Page) -> None:
    """A click on a zoom button changes the zoom within a few seconds."""
    zoom, max_zoom = page.evaluate(
        "() => [CorridorAtlas.app.map.getZoom(), CorridorAtlas.app.map.getMaxZoom()]"
    )
    button = ".leaflet-control-zoom-out" if zoom >= max_zoom else ".leaflet-control-zoom-in"
    page.locator(button).click()
    page.wait_for_function(
        "(zoom) => CorridorAtlas.app.map.getZoom() !== zoom", arg=zoom, timeout=ANSWER_MS
    )


# --- hostile URLs -------------------------------------------------------------------------------

#: Each hostile URL and the clean URL it must behave as: the unknown names ignored, the numbers
#: refused, so the default (or the part that was known) is shown.
HOSTILE_URLS = [
    ("/#base=__proto__", "/"),
    ("/#base=constructor", "/"),
    ("/#base=toString&open=valueOf", "/"),
    ("/#open=toString", "/"),
    ("/#open=__proto__", "/"),
    ("/#open=hasOwnProperty", "/"),
    ("/#open=constructor&base=hasOwnProperty", "/"),
    ("/#map=5/0/1e20", "/"),
    ("/#map=5/1e20/60", "/"),
    ("/#map=1e400/NaN/Infinity", "/"),
    ("/#map=5/40/", "/"),
    ("/#map=//", "/"),
    ("/#map=0x10/40/60", "/"),
    ("/#map=__proto__&__proto__=1&constructor=2", "/"),
    ("/#category=__proto__,constructor&layers=toString&status=valueOf&country=__proto__", "/"),
    ("/#status=operational,toString,__proto__&country=hasOwnProperty", "/#status=operational"),
    ("/#category=technopark,constructor", "/#category=technopark"),
    ("/embed?focus=toString", "/embed"),
    ("/embed?focus=__proto__", "/embed"),
    ("/embed?focus=constructor&only=hasOwnProperty", "/embed"),
    ("/embed?only=__proto__,constructor", "/embed"),
    ("/embed?only=__proto__,bekabad-industrial-park", "/embed?only=bekabad-industrial-park"),
    ("/embed?only=toString#open=__proto__&base=constructor", "/embed"),
]


@pytest.mark.parametrize(("hostile", "clean"), HOSTILE_URLS)
def test_hostile_url_behaves_as_its_clean_url(open_page, hostile: str, clean: str):
    attacked = open_page(hostile)
    state = map_state(attacked.page)
    attacked.check_clean()
    assert_same_view(state, map_state(open_page(clean).page))
    assert_usable(attacked.page)


def test_absurd_numbers_are_clamped_and_wrapped(open_page):
    """Zoom 99 is the deepest zoom, latitude 95 the edge of the map, longitude -999 is 81."""
    watched = open_page("/#map=99/95/-999")
    state = map_state(watched.page)
    watched.check_clean()
    assert state["zoom"] == state["maxZoom"] < 99
    assert state["lat"] == pytest.approx(85.05, abs=1e-3)
    assert state["lon"] == pytest.approx(81.0, abs=1e-6)
    assert_usable(watched.page)


def test_hostile_fragments_after_load_are_ignored(open_page):
    """The same attacks as hash changes on an open map: each leaves the view as it was."""
    watched = open_page("/#open=bekabad-industrial-park")
    page = watched.page
    expect_popup(page, "Bekabad")
    page.evaluate("() => { location.hash = '#map=6/41/69.5'; }")
    page.wait_for_function("() => CorridorAtlas.app.map.getZoom() === 6", timeout=ANSWER_MS)
    before = map_state(page)
    for hostile, clean in HOSTILE_URLS:
        fragment = hostile.partition("#")[2]
        if not fragment or clean.partition("#")[2]:
            continue  # nothing in the fragment, or a known part that changes the view
        page.evaluate("(hash) => { location.hash = hash; }", f"#map=6/41/69.5&{fragment}")
        watched.check_clean()
    after = map_state(page)
    assert_same_view(after, {**before, "open": None, "popups": 0})
    assert_usable(page)


@pytest.mark.parametrize(
    ("hostile", "clean"),
    [
        ("/#open=toString&base=__proto__", "/"),
        ("/#map=5/0/1e20&category=constructor", "/"),
        ("/embed?focus=constructor&only=__proto__,toString", "/embed"),
        ("/embed?focus=__proto__#open=hasOwnProperty", "/embed"),
    ],
)
def test_hostile_url_on_a_large_atlas(open_page, large_server: str, hostile: str, clean: str):
    """The page of a large atlas (map-large.js) looks names up in the same tables."""
    attacked = open_page(large_server + hostile)
    state = map_state(attacked.page)
    attacked.check_clean()
    assert_same_view(state, map_state(open_page(large_server + clean).page))
    assert_usable(attacked.page)


# --- search -------------------------------------------------------------------------------------


#: Queries typed in turn, each followed by three Enters at these pauses (ms): a new flight starts
#: now before the last has landed, now while the popup it opened is panning into view.
#: Each lists a feature first (a town no site stands at, "Qorghas" alone, would list "Zoom to
#: Khorgos" first and open no popup).
QUERIES = ["Bekobod", "Tirmiz railway", "Kambar Ata", "Navoiy technopark", "Qorghas railway"]
PAUSES_MS = [0, 40, 120, 250, 400]


def test_ninety_quick_enters_in_the_search_box(open_page):
    """Before the fix, a popup's autopan ended a pan, whose moveend opened an earlier flight's
    popup and closed the panning one under Leaflet's feet: about 6 errors in these 90 Enters."""
    watched = open_page("/")
    page = watched.page
    box = page.locator("#atlas-search-input")
    box.focus()
    query = ""
    for i in range(90):
        if i % 3 == 0:
            query = QUERIES[(i // 3) % len(QUERIES)]
            box.fill(query)
        page.keyboard.press("Enter")
        page.wait_for_timeout(PAUSES_MS[i % len(PAUSES_MS)])
    page.wait_for_timeout(3500)  # every flight and every delayed popup is over
    watched.check_clean()
    first = page.evaluate(
        """(q) => fetch(`/api/features?q=${encodeURIComponent(q)}&limit=1`)
            .then((r) => r.json()).then((found) => found.features[0].properties.name)""",
        query,
    )
    expect_popup(page, first)
    expect(page.locator(".leaflet-popup")).to_have_count(1)
    assert_usable(page)


def test_hostile_queries_in_the_search_box(open_page):
    """Search input is text: inherited names find nothing and break nothing."""
    watched = open_page("/")
    page = watched.page
    box = page.locator("#atlas-search-input")
    for query in ["__proto__", "constructor", "toString", "hasOwnProperty", "ı", "\u0345"]:
        box.fill(query)
        box.press("Enter")
        box.press("ArrowDown")
        box.press("Escape")
    watched.check_clean()
    assert_usable(page)
