"""OGC API – Features, Part 1: Core, over the three subsets of the atlas (Flask-free).

Each function answers one resource under /ogc and returns ``(headers, status, body)``:
the landing page, the conformance declaration, the API definition, the collections, one
collection, its items (a page of GeoJSON, filtered by ``bbox`` and the atlas's property filters)
and one item. Unknown collections and features raise a 404 ApiError; unknown or bad query
parameters a 400.

Every resource answers JSON by default (GeoJSON for features) and HTML to a browser: ``f=html``,
or an ``Accept`` header that prefers ``text/html`` (Werkzeug's parsing; a client sending no
Accept, ``*/*`` or a JSON type gets JSON). An HTML answer is an :class:`HtmlPage`, a template
and its context, which the Flask side renders; negotiated answers carry ``Vary: Accept``, and
each representation links to the other (``rel=alternate``). The API definition answers a
browser by sending it to the /api page (303).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from geodata.vocabulary import STAGES
from webapp.api.core import ApiRequest, json_response
from webapp.api.data import ApiData
from webapp.api.extent import extent_map
from webapp.api.features import FeaturePage, feature_page
from webapp.api.params import (
    CRS84,
    DOCUMENT_FORMATS,
    FEATURE_FORMATS,
    LANGUAGE_PARAMETER,
    OGC_PARAMETERS,
    parse,
    parse_as_of,
)
from webapp.http import mediatypes
from webapp.http.problems import ApiError, ApiResponse, ParameterError
from webapp.http.representation import CACHE_CONTROL, GzipCache
from webapp.model.history import dated
from webapp.model.store import KINDS
from webapp.model.subsets import SUBSETS, Subset

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
]
PREFIX = "/ogc"
#: The link relation of a collection's queryables (OGC API - Features, Part 3).
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"


#: The media type of the pages for people, without parameters (as Accept names it).
TEXT_HTML = "text/html"
#: What negotiated answers depend on, besides the URL.
VARY = "Accept, Accept-Encoding"


@dataclass(frozen=True)
class HtmlPage:
    """An answer for people: ``template`` rendered with ``context`` by the Flask side
    (``webapp.api.adapter``), with the validators, gzip and ``Vary`` of the JSON answers."""

    template: str
    context: dict[str, Any]
    last_modified: datetime
    cache: GzipCache


def wants_html(request: ApiRequest, formats: tuple[str, ...] = DOCUMENT_FORMATS) -> bool:
    """Whether to answer HTML: ``f`` decides when given (one of ``formats``, once), else the
    Accept header, parsed by Werkzeug: HTML only when the client prefers it to JSON, so a
    client sending no Accept, ``*/*`` or a JSON type gets JSON.

    >>> browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    >>> wants_html(ApiRequest("", "/ogc", headers={"Accept": browser}))
    True
    >>> wants_html(ApiRequest("", "/ogc", {"f": ["json"]}, {"Accept": browser}))
    False
    >>> wants_html(ApiRequest("", "/ogc", headers={"Accept": "*/*"}))
    False
    """
    values = request.args.get("f")
    if values is not None:
        allowed = ", ".join(formats)
        if len(values) != 1:
            raise ParameterError(
                "f",
                f"f may be given once, not {len(values)} times; one of {allowed}.",
                list(formats),
            )
        if values[0] not in formats:
            raise ParameterError(
                "f", f"f must be one of {allowed}, not {values[0]!r}.", list(formats)
            )
        return values[0] == "html"
    accept = parse_accept_header(request.headers.get("Accept"), MIMEAccept)
    offered = [mediatypes.JSON, mediatypes.GEOJSON, TEXT_HTML]
    return accept.best_match(offered) == TEXT_HTML


def _only_format(request: ApiRequest, formats: tuple[str, ...] = DOCUMENT_FORMATS) -> bool:
    """Accept no query parameter but ``f`` (one of ``formats``) and ``lang`` (the language
    of the HTML page); whether to answer HTML."""
    for name in request.args:
        if name not in ("f", LANGUAGE_PARAMETER):
            raise ParameterError(
                name, f"Unknown query parameter {name!r}; this resource accepts only f.", ["f"]
            )
    return wants_html(request, formats)


def _respond(data: ApiData, request: ApiRequest, document: Any, media_type: str) -> ApiResponse:
    headers, status, body = json_response(
        request, document, media_type, data.atlas.built_at, data.cache
    )
    return {**headers, "Vary": VARY}, status, body


def _page(data: ApiData, request: ApiRequest, template: str, **context: Any) -> HtmlPage:
    """The HTML page ``template`` (under ogc/) with ``context`` and the public ``root``."""
    context = {**context, "root": request.root}
    return HtmlPage(f"ogc/{template}", context, data.atlas.built_at, data.cache)


def _link(
    request: ApiRequest,
    path: str,
    rel: str,
    media_type: str,
    title: str,
    params: dict[str, str] | None = None,
) -> dict:
    return {"href": request.url(path, params), "rel": rel, "type": media_type, "title": title}


def _as_html(request: ApiRequest, path: str, params: dict[str, str] | None = None) -> dict:
    """The ``alternate`` link of a JSON answer to its HTML page."""
    params = {**(params or {}), "f": "html"}
    return _link(request, path, "alternate", mediatypes.HTML, "This document as HTML", params)


def _html_links(
    request: ApiRequest, path: str, media_type: str, params: dict[str, str] | None = None
) -> list[dict]:
    """The ``self`` and ``alternate`` links of an HTML page (the JSON sits at ``f=json``)."""
    params = params or {}
    return [
        _link(request, path, "self", mediatypes.HTML, "This page", {**params, "f": "html"}),
        _link(
            request, path, "alternate", media_type, "This document as JSON", {**params, "f": "json"}
        ),
    ]


def _swap_self(document: dict, links: list[dict]) -> dict:
    """``document`` with its self link replaced by the HTML page's self and alternate."""
    kept = [link for link in document["links"] if link["rel"] not in ("self", "alternate")]
    return {**document, "links": [*links, *kept]}


