"""How much of the curated catalogue ``corridor-atlas ingest`` proposes from the five seeds.

Run: ``python -m bench.seed_recall``. Two figures, because the command matches proposals to
the catalogue (``existing:``) and a matched proposal carries the catalogued geometry:

* *with the catalogue*: what a curator sees today (matching included);
* *extraction alone*: the same articles ingested against an empty catalogue, so every position
  comes from the article's own words and the gazetteer: the honest measure of the extractor.

A catalogue feature counts as found when a proposal of its kind (and, for sites, its category)
lies within 25 km of it (sites) or has both ends within 25 km of its trunk's ends (corridors).
Position is the whole test: a proposal that names the feature but is drawn elsewhere is not
found, whatever its flags say. Of those, a proposal whose position the ingest itself declares a
placeholder in ``needs_decision`` (a facility with no town, a route of countries only) is
counted apart as *placeholder*: proposed and honestly flagged, the position left to the curator,
so it is not in the found figure. Any other such proposal is *misplaced*. A proposal is *not
mapped* when it is about an item the catalogue lists as not mappable (reported with whether it
is flagged), and *wrong* when it is about nothing in the catalogue at all. Place proposals (role
``place``) are not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geodata import DEFAULT_CATALOGUE, DEFAULT_SEEDS_DIR
from geodata.catalogue import Catalogue, Entry, load_catalogue
from geodata.ingest.pipeline import Ingester
from geodata.ingest.proposals import SAME_PLACE_KM, Proposal, name_key
from geodata.ingest.text import read_article
from geodata.sources import squash_whitespace

#: How the ingest says a position is a stand-in (see geodata.ingest.facilities and .routes).
_PLACEHOLDER = re.compile(r"placeholder|give its position")


@dataclass
class Recall:
    """The measure of one run over the seeds."""

    features: int
    found: set[str] = field(default_factory=set)
    misplaced: list[str] = field(default_factory=list)
    placeholder: list[str] = field(default_factory=list)
    not_mapped: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    proposals: int = 0

    def line(self, label: str) -> str:
        return (
            f"{label}: {len(self.found)} of {self.features} catalogue features proposed; "
            f"{self.proposals} corridor/site proposals, {len(self.placeholder)} of them named "
            f"with a flagged placeholder position, {len(self.misplaced)} misplaced, "
            f"{len(self.not_mapped)} not_mapped items proposed, {len(self.wrong)} wrong"
        )


def measure(use_catalogue: bool) -> Recall:
    """Ingest every seed (against the catalogue, or an empty one) and score the proposals."""
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    ingester = Ingester(catalogue if use_catalogue else Catalogue(entries=[]))
    scorer = Ingester(catalogue).catalogue  # positions of the catalogued features
    recall = Recall(features=len(catalogue.entries))
    for path in sorted(DEFAULT_SEEDS_DIR.glob("*.txt")):
        article = read_article(path.read_bytes(), path.name)
        _, proposals = ingester.ingest(article)
        for proposal in proposals:
            if proposal.document["role"] != "place":
                recall.proposals += 1
                _score(proposal, catalogue, scorer, recall)
    return recall


def _score(proposal: Proposal, catalogue: Catalogue, scorer, recall: Recall) -> None:
    doc = proposal.document
    hits = [entry for entry in catalogue.entries if _placed(proposal, entry, scorer)]
    recall.found |= {entry.id for entry in hits}
    if hits:
        return
    names = {name_key(n) for n in (doc["entry"]["name"], *doc["entry"]["aliases"])}
    named = [e for e in catalogue.entries if names & {name_key(n) for n in (e.name, *e.aliases)}]
    sentences = [squash_whitespace(s["quote"]) for s in doc["evidence"]["sentences"]]
    if named and any(_PLACEHOLDER.search(why) for why in doc["needs_decision"]):
        recall.placeholder.append(doc["id"])
    elif named:
        recall.misplaced.append(doc["id"])
    elif any(
        squash_whitespace(source.quote) in sentence
        for item in catalogue.not_mapped
        for source in item.sources
        for sentence in sentences
    ):
        flagged = "flagged" if doc["needs_decision"] else "NOT flagged"
        recall.not_mapped.append(f"{doc['id']} ({flagged})")
    else:
        recall.wrong.append(doc["id"])


def _placed(proposal: Proposal, entry: Entry, scorer) -> bool:
    doc = proposal.document
    if doc["role"] != entry.kind or not proposal.lines or not proposal.lines[0]:
        return False
    ours, theirs = proposal.lines[0], scorer.line(entry)
    near = scorer.near
    if entry.kind == "site":
        return doc["entry"]["category"] == entry.category and near(ours[0], theirs[0])
    return (near(ours[0], theirs[0]) and near(ours[-1], theirs[-1])) or (
        near(ours[0], theirs[-1]) and near(ours[-1], theirs[0])
    )


def main() -> None:
    """Print both figures."""
    print(f"features within {SAME_PLACE_KM:g} km, seeds in {DEFAULT_SEEDS_DIR.name}/")
    for label, use in (("with the catalogue", True), ("extraction alone", False)):
        recall = measure(use)
        print(recall.line(label))
        missing = sorted({e.id for e in load_catalogue(DEFAULT_CATALOGUE).entries} - recall.found)
        if missing:
            print(f"  not found: {', '.join(missing)}")
        for kind in ("placeholder", "misplaced", "not_mapped", "wrong"):
            if getattr(recall, kind):
                print(f"  {kind}: {', '.join(getattr(recall, kind))}")


if __name__ == "__main__":
    main()
