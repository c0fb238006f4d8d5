"""The pages: the map, the health check, and HTML error pages for every HTTP error."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, render_template
from werkzeug.exceptions import HTTPException

from webapp.state import get_state

bp = Blueprint("views", __name__)


@bp.get("/")
def index() -> Response:
    """The full-window map, rendered once when the app was created."""
    return Response(get_state().page, mimetype="text/html")


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness and data check for deployments: the loaded feature counts."""
    return jsonify(status="ok", features=get_state().atlas.counts())


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
