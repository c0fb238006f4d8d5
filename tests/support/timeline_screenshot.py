"""A screenshot of the map's timeline for the README: the atlas as of a month, with the
timeline open and the legend counting the stages of then.

Serves the committed data (``geodata/``) like :mod:`tests.support.phone_screenshots` (other
hosts refused, so the offline base shows) and saves ``docs/screenshot-timeline.png``:

    .venv/bin/python -m tests.support.timeline_screenshot [--month YYYY-MM] [--out FILE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.support.harness import launched_chromium, serving_committed_atlas
from tests.support.phone_screenshots import open_offline_map

PROJECT = Path(__file__).resolve().parents[2]
DESKTOP = {"width": 1280, "height": 800}
#: A month when some features were reported, some were building and some not yet reported.
DEFAULT_MONTH = "2025-06"


def take(url: str, out: Path, month: str = DEFAULT_MONTH) -> Path:
    """Save the map at ``url`` as of ``month`` with the timeline open to ``out``."""
    with launched_chromium() as browser:
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        open_offline_map(page, url, f"/#as_of={month}")
        page.get_by_role("button", name="Timeline").click()
        page.locator("#atlas-timeline-panel").wait_for(state="visible")
        page.wait_for_timeout(400)  # the stages' fade settles
        page.evaluate("() => document.activeElement.blur()")  # no focus ring in the picture
        page.screenshot(path=out)
        context.close()
    return out


def main(argv: list[str] | None = None) -> None:
    """Serve the committed data and write the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default=DEFAULT_MONTH, help="the month shown (YYYY-MM)")
    parser.add_argument(
        "--out", type=Path, default=PROJECT / "docs" / "screenshot-timeline.png", help="the file"
    )
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with serving_committed_atlas() as url:
        print(take(url, args.out, args.month))


if __name__ == "__main__":
    main()
