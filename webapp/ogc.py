"""OGC API – Features (Part 1: Core) under /ogc: Flask routes over ``webapp.ogc_api``.

QGIS, ArcGIS and GDAL (``ogrinfo OAPIF:http://host/ogc``) read the atlas through it.
"""

from __future__ import annotations

from flask import Blueprint, Response

from webapp import adapter, ogc_api
from webapp.apicore import ApiRequest
from webapp.opendata import OpenData
from webapp.problems import ApiError, ApiResponse

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
bp.record_once(lambda state: adapter.init_app(state.app))
bp.after_request(adapter.allow_other_origins)


@bp.get("")
def landing() -> Response:
    """The landing page: links to the API definition, conformance and the collections."""
    return adapter.run(ogc_api.landing)


@bp.get("/conformance")
def conformance() -> Response:
    """The conformance classes this service implements."""
    return adapter.run(ogc_api.conformance)


@bp.get("/api")
def api_definition() -> Response:
    """The OpenAPI 3.0 definition."""
    return adapter.run(ogc_api.api_definition)


@bp.get("/collections")
def collections() -> Response:
    """The collections: atlas, corridors, sites."""
    return adapter.run(ogc_api.collections)


@bp.get("/collections/<collection_id>")
def collection(collection_id: str) -> Response:
    """One collection, with its extent."""
    return adapter.run(ogc_api.collection, collection_id)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str) -> Response:
    """A page of a collection's features."""
    return adapter.run(ogc_api.items, collection_id)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    """One feature."""
    return adapter.run(ogc_api.item, collection_id, feature_id)


def _not_found(data: OpenData, request: ApiRequest) -> ApiResponse:
    raise ApiError(404, f"There is no {request.path}; the service starts at /ogc.")


@bp.get("/<path:rest>")
def unknown(rest: str) -> Response:
    """Anything else under /ogc: a problem+json 404."""
    return adapter.run(_not_found)
