"""HTML fragments built from catalogue text: popups, tooltips, layer names and the legend.

This is where catalogue text is escaped for HTML. Fragments are rendered by Jinja templates
with autoescaping on, so every name, description and quote reaches the page as text, never as
markup. The map code then embeds these fragments in JavaScript only through JSON string
escaping (see ``webapp.map.elements``), never by joining strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from webapp.map.elements import script_json
from webapp.model.schema import Feature
from webapp.style import NAV, format_number

_env = Environment(
    loader=PackageLoader("webapp", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


_env.filters["number"] = format_number


def popup_html(feature: Feature) -> Markup:
    """The popup of one feature: name, category, status, figures, description and sources."""
    return Markup(_env.get_template("fragments/popup.html").render(p=feature.properties))


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
    corridors: Sequence[tuple[str, str]],
    categories: Sequence[tuple[str, str, int]],
    downloads: Sequence[tuple[str, str]],
) -> Markup:
    """The legend: (name, colour) per corridor, (category, colour, count) per site category,
    and (file name, URL) per download link."""
    template = _env.get_template("fragments/legend.html")
    return Markup(template.render(corridors=corridors, categories=categories, downloads=downloads))


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
