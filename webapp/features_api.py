"""``GET /api/features``: search the atlas and answer one page of a GeoJSON FeatureCollection.

The page carries ``numberMatched`` (features the query keeps), ``numberReturned`` (on this
page), ``timeStamp`` (when the data was built) and ``links`` (``self``, ``next``, ``prev``) that
repeat the query in canonical form with another ``offset``. The OGC items endpoint answers
with the same function over one collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webapp.apicore import ApiRequest, json_response
from webapp.downloads import GEOJSON_MIMETYPE
from webapp.opendata import OpenData
from webapp.params import API_PARAMETERS, FeatureQuery, parse
from webapp.problems import ApiResponse
from webapp.query import Match


def timestamp(data: OpenData) -> str:
    """The build time in RFC 3339 (UTC), the data's age in every answer."""
    return data.atlas.built_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _feature(match: Match) -> dict[str, Any]:
    if match.distance_km is None:
        return match.feature
    properties = {**match.feature["properties"], "distance_km": round(match.distance_km, 3)}
    return {**match.feature, "properties": properties}


def page_links(
    request: ApiRequest, query: FeatureQuery, names: Sequence[str], matched: int
) -> list[dict[str, str]]:
    """``self``, and ``next``/``prev`` when there are features after/before this page."""
    params = query.parameters(names)

    def link(rel: str, offset: int, title: str) -> dict[str, str]:
        href = request.url(params={**params, "offset": str(offset)})
        return {"rel": rel, "type": GEOJSON_MIMETYPE, "title": title, "href": href}

    links = [link("self", query.offset, "This page")]
    if query.offset + query.limit < matched:
        links.append(link("next", query.offset + query.limit, "Next page"))
    if query.offset > 0:
        links.append(link("prev", max(0, query.offset - query.limit), "Previous page"))
    return links


def feature_page(
    data: OpenData,
    request: ApiRequest,
    query: FeatureQuery,
    names: Sequence[str],
    extra_links: Sequence[dict[str, str]] = (),
) -> dict[str, Any]:
    """The FeatureCollection of one page of the features ``query`` keeps."""
    matches = data.index.select(query)
    page = matches[query.offset : query.offset + query.limit]
    return {
        "type": "FeatureCollection",
        "numberMatched": len(matches),
        "numberReturned": len(page),
        "timeStamp": timestamp(data),
        "links": [*page_links(request, query, names, len(matches)), *extra_links],
        "features": [_feature(match) for match in page],
    }


def features(data: OpenData, request: ApiRequest) -> ApiResponse:
    """Answer ``GET /api/features``; raises ParameterError on a bad query."""
    query = parse(request.args, API_PARAMETERS, data.index.categories())
    document = feature_page(data, request, query, API_PARAMETERS)
    return json_response(request, document, GEOJSON_MIMETYPE, data.atlas.built_at, data.cache)
