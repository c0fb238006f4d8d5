"""The hostile catalogue (``tests/support/hostile.py``) in a real browser: nothing it carries runs.

waitress serves the hostile build; one headless Chromium visits every page type: the map (every
tooltip hovered, every popup opened, the legend, the layer control, the search box given hostile
queries, the filters panel), /embed with and without hostile parameters, the feature list with
filters, every feature page, the source list and every source page, /data, /api, /ogc and error
pages with hostile paths. Each payload would set ``window.__pwned`` and call ``alert``; after
every page, in every frame, no dialog opened, ``__pwned`` is undefined, no element carries an
event-handler attribute, and there was no page error, no console error and no CSP violation.
The hostile text is shown literally (the popup's text holds the raw ``<script>…</script>``).
Requests to other hosts fail, as offline, except map tiles, which get a blank image.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, expect

from tests.support import hostile
from tests.support.harness import running
from tests.support.live import RECORD_CSP_VIOLATIONS
from webapp.map.basemaps import tile_origins
from webapp.server import make_server

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 900}
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
ENTRIES = {entry["id"]: entry for entry in hostile.catalogue()["entries"]}
SEED_PAGES = ["/sources/hostile_article", "/sources/hostile_headline"]


#: What a frame shows of an attack: the payloads' global, CSP reports, event-handler attributes.
FRAME_REPORT = """() => ({
    pwned: typeof window.__pwned,
    csp: window.__cspViolations || [],
    handlers: [...document.querySelectorAll("*")].flatMap((el) =>
        [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => el.tagName + a.name)),
    injected: document.querySelectorAll('img[src="x"], svg[onload], img[onerror]').length,
    scriptUrls: [...document.querySelectorAll("[href], [src], [action]")]
        .map((el) => el.getAttribute("href") || el.getAttribute("src") || el.getAttribute("action"))
        .filter((url) => /^\\s*(javascript|vbscript|data):/i.test(url)),
})"""

#: A point of a feature's path where the path itself is the topmost element, or null.
TOP_POINT = """(id) => {
    const el = document.querySelector("path.atlas-id-" + id);
    const matrix = el.getScreenCTM(), length = el.getTotalLength();
    const box = el.getBoundingClientRect();
    const points = el.classList.contains("atlas-site")
        ? [{x: box.left + box.width / 2, y: box.top + box.height / 2}]
        : [0.5, 0.3, 0.7, 0.1, 0.9, 0.2, 0.8, 0.4, 0.6].map((f) => {
            const p = el.getPointAtLength(length * f);
            return {x: p.x * matrix.a + p.y * matrix.c + matrix.e,
                    y: p.x * matrix.b + p.y * matrix.d + matrix.f};
        });
    return points.find((p) => document.elementFromPoint(p.x, p.y) === el) || null;
}"""


def shown_in_html(text: str) -> str:
    """``text`` as a page shows it: HTML parsing drops NUL characters from text."""
    return text.replace("\x00", "")


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir, _ = hostile.build_hostile(tmp_path_factory.mktemp("hostile"))
    return data_dir


@pytest.fixture(scope="module")
def live_server(hostile_data: Path) -> Iterator[str]:
    with running(make_server(hostile_data, host="127.0.0.1", port=0)) as url:
        yield url


@pytest.fixture(scope="module")
def large_server(hostile_data: Path) -> Iterator[str]:
    """The same data on the page of a large atlas (features fetched, popups fetched)."""
    server = make_server(hostile_data, port=0, limits={"map_inline_features": 0})
    with running(server) as url:
        yield url


class Watched:
    """One browser context whose dialogs, errors, console errors and requests are recorded."""

    def __init__(self, browser: Browser, origin: str) -> None:
        self.origin = origin
        self.context = browser.new_context(viewport=DESKTOP)
        self.context.add_init_script(RECORD_CSP_VIOLATIONS)
        self.context.route("**/*", self._offline)
        self.page: Page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[ConsoleMessage] = []
        self.foreign: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.console.append(m) if m.type == "error" else None)
        self.expected_status: dict[str, int] = {}

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _offline(self, route: Route) -> None:
        request = route.request
        parts = urlsplit(request.url)
        if request.url.startswith(self.origin + "/"):
            route.continue_()
        elif request.resource_type == "image" and any(
            fnmatch(f"{parts.scheme}://{parts.netloc}", origin) for origin in tile_origins()
        ):
            route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            self.foreign.append(request.url)
            route.abort("internetdisconnected")

    def goto(self, path: str, status: int = 200) -> Page:
        """Open ``path`` (after checking the page being left, whose state is then lost)."""
        if self.page.url != "about:blank":
            self.check_frames()
        url = self.origin + path
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == status, path
        self.expected_status[response.url] = status
        self.page.wait_for_function(
            "() => window.CorridorAtlas === undefined || !!CorridorAtlas.app"
        )
        return self.page

    def check_frames(self) -> None:
        """In every frame of the page: no payload ran, no CSP violation, no injected element."""
        for frame in self.page.frames:
            report = frame.evaluate(FRAME_REPORT)
            clean = {"pwned": "undefined", "csp": [], "handlers": [], "injected": 0}
            assert report == {**clean, "scriptUrls": []}, frame.url

    def check_clean(self) -> None:
        """Nothing ran, nothing was blocked, nothing failed, in any frame."""
        assert self.dialogs == []
        assert self.errors == []
        self.check_frames()
        unexpected = [
            m.text
            for m in self.console
            if not (  # the browser logs a page answered with an error status, as asked
                self.expected_status.get(m.location.get("url", ""), 200) >= 400
                and "the server responded with a status of" in m.text
            )
        ]
        assert unexpected == []
        assert self.foreign == []


@pytest.fixture
def watched(browser: Browser, live_server: str) -> Iterator[Watched]:
    session = Watched(browser, live_server)
    yield session
    session.check_clean()
    session.context.close()


# --- the map ------------------------------------------------------------------------------------


def test_map_tooltips_popups_legend_and_layers_show_text_literally(watched: Watched):
    page = watched.goto("/")
    legend = page.locator(".atlas-legend")
    for entry in ENTRIES.values():
        if entry["kind"] == "corridor":
            assert entry["name"] in (legend.text_content() or "")
    page.locator(".leaflet-control-layers").hover()
    labels = page.locator(".leaflet-control-layers-overlays").text_content() or ""
    assert hostile.text(hostile.CORRIDOR_A) in labels and hostile.SCRIPT in labels
    page.mouse.move(700, 450)
    legend.locator("summary").click()  # fold it: it covers part of the map
    for feature_id, entry in ENTRIES.items():
        # Show the feature as the app would (an opened popup may have panned the map away).
        page.evaluate("(id) => CorridorAtlas.app.fitFeatures([id], 6)", feature_id)
        point = page.wait_for_function(TOP_POINT, arg=feature_id).json_value()
        page.mouse.move(point["x"], point["y"])
        tooltip = page.locator(".leaflet-tooltip")
        expect(tooltip).to_have_count(1)
        assert tooltip.text_content() == entry["name"]
        page.mouse.click(point["x"], point["y"])
        popup = page.locator(".leaflet-popup-content").last
        expect(popup).to_contain_text(hostile.SCRIPT)
        shown = popup.text_content() or ""
        for text in [entry["name"], shown_in_html(entry["description"]), *entry["aliases"]]:
            assert text in shown
        for source in entry["sources"]:
            assert source["quote"] in shown
        # Close through the map: under load a click on the close button can land on the
        # marker beneath once the popup fades, reopening it.
        page.evaluate("() => { CorridorAtlas.app.map.closePopup(); }")
        expect(page.locator(".leaflet-popup")).to_have_count(0)
        page.mouse.move(5, 880)
    watched.check_clean()


def test_map_search_and_filters_with_hostile_queries(watched: Watched):
    page = watched.goto("/")
    box = page.locator("#atlas-search-input")
    box.fill("Hostile site")
    options = page.locator("#atlas-search-results .atlas-search-name")
    expect(options).to_have_count(3)
    assert all(hostile.SCRIPT in (name or "") for name in options.all_text_contents())
    for query in [*hostile.PAYLOADS.values(), hostile.LONG[:300]]:
        box.fill(query)
        results = page.locator("#atlas-search-results")
        expect(results.locator(".atlas-search-name, .atlas-search-empty").first).to_be_visible()
        empty = results.locator(".atlas-search-empty")
        if empty.count():  # no match: the notice repeats the query as text
            assert query.strip() in (empty.text_content() or "")
    box.fill(hostile.PAYLOADS["img-attribute"])
    box.press("Enter")
    box.fill("Hostile corridor beta")
    box.press("Enter")  # shows the first result on the map and opens its popup
    expect(page.locator(".leaflet-popup-content").last).to_contain_text(hostile.SCRIPT)
    page.get_by_role("button", name="Filters").click()
    panel = page.locator("#atlas-filters-panel")
    expect(panel).to_be_visible()
    for box_input in panel.locator("input[type=checkbox]").all()[:4]:
        box_input.click()
    watched.check_clean()


@pytest.mark.parametrize(
    "path",
    [
        "/embed",
        "/embed?focus=hostile-site-alpha",
        "/embed?only=hostile-site-gamma,hostile-corridor-alpha",
        f"/embed?focus={quote(hostile.ALL, safe='')}&only={quote(hostile.SCRIPT, safe='')}",
        f"/#open={quote(hostile.PAYLOADS['img-attribute'], safe='')}&base=%3Cscript%3E",
        "/#open=hostile-corridor-beta",
    ],
)
def test_embed_and_permalinks_with_hostile_parameters(watched: Watched, path: str):
    page = watched.goto(path)
    expect(page.locator(".leaflet-overlay-pane svg")).to_be_attached()
    if "open=hostile" in path:
        expect(page.locator(".leaflet-popup-content").last).to_contain_text(hostile.SCRIPT)


def test_large_atlas_map_fetches_and_shows_popups_literally(browser: Browser, large_server: str):
    session = Watched(browser, large_server)
    try:
        page = session.goto("/")
        box = page.locator("#atlas-search-input")
        for name in (hostile.SITE_A, hostile.CORRIDOR_B):
            box.fill(name)
            expect(page.locator("#atlas-search-results .atlas-search-name").first).to_contain_text(
                hostile.SCRIPT
            )
            box.press("Enter")
            popup = page.locator(".leaflet-popup-content").last
            expect(popup).to_contain_text(f"{name} {hostile.SCRIPT}")
        session.check_clean()
    finally:
        session.context.close()


# --- the text pages -----------------------------------------------------------------------------


def test_text_pages_show_text_literally(watched: Watched):
    page = watched.goto("/features")
    names = page.locator("#features-table tbody th a").all_text_contents()
    assert sorted(names) == sorted(e["name"] for e in ENTRIES.values())
    page.get_by_label("Kind").select_option("site")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#features-table tbody tr")).to_have_count(3)
    watched.goto("/features?category=technopark&sort=name&order=desc")
    for feature_id, entry in ENTRIES.items():
        page = watched.goto(f"/features/{feature_id}")
        expect(page.locator("h1")).to_have_text(entry["name"])
        assert shown_in_html(entry["description"]) in (page.locator("main").text_content() or "")
        page.locator("iframe.map-frame").scroll_into_view_if_needed()
        frame = page.frame_locator("iframe.map-frame")
        expect(frame.locator(f"path.atlas-id-{feature_id}")).to_be_attached()
    page = watched.goto("/sources")
    expect(page.locator("#sources-table")).to_contain_text(hostile.LABEL)
    expect(page.locator("#sources-table")).to_contain_text(hostile.HEADLINE)
    for path in SEED_PAGES:
        page = watched.goto(path)
        assert hostile.SCRIPT in (page.locator("article").text_content() or "")
        watched.check_frames()
        page.locator("mark a").first.click()
        expect(page.locator("h1")).to_contain_text(hostile.SCRIPT)
    watched.goto("/data")
    watched.goto("/api")
    watched.check_clean()


@pytest.mark.parametrize(
    ("path", "status", "shown"),
    [
        (f"/features/{quote(hostile.PAYLOADS['img-attribute'], safe='')}", 404, "img-attribute"),
        (f"/sources/{quote(hostile.PAYLOADS['svg-attribute'], safe='')}", 404, "svg-attribute"),
        (f"/nope/{quote(hostile.ALL, safe='/')}", 404, None),
        (f"/features?kind={quote(hostile.SCRIPT)}", 400, "script"),
        ("/ogc?f=xml", 400, None),
        ("/ogc", 200, None),
    ],
)
def test_error_pages_with_hostile_paths(watched: Watched, path: str, status: int, shown):
    page = watched.goto(path, status=status)
    if shown is not None:
        assert hostile.PAYLOADS[shown] in (page.locator("main").text_content() or "")
