"""Positions for place names: the geoparser when it is installed, else the offline gazetteer.

:func:`mentions_in` is the one door to :func:`geodata.geoparse.parse_places`; until that module
exists, :class:`Resolver` looks names up in the GeoNames gazetteer itself, among the countries
of the atlas's region only, and never hides a choice: every candidate that lost is listed as an
alternative and lowers the confidence.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from importlib import import_module

from geodata.errors import GeocodingError
from geodata.gazetteer import GazetteerGeocoder

#: Countries an article about Central Asian corridors names, with their adjectives and the
#: capital a country-only route is drawn through (a placeholder the curator must replace).
COUNTRIES: dict[str, tuple[str, tuple[str, ...], tuple[str, int]]] = {
    "Uzbekistan": ("UZ", ("Uzbek",), ("Tashkent", 1512569)),
    "Kazakhstan": ("KZ", ("Kazakh",), ("Astana", 1526273)),
    "Kyrgyzstan": ("KG", ("Kyrgyz",), ("Bishkek", 1528675)),
    "Tajikistan": ("TJ", ("Tajik",), ("Dushanbe", 1221874)),
    "Turkmenistan": ("TM", ("Turkmen",), ("Ashgabat", 162183)),
    "Russia": ("RU", ("Russian",), ("Moscow", 524901)),
    "China": ("CN", ("Chinese",), ("Beijing", 1816670)),
    "Afghanistan": ("AF", ("Afghan",), ("Kabul", 1138958)),
    "Pakistan": ("PK", ("Pakistani",), ("Islamabad", 1176615)),
    "Iran": ("IR", ("Iranian",), ("Tehran", 112931)),
    "Azerbaijan": ("AZ", ("Azerbaijani",), ("Baku", 587084)),
    "Georgia": ("GE", ("Georgian",), ("Tbilisi", 611717)),
    "Turkey": ("TR", ("Turkish",), ("Ankara", 323786)),
    "Mongolia": ("MN", ("Mongolian",), ("Ulaanbaatar", 2028462)),
    "India": ("IN", ("Indian",), ("New Delhi", 1261481)),
}
REGION = tuple(sorted({code for code, _, _ in COUNTRIES.values()} | {"AM", "BY", "UA"}))
_COUNTRY_WORD = {
    word: name for name, (_, adjectives, _) in COUNTRIES.items() for word in (name, *adjectives)
}
#: Capitalised words that are never places in these articles (names, titles, months...).
_NOT_PLACES = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "At",
        "On",
        "President",
        "Prime",
        "Minister",
        "Central",
        "Asia",
        "Asian",
        "Eurasian",
        "Economic",
        "Union",
        *calendar.month_name[1:],  # English names: Python starts in the C locale
        *calendar.day_name,
        "Read",
        "More",
        "Share",
        "Council",
        "Industrial",
        "Energy",
        "Joint",
        "Silk",
        "Road",
        "North",
        "South",
        "East",
        "West",
        "New",
        "Old",
        "Great",
        "First",
        "Second",
    ]
)


def country_named(word: str) -> str | None:
    """The country a name or adjective stands for ("Uzbek" -> "Uzbekistan"), else None."""
    return _COUNTRY_WORD.get(word.replace("’", "'").removesuffix("'s"))


def demonym_of(word: str) -> str | None:
    """The country a demonym or country adjective stands for ("Kazakhs" -> "Kazakhstan"), else
    None; a country's own name is not a demonym.

    >>> demonym_of("Kazakh"), demonym_of("Uzbeks"), demonym_of("Uzbekistan")
    ('Kazakhstan', 'Uzbekistan', None)
    """
    for form in (word, word.removesuffix("s")):
        country = country_named(form)
        if country is not None and form != country and not form.endswith(("'s", "’s")):
            return country
    return None


def not_a_place(name: str) -> bool:
    """Whether ``name`` is a word these articles never use as a place ("President", "May").

    >>> not_a_place("President"), not_a_place("Kumkurgan")
    (True, False)
    """
    return name in _NOT_PLACES or not re.match(r"[A-Z]", name)


def country_code(country: str) -> str:
    """The ISO code of a country in :data:`COUNTRIES`."""
    return COUNTRIES[country][0]


@dataclass(frozen=True)
class Located:
    """A name resolved to one place, with what lost and why it won."""

    mention: str
    start: int
    end: int
    name: str
    country: str
    lat: float
    lon: float
    geonames_id: int | None
    resolved_by: str | None
    confidence: float
    why: str
    kind: str = "settlement"
    alternatives: list[dict] = field(default_factory=list)


def mentions_in(text: str) -> list:
    """The geoparser's place mentions of ``text``, or [] while the geoparser is not installed."""
    try:
        parse_places = import_module("geodata.geoparse").parse_places
    except (ImportError, AttributeError):
        return []
    return list(parse_places(text))


