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

from flask_babel import LazyString, lazy_gettext

from webapp.i18n.catalogues import translations

#: Every term of geodata.vocabulary, as a lazily translated label.
TERMS: dict[str, LazyString] = {
    # kinds
    "corridor": lazy_gettext("corridor"),
    "site": lazy_gettext("site"),
    # corridor categories
    "rail corridor": lazy_gettext("rail corridor"),
    "multimodal corridor": lazy_gettext("multimodal corridor"),
    "transport corridor": lazy_gettext("transport corridor"),
    # site categories
    "industrial park": lazy_gettext("industrial park"),
    "technopark": lazy_gettext("technopark"),
    "logistics centre": lazy_gettext("logistics centre"),
    "industrial cooperation centre": lazy_gettext("industrial cooperation centre"),
    "engineering hub": lazy_gettext("engineering hub"),
    "industrial plant": lazy_gettext("industrial plant"),
    "power plant": lazy_gettext("power plant"),
    "exhibition": lazy_gettext("exhibition"),
    "education": lazy_gettext("education"),
    "monument": lazy_gettext("monument"),
    "summit venue": lazy_gettext("summit venue"),
    # stages
    "proposed": lazy_gettext("proposed"),
    "planned": lazy_gettext("planned"),
    "under construction": lazy_gettext("under construction"),
    "operational": lazy_gettext("operational"),
    "completed": lazy_gettext("completed"),
    # how a corridor's line was drawn
    "stations": lazy_gettext("stations"),
    "endpoints": lazy_gettext("endpoints"),
    "mixed": lazy_gettext("mixed"),
    # leg modes
    "rail": lazy_gettext("rail"),
    "road": lazy_gettext("road"),
    "sea": lazy_gettext("sea"),
}


def term(value: str) -> str:
    """``value`` (a vocabulary term) in the current language; other text unchanged."""
    return translations().ugettext(value) if value in TERMS else value
