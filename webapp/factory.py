"""The application factory: load the data once, then let each part register itself.

Creating the app loads and checks the data, builds the search index, and lets each part
prepare what it serves; requests then only read.

Configuration (``create_app(config)``): ``DATA_DIR`` (default: the committed outputs),
``LIMITS`` (sizes, see :class:`webapp.state.Limits`), ``PROXY_HEADERS`` (how many proxies'
``X-Forwarded-*`` headers to trust; 0, the default, ignores them), ``PUBLIC_URL`` (when set,
every absolute link starts with it and the ``Host`` header is never reflected), and
``SHOW_FULL_TEXT`` (False by default: source pages show each quote within its paragraph only;
set it True only where the deployment has the right to republish the articles' whole text).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import (
    api,
    compression,
    default_data_dir,
    downloads,
    i18n,
    pages,
    security,
    service,
    share,
    static_files,
)
from webapp import map as atlas_map
from webapp.http.replay import ResponseCache
from webapp.i18n.formatting import TEMPLATE_FILTERS
from webapp.map.basemaps import tile_origins
from webapp.model.atlas import load_atlas
from webapp.model.search import index_of
from webapp.responses import public_root
from webapp.state import AtlasState, Limits, set_state
from webapp.style import NAV

#: The user-facing parts, in the order they are registered.
PARTS = (atlas_map, pages, downloads, api)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides the defaults, e.g. ``{"DATA_DIR": tmp_path}``.

    Raises ``webapp.model.atlas.AtlasDataError`` naming the file if the data is missing or
    corrupt, and ``ValueError`` for a configuration value it cannot use.
    """
    app = Flask(__name__)
    # A doubled slash is a 404, not a redirect: Werkzeug would build the redirect's absolute
    # Location from the Host header, which a client chooses.
    app.url_map.merge_slashes = False
    app.config.from_mapping(
        DATA_DIR=None, LIMITS=None, PROXY_HEADERS=0, PUBLIC_URL=None, SHOW_FULL_TEXT=False
    )
    if config is not None:
        app.config.from_mapping(config)
    data_dir = Path(app.config["DATA_DIR"] or default_data_dir())
    app.config["DATA_DIR"] = data_dir
    limits = Limits.from_config(app.config["LIMITS"])

    atlas = load_atlas(data_dir, limits.feature_models)
    set_state(app, AtlasState(atlas=atlas, index=index_of(atlas), limits=limits))
    app.jinja_env.filters.update(TEMPLATE_FILTERS)
    app.jinja_env.globals.update(nav_items=NAV, public_root=public_root)

    compression.init_app(app)  # first: its after_request step then runs last
    static_files.init_app(app)
    i18n.init_app(app)
    service.init_app(app)
    share.init_app(app)  # the share cards: before the parts, whose pages carry them
    for part in PARTS:
        part.init_app(app)
    security.init_app(app, tile_origins())

    app.wsgi_app = ResponseCache(  # type: ignore[method-assign]
        app.wsgi_app, limits.replay_bytes, limits.replay_body_bytes
    )
    proxies = int(app.config["PROXY_HEADERS"])
    if proxies < 0:
        raise ValueError(f"PROXY_HEADERS must be 0 or more, not {proxies}")
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    return app
