"""The map pages, the offline base layer, the health check, and HTML error pages.

``/`` and ``/embed`` serve the same page, rendered once at app creation; its script notices the
``/embed`` path and drops the header, so both always show the same map with the same state.
Only ``/embed`` may be framed by other sites.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, jsonify, render_template, send_from_directory
from werkzeug.exceptions import HTTPException

import geodata
from webapp.security import frameable
from webapp.state import get_state

bp = Blueprint("views", __name__)

#: The committed Natural Earth layer (see geodata/basemap/README.md).
BASEMAP_DIR = Path(geodata.__file__).resolve().parent / "basemap"
BASEMAP_FILES = frozenset({"natural-earth.geojson"})


@bp.get("/")
def index() -> Response:
    """The full-window map, rendered once when the app was created."""
    return Response(get_state().page, mimetype="text/html")


@bp.get("/embed")
@frameable
def embed() -> Response:
    """The same map without the header, for an ``<iframe>`` on any site.

    Takes the map state in the fragment like ``/``, plus ``?focus=<id>`` (fit to one feature,
    fade the others) and ``?only=<id>,<id>`` (show only those features), read by the script.
    """
    return Response(get_state().page, mimetype="text/html")


@bp.get("/basemap/<name>")
def basemap(name: str) -> Response:
    """The offline base layer (country borders and coastlines), cached for a day."""
    if name not in BASEMAP_FILES:
        abort(404, f"There is no base layer {name!r}.")
    response = send_from_directory(BASEMAP_DIR, name, max_age=86400)
    response.mimetype = "application/geo+json"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness and data check for deployments: what is loaded, and from which build.

    ``build_id`` is the SHA-256 of atlas.geojson, so two servers answer the same id exactly
    when they serve the same data.
    """
    atlas = get_state().atlas
    return jsonify(
        status="ok",
        build_id=atlas.build_id,
        built_at=atlas.built_at.isoformat(),
        features=atlas.counts(),
        sources=len(atlas.seeds),
    )


def _error_page(error: HTTPException) -> Response:
    """Render any HTTP error (404, 405…) as a small HTML page, keeping its headers (Allow)."""
    response = error.get_response()
    response.set_data(render_template("error.html", error=error))
    response.mimetype = "text/html"
    return response


def init_app(app: Flask) -> None:
    """Register the pages and the error handler on ``app``."""
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _error_page)
