"""Screenshots of the map on a phone, portrait and landscape, for the README.

Serves the committed data (``geodata/``) on waitress in a thread, opens ``/`` in Debian's
headless Chromium as a touch phone with every request to another host refused (so the offline
Natural Earth base shows, as it would without network), opens one site's details in the bottom
sheet, and saves ``docs/screenshot-phone-portrait.png`` and ``docs/screenshot-phone-landscape.png``:

    .venv/bin/python -m tests.support.phone_screenshots [--open FEATURE_ID] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page

from tests.support.harness import launched_chromium, serving_committed_atlas

PROJECT = Path(__file__).resolve().parents[2]
#: The phone viewports of the browser tests (tests/browser/test_map_reader.py).
PORTRAIT = {"width": 360, "height": 740}
LANDSCAPE = {"width": 740, "height": 360}
#: A site whose sheet reads well in a picture: the industrial park of the README.
DEFAULT_FEATURE = "bekabad-industrial-park"


def open_offline_map(page: Page, url: str, path: str) -> None:
    """Open the map at ``url + path`` with every other host refused, once it has started and
    drawn the offline base's city names."""
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(url + "/")
            else route.abort("internetdisconnected")
        ),
    )
    page.goto(f"{url}{path}", wait_until="load")
    page.wait_for_function("() => !!(window.CorridorAtlas && CorridorAtlas.app)")
    page.wait_for_selector(".atlas-city-label", state="attached")


def take(url: str, out_dir: Path, feature: str) -> list[Path]:
    """Save one screenshot per phone orientation of the map at ``url``; return their paths."""
    saved = []
    with launched_chromium() as browser:
        for name, viewport in (("portrait", PORTRAIT), ("landscape", LANDSCAPE)):
            context = browser.new_context(
                viewport=viewport, is_mobile=True, has_touch=True, device_scale_factor=2
            )
            page = context.new_page()
            open_offline_map(page, url, "/")
            page.evaluate("(id) => CorridorAtlas.app.showFeature(id, {animate: false})", feature)
            page.wait_for_selector(".atlas-sheet:not([hidden])")
            page.wait_for_timeout(400)  # the pan that keeps the site clear of the sheet
            page.evaluate("() => document.activeElement.blur()")  # no focus ring in the picture
            path = out_dir / f"screenshot-phone-{name}.png"
            page.screenshot(path=path)
            saved.append(path)
            context.close()
    return saved


def main(argv: list[str] | None = None) -> None:
    """Serve the committed data and write both screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", default=DEFAULT_FEATURE, help="the feature whose sheet is open")
    parser.add_argument("--out", type=Path, default=PROJECT / "docs", help="the folder to write")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with serving_committed_atlas() as url:
        for path in take(url, args.out, args.open):
            print(path)


if __name__ == "__main__":
    main()
