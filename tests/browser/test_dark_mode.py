"""Dark mode (issue 14, item 6), in Chromium: the theme follows the system's colour scheme, the
switch overrides it both ways and is remembered, the page is never painted in the wrong theme,
the map shows the dark tiles or the offline base in dark colours, feature colours keep 3:1
against the dark land, and axe-core finds no contrast problem in the dark on every kind of page.

Other hosts are refused unless a test serves tiles itself: the offline base is what shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests.support import axe
from webapp.map.page import CORRIDOR_CATEGORY_COLOUR
from webapp.map.pagedata import LEG_STYLES
from webapp.style import (
    BASE_LAND_COLOUR,
    DARK_LAND_COLOUR,
    DARK_PANEL_COLOUR,
    contrast,
    dark_variant,
    map_colours,
)

pytestmark = pytest.mark.browser

SITE = "central-asia-international-industrial-cooperation-centre"
SOURCE = "002_9f4c402e24e736ce"
CORRIDOR = "north-south-international-transport-corridor"
#: The corridor whose light colour (#1f3b73, navy) is too dark for the dark land.
DARK_BLUE = "#1f3b73"
#: A 1×1 PNG, served as every tile when a test wants tiles to load.
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf0000020101003b1c4f9e0000000049454e44ae426082"
)

#: Pages axe-core checks in the dark, with what to wait for.
PAGES = [
    pytest.param("/", ".atlas-offline-base", id="map"),
    pytest.param("/#open=bekabad-industrial-park", ".leaflet-popup", id="map-popup"),
    pytest.param(f"/features/{SITE}", None, id="feature"),
    pytest.param("/features", None, id="features"),
    pytest.param(f"/sources/{SOURCE}", None, id="source"),
    pytest.param("/about", None, id="about"),
    pytest.param(f"/ogc/collections/corridors/items/{CORRIDOR}", None, id="ogc-item"),
    pytest.param("/ogc/collections/atlas/items?limit=5", None, id="ogc-items"),
]


def refuse_other_hosts(context: BrowserContext, origin: str, tiles: bool = False) -> None:
    """Refuse every request to another host, or serve :data:`TILE` for them if ``tiles``."""

    def handle(route: Route) -> None:
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        elif tiles:
            route.fulfill(status=200, content_type="image/png", body=TILE)
        else:
            route.abort("internetdisconnected")

    context.route("**/*", handle)


@pytest.fixture
def dark(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    """A context whose system prefers a dark colour scheme, with axe-core in every page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    axe.prepare(context)
    refuse_other_hosts(context, live_server)
    yield context
    context.close()


