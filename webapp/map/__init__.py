"""The map: ``/`` and ``/embed``, the offline base layer, Leaflet's files and a large atlas's
feed and popups.

``init_app`` renders the page once (folium, ``webapp.map.page``), registers the hashes of its
inline scripts for the Content-Security-Policy, and registers the blueprint.
"""

from __future__ import annotations

from flask import Flask

from webapp.map.prepared import MapPart
from webapp.map.routes import bp
from webapp.security import inline_script_hashes
from webapp.state import state_of


def init_app(app: Flask) -> None:
    """Prepare the map of ``app``'s atlas and register its routes."""
    state = state_of(app)
    prepared = MapPart.prepare(state.atlas, state.limits.map_inline_features, state.limits.popups)
    state.parts["map"] = prepared
    state.script_hashes.extend(inline_script_hashes(prepared.page))
    app.register_blueprint(bp)
