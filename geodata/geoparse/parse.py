"""``parse_places``: recognise, then resolve with the whole article as context."""

from __future__ import annotations

from dataclasses import replace

from wordfreq import zipf_frequency

from geodata.gazetteer import GazetteerIndex, default_index
from geodata.geoparse.areas import AreaTable, build_areas
from geodata.geoparse.facilities import misplaced
from geodata.geoparse.mention import PlaceMention
from geodata.geoparse.recognize import Span, find_spans, tokens
from geodata.geoparse.resolve import (
    Candidate,
    build_context,
    candidates,
    confidence,
    rank,
    tied,
)
from geodata.names import exact_key

_AREAS: dict[int, tuple[GazetteerIndex, AreaTable]] = {}  # by id(index); the index is kept alive
MAX_ALTERNATIVES = 5
#: All-capitals words this short are read as acronyms unless a country or region has the name.
ACRONYM_LETTERS = 4
#: A lone capitalised word that heads a sentence, a line or a headline ("Share on social media",
#: "Visa regulations have been simplified", "Uzbekistan Set to Establish") is read as the English
#: word when the word is this common (Zipf scale: 4 is once in 100,000 words, per ``wordfreq``)
#: and no place it may name is a country, a region or a town of this many people.
COMMON_WORD_ZIPF = 4.0
COMMON_WORD_MAX_POPULATION = 100_000
#: A lone town smaller than this, in a country nothing else in an article with at least this
#: much country evidence points at, is left to the curator (see :func:`_stray`).
STRAY_MAX_POPULATION = 10_000
STRAY_EVIDENCE = 3.0
#: A line is a headline when it has no closing full stop and this share of its words is capitalised.
HEADLINE_CAPITALISED = 0.6


def areas_for(index: GazetteerIndex) -> AreaTable:
    """The area table for ``index``, built once per process and index."""
    cached = _AREAS.get(id(index))
    if cached is None or cached[0] is not index:
        cached = _AREAS[id(index)] = (index, build_areas(index))
    return cached[1]


def parse_places(text: str, index: GazetteerIndex | None = None) -> list[PlaceMention]:
    """The place names in ``text``, in order, each resolved or flagged.

    ``index`` defaults to the process-wide cities500 index (loaded once).

    >>> parse_places("Nothing to see here.")
    []
    """
    index = index if index is not None else default_index()
    areas = areas_for(index)

    def county(name: str) -> str | None:
        return _us_county(name, areas)

    def known(name: str) -> bool:
        key = exact_key(name)
        if not key:
            return False
        return bool(areas.get(name) or index.by_exact.get(key) or county(name) is not None)

    def major(name: str) -> bool:
        return any(a.country is not None and a.distinctive for a in areas.get(name))

    spans = find_spans(text, known, major)
    per_span = [_candidates(s, index, areas) for s in spans]
    kept = [
        i
        for i, found in enumerate(per_span)
        if not _acronym(spans[i].name, found) and not _common_word(text, spans[i], found)
    ]
    spans, per_span = [spans[i] for i in kept], [per_span[i] for i in kept]
    hints = [areas.demonyms[k] for k in map(exact_key, _words(text)) if k in areas.demonyms]
    context = build_context(per_span, hints, areas)
    mentions = [
        _mention(text, s, c, i, context)
        for i, (s, c) in enumerate(zip(spans, per_span, strict=True))
    ]
    for i, reason in misplaced(text, mentions).items():
        m = mentions[i]
        own = {"name": m.mention, "country": m.country, "geonames_id": m.geonameid,
               "lat": m.lat, "lon": m.lon, "score": None}  # fmt: skip
        mentions[i] = replace(
            m, lat=None, lon=None, geonameid=None, country=None, resolved_by=None,
            confidence=0.0, alternatives=[own, *m.alternatives], why="", unresolved=reason,
            kind="feature",
        )  # fmt: skip
    return mentions


def _us_county(name: str, areas: AreaTable) -> str | None:
    """The name before "County" or "Parish" when a US county is called so ("Cooke County")."""
    head, _, last = name.rpartition(" ")
    return head if last in ("County", "Parish") and exact_key(head) in areas.counties else None


def _acronym(name: str, found: list[Candidate]) -> bool:
    """A short all-capitals word ("HIV", "FDA") that is no country's or region's name.

    A place called so is written in capitals only in a headline, where words are longer
    ("ARLINGTON"); "HIV" is not Hīv in Iran.

    >>> _acronym("HIV", []), _acronym("ARLINGTON", [])
    (True, False)
    """
    if not (name.isalpha() and name.isupper() and 1 < len(name) <= ACRONYM_LETTERS):
        return False
    return not any(c.area or c.name == name for c in found)


