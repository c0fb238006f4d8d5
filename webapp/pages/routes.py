"""The text pages: the feature table, a page per feature, the source articles with their quotes,
and the About page (scope, method, licence).

Pages are rendered from the atlas loaded at app creation; each URL's page is rendered once and
then replayed (``webapp.responses.replayable``).
Bad query values and unknown ids abort with a message before anything is cached; the app's
error handler turns them into HTML error pages in the common layout.
"""

from __future__ import annotations

import json
from typing import Any

from babel import Locale
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from markupsafe import Markup

from geodata.vocabulary import KINDS, STAGES
from webapp.i18n import current_language
from webapp.i18n.languages import DEFAULT
from webapp.i18n.vocabulary import term
from webapp.model.atlas import Atlas
from webapp.model.schema import NAME_LANGUAGES, Feature, Properties
from webapp.pages import about
from webapp.pages.citing import ArticleInfo, QuoteCitation, locate
from webapp.pages.history import axis_years, timeline_steps
from webapp.pages.provenance import describe_resolution, excerpt, mark_article
from webapp.pages.table import FILTERS, SORTS, QueryError, TableOrder, TableQuery, parse_query
from webapp.responses import public_root, replayable
from webapp.security import MAX_URL_CHARS
from webapp.state import get_state

bp = Blueprint("pages", __name__)
#: The key of the articles' citations (slug -> ArticleInfo) in the app's state.
CITATIONS_PART = "pages.citations"

COLUMNS = {
    "name": lazy_gettext("Name"),
    "kind": lazy_gettext("Kind"),
    "category": lazy_gettext("Category"),
    "countries": lazy_gettext("Countries"),
    "status": lazy_gettext("Status"),
    "length": lazy_gettext("Length"),
}

#: The short label before a feature's name in each of the region's languages ("рус. …").
NAME_LABELS = {
    "ru": lazy_gettext("Russian"),
    "uz": lazy_gettext("Uzbek"),
    "kk": lazy_gettext("Kazakh"),
}


# --- /features -------------------------------------------------------------------------------


def _query_url(query: TableQuery, **changes: str) -> str:
    params = {name: ",".join(values) for name, values in query.filters.items() if values}
    if query.text is not None:
        params["q"] = query.text
    if query.as_of is not None:
        params["as_of"] = query.as_of.isoformat()
    params |= {"sort": query.sort, "order": query.order} | changes
    return url_for("pages.features_index", **params)


def _sort_links(query: TableQuery) -> list[dict[str, str | None]]:
    links = []
    for column in SORTS:
        current = column == query.sort
        order = "desc" if current and query.order == "asc" else "asc"
        aria = ("ascending" if query.order == "asc" else "descending") if current else None
        href = _query_url(query, sort=column, order=order)
        links.append({"column": column, "label": COLUMNS[column], "href": href, "aria": aria})
    return links


