"""Benchmark 5: a synthetic atlas of 100,000 sites and 1,000 corridors (bench/synthetic.py).

* Build: ``corridor-atlas build`` as a child process, its time and peak memory (wait4), beside
  the same build of a tenth of the catalogue (10,000 sites, 100 corridors): linear scaling
  would make the ratio 10.
* The server (``corridor-atlas serve``): time until it answers, and its peak memory after the
  queries and page loads below, beside the same server over the seed atlas.
* API bbox queries: 300 boxes of 0.5° to 4° drawn with a fixed seed inside the region, asked
  one after another over one keep-alive connection; p50/p95 beside the same client fetching a
  file of the median answer's size from nginx.
* The map in Chromium: time until clustered markers show, then how long each pan or zoom takes
  to redraw, beside the seed page's first feature (benchmark 3).
"""

from __future__ import annotations

import http.client
import random
import sys
import time
from pathlib import Path

from bench.browser import browser, first_feature_ms, opened, weight
from bench.synthetic import REGION
from bench.tools import (
    BIN,
    Row,
    atlas_server,
    median,
    nginx,
    percentile,
    rss_mb,
    run_timed,
)

SECTION = "5. Scale (100,000 sites + 1,000 corridors)"
SITES, CORRIDORS = 100_000, 1_000
QUERIES = 300
LOADS = 3
HTML_TARGET = 60 * 1024
API_P95_TARGET_MS = 25.0
MAP_TARGET_MS = 3000.0
MEMORY_TARGET_MB = 300.0
STEP_TARGET_MS = 100.0

#: Pans and zooms, each timed until the clusters of the new view are drawn.
PAN_AND_ZOOM = """
async () => {
  const map = CorridorAtlas.app.map;
  const steps = [
    () => map.setZoom(map.getZoom() + 1, { animate: false }),
    () => map.panBy([300, 200], { animate: false }),
    () => map.setZoom(map.getZoom() + 2, { animate: false }),
    () => map.panBy([-400, 150], { animate: false }),
    () => map.setZoom(map.getZoom() + 3, { animate: false }),
    () => map.panBy([200, -300], { animate: false }),
    () => map.setZoom(map.getZoom() - 6, { animate: false }),
  ];
  const times = [];
  for (const step of steps) {
    const started = performance.now();
    const drawn = new Promise((resolve) => map.once("atlasdrawn", resolve));
    step();
    await drawn;
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    times.push(performance.now() - started);
  }
  return times;
}
"""

#: One category of sites switched off in the filters: every passing site reclustered.
FILTER = """
() => {
  const app = CorridorAtlas.app;
  const key = app.data.categories.find((c) => c.kind === "site").key;
  const started = performance.now();
  app.filters.setCategory(key, false);
  app.filters.apply();
  const ms = performance.now() - started;
  app.filters.setCategory(key, true);
  app.filters.apply();
  return ms;
}
"""


def _catalogue(path: Path, sites: int, corridors: int) -> Path:
    if not path.exists():
        args = [sys.executable, "-m", "bench.synthetic", "--sites", str(sites)]
        args += ["--corridors", str(corridors), "--out", str(path)]
        done = run_timed(args)
        if done.returncode != 0:
            raise RuntimeError(done.output)
    return path


def _build(catalogue: Path, out: Path, cache: Path):
    args = [str(BIN / "corridor-atlas"), "build", "--catalogue", str(catalogue), "--out", str(out)]
    done = run_timed(args, env={"CORRIDOR_ATLAS_CACHE": str(cache)})
    if done.returncode != 0:
        raise RuntimeError(f"the synthetic build failed:\n{done.output}")
    return done


def _boxes(count: int) -> list[str]:
    rng = random.Random(6)
    west, south, east, north = REGION
    boxes = []
    for _ in range(count):
        size = rng.uniform(0.5, 4.0)
        lon, lat = rng.uniform(west, east - size), rng.uniform(south, north - size)
        boxes.append(f"{lon:.3f},{lat:.3f},{lon + size:.3f},{lat + size:.3f}")
    return boxes


def _timed_gets(host: str, port: int, paths: list[str]) -> tuple[list[float], list[bytes]]:
    connection = http.client.HTTPConnection(host, port, timeout=60)
    times, bodies = [], []
    for path in paths:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        bodies.append(body)
    connection.close()
    return times, bodies


