"""The data the map's scripts read besides the layers: search keys, filter choices, overlays.

It is one JSON document embedded in the page (``<script type="application/json">``: data, not
code, so the Content-Security-Policy has nothing to allow). Names are keyed here with
``geodata.names``, the very keys the gazetteer matches on, so "Bekobod" finds Bekabad and
"Tirmiz" finds Termez; the browser only normalises the typed query the same way
(``static/map-names.js``), and a browser test checks that both normalisations agree.

A large atlas's page carries none of its features (:func:`large_map_data`): its scripts fetch
them as one feed (:func:`map_feed`), in columns, and key the names for search themselves.

Each feature carries its history compactly (:func:`history_steps`) and the document the span
of the timeline and the stages' labels (:func:`timeline`), from which ``static/map-timeline.js``
shows the atlas as it stood at the end of any month.

How features are drawn is data too (:data:`DRAWING`): one table gives the line style of each
stage, basis and mode and the marker shapes and fills, and both the map's scripts and the legend
(``webapp.map.fragments``) read it, so the legend cannot explain a style the map does not draw.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from flask_babel import lazy_gettext
from shapely.geometry import LineString

from geodata.names import exact_key, skeleton_key
from geodata.timeline import timeline_span
from geodata.vocabulary import STAGES
from webapp.http.mediatypes import compact_json
from webapp.i18n.formatting import country_names
from webapp.i18n.vocabulary import term
from webapp.map.clusters import first_clusters
from webapp.model.atlas import Atlas
from webapp.model.schema import Feature
from webapp.model.store import KINDS, FeatureStore
from webapp.style import corridor_colour, site_colour, site_shape

_WORDS = re.compile(r"[\W_]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


#: A corridor line and a site marker per stage: the line's dash pattern (None: solid; round
#: caps turn "1 8" into dots) and the marker's fill: "full", "half" (the lower half) or "ring"
#: (hollow). Stages share a style in threes, as the legend groups them.
STAGE_STYLES: dict[str, dict[str, Any]] = {
    "operational": {"dash": None, "fill": "full"},
    "completed": {"dash": None, "fill": "full"},
    "under construction": {"dash": "10 7", "fill": "half"},
    "planned": {"dash": "1 8", "fill": "ring"},
    "proposed": {"dash": "1 8", "fill": "ring"},
}
#: How a stage outside the vocabulary is drawn (as the most tentative one).
UNKNOWN_STAGE_STYLE = STAGE_STYLES["proposed"]
#: The legend's rows of stage styles: (label in the page's language, a stage drawn so).
STAGE_LEGEND = (
    (lazy_gettext("operational or completed"), "operational"),
    (lazy_gettext("under construction"), "under construction"),
    (lazy_gettext("planned or proposed"), "planned"),
)

#: A corridor line by how it was drawn (``basis``): through its stations, or only between its
#: endpoints (thinner and faded: the route between is not known). "mixed" is drawn as stations.
BASIS_STYLES: dict[str, dict[str, float]] = {
    "stations": {"weight": 4, "opacity": 0.9},
    "mixed": {"weight": 4, "opacity": 0.9},
    "endpoints": {"weight": 3, "opacity": 0.5},
}
#: Legs of a corridor drawn apart from its line, by mode: sea and ferry crossings. Rail and road
#: legs are the corridor's own line.
LEG_STYLES: dict[str, dict[str, Any]] = {
    "sea": {"color": "#1565c0", "weight": 2.5, "opacity": 1, "dash": "6 5"},
}
#: Marker size in screen pixels (the "radius" of every shape).
SITE_RADIUS = 7


def _polygon(corners: int, rotation: float = -90, inner: float | None = None) -> list[list[float]]:
    """The vertices of a regular polygon (or a star with ``inner`` radius) on the unit circle,
    y pointing down as on screen; the first vertex at ``rotation`` degrees."""
    points = corners * 2 if inner else corners
    vertices = []
    for i in range(points):
        angle = math.radians(rotation + 360 * i / points)
        radius = inner if inner and i % 2 else 1.0
        vertices.append([round(radius * math.cos(angle), 3), round(radius * math.sin(angle), 3)])
    return vertices


def _plus(half_width: float) -> list[list[float]]:
    """The 12 vertices of a plus sign whose arms are ``2 * half_width`` wide."""
    w = half_width
    quarter = [[-w, -1], [w, -1], [w, -w]]  # the top arm and the corner to the right arm
    vertices = []
    for turn in range(4):  # each quarter turned by 90 degrees: (x, y) -> (-y, x)
        for x, y in quarter:
            for _ in range(turn):
                x, y = -y, x
            vertices.append([x + 0.0, y + 0.0])
    return vertices


#: Marker shapes as vertices on the unit circle (screen orientation); "circle" has none.
SHAPES: dict[str, list[list[float]]] = {
    "circle": [],
    "square": [[-0.8, -0.8], [0.8, -0.8], [0.8, 0.8], [-0.8, 0.8]],
    "diamond": _polygon(4),
    "triangle": _polygon(3),
    "triangle-down": _polygon(3, rotation=90),
    "pentagon": _polygon(5),
    "hexagon": _polygon(6, rotation=0),
    "star": _polygon(5, inner=0.45),
    "star4": _polygon(4, inner=0.4),
    "plus": _plus(0.32),
    "tall": [[-0.45, -1], [0.45, -1], [0.45, 1], [-0.45, 1]],
}


def shape_path(shape: str, radius: float = 1.0, x: float = 0.0, y: float = 0.0) -> str:
    """SVG path data of a marker shape of ``radius`` centred at (x, y); the map script draws
    the same vertices (``static/map.js``).

    >>> shape_path("square", 10)
    'M-8 -8L8 -8L8 8L-8 8Z'
    >>> shape_path("circle", 2, 5, 5)
    'M3 5a2 2 0 1 0 4 0a2 2 0 1 0 -4 0Z'
    """
    vertices = SHAPES.get(shape) or []
    if not vertices:
        arc = f"a{radius:g} {radius:g} 0 1 0"
        return f"M{x - radius:g} {y:g}{arc} {2 * radius:g} 0{arc} {-2 * radius:g} 0Z"
    points = [f"{x + vx * radius:g} {y + vy * radius:g}" for vx, vy in vertices]
    return "M" + "L".join(points) + "Z"


def stage_style(stage: str | None) -> dict[str, Any]:
    """How a stage is drawn (:data:`STAGE_STYLES`); unknown and missing stages as proposed.

    >>> stage_style("under construction")["fill"], stage_style(None)["fill"]
    ('half', 'ring')
    """
    return STAGE_STYLES.get(stage or "", UNKNOWN_STAGE_STYLE)


def basis_style(basis: str | None) -> dict[str, float]:
    """The weight and opacity of a corridor line by its ``basis``; unknown: as stations."""
    return BASIS_STYLES.get(basis or "", BASIS_STYLES["stations"])


def leg_parts(feature: Feature) -> tuple[list[list[list[float]]], dict[str, list]]:
    """A corridor's line parts split by mode: those drawn as the corridor's own line (rail,
    road, and all of them when ``leg_modes`` is absent or does not match the parts), and those
    drawn apart by mode (:data:`LEG_STYLES`), each in (lon, lat) order."""
    parts = feature.lines()
    modes = getattr(feature.properties, "leg_modes", None) or []
    if len(modes) != len(parts):
        return parts, {}
    own = [part for part, mode in zip(parts, modes, strict=True) if mode not in LEG_STYLES]
    apart: dict[str, list] = {}
    for part, mode in zip(parts, modes, strict=True):
        if mode in LEG_STYLES:
            apart.setdefault(mode, []).append(part)
    if not own:  # a corridor all at sea keeps its line (and its popup) as the sea leg
        return parts, {}
    return own, apart


def drawing() -> dict[str, Any]:
    """The drawing vocabulary the map's scripts read: stage, basis and leg styles, shapes."""
    return {
        "stages": {slug(stage): style for stage, style in STAGE_STYLES.items()},
        "unknownStage": UNKNOWN_STAGE_STYLE,
        "basis": BASIS_STYLES,
        "legs": LEG_STYLES,
        "shapes": SHAPES,
        "radius": SITE_RADIUS,
    }


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
    """Each country code used (``counts``: features per code), with its name in the page's
    language and feature count, sorted by name as a reader of that language sorts."""
    names = country_names()
    entries = [
        {"code": code, "name": names.get(code, code), "count": count}
        for code, count in counts.items()
        if count
    ]
    return sorted(entries, key=lambda e: e["name"].casefold())


