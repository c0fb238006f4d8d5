"""HTML fragments built from catalogue text: popups, tooltips, layer names and the legend.

This is where catalogue text is escaped for HTML. Fragments are rendered by Jinja templates
with autoescaping on, so every name, description and quote reaches the page as text, never as
markup. The map code then embeds these fragments in JavaScript only through JSON string
escaping (see ``webapp.map.elements``), never by joining strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from webapp.map.elements import script_json
from webapp.map.pagedata import (
    BASIS_STYLES,
    LEG_STYLES,
    SITE_RADIUS,
    STAGE_LEGEND,
    shape_path,
    stage_style,
)
from webapp.model.schema import Feature
from webapp.style import NAV, citation, format_number, long_date, schematic_length

_env = Environment(
    loader=PackageLoader("webapp", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


_env.filters["number"] = format_number
_env.filters["citation"] = citation
_env.filters["long_date"] = long_date
_env.filters["schematic_length"] = schematic_length
_env.globals["shape_path"] = shape_path

#: A site listed as "also here": (feature id, name).
Neighbour = tuple[str, str]


def _status(properties: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stage, how it is backed (a quote, or the atlas's assessment) and when reported."""
    status = properties.get("status")
    if not isinstance(status, Mapping) or not status.get("stage"):
        return None
    return {
        "stage": status["stage"],
        "quote": status.get("stage_quote"),
        "assessment": status.get("stage_assessment"),
        "as_reported": status.get("as_reported"),
        "dates": status.get("dates") or [],
    }


def popup_html(
    feature: Feature,
    properties: Mapping[str, Any] | None = None,
    also_here: Sequence[Neighbour] = (),
    source_links: Sequence[str | None] = (),
) -> Markup:
    """The popup of one feature, what a reader needs first on top: the status and when it was
    reported, the first citation, then the facts, the description and the other sources.

    ``properties`` are the feature's properties as built (fields the validated model may not
    carry: citation fields, the stage's backing); by default the model's own. ``also_here``
    lists the sites at the same place, ``source_links`` each source's link to its quote.
    """
    raw = dict(properties) if properties is not None else feature.properties.model_dump()
    sources = [dict(s) for s in raw.get("sources") or [] if isinstance(s, Mapping)]
    links = list(source_links) + [None] * len(sources)
    for source, href in zip(sources, links, strict=False):
        source["href"] = href
    context = {
        "p": feature.properties,
        "status": _status(raw),
        "first": sources[0] if sources else None,
        "others": sources[1:],
        "also_here": also_here,
    }
    return Markup(_env.get_template("fragments/popup.html").render(**context))


@dataclass(frozen=True)
class LegendEntry:
    """One entry of the legend: its label, colour, marker shape (sites), feature count and the
    overlay keys it shows and hides."""

    label: str
    colour: str
    count: int
    overlays: tuple[str, ...]
    shape: str | None = None


def tooltip_html(feature: Feature) -> Markup:
    """The hover tooltip of one feature: its name."""
    return escape(feature.properties.name)


def layer_name(label: str, colour: str, swatch: Literal["line", "dot"]) -> str:
    """A LayerControl label with a colour swatch; Leaflet inserts labels as HTML.

    folium's layer control compiles its labels as Jinja source a second time (see
    ``webapp.map.elements``), so braces are written as character references too.

    >>> layer_name("<b>", "#ffffff", "dot")
    '<span class="atlas-swatch-dot" style="--swatch: #ffffff"></span>&lt;b&gt;'
    >>> layer_name("{{7*7}}", "#ffffff", "dot").split("</span>")[1]
    '&#123;&#123;7*7&#125;&#125;'
    """
    template = Markup('<span class="atlas-swatch-{}" style="--swatch: {}"></span>{}')
    text = escape(label).replace("{", Markup("&#123;")).replace("}", Markup("&#125;"))
    return str(template.format(swatch, colour, text))


def legend_html(
    corridors: Sequence[LegendEntry],
    categories: Sequence[LegendEntry],
    downloads: Sequence[tuple[str, str]],
    coverage: Mapping[str, Any] | None = None,
) -> Markup:
    """The legend, which is also the category filter: an entry per corridor (or category of
    corridors) and per category of sites, each with the overlays it switches, then what each
    line style and marker fill means, (file name, URL) per download link, and what the map
    covers (``webapp.map.page.coverage``) with a link to the method."""
    template = _env.get_template("fragments/legend.html")
    return Markup(
        template.render(
            corridors=corridors,
            categories=categories,
            downloads=downloads,
            coverage=coverage,
            stages=[(label, stage_style(stage)) for label, stage in STAGE_LEGEND],
            endpoints=BASIS_STYLES["endpoints"],
            stations=BASIS_STYLES["stations"],
            sea=LEG_STYLES["sea"],
            radius=SITE_RADIUS,
        )
    )


def chrome_html(map_id: str) -> Markup:
    """The header of the map page: the atlas name, the search box and the navigation."""
    return Markup(_env.get_template("fragments/chrome.html").render(map_id=map_id, nav=NAV))


def json_data_html(element_id: str, data: Any) -> Markup:
    """``data`` as a JSON ``<script>`` block: inert data, escaped so it cannot close the tag.

    >>> print(json_data_html("d", {"name": "</script>{{"}))
    <script type="application/json" id="d">{"name": "\\u003c/script\\u003e\\u007b{"}</script>
    """
    template = _env.get_template("fragments/map-data.html")
    return Markup(template.render(element_id=element_id, json=script_json(data)).strip())
