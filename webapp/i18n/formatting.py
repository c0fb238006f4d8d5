"""How the atlas writes numbers, lengths, dates, countries and citations in the reader's
language (CLDR through Babel): ``6 339,3 км``, ``22 ноября 2026 г.``, "Казахстан".

Everything follows the language of the current request (``webapp.i18n``), English outside one;
downloads, which are the same for every reader, ask for English explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.units import format_unit
from flask_babel import gettext
from markupsafe import Markup

from webapp.i18n import current_language
from webapp.style import english_country_names


@cache
def _cldr(language: str) -> Locale:
    """Babel's locale object, parsed once: given a code, each Babel call parses it again, which
    costs half the time of formatting a number."""
    return Locale.parse(language)


def _locale() -> str:
    """The language numbers, dates and countries are written in: the request's (English
    outside any)."""
    return current_language()


def format_number(value: float | int | str) -> str:
    """A figure's value as a reader of the page's language writes it (CLDR), without a
    spurious ``.0``; text is returned unchanged.

    >>> format_number(100.0), format_number(2.5), format_number("several")
    ('100', '2.5', 'several')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return format_decimal(value, format="#,##0.###", locale=_cldr(_locale()))


def figure_value(value: float | int | str) -> str:
    """A figure's value with thousands separators, in the page's language.

    >>> figure_value(12000), figure_value(1.5), figure_value("two")
    ('12,000', '1.5', 'two')
    """
    return format_number(value)


def km(value: float) -> str:
    """A distance or length in km to one decimal, e.g. ``6,339.3 km`` (``6 339,3 км`` in
    Russian: CLDR's unit and separators).

    >>> km(6339.34)
    '6,339.3 km'
    """
    return format_unit(
        value, "length-kilometer", length="short", format="#,##0.0", locale=_cldr(_locale())
    )


@cache
def _country_names(language: str) -> dict[str, str]:
    english = english_country_names()
    if language == "en":
        return english
    territories = Locale.parse(language).territories
    return {code: territories.get(code, name) for code, name in english.items()}


def country_names(language: str | None = None) -> dict[str, str]:
    """Country names by ISO 3166-1 alpha-2 code: GeoNames' in English, CLDR's in other
    languages ("Казахстан")."""
    return _country_names(language or _locale())


def country_name(code: str) -> str:
    """The name of an ISO 3166-1 alpha-2 code in the page's language, or the code if unknown.

    >>> country_name("KZ"), country_name("XX")
    ('Kazakhstan', 'XX')
    """
    return country_names().get(code, code)


def schematic_length(value: float) -> str:
    """A corridor's length rounded to what a schematic line supports: to 100 km from 1,000 km,
    else to two significant figures. The data keeps the exact figure; this is only how it reads.

    >>> schematic_length(6339.34), schematic_length(1049.9), schematic_length(999.6)
    ('≈ 6,300 km', '≈ 1,000 km', '≈ 1,000 km')
    >>> schematic_length(634.2), schematic_length(87.4), schematic_length(5.43)
    ('≈ 630 km', '≈ 87 km', '≈ 5.4 km')
    """
    if value >= 1000:
        rounded: float = int(value / 100 + 0.5) * 100
    else:
        rounded = float(f"{value:.2g}")
    pattern = "#,##0" if rounded >= 10 else "0.#"
    length = format_unit(
        rounded, "length-kilometer", length="short", format=pattern, locale=_cldr(_locale())
    )
    return f"≈ {length}"


def long_date(value: str | None, language: str | None = None) -> str | None:
    """An ISO date ("2024-07-14") as a reader of the page's language writes it ("14 July 2024",
    "14 июля 2024 г."); None stays None and anything that is not an ISO date is returned
    unchanged rather than guessed at.

    >>> long_date("2024-07-14"), long_date(None), long_date("July 2024")
    ('14 July 2024', None, 'July 2024')
    """
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    language = language or _locale()
    # English keeps the day-first order the atlas has always used; others take CLDR's long date.
    return format_date(day, "d MMMM y" if language == "en" else "long", locale=_cldr(language))


def _field(source: Mapping[str, Any] | object, name: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def _citation_words(translated: bool) -> dict[str, str]:
    """The atlas's own words in a citation: in the page's language, or English for files."""
    if not translated:
        return {
            "untitled": "untitled article",
            "editorial": "(title by the atlas)",
            "no publisher": "publisher unknown",
            "no date": "date unknown",
        }
    return {
        "untitled": gettext("untitled article"),
        "editorial": gettext("(title by the atlas)"),
        "no publisher": gettext("publisher unknown"),
        "no date": gettext("date unknown"),
    }


def citation(source: Mapping[str, Any] | object, translated: bool = True) -> Markup:
    """Where a quote comes from, as a citation: "Headline, Publisher, 14 July 2024".

    ``source`` has ``title``, ``title_is_editorial``, ``publisher`` and ``published`` (a mapping
    or an object). A title the atlas wrote is marked as such; an unknown publisher or date is
    said to be unknown, never filled in. Text is escaped.

    The headline and publisher are marked with the article's language (``language``, English
    when not given): on a page in another language they are the source's words, not the page's.
    The atlas's own words and the date follow the page's language, or stay English with
    ``translated=False`` (files, which are the same for every reader).

    >>> str(citation({"title": "A & B", "publisher": "Trend", "published": "2024-07-14"}))
    '<cite lang="en">A &amp; B</cite>, <span lang="en">Trend</span>, 14 July 2024'
    >>> print(citation({"title": "Summit", "title_is_editorial": True}).striptags())
    Summit (title by the atlas), publisher unknown, date unknown
    """
    words = _citation_words(translated)
    language = _field(source, "language") or "en"
    title = _field(source, "title")
    if title:
        text = Markup('<cite lang="{}">{}</cite>').format(language, title)
    else:
        text = Markup("<cite>{}</cite>").format(words["untitled"])
    if _field(source, "title_is_editorial"):
        note = words["editorial"]
        text += Markup(' <span class="editorial-note">{}</span>').format(note)
    publisher = _field(source, "publisher")
    if publisher:
        named = Markup('<span lang="{}">{}</span>').format(language, publisher)
    else:
        named = Markup("{}").format(words["no publisher"])
    day = long_date(_field(source, "published"), None if translated else "en")
    published = day or words["no date"]
    return text + Markup(", {}, {}").format(named, published)


def cited_quote(source: Mapping[str, Any]) -> str:
    """A quote with its citation as plain text, for CSV cells and KML descriptions: always in
    English, whatever the request's language (downloads are the same for every reader).

    >>> cited_quote({"quote": "a park", "title": "News", "published": "2024-07-14"})
    '“a park” — News, publisher unknown, 14 July 2024'
    """
    fields = (_field(source, name) for name in _CITED)
    return f"“{source.get('quote', '')}” — {_plain_citation(*fields)}"


#: What a citation is made of (see :func:`citation`).
_CITED = ("title", "title_is_editorial", "publisher", "published", "language")


@lru_cache(maxsize=4096)
def _plain_citation(*fields: Any) -> str:
    """:func:`citation` in English as plain text, made once per article: a download cites the
    same few articles for thousands of features, and making the markup then stripping it took
    a third of the time of a CSV of 100,000 sites (a profile of 2026-12-01)."""
    return citation(dict(zip(_CITED, fields, strict=True)), translated=False).striptags()


#: The filters templates use to write values.
TEMPLATE_FILTERS = {
    "citation": citation,
    "country_name": country_name,
    "figure_value": figure_value,
    "km": km,
    "long_date": long_date,
    "schematic_length": schematic_length,
}