def categories(kinds: Mapping[str, str], overlays: Sequence[Overlay]) -> list[dict]:
    """Categories in legend order (corridors, then sites), each with its overlays' keys;
    ``kinds`` gives the kind of each category's features. ``name`` is the data's term (the
    scripts match features by it), ``label`` the term in the page's language."""
    order = list(dict.fromkeys(o.category for o in overlays))
    return [
        {
            "key": slug(category),
            "name": category,
            "label": term(category),
            "kind": kinds.get(category, "site"),
            "colour": site_colour(category) if kinds.get(category) != "corridor" else None,
            "shape": site_shape(category) if kinds.get(category) != "corridor" else None,
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
        "stages": [
            {"key": slug(stage), "name": stage, "label": term(stage)}
            for stage in ordered_stages(atlas.stages())
        ],
        "countries": countries(atlas.country_counts()),
        "drawing": drawing(),
    }


def _legs(feature: Feature) -> list[dict]:
    """A corridor's legs drawn apart (sea crossings): mode and [lat, lon] parts."""
    _, apart = leg_parts(feature)
    return [
        {"mode": mode, "lines": [[[lat, lon] for lon, lat, *_ in part] for part in parts]}
        for mode, parts in apart.items()
    ]


def local_names(feature: Feature) -> dict[str, str]:
    """The feature's names in the region's languages that it has (``name_ru``…), for the
    scripts to show a name in the page's language."""
    p = feature.properties
    names = {"name_ru": p.name_ru, "name_uz": p.name_uz, "name_kk": p.name_kk}
    return {key: name for key, name in names.items() if name}


def history_steps(history: Any) -> list[list[Any]] | None:
    """A feature's ``history`` as the map reads it: [stage key, start, end, scheduled (0/1)]
    per step, each distinct step once (a repeated step never changes the stage as of a day,
    and one is repeated for every article that reports the same thing); None without one.

    >>> history_steps([
    ...     {"stage": "under construction", "start": None, "end": "2024-07-14",
    ...      "kind": "reported", "label": None, "when": None, "seed": "a.txt", "scheduled": False},
    ...     {"stage": "under construction", "start": None, "end": "2024-07-14",
    ...      "kind": "reported", "label": None, "when": None, "seed": "b.txt", "scheduled": False},
    ...     {"stage": "operational", "start": "2026-10-01", "end": "2026-12-31",
    ...      "kind": "event", "label": "launch", "when": "Q4 2026", "seed": "a.txt",
    ...      "scheduled": True}])
    [['under-construction', None, '2024-07-14', 0], ['operational', '2026-10-01', '2026-12-31', 1]]
    """
    if not isinstance(history, list):
        return None
    steps: list[list[Any]] = []
    for step in history:
        if isinstance(step, Mapping):
            compact = [
                slug(str(step.get("stage") or "")),
                step.get("start"),
                step.get("end"),
                1 if step.get("scheduled") else 0,
            ]
            if compact not in steps:
                steps.append(compact)
    return steps


def timeline(histories: Sequence[Any]) -> dict | None:
    """The timeline's part of the page data: the slider's span (first and last day, from
    ``geodata.timeline.timeline_span``) and every stage in project order (a tie between steps
    ending the same day goes to the later one) with its label; None when no feature has a
    history with a known day (an atlas built before histories is shown as reported).
    ``histories``: each feature's ``history`` as built (None where it has none)."""
    span = timeline_span({"history": history} for history in histories)
    if span is None:
        return None
    start, end = span
    return {
        "span": [start.isoformat(), end.isoformat()],
        "stages": [{"key": slug(stage), "label": term(stage)} for stage in STAGES],
    }


def _raw(atlas: Atlas, feature_id: str) -> dict[str, Any]:
    """A feature's properties as built (the validated model need not carry its history)."""
    position = atlas.store.position(feature_id)
    return json.loads(atlas.store.raw(position))["properties"] if position is not None else {}


def map_data(atlas: Atlas, overlays: Sequence[Overlay]) -> dict:
    """The JSON document the map's scripts start from."""
    overlay_of = {fid: o.key for o in overlays for fid in o.feature_ids}
    features = []
    histories = []
    for f in atlas.features:
        entry = {
            "id": f.properties.id,
            "name": f.properties.name,
            "kind": f.properties.kind,
            "category": f.properties.category,
            "stage": slug(f.properties.status.stage) if f.properties.status else "",
            "countries": f.properties.countries,
            "overlay": overlay_of[f.properties.id],
            "url": f"/features/{f.properties.id}",
            "terms": search_terms(f, [place.place for place in f.properties.located_by]),
            **local_names(f),
        }
        if f.properties.kind == "corridor":
            entry["basis"] = getattr(f.properties, "basis", None)
            entry["legs"] = _legs(f)
        histories.append(_raw(atlas, f.properties.id).get("history"))
        steps = history_steps(histories[-1])
        if steps is not None:
            entry["history"] = steps
        features.append(entry)
    return {
        **_choices(atlas, overlays),
        "timeline": timeline(histories),
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
#: The highest zoom of each band of coarser corridor lines in the feed; the map draws a band's
#: lines up to its zoom and ``lines`` beyond the last, so a zoomed-out view of 1,000 corridors
#: projects a few thousand points instead of every vertex (bench 5's slowest zoom).
FEED_BANDS = (5, 8)


def band_tolerance(max_zoom: int) -> float:
    """Degrees within which a band's lines are simplified: half a pixel of longitude at its
    highest zoom (256 px tiles; Leaflet then drops what is within 1.5 px as it draws).

    >>> round(band_tolerance(5), 4), round(band_tolerance(8), 5)
    (0.022, 0.00275)
    """
    return 0.5 * 360 / 256 / 2**max_zoom


def large_map_data(atlas: Atlas, overlays: Sequence[Overlay], urls: Mapping[str, str]) -> dict:
    """The JSON document of a large atlas's page: everything but the features, which its
    scripts fetch from ``urls["features"]`` (popups from ``urls["popups"]`` + id + ``.html``),
    and the clusters of its first zooms (:func:`first_view`)."""
    built = atlas.prepared.feeds if atlas.prepared is not None else {}
    first = built[FIRST_VIEW][0] if FIRST_VIEW in built else first_view(atlas.store)
    return {
        **_choices(atlas, overlays),
        "features": [],
        "overlays": [
            {"key": o.key, "label": o.label, "category": o.category, "kind": o.kind, "features": []}
            for o in overlays
        ],
        "large": {**urls, "total": len(atlas), "first": json.loads(first)},
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


def band_vertices(parts: Sequence[Sequence[Sequence[float]]], tolerance: float) -> list[list[int]]:
    """Which vertices of each part of a feed line (:func:`_line`) a coarser band keeps: the
    part simplified within ``tolerance`` degrees, as indices into it (a few bytes each, where a
    position takes about twenty). Douglas-Peucker keeps vertices of its input, ends included.

    >>> band_vertices([[[0, 0], [0.001, 1], [0, 2], [1, 3]]], 0.01)
    [[0, 2, 3]]
    """
    kept = []
    for part in parts:
        line = LineString([(lon, lat) for lat, lon in part])
        simple = line.simplify(tolerance, preserve_topology=False)
        indices, j = [], 0
        for lon, lat in simple.coords:
            while (part[j][1], part[j][0]) != (lon, lat):
                j += 1
            indices.append(j)
        kept.append(indices if len(indices) >= 2 else list(range(len(part))))
    return kept


def map_feed(store: FeatureStore) -> bytes:
    """What a large atlas's map draws, as compact JSON in columns (one list per field).

    Categories, stages (as their slugs) and sets of countries are listed once and referred to
    by index (a stage of -1: none). Corridors carry their colour, lines and, for each zoom band
    of :data:`FEED_BANDS`, which of their lines' vertices the band keeps (``bands``: the band's
    highest zoom and :func:`band_vertices` per corridor); sites their position. Feature order
    is the file's, so corridors keep their colours.

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
    lines = [_line(store.lines[p]) for p in corridors]
    feed = {
        "categories": store.category_names,
        "stages": [slug(stage) for stage in store.stage_names],
        "countrySets": [codes[row].tolist() for row in sets],
        "corridors": {
            **columns(corridors),
            "colour": [corridor_colour(i) for i in range(len(corridors))],
            "lines": lines,
            "bands": [
                {
                    "maxZoom": zoom,
                    "vertices": [band_vertices(parts, band_tolerance(zoom)) for parts in lines],
                }
                for zoom in FEED_BANDS
            ],
        },
        "sites": {
            **columns(sites),
            "lon": _column(store.lon[sites]),
            "lat": _column(store.lat[sites]),
        },
    }
    return compact_json(feed)


#: The name the build keeps :func:`first_view` under among the map's feeds.
FIRST_VIEW = "first-view.json"


def first_view(store: FeatureStore) -> bytes:
    """The clusters of the feed's sites at the map's first zooms (``webapp.map.clusters``), as
    the large map's page carries them: ``zooms[z]`` lists zoom z's clusters as ``[lon, lat,
    count, cluster id]`` and its sites as ``[lon, lat, 1, site number, category, stage]``
    (a stage as its slug, "" for none), so they are painted before the feed is read.

    >>> store = FeatureStore.from_features([{"type": "Feature", "id": "a", "geometry": {
    ...     "type": "Point", "coordinates": [69.2, 41.3]}, "properties": {"id": "a",
    ...     "name": "A", "kind": "site", "category": "park", "countries": ["UZ"]}}])
    >>> json.loads(first_view(store))["zooms"][0]
    [[69.2, 41.3, 1, 0, 'park', '']]
    """
    sites = np.flatnonzero(store.kinds == KINDS.index("site"))
    lon, lat = _column(store.lon[sites]), _column(store.lat[sites])
    categories, stages = store.categories[sites].tolist(), store.stages[sites].tolist()
    stage_slugs = [slug(stage) for stage in store.stage_names]

    def look(site: int) -> list[str]:
        stage = stages[site]
        return [store.category_names[categories[site]], "" if stage < 0 else stage_slugs[stage]]

    zooms = [
        [item if item[2] > 1 else [*item, *look(item[3])] for item in level]
        for level in first_clusters(lon, lat)
    ]
    return compact_json({"zooms": zooms})


#: Sites closer than this are "at the same place": each popup lists the others ("also here").
SAME_PLACE_KM = 1.0
_KM_PER_DEGREE = 111.2


def same_place(sites: Iterable[Feature], within_km: float = SAME_PLACE_KM) -> dict[str, list]:
    """For each site, the (id, name) of the other sites within ``within_km``, by name.

    Sites are bucketed on a grid of about ``within_km`` so that only neighbouring cells are
    compared; the distance is the equirectangular one, exact enough at a kilometre.
    """
    cell = within_km / _KM_PER_DEGREE
    grid: dict[tuple[int, int], list[tuple[str, str, float, float]]] = {}
    for site in sites:
        lon, lat = site.geometry.coordinates[:2]  # type: ignore[misc]
        key = (math.floor(lat / cell), math.floor(lon / cell))
        grid.setdefault(key, []).append((site.properties.id, site.properties.name, lon, lat))
    near: dict[str, list] = {}
    for (row, col), members in grid.items():
        cells = [(row + dr, col + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
        candidates = [other for key in cells for other in grid.get(key, [])]
        for fid, _, lon, lat in members:
            scale = math.cos(math.radians(lat))
            found = [
                (oid, oname)
                for oid, oname, olon, olat in candidates
                if oid != fid
                and math.hypot((olon - lon) * scale, olat - lat) * _KM_PER_DEGREE <= within_km
            ]
            if found:
                near[fid] = sorted(found, key=lambda entry: (entry[1], entry[0]))
    return near
