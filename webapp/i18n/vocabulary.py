"""The vocabulary's words as the interface shows them, in the reader's language.

The data and the API keep the English terms (``geodata.vocabulary``: "rail corridor",
"under construction"…); pages, the map's legend and filters show :func:`term`, the term in the
language of the request. Every term is listed here once so that ``pybabel extract`` finds it;
a test checks the list covers the vocabulary.

>>> term("rail corridor")
'rail corridor'
>>> term("not a term")
'not a term'
"""

from __future__ import annotations

from webapp.i18n.catalogues import translations
from webapp.style import N_

#: Every term of geodata.vocabulary, marked for ``make messages`` (translated by :func:`term`).
TERMS: frozenset[str] = frozenset(
    {
        # kinds
        N_("corridor"),
        N_("site"),
        # corridor categories
        N_("rail corridor"),
        N_("multimodal corridor"),
        N_("transport corridor"),
        # site categories
        N_("industrial park"),
        N_("technopark"),
        N_("logistics centre"),
        N_("industrial cooperation centre"),
        N_("engineering hub"),
        N_("industrial plant"),
        N_("power plant"),
        N_("exhibition"),
        N_("education"),
        N_("monument"),
        N_("summit venue"),
        # stages
        N_("proposed"),
        N_("planned"),
        N_("under construction"),
        N_("operational"),
        N_("completed"),
        # how a corridor's line was drawn
        N_("stations"),
        N_("endpoints"),
        N_("mixed"),
        # leg modes
        N_("rail"),
        N_("road"),
        N_("sea"),
    }
)


def term(value: str) -> str:
    """``value`` (a vocabulary term) in the current language; other text unchanged."""
    return translations().ugettext(value) if value in TERMS else value