def _json_answer(
    data: ApiData,
    request: ApiRequest,
    document: Any,
    media_type: str,
    params: dict[str, str] | None = None,
) -> ApiResponse:
    """``document`` as JSON that varies on Accept and names its HTML page in a Link header."""
    headers, status, body = _respond(data, request, document, media_type)
    page = request.url(params={**(params or {}), "f": "html"})
    return {**headers, "Link": f'<{page}>; rel="alternate"; type="text/html"'}, status, body


def landing(data: ApiData, request: ApiRequest) -> ApiResponse | HtmlPage:
    """``GET /ogc``: what this service is and where its parts are."""
    html = _only_format(request)
    document = {
        "title": "Corridor Atlas",
        "description": "Transport corridors and industrial sites of Central Asia, every fact "
        "cited to its source article, as OGC API – Features.",
        "links": [
            _link(request, PREFIX, "self", mediatypes.JSON, "This document"),
            _as_html(request, PREFIX),
            _link(request, f"{PREFIX}/api", "service-desc", mediatypes.OPENAPI, "API definition"),
            _link(request, "/api", "service-doc", "text/html", "API documentation"),
            _link(request, f"{PREFIX}/conformance", "conformance", mediatypes.JSON, "Conformance"),
            _link(request, f"{PREFIX}/collections", "data", mediatypes.JSON, "Collections"),
        ],
    }
    if html:
        listed = [_collection(data, request, subset) for subset in SUBSETS.values()]
        doc = _swap_self(document, _html_links(request, PREFIX, mediatypes.JSON))
        return _page(data, request, "landing.html", doc=doc, collections=listed)
    return _json_answer(data, request, document, mediatypes.JSON)


