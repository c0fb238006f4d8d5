"""Find features: property filters, transliteration-insensitive text, bbox and geodesic ``near``.

A :class:`FeatureIndex` is built once per app over a :class:`~webapp.model.store.FeatureStore`
(each feature's bytes and a few columns), so a query never touches a Python dict per feature:
every filter is a boolean mask over the features, computed with numpy. ``bbox`` keeps features
whose geometry intersects the box (points by comparing coordinates, lines through a shapely
``STRtree``); ``near`` measures the geodesic distance to each candidate inside
:func:`geodata.spatial.search_box`, all points at once.

Text (``q``) matches names (English and, where the data has them, Russian, Uzbek and Kazakh),
aliases, waypoint names (with theirs), category and description, in any script: every text is
read in Latin letters first (:func:`~webapp.model.text.search_form`, anyascii), so Бекабад,
Бекобод and Bekobod find Bekabad and Fargʻona is Farg'ona. Every word of the query must match
a word of the feature, by the start of its :func:`~webapp.model.text.search_key` or, for words
of four letters or more, by its :func:`~webapp.model.text.search_skeleton` (so Tirmiz finds
Termez); or the whole query may match a whole name the same ways (``Xian`` finds Xi'an). The
keys are inverted once (:class:`TextIndex`): a word prefix is a range of the sorted words,
whose positions lie side by side. A query word also matches the features it names as a facet
(:class:`Facets`): a country by name (also in Russian, Uzbek or Kazakh), word for its people or,
as a whole query, ISO code ("Kazakhstan", "Китай", "kazakh", "KZ"), a category ("railway",
"power plant") or a stage ("planned").

Text answers are ranked (:meth:`FeatureIndex.rank`), one order for the API, the features table
and the map: features located at the queried place (sites there, then corridors through it),
then those in a country, category or stage the query names, then the rest; within each, the
feature's own name matched exactly, then an alias, then a name starting with the query, then
one whose words start with the query's words, then skeletons; ties go to sites before
corridors, then by name and id. A place the query names is thus found before a feature merely
named after it ("Tashkent" lists the sites in Tashkent before a Tashkent institute's branch in
Almaty).

>>> index = FeatureIndex(FeatureStore.from_features([{"type": "Feature", "id": "a",
...     "geometry": {"type": "Point", "coordinates": [69.27, 40.22]}, "properties": {"id": "a",
...     "name": "Bekabad park", "kind": "site", "category": "industrial park"}}]))
>>> index.select_positions(FeatureQuery(text="bekobod")).positions.tolist()
[0]
>>> index.select_positions(FeatureQuery(text="Бекабад")).positions.tolist()
[0]
>>> found = index.select_positions(FeatureQuery(near=(41.31, 69.28), radius_km=200))
>>> found.distances_km.round().tolist()
[121.0]
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from babel import Locale
from shapely import STRtree
from shapely.affinity import translate

from geodata.names import exact_key
from geodata.spatial import distance_to_legs_km, lambert_km, search_box
from geodata.vocabulary import STAGES
from webapp.model.filters import FeatureQuery
from webapp.model.history import StagesAsOf
from webapp.model.store import KINDS, FeatureStore
from webapp.model.text import (
    MIN_SKELETON_LETTERS,
    NameKeys,
    TextIndex,
    query_terms,
    search_key,
    search_skeleton,
)
from webapp.style import english_country_names

if TYPE_CHECKING:  # the gazetteer (and geopy) load at the first place lookup, not with the app
    from geodata.gazetteer import GazetteerIndex, Place
    from webapp.model.atlas import Atlas

#: Words for a country that its GeoNames name is not: its people, other names in use.
COUNTRY_WORDS = {
    "AF": ("Afghan",), "AZ": ("Azerbaijani", "Azeri"), "CN": ("Chinese",),
    "GE": ("Georgian",), "IR": ("Iranian", "Persia"), "KG": ("Kyrgyz", "Kirghizia"),
    "KZ": ("Kazakh", "Qazaqstan"), "PK": ("Pakistani",), "RU": ("Russian",),
    "TJ": ("Tajik",), "TM": ("Turkmen",), "TR": ("Turkish", "Türkiye"),
    "UZ": ("Uzbek", "Uzbekistani", "O'zbekiston"),
}  # fmt: skip
#: Words people search a category by that its name lacks.
CATEGORY_WORDS = {
    "rail corridor": ("railway", "railways", "railroad", "train"),
    "power plant": ("power station", "hydropower", "energy"),
    "education": ("university", "institute", "school"),
    "industrial plant": ("factory", "plant"),
    "exhibition": ("expo", "fair"),
    "summit venue": ("summit",),
}
#: The languages besides English that features and their places are named in (issue 13's data
#: contract, geodata.catalogue.NAME_LANGUAGES): ``name_<language>`` properties, and each
#: ``located_by`` place's ``names``. Country facets also answer to CLDR's names in them.
NAME_LANGUAGES = ("ru", "uz", "kk")
#: Words for a stage that its name lacks.
STAGE_WORDS = {"under construction": ("construction", "being built")}
#: A query word this long or longer may stand for a facet word it starts ("kaza": Kazakhstan).
MIN_FACET_PREFIX = 4
#: Ranks of the located tiers (lower first): a site at the place, a corridor through it, a
#: facet (country, category, stage) the query names, anything else.
AT_SITE, THROUGH, IN_FACET, ELSEWHERE = 0, 1, 2, 3


@dataclass(frozen=True)
class Selection:
    """What a query keeps: positions in the store (in answer order), for ``near`` the km, and
    for ``as_of`` every feature's stage as of that day."""

    positions: np.ndarray
    distances_km: np.ndarray | None = None
    as_of: StagesAsOf | None = None

    def __len__(self) -> int:
        return len(self.positions)


