"""The open-data API: ``/api`` (query API and OpenAPI document) and ``/ogc`` (OGC API -
Features).

As in pygeoapi, the API functions (``core``, ``data``, ``features``, ``ogc``, ``openapi``,
``params``, ``schemas``) know nothing of Flask: they take the prepared :class:`ApiData` and an
``ApiRequest`` and return ``(headers, status, body)``; ``adapter`` and the two route modules
are the thin Flask side. ``init_app`` prepares the data and registers both blueprints; it
imports the Flask side when called, so that importing the core never loads Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Prepare what /api and /ogc answer from, and register them on ``app``."""
    from webapp.api.data import ApiData
    from webapp.api.ogc_routes import bp as ogc_bp
    from webapp.api.openapi import openapi_document
    from webapp.api.routes import bp as api_bp
    from webapp.http.representation import gzip_cache
    from webapp.state import state_of

    state = state_of(app)
    document = openapi_document(
        state.index.categories(), state.atlas.store.ids, state.limits.openapi_enum_ids
    )
    state.parts["api"] = ApiData(
        state.atlas, state.index, document, gzip_cache(state.limits.gzip_bytes)
    )
    app.register_blueprint(api_bp)
    app.register_blueprint(ogc_bp)
