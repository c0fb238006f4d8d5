"""OGC API – Features, Part 1: Core, over the three subsets of the atlas (Flask-free).

Each function answers one resource under /ogc and returns ``(headers, status, body)``:
the landing page, the conformance declaration, the API definition, the collections, one
collection, its items (a page of GeoJSON, filtered by ``bbox`` and the atlas's property filters)
and one item. Unknown collections and features raise a 404 ApiError; unknown or bad query
parameters a 400. Only JSON is served (``f=json``; ``f=geojson`` too for features).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from webapp.apicore import JSON_MIMETYPE, ApiRequest, json_response
from webapp.downloads import GEOJSON_MIMETYPE
from webapp.features_api import feature_page
from webapp.opendata import OpenData
from webapp.params import CRS84, OGC_PARAMETERS, parse
from webapp.problems import ApiError, ApiResponse, ParameterError
from webapp.subsets import SUBSETS, Subset

OPENAPI_MIMETYPE = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
PREFIX = "/ogc"


def _only_format(request: ApiRequest, formats: tuple[str, ...] = ("json",)) -> None:
    """Accept no query parameter but ``f`` with one of ``formats``."""
    for name, values in request.args.items():
        if name != "f":
            raise ParameterError(
                name, f"Unknown query parameter {name!r}; this resource accepts only f.", ["f"]
            )
        if len(values) != 1 or values[0] not in formats:
            raise ParameterError(
                "f", f"f must be one of {', '.join(formats)}, given once.", list(formats)
            )


def _respond(data: OpenData, request: ApiRequest, document: Any, media_type: str) -> ApiResponse:
    return json_response(request, document, media_type, data.atlas.built_at, data.cache)


def _link(request: ApiRequest, path: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": request.url(path), "rel": rel, "type": media_type, "title": title}


def landing(data: OpenData, request: ApiRequest) -> ApiResponse:
    """``GET /ogc``: what this service is and where its parts are."""
    _only_format(request)
    document = {
        "title": "Corridor Atlas",
        "description": "Transport corridors and industrial sites of Central Asia, every fact "
        "cited to its source article, as OGC API – Features.",
        "links": [
            _link(request, PREFIX, "self", JSON_MIMETYPE, "This document"),
            _link(request, f"{PREFIX}/api", "service-desc", OPENAPI_MIMETYPE, "API definition"),
            _link(request, "/api", "service-doc", "text/html", "API documentation"),
            _link(request, f"{PREFIX}/conformance", "conformance", JSON_MIMETYPE, "Conformance"),
            _link(request, f"{PREFIX}/collections", "data", JSON_MIMETYPE, "Collections"),
        ],
    }
    return _respond(data, request, document, JSON_MIMETYPE)


def conformance(data: OpenData, request: ApiRequest) -> ApiResponse:
    """``GET /ogc/conformance``: the conformance classes implemented."""
    _only_format(request)
    return _respond(data, request, {"conformsTo": CONFORMANCE}, JSON_MIMETYPE)


def api_definition(
    data: OpenData, request: ApiRequest, media_type: str = OPENAPI_MIMETYPE
) -> ApiResponse:
    """``GET /ogc/api``: the OpenAPI document (also /api/openapi.json, as plain JSON)."""
    _only_format(request)
    return _respond(data, request, data.openapi, media_type)


def _collection(data: OpenData, request: ApiRequest, subset: Subset) -> dict[str, Any]:
    path = f"{PREFIX}/collections/{subset.id}"
    return {
        "id": subset.id,
        "title": subset.title,
        "description": subset.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [data.bbox(subset.kinds)], "crs": CRS84}},
        "links": [
            _link(request, path, "self", JSON_MIMETYPE, subset.title),
            _link(request, f"{path}/items", "items", GEOJSON_MIMETYPE, f"{subset.title} (items)"),
        ],
    }


def _subset(collection_id: str) -> Subset:
    if collection_id not in SUBSETS:
        raise ApiError(
            404,
            f"There is no collection {collection_id!r}; try {', '.join(SUBSETS)}.",
            parameter="collectionId",
            allowed=list(SUBSETS),
        )
    return SUBSETS[collection_id]


def collections(data: OpenData, request: ApiRequest) -> ApiResponse:
    """``GET /ogc/collections``: the three collections."""
    _only_format(request)
    document = {
        "links": [_link(request, f"{PREFIX}/collections", "self", JSON_MIMETYPE, "Collections")],
        "collections": [_collection(data, request, subset) for subset in SUBSETS.values()],
    }
    return _respond(data, request, document, JSON_MIMETYPE)


def collection(data: OpenData, request: ApiRequest, collection_id: str) -> ApiResponse:
    """``GET /ogc/collections/{collectionId}``."""
    subset = _subset(collection_id)
    _only_format(request)
    return _respond(data, request, _collection(data, request, subset), JSON_MIMETYPE)


def items(data: OpenData, request: ApiRequest, collection_id: str) -> ApiResponse:
    """``GET /ogc/collections/{collectionId}/items``: a page of features."""
    subset = _subset(collection_id)
    query = parse(request.args, OGC_PARAMETERS, data.index.categories())
    query = dataclasses.replace(query, kinds=subset.kinds)
    path = f"{PREFIX}/collections/{subset.id}"
    up = _link(request, path, "collection", JSON_MIMETYPE, subset.title)
    document = feature_page(data, request, query, OGC_PARAMETERS, [up])
    return _respond(data, request, document, GEOJSON_MIMETYPE)


def item(data: OpenData, request: ApiRequest, collection_id: str, feature_id: str) -> ApiResponse:
    """``GET /ogc/collections/{collectionId}/items/{featureId}``: one feature."""
    subset = _subset(collection_id)
    feature = data.by_id(feature_id)
    if feature is None or feature["properties"]["kind"] not in subset.kinds:
        raise ApiError(
            404,
            f"Collection {subset.id!r} has no feature {feature_id!r}.",
            parameter="featureId",
        )
    _only_format(request, ("json", "geojson"))
    path = f"{PREFIX}/collections/{subset.id}"
    links = [
        _link(request, f"{path}/items/{feature_id}", "self", GEOJSON_MIMETYPE, "This feature"),
        _link(request, path, "collection", JSON_MIMETYPE, subset.title),
    ]
    return _respond(data, request, {**feature, "links": links}, GEOJSON_MIMETYPE)
