"""The published atlas read as a reader would (issue 15, item 5): ``publish_site`` into a
temporary folder, Debian's nginx serving it with the configuration publish writes (no Python
process serving anything), and in Chromium the map, its search, the pages reached by clicking,
a download; ``ogrinfo`` reading the OGC collections. All of it at the host's root and under
``/atlas/``: one publish and one nginx per prefix.

Every page opened records every request and answer: no page error, no CSP violation, no script,
style, font, fetch or page asked for outside the published site (under its prefix), and no
answer of the site that is an error. Requests to other hosts (map tiles) are refused, as on a
machine without network.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import pytest
from playwright.sync_api import Browser, Page, Request, Response, expect

from tests.support.harness import free_port
from tests.support.live import RECORD_CSP_VIOLATIONS, launched_chromium
from tests.support.pages import DESKTOP, expect_popup
from tests.support.samples import features_of
from tests.support.static_site import get, published_site, serving_static

pytestmark = pytest.mark.browser

#: A site whose name a reader searches for, and the page of one of its sources.
SITE = "bekabad-industrial-park"
#: Kinds of request that must stay inside the published site (images may go to tile hosts).
OWN_KINDS = {"document", "script", "stylesheet", "font", "fetch", "xhr"}
DOWNLOAD = "data/atlas.geojson"
CYRILLIC = re.compile("[А-Яа-яЁё]")


@dataclass
class Served:
    """The published site (folder) and nginx serving it: base URL ending in the prefix."""

    url: str
    site: Path


@dataclass
class Visit:
    """One page's record: page errors, requests leaving the site, failed answers of the site."""

    page: Page
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture(scope="module", params=["/", "/atlas/"], ids=["root", "atlas"])
def served(
    request: pytest.FixtureRequest, built_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The built atlas published for this prefix (its public URL: nginx's, so the OGC documents
    may carry absolute links for clients that need them) and served by nginx."""
    prefix, port = request.param, free_port()
    site = published_site(
        tmp_path_factory.mktemp("published"),
        data_dir=built_data_dir,
        public_url=f"http://127.0.0.1:{port}{prefix}",
    )
    with serving_static(site, prefix, port=port) as url:
        yield Served(url, site)


@pytest.fixture
def visit(browser: Browser, served: Served) -> Iterator[Callable[[str], Visit]]:
    """Open a path of the site in a fresh context, recording; checked when the test ends."""
    visits: list[Visit] = []

    def open_(path: str) -> Visit:
        context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
        page = context.new_page()
        record = Visit(page)
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        page.on("pageerror", lambda error: record.errors.append(str(error)))

        def on_request(sent: Request) -> None:
            if sent.resource_type in OWN_KINDS and not sent.url.startswith(served.url):
                record.outside.append(f"{sent.resource_type} {sent.url}")

        def on_response(answer: Response) -> None:
            if answer.url.startswith(served.url) and answer.status >= 400:
                record.failed.append(f"{answer.status} {answer.url}")

        page.on("request", on_request)
        page.on("response", on_response)
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(served.url)
                else route.abort("internetdisconnected")
            ),
        )
        page.goto(served.url + path)
        visits.append(record)
        return record

    yield open_
    for record in visits:
        violations = record.page.evaluate("window.__cspViolations")
        record.page.context.close()
        assert record.errors == [], record.errors
        assert record.outside == [], record.outside
        assert record.failed == [], record.failed
        assert violations == [], violations


def expect_features_drawn(page: Page) -> None:
    """The map has drawn the atlas's features (site markers or corridor lines)."""
    drawn = page.locator(".leaflet-marker-icon, .leaflet-overlay-pane path.leaflet-interactive")
    expect(drawn.first).to_be_attached(timeout=15_000)


def test_map_search_then_links_to_a_feature_and_a_source(visit) -> None:
    """The map renders, its search finds Bekabad, the popup's link opens the feature page and
    the feature page's link opens a source page: every step by clicking, as a reader."""
    reading = visit("")
    page = reading.page
    expect_features_drawn(page)
    page.locator("#atlas-search-input").fill("Bekabad")
    options = page.locator("#atlas-search-results [role=option]")
    expect(options.first).to_contain_text("Bekabad industrial park")
    page.locator("#atlas-search-input").press("Enter")
    expect_popup(page, "Bekabad industrial park")
    page.locator(f".leaflet-popup-content a[href*='features/{SITE}']").last.click()
    page.wait_for_url(f"**/features/{SITE}*")
    expect(page.locator("h1")).to_contain_text("Bekabad industrial park")
    source = page.locator("main a[href*='sources/']").first
    title = source.inner_text()
    source.click()
    page.wait_for_url("**/sources/*")
    expect(page.locator("main")).to_contain_text(title.strip()[:40])


def test_russian_map_opens(visit) -> None:
    page = visit("ru/").page
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect_features_drawn(page)
    expect(page.locator("#atlas-search-input")).to_have_attribute(
        "placeholder", re.compile("[А-Яа-я]")
    )


def test_a_download_is_the_apps_bytes(visit, served: Served, client) -> None:
    """Clicked on the data page, and asked for plain, gzip, brotli and a range: the bytes are
    the app's."""
    expected = client.get("/" + DOWNLOAD).get_data()
    page = visit("data").page
    with page.expect_download() as started:
        page.locator(f"a[href$='{DOWNLOAD}']").first.click()
    assert Path(started.value.path()).read_bytes() == expected

    url = served.url + DOWNLOAD
    assert get(url)[2] == expected
    _, headers, body = get(url, {"Accept-Encoding": "gzip"})
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == expected
    _, headers, body = get(url, {"Accept-Encoding": "br"})
    assert headers["content-encoding"] == "br" and brotli.decompress(body) == expected
    status, headers, body = get(url, {"Range": "bytes=100-1099"})
    app_range = client.get("/" + DOWNLOAD, headers={"Range": "bytes=100-1099"})
    assert (status, body) == (206, app_range.get_data()) and body == expected[100:1100]
    assert headers["content-range"] == app_range.headers["Content-Range"]


def test_ogrinfo_reads_the_published_collections(served: Served, built_data_dir: Path) -> None:
    """GDAL's OGC API client reads every feature of the published ``atlas`` collection."""
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "ogrinfo is needed: install Debian's gdal-bin, as `make test` does"
    read = subprocess.run(
        [ogrinfo, "-ro", "-al", "-q", f"OAPIF:{served.url}ogc", "atlas"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert read.returncode == 0 and "ERROR" not in read.stderr, read.stderr
    ids = {f["properties"]["id"] for f in features_of(built_data_dir)}
    assert read.stdout.count("OGRFeature(atlas)") == len(ids)
    assert f"= {SITE}" in read.stdout
