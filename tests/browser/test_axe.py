"""axe-core over every kind of page, in Chromium: no serious or critical WCAG 2.1 A/AA violation.

One browser, one context and one tab visit the pages in turn, with requests to other hosts
failing as offline. axe-core comes from npm (``make axe``); without it every case fails saying
how to install it. With ``ATLAS_AXE_REPORT=<file>`` the module writes every violation found,
of any impact, to that file as Markdown, for the pages' owners.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.support import axe
from tests.support.harness import running
from webapp.server import make_server

pytestmark = pytest.mark.browser

REPORT = os.environ.get("ATLAS_AXE_REPORT")
#: A site with figures, dates and a curated position, and the corridor with the longest route.
SITE = "central-asia-international-industrial-cooperation-centre"
CORRIDOR = "north-south-international-transport-corridor"
#: The source article with the most quotes (16).
SOURCE = "002_9f4c402e24e736ce"

#: A page with two violations axe-core calls critical and serious: an image with no text and
#: a page with no language.
BROKEN = '<!DOCTYPE html><html><head><title>t</title></head><body><img src="x.png"></body></html>'

#: What shows an opened feature: a popup on a desktop, a bottom sheet on a phone.
OPENED = ".leaflet-popup, .atlas-sheet"

#: (path, the HTTP status it must answer, a selector to wait for) for every page a reader meets.
PAGES = [
    pytest.param("/", 200, None, id="map"),
    pytest.param("/embed", 200, None, id="embed"),
    pytest.param("/#open=bekabad-industrial-park", 200, OPENED, id="map-popup"),
    pytest.param("/features", 200, None, id="features"),
    pytest.param(f"/features/{SITE}", 200, None, id="feature-site"),
    pytest.param(f"/features/{CORRIDOR}", 200, None, id="feature-corridor"),
    pytest.param("/sources", 200, None, id="sources"),
    pytest.param(f"/sources/{SOURCE}", 200, None, id="source"),
    pytest.param("/data", 200, None, id="data"),
    pytest.param("/api", 200, None, id="api"),
    pytest.param("/ogc", 200, None, id="ogc"),
    pytest.param("/about", 200, None, id="about"),
    pytest.param("/no/such/page", 404, None, id="error"),
]


@pytest.fixture(scope="module")
def origin(built_data_dir: Path) -> Iterator[str]:
    """A real waitress server over the built data, in a background thread."""
    with running(make_server(built_data_dir, host="127.0.0.1", port=0)) as url:
        yield url


@pytest.fixture(scope="module")
def findings() -> Iterator[dict[str, list[axe.Violation] | str]]:
    """Every page's violations (or why it was not checked), written out if a report is asked."""
    found: dict[str, list[axe.Violation] | str] = {}
    yield found
    if REPORT and found:
        text = axe.markdown_report(found, "axe-core violations per page")
        Path(REPORT).write_text(text + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def axe_installed() -> None:
    """Fail every case at once, with how to install it, when axe-core is missing."""
    try:
        axe.script_path()
    except axe.AxeMissing as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture(scope="module")
def tab(axe_installed: None, browser: Browser, origin: str) -> Iterator[Page]:
    """The one tab every page is checked in, axe-core loaded into each page it opens."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    axe.prepare(context)

    def offline(route: Route) -> None:
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(("path", "status", "ready"), PAGES)
def test_no_serious_violation(
    tab: Page,
    origin: str,
    findings: dict[str, list[axe.Violation] | str],
    path: str,
    status: int,
    ready: str | None,
) -> None:
    if "#" in path:  # from the same path, a new fragment would not load the page again
        tab.goto("about:blank")
    response = tab.goto(origin + path, wait_until="load")
    assert response is not None
    content_type = response.headers.get("content-type", "")
    if response.status != status or not content_type.startswith("text/html"):
        findings[path] = f"answered {response.status} {content_type} to a browser"
        pytest.fail(f"{path} answered {response.status} {content_type}, not {status} HTML")
    # The map builds its layers after load; wait until it has (other pages have no CorridorAtlas).
    tab.wait_for_function("() => window.CorridorAtlas === undefined || !!CorridorAtlas.app")
    if ready:
        tab.wait_for_selector(ready)
    violations = axe.run(tab)
    findings[path] = violations
    serious = [v for v in violations if v.serious]
    assert not serious, f"axe-core on {path}:\n{axe.describe(serious)}"


def test_a_violation_is_reported(tab: Page, origin: str) -> None:
    """The check can fail: axe-core is really in the page and its findings reach the message."""
    tab.route(
        origin + "/axe-probe",
        lambda route: route.fulfill(content_type="text/html; charset=utf-8", body=BROKEN),
    )
    tab.goto(origin + "/axe-probe", wait_until="load")
    violations = axe.run(tab)
    tab.unroute(origin + "/axe-probe")
    assert {(v.rule, v.impact) for v in violations} >= {
        ("image-alt", "critical"),
        ("html-has-lang", "serious"),
    }
    message = axe.describe(violations)
    assert "image-alt (critical, 1 element): Images must have alternative text" in message
    assert '  img  <img src="x.png">' in message


def test_a_missing_axe_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(axe.AxeMissing, match=r"axe\.min\.js is missing.*`make axe`"):
        axe.script_path(tmp_path / "axe-core")
    assert axe.script_path().name == "axe.min.js"
