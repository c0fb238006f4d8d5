"""Query parameters of /api/features and /ogc/collections/{id}/items, checked before any search.

Free of Flask: :func:`parse` takes the query string as a mapping of name to the list of its
values (``request.args.to_dict(flat=False)``) and returns a :class:`FeatureQuery`, or raises
:class:`~webapp.http.problems.ParameterError` naming the parameter and what it accepts. Unknown
parameters are errors too, so a typo (``?kidn=site``) is not silently ignored.

List filters (``kind``, ``category``, ``country``, ``status``) take comma-separated values and
may be repeated; values of one filter are alternatives (OR), different filters must all hold.
``as_of=YYYY[-MM[-DD]]`` answers the atlas as it stood at the end of that period (links repeat
it as the full date it means).

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
webapp.http.problems.ParameterError: limit must be an integer from 1 to 10000, not '0'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from webapp.http.problems import ParameterError
from webapp.model.filters import (
    DEFAULT_LIMIT,
    DEFAULT_RADIUS_KM,
    FeatureQuery,
    FilterError,
    _number,
    parse_filters,
)

MAX_LIMIT = 10_000
#: Half the equator: no two points on Earth are further apart along a geodesic.
MAX_RADIUS_KM = 20_040.0
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
    "as_of",
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
    "as_of",
)
#: Accepted by every endpoint besides its own: the interface language (``?lang=ru``), which
#: ``webapp.i18n`` checks; it changes the HTML pages only, JSON answers are the same in every
#: language (tools compare and cache them).
LANGUAGE_PARAMETER = "lang"
#: Parameters of /api/places, the gazetteer lookup.
PLACE_PARAMETERS = ("q", "limit")
#: The most places one lookup answers, and how many when no limit is given.
MAX_PLACES, DEFAULT_PLACES = 20, 5
#: The longest place name looked up.
MAX_PLACE_TEXT = 100
#: The only coordinate reference system served (WGS 84 longitude, latitude).
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
OUTPUT_FORMATS = ("json", "geojson")
#: f of an OGC resource that is one JSON document, and of OGC features (GeoJSON); both also
#: answer a browser in HTML.
DOCUMENT_FORMATS = ("json", "html")
FEATURE_FORMATS = ("json", "geojson", "html")

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
_YEAR = "(19[0-9]{2}|20[0-9]{2}|2100)"
_LEAP_YEAR = "(19(0[48]|[2468][048]|[13579][26])|20(0[048]|[2468][048]|[13579][26]))"
_MONTH_DAY = (
    "((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    "|02-(0[1-9]|1[0-9]|2[0-8]))"
)
#: Exactly the values ``as_of`` accepts (geodata.dates.parse_as_of: real dates, 1900-2100), so
#: the OpenAPI document declares no valid value invalid nor an invalid one valid.
AS_OF_PATTERN = rf"^({_YEAR}(-(0[1-9]|1[0-2]))?|{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)$"
#: RFC 3339 instants (date or date-time) and intervals with ``..`` or empty open ends, by form.
DATETIME_PATTERN = rf"^({_INSTANT}|({_INSTANT}|\.\.)?/({_INSTANT}|\.\.)?)$"
DATETIME_ALLOWED = "an RFC 3339 date or date-time, or an interval start/end ('..' = open)"
LIMIT_ALLOWED = f"an integer from 1 to {MAX_LIMIT} (larger values are clamped to {MAX_LIMIT})"
BBOX_ALLOWED = (
    "minLon,minLat,maxLon,maxLat (or six numbers with heights) in decimal degrees, longitudes "
    "-180..180, latitudes -90..90; minLon > maxLon crosses the antimeridian"
)


def _single(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise ParameterError(
            name, f"{name} may be given once, not {len(values)} times.", f"one {name} value"
        )
    return values[0] if values else None


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
    if south > north:
        # West > east is legal (the box crosses the antimeridian); south > north never is.
        raise ParameterError(
            "bbox",
            f"bbox's south edge ({_number(south)}) is north of its north edge "
            f"({_number(north)}); give minLon,minLat,maxLon,maxLat.",
            BBOX_ALLOWED,
        )
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


def _refuse_unknown(
    params: Mapping[str, Sequence[str]], accepted: Sequence[str], accepts: str
) -> None:
    """A 400 naming the first parameter not in ``accepted`` (nor ``lang``, which every
    endpoint takes); ``accepts`` says what is."""
    for name in params:
        if name not in accepted and name != LANGUAGE_PARAMETER:
            raise ParameterError(
                name, f"Unknown query parameter {name!r}; {accepts}.", list(accepted)
            )


def parse(
    params: Mapping[str, Sequence[str]], accepted: Sequence[str], categories: Sequence[str]
) -> FeatureQuery:
    """Check ``params`` against the ``accepted`` parameter names; ``categories`` are allowed."""
    _refuse_unknown(params, accepted, f"this endpoint accepts {', '.join(accepted)}")
    try:
        filters = parse_filters(params, categories)
    except FilterError as err:
        raise ParameterError(err.parameter, str(err), err.allowed) from err
    return FeatureQuery(
        kinds=filters.kinds,
        categories=filters.categories,
        countries=filters.countries,
        stages=filters.stages,
        text=filters.text,
        bbox=_bbox(_single(params, "bbox")),
        near=_near(_single(params, "near")),
        radius_km=_radius(_single(params, "radius_km")),
        limit=_limit(_single(params, "limit")),
        offset=_offset(_single(params, "offset")),
        datetime=_datetime(_single(params, "datetime")),
        f=_format(_single(params, "f")),
        crs=_crs("crs", _single(params, "crs")),
        bbox_crs=_crs("bbox-crs", _single(params, "bbox-crs")),
        as_of=filters.as_of,
    )


def parse_as_of(params: Mapping[str, Sequence[str]]) -> date | None:
    """The day ``as_of`` names in ``params`` (checked as :func:`parse` checks it), or None;
    for resources that take no other filter (one OGC item).

    >>> parse_as_of({"as_of": ["2025"], "f": ["json"]})
    datetime.date(2025, 12, 31)
    """
    try:
        return parse_filters({"as_of": params.get("as_of", [])}, []).as_of
    except FilterError as err:
        raise ParameterError(err.parameter, str(err), err.allowed) from err


def parse_place_lookup(params: Mapping[str, Sequence[str]]) -> tuple[str, int]:
    """``q`` (required, 1 to :data:`MAX_PLACE_TEXT` characters) and ``limit`` (1 to
    :data:`MAX_PLACES`, default :data:`DEFAULT_PLACES`) of ``/api/places``. A ``q`` that names
    nothing (punctuation only) is answered, with no places, not refused.

    >>> parse_place_lookup({"q": ["Samarkand"], "limit": ["03"]})
    ('Samarkand', 3)
    >>> parse_place_lookup({"q": ["Samarkand"], "limit": ["21"]})
    Traceback (most recent call last):
    ...
    webapp.http.problems.ParameterError: limit must be an integer from 1 to 20, not '21'.
    """
    _refuse_unknown(params, PLACE_PARAMETERS, "/api/places accepts q and limit")
    text_allowed = f"a place name of 1 to {MAX_PLACE_TEXT} characters"
    text = _single(params, "q")
    if text is None or not 0 < len(text) <= MAX_PLACE_TEXT:
        raise ParameterError("q", f"q must be {text_allowed}.", text_allowed)
    limit = _single(params, "limit")
    if limit is None:
        return text, DEFAULT_PLACES
    digits = limit.lstrip("0")
    if not _DIGITS.fullmatch(limit) or not digits or len(digits) > 2 or int(digits) > MAX_PLACES:
        allowed = f"an integer from 1 to {MAX_PLACES}"
        raise ParameterError("limit", f"limit must be {allowed}, not {limit!r}.", allowed)
    return text, int(digits)
