"""Sites an article names: a facility (plant, park, hub, branch, summit...) bound to a place.

A facility is found by its head noun, named by the words before it (and an "of ..." or
"to ..." phrase after it), and bound to the first "in/at/near <place>" that follows it in its
clause ("... logistics center opened in Russia's Omsk region" -> Omsk, not Fergana). A named
facility with no town ("the Kambarata-1 Hydroelectric Power Station") is kept and flagged; one
the clause puts at a border is drawn at the border point nearest its surest named place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geodata.geometry import geodesic_km
from geodata.ingest.borders import BorderPoint, nearest_border
from geodata.ingest.places import Located, Resolver, country_named

#: Head nouns and the catalogue category each means; the first alternative that matches wins.
HEADS = (
    (
        r"industrial cooperation cent(?:er|re)s?|cent(?:er|re)s? for industrial cooperation",
        "industrial cooperation centre",
    ),
    (r"industrial parks?|industrial zones?|(?:free|special) economic zones?", "industrial park"),
    (r"technoparks?|technology parks?", "technopark"),
    (
        r"logistics (?:cent(?:er|re)|hub|complex|terminal)s?|dry ports?"
        r"|distribution cent(?:er|re)s?",
        "logistics centre",
    ),
    (r"engineering hubs?", "engineering hub"),
    (
        r"(?:(?:hydroelectric|nuclear|thermal|solar|wind|hydro|gas)[- ])?power (?:plant|station)s?"
        r"|hydropower plants?",
        "power plant",
    ),
    (r"plants?|factor(?:y|ies)|refiner(?:y|ies)", "industrial plant"),
    (r"exhibitions?|expos?", "exhibition"),
    (r"universit(?:y|ies)|branch(?:es)?", "education"),
    (r"monuments?|memorials?", "monument"),
    (r"summits?|consultative meetings?", "summit venue"),
)
_HEAD = re.compile("|".join(rf"\b(?:{words})\b" for words, _ in HEADS), re.I)
_CATEGORY = [(re.compile(rf"^(?:{words})$", re.I), category) for words, category in HEADS]
_MODIFIERS = frozenset(
    [
        "first",
        "second",
        "new",
        "major",
        "large",
        "joint",
        "main",
        "international",
        "industrial",
        "electrometallurgical",
        "nuclear",
        "steel",
        "chemical",
        "cement",
        "textile",
        "copper",
        "gas",
    ]
)
_DROPPED = frozenset(["major", "new", "large", "big", "huge", "joint", "main"])
_WORD_BEFORE = re.compile(r"(“[^”]*”|\"[^\"]*\"|[\w’'.–-]+)\s*$")
_EXTENSION = re.compile(
    r"^\s(?:of|for) (?:the )?[A-Z][\w’'-]*(?:\s(?:of|and|for|the|[A-Z][\w’'-]*))*"
    r"|^\sto (?:the )?(?:[a-z]+ ){0,5}[A-Z][\w’'-]*(?:\s[A-Z][\w’'-]*)*"
)
_PLACE = (
    r"(?:(?P<owner>[A-Z]\w+)[’']s )?"
    r"(?P<p1>[A-Z][\w’'-]+(?: (?!Region|Oblast|Province)[A-Z][\w’'-]+)?)"
    r"(?: and (?P<p2>[A-Z][\w’'-]+))?(?P<region> [Rr]egions?| [Oo]blast| [Pp]rovince)?"
)
_BOUND = re.compile(rf"\b(?:in|at|near) (?:the )?{_PLACE}")
_CLAUSE_END = re.compile(r";|,? while |, which |, and (?:the|a) ")


#: Words that put a facility at a border ("on the Kazakh-Uzbek border", "border crossing
#: points"), not a mere mention of one ("border trade").
_BORDER = re.compile(
    r"\b(?:on|at|near|along|by) the (?:[\w-]+ ){0,3}?border\b(?! trade)"
    r"|\bborder[- ](?:crossing|checkpoint|post)s?\b|\bcross-border\b",
    re.I,
)
_BOUND_ANY = re.compile(rf"\b(?:in|at|near|and) (?:the )?{_PLACE}")


@dataclass
class SiteFinding:
    """One facility found in the text and where it is."""

    name: str
    category: str
    sentence: tuple[int, int]
    clause: tuple[int, int]
    mention: tuple[int, int]
    place: Located | None
    needs_decision: list[str] = field(default_factory=list)
    country: str | None = None
    refers_back: bool = False
    border: BorderPoint | None = None


def find_sites(text: str, sentences: list[tuple[int, int]], resolver: Resolver):
    """Every facility of ``text`` bound to a place, or named well enough to be flagged."""
    found: list[SiteFinding] = []
    for start, end in sentences:
        sentence = text[start:end]
        heads = list(_HEAD.finditer(sentence))
        for position, head in enumerate(heads):
            limit = heads[position + 1].start() if position + 1 < len(heads) else len(sentence)
            found += _sites_at(sentence, start, end, head, limit, resolver)
    return found


def category_of(head: str) -> str:
    """The catalogue category a head noun means.

    >>> category_of("Hydroelectric Power Station"), category_of("technoparks")
    ('power plant', 'technopark')
    """
    return next(category for pattern, category in _CATEGORY if pattern.match(head))


def _sites_at(sentence, start, end, head, limit, resolver) -> list[SiteFinding]:
    first, owner = _name_start(sentence, head.start())
    extension = _EXTENSION.match(sentence[head.end() : limit])
    name_end = head.end() + (extension.end() if extension else 0)
    clause_start, clause_end = _clause(sentence, head.start())
    window = sentence[name_end : min(limit, clause_end, name_end + 90)]
    category = category_of(head.group())
    name = _clean_name(sentence[first:name_end])
    generic = not re.search(r"[A-Z“\"]", name[1:])
    common = dict(
        category=category,
        sentence=(start, end),
        clause=(start + clause_start, start + clause_end),
        mention=(start + first, start + name_end),
    )
    if _BORDER.search(sentence[clause_start:clause_end]):
        site = _at_border(name, generic, (sentence, name_end, clause_end, start), resolver, common)
        if site is not None:
            return [site]
    bound = _BOUND.search(window)
    if category == "summit venue" and not bound:
        bound = _last_bound(sentence[clause_start : head.start()])
        offset = clause_start
    else:
        offset = name_end
    places = _bound_places(bound, start + offset, resolver) if bound else []
    if not places:
        places = _places_in_name(sentence, first, head.start(), start, resolver)
    if places:
        plural = head.group().lower().endswith("s") and len(places) > 1
        chosen = places if plural else places[:1]
        sites = []
        for place, why in chosen:
            label = f"{name} ({place.mention})" if plural else _label(name, generic, place)
            site = SiteFinding(label, place=place, needs_decision=list(why), **common)
            if len(places) > 1 and not plural:
                named = ", ".join(p.mention for p, _ in places)
                site.needs_decision.append(
                    f"the article names several places ({named}); the first was taken"
                )
            sites.append(site)
        return sites
    proper = head.group()[0].isupper() and re.search(r"[A-Z]", sentence[first : head.start()])
    if not proper and not owner and re.search(r"\bthe\s+$", sentence[:first], re.I):
        # "the centre", "the summit": the facility an earlier sentence named
        return [SiteFinding(name, place=None, refers_back=True, **common)]
    if proper or owner:
        country = country_named(owner) if owner else None
        return [
            SiteFinding(
                name,
                place=None,
                country=country,
                needs_decision=[
                    "a named facility the article places in no town: give its position "
                    "(a curated location with a reference)"
                ],
                **common,
            )
        ]
    return []


def _name_start(sentence: str, head_start: int) -> tuple[int, str | None]:
    """Where the facility's name begins, walking back over names and modifiers."""
    first, owner = head_start, None
    for _ in range(8):
        match = _WORD_BEFORE.search(sentence[:first])
        if not match:
            break
        word = match.group(1)
        if word.endswith(("’s", "'s")) and country_named(word):
            owner = word
            first = match.start(1)
            break
        usable = word[0] in '“"' or word[0].isupper() or "-" in word or word.lower() in _MODIFIERS
        if not usable or word.lower() in ("the", "a", "an") or word.endswith("."):
            break
        first = match.start(1)
    return first, owner


