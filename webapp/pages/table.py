"""The /features table's query: parse filters and sorting from query parameters, then apply them.

Kept free of Flask's requests so that the rules are plain functions: ``parse_query`` takes the
query parameters as a mapping of name to list of values and raises ``QueryError`` with a message a
person can act on (in the request's language inside a request, English outside one);
:class:`TableOrder` sorts the features the filters keep.

Filters are ``kind``, ``category``, ``country`` and ``status``. Each may be repeated or given a
comma-separated list (``?country=UZ&country=KZ`` is ``?country=UZ,KZ``); values of one filter
are alternatives (OR), different filters must all hold (AND); an empty value means "any".
``as_of=YYYY[-MM[-DD]]`` shows the atlas as it stood at the end of that period, as the API
does: only features reported by then, ``status`` and the stage column meaning the stage then.
Sorting is ``sort=name|kind|category|countries|status|length`` and ``order=asc|desc``; ties
are broken by name, and features without a length (sites) come last in either order. The
table shows :data:`PAGE_SIZE` rows a page (``page=2``…), so a large atlas stays readable.

Filtering is done by the API's index (``webapp.model.search``) and sorting by :class:`TableOrder`,
both over columns, so neither step parses a feature: only the rows of the page shown are read.

>>> query = parse_query({"country": ["uz,KZ"], "sort": ["length"]}, categories=["x"])
>>> query.filters["country"], query.sort, query.order, query.page
(('UZ', 'KZ'), 'length', 'asc', 1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from flask_babel import gettext

from geodata.vocabulary import STAGES
from webapp.model.atlas import Atlas
from webapp.model.filters import FeatureQuery, FilterError, parse_filters
from webapp.model.history import StagesAsOf
from webapp.model.store import KINDS as STORE_KINDS
from webapp.model.store import FeatureStore

SORTS = ("name", "kind", "category", "countries", "status", "length")
#: The order of a text search (``q``) when no sort is given: the search index's ranking, the
#: same as the API's and the map's.
RELEVANCE = "relevance"
ORDERS = ("asc", "desc")
FILTERS = ("kind", "category", "country", "status")
#: Rows of the table shown a page.
PAGE_SIZE = 500


class QueryError(ValueError):
    """A query parameter has a value the table does not understand."""


@dataclass(frozen=True)
class TableQuery:
    """Active filters (name -> accepted values, empty when unfiltered), the sort and the page
    (from 1)."""

    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "name"
    order: str = "asc"
    page: int = 1
    #: The text searched for (the API's ``q``), or None.
    text: str | None = None
    #: The day the table shows the atlas as of (``as_of``), or None: as reported.
    as_of: date | None = None

    def active(self) -> bool:
        """Whether any filter, a text search or a day narrows the table."""
        return any(self.filters.values()) or self.text is not None or self.as_of is not None

    def index_query(self) -> FeatureQuery:
        """The filters as a query of the search index (``webapp.model.search``)."""
        get = self.filters.get
        return FeatureQuery(
            kinds=get("kind", ()),
            categories=get("category", ()),
            countries=get("country", ()),
            stages=get("status", ()),
            text=self.text,
            as_of=self.as_of,
        )


def _values(params: Mapping[str, Sequence[str]], name: str) -> tuple[str, ...]:
    raw = [part.strip() for value in params.get(name, ()) for part in value.split(",")]
    return tuple(dict.fromkeys(value for value in raw if value))


def _single(params: Mapping[str, Sequence[str]], name: str, allowed: Sequence[str]) -> str:
    values = _values(params, name)
    if len(values) > 1:
        raise QueryError(
            gettext(
                "Give one %(name)s, not %(count)s: %(values)s.",
                name=name,
                count=len(values),
                values=", ".join(values),
            )
        )
    if values and values[0] not in allowed:
        raise QueryError(
            gettext(
                "Unknown %(name)s %(value)s; use one of: %(allowed)s.",
                name=name,
                value=repr(values[0]),
                allowed=", ".join(allowed),
            )
        )
    return values[0] if values else allowed[0]


def _page(params: Mapping[str, Sequence[str]]) -> int:
    values = _values(params, "page")
    if not values:
        return 1
    if len(values) > 1 or not values[0].isascii() or not values[0].isdigit():
        raise QueryError(
            gettext(
                "Give the page as one whole number from 1, not %(values)s.",
                values=", ".join(values),
            )
        )
    if int(values[0]) < 1 or len(values[0]) > 9:
        raise QueryError(gettext("There is no page %(page)s; pages start at 1.", page=values[0]))
    return int(values[0])


def parse_query(params: Mapping[str, Sequence[str]], categories: Sequence[str]) -> TableQuery:
    """The query in ``params``; ``categories`` are the category names the table knows.

    Countries are ISO 3166-1 alpha-2 codes in any case; a well-formed code no feature has
    simply matches nothing.
    """
    try:
        found = parse_filters(params, categories, empty="ignore")
    except FilterError as err:
        raise QueryError(str(err)) from err
    filters = {
        "kind": found.kinds,
        "category": found.categories,
        "country": found.countries,
        "status": found.stages,
    }
    sort, order = _single(params, "sort", (RELEVANCE, *SORTS)), _single(params, "order", ORDERS)
    if sort == RELEVANCE and found.text is None:
        sort = "name"  # nothing to rank by (a form sent again with its search cleared)
    return TableQuery(filters, sort, order, _page(params), found.text, found.as_of)


def _ranks(values: Sequence) -> np.ndarray:
    """Each value's rank among the distinct ``values`` (sorted), as one int32 array."""
    distinct = sorted(set(values))
    rank = {value: i for i, value in enumerate(distinct)}
    return np.array([rank[v] for v in values], dtype=np.int32)


