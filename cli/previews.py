"""The map's look for the build's preview images (``geodata.previews``).

The pipeline never imports the web app (tests/test_layers.py), yet a share card must show a
feature as the map draws it: the command line, which joins the two, reads the web app's tables
(colours, shapes, stage styles) and hands them to the build as one
:class:`~geodata.previews.PreviewStyle`.
"""

from __future__ import annotations

from geodata.previews import PreviewStyle

#: The offline base's sea, coastline and border colours: ``webapp/static/map.css``
#: (``.atlas-offline-base``) and ``webapp/static/map-basemap.js`` hold them for the browser;
#: tests/geodata/test_previews.py checks these are the same.
OFFLINE_SEA = "#d4e6f1"
OFFLINE_COASTLINE = "#7ea6c2"
OFFLINE_BORDER = "#9c8aa5"


def preview_style() -> PreviewStyle:
    """The map's colours, marker shapes and stage styles, from the web app's tables."""
    from webapp import style
    from webapp.map.pagedata import SHAPES, STAGE_STYLES

    return PreviewStyle(
        sea=OFFLINE_SEA,
        land=style.BASE_LAND_COLOUR,
        coastline=OFFLINE_COASTLINE,
        border=OFFLINE_BORDER,
        corridor_palette=tuple(style.CORRIDOR_PALETTE),
        site_colours=dict(style.SITE_COLOURS),
        unknown_site_colour=style.UNKNOWN_SITE_COLOUR,
        site_shapes=dict(style.SITE_SHAPES),
        unknown_site_shape=style.UNKNOWN_SITE_SHAPE,
        shapes={name: [tuple(v) for v in vertices] for name, vertices in SHAPES.items()},
        stage_dash={stage: s["dash"] for stage, s in STAGE_STYLES.items()},
        stage_fill={stage: s["fill"] for stage, s in STAGE_STYLES.items()},
    )