@pytest.fixture
def light(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    """A context whose system prefers a light colour scheme."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    refuse_other_hosts(context, live_server)
    yield context
    context.close()


def theme(page: Page) -> str | None:
    return page.evaluate("() => document.documentElement.getAttribute('data-theme')")


def background(page: Page, selector: str = "body") -> str:
    return page.eval_on_selector(selector, "(e) => getComputedStyle(e).backgroundColor")


def rgb(colour: str) -> str:
    """``#rrggbb`` as the browser's computed ``rgb(r, g, b)``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def open_map(page: Page, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_function("() => !!(window.CorridorAtlas && CorridorAtlas.app)")


def choose(page: Page, value: str) -> None:
    """Pick ``value`` in the page's visible theme switch, as a reader does."""
    switch = page.locator("select[data-theme-switch]:visible")
    switch.select_option(value)


# --- the feature colours against the dark land (no browser needed) ---------------------------


@pytest.mark.parametrize(
    "colour",
    [*map_colours(), *(s["color"] for s in LEG_STYLES.values()), CORRIDOR_CATEGORY_COLOUR],
)
def test_every_feature_colour_keeps_3_to_1_in_the_dark(colour: str) -> None:
    dark = dark_variant(colour)
    assert contrast(dark, DARK_LAND_COLOUR) >= 3, (colour, dark)
    assert contrast(dark, DARK_PANEL_COLOUR) >= 3, (colour, dark)


def test_the_dark_land_of_the_map_is_the_one_the_colours_are_checked_against() -> None:
    css = (Path(__file__).parents[2] / "webapp/static/map.css").read_text(encoding="utf-8")
    assert f"--atlas-land: {DARK_LAND_COLOUR};" in css
    js = (Path(__file__).parents[2] / "webapp/static/map-basemap.js").read_text(encoding="utf-8")
    assert f'fillColor: "{BASE_LAND_COLOUR}"' in js


# --- the theme and its switch ------------------------------------------------------------------


@pytest.mark.parametrize(("scheme", "expected"), [("dark", "dark"), ("light", "light")])
def test_the_theme_follows_the_system(
    browser: Browser, live_server: str, scheme: str, expected: str
) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{live_server}/about", wait_until="load")
    assert theme(page) == expected
    assert page.evaluate("() => getComputedStyle(document.documentElement).colorScheme") == expected
    paper = "rgb(21, 24, 28)" if expected == "dark" else "rgb(255, 255, 255)"
    assert background(page, "html") == paper
    context.close()


def test_the_page_is_never_painted_in_the_other_theme(
    dark: BrowserContext, live_server: str
) -> None:
    """The theme is on <html> before <body> exists, on a text page and on the map."""
    dark.add_init_script(
        """new MutationObserver((changes, observer) => {
            if (document.body) {
                window.themeAtBody = document.documentElement.getAttribute("data-theme");
                observer.disconnect();
            }
        }).observe(document, {childList: true, subtree: true});"""
    )
    page = dark.new_page()
    for path in ("/about", "/"):
        page.goto(live_server + path, wait_until="domcontentloaded")
        assert page.evaluate("() => window.themeAtBody") == "dark", path


def test_the_switch_overrides_the_system_and_is_remembered(
    dark: BrowserContext, light: BrowserContext, live_server: str
) -> None:
    errors: list[str] = []
    page = dark.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/about", wait_until="load")
    assert page.locator("select[data-theme-switch]").input_value() == "auto"
    choose(page, "light")
    assert theme(page) == "light"
    assert background(page, "html") == "rgb(255, 255, 255)"
    page.reload(wait_until="load")
    assert theme(page) == "light"
    assert page.locator("select[data-theme-switch]").input_value() == "light"
    open_map(page, f"{live_server}/")  # the choice holds on every page, the map included
    assert theme(page) == "light"
    choose(page, "auto")
    assert theme(page) == "dark"
    page.reload(wait_until="load")
    assert theme(page) == "dark"
    assert not [e for e in errors if "Content Security Policy" in e]

    other = light.new_page()
    other.goto(f"{live_server}/features", wait_until="load")
    assert theme(other) == "light"
    choose(other, "dark")
    assert theme(other) == "dark"
    assert background(other, "html") == "rgb(21, 24, 28)"
    other.reload(wait_until="load")
    assert theme(other) == "dark"
    assert other.locator("select[data-theme-switch]").input_value() == "dark"


def test_the_switch_is_translated(dark: BrowserContext, live_server: str) -> None:
    page = dark.new_page()
    page.goto(f"{live_server}/about?lang=ru", wait_until="load")
    options = page.locator("select[data-theme-switch] option").all_inner_texts()
    assert options == ["Авто", "Светлая", "Тёмная"]
    assert page.get_by_label("Цветовая тема").count() == 1


# --- the map in the dark -------------------------------------------------------------------------


def test_the_offline_base_is_drawn_in_dark_colours(dark: BrowserContext, live_server: str) -> None:
    page = dark.new_page()
    open_map(page, f"{live_server}/")
    page.wait_for_selector(".leaflet-container.atlas-offline-base")
    page.wait_for_selector(".atlas-city-label", state="attached")
    assert background(page, ".leaflet-container") == "rgb(20, 36, 51)"  # the dark sea
    fill = page.eval_on_selector("path.atlas-basemap-land", "(e) => getComputedStyle(e).fill")
    assert fill == rgb(DARK_LAND_COLOUR)
    city = page.eval_on_selector(".atlas-city-label span", "(e) => getComputedStyle(e).color")
    assert city == "rgb(220, 214, 204)"
    # The legend, the popups' frame and Leaflet's controls are dark too.
    for selector in (".atlas-legend", ".leaflet-bar a", ".leaflet-control-layers"):
        assert background(page, selector) in ("rgba(30, 35, 40, 0.96)",), selector
    # A corridor too dark for the dark land is drawn lighter, in the legend as on the map.
    stroke = page.eval_on_selector(
        f'path.atlas-corridor[stroke="{DARK_BLUE}"]', "(e) => getComputedStyle(e).stroke"
    )
    assert stroke == rgb(dark_variant(DARK_BLUE))
    swatch = page.eval_on_selector(
        f'.atlas-legend [style*="{DARK_BLUE}"]', "(e) => getComputedStyle(e).borderTopColor"
    )
    assert swatch == rgb(dark_variant(DARK_BLUE))


def test_the_light_map_keeps_its_colours(light: BrowserContext, live_server: str) -> None:
    page = light.new_page()
    open_map(page, f"{live_server}/")
    page.wait_for_selector(".leaflet-container.atlas-offline-base")
    assert background(page, ".leaflet-container") == "rgb(212, 230, 241)"
    fill = page.eval_on_selector("path.atlas-basemap-land", "(e) => getComputedStyle(e).fill")
    assert fill == rgb(BASE_LAND_COLOUR)
    stroke = page.eval_on_selector(
        f'path.atlas-corridor[stroke="{DARK_BLUE}"]', "(e) => getComputedStyle(e).stroke"
    )
    assert stroke == rgb(DARK_BLUE)
    assert background(page, ".atlas-legend") == "rgba(255, 255, 255, 0.94)"


def shown_base(page: Page) -> list[str]:
    return page.evaluate(
        """() => Object.entries(CorridorAtlas.app.bases)
            .filter(([, layer]) => CorridorAtlas.app.map.hasLayer(layer)).map(([key]) => key)"""
    )


def test_the_dark_theme_shows_the_dark_tiles_unless_the_reader_chose(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(color_scheme="dark")
    refuse_other_hosts(context, live_server, tiles=True)
    page = context.new_page()
    tiles: list[str] = []
    page.on("request", lambda r: tiles.append(r.url) if "/dark_all/" in r.url else None)
    open_map(page, f"{live_server}/")
    assert shown_base(page) == ["dark"]
    page.wait_for_function("() => document.querySelector('img.leaflet-tile-loaded')")
    assert tiles and all(t.startswith("https://") and "basemaps.cartocdn.com" in t for t in tiles)
    assert "base=" not in page.url  # the theme's choice, not the reader's
    # Switched to light on the map, the light default comes back; to dark, the dark one.
    choose(page, "light")
    assert shown_base(page) == ["osm"]
    choose(page, "dark")
    assert shown_base(page) == ["dark"]
    page.wait_for_timeout(300)
    assert "base=" not in page.url
    # A base layer in the address is the reader's: the theme leaves it.
    page.goto("about:blank")
    open_map(page, f"{live_server}/#base=imagery")
    assert shown_base(page) == ["imagery"]
    choose(page, "light")
    assert shown_base(page) == ["imagery"]
    context.close()


def test_the_light_theme_keeps_the_first_base_layer(browser: Browser, live_server: str) -> None:
    context = browser.new_context(color_scheme="light")
    refuse_other_hosts(context, live_server, tiles=True)
    page = context.new_page()
    open_map(page, f"{live_server}/")
    assert shown_base(page) == ["osm"]
    context.close()


def test_the_dark_tiles_are_allowed_by_the_policy(live_server: str, dark: BrowserContext) -> None:
    page = dark.new_page()
    response = page.goto(f"{live_server}/", wait_until="load")
    assert response is not None
    policy = response.headers["content-security-policy"]
    img = re.search(r"img-src ([^;]+)", policy)
    assert img and "https://*.basemaps.cartocdn.com" in img.group(1).split()


# --- contrast, checked by axe-core ---------------------------------------------------------------


@pytest.mark.parametrize(("path", "ready"), PAGES)
def test_no_contrast_or_other_violation_in_the_dark(
    dark: BrowserContext, live_server: str, path: str, ready: str | None
) -> None:
    page = dark.new_page()
    response = page.goto(live_server + path, wait_until="load")
    assert response is not None and response.status == 200
    page.wait_for_function("() => window.CorridorAtlas === undefined || !!CorridorAtlas.app")
    if ready:
        page.wait_for_selector(ready)
    assert theme(page) == "dark"
    violations = axe.run(page)
    ran = page.evaluate(
        """async () => (await axe.run(document, {runOnly: ["color-contrast"]})).passes.length"""
    )
    assert ran > 0, "color-contrast checked nothing"
    serious = [v for v in violations if v.serious]
    assert not serious, f"axe-core on {path} in the dark:\n{axe.describe(serious)}"
