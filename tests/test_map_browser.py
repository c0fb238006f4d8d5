"""The atlas in a real browser: waitress serves the built data, headless Chromium draws it.

Counts the Leaflet paths of corridors and sites, opens site popups by clicking, and checks that
the page raises no error, breaks no CSP rule and fetches scripts and styles only from itself.
Requests to other hosts are answered with a network error, as offline: only map tiles may go
there, and their failure must not break the page. With ATLAS_SCREENSHOTS=1 it also saves
docs/screenshot-map.png for the README (tiles are then let through, if the network allows).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect, sync_playwright

from webapp.basemaps import tile_origins
from webapp.server import make_server
from webapp.style import CORRIDOR_CLASS, SITE_CLASS

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshot-map.png"
TAKE_SCREENSHOTS = os.environ.get("ATLAS_SCREENSHOTS") == "1"

#: Records CSP violations, which are reported as events rather than page errors.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

#: Feature ids of the paths with a class; with onlyClickable, only those that are the topmost
#: element at their own centre (not under another marker, a control or an open popup).
FEATURE_IDS = """
([cls, onlyClickable]) => Array.from(document.querySelectorAll("path." + cls)).filter((el) => {
    const r = el.getBoundingClientRect();
    return !onlyClickable
        || document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el;
}).map((el) => [...el.classList].find((c) => c.startsWith("atlas-id-")).slice(9))
"""


def chromium_executable() -> str:
    """Debian's chromium; a missing browser is a failure, not a skip."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(
            "Chromium is not installed, so the browser test cannot run. "
            "Install it with `apt-get install chromium` (it must be on PATH as `chromium`).",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def live_server(built_data_dir: Path) -> Iterator[str]:
    """A real waitress server on a free loopback port, in a background thread."""
    server = make_server(built_data_dir, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def features(built_data_dir: Path) -> dict[str, dict]:
    collection = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"] for f in collection["features"]}


def _offline(route: Route, origin: str) -> None:
    """Serve our own origin; fail everything else as a machine without network would."""
    url = route.request.url
    if url.startswith(origin + "/") or (
        TAKE_SCREENSHOTS and route.request.resource_type == "image"
    ):
        route.continue_()
    else:
        route.abort("internetdisconnected")


def _open_popup(page: Page, props: dict) -> str:
    page.locator(f"path.atlas-id-{props['id']}").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(props["name"])
    return popup.text_content() or ""


def test_atlas_in_chromium(live_server: str, features: dict[str, dict]) -> None:
    corridors = {i for i, p in features.items() if p["kind"] == "corridor"}
    sites = {i for i, p in features.items() if p["kind"] == "site"}
    errors: list[str] = []
    requests: list[tuple[str, str]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda r: requests.append((r.resource_type, r.url)))
            page.route("**/*", lambda route: _offline(route, live_server))
            page.add_init_script(RECORD_CSP_VIOLATIONS)
            page.goto(live_server + "/", wait_until="load")
            expect(page).to_have_title("Corridor Atlas")

            expect(page.locator(f"path.{CORRIDOR_CLASS}")).to_have_count(len(corridors))
            expect(page.locator(f"path.{SITE_CLASS}")).to_have_count(len(sites))
            assert set(page.evaluate(FEATURE_IDS, [CORRIDOR_CLASS, False])) == corridors
            assert set(page.evaluate(FEATURE_IDS, [SITE_CLASS, False])) == sites
            overlays = page.locator(".leaflet-control-layers-overlays label")
            categories = {features[i]["category"] for i in sites}
            expect(overlays).to_have_count(len(corridors) + len(categories))
            expect(page.locator(".leaflet-control-layers-base label")).to_have_count(3)
            expect(page.locator(".atlas-legend")).to_be_visible()

            if TAKE_SCREENSHOTS:
                page.wait_for_load_state("networkidle")
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SCREENSHOT)

            opened = 0
            for site_id in sorted(sites):
                if site_id not in page.evaluate(FEATURE_IDS, [SITE_CLASS, True]):
                    continue  # hidden under another marker or a control
                props = features[site_id]
                text = _open_popup(page, props)
                assert any(s["quote"] in text for s in props["sources"]), site_id
                assert any(s["seed"] in text for s in props["sources"]), site_id
                page.locator(".leaflet-popup-close-button").click()
                expect(page.locator(".leaflet-popup")).to_have_count(0)  # after the fade-out
                opened += 1
            assert opened >= 1, "no site marker could be clicked"

            assert page.evaluate("window.__cspViolations") == []
        finally:
            browser.close()

    assert errors == []
    foreign = [(kind, url) for kind, url in requests if not url.startswith(live_server + "/")]
    for kind, url in foreign:
        parts = urlsplit(url)
        assert kind == "image", f"non-local {kind} request: {url}"
        assert any(fnmatch(f"{parts.scheme}://{parts.netloc}", o) for o in tile_origins()), url
