"""What limits each target that a run did not meet: the explanation, and where it shows.

Written from the profiles of 2026-11 (bench/RESULTS.md's tables, cProfile of the builds, Chrome
profiles of the map); check they still apply when a figure moves.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.tools import Row

#: Start of a measure -> what limits it if it misses its target, and where that shows.
LIMITS = {
    "cold build": (
        "Most of a cold build is indexing GeoNames (2026-12-01, after the index was made "
        "faster): parsing its 80 MB of JSON (1.2 s), keying 1.4 million names (about 1 s on "
        "each core), numbering and sorting the keys (1.5 s) and importing Python's modules "
        "(1 s). The json.load reference gives the machine's speed that day: 2.25 s on "
        "2026-11-30, when the 8 s target was set, 3.2–3.9 s on 2026-12-01; a cold build is "
        "measured against it in the row's ratio (8 s at 2.25 s is 3.6×)."
    ),
    "warm build": (
        "Most of a warm build is starting Python and importing shapely, numpy, pydantic and "
        "geopy and reading GeoNames' cached index (columns, the row below); the share cards "
        "are kept from the set in place when what they show is unchanged (about 1.5 s of "
        "drawing otherwise). A loaded machine stretches both."
    ),
    "/data/atlas.geojson via granian": (
        "wrk, granian and nginx share two cores: a run where wrk takes more of them moves "
        "every server's figure; the other granian rows of the same run show the spread."
    ),
    "first feature drawn": (
        "Loads in turn vary by a tenth between runs of the same code here (a run of 11 loads "
        "measured 0.91, another 0.84). Served as static files (corridor-atlas publish) by the "
        "plain page's own server, with every header the app sends, the same page measured "
        "0.68×; adding Cross-Origin-Opener-Policy: same-origin, which the reader's pages sent "
        "until 2026-12-01, 0.93×: it puts the page in a new browsing context group, so "
        "Chromium starts a new renderer process for it when it is opened in a blank tab "
        "(40–80 ms). Only the review page sends it now (webapp/security.py says why). On "
        "2026-12-02 the page stopped preloading the offline base layer's two files, which "
        "the server sent while the page waited for leaflet.js: the first feature came in "
        "192 ms against 235.8 ms (11 loads each, in turn), the base layer in 705 against "
        "681 ms, since it waits for the map's scripts either way."
    ),
    "server start until it answers": (
        "About 0.9 s of a start is Python importing Flask, pydantic's models, numpy and "
        "Babel; at 100,000 features the server then copies and hashes the five built files "
        "(about 430 MB, on both cores) to check them against the manifest, 0.3–0.45 s. The "
        "map pages are read as an earlier start over the same build rendered them "
        "(webapp.map.pagecache): the first start after a build or a change of code imports "
        "folium and renders them, about 1 s more. `python -m bench.memory DIR` times each step."
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
    "map: clustered markers": (
        "Since 2026-12-02 the first view's clusters are the build's (webapp/map/clusters.py), "
        "carried in the page and painted once Leaflet and the page's script have run, before "
        "the feed is read; what is left is the page's own start (0.6-0.9 s in a profile of "
        "2026-12-01) and the feed's preload sharing the two cores with it. Before, the page "
        "read the feed into features (about 0.5 s) and supercluster indexed 100,000 sites "
        "over 17 zooms (0.5-0.8 s) before the first cluster: 2.9-3.2 s on 2026-12-02."
    ),
    "map: slowest of": (
        "Painting more than JavaScript: Chromium here rasterizes on the CPU. On 2026-12-02 "
        "corridors became 1 px wide below zoom 7 (1,000 of them 3 px wide took 160-190 ms to "
        "rasterize, 1 px about 20 ms), the base layer was scaled from its positions at zoom 0 "
        "and the list of features in view followed a move once the page is idle (the slowest "
        "step went from 357-433 ms to 151-180 ms); then each renderer projected and clipped "
        "its paths once per zoom instead of two or three times (map-paths.js), the base "
        "layer's names became one layer moving those shown once per view, and sites, clusters and "
        "their counts were stamped from small canvases (text written on the map's canvas made "
        "the browser bring the page's styles up to date first): a load's slowest step went "
        "from 107 to 98 ms at the median of 24 loads (eight runs of benchmark 5's map part, "
        "each in turn with the code before). What is left of a zoom, from a trace: its "
        "scripts 10-50 ms, the corridor canvas's raster at the end of the task 15-35 ms "
        "(dashed stages double it; 606 of the 1,000 synthetic corridors are dashed), the "
        "frame's style, layout, paint and commit 15-30 ms, and the wait for the compositor, "
        "which rasterizes and composes the base layer and both canvases on the same two "
        "cores. Loads vary by 50 ms here. Later on 2026-12-02 (medians of 3-4 loads' slowest "
        "step, each run beside the unchanged page at 80-107 ms): without the corridors 52 ms "
        "(101 beside it); their lines with square caps and mitred joins 73 and 86 ms (101 "
        "and 87), but the dotted stages need round caps; drawn in a worker (OffscreenCanvas) "
        "131 ms (87): pans fell to 20-33 ms, but the worker rasterized a zoom more slowly "
        "(about 65 ms) than the page did. Later that day the base layer's names were shown only "
        "near the view (the world's 269 names had been restyled, laid out and composited at "
        "every zoom, most of them off screen) and the sites' stamps made while the page is "
        "idle: the slowest step went from 88 to 77 ms, 99.5 to 79 ms and 92 to 78.5 ms in "
        "three runs (medians of 6, 8 and 8 loads, the code before run in turn). Each step's "
        "parts, timed in the page (medians of 4 loads): the move's scripts take 30-40 ms at "
        "the first zoom and at the last one out, 4-20 ms elsewhere; then 20-45 ms pass before "
        "the next frame begins, most of them the corridor canvas's raster. The first zoom's "
        "clipping took 9.7 ms, where the same clipping run again takes 1 ms (its code not yet "
        "optimized by V8). Without the corridors the slowest steps take 40-49 ms. Meeting "
        "60 ms needs the corridors drawn otherwise, such as canvas tiles kept across moves, so "
        "that a pan or a return to a zoom copies them instead of stroking 400-1,000 lines "
        "again. On 2026-12-02 evening the machine ran slower (json.load's reference 2.9-4.0 s "
        "against 2.25 s on 2026-11-30; the slowest step 106-117 ms, medians of 3-6 loads). The "
        "same seven steps cost 11-22 ms on the page with every layer removed, and 97 ms at the "
        "first zoom with every pane hidden but its scripts running: the page's own work is the "
        "limit, spread over its layers. The scripts of the seven steps, per load (medians of "
        "3): the corridors 72 ms (their pixel boxes 20, their paths clipped and stroked 52), "
        "the sites and clusters 45 ms, the base layer's shapes 38 ms, its names 9 ms. Hiding "
        "one layer at a time saved 5-20 ms each. The corridors drawn in a worker again, the "
        "image shown kept on the map until the next one replaced it: the worker took 66-105 "
        "ms per view (13-30 ms for 33 vertices) and turning its canvas into an image 30-58 ms "
        "of them, against 25-35 ms on the page, so the step grew to 157-175 ms. A sketch "
        "drawing the corridors of a view in one pass from their vertices at zoom 0 took "
        "2.3-3.3 ms of script and 16.6-18 ms with the raster at zooms 4.75 and 5.75, against "
        "7.8-14.7 and 23-33 ms for Leaflet's per-layer passes; at 7.75, 19 ms both (the "
        "raster of 3 px lines). So the corridors are drawn now (map-corridors.js), each "
        "corridor's pixels worked out only under the pointer, and a segment that crosses the "
        "canvas's edge cut there (uncut, the dotted lines running beyond it made a pan at zoom "
        "7.75 take 50 ms against 41). The slowest step went from 67.4 to 62.2 ms, the median "
        "step from 53 to 46 ms (10 loads each, the code before run in turn; the machine was "
        "twice as fast as an hour before). The rest is the base layer, the sites and the "
        "browser's own frame. On 2026-12-03, the machine slower again (the slowest step "
        "84 ms, median of 6 loads), a trace of the first zoom, the slowest step (70-90 ms): "
        "the move's scripts 34-44 ms (corridors 15, sites 7, base layer 8, names 2), then both "
        "canvases' drawing done at the end of that task 15-40 ms (corridors 11-30, sites 4-8), "
        "then the frame 9-15 ms. The sites' stamps were copied from their first drawing then "
        "(5.6 + 2.9 ms of the main thread) until they were made bitmaps as they are drawn; the "
        "step did not move beyond its noise (78.8 against 82.2 ms, 6 loads each in turn). "
        "Drawing the corridors of one style as one path saved 1-4.5 ms at zooms 5.75 and "
        "4.75 and cost 15-17 ms at 7.75 (3 px lines overlapping in one path); dashes with "
        "butt caps saved up to 9 ms (at 7.75), but the dotted stages need round ones. What "
        "would meet 60 ms is not drawing a zoom's corridors at all when it comes: tiles of "
        "them kept per zoom and those of the zooms next to the view's drawn while the page "
        "is idle, their dashes kept in phase across tile edges. Later on 2026-12-03 a trace "
        "of the pan at 7.75 gave 43 ms of its 60 to the canvases' raster and 3-4 ms to the "
        "corridors' script (in the page), and the corridors drawn in a worker again took "
        "64-87 ms a view there, twice the page's (the slowest step 117 ms against 79). So a "
        "pixel once drawn is not drawn again (map-corridors.js): a pan moves the drawing and "
        "draws the strips it uncovers, the views one zoom in and out are drawn ahead while "
        "the page is idle (in idle times of 40 ms or more, so that no frame waits for them), "
        "and each zoom's last drawing is kept. The slowest step went from 69.7 to 58.7 ms and "
        "the median step from 51.4 to 45.2 (3 runs of 2 loads each, the code before run in "
        "turn); the slowest is now the zoom by two, which nothing drawn ahead covers. Later "
        "that day its corridors took 25-33 ms of raster at 7.75, the dashes 12-17 of them "
        "(the dotted stages' round dots most: drawn solid, 18 ms against 30); dots filled "
        "as circles or stamped from a bitmap cost as much, as squares a third. A canvas "
        "drawn onto itself cost 5 ms of copying, through a second canvas 0.5. So the "
        "corridors the map shows are drawn at once and the canvas's margin while the page is "
        "idle: the zoom by two went from 48.8-51.6 to 37.7-38 ms (medians of 12 and 6 loads, "
        "the code before run in turn). The slowest step is now a pan at 5.75 (44-47 ms): its "
        "scripts 16-20 ms (the base layer's SVG paths clipped and rewritten at every move), "
        "then 15-20 ms waiting for the frame while the raster threads draw the base layer's "
        "SVG again (35-47 ms of raster, on the same two cores)."
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
