"""Catalogue entries with their resolved places -> RFC 7946 GeoJSON, byte for byte repeatable.

Files are written one feature per line, so a change to one entry is a one-line diff, and with
fixed key order, so the same inputs always give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from shapely.geometry import mapping

from geodata.catalogue import Entry
from geodata.geocoding import ResolvedPlace
from geodata.geometry import corridor_geometry, corridor_length_km, site_geometry


def build_feature(entry: Entry, lines: Sequence[Sequence[ResolvedPlace]]) -> dict[str, Any]:
    """The GeoJSON Feature of ``entry``, whose places resolved to ``lines``."""
    points = [[(place.lon, place.lat) for place in line] for line in lines]
    geometry = site_geometry(points[0][0]) if entry.kind == "site" else corridor_geometry(points)
    properties: dict[str, Any] = {
        "id": entry.id,
        "name": entry.name,
        "aliases": list(entry.aliases),
        "kind": entry.kind,
        "category": entry.category,
        "countries": list(entry.countries),
        "status": entry.status.model_dump(),
        "figures": [figure.model_dump() for figure in entry.figures],
        "description": entry.description,
        "sources": [source.model_dump() for source in entry.sources],
        "located_by": [
            {"place": p.label, "lon": p.lon, "lat": p.lat, "resolved_by": p.resolved_by}
            for p in _unique_in_order(place for line in lines for place in line)
        ],
    }
    if entry.kind == "corridor":
        properties["length_km"] = round(corridor_length_km(points), 1)
    return {
        "type": "Feature",
        "id": entry.id,
        "geometry": _plain(mapping(geometry)),
        "properties": properties,
    }


def _unique_in_order(places) -> list[ResolvedPlace]:
    """Branches start at a trunk waypoint; list each waypoint once."""
    return list(dict.fromkeys(places))


def _plain(value: Any) -> Any:
    """shapely's mapping() uses tuples; JSON wants lists."""
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    """A FeatureCollection with its ``bbox`` (RFC 7946 section 5).

    When the features straddle the antimeridian the box does too, west edge greater than
    east (section 5.2).
    """
    xs, ys = [], []
    for feature in features:
        for lon, lat in _positions(feature["geometry"]["coordinates"]):
            xs.append(lon)
            ys.append(lat)
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if features:
        west, east = longitude_span(xs)
        collection["bbox"] = [west, min(ys), east, max(ys)]
    collection["features"] = features
    return collection


def longitude_span(lons: Iterable[float]) -> tuple[float, float]:
    """West and east edges of the narrowest span of longitude holding all of ``lons``.

    It is the circle of longitude minus its largest empty gap; if that gap is not the one
    across the antimeridian, the span crosses it and west > east.

    >>> longitude_span([69.2, 76.9, 108.9])
    (69.2, 108.9)
    >>> longitude_span([177.5, 180.0, -180.0, -165.4])
    (177.5, -165.4)
    """
    values = list(lons)
    west, east = min(values), max(values)
    if east - west <= 180:  # the gap across the antimeridian is the widest (the usual case)
        return west, east
    ordered = sorted(set(values))
    widest = ordered[0] + 360 - ordered[-1]  # the gap across the antimeridian
    for a, b in pairwise(ordered):
        if b - a > widest:
            widest, west, east = b - a, b, a
    return west, east


def _positions(coordinates: Any):
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates
    else:
        for part in coordinates:
            yield from _positions(part)


def dumps(collection: dict[str, Any]) -> bytes:
    """Serialise deterministically: one feature a line, UTF-8, no NaN allowed."""
    head = {key: value for key, value in collection.items() if key != "features"}
    opening = json.dumps(head, ensure_ascii=False, allow_nan=False)[:-1]
    lines = [_compact(feature) for feature in collection["features"]]
    body = ",\n".join(lines)
    text = f'{opening}, "features": [\n{body}\n]}}\n' if lines else f'{opening}, "features": []}}\n'
    return text.encode("utf-8")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
