"""The map page's files, joined so the first feature waits for few requests (issue 15).

The map page loads two render-blocking files, Leaflet's script and one stylesheet (Leaflet's,
the site's and the map's), and one deferred script holding every map script in load order:
the page's own inline script draws the features as soon as Leaflet is there, and the rich
controls (search, filters, timeline, reader, export…) start when the deferred script has run.
Each bundle is joined once per process from the files on disk, served with an ETag and gzip
(``webapp.responses.send``), under ``/static/`` beside the files it joins, so the relative URLs
its scripts derive from their own address (``document.currentScript``) stay right.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from xstatic.pkg import leaflet

from webapp.http.mediatypes import CSS, JAVASCRIPT
from webapp.http.representation import Representation

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
LEAFLET_DIR = Path(leaflet.BASE_DIR)
#: The app's map scripts, in load order; ``map.js`` (last) defines ``CorridorAtlas.start``
#: and starts the map that the page's inline script handed over.
MAP_SCRIPTS = (
    "map-i18n.js",
    "map-names.js",
    "map-state.js",
    "map-filters.js",
    "map-controls.js",
    "map-paths.js",
    "map-basemap.js",
    "map-search.js",
    "map-reader.js",
    "map-export.js",
    "map-timeline.js",
    "map.js",
)
#: The scripts of a large atlas's page: supercluster, its index made in a worker
#: (``map-clusters.js``, which starts ``map-clusters-worker.js``), the sites counted in a
#: view (``map-counts.js``), the corridors' renderer
#: (``map-corridors.js``) and map-large.js, before map.js.
LARGE_MAP_SCRIPTS = (
    *MAP_SCRIPTS[:-1],
    "vendor/supercluster.min.js",
    "map-clusters.js",
    "map-counts.js",
    "map-corridors.js",
    "map-large.js",
    "map.js",
)
#: The map page's stylesheets, in cascade order (Leaflet's own first).
MAP_STYLES = ("atlas.css", "map.css", "map-reader.css", "map-timeline.css")
#: Bundle file name (under /static/) -> the files it joins, relative to ``STATIC_DIR``.
BUNDLES: dict[str, tuple[str, ...]] = {
    "map.bundle.js": MAP_SCRIPTS,
    "map-large.bundle.js": LARGE_MAP_SCRIPTS,
    "map.bundle.css": MAP_STYLES,
}
#: A relative ``url(…)`` in Leaflet's stylesheet (its images), to point at /assets/leaflet/.
_LEAFLET_URL = re.compile(r"url\((?!['\"]?(?:#|data:|/|[a-z]+:))['\"]?([^'\")]+)['\"]?\)")


def _leaflet_css() -> str:
    """Leaflet's stylesheet with its image URLs relative to /static/ (where the bundle is)."""
    text = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    return _LEAFLET_URL.sub(r"url(../assets/leaflet/\1)", text)


def joined(name: str) -> str:
    """The text of bundle ``name``: each file under a comment naming it, scripts each ended
    by ``;`` so that one file's last statement cannot run into the next file's first."""
    script = name.endswith(".js")
    parts = [] if script else [f"/* leaflet.css */\n{_leaflet_css()}"]
    for part in BUNDLES[name]:
        text = (STATIC_DIR / part).read_text(encoding="utf-8")
        parts.append(f"/* {part} */\n{text}" + ("\n;" if script else ""))
    return "\n".join(parts)


@cache
def bundle(name: str) -> Representation | None:
    """Bundle ``name`` (a key of :data:`BUNDLES`) with its gzip, or None for another name."""
    if name not in BUNDLES:
        return None
    body = joined(name).encode("utf-8")
    media_type = JAVASCRIPT if name.endswith(".js") else CSS
    return Representation.with_gzip(body, media_type, _modified(name))


def _modified(name: str) -> float:
    """When the newest file of bundle ``name`` changed (its Last-Modified, as ``st_mtime``)."""
    files = [STATIC_DIR / part for part in BUNDLES[name]]
    if name.endswith(".css"):
        files.append(LEAFLET_DIR / "leaflet.css")
    return max(path.stat().st_mtime for path in files)
