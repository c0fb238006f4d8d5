"""The map scripts' messages: the ``js`` catalogue of a language, as the page's JSON data.

Scripts call ``CA.t("…")`` and ``CA.nt(singular, plural, n)`` (``webapp/static/map-i18n.js``);
``make messages`` finds those calls (``webapp.i18n.extraction``), so the scripts' strings are
translated in the same ``.po`` files as everything else, in their own ``js`` domain. The page
carries the language's translations and how it picks a plural form: the browser's
``Intl.PluralRules`` names a CLDR plural category, and :func:`plural_indexes` maps each category
to the catalogue's form, computed from the catalogue's own ``Plural-Forms`` rule.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.support import NullTranslations, Translations


def plural_indexes(language: str, translations: NullTranslations) -> dict[str, int]:
    """Each CLDR plural category of ``language`` → the index of the catalogue's plural form.

    Gettext rules only see whole numbers; a category only fractions have (Russian's "other":
    "1,5 км") takes the "few" form, which is what Russian uses there.

    >>> plural_indexes("en", NullTranslations())
    {'other': 1, 'one': 0}
    """
    rule = Locale.parse(language).plural_form
    indexes: dict[str, int] = {}
    for number in range(200):
        indexes.setdefault(rule(number), translations.plural(number))
    indexes.setdefault("other", indexes.get("few", max(indexes.values())))
    return indexes


@cache
def script_messages(directory: Path, language: str) -> dict[str, Any]:
    """The ``js`` catalogue of ``language``: ``{"language", "messages", "plurals"}``.

    ``messages`` maps a message id to its translation (a list of forms for plurals); English
    has none, the scripts' own strings are English.
    """
    translations = Translations.load(str(directory), [language], domain="js")
    catalogue: dict[Any, str] = getattr(translations, "_catalog", {})
    messages: dict[str, Any] = {}
    for key, text in catalogue.items():
        if key == "" or not text:
            continue
        if isinstance(key, tuple):
            messages.setdefault(key[0], []).append((key[1], text))
        else:
            messages[key] = text
    for key, forms in messages.items():
        if isinstance(forms, list):
            messages[key] = [text for _, text in sorted(forms)]
    return {
        "language": language,
        "messages": messages,
        "plurals": plural_indexes(language, translations),
    }