def _boxes(west: float, south: float, east: float, north: float) -> list[shapely.Geometry]:
    """The bbox as shapely boxes; one crossing the antimeridian (west > east) becomes two.

    A box whose south edge is north of its north edge holds nothing.
    """
    if south > north:
        return []
    if west <= east:
        return [shapely.box(west, south, east, north)]
    return [shapely.box(west, south, 180.0, north), shapely.box(-180.0, south, east, north)]


def _wrapped(area: shapely.Geometry) -> list[shapely.Geometry]:
    """``area`` plus copies shifted by ±360° when it reaches past the antimeridian."""
    west, _, east, _ = area.bounds
    shifted = [area]
    if west < -180.0:
        shifted.append(translate(area, xoff=360.0))
    if east > 180.0:
        shifted.append(translate(area, xoff=-360.0))
    return shifted


def _legs(line: shapely.Geometry) -> np.ndarray:
    """The legs of a LineString or MultiLineString as an (n, 2, 2) lon/lat array."""
    parts = line.geoms if hasattr(line, "geoms") else [line]
    coordinates = [np.asarray(part.coords)[:, :2] for part in parts]
    return np.concatenate([np.stack([c[:-1], c[1:]], axis=1) for c in coordinates])


class Facets:
    """The countries, categories and stages of an atlas, each with the keys a query names it
    by; :meth:`mask` gives the features a query word (or a whole query) names this way.

    >>> store = FeatureStore.from_features([{"type": "Feature", "id": "a", "geometry": {
    ...     "type": "Point", "coordinates": [69.2, 41.3]}, "properties": {"id": "a", "name": "A",
    ...     "kind": "site", "category": "education", "countries": ["KZ"],
    ...     "status": {"stage": "planned", "dates": []}}}])
    >>> facets = Facets(store)
    >>> [facets.mask(w, whole=True).tolist() for w in ("Kazakhstan", "kz", "kazakh", "university")]
    [[True], [True], [True], [True]]
    >>> facets.names("planned"), facets.names("Kyrgyzstan")
    (True, False)
    """

    def __init__(self, store: FeatureStore) -> None:
        self._store = store
        # GeoNames' English names (as the pages write them), CLDR's in the other languages.
        names = english_country_names()
        territories = [Locale.parse(language).territories for language in NAME_LANGUAGES]
        entries: list[tuple[str, str, str]] = []  # (key, facet kind, value)
        for code in store.country_codes:
            local = [names.get(code, code), *(t[code] for t in territories if code in t)]
            for word in (*local, *COUNTRY_WORDS.get(code, ())):
                entries.append((search_key(word), "country", code))
        for category in store.category_names:
            words = [category, *category.split(), *CATEGORY_WORDS.get(category, ())]
            entries += [(search_key(word), "category", category) for word in words]
        for stage in store.stage_names:
            for word in (stage, *STAGE_WORDS.get(stage, ())):
                entries.append((search_key(word), "stage", stage))
        self._entries = [entry for entry in entries if entry[0]]
        self._codes = {code.lower(): code for code in store.country_codes}

    def _named(self, key: str, whole: bool) -> list[tuple[str, str]]:
        found = [
            (kind, value)
            for word, kind, value in self._entries
            if word == key or (len(key) >= MIN_FACET_PREFIX and word.startswith(key))
        ]
        if whole and key in self._codes:
            found.append(("country", self._codes[key]))
        return found

    def names(self, text: str) -> bool:
        """Whether ``text`` as a whole is exactly a facet word or ISO code of this atlas: a
        query that asks for a country, category or stage rather than a place."""
        key = search_key(text)
        return key in self._codes or any(word == key for word, _, _ in self._entries)

    def mask(self, text: str, whole: bool = False) -> np.ndarray:
        """The features ``text`` names as a facet; an ISO code counts only as a ``whole``
        query (two-letter words such as "in" or "at" are codes too)."""
        store = self._store
        found = np.zeros(len(store), dtype=bool)
        for kind, value in self._named(search_key(text), whole):
            if kind == "country":
                found |= store.in_countries([value])
            elif kind == "category":
                found |= store.categories == store.category_names.index(value)
            else:
                found |= store.stages == store.stage_names.index(value)
        return found