class TableOrder:
    """Every feature's rank in each sortable column, computed once, so that sorting a table
    of 100,000 rows is a few numpy sorts rather than a Python key per row per request.

    Ties keep name order (then id) in either direction, and features without a length come
    last in either (see the module's rules).
    """

    @classmethod
    def of(cls, atlas: Atlas) -> TableOrder:
        """The ranks the build's serving index holds for ``atlas``, else computed now."""
        prepared = atlas.prepared
        return prepared.table if prepared is not None else cls(atlas.store)

    def __init__(self, store: FeatureStore) -> None:
        names, ids = list(store.names), list(store.ids)
        by_name = sorted(range(len(store)), key=lambda p: (names[p].casefold(), ids[p]))
        self._name_rank = np.empty(len(store), dtype=np.int32)
        self._name_rank[by_name] = np.arange(len(store), dtype=np.int32)
        stage_rank = [
            (STAGES.index(s) if s in STAGES else len(STAGES), s) for s in store.stage_names
        ]
        stages = [stage_rank[c] if c >= 0 else (len(STAGES), "") for c in store.stages]
        categories = [c.casefold() for c in store.category_names]
        self._keys = {
            "name": self._name_rank,
            "kind": _ranks([STORE_KINDS[k] for k in store.kinds]),
            "category": _ranks([categories[c] for c in store.categories]),
            "countries": _ranks([store.country_lists[c] for c in store.country_list]),
            "status": _ranks(stages),
        }
        self._lengths = store.lengths

    def ordered(
        self, positions: np.ndarray, query: TableQuery, as_of: StagesAsOf | None = None
    ) -> np.ndarray:
        """``positions`` (the features that pass the filters) in the query's order; for
        :data:`RELEVANCE`, the order they come in (the search index ranked them). ``as_of``
        (the stages as of the query's day) sorts the status column by the stage then."""
        if query.sort == RELEVANCE:
            return positions
        kept = positions[np.argsort(self._name_rank[positions], kind="stable")]
        sign = -1 if query.order == "desc" else 1
        if query.sort == "length":
            lengths = self._lengths[kept]
            measured, rest = kept[~np.isnan(lengths)], kept[np.isnan(lengths)]
            order = np.argsort(sign * self._lengths[measured], kind="stable")
            return np.concatenate([measured[order], rest])
        if query.sort == "status" and as_of is not None:
            key = as_of.stages[kept].astype(np.int64)  # STAGES order, as the column's ranks
        else:
            key = self._keys[query.sort][kept].astype(np.int64)
        return kept[np.argsort(sign * key, kind="stable")]
