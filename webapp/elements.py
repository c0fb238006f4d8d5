"""Small folium elements that put escaped HTML on the map without string concatenation.

folium's own Popup and Tooltip paste their content into a JavaScript template literal (and the
Popup parses it with jQuery), so a backtick, ``${`` or ``</script>`` in catalogue text would
escape into code. These elements embed content with Jinja's ``tojson`` instead, which also
escapes ``<``, ``>``, ``&`` and ``'``; Leaflet then sets the already HTML-escaped fragment as
the popup, tooltip or legend content. The other elements hand the layers to the app's own
scripts (``static/map*.js``), again only through JSON and folium's variable names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from branca.element import Figure, MacroElement
from folium.map import Layer
from folium.template import Template
from markupsafe import Markup


class BoundHtml(MacroElement):
    """Bind an HTML popup or tooltip (from ``webapp.popups``) to the parent layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.{{ this.method }}(
                {{ this.html | tojson }},
                {{ this.options | tojson }}
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


class Legend(MacroElement):
    """A Leaflet control in a map corner showing an HTML legend (from ``webapp.popups``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position | tojson }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "atlas-legend");
                div.innerHTML = {{ this.html | tojson }};
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
        '<html lang="en">\n'
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


class OfflineBasemap(Layer):
    """A base layer drawn by ``static/map-basemap.js`` from a GeoJSON file of this app.

    It is a folium ``Layer`` so that the layer control lists it among the base layers.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = CorridorAtlas.naturalEarth(
                {{ this.url | tojson }}, {{ this.attribution | tojson }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, name: str, url: str, attribution: str, show: bool = False) -> None:
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "OfflineBasemap"
        self.url = url
        self.attribution = attribution


class StartAtlas(MacroElement):
    """Hand the map, its layers and the page's JSON data to ``CorridorAtlas.start``.

    Layers are passed by their folium variable names under keys from the catalogue (feature
    ids, which are slugs, and overlay keys), each key written with ``tojson``. Add it last:
    every layer it names must already exist.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            CorridorAtlas.start({
                map: {{ this._parent.get_name() }},
                control: {{ this.control.get_name() }},
                dataElement: {{ this.data_element_id | tojson }},
                bases: {
                {%- for key, layer in this.bases %}
                    {{ key | tojson }}: {{ layer.get_name() }},
                {%- endfor %}
                },
                overlays: {
                {%- for key, layer in this.overlays %}
                    {{ key | tojson }}: {{ layer.get_name() }},
                {%- endfor %}
                },
                features: {
                {%- for key, layer in this.features %}
                    {{ key | tojson }}: {{ layer.get_name() }},
                {%- endfor %}
                },
            });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        control: MacroElement,
        data_element_id: str,
        bases: Sequence[tuple[str, MacroElement]],
        overlays: Sequence[tuple[str, MacroElement]],
        features: Sequence[tuple[str, MacroElement]],
    ) -> None:
        super().__init__()
        self._name = "StartAtlas"
        self.control = control
        self.data_element_id = data_element_id
        self.bases = list(bases)
        self.overlays = list(overlays)
        self.features = list(features)
