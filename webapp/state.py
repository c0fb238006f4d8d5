"""What the application factory builds once, and how a request reaches it.

Loading the data and rendering the map are done at app creation, never per request; the result
lives in ``app.extensions`` so several apps (e.g. tests over different data) can coexist.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from webapp.atlas import Atlas

EXTENSION_KEY = "corridor_atlas"


@dataclass(frozen=True)
class AtlasState:
    """The loaded atlas, the rendered map page, and the Content-Security-Policy that fits it."""

    atlas: Atlas
    page: str
    csp: str


def set_state(app: Flask, state: AtlasState) -> None:
    """Attach ``state`` to ``app``."""
    app.extensions[EXTENSION_KEY] = state


def get_state() -> AtlasState:
    """The state of the app handling the current request."""
    return current_app.extensions[EXTENSION_KEY]
