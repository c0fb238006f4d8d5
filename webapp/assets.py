"""Serve Leaflet (script, stylesheet, control images) from the xstatic-leaflet package, and
what a large atlas's map fetches: its features and popups (``webapp.mapdata``).

The page must not depend on a CDN: it works offline, and the CSP can then allow scripts and
stylesheets from this origin only. The app's own files (atlas.css, favicon) are Flask's
``static`` folder.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory
from xstatic.pkg import leaflet

from webapp import adapter

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


@bp.get("/map/features.json")
def map_features() -> Response:
    """The features a large atlas's map draws, in columns (``webapp.mapdata.map_feed``)."""
    return adapter.send(adapter.get_open_data().map_feed)


@bp.get("/map/popups/<feature_id>.html")
def map_popup(feature_id: str) -> Response:
    """The popup of one feature: the HTML fragment a small atlas's page holds for it."""
    entity = adapter.get_open_data().popup(feature_id)
    if entity is None:
        abort(404, f"There is no feature {feature_id!r}; the list is at /features.")
    return adapter.send(entity)
