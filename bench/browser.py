"""Page loads in headless Chromium (Playwright): time to the first drawn feature, and bytes.

Chromium is launched by ``tests.support.harness.launched_chromium``, as the browser tests launch
it. Each load opens a fresh browser context (an empty cache) and blocks every request that does
not go to the servers of the benchmark, as on a machine without network: tile images fail for
every page alike. A MutationObserver, installed before the page's own scripts, notes when an
element matching the page's feature selector first appears; the Resource Timing entries then
give every file the page fetched until then. (A large atlas paints its sites on a canvas,
which marks how many items it painted: the selector matches that mark.)
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from playwright.sync_api import Browser, Page

from bench.tools import gzip_size

VIEWPORT = {"width": 1400, "height": 900}
#: A large atlas's canvas of sites and clusters, once it has painted some.
LARGE_FEATURES = 'canvas.atlas-sites-canvas[data-items]:not([data-items="0"])'

WATCH_FIRST = """
(selector, later) => {
  window.__firstFeatureMs = null;
  window.__seenMs = {};
  const seen = () => {
    if (window.__firstFeatureMs === null && document.querySelector(selector)) {
      window.__firstFeatureMs = performance.now();
    }
    for (const [name, other] of Object.entries(later)) {
      if (!(name in window.__seenMs) && document.querySelector(other)) {
        window.__seenMs[name] = performance.now();
      }
    }
  };
  const watched = { subtree: true, childList: true, attributes: true };
  new MutationObserver(seen).observe(document, watched);
}
"""

RESOURCES = """
(until) => {
  const nav = performance.getEntriesByType("navigation")[0];
  const files = performance.getEntriesByType("resource")
    .filter((e) => e.startTime <= until)
    .map((e) => e.name);
  return { document: nav.name, files };
}
"""


@dataclass(frozen=True)
class Weight:
    """Bytes of a page's HTML and of every file it fetched (plain, and gzip level 6)."""

    html: int
    html_gzip: int
    files: int
    files_gzip: int
    requests: int

    @property
    def total(self) -> int:
        return self.html + self.files

    @property
    def total_gzip(self) -> int:
        return self.html_gzip + self.files_gzip


@contextmanager
def opened(
    chrome: Browser,
    url: str,
    selector: str,
    allowed: Sequence[str],
    later: Mapping[str, str] | None = None,
) -> Iterator[Page]:
    """A page at ``url`` (fresh context), loaded; other hosts than ``allowed`` are blocked.
    ``later`` names other selectors whose first element is timed too (:func:`seen_ms`)."""
    context = chrome.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(tuple(allowed))
                else route.abort("internetdisconnected")
            ),
        )
        page.add_init_script(f"({WATCH_FIRST})({selector!r}, {json.dumps(dict(later or {}))})")
        page.goto(url, wait_until="load")
        yield page
    finally:
        context.close()


def first_feature_ms(page: Page, timeout_ms: float = 60000) -> float:
    """Milliseconds from navigation to the first element matching the page's selector."""
    page.wait_for_function("() => window.__firstFeatureMs !== null", timeout=timeout_ms)
    return float(page.evaluate("() => window.__firstFeatureMs"))


def seen_ms(page: Page, name: str, timeout_ms: float = 60000) -> float:
    """Milliseconds from navigation to the first element of the selector named ``name`` in
    :func:`opened`'s ``later``."""
    page.wait_for_function(f"() => {json.dumps(name)} in window.__seenMs", timeout=timeout_ms)
    return float(page.evaluate(f"() => window.__seenMs[{json.dumps(name)}]"))


def weight(page: Page, until_ms: float, allowed: Sequence[str]) -> Weight:
    """Bytes of the page and of the files it fetched from ``allowed`` origins by ``until_ms``."""
    entries = page.evaluate(RESOURCES, until_ms)
    html = _fetch(entries["document"])
    files = [_fetch(url) for url in entries["files"] if url.startswith(tuple(allowed))]
    return Weight(
        len(html),
        gzip_size(html),
        sum(len(b) for b in files),
        sum(gzip_size(b) for b in files),
        len(files) + 1,
    )


def _fetch(url: str) -> bytes:
    """The body the page got at ``url``: an error's body too (a plain page's missing favicon
    is a request it made, and bytes it received)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        return error.read()
