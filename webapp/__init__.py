"""Corridor Atlas web app: a Flask application over the built GeoJSON.

The app only reads what ``geodata`` built (it never geocodes or writes data). Its layers, as
the folders show:

* foundations, free of Flask: ``model`` (the built data as the server holds it, its search and
  filters), ``http`` (representations, media types, the replaying middleware, problem
  details), ``cache`` (the one bounded cache) and ``style`` (colours, formats, navigation);
* the Flask side of the foundations: ``state`` (the one per-app state), ``responses``,
  ``security`` and ``service`` (/healthz, error pages);
* parts, one package each, importing the foundations and never each other: ``map`` (/ and
  /embed), ``pages`` (/features, /sources), ``downloads`` (/data) and ``api`` (/api, /ogc);
* ``factory``, on top: ``create_app`` loads the data and lets each part register itself.

Importing a foundation (``webapp.model.atlas``, say) does not load Flask: this package only
loads the factory when ``create_app`` is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def default_data_dir() -> Path:
    """Where ``geodata`` writes the built files: the installed geodata package directory."""
    import geodata

    return Path(geodata.__file__).parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app (see :func:`webapp.factory.create_app`)."""
    from webapp.factory import create_app as build

    return build(config)
