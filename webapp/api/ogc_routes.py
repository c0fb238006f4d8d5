"""OGC API – Features (Part 1: Core) under /ogc: Flask routes over ``webapp.api.ogc``.

QGIS, ArcGIS and GDAL (``ogrinfo OAPIF:http://host/ogc``) read the atlas through it as JSON;
a browser gets the same resources as HTML pages (templates/ogc/).
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest

from webapp.api import adapter
from webapp.api import ogc as ogc_api
from webapp.api.adapter import get
from webapp.api.core import ApiRequest
from webapp.api.data import ApiData
from webapp.api.params import LANGUAGE_PARAMETER
from webapp.http.problems import ApiError, ApiResponse, ParameterError, problem
from webapp.i18n import LANGUAGES
from webapp.responses import allow_other_origins, to_response
from webapp.service import error_page

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
bp.after_request(allow_other_origins)


def refused_language(error: BadRequest) -> Response:
    """A ``?lang=`` the atlas does not speak (refused by ``webapp.i18n`` before any view) as
    problem details, like every other bad parameter of the API; any other 400 keeps the
    site's error page."""
    asked = request.args.get(LANGUAGE_PARAMETER)
    if asked is None or asked in LANGUAGES:
        return error_page(error)
    refusal = ParameterError(LANGUAGE_PARAMETER, str(error.description), list(LANGUAGES))
    return to_response(problem(refusal))


bp.register_error_handler(BadRequest, refused_language)


@get(bp, "")
def landing() -> Response:
    """The landing page: links to the API definition, conformance and the collections."""
    return adapter.run(ogc_api.landing)


@get(bp, "/conformance")
def conformance() -> Response:
    """The conformance classes this service implements."""
    return adapter.run(ogc_api.conformance)


@get(bp, "/api")
def api_definition() -> Response:
    """The OpenAPI 3.0 definition (a browser is sent to the /api page)."""
    return adapter.run(ogc_api.definition)


@get(bp, "/collections")
def collections() -> Response:
    """The collections: atlas, corridors, sites."""
    return adapter.run(ogc_api.collections)


@get(bp, "/collections/<collection_id>")
def collection(collection_id: str) -> Response:
    """One collection, with its extent."""
    return adapter.run(ogc_api.collection, collection_id)


@get(bp, "/collections/<collection_id>/queryables")
def queryables(collection_id: str) -> Response:
    """The properties a collection's items can be filtered by (JSON Schema)."""
    return adapter.run(ogc_api.queryables, collection_id)


@get(bp, "/collections/<collection_id>/items")
def items(collection_id: str) -> Response:
    """A page of a collection's features."""
    return adapter.run(ogc_api.items, collection_id)


@get(bp, "/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    """One feature."""
    return adapter.run(ogc_api.item, collection_id, feature_id)


def _not_found(data: ApiData, request: ApiRequest) -> ApiResponse:
    raise ApiError(404, f"There is no {request.path}; the service starts at /ogc.")


@bp.get("/<path:rest>")
def unknown(rest: str) -> Response:
    """Anything else under /ogc: a problem+json 404."""
    return adapter.run(_not_found)
