"""/ogc and /api in a real browser: waitress serves the built data, headless Chromium reads it
on a 360 × 740 phone, offline (requests to other hosts fail).

Checks what only a browser can tell: Chromium's own Accept header gets the HTML pages (and
``fetch`` with a JSON Accept the JSON), a reader can walk from the landing page to an item and
on to its page in the atlas, no page scrolls sideways on a phone, and no page raises an error,
breaks a CSP rule or loads anything from elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.live import RECORD_CSP_VIOLATIONS

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SITE = "bekabad-industrial-park"
PAGES = [
    "/api",
    "/ogc",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections/corridors",
    "/ogc/collections/sites/queryables",
    "/ogc/collections/atlas/items?limit=5",
    "/ogc/collections/corridors/items/north-south-international-transport-corridor",
    f"/ogc/collections/sites/items/{SITE}",
]


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    """A phone-sized page, offline but for the server, recording errors and CSP violations."""
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    foreign: list[str] = []

    def offline(route) -> None:
        if route.request.url.startswith(live_server + "/"):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.origin = live_server  # type: ignore[attr-defined]
    yield page
    assert errors == []
    assert foreign == []
    context.close()


def fits(page: Page) -> None:
    """No sideways scrolling of the page itself, no CSP violation."""
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} is {width} px wide on a {inner} px screen"
    assert page.evaluate("window.__cspViolations") == []


@pytest.mark.parametrize("path", PAGES)
def test_pages_fit_a_phone(phone: Page, path: str) -> None:
    response = phone.goto(phone.origin + path, wait_until="load")  # type: ignore[attr-defined]
    assert response is not None and response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    expect(phone.locator("h1")).to_have_count(1)
    fits(phone)


def test_a_reader_walks_from_the_landing_page_to_the_atlas(phone: Page) -> None:
    origin = phone.origin  # type: ignore[attr-defined]
    phone.goto(origin + "/ogc", wait_until="load")
    expect(phone.locator("h1")).to_contain_text("OGC API – Features")
    phone.locator("main").get_by_role("link", name="Sites", exact=True).click()
    expect(phone.locator("h1")).to_have_text("Sites")
    expect(phone.get_by_role("img", name="Map of the extent from")).to_be_visible()
    phone.get_by_role("link", name="Items", exact=True).click()
    expect(phone.locator("h1")).to_have_text("Items of Sites")
    phone.goto(origin + "/ogc/collections/sites/items?limit=4", wait_until="load")
    phone.get_by_role("link", name="Next page").first.click()
    expect(phone).to_have_url(origin + "/ogc/collections/sites/items?limit=4&offset=4&f=html")
    expect(phone.locator("table.ogc-items tbody tr")).to_have_count(4)
    phone.locator("table.ogc-items tbody th a").first.click()
    expect(phone.get_by_role("heading", name="Properties")).to_be_visible()
    fits(phone)
    phone.get_by_role("link", name="Its page in the atlas").click()
    expect(phone).to_have_url(re.compile(re.escape(origin) + r"/features/[a-z0-9-]+$"))


def test_the_same_address_gives_a_script_json(phone: Page) -> None:
    phone.goto(phone.origin + "/ogc/collections", wait_until="load")  # type: ignore[attr-defined]
    answer = phone.evaluate(
        """async () => {
            const r = await fetch("/ogc/collections", {headers: {Accept: "application/json"}});
            return [r.headers.get("content-type"), (await r.json()).collections.length];
        }"""
    )
    assert answer == ["application/json", 3]
    alternate = phone.locator('head link[rel="alternate"][type]').get_attribute("href")
    assert alternate is not None and alternate.endswith("/ogc/collections?f=json")
