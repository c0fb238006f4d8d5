"""Corridors an article names: dash chains of places, "from A via B to C", named routes.

Each finding keeps the sentence it comes from and every waypoint's span in the text, so the
proposal can cite them. A chain of two names needs a route word next to it ("the A–B
corridor"): "Russia-Uzbekistan trade" is not a corridor, "Xi'an-Khorgos-Almaty" is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geodata.ingest.places import Located, Resolver, country_named

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
        points = _resolve_all(names, resolver)
        if points is None:
            continue
        finding = RouteFinding(
            "–".join(name for name, *_ in names),
            _category(sentence),
            (start, end),
            points,
            (start + match.start(1), start + match.end(1)),
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


def _resolve_all(names, resolver: Resolver) -> list[Located] | None:
    countries = tuple(
        code
        for name, *_ in names
        if (country := country_named(name))
        for code in [resolver.code(country)]
    )
    points = []
    for name, first, last in names:
        point = resolver.resolve(name, first, last, prefer=countries)
        if point is None:
            return None
        points.append(point)
    return points


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
        points = _resolve_all(names, resolver)
        if points is None:
            continue
        found.append(
            RouteFinding(
                "–".join(name for name, *_ in names),
                _category(sentence),
                (start, end),
                points,
                (start + match.start(), start + match.end()),
            )
        )
    return found
