"""Screenshots of the Russian interface for the README: the map with a popup open, and a
feature page.

Serves the committed data (``geodata/``) like :mod:`tests.support.phone_screenshots` (other
hosts refused, so the offline base shows) and saves ``docs/screenshot-map-ru.png`` and
``docs/screenshot-feature-ru.png``:

    .venv/bin/python -m tests.support.russian_screenshots [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from tests.support.harness import launched_chromium, write_screenshots
from tests.support.phone_screenshots import open_offline_map

PROJECT = Path(__file__).resolve().parents[2]
DESKTOP = {"width": 1280, "height": 800}
#: The map's popup: a site with figures and a Russian place name; the page: a corridor with a
#: Russian name of its own.
POPUP_FEATURE = "trans-caspian-international-transport-route"
PAGE_FEATURE = "north-south-international-transport-corridor"


def take(url: str, out_dir: Path) -> list[Path]:
    """Save the Russian map and feature page; return their paths."""
    with launched_chromium() as browser:
        context = browser.new_context(viewport=DESKTOP, locale="ru-RU")
        page = context.new_page()
        open_offline_map(page, url, "/?lang=ru")
        page.evaluate(
            "(id) => { CorridorAtlas.app.showFeature(id, {animate: false}); }", POPUP_FEATURE
        )
        page.wait_for_selector(".leaflet-popup")
        page.wait_for_timeout(400)
        page.evaluate("() => document.activeElement.blur()")
        map_path = out_dir / "screenshot-map-ru.png"
        page.screenshot(path=map_path)
        page.goto(f"{url}/features/{PAGE_FEATURE}?lang=ru", wait_until="load")
        page.wait_for_timeout(400)
        feature_path = out_dir / "screenshot-feature-ru.png"
        page.screenshot(path=feature_path)
        context.close()
    return [map_path, feature_path]


def main(argv: list[str] | None = None) -> None:
    """Serve the committed data and write both screenshots."""
    write_screenshots(__doc__.splitlines()[0], take, argv)


if __name__ == "__main__":
    main()
