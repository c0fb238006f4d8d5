"""What limits each target that a run did not meet: the explanation, and where it shows.

Written from the profiles of 2026-11 (bench/RESULTS.md's tables, cProfile of the builds, Chrome
profiles of the map); check they still apply when a figure moves.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.tools import Row

#: Start of a measure -> why it misses its target, and the fix (with its owner).
LIMITS = {
    "warm build": (
        "Loading GeoNames' cached index (235,000 places unpickled as named tuples) is most of "
        "a warm build: the next row times a process that does only that. Fix in the pipeline: "
        "keep the places a build resolved in a small cache beside the index and load the index "
        "only for a place not in it (a warm seed build then takes about 0.7 s), or store the "
        "index as columns rather than 235,000 objects."
    ),
    "/data/atlas.geojson via waitress": (
        "waitress, pure Python, serves at most about 8,000 requests/s here even when the app "
        "only hands over prebuilt bytes (webapp/response_cache.py): the same app under granian "
        "meets the target (row below). `corridor-atlas serve` on granian is proposed."
    ),
    "server peak memory": (
        "The atlas as webapp/atlas.py holds it: the three files' bytes plus a validated pydantic "
        "model of every feature (see 'Where the server's memory goes'). At 100,000 sites the "
        "files weigh 1 GB because every corridor lists every site within 100 km (5.8 million "
        "pairs). The lean structures the server needs (store, index, map feed) take about "
        "220 MB on their own (second table): the atlas must stop holding the models and bytes."
    ),
    "API bbox (": (
        "The answers' size, not the search: a page of 100 features starts with the corridors in "
        "the box, each about 460 KB (its sites_within_100km list), so the median answer is "
        "megabytes. Sites-only answers (next rows) stay near 1.5 ms at p95. Fix in the "
        "pipeline: list the nearest sites only (with their count)."
    ),
    "map: slowest of": (
        "Leaflet projects and clips the 1,000 corridors again on every zoom; the sites and "
        "clusters are one canvas paint of a few milliseconds."
    ),
}


def limits(rows: Sequence[Row]) -> list[str]:
    """A bullet per target this run missed, with what limits it."""
    lines = []
    for row in rows:
        if row.met is False:
            found = (text for start, text in LIMITS.items() if row.what.startswith(start))
            reason = next(found, "")
            lines.append(f"- {row.section}, {row.what}: {reason or 'not yet explained.'}")
    return lines
