"""How features look: colours per corridor and per site category, and the CSS class names.

One table drives the map styling, the legend and the browser test, so they cannot disagree.
"""

from __future__ import annotations

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
