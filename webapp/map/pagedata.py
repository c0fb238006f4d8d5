"""The data the map's scripts read besides the layers: search keys, filter choices, overlays.

It is one JSON document embedded in the page (``<script type="application/json">``: data, not
code, so the Content-Security-Policy has nothing to allow). Names are keyed here with
``geodata.names``, the very keys the gazetteer matches on, so "Bekobod" finds Bekabad and
"Tirmiz" finds Termez; the browser only normalises the typed query the same way
(``static/map-names.js``), and a browser test checks that both normalisations agree.

A large atlas's page carries none of its features (:func:`large_map_data`): its scripts fetch
them as one feed (:func:`map_feed`), in columns, and key the names for search themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from geodata.names import exact_key, skeleton_key
from geodata.vocabulary import STAGES
from webapp.http.mediatypes import compact_json
from webapp.model.atlas import Atlas
from webapp.model.schema import Feature
from webapp.model.store import KINDS, FeatureStore
from webapp.style import corridor_colour, country_names, site_colour

_WORDS = re.compile(r"[\W_]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Overlay:
    """One overlay of the layer control: its URL key, plain-text label, category and features."""

    key: str
    label: str
    category: str
    feature_ids: tuple[str, ...]
    kind: str = ""


def slug(text: str) -> str:
    """A URL-friendly key for a category.

    >>> slug("Industrial cooperation centre")
    'industrial-cooperation-centre'
    """
    return _NOT_SLUG.sub("-", text.casefold()).strip("-")


def name_keys(text: str) -> list[str]:
    """The exact and skeleton keys of a name, as ``geodata.names`` computes them.

    >>> name_keys("Bekobod")
    ['bekobod', 'bkbd']
    """
    return [exact_key(text), skeleton_key(text)]


def search_term(text: str, kind: str) -> dict:
    """One searchable name: its text, kind (name, alias, place), whole keys and word keys.

    Word keys let a query match a name from any of its words ("Bekobod" in "Bekobod industrial
    park"); whole keys let it match across words ("bekobod indus").

    >>> search_term("Bekobod park", "alias")["words"]
    [['bekobod', 'bkbd'], ['park', 'prk']]
    """
    words = [w for w in _WORDS.split(text) if w]
    word_keys = dict.fromkeys(tuple(name_keys(w)) for w in words) if len(words) > 1 else {}
    return {
        "text": text,
        "type": kind,
        "keys": name_keys(text),
        "words": [list(keys) for keys in word_keys if keys[0]],
    }


def search_terms(feature: Feature, places: Sequence[str] = ()) -> list[dict]:
    """Name, aliases and located places of a feature, each once (first spelling wins)."""
    p = feature.properties
    candidates = [(p.name, "name")] + [(a, "alias") for a in p.aliases]
    candidates += [(place, "place") for place in places]
    terms, seen = [], set()
    for text, kind in candidates:
        key = exact_key(text)
        if key and key not in seen:
            seen.add(key)
            terms.append(search_term(text, kind))
    return terms


def ordered_stages(stages: Iterable[str]) -> list[str]:
    """The stages present, in project order; unknown stages follow alphabetically.

    >>> ordered_stages(["completed", "odd", "planned"])
    ['planned', 'completed', 'odd']
    """
    present = set(stages)
    known = [s for s in STAGES if s in present]
    return known + sorted(present - set(STAGES))


def countries(counts: Mapping[str, int]) -> list[dict]:
    """Each country code used (``counts``: features per code), with its English name and
    feature count, sorted by name."""
    names = country_names()
    entries = [
        {"code": code, "name": names.get(code, code), "count": count}
        for code, count in counts.items()
        if count
    ]
    return sorted(entries, key=lambda e: e["name"])


def categories(kinds: Mapping[str, str], overlays: Sequence[Overlay]) -> list[dict]:
    """Categories in legend order (corridors, then sites), each with its overlays' keys;
    ``kinds`` gives the kind of each category's features."""
    order = list(dict.fromkeys(o.category for o in overlays))
    return [
        {
            "key": slug(category),
            "name": category,
            "kind": kinds.get(category, "site"),
            "colour": site_colour(category) if kinds.get(category) != "corridor" else None,
            "overlays": [o.key for o in overlays if o.category == category],
        }
        for category in sorted(order, key=lambda c: (kinds.get(c) != "corridor", c))
    ]


def _choices(atlas: Atlas, overlays: Sequence[Overlay]) -> dict:
    """The data's bounds ([[lat, lon], [lat, lon]]) and the filters' choices."""
    min_lon, min_lat, max_lon, max_lat = atlas.bbox()
    kinds = {c: kind for kind in KINDS for c, _ in atlas.category_counts(kind)}
    return {
        "bounds": [[min_lat, min_lon], [max_lat, max_lon]],
        "categories": categories(kinds, overlays),
        "stages": [{"key": slug(stage), "name": stage} for stage in ordered_stages(atlas.stages())],
        "countries": countries(atlas.country_counts()),
    }


def map_data(atlas: Atlas, overlays: Sequence[Overlay]) -> dict:
    """The JSON document the map's scripts start from."""
    overlay_of = {fid: o.key for o in overlays for fid in o.feature_ids}
    features = [
        {
            "id": f.properties.id,
            "name": f.properties.name,
            "kind": f.properties.kind,
            "category": f.properties.category,
            "stage": slug(f.properties.status.stage) if f.properties.status else "",
            "countries": f.properties.countries,
            "overlay": overlay_of[f.properties.id],
            "url": f"/features/{f.properties.id}",
            "terms": search_terms(f, [place.place for place in f.properties.located_by]),
        }
        for f in atlas.features
    ]
    return {
        **_choices(atlas, overlays),
        "features": features,
        "overlays": [
            {"key": o.key, "label": o.label, "category": o.category, "features": o.feature_ids}
            for o in overlays
        ],
    }


#: Decimal places of the feed's coordinates: about a metre.
FEED_DIGITS = 5
#: Corridors are simplified within this many degrees (about 100 m, a pixel at zoom 11); Leaflet
#: simplifies them further for each zoom as it draws.
FEED_TOLERANCE = 0.001


def large_map_data(atlas: Atlas, overlays: Sequence[Overlay], urls: Mapping[str, str]) -> dict:
    """The JSON document of a large atlas's page: everything but the features, which its
    scripts fetch from ``urls["features"]`` (popups from ``urls["popups"]`` + id + ``.html``)."""
    return {
        **_choices(atlas, overlays),
        "features": [],
        "overlays": [
            {"key": o.key, "label": o.label, "category": o.category, "kind": o.kind, "features": []}
            for o in overlays
        ],
        "large": {**urls, "total": len(atlas)},
    }


def _column(values: np.ndarray) -> list[float]:
    return [round(float(v), FEED_DIGITS) for v in values]


def _line(line) -> list[list[list[float]]]:
    """A shapely line's parts as [lat, lon] lists (Leaflet's order, the feed being for it),
    simplified within :data:`FEED_TOLERANCE`."""
    simple = line.simplify(FEED_TOLERANCE, preserve_topology=False)
    line = simple if not simple.is_empty else line
    parts = line.geoms if hasattr(line, "geoms") else [line]
    return [
        [[round(lat, FEED_DIGITS), round(lon, FEED_DIGITS)] for lon, lat, *_ in part.coords]
        for part in parts
    ]


def map_feed(store: FeatureStore) -> bytes:
    """What a large atlas's map draws, as compact JSON in columns (one list per field).

    Categories, stages (as their slugs) and sets of countries are listed once and referred to
    by index (a stage of -1: none). Corridors carry their colour and lines; sites their
    position. Feature order is the file's, so corridors keep their colours.

    >>> import json
    >>> store = FeatureStore.from_features([{"type": "Feature", "id": "a", "geometry": {
    ...     "type": "Point", "coordinates": [69.123456, 41.3]}, "properties": {"id": "a",
    ...     "name": "A", "kind": "site", "category": "park", "countries": ["UZ"]}}])
    >>> feed = json.loads(map_feed(store))
    >>> feed["sites"]["lon"], feed["sites"]["stage"], feed["countrySets"]
    ([69.12346], [-1], [['UZ']])
    """
    sets, set_of = np.unique(store.countries, axis=0, return_inverse=True)
    codes = np.array(store.country_codes, dtype=object)

    def columns(positions: np.ndarray) -> dict[str, list]:
        return {
            "id": [store.ids[p] for p in positions],
            "name": [store.names[p] for p in positions],
            "category": store.categories[positions].tolist(),
            "stage": store.stages[positions].tolist(),
            "countries": set_of.reshape(-1)[positions].tolist(),
        }

    corridors = np.flatnonzero(store.kinds == KINDS.index("corridor"))
    sites = np.flatnonzero(store.kinds == KINDS.index("site"))
    feed = {
        "categories": store.category_names,
        "stages": [slug(stage) for stage in store.stage_names],
        "countrySets": [codes[row].tolist() for row in sets],
        "corridors": {
            **columns(corridors),
            "colour": [corridor_colour(i) for i in range(len(corridors))],
            "lines": [_line(store.lines[p]) for p in corridors],
        },
        "sites": {
            **columns(sites),
            "lon": _column(store.lon[sites]),
            "lat": _column(store.lat[sites]),
        },
    }
    return compact_json(feed)
