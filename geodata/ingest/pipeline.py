"""One article in, its proposals document out: the steps of ``corridor-atlas ingest``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from geodata.catalogue import Catalogue
from geodata.geocoding import GazetteerLocator
from geodata.ingest.facilities import find_sites
from geodata.ingest.placenames import place_records
from geodata.ingest.places import COUNTRIES, Located, Resolver, country_named
from geodata.ingest.proposals import Assembler, CatalogueIndex, Proposal, located_record
from geodata.ingest.routes import find_routes
from geodata.ingest.text import Article


class Ingester:
    """Holds what every article shares (the gazetteer, the catalogue) so it is loaded once."""

    def __init__(self, catalogue: Catalogue | None) -> None:
        self.resolver = Resolver()
        self.catalogue = CatalogueIndex(catalogue, GazetteerLocator(self.resolver.geocoder))

    def ingest(self, article: Article) -> tuple[dict[str, Any], list[Proposal]]:
        """The proposals document of ``article`` and its proposals (with their geometry)."""
        text = article.text
        self.resolver.read(text)
        sentences = article.sentences()
        assembler = Assembler(article, self.catalogue)
        for route in find_routes(text, sentences, self.resolver):
            assembler.add_route(route)
        fallback = _main_country(text)
        sites = find_sites(text, sentences, self.resolver)
        for site in sites:
            if site.refers_back:
                assembler.add_reference(site)
            else:
                assembler.add_site(site, fallback)
        for record, span in self._places(article, sentences, assembler):
            assembler.add_place(record, span)
        document = {
            "article": article.name,
            "sha256": article.sha256,
            "title": {"text": article.title.value, "from": article.title.source},
            "published": {"date": article.published.value, "from": article.published.source},
            "proposals": [p.document for p in assembler.proposals.values()],
        }
        return document, list(assembler.proposals.values())

    def _places(self, article: Article, sentences, assembler: Assembler):
        """Every place the article names, from the geoparser, else from what was located."""
        parsed = list(place_records(article.text, sentences))
        if parsed:
            yield from parsed
            return
        seen: set[int | None] = set()
        for proposal in list(assembler.proposals.values()):
            for record in proposal.document["evidence"]["located"]:
                if record["start"] is None or record["resolved_by"] in seen:
                    continue
                seen.add(record["resolved_by"])
                place = {
                    k: record[k]
                    for k in (
                        "mention",
                        "start",
                        "end",
                        "lat",
                        "lon",
                        "resolved_by",
                        "confidence",
                        "alternatives",
                        "why",
                    )
                }
                place["unresolved"] = None
                yield place, _sentence_of(sentences, record["start"])


def _sentence_of(sentences: list[tuple[int, int]], offset: int) -> tuple[int, int] | None:
    return next(((s, e) for s, e in sentences if s <= offset < e), None)


def _main_country(text: str) -> str | None:
    """The country the article names most often (a stand-in for an unplaced facility's)."""
    counts = Counter(name for name in COUNTRIES for _ in range(text.count(name)))
    return counts.most_common(1)[0][0] if counts else None


__all__ = ["Ingester", "Located", "Path", "country_named", "located_record"]
