"""The OpenAPI 3.0 document of the open-data endpoints: /api, /ogc and /data.

Built once per app from the loaded data, so enumerations (categories, feature ids) are exactly
what the server accepts. The schemas describe the real answers (tests validate responses
against them): GeoJSON for features, problem details for every 400 and 404 of /api and /ogc.
Limits the server clamps (``limit`` above 10000) are described, not declared as a maximum,
since such a request is valid.

The document stays English in every language, ``?lang=ru`` included: its readers are tools
(Swagger UI, QGIS, OWSLib, client generators, the fuzz campaign) that cache it by its one
ETag and match its summaries and tags, and no page of the atlas shows its summaries to people;
what people read about the API, the /api page and the /ogc pages, follows the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geodata.vocabulary import KINDS, STAGES
from webapp.api.params import (
    API_PARAMETERS,
    AS_OF_PATTERN,
    BBOX_PATTERN,
    CRS84,
    DATETIME_PATTERN,
    DEFAULT_PLACES,
    DOCUMENT_FORMATS,
    FEATURE_FORMATS,
    MAX_LIMIT,
    MAX_PLACE_TEXT,
    MAX_PLACES,
    MAX_RADIUS_KM,
    NEAR_PATTERN,
    OGC_PARAMETERS,
)
from webapp.api.schemas import component_schemas, ref
from webapp.http import mediatypes
from webapp.model.filters import DEFAULT_LIMIT, DEFAULT_RADIUS_KM, MAX_TEXT
from webapp.model.schema import SLUG_PATTERN
from webapp.model.subsets import SELECTION_FORMATS, SELECTION_PARAMETERS, SUBSETS

OPENAPI_VERSION = "3.0.3"
GEOJSON = mediatypes.GEOJSON
PROBLEM = mediatypes.PROBLEM
#: What each download format is documented as: media type and, for GeoJSON, its schema.
DOWNLOAD_TYPES = {
    "geojson": (mediatypes.GEOJSON, "FeatureCollection"),
    "csv": (mediatypes.CSV.split(";")[0], None),
    "kml": (mediatypes.KML, None),
}


def _list_parameter(name: str, description: str, items: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "style": "form",
        "explode": False,
        "schema": {"type": "array", "minItems": 1, "items": items},
    }


def _parameters(categories: Sequence[str], id_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": _list_parameter("kind", "Keep corridors, sites or both.", {"enum": list(KINDS)}),
        "category": _list_parameter(
            "category", "Keep features of these categories.", {"enum": list(categories)}
        ),
        "country": _list_parameter(
            "country",
            "Keep features in any of these countries (ISO 3166-1 alpha-2, any case).",
            {"type": "string", "pattern": "^[A-Za-z]{2}$"},
        ),
        "status": _list_parameter(
            "status",
            "Keep features at these stages (with as_of: at these stages then).",
            {"enum": list(STAGES)},
        ),
        "q": {
            "name": "q",
            "in": "query",
            "description": "Text in the name (also in Russian, Uzbek or Kazakh), aliases, "
            "waypoints, category or description; "
            "transliteration-insensitive (Bekobod finds Bekabad).",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
        },
        "placeQ": {
            "name": "q",
            "in": "query",
            "required": True,
            "description": "A place name, transliteration-insensitive (Samarqand finds "
            "Samarkand); names starting with it (three letters or more) follow exact ones.",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_PLACE_TEXT},
        },
        "placeLimit": {
            "name": "limit",
            "in": "query",
            "description": f"Places to answer, 1 to {MAX_PLACES}.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_PLACES,
                "default": DEFAULT_PLACES,
            },
        },
        "bbox": {
            "name": "bbox",
            "in": "query",
            "description": "minLon,minLat,maxLon,maxLat in CRS84 decimal degrees (six numbers: "
            "with heights, ignored). Keeps features whose geometry intersects the box; "
            "minLon > maxLon crosses the antimeridian; minLat > maxLat contains nothing.",
            "schema": {"type": "string", "pattern": BBOX_PATTERN},
        },
        "near": {
            "name": "near",
            "in": "query",
            "description": "lat,lon in decimal degrees: keep features within radius_km "
            "(geodesic, WGS84) of this point, nearest first, each with properties.distance_km.",
            "schema": {"type": "string", "pattern": NEAR_PATTERN},
        },
        "radius_km": {
            "name": "radius_km",
            "in": "query",
            "description": "Search radius for near, in km; ignored without near.",
            "schema": {
                "type": "number",
                "minimum": 0,
                "exclusiveMinimum": True,
                "maximum": MAX_RADIUS_KM,
                "default": DEFAULT_RADIUS_KM,
            },
        },
        "limit": {
            "name": "limit",
            "in": "query",
            "description": f"Features per page, 1 to {MAX_LIMIT}; larger values are clamped "
            f"to {MAX_LIMIT}.",
            "schema": {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
        },
        "offset": {
            "name": "offset",
            "in": "query",
            "description": "Features to skip (the next link sets it).",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
        "datetime": {
            "name": "datetime",
            "in": "query",
            "description": "RFC 3339 instant or interval (.. for open ends). Accepted for OGC "
            "conformance; the features have no temporal geometry, so it keeps every feature.",
            "schema": {"type": "string", "pattern": DATETIME_PATTERN},
        },
        "as_of": {
            "name": "as_of",
            "in": "query",
            "description": "YYYY, YYYY-MM or YYYY-MM-DD (1900-2100): the atlas as it stood at "
            "the end of that year, month or day. Keeps only features reported by then; their "
            "flat stage is the stage then, status filters on it, and each feature gains the "
            "as_of property (date, stage, certain, scheduled). Links repeat it as the full date.",
            "schema": {"type": "string", "pattern": AS_OF_PATTERN},
        },
        "crs": _crs_parameter("crs", "CRS of the answer's coordinates; only CRS84."),
        "bbox-crs": _crs_parameter("bbox-crs", "CRS of bbox; only CRS84."),
        "f": _format_parameter(list(DOCUMENT_FORMATS)),
        "fJson": _format_parameter(["json"]),
        "fFeatures": _format_parameter(list(FEATURE_FORMATS)),
        "collectionId": {
            "name": "collectionId",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "enum": list(SUBSETS)},
        },
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "schema": id_schema,
        },
    }


def _id_schema(feature_ids: Sequence[str], max_enum_ids: int) -> dict[str, Any]:
    """Every id as an enumeration (clients and fuzzers then know each one), or, beyond
    ``max_enum_ids``, the pattern ids follow with an example: a 100,000-value enumeration
    would make the document megabytes long."""
    if len(feature_ids) <= max_enum_ids:
        return {"type": "string", "enum": list(feature_ids)}
    return {"type": "string", "pattern": SLUG_PATTERN, "example": feature_ids[0]}


def _crs_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "string", "enum": [CRS84]},
    }


def _format_parameter(formats: list[str]) -> dict[str, Any]:
    return {
        "name": "f",
        "in": "query",
        "description": "Output format; JSON is the only one (and the default).",
        "schema": {"type": "string", "enum": formats},
    }


def _cached(description: str, content: dict[str, Any]) -> dict[str, Any]:
    """A 200 response with the caching headers every data response carries."""
    string = {"schema": {"type": "string"}}
    return {
        "description": description,
        "headers": {"ETag": string, "Last-Modified": string, "Cache-Control": string},
        "content": content,
    }


def _json(media_type: str, schema: str) -> dict[str, Any]:
    return {media_type: {"schema": ref("schemas", schema)}}


def _or_html(content: dict[str, Any]) -> dict[str, Any]:
    """``content`` and an HTML page: what an OGC resource answers a browser (or f=html)."""
    return {**content, mediatypes.HTML.split(";")[0]: {"schema": {"type": "string"}}}


def _responses() -> dict[str, Any]:
    problem = {PROBLEM: {"schema": ref("schemas", "Problem")}}
    html = {mediatypes.HTML.split(";")[0]: {"schema": {"type": "string"}}}
    return {
        "BadRequest": {"description": "A query parameter is unknown or bad.", "content": problem},
        "NotFound": {"description": "No such collection or feature.", "content": problem},
        "NotModified": {"description": "The client's copy (ETag / date) is current."},
        "NotFoundPage": {"description": "No such file.", "content": html},
        "BadRequestPage": {"description": "A query parameter is unknown or bad.", "content": html},
        "Page": {"description": "An HTML page.", "content": html},
    }


def _get(summary: str, parameters: list[str], responses: dict[str, Any], tag: str) -> dict:
    operation = {
        "summary": summary,
        "tags": [tag],
        "parameters": [ref("parameters", name) for name in parameters],
        "responses": responses,
    }
    return {"get": operation}


def _ogc_paths() -> dict[str, Any]:
    bad, missing, fresh = (ref("responses", n) for n in ("BadRequest", "NotFound", "NotModified"))
    json_ = mediatypes.JSON
    return {
        "/ogc": _get(
            "Landing page",
            ["f"],
            {
                "200": _cached(
                    "Links to the parts of the service.", _or_html(_json(json_, "LandingPage"))
                ),
                "304": fresh,
                "400": bad,
            },
            "OGC API – Features",
        ),
        "/ogc/conformance": _get(
            "Conformance classes",
            ["f"],
            {
                "200": _cached("Conformance classes.", _or_html(_json(json_, "Conformance"))),
                "304": fresh,
                "400": bad,
            },
            "OGC API – Features",
        ),
        "/ogc/api": _get(
            "This API definition (a browser is sent to /api)",
            ["fJson"],
            {
                "200": _cached(
                    "OpenAPI 3.0.", {mediatypes.OPENAPI: {"schema": {"type": "object"}}}
                ),
                "304": fresh,
                "400": bad,
            },
            "OGC API – Features",
        ),
        "/ogc/collections": _get(
            "The collections",
            ["f"],
            {
                "200": _cached(
                    "atlas, corridors and sites.", _or_html(_json(json_, "Collections"))
                ),
                "304": fresh,
                "400": bad,
            },
            "OGC API – Features",
        ),
        "/ogc/collections/{collectionId}": _get(
            "One collection",
            ["collectionId", "f"],
            {
                "200": _cached("The collection.", _or_html(_json(json_, "Collection"))),
                "304": fresh,
                "400": bad,
                "404": missing,
            },
            "OGC API – Features",
        ),
        "/ogc/collections/{collectionId}/queryables": _get(
            "The properties a collection's items can be filtered by (JSON Schema)",
            ["collectionId", "f"],
            {
                "200": _cached(
                    "A JSON Schema of the queryable properties (OGC API – Features, Part 3).",
                    _or_html({mediatypes.SCHEMA: {"schema": {"type": "object"}}}),
                ),
                "304": fresh,
                "400": bad,
                "404": missing,
            },
            "OGC API – Features",
        ),
        "/ogc/collections/{collectionId}/items": _get(
            "Features of a collection, a page at a time",
            ["collectionId", *("fFeatures" if name == "f" else name for name in OGC_PARAMETERS)],
            {
                "200": _cached(
                    "A page of features.", _or_html(_json(GEOJSON, "FeatureCollection"))
                ),
                "304": fresh,
                "400": bad,
                "404": missing,
            },
            "OGC API – Features",
        ),
        "/ogc/collections/{collectionId}/items/{featureId}": _get(
            "One feature",
            ["collectionId", "featureId", "fFeatures", "as_of"],
            {
                "200": _cached("The feature.", _or_html(_json(GEOJSON, "Feature"))),
                "304": fresh,
                "400": bad,
                "404": missing,
            },
            "OGC API – Features",
        ),
    }


def _data_paths() -> dict[str, Any]:
    fresh = ref("responses", "NotModified")
    paths: dict[str, Any] = {
        "/data": _get("The downloads page", [], {"200": ref("responses", "Page")}, "Downloads"),
    }
    for subset in SUBSETS.values():
        for extension, (media_type, schema) in DOWNLOAD_TYPES.items():
            body = ref("schemas", schema) if schema else {"type": "string"}
            paths[f"/data/{subset.id}.{extension}"] = _get(
                f"{subset.title} as {extension.upper()}",
                [],
                {
                    "200": _cached("The file, as an attachment.", {media_type: {"schema": body}}),
                    "304": fresh,
                },
                "Downloads",
            )
    for extension, media_type in SELECTION_FORMATS.items():
        paths[f"/data/selection.{extension}"] = _get(
            f"The features /api/features selects for the same filters, as {extension.upper()}",
            list(SELECTION_PARAMETERS),
            {
                # A GeoJSON selection is a FeatureCollection; CSV and GeoPackage are files.
                "200": _cached(
                    "The file, as an attachment.",
                    _json(GEOJSON, "FeatureCollection")
                    if extension == "geojson"
                    else {media_type.split(";")[0]: {}},
                ),
                "304": fresh,
                "400": ref("responses", "BadRequestPage"),
            },
            "Downloads",
        )
    paths["/data/features/{featureId}.geojson"] = _get(
        "One feature as a GeoJSON FeatureCollection",
        ["featureId"],
        {
            "200": _cached("The feature.", _json(GEOJSON, "FeatureCollection")),
            "304": fresh,
            "404": ref("responses", "NotFoundPage"),
        },
        "Downloads",
    )
    return paths


#: The answer of /api/places: GeoJSON points with each place's name, country and population.
_PLACES = {
    "type": "object",
    "required": ["type", "numberReturned", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "numberReturned": {"type": "integer", "minimum": 0},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "id", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "string"},
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {
                            "type": {"type": "string", "enum": ["Point"]},
                            "coordinates": {
                                "type": "array",
                                "minItems": 2,
                                "maxItems": 2,
                                "items": {"type": "number"},
                            },
                        },
                    },
                    "properties": {
                        "type": "object",
                        "required": ["name", "country", "country_name", "population"],
                        "properties": {
                            "name": {"type": "string"},
                            "country": {"type": "string"},
                            "country_name": {"type": "string"},
                            "population": {"type": "integer", "minimum": 0},
                            "geonameid": {"type": "integer"},
                        },
                    },
                },
            },
        },
    },
}


def openapi_document(
    categories: Sequence[str], feature_ids: Sequence[str], max_enum_ids: int = 1000
) -> dict:
    """The whole document; ``categories`` and (up to ``max_enum_ids``) ``feature_ids``
    become enumerations."""
    bad, fresh = ref("responses", "BadRequest"), ref("responses", "NotModified")
    api_paths = {
        "/api": _get("This API, for people", [], {"200": ref("responses", "Page")}, "Query API"),
        "/api/features": _get(
            "Search the atlas",
            list(API_PARAMETERS),
            {
                "200": _cached("A page of matching features.", _json(GEOJSON, "FeatureCollection")),
                "304": fresh,
                "400": bad,
            },
            "Query API",
        ),
        "/api/places": _get(
            "Gazetteer places a text names (GeoNames cities500), best first",
            ["placeQ", "placeLimit"],
            {
                "200": _cached("Matching places as points.", {GEOJSON: {"schema": _PLACES}}),
                "304": fresh,
                "400": bad,
            },
            "Query API",
        ),
        "/api/openapi.json": _get(
            "This document",
            [],
            {
                "200": _cached("OpenAPI 3.0.", {mediatypes.JSON: {"schema": {"type": "object"}}}),
                "304": fresh,
            },
            "Query API",
        ),
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Corridor Atlas open data",
            "version": "1.0.0",
            "description": "Transport corridors and industrial sites of Central Asia, every fact "
            "cited to its source article: a query API, OGC API – Features (Part 1: Core) and "
            "downloads (GeoJSON, CSV, KML). Every data response has a strong ETag, "
            "Last-Modified, Cache-Control, gzip on request and Access-Control-Allow-Origin: *.",
            "license": {
                "name": "Positions from GeoNames, CC BY 4.0",
                "url": "https://creativecommons.org/licenses/by/4.0/",
            },
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": "Query API"}, {"name": "OGC API – Features"}, {"name": "Downloads"}],
        "paths": {**api_paths, **_ogc_paths(), **_data_paths()},
        "components": {
            "parameters": _parameters(categories, _id_schema(feature_ids, max_enum_ids)),
            "schemas": component_schemas(categories),
            "responses": _responses(),
        },
    }