def conformance(data: ApiData, request: ApiRequest) -> ApiResponse | HtmlPage:
    """``GET /ogc/conformance``: the conformance classes implemented."""
    document = {"conformsTo": CONFORMANCE}
    if _only_format(request):
        path = f"{PREFIX}/conformance"
        links = _html_links(request, path, mediatypes.JSON)
        return _page(data, request, "conformance.html", doc={**document, "links": links})
    return _json_answer(data, request, document, mediatypes.JSON)


def api_definition(
    data: ApiData, request: ApiRequest, media_type: str = mediatypes.OPENAPI
) -> ApiResponse:
    """The OpenAPI document (/ogc/api, and /api/openapi.json as plain JSON), its server the
    public root of this request (the proxy's or the configured public URL)."""
    _only_format(request, ("json",))
    document = {**data.openapi, "servers": [{"url": request.url("/")}]}
    return json_response(request, document, media_type, data.atlas.built_at, data.cache)


def definition(data: ApiData, request: ApiRequest) -> ApiResponse:
    """``GET /ogc/api``: the OpenAPI document, or, for a browser, a 303 to the /api page that
    explains the API to people (the service-doc)."""
    if _only_format(request):
        headers = {"Location": request.url("/api"), "Vary": VARY, "Cache-Control": CACHE_CONTROL}
        return headers, 303, b""
    headers, status, body = api_definition(data, request)
    page = f'<{request.url("/api")}>; rel="alternate"; type="text/html"'
    return {**headers, "Vary": VARY, "Link": page}, status, body


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
            _as_html(request, path),
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


def collections(data: ApiData, request: ApiRequest) -> ApiResponse | HtmlPage:
    """``GET /ogc/collections``: the three collections."""
    html = _only_format(request)
    path = f"{PREFIX}/collections"
    document = {
        "links": [
            _link(request, path, "self", mediatypes.JSON, "Collections"),
            _as_html(request, path),
        ],
        "collections": [_collection(data, request, subset) for subset in SUBSETS.values()],
    }
    if html:
        doc = _swap_self(document, _html_links(request, path, mediatypes.JSON))
        maps = {c["id"]: extent_map(c["extent"]["spatial"]["bbox"][0]) for c in doc["collections"]}
        return _page(data, request, "collections.html", doc=doc, maps=maps)
    return _json_answer(data, request, document, mediatypes.JSON)


def collection(data: ApiData, request: ApiRequest, collection_id: str) -> ApiResponse | HtmlPage:
    """``GET /ogc/collections/{collectionId}``."""
    subset = _subset(collection_id)
    document = _collection(data, request, subset)
    if _only_format(request):
        path = f"{PREFIX}/collections/{subset.id}"
        doc = _swap_self(document, _html_links(request, path, mediatypes.JSON))
        extent = extent_map(document["extent"]["spatial"]["bbox"][0])
        return _page(data, request, "collection.html", doc=doc, map=extent)
    return _json_answer(data, request, document, mediatypes.JSON)


def items(data: ApiData, request: ApiRequest, collection_id: str) -> ApiResponse | HtmlPage:
    """``GET /ogc/collections/{collectionId}/items``: a page of features."""
    subset = _subset(collection_id)
    html = wants_html(request, FEATURE_FORMATS)
    if html:
        args = {name: values for name, values in request.args.items() if name != "f"}
        request = dataclasses.replace(request, args=args)
    query = parse(request.args, OGC_PARAMETERS, data.index.categories())
    query = dataclasses.replace(query, kinds=subset.kinds, f="html" if html else query.f)
    path = f"{PREFIX}/collections/{subset.id}"
    up = _link(request, path, "collection", mediatypes.JSON, subset.title)
    params = {k: v for k, v in query.parameters(OGC_PARAMETERS).items() if k != "f"}
    if not html:
        as_html = _as_html(request, request.path, params)
        page = feature_page(data, request, query, OGC_PARAMETERS, [up, as_html])
        return _json_answer(data, request, page, mediatypes.GEOJSON, params)
    page = feature_page(data, request, query, OGC_PARAMETERS, [up])
    return _items_page(data, request, subset, page, params)


