"""The dark-mode screenshot for the README: the map in the dark theme, a popup open.

Serves the committed data (``geodata/``) like :mod:`tests.support.russian_screenshots` (other
hosts refused, so the offline base shows, in its dark colours) in a browser whose system
prefers a dark colour scheme, and saves ``docs/screenshot-map-dark.png``:

    .venv/bin/python -m tests.support.dark_screenshots [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from tests.support.harness import launched_chromium, write_screenshots
from tests.support.phone_screenshots import open_offline_map

PROJECT = Path(__file__).resolve().parents[2]
DESKTOP = {"width": 1280, "height": 800}
#: The popup shown: the corridor with the longest route, across the whole map.
POPUP_FEATURE = "trans-caspian-international-transport-route"


def take(url: str, out_dir: Path) -> list[Path]:
    """Save the map in the dark theme; return its path."""
    with launched_chromium() as browser:
        context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
        page = context.new_page()
        open_offline_map(page, url, "/")
        page.wait_for_selector(".leaflet-container.atlas-offline-base")
        # The notice that tiles could not be loaded passes (8 s) before the picture is taken.
        page.wait_for_selector(".atlas-notice", state="hidden", timeout=15_000)
        page.evaluate(
            "(id) => { CorridorAtlas.app.showFeature(id, {animate: false}); }", POPUP_FEATURE
        )
        page.wait_for_selector(".leaflet-popup")
        page.wait_for_timeout(400)
        page.evaluate("() => document.activeElement.blur()")
        path = out_dir / "screenshot-map-dark.png"
        page.screenshot(path=path)
        context.close()
    return [path]


def main(argv: list[str] | None = None) -> None:
    """Serve the committed data and write the screenshot."""
    write_screenshots(__doc__.splitlines()[0], take, argv)


if __name__ == "__main__":
    main()
