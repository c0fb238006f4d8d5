"""The query API: ``/api/features``, its OpenAPI document and the page that explains it."""

from __future__ import annotations

import numpy as np
from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import BadRequest

from webapp.api import adapter
from webapp.api import features as features_api
from webapp.api import ogc as ogc_api
from webapp.api.adapter import get
from webapp.api.core import ApiRequest
from webapp.api.data import ApiData
from webapp.api.ogc_routes import refused_language
from webapp.api.params import MAX_LIMIT
from webapp.http import mediatypes
from webapp.http.problems import ApiError, ApiResponse
from webapp.model.store import KINDS
from webapp.responses import allow_other_origins
from webapp.service import error_page

bp = Blueprint("api", __name__, url_prefix="/api")
bp.after_request(allow_other_origins)


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest) -> Response:
    """A refused ``?lang=`` as problem details for the API's clients; the /api page, written
    for people, keeps the site's error page."""
    if request.endpoint in ("api.page", "api.page_slash"):
        return error_page(error)
    return refused_language(error)


def _first_site(data: ApiData) -> str | None:
    """The id of a site the page's examples can name, or None if the atlas has none."""
    sites = np.flatnonzero(data.store.kinds == KINDS.index("site"))
    return data.store.ids[sites[0]] if len(sites) else None


@get(bp, "")
def page() -> str:
    """The API explained for people, with examples that run against this atlas."""
    data = adapter.api_data()
    return render_template(
        "pages/api.html",
        site_id=_first_site(data),
        categories=data.index.categories(),
        max_limit=MAX_LIMIT,
    )


@get(bp, "/features")
def features() -> Response:
    """Search the atlas (see the OpenAPI document for the parameters)."""
    return adapter.run(features_api.features)


@get(bp, "/places")
def places() -> Response:
    """Gazetteer places a text names (see the OpenAPI document), for "zoom to <place>"."""
    return adapter.run(features_api.places)


def _openapi(data: ApiData, request: ApiRequest) -> ApiResponse:
    return ogc_api.api_definition(data, request, mediatypes.JSON)


@get(bp, "/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.0 document of /api, /ogc and /data."""
    return adapter.run(_openapi)


def _not_found(data: ApiData, request: ApiRequest) -> ApiResponse:
    raise ApiError(404, f"There is no {request.path}; see /api/openapi.json for what there is.")


@bp.get("/<path:rest>")
def unknown(rest: str) -> Response:
    """Anything else under /api: a problem+json 404, as API clients expect."""
    return adapter.run(_not_found)
