"""The languages of the interface, their names, and the links between a page's versions.

>>> LANGUAGES
('en', 'ru')
>>> ENDONYMS["ru"]
'Русский'
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from babel import Locale
from flask import request
from werkzeug.urls import iri_to_uri

from webapp.responses import public_root

#: Interface languages, the default first.
LANGUAGES = ("en", "ru")
DEFAULT = LANGUAGES[0]
#: The cookie the language switcher's links set (through ``?lang=``).
COOKIE = "lang"
#: Each language's name in itself, from CLDR, capitalised as a menu item.
ENDONYMS = {code: Locale.parse(code).get_display_name(code).capitalize() for code in LANGUAGES}


@dataclass(frozen=True)
class LanguageLink:
    """The current page in another (or the same) language: for the switcher and ``hreflang``."""

    code: str
    name: str
    #: Relative to the page (``?lang=ru``), for the switcher.
    href: str
    #: Absolute, for ``<link rel="alternate" hreflang>``.
    absolute: str
    current: bool


def with_language(query: list[tuple[str, str]], code: str) -> str:
    """A link to the same page with its ``query`` and ``lang=code`` in place of any ``lang``
    it had, relative to the page (``?…``).

    >>> with_language([("q", "Бекабад"), ("lang", "en")], "ru")
    '?q=%D0%91%D0%B5%D0%BA%D0%B0%D0%B1%D0%B0%D0%B4&lang=ru'
    """
    kept = [(name, value) for name, value in query if name != "lang"]
    return "?" + urlencode([*kept, ("lang", code)])


def without_language() -> str:
    """The current request's absolute address without ``lang``: the page for readers of any language
    (``hreflang="x-default"``; its language follows the cookie or ``Accept-Language``)."""
    kept = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    page = public_root() + iri_to_uri(request.path)
    return f"{page}?{urlencode(kept)}" if kept else page


def language_links(current: str, keep_query: bool = True) -> list[LanguageLink]:
    """The current request's page in every language, ``current`` marked; ``keep_query=False``
    for pages that should not repeat what the request carried (error pages)."""
    query = list(request.args.items(multi=True)) if keep_query else []
    page = public_root() + iri_to_uri(request.path)
    links = []
    for code, name in ENDONYMS.items():
        href = with_language(query, code)
        links.append(LanguageLink(code, name, href, page + href, code == current))
    return links
