"""The text pages: /features (the table), /features/<id> and /sources.

``init_app`` registers the blueprint and prepares what the table sorts by: each feature's rank
in every column (``TableOrder``), so sorting 100,000 rows is a few array sorts per request; and
how each article is cited (``webapp.pages.citing``).
"""

from __future__ import annotations

from flask import Flask

from webapp.pages.citing import read_article_info
from webapp.pages.routes import CITATIONS_PART, bp
from webapp.pages.table import TableOrder
from webapp.state import state_of


def init_app(app: Flask) -> None:
    """Register the pages on ``app`` and prepare the table's sort order and the citations."""
    state = state_of(app)
    state.parts["pages"] = TableOrder.of(state.atlas)
    state.parts[CITATIONS_PART] = read_article_info(state.atlas.seeds)
    app.register_blueprint(bp)
