"""Small folium elements that put escaped HTML on the map without string concatenation.

folium's own Popup and Tooltip paste their content into a JavaScript template literal (and the
Popup parses it with jQuery), so a backtick, ``${`` or ``</script>`` in catalogue text would
escape into code. These elements embed content with Jinja's ``tojson`` instead, which also
escapes ``<``, ``>``, ``&`` and ``'``; Leaflet then sets the already HTML-escaped fragment as
the popup, tooltip or legend content.
"""

from __future__ import annotations

from typing import Literal

from branca.element import MacroElement
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