def _pages(query: TableQuery, matched: int) -> dict[str, Any]:
    """Where the page shown starts and ends, and the links to the pages around it."""
    page_size = get_state().limits.table_page_size
    last = max(1, -(-matched // page_size))
    if query.page > last:
        message = ngettext(
            "There is no page %(page)s: these filters give %(num)d page.",
            "There is no page %(page)s: these filters give %(num)d pages.",
            last,
            page=query.page,
        )
        abort(400, message)
    first = (query.page - 1) * page_size
    return {
        "number": query.page,
        "last": last,
        "first_row": first + 1,
        "last_row": min(first + page_size, matched),
        "start": first,
        "previous": _query_url(query, page=str(query.page - 1)) if query.page > 1 else None,
        "next": _query_url(query, page=str(query.page + 1)) if query.page < last else None,
    }


def _choices(atlas: Atlas) -> dict[str, list[str]]:
    counts = atlas.counts()
    store = atlas.store
    stages = set(atlas.stages())
    return {
        "kind": [k for k in KINDS if counts.get(f"{k}s")],
        # in the page's language's order: the options show the categories translated
        "category": sorted(store.category_names, key=lambda name: term(name).casefold()),
        "country": list(store.country_codes),
        "status": [s for s in STAGES if s in stages],
    }


@bp.get("/features")
@replayable
def features_index() -> str:
    """Every feature in a table, filtered and sorted by the query parameters, a page at a time."""
    state = get_state()
    atlas = state.atlas
    choices = _choices(atlas)
    try:
        query = parse_query(request.args.to_dict(flat=False), categories=choices["category"])
    except QueryError as err:
        abort(400, str(err))
    selection = state.index.select_positions(query.index_query())
    order: TableOrder = state.part("pages")
    positions = order.ordered(selection.positions, query, selection.as_of)
    pages = _pages(query, len(positions))
    shown = positions[pages["start"] : pages["start"] + state.limits.table_page_size]
    as_of = selection.as_of
    return render_template(
        "pages/features.html",
        rows=[f.properties for f in atlas.features_at(shown)],
        # each row's stage as of the query's day ({"date", "stage", "certain", "scheduled"})
        stages_then=[as_of.to_json(int(p)) for p in shown] if as_of is not None else None,
        matched=len(positions),
        total=len(atlas),
        pages=pages,
        query=query,
        filters=FILTERS,
        choices=choices,
        sort_links=_sort_links(query),
        reset_url=url_for("pages.features_index"),
        language_query=language_query,
    )


# --- /features/<id> --------------------------------------------------------------------------


def _articles() -> dict[str, ArticleInfo]:
    return get_state().part(CITATIONS_PART)


def _cite(atlas: Atlas, feature: Feature, quote: str, seeds: list[str]) -> QuoteCitation:
    """``quote`` cited from the first of ``seeds`` that holds it, linked to it there."""
    article, anchor = locate(quote, feature.properties.id, seeds, atlas.seed)
    if article is None:
        own = next((s for s in feature.properties.sources if s.quote == quote), {})
        return QuoteCitation(quote, own, None)
    href = url_for("pages.source_page", slug=article.slug, _anchor=anchor)
    return QuoteCitation(quote, _articles()[article.slug], href)


def _raw_properties(atlas: Atlas, feature_id: str) -> dict[str, Any]:
    """The feature's properties as built, with fields the validated model may not carry."""
    position = atlas.store.position(feature_id)
    return json.loads(atlas.store.raw(position))["properties"] if position is not None else {}


def _status(atlas: Atlas, feature: Feature, raw: dict[str, Any]) -> dict[str, Any] | None:
    """The stage with the quote that backs it or the atlas's reason, and when it was reported."""
    status = raw.get("status")
    if not isinstance(status, dict) or not status.get("stage"):
        return None
    seeds = [s.seed for s in feature.properties.sources]
    quote = status.get("stage_quote")
    return {
        "stage": status["stage"],
        "quote": _cite(atlas, feature, quote, seeds) if isinstance(quote, str) else None,
        "assessment": status.get("stage_assessment"),
        "as_reported": status.get("as_reported"),
        "dates": status.get("dates") or [],
    }


def embed_snippet(host_url: str, feature: Feature) -> str:
    """The HTML a visitor pastes into their page to embed this feature's map (as text)."""
    template = Markup(
        '<iframe src="{}embed?focus={}" title="{}" width="640" height="420" '
        'style="border:0" loading="lazy"></iframe>'
    )
    title = gettext("Map of %(name)s (Corridor Atlas)", name=feature.properties.name)
    return str(template.format(host_url, feature.properties.id + language_query("&"), title))


def language_query(separator: str) -> str:
    """``lang=<code>`` after ``separator`` for a link that should open in the page's language
    (a map, an embed), or nothing in English, so English pages keep their plain addresses.

    >>> language_query("?")
    ''
    """
    language = current_language()
    return "" if language == DEFAULT else f"{separator}lang={language}"


@bp.app_template_filter("language_name")
def language_name(code: str) -> str:
    """A language's name in the page's language from CLDR ("en" is "английский" in Russian);
    a code CLDR does not know is shown as it is."""
    return Locale.parse(current_language()).languages.get(code, code)


def local_names(p: Properties) -> list[dict[str, str | None]]:
    """The feature's names in the region's languages that it has, each with its language's
    short label, the language's name in the page's language (CLDR) and the name's reference."""
    languages = Locale.parse(current_language()).languages
    return [
        {
            "code": code,
            "label": str(NAME_LABELS[code]),
            "language": languages.get(code, code),
            "name": getattr(p, f"name_{code}"),
            "ref": getattr(p.name_refs, code),
        }
        for code in NAME_LANGUAGES
        if getattr(p, f"name_{code}")
    ]


@bp.get("/features/<feature_id>")
@replayable
def feature_page(feature_id: str) -> str:
    """One feature: focused map, facts, provenance of its position, and its quotes."""
    atlas = get_state().atlas
    feature = atlas.feature(feature_id)
    if feature is None:
        abort(404, gettext("There is no feature %(id)s in the atlas.", id=repr(feature_id)))
    located = [
        {**entry.model_dump(), "resolution": describe_resolution(entry.resolved_by)}
        for entry in feature.properties.located_by
    ]
    seeds = [s.seed for s in feature.properties.sources]
    raw = _raw_properties(atlas, feature_id)
    history = timeline_steps(
        raw.get("history"),
        _articles(),
        lambda slug: url_for("pages.source_page", slug=slug),
        current_language(),
    )
    return render_template(
        "pages/feature.html",
        p=feature.properties,
        names=local_names(feature.properties),
        language_query=language_query,
        basis=raw.get("basis"),
        status=_status(atlas, feature, raw),
        history=history,
        history_years=axis_years(history),
        figures=[
            (f, _cite(atlas, feature, f.quote, seeds) if f.quote else None)
            for f in feature.properties.figures
        ],
        located=located,
        sources=[_cite(atlas, feature, s.quote, [s.seed]) for s in feature.properties.sources],
        snippet=embed_snippet(public_root() + "/", feature),
        known=lambda other: atlas.store.position(other) is not None,
    )


# --- /sources --------------------------------------------------------------------------------


@bp.get("/sources")
@replayable
def sources_index() -> str:
    """The articles the atlas cites, with how many features each supports."""
    atlas = get_state().atlas
    articles = _articles()
    seeds = [
        {
            "seed": s,
            "info": articles[s.slug],
            "features": len(s.citations.features()),
            "quotes": len(s.citations),
        }
        for s in atlas.seeds
    ]
    return render_template("pages/sources.html", seeds=seeds)


@bp.get("/sources/<slug>")
@replayable
def source_page(slug: str) -> str:
    """One article: each catalogued quote highlighted within its paragraph and linked to its
    feature, and the original's address. The whole text only where the deployment says it may
    show it (``SHOW_FULL_TEXT``)."""
    atlas = get_state().atlas
    seed = atlas.seed(slug)
    if seed is None:
        abort(404, gettext("There is no source article %(slug)s.", slug=repr(slug)))
    store = atlas.store
    positions = {i: store.position(i) for i in seed.citations.features()}
    positions = {i: p for i, p in positions.items() if p is not None}
    names = {i: store.names[p] for i, p in positions.items()}

    def feature_url(feature_id: str) -> str:
        return url_for("pages.feature_page", feature_id=feature_id)

    shown = list(positions)[: get_state().limits.listed_supported]
    numbers = seed.citations.numbers_by_feature()
    marked = mark_article(seed, names, feature_url)
    full_text = bool(current_app.config.get("SHOW_FULL_TEXT"))
    return render_template(
        "pages/source.html",
        seed=seed,
        info=_articles()[slug],
        full_text=full_text,
        paragraphs=marked if full_text else excerpt(marked),
        features=[
            {"id": i, "name": names[i], "category": store.category_names[store.categories[p]]}
            for i, p in ((i, positions[i]) for i in shown)
        ],
        more=len(positions) - len(shown),
        quotes_of={i: numbers[i] for i in shown},
        unmapped=[(n, seed.citations[n]) for n in seed.citations.numbers_of(None)],
        map_src=_embed_only(list(positions)),
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


# --- /about ----------------------------------------------------------------------------------


@bp.get("/about")
@replayable
def about_page() -> str:
    """What the atlas covers, how it was made, what its stages mean, and how to cite it."""
    atlas = get_state().atlas
    return render_template(
        "pages/about.html",
        coverage=about.coverage(atlas, _articles().values()),
        stages=[(stage, about.STAGE_MEANINGS[stage]) for stage in STAGES],
        bases=about.BASIS_MEANINGS,
        licence=about.licence(atlas),
    )
