"""Serve Leaflet (script, stylesheet, control images) from the xstatic-leaflet package.

The page must not depend on a CDN: it works offline, and the CSP can then allow scripts and
stylesheets from this origin only. The app's own files (atlas.css, favicon) are Flask's
``static`` folder.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory
from xstatic.pkg import leaflet

bp = Blueprint("assets", __name__, url_prefix="/assets")

#: Files of the package the page may ask for; anything else is a 404.
LEAFLET_FILES = frozenset(
    {
        "leaflet.js",
        "leaflet.css",
        "images/layers.png",
        "images/layers-2x.png",
        "images/marker-icon.png",
        "images/marker-icon-2x.png",
        "images/marker-shadow.png",
    }
)


@bp.get("/leaflet/<path:filename>")
def leaflet_file(filename: str) -> Response:
    """One Leaflet file, e.g. /assets/leaflet/leaflet.js or /assets/leaflet/images/layers.png."""
    if filename not in LEAFLET_FILES:
        abort(404, f"Leaflet has no file {filename!r} here.")
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=86400)