def _clean_name(name: str) -> str:
    words = name.split(" ")
    while len(words) > 1 and words[0].lower() in _DROPPED:
        words.pop(0)
    name = " ".join(words)
    return name[0].upper() + name[1:]


def _clause(sentence: str, at: int) -> tuple[int, int]:
    start, end = 0, len(sentence)
    for match in _CLAUSE_END.finditer(sentence):
        if match.end() <= at:
            start = match.end()
        elif match.start() >= at:
            end = match.start()
            break
    return start, end


def _last_bound(text: str) -> re.Match[str] | None:
    matches = list(_BOUND.finditer(text))
    return matches[-1] if matches else None


def _bound_places(bound: re.Match[str], offset: int, resolver: Resolver):
    owner = country_named(bound["owner"]) if bound["owner"] else None
    prefer = (resolver.code(owner),) if owner else ()
    places = []
    for group in ("p1", "p2"):
        if not bound[group]:
            continue
        place = resolver.resolve(
            bound[group], offset + bound.start(group), offset + bound.end(group), prefer
        )
        if place is None or place.kind == "country":
            continue
        why = []
        if bound["region"]:
            why.append(
                f"the article names the {bound[group]} region, not a town: the point marks "
                "its centre"
            )
        places.append((place, why))
    return places


def _places_in_name(sentence: str, first: int, head_start: int, offset: int, resolver):
    for word in re.finditer(r"[A-Z][\w’'-]+", sentence[first:head_start]):
        place = resolver.resolve(
            word.group(), offset + first + word.start(), offset + first + word.end()
        )
        if place is not None and place.kind != "country":
            return [(place, [])]
    return []


