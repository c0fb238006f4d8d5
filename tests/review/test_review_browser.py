"""The review page in Chromium, served by ``corridor-atlas review`` as a child process: open
it with the printed token, see the article and the map, accept a proposal, and find the new
feature with its quote in the public app built from the rebuilt outputs."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from geodata.catalogue import load_catalogue
from tests.review.conftest import CORRIDOR, PLANT, RAIL, SITE, TARAZ_ID, Workspace
from tests.support.live import PROJECT, RECORD_CSP_VIOLATIONS, cli_command, launched_chromium

pytestmark = pytest.mark.browser
BANNER = re.compile(r"on (http://127\.0\.0\.1:\d+/\?token=\S+)")
TILE_HOST = "tile.openstreetmap.org"
BASEMAP_PATHS = ".leaflet-review-basemap-pane path.review-basemap-land"


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, as tests/browser/ launches it."""
    with launched_chromium() as launched:
        yield launched


@contextlib.contextmanager
def reviewing(workspace: Workspace) -> Iterator[str]:
    """``corridor-atlas review`` over the workspace; yields the address it printed."""
    log = workspace.root / "review.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *cli_command(),
                "review",
                "--port",
                "0",
                "--proposals",
                str(workspace.proposals.parent),
                *workspace.options(),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=PROJECT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while not (found := BANNER.search(log.read_text())):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield found.group(1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_a_curator_accepts_a_site_and_the_public_atlas_shows_it(browser, workspace):
    page = browser.new_page()
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with reviewing(workspace) as address:
        page.goto(address)
        assert "token" not in page.url
        page.get_by_role("link", name="005_taraz_fixture.txt").click()
        assert page.locator("#article-text mark").first.is_visible()
        assert PLANT in page.locator("#article-text").inner_text()
        # circle markers for the site, the place and the corridor's points, and its line
        page.wait_for_selector("#review-map path.leaflet-interactive")
        assert page.locator("#review-map path.leaflet-interactive").count() >= 4
        page.locator(f"section[data-id='{SITE}'] button.accept").click()
        page.wait_for_selector(f"text=Accepted {SITE}", timeout=60_000)
        assert page.locator(f"section[data-id='{SITE}'] .status").inner_text() == "accepted"
        assert page.evaluate("window.__cspViolations") == [] and errors == []
    assert TARAZ_ID in {entry.id for entry in load_catalogue(workspace.catalogue).entries}

    from webapp import create_app

    public = create_app({"TESTING": True, "DATA_DIR": workspace.out}).test_client()
    feature = public.get(f"/features/{TARAZ_ID}")
    assert feature.status_code == 200
    assert PLANT in feature.get_data(as_text=True)
    assert public.post(f"/features/{TARAZ_ID}").status_code == 405  # the public app stays read-only


def test_the_page_cannot_be_opened_without_the_token(browser, workspace):
    page = browser.new_page()
    with reviewing(workspace) as address:
        response = page.goto(address.split("?")[0])
        assert response.status == 403


def _host(url: str) -> str:
    return re.match(r"^[a-z]+://([^/:]+)", url).group(1)


def test_with_tiles_blocked_the_base_layer_shows_and_nothing_leaves_but_tile_requests(
    browser, workspace
):
    page = browser.new_page()
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.route(f"https://{TILE_HOST}/**", lambda route: route.abort())
    with reviewing(workspace) as address:
        page.goto(address)
        page.goto(address.split("?")[0] + "proposals/005_taraz_fixture")
        started = time.monotonic()
        page.wait_for_selector(BASEMAP_PATHS, state="attached", timeout=5_000)
        drawn_after = time.monotonic() - started
        assert page.locator(BASEMAP_PATHS).count() >= 1
        assert page.locator(".leaflet-review-basemap-pane path.review-basemap-border").count()
        page.wait_for_timeout(500)  # let the tile layer ask for (and fail) its tiles
        assert page.evaluate("window.__cspViolations") == []
    tiles = [r for r in requests if _host(r.url) == TILE_HOST]
    assert tiles, "the map asked for no tile: the check below would prove nothing"
    assert {_host(r.url) for r in requests} <= {"127.0.0.1", TILE_HOST}
    for tile in tiles:
        assert "referer" not in {name.lower() for name in tile.headers}, tile.headers
    print(f"base layer drawn {drawn_after:.2f} s after the page was opened; {len(tiles)} tiles")


def test_clicking_a_proposal_marks_and_shows_its_own_sentences(browser, workspace):
    page = browser.new_page(viewport={"width": 1200, "height": 700})
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    with reviewing(workspace) as address:
        page.goto(address)
        page.goto(address.split("?")[0] + "proposals/005_taraz_fixture")
        rail = page.locator(f"#article-text mark[data-proposals='{CORRIDOR}']")
        assert rail.inner_text() == RAIL
        assert "corridor: Kazakh" in rail.get_attribute("title")
        page.locator(f"section[data-id='{CORRIDOR}'] h2").click()
        page.wait_for_selector("#article-text mark.active")
        assert page.locator("#article-text mark.active").all_inner_texts() == [RAIL]
        assert (
            page.locator(f"section[data-id='{CORRIDOR}']")
            .get_attribute("class")
            .endswith("selected")
        )
        box, view = rail.bounding_box(), page.locator("#article-text").bounding_box()
        assert view["y"] <= box["y"] and box["y"] + box["height"] <= view["y"] + view["height"]
        page.locator(f"section[data-id='{SITE}'] button.show-sentences").click()
        assert page.locator("#article-text mark.active").all_inner_texts() == [PLANT]
        assert page.evaluate("window.__cspViolations") == []
