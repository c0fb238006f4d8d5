"""The map's search box lands right (issue 12, item 6), in Chromium against a real server.

The box asks the server (``/api/features?q=`` and ``/api/places?q=``), so its order is the
API's: the test compares the listed ids with the API's for the same queries, checks that
"Tashkent" + Enter lands in Tashkent, that each row names its place and country, and that a
gazetteer town no feature stands at is offered as "Zoom to <place>".
"""

from __future__ import annotations

import json
from urllib.parse import quote
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from geodata.geometry import geodesic_km
from tests.browser.test_map_browser import features, open_page, other_site  # noqa: F401
from tests.support.pages import expect_popup

pytestmark = pytest.mark.browser

OPTIONS = "#atlas-search-results [role=option]"


def api_ids(server: str, query: str, limit: int = 12) -> list[str]:
    with urlopen(f"{server}/api/features?q={quote(query)}&limit={limit}") as response:
        return [f["id"] for f in json.load(response)["features"]]


def listed(page, query: str) -> list[str]:
    box = page.locator("#atlas-search-input")
    box.fill(query)
    expect(page.locator("#atlas-search-status")).not_to_have_text("")
    page.wait_for_function(
        "(q) => CorridorAtlas.app.search.query === q && !CorridorAtlas.app.search.pending",
        arg=query,
    )
    return page.locator(OPTIONS).evaluate_all(
        "(options) => options.map((o) => o.dataset.feature).filter(Boolean)"
    )


def test_the_map_lists_in_the_apis_order(open_page, live_server):  # noqa: F811
    page = open_page("/", tiles="load")
    for query in ["Tashkent", "Kazakhstan", "KZ", "Kyrgyzstan", "railway", "planned", "Tirmiz"]:
        assert listed(page, query) == api_ids(live_server, query), query


def test_kazakhstan_lists_all_nine_kazakh_features(open_page, features):  # noqa: F811
    kazakh = {fid for fid, p in features.items() if "KZ" in p["countries"]}
    assert len(kazakh) == 9
    page = open_page("/", tiles="load")
    assert set(listed(page, "Kazakhstan")[:9]) == kazakh


def test_tashkent_and_enter_lands_in_tashkent(open_page, features):  # noqa: F811
    page = open_page("/", tiles="load")
    box = page.locator("#atlas-search-input")
    box.fill("Tashkent")
    box.press("Enter")  # at once: the answer is awaited, then its first result shown
    first = features["mephi-tashkent-branch"]
    expect_popup(page, first["name"])
    page.wait_for_timeout(600)  # the flight ends
    centre = page.evaluate(
        "() => { const c = CorridorAtlas.app.map.getCenter(); return [c.lat, c.lng]; }"
    )
    tashkent = next(p for p in first["located_by"] if p["place"] == "Tashkent")
    assert geodesic_km((centre[1], centre[0]), (tashkent["lon"], tashkent["lat"])) < 30


def test_each_row_names_its_place_and_country(open_page):  # noqa: F811
    page = open_page("/", tiles="load")
    listed(page, "Tashkent")
    notes = page.locator(f"{OPTIONS} .atlas-search-note").all_text_contents()
    assert "Tashkent, Uzbekistan" in notes[0]
    almaty = page.locator(f"{OPTIONS}[data-feature=tiiame-branch-almaty] .atlas-search-note")
    expect(almaty).to_contain_text("Almaty, Kazakhstan")
    assert any("through Tashkent" in note for note in notes)


def test_a_town_no_feature_stands_at_is_offered_as_zoom_to(open_page, features):  # noqa: F811
    assert not any(w["place"] == "Fergana" for p in features.values() for w in p["located_by"])
    page = open_page("/", tiles="load")
    listed(page, "Fergana")
    first = page.locator(OPTIONS).first
    expect(first).to_contain_text("Zoom to Fergana")
    expect(first).to_contain_text("Fergana, Uzbekistan")
    # The logistics centre merely named after Fergana (it is in Omsk) comes after it.
    expect(page.locator(f"{OPTIONS}[data-feature=fergana-logistics-centre-omsk]")).to_have_count(1)
    page.locator("#atlas-search-input").press("Enter")
    page.wait_for_function("() => CorridorAtlas.app.map.getZoom() >= 10", timeout=10000)
    centre = page.evaluate(
        "() => { const c = CorridorAtlas.app.map.getCenter(); return [c.lat, c.lng]; }"
    )
    assert geodesic_km((centre[1], centre[0]), (71.78, 40.38)) < 10
    expect(page.locator("#atlas-search-status")).to_contain_text("Fergana, Uzbekistan")


def test_a_place_a_site_stands_at_is_not_offered_twice(open_page):  # noqa: F811
    page = open_page("/", tiles="load")
    listed(page, "Tashkent")
    expect(page.locator(f"{OPTIONS}.atlas-search-place")).to_have_count(0)
