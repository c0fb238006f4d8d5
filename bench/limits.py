"""What limits each target that a run did not meet: the explanation, and where it shows.

Written from the profiles of 2026-11 (bench/RESULTS.md's tables, cProfile of the builds, Chrome
profiles of the map); check they still apply when a figure moves.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.tools import Row

#: Start of a measure -> what limits it if it misses its target, and where that shows.
LIMITS = {
    "warm build": (
        "Most of a warm build is starting Python and importing shapely, numpy and geopy (about "
        "0.3 s here) and reading GeoNames' cached index (columns, about 0.15 s); the row "
        "below times a process that only loads the index. A loaded machine stretches both."
    ),
    "/data/atlas.geojson via granian": (
        "wrk, granian and nginx share two cores: a run where wrk takes more of them moves "
        "every server's figure; the other granian rows of the same run show the spread."
    ),
    "first feature drawn": (
        "Served as static files (corridor-atlas publish) by the plain page's own server, the "
        "same page draws its first feature in 0.72–0.78× the plain page's time; served by the "
        "app, about 1.0×. The difference is the app's security headers (measured by serving "
        "the app's page with each of them): Cross-Origin-Opener-Policy: same-origin puts the "
        "page in a new browsing context group, so Chromium starts a new renderer process for "
        "it when it is opened in a blank tab, as here (40–80 ms); from a link on another site, "
        "as from an article, the process changes for either page and the header costs 10–40 ms."
    ),
    "server start until it answers": (
        "About 1 s of a start is Python importing Flask, folium (which compiles its templates "
        "and imports requests), pydantic's models, numpy and Babel; at 100,000 features the "
        "server then copies and hashes the five built files (about 430 MB, on both cores) to "
        "check them against the manifest, about 0.3 s; the map page of each language is "
        "rendered, about 0.2 s. `python -m bench.memory DIR` times each step."
    ),
    "server peak memory": (
        "See 'Where the server's memory goes': imports, then the columns and line spans of "
        "the features, the text index and the map feed; after those, the response and page "
        "caches (webapp/http/replay.py, the others on webapp/cache.py) fill up to their limits, "
        "and a forked worker copies the pages of objects it touches."
    ),
    "API bbox (": (
        "An unfiltered box returns whole corridors (about 7.5 KB each with their 50 nearest "
        "sites): a page of 100 corridors is about 0.75 MB of JSON to send."
    ),
    "published site via nginx:": (
        "The published site and nginx's own figure run with the same nginx.conf and one worker; "
        "the site's server block adds a failed lookup of `P` before `P.html` (try_files) and "
        "about 1 KB of security and cache headers to every answer, which weighs on small "
        "pages. wrk shares the two cores with nginx: compare the p99 rows and rerun before "
        "reading a gap under 0.9 on a busy machine as a cost of the configuration."
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
