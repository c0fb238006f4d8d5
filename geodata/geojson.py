"""Catalogue entries with their resolved places -> RFC 7946 GeoJSON, byte for byte repeatable.

Files are written one feature per line, so a change to one entry is a one-line diff, and with
fixed key order, so the same inputs always give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from itertools import pairwise
from typing import Any

from shapely.geometry import mapping

from geodata.catalogue import Entry
from geodata.geocoding import ResolvedPlace
from geodata.geometry import corridor_length_km, corridor_parts, site_geometry
from geodata.placenames import LANGUAGES, Names, curated_names
from geodata.timeline import feature_history, first_source, reported_on, timeline_span

#: What each of a feature's ``sources`` repeats of its article's citation.
CITED_FIELDS = (
    "title",
    "title_is_editorial",
    "publisher",
    "published",
    "published_earliest",
    "published_latest",
)


def build_feature(
    entry: Entry,
    lines: Sequence[Sequence[ResolvedPlace]],
    articles: Mapping[str, Mapping[str, Any]] | None = None,
    as_reported: str | None = None,
    place_names: Mapping[ResolvedPlace, Names] | None = None,
    dates: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The GeoJSON Feature of ``entry``, whose places resolved to ``lines``.

    ``articles`` maps a seed to its citation (see :func:`geodata.provenance.article_records`),
    copied into each source so a popup can cite it without a second file; ``as_reported`` is
    the publication date of the article the status comes from; ``place_names`` gives each
    place's names in the region's languages (see :mod:`geodata.placenames`); ``dates`` are
    the entry's milestones read as intervals (see :func:`geodata.timeline.dated_milestones`;
    without them each milestone keeps only its words, stage and seed).

    Beside the nested properties, flat ones let a GIS style and filter without expressions:
    ``stage``, ``reported_on`` (the first exact publication date among the sources),
    ``source_count`` (the entries of ``sources``) and ``first_source`` (the seed published
    first). ``history`` lists the steps :func:`geodata.timeline.stage_as_of` reads.
    """
    points = [[(place.lon, place.lat) for place in line] for line in lines]
    leg_modes: list[str] = []
    if entry.kind == "site":
        geometry = site_geometry(points[0][0])
    else:
        modes = [[place.mode or "rail" for place in line[1:]] for line in entry.places()]
        geometry, leg_modes = corridor_parts(points, modes)
    articles = articles or {}
    status = entry.status
    place_names = place_names or {}
    own = curated_names(entry.names)
    sources = [
        {
            **source.model_dump(),
            **{key: articles.get(source.seed, {}).get(key) for key in CITED_FIELDS},
        }
        for source in entry.sources
    ]
    if dates is None:
        dates = [
            {**milestone.model_dump(), "start": None, "end": None, "relative": False}
            for milestone in status.dates
        ]
    properties: dict[str, Any] = {
        "id": entry.id,
        "name": entry.name,
        **{f"name_{language}": own.names.get(language) for language in LANGUAGES},
        "name_refs": own.refs,
        "aliases": list(entry.aliases),
        "kind": entry.kind,
        "category": entry.category,
        "stage": status.stage,
        "reported_on": reported_on(sources),
        "source_count": len(sources),
        "first_source": first_source(sources),
        "countries": list(entry.countries),
        "status": {
            "stage": status.stage,
            "stage_quote": status.stage_quote,
            "stage_assessment": status.stage_assessment,
            "as_reported": as_reported,
            "dates": [dict(milestone) for milestone in dates],
        },
        "figures": [figure.model_dump() for figure in entry.figures],
        "description": entry.description,
        "sources": sources,
        "history": feature_history(
            status.stage, [source.seed for source in entry.sources], articles, dates
        ),
        "located_by": [
            {
                "place": p.label,
                "lon": p.lon,
                "lat": p.lat,
                "resolved_by": p.resolved_by,
                "names": place_names.get(p, _NO_NAMES).names,
                "name_refs": place_names.get(p, _NO_NAMES).refs,
            }
            for p in _unique_in_order(place for line in lines for place in line)
        ],
    }
    if entry.kind == "corridor":
        properties["length_km"] = round(corridor_length_km(points), 1)
        properties["basis"] = entry.line_basis()
        properties["leg_modes"] = leg_modes
    return {
        "type": "Feature",
        "id": entry.id,
        "geometry": _plain(mapping(geometry)),
        "properties": properties,
    }


_NO_NAMES = Names()


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


def feature_collection(
    features: list[dict[str, Any]], metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A FeatureCollection with its ``bbox`` (RFC 7946 section 5) and, if given, a
    ``metadata`` member (a foreign member, section 6.1: title, licence, how to cite, coverage).

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
    if metadata is not None:
        collection["metadata"] = metadata
    collection["features"] = features
    return collection


LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATLAS_TITLE = "Corridor Atlas"


def collection_metadata(
    what: str,
    articles: Mapping[str, Mapping[str, Any]],
    feature_count: int,
    features: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The ``metadata`` member of a FeatureCollection of ``what`` ("corridors and sites").

    ``cite_as`` names the version, not the build date, so a rebuild of the same catalogue
    gives the same bytes; coverage counts the articles and spans the publication dates that
    are known (an article of unknown date widens nothing); ``timeline`` is the span of years
    the features' histories cover (see :func:`geodata.timeline.timeline_span`), null if none.

    >>> articles = {"a.txt": {"published": "2024-07-14"}, "b.txt": {"published": None}}
    >>> collection_metadata("sites", articles, 3)["coverage"]
    {'articles': 2, 'articles_dated': 1, 'first_published': '2024-07-14', \
'last_published': '2024-07-14', 'features': 3}
    """
    dates = sorted(record["published"] for record in articles.values() if record["published"])
    version = atlas_version()
    span = timeline_span(features)
    return {
        "title": f"{ATLAS_TITLE}: {what}",
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "cite_as": (
            f"Corridor Atlas contributors, {ATLAS_TITLE} (dataset), version {version}, "
            f"licensed under {LICENCE}."
        ),
        "coverage": {
            "articles": len(articles),
            "articles_dated": len(dates),
            "first_published": dates[0] if dates else None,
            "last_published": dates[-1] if dates else None,
            "features": feature_count,
        },
        "timeline": {"start": span[0].isoformat(), "end": span[1].isoformat()} if span else None,
    }


def atlas_version() -> str:
    """The installed version of the corridor-atlas package ("unknown" when not installed)."""
    try:
        return version("corridor-atlas")
    except PackageNotFoundError:
        return "unknown"


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
