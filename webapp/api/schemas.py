"""The component schemas of the OpenAPI document: GeoJSON, OGC resources, problem details.

They describe the answers exactly as the server writes them (the tests validate real answers
against them), including the atlas's feature properties.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from geodata.vocabulary import STAGES
from webapp.model.schema import Properties


def ref(kind: str, name: str) -> dict[str, str]:
    """A reference to ``#/components/<kind>/<name>``."""
    return {"$ref": f"#/components/{kind}/{name}"}


def _position() -> dict[str, Any]:
    return {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}}


def _object(required: Sequence[str], **properties: dict[str, Any]) -> dict[str, Any]:
    """An object with these properties, of which ``required`` must be present."""
    return {"type": "object", "required": list(required), "properties": properties}


def _geometry(kind: str, coordinates: dict[str, Any]) -> dict[str, Any]:
    return _object(
        ["type", "coordinates"],
        type={"type": "string", "enum": [kind]},
        coordinates=coordinates,
    )


def openapi_30(node: Any) -> Any:
    """A JSON Schema as pydantic writes it (2020-12) in the dialect of OpenAPI 3.0: an
    ``anyOf`` with ``null`` becomes ``nullable``; a nullable reference, or one with a
    description, is wrapped in ``allOf`` (OpenAPI 3.0 ignores a ``$ref``'s siblings); titles
    are left out.

    >>> openapi_30({"anyOf": [{"type": "number"}, {"type": "null"}], "title": "Length"})
    {'type': 'number', 'nullable': True}
    >>> openapi_30({"anyOf": [{"$ref": "#/components/schemas/N"}, {"type": "null"}]})
    {'allOf': [{'$ref': '#/components/schemas/N'}], 'nullable': True}
    >>> openapi_30({"$ref": "#/components/schemas/N", "description": "Names."})
    {'description': 'Names.', 'allOf': [{'$ref': '#/components/schemas/N'}]}
    """
    if isinstance(node, list):
        return [openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: openapi_30(value) for key, value in node.items() if key != "title"}
    if "$ref" in node and len(node) > 1:
        node["allOf"] = [{"$ref": node.pop("$ref")}]
    options = node.get("anyOf")
    if options and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        del node["anyOf"]
        if len(rest) > 1:
            node["anyOf"] = rest
        elif "$ref" in rest[0]:
            node["allOf"] = rest
        else:
            node.update(rest[0])
        node["nullable"] = True
    return node


def model_schemas(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI 3.0 component schemas of ``model`` and of every model it refers to, by
    name: the document describes the properties exactly as the server validates them."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    found = {name: openapi_30(part) for name, part in schema.pop("$defs", {}).items()}
    found[model.__name__] = openapi_30(schema)
    return found


def _properties(categories: Sequence[str]) -> dict[str, Any]:
    """The schemas of the feature properties, from the web app's model of them, with the
    vocabularies the model leaves open filled in and the property only answers to ``near``
    carry."""
    schemas = model_schemas(Properties)
    properties = schemas["Properties"]["properties"]
    properties["category"]["enum"] = list(categories)
    properties["countries"]["items"]["pattern"] = "^[A-Z]{2}$"
    properties["distance_km"] = {
        "type": "number",
        "minimum": 0,
        "description": "Only with near: geodesic distance from the point.",
    }
    properties["as_of"] = {
        "type": "object",
        "description": "Only with as_of: the feature's stage as of that day; certain when a "
        "step had ended by then, scheduled when that step was announced as a plan.",
        "required": ["date", "stage", "certain", "scheduled"],
        "properties": {
            "date": {"type": "string", "format": "date"},
            "stage": {"type": "string", "enum": list(STAGES)},
            "certain": {"type": "boolean"},
            "scheduled": {"type": "boolean"},
        },
    }
    schemas["Status"]["properties"]["stage"]["enum"] = list(STAGES)
    return schemas


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
        **_properties(categories),
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
                "metadata": ref("schemas", "CollectionMetadata"),
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
                "timeStamp": {"type": "string", "format": "date-time"},
                "links": links,
            },
        },
        "CollectionMetadata": {
            "type": "object",
            "description": "The published files' title, licence, how to cite them and what "
            "they cover (a foreign member of the GeoJSON FeatureCollection).",
            "properties": {
                "title": text,
                "licence": text,
                "licence_url": text,
                "cite_as": text,
                "coverage": {
                    "type": "object",
                    "properties": {
                        "articles": {"type": "integer", "minimum": 0},
                        "articles_dated": {"type": "integer", "minimum": 0},
                        "first_published": {"type": "string", "format": "date", "nullable": True},
                        "last_published": {"type": "string", "format": "date", "nullable": True},
                        "features": {"type": "integer", "minimum": 0},
                    },
                },
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
