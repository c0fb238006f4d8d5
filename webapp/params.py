"""Query parameters of /api/features and /ogc/collections/{id}/items, checked before any search.

Free of Flask: :func:`parse` takes the query string as a mapping of name to the list of its
values (``request.args.to_dict(flat=False)``) and returns a :class:`FeatureQuery`, or raises
:class:`~webapp.problems.ParameterError` naming the parameter and what it accepts. Unknown
parameters are errors too, so a typo (``?kidn=site``) is not silently ignored.

List filters (``kind``, ``category``, ``country``, ``status``) take comma-separated values and
may be repeated; values of one filter are alternatives (OR), different filters must all hold.

What is accepted is exactly what the OpenAPI document declares (the patterns below are shared
with it), so a schema-driven fuzzer finds no valid request refused and no invalid one accepted:
values are case-sensitive except country codes, numbers are plain decimals, and ``bbox`` and
``near`` are checked by patterns that encode the longitude and latitude ranges. Constraints a
schema cannot state are answered, not refused: ``radius_km`` without ``near`` is ignored, and a
bbox whose minLat exceeds maxLat contains nothing.

>>> query = parse({"country": ["uz,KZ"], "limit": ["20000"], "bbox": ["66,37,72.5,42"]},
...               API_PARAMETERS, ["technopark"])
>>> query.countries, query.limit, query.bbox
(('UZ', 'KZ'), 10000, (66.0, 37.0, 72.5, 42.0))
>>> parse({"limit": ["0"]}, API_PARAMETERS, []).limit
Traceback (most recent call last):
...
webapp.problems.ParameterError: limit must be an integer from 1 to 10000, not '0'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from geodata.vocabulary import KINDS, STAGES
from webapp.problems import ParameterError

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
DEFAULT_RADIUS_KM = 100.0
#: Half the equator: no two points on Earth are further apart along a geodesic.
MAX_RADIUS_KM = 20_040.0
MAX_TEXT = 200
#: Offsets past this are all "beyond the last feature"; avoids parsing huge integers.
MAX_OFFSET = 10**12

#: Parameters of /api/features, in the order links repeat them.
API_PARAMETERS = (
    "kind",
    "category",
    "country",
    "status",
    "q",
    "bbox",
    "near",
    "radius_km",
    "limit",
    "offset",
)
#: Parameters of the OGC items endpoint: the Core ones plus the property filters.
OGC_PARAMETERS = (
    "bbox",
    "bbox-crs",
    "crs",
    "datetime",
    "limit",
    "offset",
    "f",
    "category",
    "country",
    "status",
    "q",
)
#: The only coordinate reference system served (WGS 84 longitude, latitude).
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
OUTPUT_FORMATS = ("json", "geojson")

_DIGITS = re.compile(r"^[0-9]+$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LON = r"-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?)"
_LAT = r"-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?)"
_HEIGHT = r"-?(0|[1-9][0-9]*)(\.[0-9]+)?"
#: JSON's number grammar.
NUMBER_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
#: minLon,minLat,maxLon,maxLat, or with heights minLon,minLat,minH,maxLon,maxLat,maxH.
BBOX_PATTERN = rf"^({_LON},{_LAT},{_LON},{_LAT}|{_LON},{_LAT},{_HEIGHT},{_LON},{_LAT},{_HEIGHT})$"
#: lat,lon.
NEAR_PATTERN = rf"^{_LAT},{_LON}$"
_INSTANT = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?"
)
#: RFC 3339 instants (date or date-time) and intervals with ``..`` or empty open ends, by form.
DATETIME_PATTERN = rf"^({_INSTANT}|({_INSTANT}|\.\.)?/({_INSTANT}|\.\.)?)$"
DATETIME_ALLOWED = "an RFC 3339 date or date-time, or an interval start/end ('..' = open)"
LIMIT_ALLOWED = f"an integer from 1 to {MAX_LIMIT} (larger values are clamped to {MAX_LIMIT})"
BBOX_ALLOWED = (
    "minLon,minLat,maxLon,maxLat (or six numbers with heights) in decimal degrees, longitudes "
    "-180..180, latitudes -90..90; minLon > maxLon crosses the antimeridian"
)


@dataclass(frozen=True)
class FeatureQuery:
    """A checked query; empty tuples and None mean "not filtered"."""

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


def _single(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise ParameterError(
            name, f"{name} may be given once, not {len(values)} times.", f"one {name} value"
        )
    return values[0] if values else None


def _choices(
    params: Mapping[str, Sequence[str]], name: str, allowed: Sequence[str]
) -> tuple[str, ...]:
    parts = [part for value in params.get(name, ()) for part in value.split(",")]
    for part in parts:
        if part not in allowed:
            raise ParameterError(
                name,
                f"{name} {part!r} is not allowed; give one or more of {', '.join(allowed)}, "
                "separated by commas.",
                list(allowed),
            )
    return tuple(dict.fromkeys(parts))


def _countries(params: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    parts = [part for value in params.get("country", ()) for part in value.split(",")]
    for part in parts:
        if not _COUNTRY.fullmatch(part):
            raise ParameterError(
                "country",
                f"country {part!r} is not an ISO 3166-1 alpha-2 code such as UZ; separate "
                "several with commas.",
                "ISO 3166-1 alpha-2 codes, e.g. UZ or UZ,KZ",
            )
    return tuple(dict.fromkeys(part.upper() for part in parts))


def _matching(name: str, text: str, pattern: str, allowed: str) -> list[float]:
    if not re.fullmatch(pattern, text):
        raise ParameterError(name, f"{name} must be {allowed}, not {text!r}.", allowed)
    return [float(part) for part in text.split(",")]


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    numbers = _matching("bbox", text, BBOX_PATTERN, BBOX_ALLOWED)
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    west, south, east, north = numbers
    return west, south, east, north


def _near(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    allowed = "lat,lon in decimal degrees, latitude -90..90, longitude -180..180"
    lat, lon = _matching("near", text, NEAR_PATTERN, allowed)
    return lat, lon


def _radius(text: str | None) -> float:
    allowed = f"a number of kilometres above 0 and at most {MAX_RADIUS_KM:g}"
    if text is None:
        return DEFAULT_RADIUS_KM
    (radius,) = _matching("radius_km", text, NUMBER_PATTERN, allowed)
    if not 0 < radius <= MAX_RADIUS_KM:
        raise ParameterError("radius_km", f"radius_km must be {allowed}, not {text!r}.", allowed)
    return radius


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    digits = text.lstrip("0")
    if not _DIGITS.fullmatch(text) or not digits:
        detail = f"limit must be an integer from 1 to {MAX_LIMIT}, not {text!r}."
        raise ParameterError("limit", detail, LIMIT_ALLOWED)
    return MAX_LIMIT if len(digits) > 5 else min(int(digits), MAX_LIMIT)


def _offset(text: str | None) -> int:
    if text is None:
        return 0
    if not _DIGITS.fullmatch(text):
        allowed = "an integer of 0 or more"
        raise ParameterError("offset", f"offset must be {allowed}, not {text!r}.", allowed)
    digits = text.lstrip("0") or "0"
    return MAX_OFFSET if len(digits) > 12 else min(int(digits), MAX_OFFSET)


def _text(text: str | None) -> str | None:
    if text is None:
        return None
    allowed = f"text of 1 to {MAX_TEXT} characters"
    if not text or len(text) > MAX_TEXT:
        raise ParameterError("q", f"q must be {allowed}.", allowed)
    return text


def _datetime(text: str | None) -> str | None:
    if text is not None and not re.fullmatch(DATETIME_PATTERN, text):
        raise ParameterError(
            "datetime", f"datetime must be {DATETIME_ALLOWED}, not {text!r}.", DATETIME_ALLOWED
        )
    return text


def _crs(name: str, text: str | None) -> str | None:
    if text is not None and text != CRS84:
        raise ParameterError(
            name, f"{name} must be {CRS84}, the only CRS served, not {text!r}.", [CRS84]
        )
    return text


def _format(text: str | None) -> str | None:
    if text is not None and text not in OUTPUT_FORMATS:
        raise ParameterError(
            "f",
            f"f must be one of {', '.join(OUTPUT_FORMATS)}, not {text!r}.",
            list(OUTPUT_FORMATS),
        )
    return text


def parse(
    params: Mapping[str, Sequence[str]], accepted: Sequence[str], categories: Sequence[str]
) -> FeatureQuery:
    """Check ``params`` against the ``accepted`` parameter names; ``categories`` are allowed."""
    for name in params:
        if name not in accepted:
            raise ParameterError(
                name,
                f"Unknown query parameter {name!r}; this endpoint accepts {', '.join(accepted)}.",
                list(accepted),
            )
    return FeatureQuery(
        kinds=_choices(params, "kind", KINDS),
        categories=_choices(params, "category", sorted(categories)),
        countries=_countries(params),
        stages=_choices(params, "status", STAGES),
        text=_text(_single(params, "q")),
        bbox=_bbox(_single(params, "bbox")),
        near=_near(_single(params, "near")),
        radius_km=_radius(_single(params, "radius_km")),
        limit=_limit(_single(params, "limit")),
        offset=_offset(_single(params, "offset")),
        datetime=_datetime(_single(params, "datetime")),
        f=_format(_single(params, "f")),
        crs=_crs("crs", _single(params, "crs")),
        bbox_crs=_crs("bbox-crs", _single(params, "bbox-crs")),
    )
