"""The text pages in a real browser: waitress serves the built data, headless Chromium reads it.

Checks what only a browser can tell: following a highlight lands on its feature page, the
feature table scrolls sideways inside its container on a phone while the page does not, the
keyboard reaches the table with a visible focus ring, and no page raises an error, breaks a
CSP rule or fetches a script or stylesheet from elsewhere. Requests to other hosts fail, as
offline. With ATLAS_SCREENSHOTS=1 it saves docs/screenshot-feature.png and
docs/screenshot-source.png for the README.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.support.live import RECORD_CSP_VIOLATIONS

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
TAKE_SCREENSHOTS = os.environ.get("ATLAS_SCREENSHOTS") == "1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOT_FEATURE = "bekabad-industrial-park"
#: The feature page shown in the README: a site with figures, dates and a curated position.
README_FEATURE = "central-asia-international-industrial-cooperation-centre"


@pytest.fixture(scope="module")
def seeds(built_data_dir: Path) -> list[dict]:
    return json.loads((built_data_dir / "sources.json").read_text(encoding="utf-8"))["seeds"]


class Watched:
    """A page whose errors, CSP violations and foreign requests are recorded."""

    def __init__(self, browser: Browser, origin: str, viewport: dict[str, int]) -> None:
        self.origin = origin
        self.context = browser.new_context(viewport=viewport)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.foreign: list[tuple[str, str]] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.context.route("**/*", self._offline)
        self.context.add_init_script(RECORD_CSP_VIOLATIONS)

    def _offline(self, route: Route) -> None:
        request = route.request
        if request.url.startswith(self.origin + "/"):
            route.continue_()
            return
        self.foreign.append((request.resource_type, request.url))
        route.abort("internetdisconnected")

    def goto(self, path: str) -> Page:
        self.page.goto(self.origin + path, wait_until="load")
        return self.page

    def check_clean(self) -> None:
        """No page error, no CSP violation in any frame, no foreign script or style request."""
        assert self.errors == []
        self.page.wait_for_load_state("load")
        for frame in self.page.frames:
            if frame.url in ("", "about:blank"):  # a lazy frame not loaded: nothing ran in it
                continue
            frame.wait_for_load_state("load")
            assert frame.evaluate("window.__cspViolations || []") == [], frame.url
        loaded = [(kind, url) for kind, url in self.foreign if kind in {"script", "stylesheet"}]
        assert loaded == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Browser, live_server: str) -> Iterator[Watched]:
    session = Watched(browser, live_server, DESKTOP)
    yield session
    session.check_clean()
    session.close()


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Watched]:
    session = Watched(browser, live_server, PHONE)
    yield session
    session.check_clean()
    session.close()


def test_pages_load_cleanly(watched: Watched, seeds: list[dict]) -> None:
    paths = ["/features", f"/features/{SCREENSHOT_FEATURE}", "/sources"]
    paths += [f"/sources/{seed['slug']}" for seed in seeds]
    for path in paths:
        page = watched.goto(path)
        expect(page.locator("header .site-name")).to_have_text("Corridor Atlas")
        expect(page.locator('nav a[aria-current="page"]')).to_have_count(1)
        watched.check_clean()


def test_clicking_a_highlight_opens_its_feature(watched: Watched, seeds: list[dict]) -> None:
    seed = next(s for s in seeds if any(c["feature"] == SCREENSHOT_FEATURE for c in s["citations"]))
    number = next(n for n, c in enumerate(seed["citations"]) if c["feature"] == SCREENSHOT_FEATURE)
    page = watched.goto(f"/sources/{seed['slug']}")
    page.locator(f"mark#q-{number} a").click()
    expect(page).to_have_url(f"{watched.origin}/features/{SCREENSHOT_FEATURE}")
    expect(page.locator("h1")).to_have_text("Bekabad industrial park")
    watched.check_clean()


def test_quote_link_scrolls_to_its_highlight(watched: Watched) -> None:
    page = watched.goto(f"/features/{SCREENSHOT_FEATURE}")
    page.locator("blockquote.quote footer a").first.click()
    target = page.locator(":target")
    expect(target).to_have_count(1)
    expect(target).to_be_in_viewport()
    expect(target).to_contain_text("industrial park in Bekabad")
    watched.check_clean()


def test_filter_form_works_without_scripts(watched: Watched) -> None:
    page = watched.goto("/features")
    page.get_by_label("Kind").select_option("site")
    page.get_by_label("Country").select_option("KZ")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/features\?kind=site&.*country=KZ"))
    rows = page.locator("#features-table tbody tr")
    expect(rows.first).to_be_visible()
    for row in rows.all():
        expect(row.locator("td").nth(2)).to_contain_text("KZ")
        expect(row.locator("td").nth(0)).to_have_text("site")
    watched.check_clean()


def test_table_scrolls_inside_its_container_on_a_phone(phone: Watched) -> None:
    page = phone.goto("/features")
    sizes = page.evaluate(
        """() => {
            const box = document.querySelector(".table-scroll");
            const root = document.documentElement;
            return {boxScroll: box.scrollWidth, boxClient: box.clientWidth,
                    pageScroll: root.scrollWidth, pageClient: root.clientWidth};
        }"""
    )
    assert sizes["boxScroll"] > sizes["boxClient"], "the table should overflow its container"
    assert sizes["pageScroll"] <= sizes["pageClient"], "the page itself must not scroll sideways"
    nav = page.locator(".site-nav")
    expect(nav).to_be_visible()
    box = nav.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    phone.check_clean()


@pytest.mark.parametrize(
    "path",
    [
        f"/features/{SCREENSHOT_FEATURE}",
        "/features/north-south-international-transport-corridor",
        "/sources",
        "/sources/002_9f4c402e24e736ce",
    ],
)
def test_text_pages_fit_a_phone(phone: Watched, path: str) -> None:
    page = phone.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} scrolls sideways on a phone"
    expect(page.locator("h1")).to_be_in_viewport()


def test_keyboard_reaches_the_table_with_a_visible_focus(watched: Watched) -> None:
    page = watched.goto("/features")
    first_link = page.locator("#features-table tbody a").first
    for _ in range(60):
        page.keyboard.press("Tab")
        if first_link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first link of the table")
    outline = first_link.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2
    href = first_link.get_attribute("href")
    name = first_link.text_content()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{watched.origin}{href}")
    expect(page.locator("h1")).to_have_text(name or "")


def test_skip_link_is_first_and_visible_on_focus(watched: Watched) -> None:
    page = watched.goto("/sources")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()


def test_copy_button_copies_the_embed_snippet(browser: Browser, live_server: str) -> None:
    session = Watched(browser, live_server, DESKTOP)
    try:
        session.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = session.goto(f"/features/{SCREENSHOT_FEATURE}")
        button = page.get_by_role("button", name="Copy")
        expect(button).to_be_visible()
        button.click()
        expect(page.locator(".copy-status")).to_have_text("Copied.")
        snippet = page.locator("#embed-code").input_value()
        assert snippet.startswith(f'<iframe src="{live_server}/embed?focus={SCREENSHOT_FEATURE}"')
        assert page.evaluate("navigator.clipboard.readText()") == snippet
        session.check_clean()
    finally:
        session.close()


def test_copy_button_speaks_the_page_language(browser: Browser, live_server: str) -> None:
    """The button and its message come translated from the page (pages.js has no catalogue);
    the snippet keeps the language, so the embedded map opens in Russian too."""
    session = Watched(browser, live_server, DESKTOP)
    try:
        session.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = session.goto(f"/features/{SCREENSHOT_FEATURE}?lang=ru")
        page.get_by_role("button", name="Копировать").click()
        expect(page.locator(".copy-status")).to_have_text("Скопировано.")
        snippet = page.locator("#embed-code").input_value()
        assert f"/embed?focus={SCREENSHOT_FEATURE}&amp;lang=ru" in snippet
        session.check_clean()
    finally:
        session.close()


@pytest.mark.skipif(not TAKE_SCREENSHOTS, reason="set ATLAS_SCREENSHOTS=1 to refresh docs/")
def test_screenshots(browser: Browser, live_server: str, seeds: list[dict]) -> None:
    session = Watched(browser, live_server, DESKTOP)
    try:
        page = session.goto(f"/features/{README_FEATURE}")
        page.frame_locator("iframe").locator(".leaflet-container").wait_for()
        page.wait_for_timeout(3000)  # let the embedded map settle and its notices fade
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=DOCS / "screenshot-feature.png", full_page=False)
        seed = next(s for s in seeds if s["slug"].startswith("000_"))
        page = session.goto(f"/sources/{seed['slug']}")
        page.frame_locator("iframe").locator(".leaflet-container").wait_for()
        page.wait_for_timeout(3000)
        page.screenshot(path=DOCS / "screenshot-source.png", full_page=False)
    finally:
        session.close()
