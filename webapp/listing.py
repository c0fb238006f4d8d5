"""The /features table's query: parse filters and sorting from query parameters, then apply them.

Kept free of Flask so that the rules are plain functions: ``parse_query`` takes the query
parameters as a mapping of name to list of values and raises ``QueryError`` with a message a
person can act on; ``select`` filters and sorts features.

Filters are ``kind``, ``category``, ``country`` and ``status``. Each may be repeated or given a
comma-separated list (``?country=UZ&country=KZ`` is ``?country=UZ,KZ``); values of one filter
are alternatives (OR), different filters must all hold (AND); an empty value means "any".
Sorting is ``sort=name|kind|category|countries|status|length`` and ``order=asc|desc``; ties
are broken by name, and features without a length (sites) come last in either order. The
table shows :data:`PAGE_SIZE` rows a page (``page=2``…), so a large atlas stays readable.

Filtering is done by the API's index (``webapp.query``), over columns, so neither step parses
a feature: only the rows of the page shown are read.

>>> query = parse_query({"country": ["uz,KZ"], "sort": ["length"]}, categories=["x"])
>>> query.filters["country"], query.sort, query.order, query.page
(('UZ', 'KZ'), 'length', 'asc', 1)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from geodata.vocabulary import KINDS, STAGES
from webapp.featurestore import KINDS as STORE_KINDS
from webapp.featurestore import FeatureStore
from webapp.params import FeatureQuery

SORTS = ("name", "kind", "category", "countries", "status", "length")
ORDERS = ("asc", "desc")
FILTERS = ("kind", "category", "country", "status")
#: Rows of the table shown a page.
PAGE_SIZE = 500
_COUNTRY = re.compile(r"^[A-Z]{2}$")


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

    def active(self) -> bool:
        """Whether any filter narrows the table."""
        return any(self.filters.values())

    def index_query(self) -> FeatureQuery:
        """The filters as a query of the API's index (``webapp.query``)."""
        get = self.filters.get
        return FeatureQuery(
            kinds=get("kind", ()),
            categories=get("category", ()),
            countries=get("country", ()),
            stages=get("status", ()),
        )


def _values(params: Mapping[str, Sequence[str]], name: str) -> tuple[str, ...]:
    raw = [part.strip() for value in params.get(name, ()) for part in value.split(",")]
    return tuple(dict.fromkeys(value for value in raw if value))


def _single(params: Mapping[str, Sequence[str]], name: str, allowed: Sequence[str]) -> str:
    values = _values(params, name)
    if len(values) > 1:
        raise QueryError(f"Give one {name}, not {len(values)}: {', '.join(values)}.")
    if values and values[0] not in allowed:
        raise QueryError(f"Unknown {name} {values[0]!r}; use one of: {', '.join(allowed)}.")
    return values[0] if values else allowed[0]


def _check(name: str, values: Iterable[str], allowed: Sequence[str]) -> None:
    for value in values:
        if value not in allowed:
            raise QueryError(f"Unknown {name} {value!r}; use one of: {', '.join(allowed)}.")


def _page(params: Mapping[str, Sequence[str]]) -> int:
    values = _values(params, "page")
    if not values:
        return 1
    if len(values) > 1 or not values[0].isascii() or not values[0].isdigit():
        raise QueryError(f"Give the page as one whole number from 1, not {', '.join(values)}.")
    if int(values[0]) < 1 or len(values[0]) > 9:
        raise QueryError(f"There is no page {values[0]}; pages start at 1.")
    return int(values[0])


def parse_query(params: Mapping[str, Sequence[str]], categories: Sequence[str]) -> TableQuery:
    """The query in ``params``; ``categories`` are the category names the table knows.

    Countries are ISO 3166-1 alpha-2 codes in any case; a well-formed code no feature has
    simply matches nothing.
    """
    filters = {name: _values(params, name) for name in FILTERS}
    filters["country"] = tuple(value.upper() for value in filters["country"])
    _check("kind", filters["kind"], KINDS)
    _check("category", filters["category"], categories)
    _check("status", filters["status"], STAGES)
    for code in filters["country"]:
        if not _COUNTRY.match(code):
            raise QueryError(f"Country {code!r} is not a two-letter ISO 3166-1 code such as UZ.")
    sort, order = _single(params, "sort", SORTS), _single(params, "order", ORDERS)
    return TableQuery(filters, sort, order, _page(params))


def ordered(store: FeatureStore, positions: np.ndarray, query: TableQuery) -> list[int]:
    """``positions`` of ``store`` (the features that pass the filters) in the query's order."""
    names = store.names
    kept = sorted((int(p) for p in positions), key=lambda p: (names[p].casefold(), store.ids[p]))
    descending = query.order == "desc"
    if query.sort == "length":
        measured = [p for p in kept if not np.isnan(store.lengths[p])]
        rest = [p for p in kept if np.isnan(store.lengths[p])]
        measured.sort(key=lambda p: store.lengths[p], reverse=descending)
        return measured + rest
    kept.sort(key=_sort_key(store, query.sort), reverse=descending)
    return kept


def _sort_key(store: FeatureStore, sort: str) -> Callable[[int], tuple]:
    if sort == "status":
        rank = [STAGES.index(s) if s in STAGES else len(STAGES) for s in store.stage_names]
        return lambda p: (
            (len(STAGES), "")
            if store.stages[p] < 0
            else (rank[store.stages[p]], store.stage_names[store.stages[p]])
        )
    if sort == "countries":
        return lambda p: store.country_lists[store.country_list[p]]
    if sort == "kind":
        return lambda p: (STORE_KINDS[store.kinds[p]],)
    if sort == "category":
        return lambda p: (store.category_names[store.categories[p]].casefold(),)
    return lambda p: (store.names[p].casefold(),)
