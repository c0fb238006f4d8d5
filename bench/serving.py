"""Benchmark 4: requests/s and p99 under 50 connections (wrk), against nginx on the same bytes.

The atlas is served by ``corridor-atlas serve`` on granian (its default, one worker) and on
waitress (``--server waitress``); nginx (Debian's) serves the same bytes from disk:
atlas.geojson as the build wrote it, and the very bodies the atlas answered for the API query
and the map page, saved to files. wrk, the servers and nginx share the machine's cores, alike
for all of them, which makes single runs noisy: each figure is the better of two runs.
"""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

from bench.tools import Load, Row, atlas_server, nginx, wrk

SECTION = "4. Serving (50 connections, wrk)"
SECONDS = 8
RUNS = 2
TARGET = 0.30
#: What is asked for, and the file nginx serves the same bytes from.
ENDPOINTS = {
    "/data/atlas.geojson": "atlas.geojson",
    "/api/features?bbox=60,35,75,45": "api-bbox.json",
    "/": "index.html",
}


#: The servers ``corridor-atlas serve`` runs on, its default first.
SERVERS = ("granian", "waitress")


def _save_bodies(url: str, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for path, name in ENDPOINTS.items():
        with urllib.request.urlopen(url + path, timeout=30) as response:
            (root / name).write_bytes(response.read())


def _best(url: str) -> Load:
    """The run with the most requests/s of :data:`RUNS`."""
    return max((wrk(url, SECONDS) for _ in range(RUNS)), key=lambda load: load.requests_per_second)


def run(work: Path, data_dir: Path) -> list[Row]:
    measured: dict[tuple[str, str], Load] = {}
    root = work / "nginx-root"
    for server in SERVERS:
        with atlas_server(data_dir, server) as (url, _, _):
            if not root.exists():
                _save_bodies(url, root)
            for path in ENDPOINTS:
                measured[(server, path)] = _best(url + path)
    shutil.copyfile(data_dir / "atlas.geojson", root / "atlas.geojson")
    with nginx(root, work / "nginx") as url:
        for path, name in ENDPOINTS.items():
            measured[("nginx", path)] = _best(f"{url}/{name}")
    rows = []
    for path in ENDPOINTS:
        reference = measured[("nginx", path)]
        for server in SERVERS:
            load = measured[(server, path)]
            throughput = load.requests_per_second / reference.requests_per_second
            # The target is the served atlas's: `corridor-atlas serve`'s default server.
            is_download = path == "/data/atlas.geojson" and server == SERVERS[0]
            rows.append(
                Row(
                    SECTION,
                    f"{path} via {server}, requests/s",
                    load.requests_per_second,
                    "req/s",
                    "nginx, same bytes from disk",
                    reference.requests_per_second,
                    target=f"≥ {TARGET:.0%} of nginx" if is_download else "",
                    met=(throughput >= TARGET) if is_download else None,
                    digits=0,
                )
            )
            rows.append(
                Row(
                    SECTION,
                    f"{path} via {server}, p99 ms",
                    load.p99_ms,
                    "ms",
                    "nginx, same bytes from disk",
                    reference.p99_ms,
                )
            )
            for name, each in ((server, load), ("nginx", reference)):
                if each.errors:
                    raise RuntimeError(f"{name} answered {each.errors} errors for {path}")
    return rows
