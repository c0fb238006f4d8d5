"""The curator's review: a small local Flask app, separate from the public (read-only) atlas.

``create_review_app(config)`` serves the proposals files of ``PROPOSALS_DIR``: each article with
its proposals' sentences highlighted beside a map, and forms to accept, reject or edit each
proposal. Accepting runs :func:`geodata.accept.accept`, the code behind ``corridor-atlas
accept``. Every request needs the token (see :mod:`webapp.review.guard`).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from geodata import DEFAULT_CATALOGUE, DEFAULT_OUTPUT_DIR, DEFAULT_SEEDS_DIR
from webapp.review import guard, routes


def create_review_app(config: dict[str, Any] | None = None) -> Flask:
    """The review app; ``config`` overrides the defaults (directories, token, rebuild)."""
    app = Flask(__name__)
    app.config.from_mapping(
        PROPOSALS_DIR=Path("proposals"),
        CATALOGUE=DEFAULT_CATALOGUE,
        SEEDS_DIR=DEFAULT_SEEDS_DIR,
        OUT_DIR=DEFAULT_OUTPUT_DIR,
        REBUILD=True,
        PREVIEW_STYLE=None,  # the share cards' look; None: a rebuild draws no preview images
        SERVING_INDEX=None,  # makes the server's index (webapp.serving_index); None: none made
        REVIEW_TOKEN=secrets.token_urlsafe(32),
        SECRET_KEY=secrets.token_bytes(32),
        SESSION_COOKIE_NAME="review_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        MAX_CONTENT_LENGTH=1_000_000,
    )
    app.config.from_mapping(config or {})
    for key in ("PROPOSALS_DIR", "CATALOGUE", "SEEDS_DIR", "OUT_DIR"):
        app.config[key] = Path(app.config[key])
    guard.init_app(app)
    app.register_blueprint(routes.bp)
    return app
