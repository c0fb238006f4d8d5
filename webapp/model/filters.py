"""The filters every listing of features takes: kind, category, country, status, q and as_of.

One parser for the API (``/api/features``, ``/ogc/.../items``) and the features table
(``/features``), so a filter means the same everywhere and is refused with the same words.
Values of one filter are alternatives, given comma-separated or repeated; filters combine.
The API refuses an empty value (``kind=``); the table's form sends empty values for filters
left unset, so it asks for them to be ignored (``empty="ignore"``).

``as_of=YYYY[-MM[-DD]]`` asks for the atlas as it stood at the end of that day, month or year
(:func:`geodata.dates.parse_as_of`): only features with a stage by then are kept, ``status``
then filters on that stage (see :mod:`webapp.model.history`).

>>> found = parse_filters({"kind": ["site"], "country": ["uz,kz"], "q": ["Bekabad"]}, [])
>>> found.kinds, found.categories, found.countries, found.text, found.as_of
(('site',), (), ('UZ', 'KZ'), 'Bekabad', None)
>>> parse_filters({"as_of": ["2026-02"]}, []).as_of
datetime.date(2026, 2, 28)
>>> try:
...     parse_filters({"kind": ["castle"]}, [])
... except FilterError as err:
...     print(err.parameter, "-", err)
kind - Unknown kind 'castle'; use one or more of corridor, site, separated by commas.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from geodata.dates import AS_OF_FORM, AS_OF_YEARS, parse_as_of
from geodata.vocabulary import KINDS, STAGES

#: Features within this distance of ``near`` when no radius is given (km).
DEFAULT_RADIUS_KM = 100.0
#: A page of features when no limit is given.
DEFAULT_LIMIT = 100

#: The longest text search accepted.
MAX_TEXT = 200
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
#: What ``as_of`` accepts, for messages and the OpenAPI document.
AS_OF_ALLOWED = f"a date written {AS_OF_FORM}, years {AS_OF_YEARS[0]} to {AS_OF_YEARS[1]}"


class FilterError(ValueError):
    """A filter has a value outside what is allowed: names the parameter and what it allows."""

    def __init__(self, parameter: str, message: str, allowed: Any) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.allowed = allowed


@dataclass(frozen=True)
class Filters:
    """Checked filters; an empty tuple or None means "not filtered"."""

    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    text: str | None = None
    as_of: date | None = None


@dataclass(frozen=True)
class FeatureQuery:
    """A checked query of the features: the filters, where (bbox, near), and which page;
    empty tuples and None mean "not filtered"."""

    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    text: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float] | None = None  # (lat, lon), as given
    radius_km: float = DEFAULT_RADIUS_KM
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    datetime: str | None = None
    f: str | None = None
    crs: str | None = None  # CRS84 if given: OGC Part 2 clients may ask for it by name
    bbox_crs: str | None = None
    #: The day the atlas is asked about (the end of the period ``as_of`` named), or None.
    as_of: date | None = None

    def parameters(self, names: Sequence[str]) -> dict[str, str]:
        """The query as canonical parameter strings (for links), limited to ``names``."""
        values = {
            "kind": ",".join(self.kinds),
            "category": ",".join(self.categories),
            "country": ",".join(self.countries),
            "status": ",".join(self.stages),
            "q": self.text or "",
            "bbox": ",".join(_number(v) for v in self.bbox) if self.bbox else "",
            "near": ",".join(_number(v) for v in self.near) if self.near else "",
            "radius_km": _number(self.radius_km) if self.near else "",  # only means with near
            "datetime": self.datetime or "",
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "f": self.f or "",
            "crs": self.crs or "",
            "bbox-crs": self.bbox_crs or "",
            "limit": str(self.limit),
            "offset": str(self.offset),
        }
        return {name: values[name] for name in names if values[name]}


def _number(value: float) -> str:
    """The shortest decimal that reads back as ``value``, never in exponent form.

    >>> _number(66.0), _number(1e-05), _number(69.58222)
    ('66', '0.00001', '69.58222')
    """
    text = format(Decimal(repr(value)), "f")
    return text.removesuffix(".0") if text.endswith(".0") else text


def _parts(
    params: Mapping[str, Sequence[str]], name: str, empty: Literal["refuse", "ignore"]
) -> list[str]:
    parts = [part.strip() for value in params.get(name, ()) for part in value.split(",")]
    if empty == "ignore":
        return [part for part in parts if part]
    return parts


def _choices(
    params: Mapping[str, Sequence[str]],
    name: str,
    allowed: Sequence[str],
    empty: Literal["refuse", "ignore"],
) -> tuple[str, ...]:
    parts = _parts(params, name, empty)
    for part in parts:
        if part not in allowed:
            raise FilterError(
                name,
                f"Unknown {name} {part!r}; use one or more of {', '.join(allowed)}, "
                "separated by commas.",
                list(allowed),
            )
    return tuple(dict.fromkeys(parts))


def _countries(
    params: Mapping[str, Sequence[str]], empty: Literal["refuse", "ignore"]
) -> tuple[str, ...]:
    parts = _parts(params, "country", empty)
    for part in parts:
        if not _COUNTRY.fullmatch(part):
            raise FilterError(
                "country",
                f"country {part!r} is not a two-letter ISO 3166-1 code such as UZ; separate "
                "several with commas.",
                "ISO 3166-1 alpha-2 codes, e.g. UZ or UZ,KZ",
            )
    return tuple(dict.fromkeys(part.upper() for part in parts))


def _text(params: Mapping[str, Sequence[str]], empty: Literal["refuse", "ignore"]) -> str | None:
    values = list(params.get("q", ()))
    if empty == "ignore":
        values = [value for value in values if value.strip()]
    if not values:
        return None
    allowed = f"text of 1 to {MAX_TEXT} characters"
    if len(values) > 1:
        raise FilterError("q", f"q may be given once, not {len(values)} times.", allowed)
    if not values[0] or len(values[0]) > MAX_TEXT:
        raise FilterError("q", f"q must be {allowed}.", allowed)
    return values[0]


def _as_of(params: Mapping[str, Sequence[str]], empty: Literal["refuse", "ignore"]) -> date | None:
    values = list(params.get("as_of", ()))
    if empty == "ignore":
        values = [value for value in values if value.strip()]
    if not values:
        return None
    if len(values) > 1:
        raise FilterError(
            "as_of", f"as_of may be given once, not {len(values)} times.", AS_OF_ALLOWED
        )
    text = values[0].strip() if empty == "ignore" else values[0]
    try:
        if not text.isascii():  # int() reads other scripts' digits; the API's form is ASCII
            raise ValueError(f"as_of must be {AS_OF_ALLOWED}, not {text[:40]!r}")
        return parse_as_of(text[:40])  # longer is wrong anyway; keeps the message short
    except ValueError as err:
        raise FilterError("as_of", f"{err}.", AS_OF_ALLOWED) from err


def parse_filters(
    params: Mapping[str, Sequence[str]],
    categories: Sequence[str],
    empty: Literal["refuse", "ignore"] = "refuse",
) -> Filters:
    """The filters in ``params`` (name -> values as given); ``categories`` are the ones the
    atlas has. Raises :class:`FilterError` naming the first bad parameter."""
    return Filters(
        kinds=_choices(params, "kind", KINDS, empty),
        categories=_choices(params, "category", sorted(categories), empty),
        countries=_countries(params, empty),
        stages=_choices(params, "status", STAGES, empty),
        text=_text(params, empty),
        as_of=_as_of(params, empty),
    )