class Resolver:
    """Resolve names found in one article; the gazetteer is shared between articles."""

    def __init__(self, geocoder: GazetteerGeocoder | None = None) -> None:
        self.geocoder = geocoder or GazetteerGeocoder()
        self._mentions: dict[tuple[int, int], object] = {}

    def read(self, text: str) -> None:
        """Take the geoparser's answers for ``text`` (if it is installed) before resolving."""
        self._mentions = {(m.start, m.end): m for m in mentions_in(text)}

    def resolve(
        self, name: str, start: int, end: int, prefer: tuple[str, ...] = ()
    ) -> Located | None:
        """The place ``name`` (at ``start:end``) stands for, or None if it is not a place.

        Country names resolve to their capital with ``kind="country"``; ``prefer`` lists
        country codes the context suggests (a chain's other countries), which break ties.
        """
        country = country_named(name)
        if country is not None:
            capital, geonames_id = COUNTRIES[country][2]
            place = self.geocoder.index.place(self.geocoder.index.position_of(geonames_id))
            return Located(
                name,
                start,
                end,
                capital,
                country_code(country),
                place.lat,
                place.lon,
                geonames_id,
                f"geonames:{geonames_id}",
                0.3,
                f"a country; its capital {capital} stands in",
                kind="country",
            )
        if not_a_place(name):
            return None
        parsed = self._mentions.get((start, end))
        if parsed is not None and parsed.kind == "settlement" and parsed.geonameid is not None:
            return _from_mention(parsed)
        return self._gazetteer(name, start, end, prefer)

    def code(self, country: str) -> str:
        """The ISO code of a country in :data:`COUNTRIES`."""
        return country_code(country)

    def by_id(self, geonames_id: int) -> Located:
        """A GeoNames place by id (a named route's waypoint), with no mention in the text."""
        index = self.geocoder.index
        place = index.place(index.position_of(geonames_id))
        return Located(
            place.name,
            -1,
            -1,
            place.name,
            place.country,
            place.lat,
            place.lon,
            geonames_id,
            f"geonames:{geonames_id}",
            0.5,
            "a usual main point of the named corridor",
        )

    def _gazetteer(self, name: str, start: int, end: int, prefer: tuple[str, ...]):
        try:
            found = self.geocoder.geocode(name, exactly_one=False, country_codes=list(REGION))
        except GeocodingError:
            return None
        if not found:
            return None
        places = [location.raw for location in found]
        ranked = sorted(
            places, key=lambda p: (p["country"] not in prefer, -p["population"], p["geonameid"])
        )
        best, others = ranked[0], ranked[1:]
        total = sum(max(p["population"], 1) for p in places)
        confidence = round(0.5 + 0.45 * max(best["population"], 1) / total, 2)
        why = "the only GeoNames place of that name in the region"
        if others:
            reason = "in a country the article names" if prefer else "the most populous"
            why = f"{reason} of {len(places)} GeoNames places of that name in the region"
        return Located(
            name,
            start,
            end,
            best["name"],
            best["country"],
            best["lat"],
            best["lon"],
            best["geonameid"],
            f"geonames:{best['geonameid']}",
            confidence,
            why,
            alternatives=[_alternative(p, total) for p in others[:5]],
        )


def _alternative(place: dict, total: int) -> dict:
    return {
        "name": place["name"],
        "country": place["country"],
        "geonames_id": place["geonameid"],
        "lat": place["lat"],
        "lon": place["lon"],
        "score": round(max(place["population"], 1) / total, 3),
    }


def _from_mention(m) -> Located:
    return Located(
        m.mention,
        m.start,
        m.end,
        m.mention,
        m.country or "",
        m.lat,
        m.lon,
        m.geonameid,
        m.resolved_by,
        m.confidence,
        m.why,
        kind=m.kind,
        alternatives=list(m.alternatives),
    )
