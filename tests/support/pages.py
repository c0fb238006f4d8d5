"""Reading the map page as a test sees it: the page's text (popups, data block, CSP) without a
browser, and the open popup and viewport with one."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect
from werkzeug.test import TestResponse

#: The viewport the desktop browser tests use.
DESKTOP = {"width": 1400, "height": 900}
#: A JavaScript string literal as folium writes one (double quotes, backslash escapes).
JS_STRING = r'"(?:[^"\\]|\\.)*"'


def popups_by_id(page: str) -> dict[str, str]:
    """Feature id -> popup HTML, pairing each layer's ``atlas-id-…`` class with its bindPopup."""
    layer_ids = dict(
        re.findall(
            r'var (\w+) = L\.(?:polyline|circleMarker)\(.*?"className": "[^"]*?atlas-id-([\w-]+)"',
            page,
            re.S,
        )
    )
    popups = re.findall(rf"(\w+)\.bindPopup\(\s*({JS_STRING})", page)
    return {layer_ids[var]: json.loads(html) for var, html in popups}


def map_data(page: str) -> dict:
    """The page's JSON data block (search keys, filter choices), as the scripts parse it.

    >>> map_data('<script type="application/json" id="atlas-data">{"keys": []}</script>')
    {'keys': []}
    """
    block = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', page, re.S)
    return json.loads(block.group(1))


def csp_directives(response: TestResponse) -> dict[str, list[str]]:
    """The response's Content-Security-Policy, directive -> its sources."""
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def expect_popup(page: Page, name: str) -> None:
    """The open popup (the last one: a replaced popup fades out for a moment) shows ``name``."""
    expect(page.locator(".leaflet-popup-content").last).to_contain_text(name)


#: A view far east of the atlas, reached by a jump at the same zoom.
FAR_EAST = "map.setView([30, 120], 6, {animate: false})"
#: Moves that reach a view by each of Leaflet's ways: a zoom without animation (zoomend,
#: moveend, then the reset), a jump at the same zoom (a reset with no zoomend before it) and
#: back to a view projected before, a pan (moveend alone) and an animated zoom (no reset).
MOVES = [
    "map.setView([41, 69], 6, {animate: false})",
    FAR_EAST,
    "map.setView([41, 69], 6, {animate: false})",
    "map.panBy([250, -120], {animate: false})",
    "map.setZoom(4.5, {animate: false})",
    "map.setZoom(5)",
]
#: Make a move (JavaScript over ``map``, the page's Leaflet map) and wait until it has ended
#: and the names have glided to their places after an animated zoom (or were cut short).
MOVE = """async (move) => {
    const map = CorridorAtlas.app.map;
    const moved = new Promise((resolve) => map.once("moveend", resolve));
    new Function("map", move)(map);
    await moved;
    await Promise.allSettled(document.getAnimations().map((animation) => animation.finished));
}"""


def projections_of_a_zoom(paths: str) -> str:
    """JavaScript: how many times a zoom without animation projects each of ``paths`` (an
    expression giving the page's Leaflet paths)."""
    return f"""() => {{
    const counts = new Map();
    for (const path of {paths}) {{
        counts.set(path, 0);
        const project = path._project;
        path._project = function () {{
            counts.set(path, counts.get(path) + 1);
            return project.call(this);
        }};
    }}
    const map = CorridorAtlas.app.map;
    map.setZoom(map.getZoom() + 1, {{animate: false}});
    return [...counts.values()];
}}"""
