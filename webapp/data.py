"""Downloads of the built GeoJSON files, byte for byte as the pipeline wrote them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from webapp.atlas import FILES
from webapp.state import get_state

bp = Blueprint("data", __name__, url_prefix="/data")

GEOJSON_MIMETYPE = "application/geo+json"


@bp.get("/<name>")
def download(name: str) -> Response:
    """One of atlas.geojson, corridors.geojson, sites.geojson, as an attachment.

    The bytes kept at load time are served unchanged (no re-serialising), with an ETag so a
    client can revalidate cheaply.
    """
    if name not in FILES:
        abort(404, f"There is no data file {name!r}; try one of {', '.join(FILES)}.")
    response = Response(get_state().atlas.raw[name], mimetype=GEOJSON_MIMETYPE)
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.add_etag()
    return response.make_conditional(request)
