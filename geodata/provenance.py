"""Where each catalogued quote stands in its article, for source pages that highlight them.

The build writes ``sources.json``: every seed article with its full text and, per quote, the
feature it supports and its character offsets, so the web app can highlight and link quotes
without searching text on each request.

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

from geodata.catalogue import Catalogue
from geodata.sources import SeedLibrary


def locate(text: str, quote: str) -> tuple[int, int]:
    """Offsets of the first occurrence of ``quote`` in ``text``, whitespace-insensitively."""
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    match = re.search(pattern, text)
    if match is None:
        raise ValueError(f"quote not in text: {quote!r}")
    return match.span()


def _title(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def source_index(catalogue: Catalogue, library: SeedLibrary) -> dict[str, Any]:
    """Each cited article with its text and located citations, in file-name order."""
    citations: dict[str, list[dict[str, Any]]] = {name: [] for name in library.texts}
    mapped = [(entry.id, entry.name, None, entry.sources) for entry in catalogue.entries]
    unmapped = [(None, item.name, item.why, item.sources) for item in catalogue.not_mapped]
    for feature, label, why, sources in mapped + unmapped:
        for source in sources:
            start, end = locate(library.texts[source.seed], source.quote)
            citation = {"feature": feature, "label": label, "why": why, "quote": source.quote}
            citations[source.seed].append({**citation, "start": start, "end": end})
    seeds = []
    for name, text in sorted(library.texts.items()):
        located = sorted(citations[name], key=lambda c: (c["start"], c["end"], c["label"]))
        slug = PurePath(name).stem
        title = catalogue.title_of(name) or _title(text)
        seeds.append(
            {"seed": name, "slug": slug, "title": title, "text": text, "citations": located}
        )
    return {"seeds": seeds}


def dumps_sources(index: dict[str, Any]) -> bytes:
    """sources.json, deterministic and readable in a diff."""
    return (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