def _common_word(text: str, span: Span, found: list[Candidate]) -> bool:
    """Whether ``span`` is a common English word that starts a sentence, a line or a headline.

    >>> _common_word("None\\nTaraz", Span(0, 4, "None", None, True), [])
    True
    """
    name = span.name
    if " " in name or "-" in name or any(c.area for c in found):
        return False
    if max((c.population for c in found), default=0) >= COMMON_WORD_MAX_POPULATION:
        return False
    if not (span.sentence_initial or _heads_line(text, span.start) or _in_headline(text, span)):
        return False
    return zipf_frequency(name.lower(), "en") >= COMMON_WORD_ZIPF


def _heads_line(text: str, start: int) -> bool:
    """Whether only marks ("- ", "* ") stand between the line's start and ``start``."""
    line_start = text.rfind("\n", 0, start) + 1
    return not any(ch.isalnum() for ch in text[line_start:start])


def _in_headline(text: str, span: Span) -> bool:
    """Whether the span's line is a headline: no closing stop, mostly capitalised words."""
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    words = [t for t in tokens(line) if t.text[0].isalpha()]
    if line.endswith((".", "!", "?")) or len(words) < 3:
        return False
    return sum(t.capitalised for t in words) >= HEADLINE_CAPITALISED * len(words)


def _candidates(span: Span, index: GazetteerIndex, areas: AreaTable) -> list[Candidate]:
    """What ``span`` may stand for; "Cooke County" is Cooke with the suffix County."""
    head = _us_county(span.name, areas) if span.suffix is None else None
    if head is not None:
        return candidates(head, span.name[len(head) + 1 :], index, areas)
    return candidates(span.name, span.suffix, index, areas)


def _words(text: str) -> list[str]:
    return [t.text for t in tokens(text) if t.capitalised]


def _mention(text: str, span: Span, found: list[Candidate], i: int, context) -> PlaceMention:
    mention = text[span.start : span.end]
    if not found:
        return _unresolved(mention, span, "region", "not in the gazetteer", [])
    ranked = rank(found, i, context)
    alternatives = [_alternative(s, c) for s, c in ranked[1 : 1 + MAX_ALTERNATIVES]]
    best = ranked[0][1]
    runner_up = tied(ranked, i, context)
    if runner_up is None and _stray(best, i, context):
        reason = (
            f"only {best.name} ({best.country}), a town of {best.population:,} people, fits; "
            f"the article says nothing else about {best.country}"
        )
        return _unresolved(mention, span, best.kind, reason, [_alternative(*ranked[0])])
    if runner_up is not None:
        reason = (
            f"ambiguous: {best.name} ({best.country or '-'}) vs "
            f"{runner_up.name} ({runner_up.country or '-'}); the article does not settle it"
        )
        everyone = [_alternative(s, c) for s, c in ranked[: 1 + MAX_ALTERNATIVES]]
        return _unresolved(mention, span, best.kind, reason, everyone)
    return PlaceMention(
        mention=mention,
        start=span.start,
        end=span.end,
        lat=best.lat,
        lon=best.lon,
        geonameid=best.geonameid,
        country=best.country,
        kind=best.kind,  # type: ignore[arg-type]
        resolved_by=f"geonames:{best.geonameid}" if best.geonameid else None,
        confidence=confidence(ranked),
        alternatives=alternatives,
        why=_why(best, ranked, context, i),
        unresolved=None,
    )


def _stray(best: Candidate, i: int, context) -> bool:
    """Whether ``best`` is a small town alone in a country the rest of the article never
    points at, while the article points clearly elsewhere ("The Caspian Post" in a story about
    Uzbekistan is not Caspian, Michigan)."""
    if best.area or best.population >= STRAY_MAX_POPULATION:
        return False
    evidence = sum(context.countries.values()) - sum(context.own.get(i, {}).values())
    return evidence >= STRAY_EVIDENCE and context.country_share(best.country, i) == 0


def _why(best: Candidate, ranked, context, i: int) -> str:
    parts = [best.why]
    if len(ranked) == 1:
        parts.append("the only candidate")
    else:
        share = context.country_share(best.country, i)
        if share:
            parts.append(f"{best.country} has {share:.0%} of the article's place evidence")
        if (best.country, best.admin1) in context.regions:
            parts.append("its region is named in the article")
        if context.nearby(best, i):
            parts.append("near other places the article names")
        parts.append(f"beat {len(ranked) - 1} other candidate(s)")
    return "; ".join(parts)


def _alternative(score: float, c: Candidate) -> dict:
    return {
        "name": c.name,
        "country": c.country,
        "geonames_id": c.geonameid,
        "lat": c.lat,
        "lon": c.lon,
        "score": round(score, 3),
    }


def _unresolved(mention: str, span: Span, kind: str, reason: str, alts: list) -> PlaceMention:
    return PlaceMention(
        mention, span.start, span.end, None, None, None, None, kind, None, 0.0, alts, "", reason
    )  # type: ignore[arg-type]
