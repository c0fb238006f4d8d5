"""The query API: ``/api/features``, its OpenAPI document and the page that explains it."""

from __future__ import annotations

import numpy as np
from flask import Blueprint, Response, render_template

from webapp import adapter, features_api, ogc_api
from webapp.apicore import JSON_MIMETYPE, ApiRequest
from webapp.featurestore import KINDS
from webapp.opendata import OpenData
from webapp.params import MAX_LIMIT
from webapp.problems import ApiError, ApiResponse

bp = Blueprint("api", __name__, url_prefix="/api")
bp.record_once(lambda state: adapter.init_app(state.app))
bp.after_request(adapter.allow_other_origins)


def _first_site(data: OpenData) -> str | None:
    """The id of a site the page's examples can name, or None if the atlas has none."""
    sites = np.flatnonzero(data.store.kinds == KINDS.index("site"))
    return data.store.ids[sites[0]] if len(sites) else None


@bp.get("")
def page() -> str:
    """The API explained for people, with examples that run against this atlas."""
    data = adapter.get_open_data()
    return render_template(
        "pages/api.html",
        site_id=_first_site(data),
        categories=data.index.categories(),
        max_limit=MAX_LIMIT,
    )


@bp.get("/features")
def features() -> Response:
    """Search the atlas (see the OpenAPI document for the parameters)."""
    return adapter.run(features_api.features)


def _openapi(data: OpenData, request: ApiRequest) -> ApiResponse:
    return ogc_api.api_definition(data, request, JSON_MIMETYPE)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.0 document of /api, /ogc and /data."""
    return adapter.run(_openapi)


def _not_found(data: OpenData, request: ApiRequest) -> ApiResponse:
    raise ApiError(404, f"There is no {request.path}; see /api/openapi.json for what there is.")


@bp.get("/<path:rest>")
def unknown(rest: str) -> Response:
    """Anything else under /api: a problem+json 404, as API clients expect."""
    return adapter.run(_not_found)
