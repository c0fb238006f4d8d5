"""What the map draws, in Chromium: every site opened by a click where it is drawn (sites at one
place are spread, with a badge counting them), lines styled by stage, basis and mode, markers
shaped by category and filled by stage, and the legend working as the category filter.

Requests to other hosts fail, as on a machine without network; every page must end its test
without a page error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.pages import DESKTOP, expect_popup
from webapp.map.pagedata import LEG_STYLES, stage_style
from webapp.style import SITE_CLASS, site_colour

pytestmark = pytest.mark.browser

#: Per site path: id, the centre of its box, and whether it is the topmost element there.
SITE_POSITIONS = """(cls) => Array.from(document.querySelectorAll("path." + cls)).map((el) => {
    const r = el.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
    const id = [...el.classList].find((c) => c.startsWith("atlas-id-")).slice(9);
    return {id, x, y, topmost: document.elementFromPoint(x, y) === el};
})"""


#: Whether the site's marker is the topmost element at its own centre (nothing covers it).
TOPMOST = """([cls, id]) => {
    const el = document.querySelector("path." + cls + ".atlas-id-" + id);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el;
}"""

#: The map's centre and zoom, as ``set_view`` takes them.
VIEW = """() => {
    const m = CorridorAtlas.app.map, c = m.getCenter();
    return [c.lat, c.lng, m.getZoom()];
}"""


@pytest.fixture(scope="module")
def features(built_data_dir: Path) -> dict[str, dict]:
    collection = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"] for f in collection["features"]}


@pytest.fixture
def open_map(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Open a path of the live server, the internet unreachable; no page error allowed."""
    opened: list[tuple[Page, list[str]]] = []

    def open_(path: str = "/") -> Page:
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(live_server + "/")
                else r.abort("internetdisconnected")
            ),
        )
        page.goto(live_server + path, wait_until="load")
        page.wait_for_function("() => !!(window.CorridorAtlas && CorridorAtlas.app)")
        opened.append((page, errors))
        return page

    yield open_
    for page, errors in opened:
        page.context.close()
        assert errors == []


def set_view(page: Page, lat: float, lon: float, zoom: float) -> None:
    page.evaluate(
        # A block body: returning the map would have Playwright serialise all of Leaflet (5 s).
        "([lat, lon, zoom]) => {"
        " CorridorAtlas.app.map.setView([lat, lon], zoom, {animate: false}); }",
        [lat, lon, zoom],
    )
    page.wait_for_timeout(100)  # the spread follows the zoom


def close_popup(page: Page) -> None:
    page.locator(".leaflet-popup-close-button").last.click()
    expect(page.locator(".leaflet-popup")).to_have_count(0)


# --- every site reachable ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "view",
    [None, (41.3, 69.2, 9), (39.8, 64.4, 12)],
    ids=["first view", "Tashkent", "Bukhara close up"],
)
def test_every_site_opens_by_a_click_where_it_is_drawn(open_map, features, view):
    page = open_map()
    page.locator(".atlas-legend summary").click()  # fold the legend: it covers the map's corner
    if view:
        set_view(page, *view)
    start = page.evaluate(VIEW)
    sites = {i for i, p in features.items() if p["kind"] == "site"}
    positions = page.evaluate(SITE_POSITIONS, SITE_CLASS)
    assert {p["id"] for p in positions} == sites
    on_screen = sorted(p["id"] for p in positions if _on_screen(p))
    if view is None:
        assert on_screen == sorted(sites), "the first view shows every site"
    assert on_screen, "no site in this view"
    for site_id in on_screen:
        set_view(page, *start)  # an opened popup pans the map: back to the view tested
        try:  # the spread follows the view a frame or two after it settles
            page.wait_for_function(TOPMOST, arg=[SITE_CLASS, site_id], timeout=5000)
        except PlaywrightTimeout:
            pytest.fail(f"{site_id} is covered where it is drawn")
        (position,) = [p for p in page.evaluate(SITE_POSITIONS, SITE_CLASS) if p["id"] == site_id]
        page.mouse.click(position["x"], position["y"])
        expect_popup(page, features[site_id]["name"])
        close_popup(page)


def _on_screen(position: dict) -> bool:
    """Within the map and clear of its corner controls."""
    width, height = DESKTOP["width"], DESKTOP["height"]
    return 60 < position["x"] < width - 60 and 110 < position["y"] < height - 40


def test_sites_at_one_place_are_spread_around_a_badge_that_lists_them(open_map, features):
    page = open_map()
    set_view(page, 41.26465, 69.21627, 11)  # Tashkent: three sites share one point
    badge = page.locator(".leaflet-marker-pane .atlas-spread-badge", has_text="3")
    expect(badge).to_have_count(1)
    tashkent = [
        "consultative-meeting-heads-of-state-tashkent",
        "innoprom-central-asia",
        "mephi-tashkent-branch",
    ]
    boxes = [page.locator(f"path.atlas-id-{i}").bounding_box() for i in tashkent]
    centres = {(round(b["x"] + b["width"] / 2), round(b["y"] + b["height"] / 2)) for b in boxes}
    assert len(centres) == 3, "the three markers are drawn apart"
    badge.click()
    links = page.locator(".atlas-members-list a")
    expect(links).to_have_count(3)
    assert sorted(links.all_text_contents()) == sorted(features[i]["name"] for i in tashkent)
    links.filter(has_text=features["innoprom-central-asia"]["name"]).click()
    expect_popup(page, features["innoprom-central-asia"]["name"])


