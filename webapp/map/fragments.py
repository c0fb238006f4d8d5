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

from webapp.i18n import LANGUAGES, current_language, translations
from webapp.i18n.formatting import citation, format_number, long_date, schematic_length
from webapp.i18n.languages import ENDONYMS
from webapp.i18n.vocabulary import term
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
from webapp.style import NAV

_env = Environment(
    loader=PackageLoader("webapp", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
# The fragments speak the language of the request (or of the page being prepared) like every
# other template: Flask-Babel's functions, which read it from the current context.
# Like Flask-Babel's own set-up: the bare catalogue lookups, as Jinja's newstyle gettext fills
# the placeholders itself (and escapes them).
_env.install_gettext_callables(  # type: ignore[attr-defined]
    lambda message: translations().ugettext(message),
    lambda singular, plural, n: translations().ungettext(singular, plural, n),
    newstyle=True,
)


_env.filters["number"] = format_number
_env.filters["term"] = term
_env.filters["citation"] = citation
_env.filters["long_date"] = long_date
_env.filters["schematic_length"] = schematic_length
_env.globals["shape_path"] = shape_path

#: A site listed as "also here": (feature id, name), or (feature id, name, the name's
#: language if it is not the page's).
Neighbour = tuple[str, str] | tuple[str, str, str | None]


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

    In another language than English, the title is the feature's name in that language where
    it has one, its English name beneath; catalogue text is marked ``lang="en"``.
    """
    raw = dict(properties) if properties is not None else feature.properties.model_dump()
    sources = [dict(s) for s in raw.get("sources") or [] if isinstance(s, Mapping)]
    links = list(source_links) + [None] * len(sources)
    for source, href in zip(sources, links, strict=False):
        source["href"] = href
    name, name_lang = local_name(feature.properties)
    data_lang = None if current_language() == "en" else "en"
    context = {
        "p": feature.properties,
        "local_name": name if name_lang is None and data_lang else None,
        "data_lang": data_lang,
        "status": _status(raw),
        "first": sources[0] if sources else None,
        "others": sources[1:],
        "also_here": [(n[0], n[1], n[2] if len(n) > 2 else data_lang) for n in also_here],
    }
    return Markup(_env.get_template("fragments/popup.html").render(**context))


@dataclass(frozen=True)
class LegendEntry:
    """One entry of the legend: its label, colour, marker shape (sites), feature count and the
    overlay keys it shows and hides; ``lang`` is the label's language when it is not the
    page's (an English name on a Russian page)."""

    label: str
    colour: str
    count: int
    overlays: tuple[str, ...]
    shape: str | None = None
    lang: str | None = None


def local_name(properties: Any) -> tuple[str, str | None]:
    """A feature's name in the page's language (``name_ru``… where the feature has one, else
    its English ``name``) and the name's language if it is not the page's, for ``lang=``.

    >>> from types import SimpleNamespace
    >>> local_name(SimpleNamespace(name="Bekabad industrial park", name_ru=None))
    ('Bekabad industrial park', None)
    """
    language = current_language()
    if language == "en":
        return properties.name, None
    local = getattr(properties, f"name_{language}", None)
    return (local, None) if local else (properties.name, "en")


def in_language(text: str, lang: str | None) -> Markup:
    """``text`` escaped, in a ``<span lang>`` if ``lang`` (its language, not the page's) is set.

    >>> in_language("Tashkent & Co", "en"), in_language("Ташкент", None)
    (Markup('<span lang="en">Tashkent &amp; Co</span>'), Markup('Ташкент'))
    """
    if lang is None:
        return escape(text)
    return Markup('<span lang="{}">{}</span>').format(lang, text)


def tooltip_html(feature: Feature) -> Markup:
    """The hover tooltip of one feature: its name in the page's language where it has one."""
    return in_language(*local_name(feature.properties))


def layer_name(
    label: str, colour: str, swatch: Literal["line", "dot"], lang: str | None = None
) -> str:
    """A LayerControl label with a colour swatch; Leaflet inserts labels as HTML. ``lang``:
    the label's language where it is not the page's.

    folium's layer control compiles its labels as Jinja source a second time (see
    ``webapp.map.elements``), so braces are written as character references too.

    >>> layer_name("<b>", "#ffffff", "dot")
    '<span class="atlas-swatch-dot" style="--swatch: #ffffff"></span>&lt;b&gt;'
    >>> layer_name("{{7*7}}", "#ffffff", "dot").split("</span>")[1]
    '&#123;&#123;7*7&#125;&#125;'
    """
    template = Markup('<span class="atlas-swatch-{}" style="--swatch: {}"></span>{}')
    text = in_language(label, lang).replace("{", Markup("&#123;")).replace("}", Markup("&#125;"))
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


def alternates_html() -> Markup:
    """The map page's ``<link rel="alternate" hreflang>`` to itself in every language. The
    links are relative to the page (``?lang=ru``): one page serves both / and /embed."""
    links = [
        Markup('<link rel="alternate" hreflang="{}" href="?lang={}">').format(code, code)
        for code in LANGUAGES
    ]
    links.append(Markup('<link rel="alternate" hreflang="x-default" href="/">'))
    return Markup("\n").join(links)


def chrome_html(map_id: str) -> Markup:
    """The header of the map page: the atlas name, the search box and the navigation."""
    template = _env.get_template("fragments/chrome.html")
    return Markup(
        template.render(map_id=map_id, nav=NAV, languages=ENDONYMS, language=current_language())
    )


def json_data_html(element_id: str, data: Any) -> Markup:
    """``data`` as a JSON ``<script>`` block: inert data, escaped so it cannot close the tag.

    >>> print(json_data_html("d", {"name": "</script>{{"}))
    <script type="application/json" id="d">{"name": "\\u003c/script\\u003e\\u007b{"}</script>
    """
    template = _env.get_template("fragments/map-data.html")
    return Markup(template.render(element_id=element_id, json=script_json(data)).strip())
