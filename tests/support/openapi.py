"""Validating answers against the schemas of the atlas's own OpenAPI document."""

from __future__ import annotations

from openapi_schema_validator import OAS30Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4


def schema_validator(openapi: dict, name: str) -> OAS30Validator:
    """A validator for ``#/components/schemas/<name>`` of the served OpenAPI document."""
    registry = Registry().with_resource("urn:atlas", DRAFT4.create_resource(openapi))
    return OAS30Validator({"$ref": f"urn:atlas#/components/schemas/{name}"}, registry=registry)
