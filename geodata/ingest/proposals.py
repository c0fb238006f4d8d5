"""Findings into proposals: catalogue entries with their evidence, matched to the catalogue.

A proposal's ``entry`` is exactly a :class:`geodata.catalogue.Entry` (validated here), so a
curator who accepts it adds a valid entry. A corridor or site the catalogue already holds
(same name or alias, same endpoints, or same category within :data:`SAME_PLACE_KM`) is
proposed as that entry with the article added as a source, marked ``existing: <id>``. Two
sites of one category at one resolved place in one article are one proposal, unless both carry
different names of their own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from geodata.catalogue import Catalogue, Entry
from geodata.geocoding import GazetteerLocator, resolve
from geodata.geometry import geodesic_km
from geodata.ingest.facilities import SiteFinding
from geodata.ingest.facts import dates_in, figures_in, stage_of
from geodata.ingest.places import COUNTRIES, Located, country_code
from geodata.ingest.routes import RouteFinding
from geodata.ingest.text import Article
from geodata.names import exact_key
from geodata.sources import squash_whitespace

#: A proposal this close to a catalogued point (or corridor end) of its kind is that feature.
SAME_PLACE_KM = 25.0
#: Why a proposal whose sentence states no stage is "proposed": the curator confirms or edits it.
DEFAULT_STAGE_NOTE = "the article states no stage; 'proposed' is the ingest's default"


@dataclass
class Proposal:
    """One proposal: its YAML document and the (lon, lat) lines or point to draw it with."""

    document: dict[str, Any]
    lines: list[list[tuple[float, float]]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.document["id"]


def slug(text: str) -> str:
    """A catalogue id from a name.

    >>> slug("Xi'an–Khorgos–Almaty"), slug("“Innoprom. Central Asia” exhibition")
    ('xian-khorgos-almaty', 'innoprom-central-asia-exhibition')
    """
    ascii_text = (
        unicodedata.normalize("NFKD", re.sub(r"[–—]", "-", text)).encode("ascii", "ignore").decode()
    )
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:70].strip("-") or "unnamed"


class CatalogueIndex:
    """The catalogue's names and positions, for matching proposals to existing entries."""

    def __init__(self, catalogue: Catalogue | None, locator: GazetteerLocator) -> None:
        self.entries = catalogue.entries if catalogue else []
        self.locator = locator
        self._lines: dict[str, list[tuple[float, float]]] = {}

    def line(self, entry: Entry) -> list[tuple[float, float]]:
        """The (lon, lat) of the entry's location or of its trunk route's waypoints."""
        if entry.id not in self._lines:
            places = entry.places()[0]
            self._lines[entry.id] = [
                (point.lon, point.lat) for point in (resolve(p, self.locator) for p in places)
            ]
        return self._lines[entry.id]

    @staticmethod
    def near(a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Whether two (lon, lat) points are one place on the atlas's scale."""
        return _near(a, b)

    def match(self, kind: str, category: str, names: list[str], line) -> Entry | None:
        """The catalogued entry this proposal is, by name, endpoints or place, else None."""
        keys = {name_key(name) for name in names}
        for entry in self.entries:
            if entry.kind == kind and keys & {name_key(n) for n in (entry.name, *entry.aliases)}:
                return entry
        for entry in self.entries:
            if entry.kind != kind or not line:
                continue
            theirs = self.line(entry)
            if kind == "site" and entry.category == category and _near(theirs[0], line[0]):
                return entry
            if kind == "corridor" and _same_ends(theirs, line):
                return entry
        return None


def name_key(name: str) -> str:
    """A name for matching: spelling-insensitive, without a trailing "corridor"/"route".

    >>> name_key("the Uchkuduq–Kyzylorda corridor") == name_key("Uchkuduq-Kyzylorda")
    True
    """
    name = re.sub(r"^(?:the|a|an)\s+", "", name.strip(), flags=re.I)
    name = re.sub(
        r"(?:\s+(?:transport|international|railway|rail|corridor|route))+$", "", name, flags=re.I
    )
    return exact_key(name)


def _near(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return geodesic_km(a, b) <= SAME_PLACE_KM


def _same_ends(theirs, ours) -> bool:
    ends = (ours[0], ours[-1])
    return (_near(theirs[0], ends[0]) and _near(theirs[-1], ends[1])) or (
        _near(theirs[0], ends[1]) and _near(theirs[-1], ends[0])
    )


def _sentence(article: Article, span: tuple[int, int]) -> dict[str, Any]:
    start, end = span
    return {"quote": article.text[start:end], "start": start, "end": end}


def located_record(point: Located) -> dict[str, Any]:
    """A resolved place as the proposals file records it (no position for a placeholder)."""
    placeholder = point.kind == "unresolved"
    return {
        "place": point.name,
        "mention": point.mention if point.start >= 0 else None,
        "start": point.start if point.start >= 0 else None,
        "end": point.end if point.start >= 0 else None,
        "lat": None if placeholder else point.lat,
        "lon": None if placeholder else point.lon,
        "resolved_by": point.resolved_by,
        "confidence": point.confidence,
        "alternatives": point.alternatives,
        "why": point.why,
    }


def _place_spec(point: Located) -> dict[str, Any]:
    if point.kind == "unresolved":
        return {
            "name": f"{point.mention} (position to be given)",
            "lat": point.lat,
            "lon": point.lon,
            "reference": (
                f"PLACEHOLDER, not a position: {point.mention} is not in the gazetteer; the "
                "point lies between its neighbours on the route until a curator gives one"
            ),
        }
    name = point.mention if point.start >= 0 and point.kind == "settlement" else point.name
    return {"place": name, "country": point.country, "geonames_id": point.geonames_id}


def _ambiguity(point: Located) -> list[str]:
    rivals = [
        a
        for a in point.alternatives
        if (a.get("score") or 0) >= 0.1
        and a.get("lat") is not None
        and not _near((a["lon"], a["lat"]), (point.lon, point.lat))
    ]
    if not rivals:
        return []
    listed = ", ".join(f"{a['name']} ({a['country']}, geonames:{a['geonames_id']})" for a in rivals)
    return [f"{point.mention!r} could also be {listed}"]


def _a(noun: str) -> str:
    """``noun`` with its indefinite article ("an industrial park")."""
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


class Assembler:
    """Turns one article's findings into proposals."""

    def __init__(self, article: Article, catalogue: CatalogueIndex) -> None:
        self.article = article
        self.catalogue = catalogue
        self.proposals: dict[str, Proposal] = {}

    def add_route(self, route: RouteFinding) -> None:
        points = route.waypoints
        clause = self.article.text[route.sentence[0] : route.sentence[1]]
        line = [(p.lon, p.lat) for p in points]
        mention = self.article.text[route.mention[0] : route.mention[1]]
        figures = []
        if route.length:
            figures.append(
                {
                    "label": "length",
                    "value": float(re.sub(r"[^\d.]", "", route.length[0])),
                    "unit": "km",
                    "quote": route.length[0],
                }
            )
        entry = {
            "id": slug(route.name),
            "name": route.name,
            "aliases": [mention] if mention != route.name else [],
            "kind": "corridor",
            "category": route.category,
            "countries": _dedupe([p.country for p in points if p.country]),
            "status": self._status(clause),
            "figures": figures,
            "description": (
                f"Proposed from {self.article.name}, which names the route"
                + (f" through {', '.join(p.name for p in points)}." if not route.named else ".")
                + " The line joins those points in order; the real alignment is not given."
            ),
            "route": [_place_spec(p) for p in points],
        }
        located = [located_record(p) for p in points]
        decisions = list(route.needs_decision) + [d for p in points for d in _ambiguity(p)]
        backwards = "–".join(p.mention for p in reversed(points))
        self._add("corridor", entry, route.sentence, located, decisions, [mention, backwards], line)

    def add_site(self, site: SiteFinding, fallback_country: str | None) -> None:
        clause = self.article.text[site.clause[0] : site.clause[1]]
        after_head = self.article.text[site.mention[0] : site.clause[1]]
        mention = self.article.text[site.mention[0] : site.mention[1]]
        decisions = list(site.needs_decision)
        drawn = None
        if site.place is not None:
            point = site.place
            location = _place_spec(point)
            countries = [point.country]
            located = [located_record(point)]
            decisions += _ambiguity(point)
            if site.border is not None:
                drawn = (site.border.lon, site.border.lat)
                location = {
                    "name": f"{site.name} (border point nearest {point.mention})",
                    "lat": site.border.lat,
                    "lon": site.border.lon,
                    "reference": (
                        f"Inferred, not given by the article: the article puts the facility at "
                        f"the border; the nearest vertex of the Natural Earth 1:50m country "
                        f"borders to {point.name} (geonames:{point.geonames_id}), "
                        f"{site.border.km:g} km from it"
                    ),
                }
        else:
            country = site.country or fallback_country or "Uzbekistan"
            capital, geonames_id = COUNTRIES[country][2]
            stand_in = self.catalogue.locator.geocoder.index
            place = stand_in.place(stand_in.position_of(geonames_id))
            point = Located(
                capital,
                -1,
                -1,
                capital,
                country_code(country),
                place.lat,
                place.lon,
                geonames_id,
                None,
                0.0,
                f"a stand-in: {capital}, capital of {country}",
            )
            location = {
                "name": f"{site.name} (position to be given)",
                "lat": place.lat,
                "lon": place.lon,
                "reference": (
                    f"PLACEHOLDER, not a position: the article names no town for this facility; "
                    f"the point is {capital}, capital of {country}, until a curator gives one"
                ),
            }
            countries = [country_code(country)]
            located = []
        entry = {
            "id": slug(site.name),
            "name": site.name,
            "aliases": [],
            "kind": "site",
            "category": site.category,
            "countries": countries,
            "status": self._status(clause),
            "figures": [
                {"label": f.label, "value": f.value, "unit": f.unit, "quote": f.quote}
                for f in figures_in(after_head)
            ],
            "description": (
                f"Proposed from {self.article.name}: {_a(site.category)} the article places at "
                f"{point.name}. The point marks the place named, not the facility's own site."
            ),
            "location": location,
        }
        self._add(
            "site",
            entry,
            site.sentence,
            located,
            decisions,
            [mention, site.name],
            [drawn or (point.lon, point.lat)],
        )

    def add_reference(self, site: SiteFinding) -> None:
        """A later sentence about "the centre" an earlier one named: more evidence and dates
        for the latest site of that category, if there is one."""
        earlier = [
            p
            for p in self.proposals.values()
            if p.document["role"] == "site" and p.document["entry"]["category"] == site.category
        ]
        if not earlier:
            return
        proposal = earlier[-1]
        sentence = _sentence(self.article, site.sentence)
        source = {"seed": self.article.name, "quote": sentence["quote"]}
        self._merge(proposal, sentence, [], source)
        if proposal.document["existing"] is None:
            clause = self.article.text[site.clause[0] : site.clause[1]]
            dates = proposal.document["entry"]["status"]["dates"]
            dates += [milestone for milestone in _milestones(clause) if milestone not in dates]

    def _status(self, clause: str) -> dict[str, Any]:
        stage = stage_of(clause)
        dates = _milestones(clause)
        if stage is None:
            return {"stage": "proposed", "dates": dates, "stage_assessment": DEFAULT_STAGE_NOTE}
        return {"stage": stage, "dates": dates, "stage_quote": clause.strip()}

    def _add(self, role, entry, span, located, decisions, names, line) -> None:
        sentence = _sentence(self.article, span)
        source = {"seed": self.article.name, "quote": sentence["quote"]}
        entry["sources"] = [source]
        if not stage_of(sentence["quote"]):
            decisions.append(DEFAULT_STAGE_NOTE)
        existing = self.catalogue.match(role, entry["category"], [entry["name"], *names], line)
        if existing is not None:
            entry = _with_source(existing, source)
            line = self.catalogue.line(existing)
            decisions = [
                d
                for d in decisions
                if "stage" not in d
                and "alignment" not in d
                and "placeholder" not in d.lower()
                and "position" not in d
            ]
        Entry.model_validate(entry)
        proposal_id = f"p-{entry['id']}-{role}"
        same = self._same_site(role, entry, located) if proposal_id not in self.proposals else None
        if same is not None:
            self._merge(same, sentence, located, source)
            if same.document["existing"] is None and existing is None:
                _fold_into(same.document["entry"], entry)
            return
        if proposal_id in self.proposals:
            self._merge(self.proposals[proposal_id], sentence, located, source)
            return
        self.proposals[proposal_id] = Proposal(
            {
                "id": proposal_id,
                "role": role,
                "status": "pending",
                "needs_decision": _dedupe(decisions),
                "existing": existing.id if existing else None,
                "entry": entry,
                "evidence": {"sentences": [sentence], "located": located},
            },
            [line],
        )

    def _same_site(self, role: str, entry: dict, located: list) -> Proposal | None:
        """An earlier site of this article with the same category at the same resolved place
        ("a logistics centre in Termez", later "the Termez logistics centre"), unless both
        carry names of their own that differ."""
        if role != "site" or not located or located[0]["resolved_by"] is None:
            return None
        for proposal in self.proposals.values():
            doc = proposal.document
            if (
                doc["role"] == "site"
                and doc["entry"]["category"] == entry["category"]
                and doc["evidence"]["located"]
                and doc["evidence"]["located"][0]["resolved_by"] == located[0]["resolved_by"]
                and _compatible(doc["entry"]["name"], entry["name"], located[0]["mention"])
            ):
                return proposal
        return None

    def _merge(self, proposal: Proposal, sentence, located, source) -> None:
        evidence = proposal.document["evidence"]
        if sentence not in evidence["sentences"]:
            evidence["sentences"].append(sentence)
            evidence["located"] += located
            sources = proposal.document["entry"]["sources"]
            if source not in sources:
                sources.append(source)

    def add_place(self, record: dict[str, Any], span: tuple[int, int] | None) -> None:
        proposal_id = f"p-{slug(record['mention'])}-place"
        if proposal_id in self.proposals:
            return
        decisions = []
        if record.get("unresolved"):
            decisions.append(f"unresolved: {record['unresolved']}")
        elif record["confidence"] < 0.6:
            decisions.append(f"low confidence ({record['confidence']}): {record['why']}")
        sentences = [_sentence(self.article, span)] if span else []
        self.proposals[proposal_id] = Proposal(
            {
                "id": proposal_id,
                "role": "place",
                "status": "pending",
                "needs_decision": decisions,
                "existing": None,
                "evidence": {"sentences": sentences, "located": []},
                "place": record,
            },
            [[(record["lon"], record["lat"])]] if record.get("lat") is not None else [],
        )


def _fold_into(kept: dict[str, Any], other: dict[str, Any]) -> None:
    """Another name, dates and figures of one facility, added to the entry proposed first."""
    if other["name"] != kept["name"] and other["name"] not in kept["aliases"]:
        kept["aliases"].append(other["name"])
    for key, items in (("dates", kept["status"]["dates"]), ("figures", kept["figures"])):
        new = other["status"]["dates"] if key == "dates" else other["figures"]
        items += [item for item in new if item not in items]


_GENERIC_WORDS = frozenset(
    {"a", "an", "the", "in", "at", "near", "of", "for", "to", "new", "first", "second", "major",
     "large", "joint", "main", "international"}
)  # fmt: skip


def _own_words(name: str, place: str) -> set[str]:
    """The words of a facility's name beyond its place, its head noun and generic words."""
    words = set(re.findall(r"[\w’'-]+", name.lower()))
    words -= set(re.findall(r"[\w’'-]+", place.lower())) | _GENERIC_WORDS
    return {w for w in words if not _HEAD_WORD.fullmatch(w)}


_HEAD_WORD = re.compile(
    r"logistics|cent(?:er|re)s?|hubs?|parks?|zones?|industrial|technoparks?|plants?|"
    r"terminals?|complex|ports?|dry|stations?|power|factor(?:y|ies)"
)


def _compatible(first: str, second: str, place: str) -> bool:
    """Whether two facility names at one place can be one facility: at most one of them has
    words of its own, or both have the same ones.

    >>> _compatible("Logistics centre in Termez", "Termez logistics centre", "Termez")
    True
    >>> _compatible("Angren Steel plant", "Angren Copper plant", "Angren")
    False
    """
    mine, theirs = _own_words(first, place), _own_words(second, place)
    return not mine or not theirs or mine == theirs


def _with_source(existing: Entry, source: dict[str, str]) -> dict[str, Any]:
    """The catalogued entry, with the article as one more source unless it already cites it."""
    entry = existing.model_dump(mode="json", exclude_none=True, warnings=False)
    quote = squash_whitespace(source["quote"])
    cited = any(
        s["seed"] == source["seed"] and squash_whitespace(s["quote"]) in quote
        for s in entry["sources"]
    )
    if not cited:
        entry["sources"].append(source)
    return entry


def _milestones(clause: str) -> list[dict[str, str]]:
    """The clause's dates as catalogue milestones, each with the stage its event brings (its
    own words' stage, else the clause's, else proposed): a curator checks them on accepting."""
    fallback = stage_of(clause) or "proposed"
    return [
        {"event": d.event, "when": d.when, "stage": stage_of(d.event) or fallback}
        for d in dates_in(clause)
    ]