def test_also_here_links_open_the_other_sites_popup(open_map, features):
    page = open_map("/#open=bukhara-region-russian-uzbek-technopark")
    expect_popup(page, features["bukhara-region-russian-uzbek-technopark"]["name"])
    hub = features["central-asia-russia-industrial-engineering-hub"]["name"]
    page.locator(".leaflet-popup-content .atlas-popup-also a", has_text=hub).click()
    expect_popup(page, hub)
    page.wait_for_function("() => location.hash.includes('central-asia-russia-industrial')")


# --- stage, basis and mode drawn --------------------------------------------------------------


def test_corridor_lines_are_dashed_by_stage_faded_by_basis_and_sea_legs_apart(open_map, features):
    page = open_map()
    corridors = {i: p for i, p in features.items() if p["kind"] == "corridor"}
    for corridor_id, props in corridors.items():
        path = page.locator(f"path.atlas-corridor.atlas-id-{corridor_id}")
        dash = path.get_attribute("stroke-dasharray")
        assert dash == stage_style(props["status"]["stage"])["dash"], corridor_id
        opacity = float(path.get_attribute("stroke-opacity"))
        assert (opacity < 0.6) == (props.get("basis") == "endpoints"), corridor_id
    seas = [i for i, p in corridors.items() if "sea" in (p.get("leg_modes") or [])]
    legs = page.locator("path.atlas-leg-sea")
    expect(legs).to_have_count(len(seas))
    for index in range(len(seas)):
        leg = legs.nth(index)
        assert leg.get_attribute("stroke-dasharray") == LEG_STYLES["sea"]["dash"]
        assert leg.get_attribute("stroke") == LEG_STYLES["sea"]["color"]
    assert {"1 8", "10 7", None} >= {
        stage_style(p["status"]["stage"])["dash"] for p in corridors.values()
    }
    assert None in {stage_style(p["status"]["stage"])["dash"] for p in corridors.values()}


def test_site_markers_are_shaped_by_category_and_filled_by_stage(open_map, features):
    page = open_map()
    drawn = page.evaluate(
        """(cls) => Object.fromEntries(Array.from(document.querySelectorAll("path." + cls))
            .map((el) => [[...el.classList].find((c) => c.startsWith("atlas-id-")).slice(9),
                          {d: el.getAttribute("d"), fill: el.getAttribute("fill"),
                           stroke: el.getAttribute("stroke")}]))""",
        SITE_CLASS,
    )
    fills = set()
    for site_id, marker in drawn.items():
        props = features[site_id]
        colour = site_colour(props["category"])
        fill = stage_style(props["status"]["stage"])["fill"]
        fills.add(fill)
        if fill == "full":
            assert marker["fill"] == colour, site_id
        elif fill == "half":
            gradient = marker["fill"].removeprefix("url(#").removesuffix(")")
            assert marker["fill"].startswith("url(#"), site_id
            stops = page.locator(f"#{gradient} stop")
            expect(stops).to_have_count(2)
            assert stops.nth(1).get_attribute("stop-color") == colour
        else:
            assert (marker["fill"], marker["stroke"]) == ("#ffffff", colour), site_id
        assert ("a" in marker["d"]) == (props["category"] == "education"), site_id
    assert fills == {"full", "half", "ring"}


# --- the legend as the category filter ----------------------------------------------------------


def shown_ids(page: Page, cls: str) -> set[str]:
    return set(
        page.evaluate(
            """(cls) => Array.from(document.querySelectorAll("path." + cls)).map((el) =>
                [...el.classList].find((c) => c.startsWith("atlas-id-")).slice(9))""",
            cls,
        )
    )


def test_the_legend_filters_and_follows_the_filters(open_map, features):
    page = open_map()
    legend = page.locator(".atlas-legend")
    sites = {i for i, p in features.items() if p["kind"] == "site"}
    corridors = {i for i, p in features.items() if p["kind"] == "corridor"}
    technoparks = {i for i in sites if features[i]["category"] == "technopark"}

    entry = legend.locator(".atlas-legend-entry", has_text="technopark")
    entry.hover()
    entry.get_by_role("button", name="Show only technopark").click()
    assert shown_ids(page, "atlas-site") == technoparks
    assert shown_ids(page, "atlas-corridor") == set()
    expect(entry.locator("input")).to_be_checked()
    off = legend.locator(".atlas-legend-entry.atlas-legend-off")
    expect(off).to_have_count(legend.locator(".atlas-legend-entry").count() - 1)
    page.wait_for_function("() => location.hash.includes('category=')")

    legend.get_by_role("button", name="Show all sites").click()
    assert shown_ids(page, "atlas-site") == sites
    legend.get_by_role("button", name="Show all corridors").click()
    assert shown_ids(page, "atlas-corridor") == corridors
    legend.get_by_role("button", name="Show none of the corridors").click()
    assert shown_ids(page, "atlas-corridor") == set()
    legend.get_by_role("button", name="Show all corridors").click()

    entry.locator("input").uncheck()
    assert shown_ids(page, "atlas-site") == sites - technoparks
    expect(entry).to_have_class("atlas-legend-entry atlas-legend-off")
    entry.locator("input").check()

    # The legend follows the status filter: counts of what is shown, greyed when none is.
    page.get_by_role("button", name="Filters").click()
    page.locator("#atlas-filters-panel").get_by_label("planned").uncheck()
    planned = {i for i in technoparks if features[i]["status"]["stage"] == "planned"}
    expect(entry.locator(".atlas-legend-count")).to_have_text(
        f"({len(technoparks - planned)} of {len(technoparks)})"
    )
    if planned == technoparks:
        expect(entry).to_have_class("atlas-legend-entry atlas-legend-off")
