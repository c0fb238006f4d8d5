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

import numpy as np

from geodata.vocabulary import STAGES
from webapp.api.core import ApiRequest, json_response
from webapp.api.data import ApiData
from webapp.api.features import feature_page
from webapp.api.params import CRS84, OGC_PARAMETERS, parse
from webapp.http import mediatypes
from webapp.http.problems import ApiError, ApiResponse, ParameterError
from webapp.model.store import KINDS
from webapp.model.subsets import SUBSETS, Subset

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
PREFIX = "/ogc"
#: The link relation of a collection's queryables (OGC API - Features, Part 3).
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"


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


def _respond(data: ApiData, request: ApiRequest, document: Any, media_type: str) -> ApiResponse:
    return json_response(request, document, media_type, data.atlas.built_at, data.cache)


def _link(request: ApiRequest, path: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": request.url(path), "rel": rel, "type": media_type, "title": title}


def landing(data: ApiData, request: ApiRequest) -> ApiResponse:
    """``GET /ogc``: what this service is and where its parts are."""
    _only_format(request)
    document = {
        "title": "Corridor Atlas",
        "description": "Transport corridors and industrial sites of Central Asia, every fact "
        "cited to its source article, as OGC API – Features.",
        "links": [
            _link(request, PREFIX, "self", mediatypes.JSON, "This document"),
            _link(request, f"{PREFIX}/api", "service-desc", mediatypes.OPENAPI, "API definition"),
            _link(request, "/api", "service-doc", "text/html", "API documentation"),
            _link(request, f"{PREFIX}/conformance", "conformance", mediatypes.JSON, "Conformance"),
            _link(request, f"{PREFIX}/collections", "data", mediatypes.JSON, "Collections"),
        ],
    }
    return _respond(data, request, document, mediatypes.JSON)


def conformance(data: ApiData, request: ApiRequest) -> ApiResponse:
    """``GET /ogc/conformance``: the conformance classes implemented."""
    _only_format(request)
    return _respond(data, request, {"conformsTo": CONFORMANCE}, mediatypes.JSON)


def api_definition(
    data: ApiData, request: ApiRequest, media_type: str = mediatypes.OPENAPI
) -> ApiResponse:
    """``GET /ogc/api``: the OpenAPI document (also /api/openapi.json, as plain JSON), its
    server the public root of this request (the proxy's or the configured public URL)."""
    _only_format(request)
    document = {**data.openapi, "servers": [{"url": request.url("/")}]}
    return _respond(data, request, document, media_type)


def _collection(data: ApiData, request: ApiRequest, subset: Subset) -> dict[str, Any]:
    path = f"{PREFIX}/collections/{subset.id}"
    return {
        "id": subset.id,
        "title": subset.title,
        "description": subset.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [data.bbox(subset.kinds)], "crs": CRS84}},
        "links": [
            _link(request, path, "self", mediatypes.JSON, subset.title),
            _link(request, f"{path}/items", "items", mediatypes.GEOJSON, f"{subset.title} (items)"),
            _link(
                request,
                f"{path}/queryables",
                QUERYABLES_REL,
                mediatypes.SCHEMA,
                f"{subset.title} (queryable properties)",
            ),
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


def collections(data: ApiData, request: ApiRequest) -> ApiResponse:
    """``GET /ogc/collections``: the three collections."""
    _only_format(request)
    document = {
        "links": [_link(request, f"{PREFIX}/collections", "self", mediatypes.JSON, "Collections")],
        "collections": [_collection(data, request, subset) for subset in SUBSETS.values()],
    }
    return _respond(data, request, document, mediatypes.JSON)


def collection(data: ApiData, request: ApiRequest, collection_id: str) -> ApiResponse:
    """``GET /ogc/collections/{collectionId}``."""
    subset = _subset(collection_id)
    _only_format(request)
    return _respond(data, request, _collection(data, request, subset), mediatypes.JSON)


def items(data: ApiData, request: ApiRequest, collection_id: str) -> ApiResponse:
    """``GET /ogc/collections/{collectionId}/items``: a page of features."""
    subset = _subset(collection_id)
    query = parse(request.args, OGC_PARAMETERS, data.index.categories())
    query = dataclasses.replace(query, kinds=subset.kinds)
    path = f"{PREFIX}/collections/{subset.id}"
    up = _link(request, path, "collection", mediatypes.JSON, subset.title)
    document = feature_page(data, request, query, OGC_PARAMETERS, [up])
    return _respond(data, request, document, mediatypes.GEOJSON)


def item(data: ApiData, request: ApiRequest, collection_id: str, feature_id: str) -> ApiResponse:
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
        _link(request, f"{path}/items/{feature_id}", "self", mediatypes.GEOJSON, "This feature"),
        _link(request, path, "collection", mediatypes.JSON, subset.title),
    ]
    return _respond(data, request, {**feature, "links": links}, mediatypes.GEOJSON)


def queryables(data: ApiData, request: ApiRequest, collection_id: str) -> ApiResponse:
    """``GET /ogc/collections/{collectionId}/queryables``: the properties its items can be
    filtered by, as a JSON Schema (OGC API - Features, Part 3), so that clients such as
    OWSLib's ``collection_queryables`` can offer them."""
    subset = _subset(collection_id)
    _only_format(request)
    chosen = np.isin(data.store.kinds, [KINDS.index(kind) for kind in subset.kinds])
    used = np.unique(data.store.categories[chosen])
    categories = sorted(data.store.category_names[int(i)] for i in used)
    path = f"{PREFIX}/collections/{subset.id}/queryables"
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": request.url(path, {}),
        "type": "object",
        "title": f"{subset.title}: queryable properties",
        "properties": {
            "category": {"title": "Category", "type": "string", "enum": categories},
            "country": {
                "title": "Country",
                "description": "An ISO 3166-1 alpha-2 code the feature lies in, e.g. UZ.",
                "type": "string",
                "pattern": "^[A-Z]{2}$",
            },
            "status": {"title": "Stage", "type": "string", "enum": list(STAGES)},
        },
        "additionalProperties": False,
    }
    return _respond(data, request, document, mediatypes.SCHEMA)
