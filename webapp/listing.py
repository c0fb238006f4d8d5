"""The /features table's query: parse filters and sorting from query parameters, then apply them.

Kept free of Flask so that the rules are plain functions: ``parse_query`` takes the query
parameters as a mapping of name to list of values and raises ``QueryError`` with a message a
person can act on; ``select`` filters and sorts features.

Filters are ``kind``, ``category``, ``country`` and ``status``. Each may be repeated or given a
comma-separated list (``?country=UZ&country=KZ`` is ``?country=UZ,KZ``); values of one filter
are alternatives (OR), different filters must all hold (AND); an empty value means "any".
Sorting is ``sort=name|kind|category|countries|status|length`` and ``order=asc|desc``; ties
are broken by name, and features without a length (sites) come last in either order.

>>> query = parse_query({"country": ["uz,KZ"], "sort": ["length"]}, categories=["x"])
>>> query.filters["country"], query.sort, query.order
(('UZ', 'KZ'), 'length', 'asc')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from geodata.vocabulary import KINDS, STAGES
from webapp.schema import Feature

SORTS = ("name", "kind", "category", "countries", "status", "length")
ORDERS = ("asc", "desc")
FILTERS = ("kind", "category", "country", "status")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class QueryError(ValueError):
    """A query parameter has a value the table does not understand."""


@dataclass(frozen=True)
class FeatureQuery:
    """Active filters (name -> accepted values, empty when unfiltered) and the sort."""

    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "name"
    order: str = "asc"

    def active(self) -> bool:
        """Whether any filter narrows the table."""
        return any(self.filters.values())


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


def parse_query(params: Mapping[str, Sequence[str]], categories: Sequence[str]) -> FeatureQuery:
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
    return FeatureQuery(filters, _single(params, "sort", SORTS), _single(params, "order", ORDERS))


def _matches(feature: Feature, filters: Mapping[str, tuple[str, ...]]) -> bool:
    p = feature.properties
    stage = p.status.stage if p.status else ""
    checks = {
        "kind": lambda allowed: p.kind in allowed,
        "category": lambda allowed: p.category in allowed,
        "country": lambda allowed: any(code in allowed for code in p.countries),
        "status": lambda allowed: stage in allowed,
    }
    return all(checks[name](values) for name, values in filters.items() if values)


def _sort_key(feature: Feature, sort: str) -> tuple:
    p = feature.properties
    if sort == "status":
        stage = p.status.stage if p.status else ""
        return (STAGES.index(stage) if stage in STAGES else len(STAGES), stage)
    if sort == "countries":
        return tuple(p.countries)
    if sort == "length":
        return (p.length_km or 0.0,)
    return (getattr(p, sort).casefold(),)


def select(features: Iterable[Feature], query: FeatureQuery) -> list[Feature]:
    """The features that pass every filter, in the query's order."""
    kept = sorted(
        (f for f in features if _matches(f, query.filters)),
        key=lambda f: (f.properties.name.casefold(), f.properties.id),
    )
    if query.sort == "length":
        measured = [f for f in kept if f.properties.length_km is not None]
        rest = [f for f in kept if f.properties.length_km is None]
        measured.sort(key=lambda f: _sort_key(f, "length"), reverse=query.order == "desc")
        return measured + rest
    kept.sort(key=lambda f: _sort_key(f, query.sort), reverse=query.order == "desc")
    return kept