def other_names(properties: dict) -> tuple[list[str], list[str]]:
    """A feature's names in :data:`NAME_LANGUAGES` and its located places' names in them.

    >>> other_names({"name": "Tashkent hub", "name_ru": "Ташкентский хаб", "name_uz": None,
    ...     "located_by": [{"place": "Tashkent", "names": {"ru": "Ташкент", "uz": "Toshkent"}}]})
    (['Ташкентский хаб'], ['Ташкент', 'Toshkent'])
    """
    own = [properties.get(f"name_{language}") for language in NAME_LANGUAGES]
    places = [
        name
        for place in properties.get("located_by") or ()
        for name in (place.get("names") or {}).values()
    ]
    return [name for name in own if name], [name for name in places if name]


class _Ranking:
    """Each feature's name, aliases (with its names in other languages) and located places
    (with theirs), keyed for grading a text query; and the text index of the names in other
    languages, which the store's index (built as it reads the features) does not hold."""

    def __init__(self, store: FeatureStore) -> None:
        names: list[list[str]] = []
        aliases: list[list[str]] = []
        places: list[list[str]] = []
        others: list[tuple[list[str], str]] = []
        for position in range(len(store)):
            properties = store.feature(position)["properties"]
            own, place_names = other_names(properties)
            names.append([properties["name"]])
            aliases.append([*(properties.get("aliases") or ()), *own])
            located = [place["place"] for place in properties.get("located_by") or ()]
            places.append([*located, *place_names])
            others.append(([*own, *place_names], ""))
        self.names, self.aliases = NameKeys(names), NameKeys(aliases)
        self.places = NameKeys(places, words=False)
        self.other_text = TextIndex(others)
        by_name = sorted(range(len(store)), key=lambda p: (store.names[p].casefold(), store.ids[p]))
        self.name_rank = np.empty(len(store), dtype=np.int64)
        self.name_rank[by_name] = np.arange(len(store))
        self.is_corridor = store.kinds == KINDS.index("corridor")


