"""Corridor Atlas web app: a Flask application factory over the built GeoJSON.

The app only reads what ``geodata`` built (it never geocodes or writes data). Creating it loads
and checks the three GeoJSON files and sources.json, renders the map page and builds the
open-data structures (``webapp.opendata``) once; requests then serve those.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from webapp import api, assets, data, ogc, pages, security, views
from webapp.atlas import FILES, load_atlas
from webapp.basemaps import tile_origins
from webapp.maps import PageAssets, render_page
from webapp.state import AtlasState, set_state


def default_data_dir() -> Path:
    """Where ``geodata`` writes the built files: the installed geodata package directory."""
    import geodata

    return Path(geodata.__file__).parent


def page_assets() -> PageAssets:
    """The local URLs the map page loads; they match the routes this app registers."""
    return PageAssets(
        leaflet_js="/assets/leaflet/leaflet.js",
        leaflet_css="/assets/leaflet/leaflet.css",
        atlas_css="/static/atlas.css",
        favicon="/static/favicon.svg",
        downloads={name: f"/data/{name}" for name in FILES},
    )


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides the defaults, e.g. ``{"DATA_DIR": tmp_path}``.

    Raises ``webapp.atlas.AtlasDataError`` naming the file if the data is missing or corrupt.
    """
    app = Flask(__name__)
    app.config.from_mapping(DATA_DIR=None)
    if config is not None:
        app.config.from_mapping(config)
    data_dir = Path(app.config["DATA_DIR"] or default_data_dir())
    app.config["DATA_DIR"] = data_dir

    atlas = load_atlas(data_dir)
    page = render_page(atlas, page_assets())
    csp = security.content_security_policy(security.inline_script_hashes(page), tile_origins())
    set_state(app, AtlasState(atlas=atlas, page=page, csp=csp))

    views.init_app(app)
    for blueprint in (assets.bp, data.bp, pages.bp, api.bp, ogc.bp):
        app.register_blueprint(blueprint)
    security.init_app(app)
    return app