def _label(name: str, generic: bool, place: Located) -> str:
    """A generic facility's name with its place ("Logistics centre in Termez")."""
    named_here = place.mention.lower() in name.lower()
    return f"{name} in {place.mention}" if generic and not named_here else name


def _at_border(name, generic, where, resolver, common):
    """A facility its clause puts at a border: at the border point nearest the named place
    that is surest and closest to a border ("near the Atameken and Gulistan border crossing
    points"; "on the Kazakh-Uzbek border ... in the Turkistan Region ... and the Syrdarya
    Region"), flagged. None when no named place lies near a border."""
    sentence, name_end, clause_end, offset = where
    places = [
        found
        for bound in _BOUND_ANY.finditer(sentence, name_end, clause_end)
        for found in _bound_places(bound, offset, resolver)
    ]
    placed = [(p, why, b) for p, why in places if (b := nearest_border(p.lon, p.lat))]
    if not placed:
        return None
    # A name that fits several places of its own country is the least sure of them.
    place, why, border = min(placed, key=lambda t: (_unsure(t[0]), t[2].km))
    town = f"{place.name}, the region's namesake town" if why else place.mention
    decisions = [
        f"the article puts it at a border: the point is the nearest point of the Natural Earth "
        f"border to {town} ({border.km:g} km from it); give the facility's position",
    ]
    # Regions are wide; two towns the sentence pairs at one border should be close.
    far = [p.mention for p, reasons in places if not reasons and _km(p, place) > 100]
    if far:
        decisions.append(
            f"{', '.join(far)} resolved more than 100 km from {place.mention}, which the "
            "sentence pairs with it: probably another place of the same name"
        )
    label = _label(name, generic, place)
    return SiteFinding(label, place=place, needs_decision=decisions, border=border, **common)


def _unsure(place: Located) -> bool:
    return any(a.get("country") == place.country for a in place.alternatives)


def _km(a: Located, b: Located) -> float:
    return geodesic_km((a.lon, a.lat), (b.lon, b.lat))
