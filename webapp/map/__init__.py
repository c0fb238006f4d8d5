"""The map: ``/`` and ``/embed``, the offline base layer, Leaflet's files and a large atlas's
feed and popups.

``init_app`` renders the page once per language (folium, ``webapp.map.page``), or reads it as
rendered for the same build by an earlier start (``webapp.map.pagecache``), registers the
hashes of their inline scripts for the Content-Security-Policy, and registers the blueprint.
The page machinery (folium, the templates) is imported there, not with the package: the build
imports :mod:`webapp.map.pagedata` for the large map's feed, and folium's templates alone are
half a second of its start.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from flask import Flask

from webapp.i18n import LANGUAGES
from webapp.security import inline_script_hashes
from webapp.state import state_of


def init_app(app: Flask) -> None:
    """Prepare the map of ``app``'s atlas and register its routes."""
    from webapp.map.pagecache import PageCache
    from webapp.map.prepared import MapPart
    from webapp.map.routes import bp

    state = state_of(app)

    def speaking(language: str) -> AbstractContextManager[object]:
        return app.test_request_context(f"/?lang={language}")

    prepared = MapPart.prepare(
        state.atlas,
        state.limits.map_inline_features,
        state.limits.popups,
        LANGUAGES,
        speaking,
        PageCache(),
    )
    state.parts["map"] = prepared
    for page in prepared.pages.values():
        for script_hash in inline_script_hashes(page):
            if script_hash not in state.script_hashes:  # scripts without words are shared
                state.script_hashes.append(script_hash)
    app.register_blueprint(bp)
