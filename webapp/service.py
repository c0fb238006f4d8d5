"""What every deployment needs whatever the parts: ``/healthz`` and the HTML error pages.

Error pages render whatever failed before them: a request refused before routing (a bad
``Host``, say) has no URL adapter, so the page falls back to a layout that builds no URL.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from geodata.errors import ManifestError
from geodata.outputs import ATLAS, read_manifest
from webapp.http import mediatypes
from webapp.model.atlas import Atlas
from webapp.state import get_state

bp = Blueprint("service", __name__)

#: The error page when the full layout cannot be rendered (no URL can be built).
_PLAIN_ERROR = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{code} {name}</title>'
    '</head><body><h1>{code} {name}</h1><p>{description}</p><p><a href="/">Back to the map</a>'
    "</p></body></html>"
)


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness and data check for deployments: what is loaded, and from which build.

    ``build_id`` is the SHA-256 of atlas.geojson, so two servers answer the same id exactly
    when they serve the same data. ``data_on_disk`` says whether the data directory still
    holds that build (``current``), a newer or damaged one (``changed``: the server keeps
    serving what it loaded; restart it to serve the new build), or is unreadable.
    """
    atlas = get_state().atlas
    return jsonify(
        status="ok",
        build_id=atlas.build_id,
        built_at=atlas.built_at.isoformat(),
        features=atlas.counts(),
        sources=len(atlas.seeds),
        data_on_disk=_on_disk(atlas),
    )


def _on_disk(atlas: Atlas) -> str:
    """Whether the data directory still holds the build loaded: its manifest names the same
    atlas.geojson (or, without a manifest, the file's modification time is the same) and the
    file has the size loaded. Nothing is hashed per request: a file rewritten in place with
    the same size and time goes unnoticed here (the server serves its copy all the same)."""
    data_dir = Path(current_app.config["DATA_DIR"])
    try:
        stat = (data_dir / ATLAS).stat()
    except OSError:
        return "unreadable"
    if stat.st_size != len(atlas.files[ATLAS]):
        return "changed"
    try:
        listed = read_manifest(data_dir).files.get(ATLAS)
    except ManifestError:
        listed = None
    if listed is not None:
        return "current" if listed.sha256 == atlas.build_id else "changed"
    return "current" if int(stat.st_mtime) == int(atlas.built_at.timestamp()) else "changed"


def error_page(error: HTTPException) -> Response:
    """Render any HTTP error (404, 405…) as a small HTML page, keeping its headers (Allow)."""
    response = error.get_response()
    try:
        html = render_template("error.html", error=error)
    except Exception:
        html = _PLAIN_ERROR.format(
            code=error.code, name=escape(error.name), description=escape(error.description)
        )
    response.set_data(html)
    response.content_type = mediatypes.HTML
    return response


def init_app(app: Flask) -> None:
    """Register /healthz and the error pages on ``app``."""
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, error_page)
