"""``GET /api/features``: search the atlas and answer one page of a GeoJSON FeatureCollection;
``GET /api/places``: the gazetteer's places a text names, for the map's "zoom to <place>".

The page carries ``numberMatched`` (features the query keeps), ``numberReturned`` (on this
page), ``timeStamp`` (when the data was built) and ``links`` (``self``, ``next``, ``prev``) that
repeat the query in canonical form with another ``offset``. The OGC items endpoint answers
with the same function over one collection.

Features are not serialised per request: the page joins each feature's prebuilt bytes (see
``webapp.model.store``), which are the bytes ``json.dumps`` would give; only ``near`` answers
parse their features to add ``distance_km``, and ``as_of`` answers to set the flat ``stage`` to
the stage as of then and add the ``as_of`` property ({"date", "stage", "certain", "scheduled"}).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from webapp.api.core import ApiRequest, json_response
from webapp.api.data import ApiData
from webapp.api.params import API_PARAMETERS, parse, parse_place_lookup
from webapp.http import mediatypes
from webapp.http.mediatypes import compact_json
from webapp.http.problems import ApiResponse
from webapp.model.filters import FeatureQuery
from webapp.model.history import StagesAsOf, dated
from webapp.model.search import find_places
from webapp.style import english_country_names


def timestamp(data: ApiData) -> str:
    """The build time in RFC 3339 (UTC), the data's age in every answer."""
    return data.atlas.built_at.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class FeaturePage:
    """A FeatureCollection whose features are already JSON: ``head`` holds every other member.

    :func:`webapp.api.core.to_json` calls :meth:`to_json`, which gives the bytes of
    ``{**head, "features": [...]}`` serialised compactly.
    """

    head: dict[str, Any]
    features: list[bytes]

    def to_json(self) -> bytes:
        opening = compact_json(self.head)[:-1]
        separator = b"," if self.head else b""
        return b'%s%s"features":[%s]}' % (opening, separator, b",".join(self.features))


def _feature(
    data: ApiData, position: int, distance_km: float | None, as_of: StagesAsOf | None
) -> bytes:
    if distance_km is None and as_of is None:
        return data.store.raw(position)
    if distance_km is None and as_of is not None:
        spliced = data.store.history.dated(
            data.store.raw(position), position, as_of.to_json(position) or {}
        )
        if spliced is not None:
            return spliced
    feature = data.store.feature(position)
    if distance_km is not None:
        properties = {**feature["properties"], "distance_km": round(distance_km, 3)}
        feature = {**feature, "properties": properties}
    if as_of is not None:
        feature = dated(feature, as_of.to_json(position) or {})
    return compact_json(feature)


def page_links(
    request: ApiRequest, query: FeatureQuery, names: Sequence[str], matched: int
) -> list[dict[str, str]]:
    """``self``, and ``next``/``prev`` when there are features after/before this page."""
    params = query.parameters(names)

    def link(rel: str, offset: int, title: str) -> dict[str, str]:
        href = request.url(params={**params, "offset": str(offset)})
        return {"rel": rel, "type": mediatypes.GEOJSON, "title": title, "href": href}

    links = [link("self", query.offset, "This page")]
    if query.offset + query.limit < matched:
        links.append(link("next", query.offset + query.limit, "Next page"))
    if query.offset > 0:
        links.append(link("prev", max(0, query.offset - query.limit), "Previous page"))
    return links


def feature_page(
    data: ApiData,
    request: ApiRequest,
    query: FeatureQuery,
    names: Sequence[str],
    extra_links: Sequence[dict[str, str]] = (),
) -> FeaturePage:
    """The FeatureCollection of one page of the features ``query`` keeps."""
    selection = data.index.select_positions(query)
    window = slice(query.offset, query.offset + query.limit)
    page = selection.positions[window]
    distances = selection.distances_km
    km = [None] * len(page) if distances is None else [float(d) for d in distances[window]]
    head = {
        "type": "FeatureCollection",
        "numberMatched": len(selection),
        "numberReturned": len(page),
        "timeStamp": timestamp(data),
        "links": [*page_links(request, query, names, len(selection)), *extra_links],
    }
    as_of = selection.as_of
    return FeaturePage(
        head, [_feature(data, int(p), d, as_of) for p, d in zip(page, km, strict=True)]
    )


def features(data: ApiData, request: ApiRequest) -> ApiResponse:
    """Answer ``GET /api/features``; raises ParameterError on a bad query."""
    query = parse(request.args, API_PARAMETERS, data.index.categories())
    document = feature_page(data, request, query, API_PARAMETERS)
    return json_response(request, document, mediatypes.GEOJSON, data.atlas.built_at, data.cache)


def places(data: ApiData, request: ApiRequest) -> ApiResponse:
    """Answer ``GET /api/places?q=…``: up to ``limit`` GeoNames places (points) that ``q``
    names, best first (see :func:`~webapp.model.search.find_places`), the atlas's countries
    first. A query that asks for a country, category or stage of the atlas ("Kazakhstan",
    "railway", "planned") names no place: a village called Kazakhstan is not what it means.
    Raises ParameterError on a bad query."""
    text, limit = parse_place_lookup(request.args)
    found = (
        [] if data.index.facets.names(text) else find_places(text, limit, data.store.country_codes)
    )
    # English whatever the request's language: the API's answers are the same for every reader.
    names = english_country_names()
    document = {
        "type": "FeatureCollection",
        "numberReturned": len(found),
        "features": [
            {
                "type": "Feature",
                "id": f"geonames:{place.geonameid}",
                "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                "properties": {
                    "name": place.name,
                    "country": place.country,
                    "country_name": names.get(place.country, place.country),
                    "population": place.population,
                    "geonameid": place.geonameid,
                },
            }
            for place in found
        ],
    }
    return json_response(request, document, mediatypes.GEOJSON, data.atlas.built_at, data.cache)
