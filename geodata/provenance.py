"""Where each catalogued quote stands in its article, for source pages that highlight them.

The build writes ``sources.json``: every seed article with how to cite it (headline or the
atlas's label, publisher, date, address, language, where each comes from), its full text and,
per quote, the feature it supports and its character offsets, so the web app can highlight and
link quotes without searching text on each request.

>>> from geodata.provenance import locate
>>> text = "Bashkortostan is planning\\nan industrial park in Bekabad."
>>> start, end = locate(text, "planning an industrial park")
>>> text[start:end]
'planning\\nan industrial park'
"""

from __future__ import annotations

import json
import re
from pathlib import PurePath
from typing import Any

from geodata.catalogue import Catalogue, Entry
from geodata.dates import iso
from geodata.sources import SeedLibrary, stage_seed

#: What a seed without a catalogued citation says of its date.
UNRECORDED = "not recorded in the catalogue"


def locate(text: str, quote: str) -> tuple[int, int]:
    """Offsets of the first occurrence of ``quote`` in ``text``, whitespace-insensitively."""
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    match = re.search(pattern, text)
    if match is None:
        raise ValueError(f"quote not in text: {quote!r}")
    return match.span()


def _title(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def article_records(catalogue: Catalogue, library: SeedLibrary) -> dict[str, dict[str, Any]]:
    """How to cite each seed article, by file name.

    A seed the catalogue's ``seeds`` section does not list is titled by its first line, marked
    as the atlas's title (nobody checked it is a headline), and everything else is unknown.
    """
    records = {}
    for name, text in sorted(library.texts.items()):
        known = catalogue.citation_of(name)
        if known is None:
            records[name] = {
                "headline": None,
                "title": _title(text),
                "title_is_editorial": True,
                "author": None,
                "publisher": None,
                "published": None,
                "published_earliest": None,
                "published_latest": None,
                "published_note": UNRECORDED,
                "url": None,
                "language": None,
                "reference": None,
            }
            continue
        published = iso(known.published)
        records[name] = {
            "headline": known.title if known.headline else None,
            "title": known.title,
            "title_is_editorial": not known.headline,
            "author": known.author,
            "publisher": known.publisher,
            "published": published,
            "published_earliest": iso(known.published_earliest),
            "published_latest": iso(known.published_latest),
            "published_note": known.published_note or "the article states no date",
            "url": known.url,
            "language": known.language,
            "reference": known.reference,
        }
    return records


def as_reported(
    entry: Entry, library: SeedLibrary, records: dict[str, dict[str, Any]]
) -> str | None:
    """The publication date of the article ``entry``'s status comes from, or None if unknown.

    A quoted stage comes from the article holding the quote; an assessed one rests on all the
    entry's articles, so it is as recent as the latest of them whose date is known.
    """
    seed = stage_seed(entry, library)
    if seed is not None:
        return records.get(seed, {}).get("published")
    dates = [records.get(source.seed, {}).get("published") for source in entry.sources]
    return max((known for known in dates if known), default=None)


def source_index(catalogue: Catalogue, library: SeedLibrary) -> dict[str, Any]:
    """Each cited article with how to cite it, its text and located citations, in file-name
    order."""
    citations: dict[str, list[dict[str, Any]]] = {name: [] for name in library.texts}
    mapped = [(entry.id, entry.name, None, entry.sources) for entry in catalogue.entries]
    unmapped = [(None, item.name, item.why, item.sources) for item in catalogue.not_mapped]
    for feature, label, why, sources in mapped + unmapped:
        for source in sources:
            start, end = locate(library.texts[source.seed], source.quote)
            citation = {"feature": feature, "label": label, "why": why, "quote": source.quote}
            citations[source.seed].append({**citation, "start": start, "end": end})
    seeds = []
    records = article_records(catalogue, library)
    for name, text in sorted(library.texts.items()):
        located = sorted(citations[name], key=lambda c: (c["start"], c["end"], c["label"]))
        slug = PurePath(name).stem
        seeds.append(
            {"seed": name, "slug": slug, **records[name], "text": text, "citations": located}
        )
    return {"seeds": seeds}


def dumps_sources(index: dict[str, Any]) -> bytes:
    """sources.json, deterministic and readable in a diff."""
    return (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
