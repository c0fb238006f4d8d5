"""Corridors an article names: dash chains of places, "from A via B to C", named routes.

Each finding keeps the sentence it comes from and every waypoint's span in the text, so the
proposal can cite them. A chain of two names needs a route word next to it ("the A–B
corridor"): "Russia-Uzbekistan trade" is not a corridor, "Xi'an-Khorgos-Almaty" is. A waypoint
the gazetteer does not know (under any transliteration) does not drop the route: it becomes a
flagged placeholder; a name that fits far-apart places of one country takes the one along the
route, flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from geodata.geometry import geodesic_km
from geodata.ingest.places import Located, Resolver, country_named, not_a_place
from geodata.names import skeleton_key

_NAME = r"(?!(?:The|A|An|In|At|On|From|To|Via)\b)[A-Z][\w’']*(?:\s[A-Z][\w’']*)?"
_DASH = r"(?:[-–—]|\s[-–—]\s)"
_CHAIN = re.compile(rf"(?<![\w’'-])({_NAME}(?:{_DASH}{_NAME})+)(?![\w-])")
_LENGTH_AFTER = re.compile(r"\s[-–—]\s(\d[\d,.]*\s?km)\b")
_ROUTE_WORD = (
    r"corridors?|routes?|railways?|rail(?:way)? lines?|lines?|roads?|highways?|directions?"
)
_ROUTE_WORD_AFTER = re.compile(rf"^(?:\s[\w-]+){{0,3}}?\s(?:{_ROUTE_WORD})\b", re.I)
_ROUTE_WORD_BEFORE = re.compile(rf"\b(?:{_ROUTE_WORD})\b[^.]{{0,20}}$", re.I)
_FROM_TO = re.compile(rf"\bfrom ({_NAME})((?:,? (?:via|through|and) {_NAME})*) to ({_NAME})")
_VIA = re.compile(rf"(?:via|through|and) ({_NAME})")
#: Places of one name this far apart in one country are different places, not one town's
#: records (GeoNames' "Shahri" twins lie within a few kilometres).
FAR_APART_KM = 25.0


@dataclass(frozen=True)
class NamedRoute:
    """A corridor known by name, drawn through its main points (GeoNames ids)."""

    key: str
    name: str
    category: str
    pattern: re.Pattern[str]
    waypoints: tuple[int, ...]


#: Named corridors and the points they are drawn through until a curator gives the alignment.
NAMED_ROUTES = (
    NamedRoute(
        "north-south",
        "North–South International Transport Corridor",
        "multimodal corridor",
        re.compile(
            r"\bNorth[-–—]South (?:[Ii]nternational )?(?:[Tt]ransport )?[Cc]orridor|\bINSTC\b"
        ),
        (141681, 112931, 142676, 587084, 532096, 580497, 524901),
    ),
    NamedRoute(
        "trans-caspian",
        "Trans-Caspian International Transport Route",
        "multimodal corridor",
        re.compile(
            r"\bTrans-Caspian (?:International )?(?:Transport )?(?:Route|[Cc]orridor|route)"
            r"(?: \(TITR\))?|\bMiddle Corridor\b(?: \(TITR\))?|\bTITR\b"
        ),
        (1524537, 1526268, 610612, 587084, 611717, 612366),
    ),
    NamedRoute(
        "trans-afghan",
        "Trans-Afghan transport corridor",
        "transport corridor",
        re.compile(r"\b[Tt]rans-Afghan (?:transport )?(?:corridor|railway|route)"),
        (1215957, 1133616, 1138958, 1168197),
    ),
)


@dataclass
class RouteFinding:
    """One corridor found in the text."""

    name: str
    category: str
    sentence: tuple[int, int]
    waypoints: list[Located]
    mention: tuple[int, int]
    named: str | None = None
    length: tuple[str, int, int] | None = None
    needs_decision: list[str] = field(default_factory=list)


def find_routes(text: str, sentences: list[tuple[int, int]], resolver: Resolver):
    """Every corridor of ``text``, in order, at most one per mention."""
    found: list[RouteFinding] = []
    for start, end in sentences:
        sentence = text[start:end]
        found += _named(sentence, start, end, resolver)
        found += _chains(text, sentence, start, end, resolver)
        found += _from_to(sentence, start, end, resolver)
    return found


def _category(sentence: str, default: str = "transport corridor") -> str:
    lowered = sentence.lower()
    if "multimodal" in lowered or "sea" in lowered.split() or "port" in lowered.split():
        return "multimodal corridor"
    if re.search(r"\brail|\btrain", lowered):
        return "rail corridor"
    return default


def _named(sentence: str, start: int, end: int, resolver: Resolver) -> list[RouteFinding]:
    found = []
    for route in NAMED_ROUTES:
        match = route.pattern.search(sentence)
        if match:
            points = [resolver.by_id(geonames_id) for geonames_id in route.waypoints]
            found.append(
                RouteFinding(
                    route.name,
                    route.category,
                    (start, end),
                    points,
                    (start + match.start(), start + match.end()),
                    named=route.key,
                    needs_decision=[
                        "a named corridor: the article gives no alignment; the line is drawn "
                        "through its usual main points"
                    ],
                )
            )
    return found


def _chains(text: str, sentence: str, start: int, end: int, resolver: Resolver):
    found = []
    for match in _CHAIN.finditer(sentence):
        names = list(_split_chain(match.group(1), start + match.start(1)))
        after = sentence[match.end() :]
        length = _LENGTH_AFTER.match(after)
        has_route_word = bool(
            _ROUTE_WORD_AFTER.search(after[:40])
            or _ROUTE_WORD_BEFORE.search(sentence[: match.start()])
            or length
        )
        if len(names) < 3 and not has_route_word:
            continue
        if any(
            country_named(name) and not name.startswith(country_named(name)) for name, *_ in names
        ):
            continue  # adjectives ("Uzbek-Tajik partnership") are not a route
        resolved = _resolve_all(names, resolver)
        if resolved is None:
            continue
        points, decisions = resolved
        finding = RouteFinding(
            "–".join(name for name, *_ in names),
            _category(sentence),
            (start, end),
            points,
            (start + match.start(1), start + match.end(1)),
            needs_decision=decisions,
        )
        if length:
            finding.length = (
                length[1],
                start + match.end() + length.start(1),
                start + match.end() + length.end(1),
            )
        if all(point.kind == "country" for point in points):
            finding.needs_decision.append(
                "only countries are named: the line through their capitals is a placeholder; "
                "give the real alignment"
            )
        found.append(finding)
    return found


def _split_chain(chain: str, offset: int):
    for part in re.finditer(r"[^-–—]+", chain):
        name = part.group().strip()
        if name:
            position = offset + part.start() + part.group().index(name)
            yield name, position, position + len(name)


def _resolve_all(names, resolver: Resolver) -> tuple[list[Located], list[str]] | None:
    """The waypoints of a chain and what a curator must decide about them, or None when the
    chain is not a route (a known non-place in it, or fewer than two places found).

    A name the gazetteer does not know under any transliteration becomes a flagged
    placeholder between its neighbours, so the route is still proposed.
    """
    if any(not_a_place(name) for name, *_ in names):
        return None
    countries = tuple(
        code
        for name, *_ in names
        if (country := country_named(name))
        for code in [resolver.code(country)]
    )
    found = [resolver.resolve(name, first, last, prefer=countries) for name, first, last in names]
    resolved = sum(point is not None for point in found)
    if resolved < 2 or resolved <= len(found) - resolved:
        return None
    decisions: list[str] = []
    points = [
        point if point is not None else _placeholder(names[i], found, i, decisions)
        for i, point in enumerate(found)
    ]
    return choose_along(points, decisions), decisions


def _placeholder(name, found: list[Located | None], i: int, decisions: list[str]) -> Located:
    """A waypoint the gazetteer does not know, drawn midway between its known neighbours."""
    mention, first, last = name
    before = next((p for p in reversed(found[:i]) if p is not None), None)
    after = next((p for p in found[i + 1 :] if p is not None), None)
    sides = [p for p in (before, after) if p is not None]
    lat = round(sum(p.lat for p in sides) / len(sides), 5)
    lon = round(sum(p.lon for p in sides) / len(sides), 5)
    decisions.append(
        f"{mention!r} is not in the gazetteer under that spelling or its transliteration "
        f"variants (skeleton {skeleton_key(mention)!r}): the waypoint is a placeholder "
        f"{'between' if len(sides) == 2 else 'at'} {' and '.join(p.mention for p in sides)}; "
        "give its position"
    )
    countries = {p.country for p in sides}
    return Located(
        mention,
        first,
        last,
        mention,
        countries.pop() if len(countries) == 1 else "",
        lat,
        lon,
        None,
        None,
        0.0,
        "not in the gazetteer; placed between its neighbours on the route",
        kind="unresolved",
    )


def choose_along(points: list[Located], decisions: list[str]) -> list[Located]:
    """Waypoints whose name fits places far apart in one country, each moved to the candidate
    nearest the route's neighbouring waypoints (a route joins its points) and flagged.

    Population alone would send "Uchkuduq" to a record 135 km from the town on the
    Uchkuduq-Kyzylorda line; the choice is never silent: every far rival is listed.
    """
    chosen = list(points)
    for i, point in enumerate(points):
        rivals = [
            a
            for a in point.alternatives
            if a.get("lat") is not None
            and a.get("country") == point.country
            and geodesic_km((a["lon"], a["lat"]), (point.lon, point.lat)) > FAR_APART_KM
        ]
        sides = [p for p in points[max(i - 1, 0) : i + 2] if p is not point and p.geonames_id]
        if not rivals or not sides:
            continue
        best = min(rivals, key=lambda a: _away(a["lon"], a["lat"], sides))
        others = [a for a in rivals if a is not best]
        if _away(best["lon"], best["lat"], sides) < _away(point.lon, point.lat, sides):
            chosen[i] = _moved(point, best)
            others.append(_as_alternative(point))
        listed = ", ".join(f"{a['name']} (geonames:{a['geonames_id']})" for a in others)
        decisions.append(
            f"{point.mention!r} fits several places in {point.country} far apart: took "
            f"{chosen[i].name} (geonames:{chosen[i].geonames_id}), the one nearest "
            f"{' and '.join(p.mention for p in sides)} on the route, over {listed}; check"
        )
    return chosen


def _away(lon: float, lat: float, sides: list[Located]) -> float:
    """Kilometres from (lon, lat) to each of ``sides``, summed."""
    return sum(geodesic_km((lon, lat), (p.lon, p.lat)) for p in sides)


def _moved(point: Located, to: dict) -> Located:
    return replace(
        point,
        name=to["name"],
        lat=to["lat"],
        lon=to["lon"],
        geonames_id=to["geonames_id"],
        resolved_by=f"geonames:{to['geonames_id']}",
        confidence=min(point.confidence, 0.6),
        why="of the places of that name, the one nearest the route's neighbouring waypoints",
        alternatives=[a for a in point.alternatives if a is not to] + [_as_alternative(point)],
    )


def _as_alternative(point: Located) -> dict:
    return {
        "name": point.name,
        "country": point.country,
        "geonames_id": point.geonames_id,
        "lat": point.lat,
        "lon": point.lon,
        "score": None,
    }


def _from_to(sentence: str, start: int, end: int, resolver: Resolver) -> list[RouteFinding]:
    if not re.search(rf"\b(?:{_ROUTE_WORD})\b", sentence, re.I):
        return []
    found = []
    for match in _FROM_TO.finditer(sentence):
        spans = [(match.group(1), match.start(1), match.end(1))]
        for via in _VIA.finditer(match.group(2)):
            spans.append((via.group(1), match.start(2) + via.start(1), match.start(2) + via.end(1)))
        spans.append((match.group(3), match.start(3), match.end(3)))
        names = [(name, start + first, start + last) for name, first, last in spans]
        resolved = _resolve_all(names, resolver)
        if resolved is None:
            continue
        points, decisions = resolved
        found.append(
            RouteFinding(
                "–".join(name for name, *_ in names),
                _category(sentence),
                (start, end),
                points,
                (start + match.start(), start + match.end()),
                needs_decision=decisions,
            )
        )
    return found