def _items_page(
    data: ApiData, request: ApiRequest, subset: Subset, page: FeaturePage, params: dict[str, str]
) -> HtmlPage:
    """The HTML of a page of items: its paging links lead to HTML pages (``f=html``)."""
    document = json.loads(page.to_json())
    for link in document["links"]:
        if link["rel"] in ("self", "next", "prev"):
            link["type"] = mediatypes.HTML
    json_params = {**params, "f": "json"}
    document["links"].insert(
        1,
        _link(
            request,
            request.path,
            "alternate",
            mediatypes.GEOJSON,
            "This page as GeoJSON",
            json_params,
        ),
    )
    geometries = [f["geometry"] for f in document["features"] if f.get("geometry")]
    bbox = _bounds(geometries) or data.bbox(subset.kinds)
    extent = extent_map(bbox, geometries)
    rels = {link["rel"]: link for link in document["links"]}
    return _page(
        data,
        request,
        "items.html",
        doc=document,
        collection=subset,
        map=extent,
        rels=rels,
        params=params,
    )


def _bounds(geometries: list[dict[str, Any]]) -> list[float] | None:
    """[west, south, east, north] of ``geometries``, or None if there are none."""
    if not geometries:
        return None
    return list(shapely.GeometryCollection([shape(g) for g in geometries]).bounds)


def item(
    data: ApiData, request: ApiRequest, collection_id: str, feature_id: str
) -> ApiResponse | HtmlPage:
    """``GET /ogc/collections/{collectionId}/items/{featureId}``: one feature; with ``as_of``,
    as it stood then (a 404 if it was not yet reported)."""
    subset = _subset(collection_id)
    feature = data.by_id(feature_id)
    if feature is None or feature["properties"]["kind"] not in subset.kinds:
        raise ApiError(
            404,
            f"Collection {subset.id!r} has no feature {feature_id!r}.",
            parameter="featureId",
        )
    day = parse_as_of(request.args)
    args = {name: values for name, values in request.args.items() if name != "as_of"}
    html = _only_format(dataclasses.replace(request, args=args), FEATURE_FORMATS)
    params = {"as_of": day.isoformat()} if day else {}
    if day is not None:
        position = data.store.position(feature_id)
        answer = data.store.history.at(day).to_json(position)
        if answer is None:
            raise ApiError(
                404,
                f"{feature_id!r} was not yet reported as of {day.isoformat()}.",
                parameter="as_of",
            )
        feature = dated(feature, answer)
    path = f"{PREFIX}/collections/{subset.id}"
    here = f"{path}/items/{feature_id}"
    links = [
        _link(request, here, "self", mediatypes.GEOJSON, "This feature", params),
        _as_html(request, here, params),
        _link(request, path, "collection", mediatypes.JSON, subset.title),
    ]
    document = {**feature, "links": links}
    if html:
        doc = _swap_self(document, _html_links(request, here, mediatypes.GEOJSON, params))
        geometries = [feature["geometry"]] if feature.get("geometry") else []
        extent = extent_map(_bounds(geometries) or data.bbox(subset.kinds), geometries)
        return _page(data, request, "item.html", doc=doc, collection=subset, map=extent)
    return _json_answer(data, request, document, mediatypes.GEOJSON, params)


def queryables(data: ApiData, request: ApiRequest, collection_id: str) -> ApiResponse | HtmlPage:
    """``GET /ogc/collections/{collectionId}/queryables``: the properties its items can be
    filtered by, as a JSON Schema (OGC API - Features, Part 3), so that clients such as
    OWSLib's ``collection_queryables`` can offer them."""
    subset = _subset(collection_id)
    html = _only_format(request)
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
    if html:
        links = _html_links(request, path, mediatypes.SCHEMA)
        return _page(
            data,
            request,
            "queryables.html",
            doc={"links": links},
            schema=document,
            collection=subset,
        )
    return _json_answer(data, request, document, mediatypes.SCHEMA)
