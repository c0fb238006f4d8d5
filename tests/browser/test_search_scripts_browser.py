"""The map's search box in any script (issue 13, item 1), in Chromium against a real server.

"Бекабад" typed in the box lists the Bekabad industrial park first and opens its popup. The
transliteration table (any-ascii, 546 KB) is fetched only once a query beyond ASCII needs it,
and only once; when the file is missing the box still answers, from the server, and the page
logs one warning.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_map_browser import features, open_page, other_site  # noqa: F401
from tests.browser.test_map_search_ranking import OPTIONS, api_ids, listed
from tests.support.pages import expect_popup
from webapp.model.text import search_key

pytestmark = pytest.mark.browser

ANY_ASCII = "/static/vendor/any-ascii/"


def watch_any_ascii(page) -> list[str]:
    """The URLs of any-ascii's files the page asks for from now on."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if ANY_ASCII in request.url else 0)
    return asked


def test_bekabad_in_cyrillic_opens_the_bekabad_popup(open_page, features, live_server):  # noqa: F811
    page = open_page("/", tiles="load")
    found = listed(page, "Бекабад")
    assert found == api_ids(live_server, "Бекабад") == api_ids(live_server, "Bekabad")
    assert found[0] == "bekabad-industrial-park"
    page.locator(OPTIONS).first.click()
    expect_popup(page, features["bekabad-industrial-park"]["name"])
    expect(page.locator("#atlas-search-status")).to_contain_text(
        features["bekabad-industrial-park"]["name"]
    )


def test_a_corridor_row_names_the_waypoint_typed_in_cyrillic(open_page, features, live_server):  # noqa: F811
    """The row's "through <place>" compares the query with each waypoint's names by their
    search keys, which for Cyrillic needs any-ascii in the browser."""
    corridor = "trans-afghan-transport-corridor"
    (waypoint,) = [
        place["place"]
        for place in features[corridor]["located_by"]
        if search_key("Термез") in map(search_key, [place["place"], *place["names"].values()])
    ]
    page = open_page("/", tiles="load")
    assert listed(page, "Термез") == api_ids(live_server, "Termez")
    row = page.locator(f"{OPTIONS}[data-feature={corridor}]")
    expect(row.locator(".atlas-search-note")).to_contain_text(f"through {waypoint}")


def test_any_ascii_is_fetched_once_and_only_for_a_query_beyond_ascii(open_page):  # noqa: F811
    page = open_page("/", tiles="load")
    loaded = page.evaluate("() => performance.getEntriesByType('resource').map((e) => e.name)")
    assert [url for url in loaded if url.endswith("/map.bundle.js")], "resources are listed"
    assert not [url for url in loaded if ANY_ASCII in url], "the page itself loads no table"
    asked = watch_any_ascii(page)
    listed(page, "Bekobod")
    listed(page, "Farg'ona")
    assert asked == []
    listed(page, "Ташкент")
    assert sorted(url.rsplit("/", 1)[1] for url in asked) == ["any-ascii.js", "block.js"]
    listed(page, "Қорғас")
    assert len(asked) == 2, "imported once"


def test_without_the_table_search_still_answers_and_warns_once(open_page, live_server):  # noqa: F811
    page = open_page("/", tiles="load")
    page.route(f"**{ANY_ASCII}**", lambda route: route.fulfill(status=404, body="missing"))
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    assert listed(page, "Бекабад")[0] == "bekabad-industrial-park"  # the server keys it
    assert listed(page, "Тошкент") == api_ids(live_server, "Тошкент")
    assert listed(page, "Bekobod") == api_ids(live_server, "Bekobod")
    assert [w for w in warnings if "any-ascii" in w and "make js-vendor" in w] == warnings
    assert len(warnings) == 1
