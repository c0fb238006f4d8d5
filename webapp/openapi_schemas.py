"""The component schemas of the OpenAPI document: GeoJSON, OGC resources, problem details.

They describe the answers exactly as the server writes them (the tests validate real answers
against them), including the atlas's feature properties.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geodata.spatial import NEAR_SITES_LISTED
from webapp.params import KINDS, STAGES


def ref(kind: str, name: str) -> dict[str, str]:
    """A reference to ``#/components/<kind>/<name>``."""
    return {"$ref": f"#/components/{kind}/{name}"}


def _position() -> dict[str, Any]:
    return {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}}


def _object(required: Sequence[str], **properties: dict[str, Any]) -> dict[str, Any]:
    """An object with these properties, of which ``required`` must be present."""
    return {"type": "object", "required": list(required), "properties": properties}


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def _geometry(kind: str, coordinates: dict[str, Any]) -> dict[str, Any]:
    return _object(
        ["type", "coordinates"],
        type={"type": "string", "enum": [kind]},
        coordinates=coordinates,
    )


def _neighbour() -> dict[str, Any]:
    return _object(
        ["id", "name", "distance_km"],
        id={"type": "string"},
        name={"type": "string"},
        distance_km={"type": "number", "minimum": 0},
    )


def _properties(categories: Sequence[str]) -> dict[str, Any]:
    text = {"type": "string"}
    texts = {"type": "array", "items": text}
    return {
        "type": "object",
        "required": ["id", "name", "kind", "category"],
        "properties": {
            "id": text,
            "name": text,
            "aliases": texts,
            "kind": {"type": "string", "enum": list(KINDS)},
            "category": {"type": "string", "enum": list(categories)},
            "countries": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"}},
            "status": {
                "type": "object",
                "nullable": True,
                "required": ["stage"],
                "properties": {
                    "stage": {"type": "string", "enum": list(STAGES)},
                    "dates": _list_of(_object(["event", "when"], event=text, when=text)),
                },
            },
            "figures": _list_of(
                _object(
                    ["label", "value"],
                    label=text,
                    value={"anyOf": [{"type": "number"}, text]},
                    unit={"type": "string", "nullable": True},
                    quote={"type": "string", "nullable": True},
                )
            ),
            "description": text,
            "sources": _list_of(_object(["seed", "quote"], seed=text, quote=text)),
            "located_by": _list_of(
                _object(
                    ["place", "lon", "lat"],
                    place=text,
                    lon={"type": "number"},
                    lat={"type": "number"},
                    resolved_by=text,
                )
            ),
            "length_km": {"type": "number", "description": "Corridors: geodesic length."},
            "nearest_corridor": {**_neighbour(), "nullable": True},
            "sites_within_100km": {
                "type": "array",
                "maxItems": NEAR_SITES_LISTED,
                "items": _neighbour(),
                "description": (
                    f"Corridors: the nearest {NEAR_SITES_LISTED} sites within 100 km, "
                    "by distance then id; sites_within_100km_count says how many there are."
                ),
            },
            "sites_within_100km_count": {
                "type": "integer",
                "minimum": 0,
                "description": "Corridors: how many sites are within 100 km, listed or not.",
            },
            "distance_km": {
                "type": "number",
                "minimum": 0,
                "description": "Only with near: geodesic distance from the point.",
            },
        },
    }


def component_schemas(categories: Sequence[str]) -> dict[str, Any]:
    """The schemas; ``categories`` is the enumeration of the category property."""
    text = {"type": "string"}
    links = {"type": "array", "items": ref("schemas", "Link")}
    line = {"type": "array", "minItems": 2, "items": _position()}
    return {
        "Problem": {
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": text,
                "title": text,
                "status": {"type": "integer"},
                "detail": text,
                "parameter": {"type": "string", "description": "The parameter at fault."},
                "allowed": {"description": "What the parameter accepts (text or a list)."},
            },
        },
        "Link": {
            "type": "object",
            "required": ["href", "rel"],
            "properties": {"href": text, "rel": text, "type": text, "title": text},
        },
        "Geometry": {
            "oneOf": [
                _geometry("Point", _position()),
                _geometry("LineString", line),
                _geometry("MultiLineString", {"type": "array", "minItems": 1, "items": line}),
            ]
        },
        "Properties": _properties(categories),
        "Feature": {
            "type": "object",
            "required": ["type", "id", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": text,
                "geometry": ref("schemas", "Geometry"),
                "properties": ref("schemas", "Properties"),
                "links": links,
            },
        },
        "FeatureCollection": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "bbox": {
                    "type": "array",
                    "minItems": 4,
                    "maxItems": 6,
                    "items": {"type": "number"},
                },
                "features": {"type": "array", "items": ref("schemas", "Feature")},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
                "timeStamp": {"type": "string", "format": "date-time"},
                "links": links,
            },
        },
        "LandingPage": {
            "type": "object",
            "required": ["links"],
            "properties": {"title": text, "description": text, "links": links},
        },
        "Conformance": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": text}},
        },
        "Collection": {
            "type": "object",
            "required": ["id", "links"],
            "properties": {
                "id": text,
                "title": text,
                "description": text,
                "itemType": text,
                "crs": {"type": "array", "items": text},
                "extent": {
                    "type": "object",
                    "properties": {
                        "spatial": {
                            "type": "object",
                            "properties": {
                                "bbox": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "array",
                                        "minItems": 4,
                                        "maxItems": 6,
                                        "items": {"type": "number"},
                                    },
                                },
                                "crs": text,
                            },
                        }
                    },
                },
                "links": links,
            },
        },
        "Collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": links,
                "collections": {"type": "array", "items": ref("schemas", "Collection")},
            },
        },
    }
