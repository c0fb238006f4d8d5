"""Nothing untranslated: every interface message has a Russian translation, and a Russian page
shows no English interface text.

The catalogue test extracts the messages afresh from the sources (``webapp.i18n.extraction``,
what ``make messages`` uses), so a string added to a template or script and never translated
fails here even if nobody ran ``make messages``. The page test reads every kind of HTML page in
Russian and looks at what a reader sees (text, and the aria-label / title / placeholder / alt a
screen reader speaks) outside what the page marks as English data (``lang="en"``: names, quotes,
descriptions) and outside code.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from wordfreq import zipf_frequency

from webapp.i18n import LANGUAGES
from webapp.i18n.extraction import DOMAINS, TRANSLATIONS, extract

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
TRANSLATED = [language for language in LANGUAGES if language != "en"]


def catalogue(language: str, domain: str):
    path = TRANSLATIONS / language / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as source:
        return read_po(source, locale=language, domain=domain)


def _forms(message) -> list[str]:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [s or "" for s in strings]


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_every_message_has_a_translation(language, domain):
    translations = catalogue(language, domain)
    problems = []
    for message in extract(domain):
        if not message.id:
            continue
        where = " ".join(f"{f}:{n}" for f, n in message.locations[:2])
        found = translations.get(message.id)
        if found is None:
            problems.append(
                f"not in the {language} catalogue (run `make messages`): {message.id!r} {where}"
            )
            continue
        forms = _forms(found)
        if "fuzzy" in found.flags or not all(forms):
            problems.append(f"untranslated: {message.id!r} {where}")
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for form in forms:
            if set(PLACEHOLDER.findall(form)) - wanted or (wanted and not PLACEHOLDER.search(form)):
                problems.append(f"placeholders differ: {message.id!r} → {form!r}")
    assert problems == []


def test_every_vocabulary_term_is_a_message():
    from geodata import vocabulary
    from webapp.i18n.vocabulary import TERMS

    words = {
        *vocabulary.KINDS, *vocabulary.CORRIDOR_CATEGORIES, *vocabulary.SITE_CATEGORIES,
        *vocabulary.STAGES, *vocabulary.BASES, *vocabulary.LEG_MODES,
    }  # fmt: skip
    assert words <= set(TERMS)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogues_are_up_to_date(language):
    for domain in DOMAINS:
        po = TRANSLATIONS / language / "LC_MESSAGES" / f"{domain}.po"
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
            f"run `make translations`: {mo}"
        )


# --- Russian pages ------------------------------------------------------------------------

#: Elements whose text is not interface prose.
SKIPPED = {"script", "style", "code", "pre", "kbd", "samp", "template", "textarea"}
#: English words a Russian page keeps: the product's name.
KEPT = {"Corridor Atlas"}
#: Attributes a reader sees or hears.
SPOKEN = ("aria-label", "title", "placeholder", "alt", "aria-roledescription")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class ReaderText(HTMLParser):
    """The interface text of a page: visible text and spoken attributes, except inside
    elements marked as another language than the page's or holding code."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[bool] = []  # per open element: is its content skipped?
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = attributes.get("lang")
        skipped = (
            self._skipping()
            or tag in SKIPPED
            or (lang is not None and not lang.startswith(self.language))
        )
        if not skipped:
            self.texts.extend(attributes[name] for name in SPOKEN if attributes.get(name))
        if tag not in VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.texts.append(data)


def reader_texts(html: str, language: str) -> list[str]:
    parser = ReaderText(language)
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.texts]


WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def english_runs(text: str, length: int = 3) -> list[str]:
    """Runs of ``length`` or more common English words in a row (none of them capitalised
    names or acronyms), the sign of an untranslated sentence.

    >>> english_runs("Показать на карте · Show on map")
    ['Show on map']
    >>> english_runs("GeoNames, CC BY 4.0, OpenStreetMap")
    []
    """
    runs, current = [], []
    for piece in re.split(r"([^A-Za-z']+)", text):
        if not piece:
            continue
        if WORD.fullmatch(piece) and not piece.isupper() and zipf_frequency(piece, "en") >= 3.5:
            current.append(piece)
        elif piece.strip(" ") == "" and current:
            continue
        else:
            if len(current) >= length:
                runs.append(" ".join(current))
            current = []
    if len(current) >= length:
        runs.append(" ".join(current))
    return runs


def english_messages() -> set[str]:
    """The interface's English messages of two words or more, with their placeholders cut."""
    found = set()
    for domain in DOMAINS:
        for message in extract(domain):
            for text in message.id if isinstance(message.id, tuple) else (message.id,):
                for part in PLACEHOLDER.split(text or ""):
                    part = re.sub(r"<[^>]+>", " ", part).strip(" .,:;·—–-()")
                    if len(WORD.findall(part)) >= 2:
                        found.add(" ".join(part.split()))
    return found - KEPT


@pytest.fixture(scope="module")
def ru_client(built_data_dir: Path):
    from webapp import create_app

    app = create_app({"TESTING": True, "DATA_DIR": built_data_dir})
    return app.test_client()


def data_strings(built_data_dir: Path) -> list[str]:
    """Every text of the data (names, quotes, descriptions, references…), longest first: the
    catalogue is English, and a Russian page may show it where no ``lang`` can mark it (inside
    a title or an aria-label, beside interface words)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str) and len(value) >= 4:
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for name in ("atlas.geojson", "sources.json"):
        walk(json.loads((built_data_dir / name).read_text(encoding="utf-8")))
    return sorted(found, key=len, reverse=True)


def without_data(text: str, data: list[str]) -> str:
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return text


def russian_pages(built_data_dir: Path) -> list[str]:
    atlas = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    ids = [f["properties"]["id"] for f in atlas["features"]]
    seeds = sorted({s["seed"] for f in atlas["features"] for s in f["properties"]["sources"]})
    return [
        "/", "/embed", "/features", "/features?kind=site&sort=name", "/features?q=Tashkent",
        *(f"/features/{i}" for i in ids), "/sources", *(f"/sources/{s}" for s in seeds),
        "/data", "/api", "/about", "/no-such-page", "/features?page=999",
        "/ogc?f=html", "/ogc/collections?f=html", "/ogc/conformance?f=html",
        "/ogc/collections/atlas?f=html", "/ogc/collections/atlas/items?f=html",
        f"/ogc/collections/atlas/items/{ids[0]}?f=html", "/ogc/collections/sites/queryables?f=html",
    ]  # fmt: skip


def test_russian_pages_show_no_english_interface_text(ru_client, built_data_dir):
    messages = english_messages()
    data = data_strings(built_data_dir)
    problems = {}
    for path in russian_pages(built_data_dir):
        separator = "&" if "?" in path else "?"
        response = ru_client.get(f"{path}{separator}lang=ru")
        assert response.mimetype == "text/html", path
        assert '<html lang="ru">' in response.text, path
        texts = [without_data(text, data) for text in reader_texts(response.text, "ru")]
        page = "\n".join(texts)
        found = sorted(
            m for m in messages if re.search(rf"(?<![\w-]){re.escape(m)}(?![\w-])", page)
        )
        found += [run for text in texts for run in english_runs(text)]
        if found:
            problems[path] = sorted(set(found))
    assert problems == {}