class FeatureIndex:
    """The features' columns (a :class:`FeatureStore`), an STRtree of lines and text keys."""

    def __init__(self, features: FeatureStore, ranking: _Ranking | None = None) -> None:
        """``ranking``: the keys :meth:`rank` grades by, as :meth:`ranking` made them for
        this store (read back from the serving index), else made at the first text query."""
        self.store = features
        self._text = features.text_index
        self._line_positions = np.array(sorted(features.lines), dtype=np.int64)
        self._tree = STRtree([features.lines[p] for p in self._line_positions])
        self.facets = Facets(features)
        self._ranking = ranking

    def ranking(self) -> _Ranking:
        """The keys text answers are ranked by (made now if not yet made)."""
        if self._ranking is None:
            self._ranking = _Ranking(self.store)
        return self._ranking

    def text_mask(self, text: str) -> np.ndarray:
        """The features ``text`` finds: by their words (every query word must match a word
        of their English texts or of their names in other languages), by one whole name, or
        by the facets its words (or the whole query) name."""
        terms = query_terms(text)
        if not terms:
            return np.zeros(len(self.store), dtype=bool)
        other = self.ranking().other_text
        every = np.ones(len(self.store), dtype=bool)
        for term in terms:
            every &= self._text.term_mask(term) | other.term_mask(term) | self.facets.mask(term)
        whole = self._text.whole_mask(text) | other.whole_mask(text)
        return every | whole | self.facets.mask(text, whole=True)

    def _facet_tier(self, text: str, terms: Sequence[str]) -> np.ndarray:
        every = np.ones(len(self.store), dtype=bool)
        for term in terms:
            every &= self.facets.mask(term)
        return every | self.facets.mask(text, whole=True)

    def rank(self, positions: np.ndarray, text: str) -> np.ndarray:
        """``positions`` (features ``text`` found) best first, in the order the module gives."""
        ranking = self.ranking()
        terms = query_terms(text)
        located = np.full(len(self.store), ELSEWHERE, dtype=np.int64)
        located[self._facet_tier(text, terms)] = IN_FACET
        at_place = ranking.places.same(text)
        located[at_place & ranking.is_corridor] = THROUGH
        located[at_place & ~ranking.is_corridor] = AT_SITE
        grade = np.full(len(self.store), 8, dtype=np.int64)
        grades = [
            (ranking.names.same(text), 0),
            (ranking.aliases.same(text), 1),
            (ranking.names.starting(text), 2),
            (ranking.aliases.starting(text), 3),
            (ranking.names.words(terms), 4),
            (ranking.aliases.words(terms), 5),
        ]
        for matched, level in reversed(grades):  # the best level a name reaches wins
            grade[matched] = level
        order = np.lexsort(
            (
                ranking.name_rank[positions],
                ranking.is_corridor[positions],
                grade[positions],
                located[positions],
            )
        )
        return positions[order]

    def categories(self) -> list[str]:
        """The categories present, sorted."""
        return list(self.store.category_names)

    def _codes(self, names: Sequence[str], known: Sequence[str]) -> list[int]:
        return [i for i, name in enumerate(known) if name in set(names)]

    def _properties_mask(self, query: FeatureQuery, as_of: StagesAsOf | None) -> np.ndarray:
        store = self.store
        keep = np.ones(len(store), dtype=bool) if as_of is None else as_of.listed()
        if query.kinds:
            keep &= np.isin(store.kinds, self._codes(query.kinds, KINDS))
        if query.categories:
            keep &= np.isin(store.categories, self._codes(query.categories, store.category_names))
        if query.countries:
            keep &= store.in_countries(query.countries)
        if query.stages and as_of is not None:  # the stage as of then, not as reported
            keep &= np.isin(as_of.stages, self._codes(query.stages, STAGES))
        elif query.stages:
            keep &= np.isin(store.stages, self._codes(query.stages, store.stage_names))
        if query.text is not None:
            keep &= self.text_mask(query.text)
        return keep

    def _touching(self, areas: Sequence[shapely.Geometry], predicate: str | None) -> np.ndarray:
        """Features whose geometry (``predicate`` "intersects") or envelope (None) meets one
        of ``areas``; for points both are the same comparison of coordinates."""
        store = self.store
        found = np.zeros(len(store), dtype=bool)
        for area in areas:
            west, south, east, north = area.bounds
            with np.errstate(invalid="ignore"):
                found |= (
                    (store.lon >= west)
                    & (store.lon <= east)
                    & (store.lat >= south)
                    & (store.lat <= north)
                )
            if len(self._line_positions):
                found[self._line_positions[self._tree.query(area, predicate=predicate)]] = True
        return found

    def _distances(self, lon: float, lat: float, positions: np.ndarray) -> np.ndarray:
        """Geodesic km from (lon, lat) to each feature at ``positions``."""
        store = self.store
        km = np.empty(len(positions), dtype=float)
        is_point = ~np.isnan(store.lon[positions])
        km[is_point] = lambert_km(
            lon, lat, store.lon[positions[is_point]], store.lat[positions[is_point]]
        )
        for i in np.flatnonzero(~is_point):
            line = store.lines[int(positions[i])]
            km[i] = float(distance_to_legs_km((lon, lat), _legs(line)).min())
        return km

    def select_positions(self, query: FeatureQuery) -> Selection:
        """Every feature the query keeps: nearest first for ``near``, else best first for a
        text query (:meth:`rank`), else in file order. With ``as_of``, only features with a
        stage by then, ``status`` filtering on that stage (``webapp.model.history``)."""
        as_of = None if query.as_of is None else self.store.history.at(query.as_of)
        keep = self._properties_mask(query, as_of)
        if query.bbox is not None:
            keep &= self._touching(_boxes(*query.bbox), "intersects")
        if query.near is None:
            if query.text is not None:
                return Selection(self.rank(np.flatnonzero(keep), query.text), as_of=as_of)
            return Selection(np.flatnonzero(keep), as_of=as_of)
        lat, lon = query.near
        keep &= self._touching(_wrapped(search_box((lon, lat), query.radius_km)), None)
        positions = np.flatnonzero(keep)
        km = self._distances(lon, lat, positions)
        close = km <= query.radius_km
        positions, km = positions[close], km[close]
        ids = [self.store.ids[p] for p in positions]
        order = sorted(range(len(positions)), key=lambda i: (km[i], ids[i]))
        return Selection(positions[order], km[order], as_of)