def _api(url: str, work: Path) -> tuple[list[float], list[float]]:
    host, port = url.removeprefix("http://").split(":")
    paths = [f"/api/features?bbox={box}" for box in _boxes(QUERIES)]
    times, bodies = _timed_gets(host, int(port), paths)
    typical = sorted(bodies, key=len)[len(bodies) // 2]
    root = work / "nginx-api"
    root.mkdir(parents=True, exist_ok=True)
    (root / "answer.json").write_bytes(typical)
    with nginx(root, work / "nginx-scale") as static:
        host, port = static.removeprefix("http://").split(":")
        reference, _ = _timed_gets(host, int(port), ["/answer.json"] * QUERIES)
    return times, reference


def _map(url: str) -> dict:
    with browser() as chrome:
        times, measured, steps, filter_ms = [], None, [], 0.0
        for _ in range(LOADS):
            with opened(chrome, url + "/", ".atlas-cluster", [url]) as page:
                ms = first_feature_ms(page, timeout_ms=120000)
                times.append(ms)
                if measured is None:
                    page.wait_for_function("() => !!(window.CorridorAtlas && CorridorAtlas.app)")
                    measured = weight(page, ms, [url])
                    steps = page.evaluate(PAN_AND_ZOOM)
                    filter_ms = page.evaluate(FILTER)
    return {"ms": median(times), "weight": measured, "steps": steps, "filter_ms": filter_ms}


def run(work: Path, cache: Path, seed_data: Path, seed_first_ms: float) -> list[Row]:
    big = _catalogue(work / "synthetic-100k.json", SITES, CORRIDORS)
    small = _catalogue(work / "synthetic-10k.json", SITES // 10, CORRIDORS // 10)
    built = _build(big, work / "data-100k", cache)
    tenth = _build(small, work / "data-10k", cache)
    rows = [
        Row(SECTION, "build time, s", built.seconds, "s", "build of 10k + 100", tenth.seconds),
        Row(
            SECTION,
            "build peak memory, MB",
            built.max_rss_mb,
            "MB",
            "build of 10k + 100",
            tenth.max_rss_mb,
            digits=0,
        ),
    ]
    with atlas_server(seed_data) as (_, seed_process, seed_start):
        seed_rss = rss_mb(seed_process.pid, peak=True)
    with atlas_server(work / "data-100k", timeout=900) as (url, process, started):
        start_rss = rss_mb(process.pid)
        api_ms, nginx_ms = _api(url, work)
        shown = _map(url)
        peak = rss_mb(process.pid, peak=True)
    ref_api = "nginx, a file of the median answer's size"
    seed = "seed atlas"
    weight_ = shown["weight"]
    steps = shown["steps"]
    rows += [
        Row(SECTION, "server start until it answers, s", started, "s", seed, seed_start),
        Row(SECTION, "server memory after start, MB", start_rss, "MB", seed, seed_rss, digits=0),
        Row(
            SECTION,
            "server peak memory (after the queries and page loads), MB",
            peak,
            "MB",
            "seed atlas, after start",
            seed_rss,
            target=f"≤ {MEMORY_TARGET_MB:.0f} MB",
            met=peak <= MEMORY_TARGET_MB,
            digits=0,
        ),
        Row(
            SECTION,
            f"API bbox p50 ({QUERIES} boxes), ms",
            percentile(api_ms, 0.5),
            "ms",
            ref_api,
            percentile(nginx_ms, 0.5),
        ),
        Row(
            SECTION,
            f"API bbox p95 ({QUERIES} boxes), ms",
            percentile(api_ms, 0.95),
            "ms",
            ref_api,
            percentile(nginx_ms, 0.95),
            target=f"≤ {API_P95_TARGET_MS:.0f} ms",
            met=percentile(api_ms, 0.95) <= API_P95_TARGET_MS,
        ),
        Row(
            SECTION,
            "map page HTML, bytes",
            weight_.html,
            "B",
            "60 KB target",
            HTML_TARGET,
            target="≤ 60 KB",
            met=weight_.html <= HTML_TARGET,
            digits=0,
        ),
        Row(
            SECTION,
            "map: HTML + files + features, gzip bytes",
            weight_.total_gzip,
            "B",
            "the same, plain",
            weight_.total,
            digits=0,
        ),
        Row(
            SECTION,
            f"map: clustered markers shown (median of {LOADS}), ms",
            shown["ms"],
            "ms",
            "seed page, first feature",
            seed_first_ms,
            target=f"≤ {MAP_TARGET_MS / 1000:g} s",
            met=shown["ms"] <= MAP_TARGET_MS,
            digits=0,
        ),
        Row(
            SECTION,
            f"map: slowest of {len(steps)} pans and zooms, redrawn in ms",
            max(steps),
            "ms",
            "median step",
            median(steps),
            target=f"≤ {STEP_TARGET_MS:.0f} ms",
            met=max(steps) <= STEP_TARGET_MS,
            digits=0,
        ),
        Row(
            SECTION,
            "map: a category filtered out (100k reclustered), ms",
            shown["filter_ms"],
            "ms",
            "slowest pan or zoom",
            max(steps),
            digits=0,
        ),
    ]
    return rows
