"""The map: ``/`` and ``/embed`` (one page, rendered once at app creation), the offline base
layer, Leaflet's files, and what a large atlas's map fetches: its features and popups.

``/`` and ``/embed`` serve the same page; its script notices the ``/embed`` path and drops the
header, so both always show the same map with the same state. Only ``/embed`` may be framed by
other sites. Leaflet comes from the xstatic-leaflet package, never a CDN: the page works
offline, and the CSP can allow scripts and stylesheets from this origin only.
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory
from xstatic.pkg import leaflet

import geodata
from webapp.http import mediatypes
from webapp.http.representation import Representation
from webapp.i18n import current_language
from webapp.map.basemaps import CITIES_FILE, city_labels
from webapp.map.bundles import BUNDLES, bundle
from webapp.map.prepared import MapPart
from webapp.responses import replayable, send
from webapp.security import frameable
from webapp.share import with_public_root
from webapp.state import get_state

bp = Blueprint("map", __name__)

#: The committed Natural Earth layer (see geodata/basemap/README.md).
BASEMAP_DIR = Path(geodata.__file__).resolve().parent / "basemap"
BASEMAP_FILES = frozenset({"natural-earth.geojson"})
#: A day, in seconds: how long the base layer and Leaflet's files may be cached, and the
#: header saying so.
DAY = 86400
DAY_HEADERS = {"Cache-Control": f"public, max-age={DAY}"}
#: Leaflet's text files, sent with gzip to readers who accept it (its images are compressed).
LEAFLET_TEXT = {"leaflet.js": mediatypes.JAVASCRIPT, "leaflet.css": mediatypes.CSS}
#: Files of the Leaflet package the page may ask for; anything else is a 404.
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


def prepared() -> MapPart:
    """What the map part prepared for the app handling the current request."""
    return get_state().part("map")


@bp.get("/")
@replayable
def index() -> Response:
    """The full-window map in the request's language, rendered when the app was created."""
    return _map_page()


@bp.get("/embed")
@frameable
@replayable
def embed() -> Response:
    """The same map without the header, for an ``<iframe>`` on any site.

    Takes the map state in the fragment like ``/``, plus ``?focus=<id>`` (fit to one feature,
    fade the others) and ``?only=<id>,<id>`` (show only those features), read by the script.
    """
    return _map_page()


def _map_page() -> Response:
    """The page in the request's language with its public root (the share card's links)."""
    page = with_public_root(prepared().pages[current_language()])
    return Response(page, content_type=mediatypes.HTML)


@bp.record_once
def _name_cities(_setup: object) -> None:
    """Make the offline layer's city names when the app is made, not at a reader's request."""
    _cities()


@cache
def _cities() -> Representation:
    """The city names (:func:`city_labels`) with their gzip, cached for a day. Their
    Last-Modified is when this process read them: never before they were made."""
    return Representation.with_gzip(city_labels(), mediatypes.GEOJSON, time.time(), DAY_HEADERS)


@bp.get("/basemap/<name>")
@replayable
def basemap(name: str) -> Response:
    """The offline base layer (country borders and coastlines, and the names of capitals and
    large cities made from GeoNames when the app started), cached for a day."""
    if name == CITIES_FILE:
        return send(_cities())
    if name not in BASEMAP_FILES:
        abort(404, f"There is no base layer {name!r}.")
    return send(_text_file(BASEMAP_DIR / name, mediatypes.GEOJSON))


@bp.get("/assets/leaflet/<path:filename>")
@replayable
def leaflet_file(filename: str) -> Response:
    """One Leaflet file, e.g. /assets/leaflet/leaflet.js or /assets/leaflet/images/layers.png."""
    if filename not in LEAFLET_FILES:
        abort(404, f"Leaflet has no file {filename!r} here.")
    if filename in LEAFLET_TEXT:
        return send(_text_file(Path(leaflet.BASE_DIR) / filename, LEAFLET_TEXT[filename]))
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=DAY)


@cache
def _text_file(path: Path, media_type: str) -> Representation:
    """A file of the package sent as it is or with gzip (compressed once), cached for a day."""
    return Representation.from_file(path, media_type, DAY_HEADERS)


@bp.record_once
def _join_bundles(_setup: object) -> None:
    """Join the map page's bundles when the app is made, not at a reader's request."""
    for name in BUNDLES:
        bundle(name)


@bp.get("/static/<any('map.bundle.js', 'map-large.bundle.js', 'map.bundle.css'):name>")
@replayable
def map_bundle(name: str) -> Response:
    """The map page's scripts or stylesheets joined in one file (``webapp.map.bundles``)."""
    return send(bundle(name))  # type: ignore[arg-type]  # the route admits bundles only


@bp.get("/assets/map/features.json")
@replayable
def map_features() -> Response:
    """The features a large atlas's map draws, in columns (``webapp.map.pagedata.map_feed``)."""
    return send(prepared().feed)


@bp.get("/assets/map/popups/<feature_id>.html")
@replayable
def map_popup(feature_id: str) -> Response:
    """The popup of one feature: the HTML fragment a small atlas's page holds for it."""
    entity = prepared().popup(feature_id, current_language())
    if entity is None:
        abort(404, f"There is no feature {feature_id!r}; the list is at /features.")
    return send(entity)
