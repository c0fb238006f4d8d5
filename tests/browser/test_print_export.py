"""Print and "Save as PNG" (issue 14), in Chromium over the offline base layer.

The PNG is made in the browser by html-to-image (``make js-vendor``): a real download whose
bytes are a PNG of the map's size × devicePixelRatio, with the legend and the attribution drawn
in (the same export with either hidden differs there, and only around there) and the map's
controls left out; tiles that allow CORS are drawn too, and a missing library ends in a
message. On paper (print media), the controls are gone and the legend, attribution and a
heading with the view's address and the date are shown; Chromium's PDF of the map is one page.

Requests to other hosts fail, as on a machine without network, except where a test serves the
tiles itself; every page must end its test without a page error.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Browser, Page, Route, expect

from tests.support.pages import DESKTOP

pytestmark = pytest.mark.browser

VENDOR = Path(__file__).parents[2] / "webapp/static/vendor/html-to-image/html-to-image.js"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: A 256×256 red tile, as a tile host that sends CORS headers would serve it.
RED_TILE = Image.new("RGB", (256, 256), (255, 0, 0))

#: The box (CSS px, relative to the map container) of the first element matching a selector.
BOX = """(selector) => {
    const map = CorridorAtlas.app.map.getContainer().getBoundingClientRect();
    const r = document.querySelector(selector).getBoundingClientRect();
    return [r.left - map.left, r.top - map.top, r.right - map.left, r.bottom - map.top];
}"""


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (which must come first)."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def open_map(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Open a path of the live server offline (or with tiles from ``tiles``); no page error."""
    opened: list[tuple[Page, list[str]]] = []

    def open_(path: str = "/#base=offline", scale: float = 1, tiles: bytes | None = None) -> Page:
        context = browser.new_context(
            viewport=DESKTOP, device_scale_factor=scale, accept_downloads=True
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        def route(r: Route) -> None:
            if r.request.url.startswith(live_server + "/"):
                r.continue_()
            elif tiles is not None and "tile.openstreetmap.org" in r.request.url:
                headers = {"Access-Control-Allow-Origin": "*"}
                r.fulfill(body=tiles, content_type="image/png", headers=headers)
            else:
                r.abort("internetdisconnected")

        page.route("**/*", route)
        page.goto(live_server + path, wait_until="load")
        page.wait_for_function("() => !!(window.CorridorAtlas && CorridorAtlas.app)")
        page.wait_for_selector(".atlas-save-png")
        opened.append((page, errors))
        return page

    yield open_
    for page, errors in opened:
        page.context.close()
        assert errors == []


def _save_png(page: Page, by_role: bool = False) -> tuple[str, bytes]:
    """Click Save as PNG (as a reader would, or by an event where the tools are hidden)."""
    with page.expect_download() as download:
        if by_role:
            page.get_by_role("button", name="Save as PNG").click()
        else:
            page.locator(".atlas-save-png").dispatch_event("click")
    path = download.value.path()
    return download.value.suggested_filename, Path(path).read_bytes()


def _image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def _differs(a: Image.Image, b: Image.Image, box: list[float], scale: float) -> int:
    """How many pixels of ``box`` (CSS px) differ between two exports."""
    region = tuple(round(v * scale) for v in box)
    diff = ImageChops.difference(a.crop(region), b.crop(region)).convert("L")
    return sum(1 for v in diff.getdata() if v > 16)


def test_library_is_vendored() -> None:
    assert VENDOR.is_file(), "run `make js-vendor`: html-to-image is missing"


def test_save_as_png_downloads_the_view_at_device_pixels(open_map: Callable[..., Page]) -> None:
    page = open_map(scale=2)
    # The library is not part of the page until an export asks for it.
    assert page.evaluate("() => !window.htmlToImage")
    name, data = _save_png(page, by_role=True)
    assert re.fullmatch(r"corridor-atlas-\d{4}-\d{2}-\d{2}\.png", name)
    width, height = page.evaluate(
        "() => { const c = CorridorAtlas.app.map.getContainer();"
        " return [c.clientWidth * devicePixelRatio, c.clientHeight * devicePixelRatio]; }"
    )
    assert _png_size(data) == (width, height) == _image(data).size
    assert len(data) > 20_000  # land, coasts, corridors and the legend: not a blank image
    expect(page.locator(".atlas-notice")).to_have_text("The map was saved as a PNG image.")


@pytest.mark.parametrize("selector", [".atlas-legend", ".leaflet-control-attribution"])
def test_legend_and_attribution_are_drawn_in(open_map: Callable[..., Page], selector: str) -> None:
    page = open_map()
    _, shown = _save_png(page)
    box = page.evaluate(BOX, selector)
    page.add_style_tag(content=f"{selector} {{ visibility: hidden; }}")
    _, hidden = _save_png(page)
    with_it, without = _image(shown), _image(hidden)
    area = (box[2] - box[0]) * (box[3] - box[1])
    assert _differs(with_it, without, box, 1) > area * 0.1
    # Only there: the rest of the view is the same image.
    outside = ImageChops.difference(with_it, without)
    margin = 8  # the box's shadow
    blank = (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
    outside.paste((0, 0, 0), tuple(max(0, round(v)) for v in blank))
    assert outside.getbbox() is None, (box, outside.getbbox())


def test_legend_background_is_in_the_image(open_map: Callable[..., Page]) -> None:
    page = open_map()
    _, data = _save_png(page)
    left, top, right, bottom = page.evaluate(BOX, ".atlas-legend")
    image = _image(data).crop((round(left), round(top), round(right), round(bottom)))
    white = sum(1 for p in image.getdata() if min(p) >= 245)
    assert white > image.width * image.height * 0.5  # the legend's white box, with its text


@pytest.mark.parametrize(
    "selector", [".leaflet-control-zoom", ".leaflet-control-layers", ".atlas-tools"]
)
def test_controls_are_left_out(open_map: Callable[..., Page], selector: str) -> None:
    page = open_map()
    _, shown = _save_png(page)
    box = page.evaluate(BOX, selector)
    page.add_style_tag(content=f"{selector} {{ visibility: hidden; }}")
    _, hidden = _save_png(page)
    assert _differs(_image(shown), _image(hidden), box, 1) == 0


def test_tiles_with_cors_are_drawn(open_map: Callable[..., Page]) -> None:
    buffer = io.BytesIO()
    RED_TILE.save(buffer, "PNG")
    page = open_map("/#base=osm", tiles=buffer.getvalue())
    # The OSM layer's own tiles, all in: the default base's, drawn first, go when it replaces it.
    page.wait_for_function(
        """() => {
            const app = CorridorAtlas.app, osm = app && app.bases.osm;
            return !!osm && app.map.hasLayer(osm) && !osm.isLoading()
                && osm.getContainer().querySelectorAll("img.leaflet-tile-loaded").length > 0;
        }"""
    )
    assert page.evaluate("() => CorridorAtlas.app.bases.osm.options.crossOrigin") == "anonymous"
    _, data = _save_png(page)
    image = _image(data)
    reds = sum(1 for p in image.getdata() if p == (255, 0, 0))
    assert reds > image.width * image.height * 0.3


def test_a_missing_library_is_said(open_map: Callable[..., Page], live_server: str) -> None:
    page = open_map("/?lang=ru#base=offline")
    page.route("**/vendor/html-to-image/**", lambda r: r.fulfill(status=404, body="missing"))
    page.get_by_role("button", name="Сохранить как PNG").click()
    notice = page.locator(".atlas-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Не удалось сохранить карту")
    expect(page.locator(".atlas-save-png")).to_be_enabled()


# --- print ---------------------------------------------------------------------------------------

HIDDEN_ON_PAPER = (
    ".atlas-header",
    ".atlas-skip-link",
    ".leaflet-control-zoom",
    ".leaflet-control-layers",
    ".atlas-tools",
    ".atlas-filters",
    ".atlas-legend-only",
)
SHOWN_ON_PAPER = (".atlas-legend", ".leaflet-control-attribution", ".atlas-print-header")

DISPLAY = (
    "(selector) => [...document.querySelectorAll(selector)].map((e) => getComputedStyle(e).display)"
)


def test_print_hides_controls_and_keeps_legend(open_map: Callable[..., Page]) -> None:
    page = open_map()
    page.emulate_media(media="print")
    for selector in HIDDEN_ON_PAPER:
        displays = page.evaluate(DISPLAY, selector)
        assert displays and set(displays) == {"none"}, selector
    for selector in SHOWN_ON_PAPER:
        expect(page.locator(selector).first).to_be_visible()
    origin = page.locator(".atlas-print-origin").inner_text()
    assert "/#" in origin and re.search(r"\b20\d\d\b", origin)
    # The legend lies inside the map, whole.
    left, top, right, bottom = page.evaluate(BOX, ".atlas-legend")
    width, height = page.evaluate(
        "() => [CorridorAtlas.app.map.getContainer().clientWidth,"
        " CorridorAtlas.app.map.getContainer().clientHeight]"
    )
    assert 0 <= left < right <= width and 0 <= top < bottom <= height
    page.emulate_media(media="screen")
    expect(page.locator(".atlas-print-header")).to_be_hidden()


def test_map_prints_as_one_page_pdf(open_map: Callable[..., Page]) -> None:
    page = open_map()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 30_000
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_feature_page_prints_text_map_and_sources(
    open_map: Callable[..., Page], live_server: str
) -> None:
    page = open_map()
    page.goto(
        live_server + "/features/trans-caspian-international-transport-route", wait_until="load"
    )
    page.emulate_media(media="print")
    for selector in (".site-nav", ".skip-link", ".actions", ".embed-snippet"):
        assert set(page.evaluate(DISPLAY, selector)) == {"none"}, selector
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".map-frame")).to_be_visible()
    source = page.locator(".quote footer a[href]").first
    href = source.get_attribute("href")
    after = source.evaluate("(a) => getComputedStyle(a, '::after').content")
    assert href and href in after
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('.quote')).breakInside")
        == "avoid"
    )
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