def index_of(atlas: Atlas) -> FeatureIndex:
    """The search index of ``atlas``, with the ranking its serving index holds, if any."""
    prepared = atlas.prepared
    return FeatureIndex(atlas.store, prepared.ranking if prepared is not None else None)


#: Gazetteer keys a query's prefix may run through before the lookup stops reading.
MAX_PREFIX_KEYS = 2_000
#: The shortest query matched by the start of a place's name.
MIN_PLACE_PREFIX = 3
_GAZETTEER_LOCK = threading.Lock()


def _gazetteer() -> GazetteerIndex:
    """The build's gazetteer (GeoNames cities500), loaded at the first place lookup only:
    about a second and 170 MB that a server answering no place lookup never spends."""
    from geodata.gazetteer import default_index

    with _GAZETTEER_LOCK:
        return default_index()


def find_places(
    text: str, limit: int, preferred: Sequence[str] = (), gazetteer: GazetteerIndex | None = None
) -> list[Place]:
    """Up to ``limit`` gazetteer places that ``text`` names, best first: the same name (exact
    key, as written or in Latin letters), then the same skeleton (five letters or more: shorter
    skeletons collide), then names starting with it (three letters or more); within each,
    places in the ``preferred`` countries (the atlas's), then the more populous.

    The gazetteer keys its names (and their Cyrillic alternates) with
    :func:`~geodata.names.exact_key`; a query in another script is also looked up by its
    :func:`~webapp.model.text.search_key` (Тошкент as toshkent).

    >>> [(p.name, p.country) for p in find_places("Samarkand", 1)]
    [('Samarkand', 'UZ')]
    >>> [(p.name, p.country) for p in find_places("Тошкент", 1)]
    [('Tashkent', 'UZ')]
    """
    index = gazetteer or _gazetteer()
    latin, skeleton = search_key(text), search_skeleton(text)
    keys = [key for key in dict.fromkeys((exact_key(text), latin)) if key]
    if not keys:
        return []
    levels: dict[int, int] = {}
    for level, positions in (
        (0, [p for key in keys for p in index.by_exact.get(key)]),
        (1, index.by_skeleton.get(skeleton) if len(latin) > MIN_SKELETON_LETTERS else ()),
        (2, [p for key in keys if len(key) >= MIN_PLACE_PREFIX for p in _prefixed(index, key)]),
    ):
        for position in positions:
            levels.setdefault(position, level)
    preferred_set = set(preferred)

    def order(position: int) -> tuple[int, bool, int, int]:
        return (
            levels[position],
            index.countries[position] not in preferred_set,
            -index.populations[position],
            index.geonameids[position],
        )

    return [index.place(position) for position in sorted(levels, key=order)[:limit]]


def _prefixed(index: GazetteerIndex, key: str) -> list[int]:
    """Places with an exact key starting with ``key`` (at most :data:`MAX_PREFIX_KEYS` keys)."""
    table = index.by_exact
    start = key.encode()
    low = bisect_left(table.keys, start)
    found: list[int] = []
    for i in range(low, min(low + MAX_PREFIX_KEYS, len(table.keys))):
        if not table.keys[i].startswith(start):
            break
        found.extend(table.positions[i])
    return found
