"""Small folium elements that put escaped HTML on the map without string concatenation.

folium's own Popup and Tooltip paste their content into a JavaScript template literal (and the
Popup parses it with jQuery), so a backtick, ``${`` or ``</script>`` in catalogue text would
escape into code. These elements embed content as JSON (:func:`script_json`) instead, which also
escapes ``<``, ``>``, ``&`` and ``'``; Leaflet then sets the already HTML-escaped fragment as
the popup, tooltip or legend content. The other elements hand the layers to the app's own
scripts (``static/map*.js``), again only through JSON and folium's variable names.

branca renders each element's script, then compiles that output as a Jinja template a second
time (``MacroElement.render`` wraps it in ``Element(output)``). Catalogue text that reached
the output as ``{{ … }}`` or ``{% … %}`` would then run as Jinja on the server (``{{7*7}}``
became ``49``; ``{{ lipsum.__globals__.os… }}`` reached the ``os`` module), and an unbalanced
``{{`` stopped the app from starting. So JSON goes through :func:`script_json`, which also
breaks every Jinja opening delimiter, and HTML blocks are added as :class:`Verbatim`, which
branca does not compile.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

#: A ``{`` that opens a Jinja expression, statement or comment (``{{``, ``{%``, ``{#``).
_JINJA_OPENING = re.compile(r"\{(?=[{%#])")


def script_json(value: Any) -> Markup:
    """``value`` as JSON for a script: HTML-safe like ``tojson``, and inert as Jinja source.

    JSON's own braces are never followed by ``{``, ``%`` or ``#``, so only braces inside
    strings are escaped (``\\u007b``), which JavaScript and JSON.parse read back as ``{``.

    >>> print(script_json({"name": "{{7*7}} </script>"}))
    {"name": "\\u007b{7*7}} \\u003c/script\\u003e"}
    """
    json = htmlsafe_json_dumps(value, sort_keys=True)
    return Markup(_JINJA_OPENING.sub(r"\\u007b", str(json)))


class _ScriptJson:
    """Gives a template ``this.js(value)``: :func:`script_json`."""

    js = staticmethod(script_json)


class Verbatim(Element):
    """An HTML block added to the page as it is (``folium.Element`` compiles it as Jinja)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "Verbatim"
        self.html = str(html)

    def render(self, **kwargs: object) -> str:
        return self.html


class BoundHtml(_ScriptJson, MacroElement):
    """Bind an HTML popup or tooltip (from ``webapp.map.fragments``) to the parent layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.{{ this.method }}(
                {{ this.js(this.html) }},
                {{ this.js(this.options) }}
            );
        {% endmacro %}
        """
    )

    def __init__(
        self, method: Literal["bindPopup", "bindTooltip"], html: Markup, **options: object
    ) -> None:
        super().__init__()
        self._name = "BoundHtml"
        if method not in ("bindPopup", "bindTooltip"):
            raise ValueError(f"unsupported Leaflet binding {method!r}")
        self.method = method
        self.html = str(html)
        self.options = options


class Legend(_ScriptJson, MacroElement):
    """A Leaflet control in a map corner showing an HTML legend (from ``webapp.map.fragments``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.js(this.position) }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "atlas-legend");
                div.innerHTML = {{ this.js(this.html) }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: Markup, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = str(html)
        self.position = position


class HtmlPage(Figure):
    """folium's page, declaring its language (screen readers pick their voice from it)."""

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="{{ this.language }}">\n'
        "<head>\n"
        "{% if this.title %}<title>{{ this.title }}</title>{% endif %}"
        "    {{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        "<body>\n"
        "    {{ this.html.render(**kwargs) }}\n"
        "</body>\n"
        "<script>\n"
        "    {{ this.script.render(**kwargs) }}\n"
        "</script>\n"
        "</html>\n",
    )

    def __init__(self, language: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.language = language


class OfflineBasemap(_ScriptJson, Layer):
    """A base layer drawn by ``static/map-basemap.js`` from a GeoJSON file of this app.

    It is a folium ``Layer`` so that the layer control lists it among the base layers. The page
    makes it an empty Leaflet group naming its file (the map's scripts are deferred, and run
    after this script); ``CorridorAtlas.start`` hands it to ``CorridorAtlas.naturalEarth``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.layerGroup(
                [], {attribution: {{ this.js(this.attribution) }}}
            );
            {{ this.get_name() }}.atlasNaturalEarth = {{ this.js(this.url) }};
        {% endmacro %}
        """
    )

    def __init__(self, name: str, url: str, attribution: str, show: bool = False) -> None:
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "OfflineBasemap"
        self.url = url
        self.attribution = attribution


class AfterFeatures(MacroElement):
    """Opens ``CorridorAtlas.later``: what the page's script does once the features are drawn
    (the legend, the layer control, the base layer's tiles and the app's start), which
    :class:`StartAtlas` closes. Add it after the features and before the legend.

    The browser may paint the features first: ``later`` runs after the next frame, or when the
    map's deferred scripts run (``map.js``), whichever comes first, and only once.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            window.CorridorAtlas = window.CorridorAtlas || {};
            CorridorAtlas.later = function () {
                CorridorAtlas.later = function () {};
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "AfterFeatures"


class StartAtlas(_ScriptJson, MacroElement):
    """Hand the map, its layers and the page's JSON data to ``CorridorAtlas.start``, showing
    the base layer ``shown`` first; closes :class:`AfterFeatures`'s function and schedules it.

    Layers are passed by their folium variable names under keys from the catalogue (feature
    ids, which are slugs, and overlay keys), each key written with :func:`script_json`. Add it last:
    every layer it names must already exist. The map's scripts are deferred: when they have not
    run yet, the layers wait in ``CorridorAtlas.pending`` and ``map.js`` starts them. With
    ``scripts`` (their URL) the page loads them itself, after its first frame: their download
    and parse then never compete with drawing the features.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
                var config = {
                    map: {{ this._parent.get_name() }},
                    control: {{ this.control.get_name() }},
                    dataElement: {{ this.js(this.data_element_id) }},
                    bases: {
                    {%- for key, layer in this.bases %}
                        {{ this.js(key) }}: {{ layer.get_name() }},
                    {%- endfor %}
                    },
                    overlays: {
                    {%- for key, layer in this.overlays %}
                        {{ this.js(key) }}: {{ layer.get_name() }},
                    {%- endfor %}
                    },
                    features: {
                    {%- for key, layer in this.features %}
                        {{ this.js(key) }}: {{ layer.get_name() }},
                    {%- endfor %}
                    },
                };
                config.bases[{{ this.js(this.shown) }}].addTo(config.map);
                if (CorridorAtlas.start) {
                    CorridorAtlas.start(config);
                } else {
                    CorridorAtlas.pending = config;
                }
            };
            requestAnimationFrame(function () {
                setTimeout(function () {
                    CorridorAtlas.later();
                {%- if this.scripts %}
                    var scripts = document.createElement("script");
                    scripts.src = {{ this.js(this.scripts) }};
                    document.head.appendChild(scripts);
                {%- endif %}
                }, 0);
            });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        control: MacroElement,
        data_element_id: str,
        bases: Sequence[tuple[str, MacroElement]],
        shown: str,
        overlays: Sequence[tuple[str, MacroElement]],
        features: Sequence[tuple[str, MacroElement]],
        scripts: str | None = None,
    ) -> None:
        super().__init__()
        self._name = "StartAtlas"
        self.scripts = scripts
        self.shown = shown
        self.control = control
        self.data_element_id = data_element_id
        self.bases = list(bases)
        self.overlays = list(overlays)
        self.features = list(features)
