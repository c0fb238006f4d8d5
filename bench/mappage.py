"""Benchmark 3: the map page against a plain folium map of the same data, in Chromium.

The reference is what folium gives by default: ``folium.Map`` with ``folium.GeoJson`` of
atlas.geojson (popups and tooltips from ``GeoJsonPopup``/``GeoJsonTooltip``), its CDN files
pointed at local copies fetched with ``npm pack`` into a temporary directory (never committed)
and served by a local static server. Two of folium's ten default files have no npm package
(Bootstrap 3's glyphicons stylesheet, folium's awesome-markers rotation stylesheet): they are
left out, which only flatters the reference.

Both pages are loaded in fresh browser contexts (empty caches), in turn, and measured until
their first feature is drawn: the atlas's SVG paths, the reference's paths and markers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path
from statistics import median

from bench.browser import LARGE_FEATURES, Weight, first_feature_ms, opened, seen_ms, weight
from bench.tools import Row, atlas_server, background
from tests.support.harness import free_port, launched_chromium, wait_until_up

SECTION = "3. Map page (seed atlas)"
LOADS = 11
#: Issue 15's target: the first feature in at most this share of the plain page's time.
FIRST_FEATURE_RATIO = 0.8
#: Resource Timing entries until this many ms: every file of the load.
EVERYTHING_MS = 1e9
#: npm packages of folium's default files, and where each file lies in its package.
PACKAGES = {
    "leaflet@1.9.3": ["dist/leaflet.js", "dist/leaflet.css", "dist/images"],
    "jquery@3.7.1": ["dist/jquery.min.js"],
    "bootstrap@5.2.2": ["dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css"],
    "leaflet.awesome-markers@2.0.5": [
        "dist/leaflet.awesome-markers.min.js",
        "dist/leaflet.awesome-markers.css",
        "dist/images",
    ],
    "@fortawesome/fontawesome-free@6.2.0": ["css/all.min.css", "webfonts"],
}
#: folium's default file names -> the local copy (relative to the static server's root).
LOCAL_JS = {
    "leaflet": "leaflet/dist/leaflet.js",
    "jquery": "jquery/dist/jquery.min.js",
    "bootstrap": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "awesome_markers": "leaflet.awesome-markers/dist/leaflet.awesome-markers.min.js",
}
LOCAL_CSS = {
    "leaflet_css": "leaflet/dist/leaflet.css",
    "bootstrap_css": "bootstrap/dist/css/bootstrap.min.css",
    "awesome_markers_font_css": "fontawesome-free/css/all.min.css",
    "awesome_markers_css": "leaflet.awesome-markers/dist/leaflet.awesome-markers.css",
}
ATLAS_FEATURES = f"path.atlas-site, path.atlas-corridor, {LARGE_FEATURES}"
FOLIUM_FEATURES = ".leaflet-overlay-pane path, .leaflet-marker-pane img.leaflet-marker-icon"
#: The atlas's offline base layer (country shapes), drawn when the tiles fail.
OFFLINE_BASE = ".leaflet-atlas-basemap-pane path"


def fetch_packages(root: Path) -> None:
    """``npm pack`` each package into ``root`` and unpack the files folium uses."""
    root.mkdir(parents=True, exist_ok=True)
    for spec in PACKAGES:
        packed = subprocess.run(
            ["npm", "pack", "--silent", spec], cwd=root, capture_output=True, text=True, check=True
        ).stdout.split()[-1]
        name = spec.rsplit("@", 1)[0].split("/")[-1]
        with tarfile.open(root / packed) as archive:
            archive.extractall(root / "unpacked" / name, filter="data")
        (root / name).unlink(missing_ok=True)
        (root / name).symlink_to(root / "unpacked" / name / "package")


def reference_page(data_dir: Path, root: Path, prefix: str) -> Path:
    """The plain folium page of atlas.geojson, its files at ``prefix`` (the static server)."""
    import folium

    collection = json.loads((data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    west, south, east, north = collection["bbox"]
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=4)
    folium.GeoJson(
        collection,
        name="Corridor Atlas",
        popup=folium.GeoJsonPopup(fields=["name", "category", "description"]),
        tooltip=folium.GeoJsonTooltip(fields=["name"]),
    ).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    m.default_js = [(name, prefix + path) for name, path in LOCAL_JS.items()]
    m.default_css = [(name, prefix + path) for name, path in LOCAL_CSS.items()]
    page = root / "folium.html"
    m.save(str(page))
    return page


def _loads(
    chrome, pages: list[tuple[str, str, list[str]]]
) -> tuple[list[tuple[float, tuple[Weight, Weight]]], float]:
    """Each page (url, feature selector, allowed origins) loaded :data:`LOADS` times, the pages
    in turn (a busy machine slows them alike): the median ms to its first feature, and the
    weight of its first load until the first feature and until its ``load`` event; and the
    median ms until the first page (the atlas) drew its offline base layer (tiles fail here)."""
    times: list[list[float]] = [[] for _ in pages]
    weights: list[tuple[Weight, Weight] | None] = [None for _ in pages]
    base_times: list[float] = []
    for _ in range(LOADS):
        for index, (url, selector, allowed) in enumerate(pages):
            later = {"base": OFFLINE_BASE} if index == 0 else None
            with opened(chrome, url, selector, allowed, later) as page:
                ms = first_feature_ms(page)
                times[index].append(ms)
                if later:
                    base_times.append(seen_ms(page, "base"))
                if weights[index] is None:
                    whole = weight(page, EVERYTHING_MS, allowed)
                    weights[index] = (weight(page, ms, allowed), whole)
    loads = [(median(t), w) for t, w in zip(times, weights, strict=True)]
    return loads, median(base_times)  # type: ignore[return-value]


def run(work: Path, data_dir: Path) -> tuple[list[Row], dict]:
    """Rows of this benchmark, and the figures the scale benchmark compares with."""
    root = work / "folium-reference"
    fetch_packages(root)
    port = free_port()
    static = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    static += ["--directory", str(root)]
    with background(static), atlas_server(data_dir) as (atlas_url, _, _):
        prefix = f"http://127.0.0.1:{port}/"
        reference_page(data_dir, root, prefix)
        wait_until_up(prefix + "folium.html", 10)
        with launched_chromium() as chrome:
            loads, base_ms = _loads(
                chrome,
                [
                    (atlas_url + "/", ATLAS_FEATURES, [atlas_url]),
                    (prefix + "folium.html", FOLIUM_FEATURES, [prefix]),
                ],
            )
    (atlas_ms, (atlas, atlas_all)), (folium_ms, (plain, plain_all)) = loads
    ref = "plain folium.GeoJson page, same data"
    sizes = [
        ("HTML, bytes", atlas.html, plain.html),
        ("HTML, gzip bytes", atlas.html_gzip, plain.html_gzip),
        ("HTML + all files, bytes", atlas.total, plain.total),
        ("HTML + all files, gzip bytes", atlas.total_gzip, plain.total_gzip),
        (
            "HTML + all files of the whole load, gzip bytes",
            atlas_all.total_gzip,
            plain_all.total_gzip,
        ),
        ("requests of the whole load", atlas_all.requests, plain_all.requests),
    ]
    rows = [Row(SECTION, what, mine, "", ref, theirs, digits=0) for what, mine, theirs in sizes]
    rows.append(
        Row(
            SECTION,
            "requests until the first feature",
            atlas.requests,
            "",
            ref,
            plain.requests,
            "≤ reference",
            atlas.requests <= plain.requests,
            digits=0,
        )
    )
    rows.append(
        Row(
            SECTION,
            f"first feature drawn (median of {LOADS}), ms",
            atlas_ms,
            "ms",
            ref,
            folium_ms,
            f"≤ {FIRST_FEATURE_RATIO}× reference",
            atlas_ms <= FIRST_FEATURE_RATIO * folium_ms,
        )
    )
    rows.append(
        Row(
            SECTION,
            f"offline base layer drawn, tiles failing (median of {LOADS}), ms",
            base_ms,
            "ms",
            "the atlas's first feature",
            atlas_ms,
        )
    )
    return rows, {"first_feature_ms": atlas_ms, "html": atlas.html}
