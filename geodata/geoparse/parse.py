"""``parse_places``: recognise, then resolve with the whole article as context."""

from __future__ import annotations

from dataclasses import replace

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

    def known(name: str) -> bool:
        key = exact_key(name)
        return bool(key) and bool(areas.get(name) or key in areas.by_key or index.by_exact.get(key))

    spans = find_spans(text, known)
    per_span = [candidates(s.name, s.suffix, index, areas) for s in spans]
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


def _words(text: str) -> list[str]:
    return [t.text for t in tokens(text) if t.capitalised]


def _mention(text: str, span: Span, found: list[Candidate], i: int, context) -> PlaceMention:
    mention = text[span.start : span.end]
    if not found:
        return _unresolved(mention, span, "region", "not in the gazetteer", [])
    ranked = rank(found, i, context)
    alternatives = [_alternative(s, c) for s, c in ranked[1 : 1 + MAX_ALTERNATIVES]]
    best = ranked[0][1]
    runner_up = tied(ranked)
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
