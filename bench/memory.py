"""Where the server's memory goes: resident memory after each step of creating the app.

    python -m bench.memory DATA_DIR          # what create_app holds, step by step
    python -m bench.memory --lean DATA_DIR   # what the lean structures alone hold

Run in a child process of its own (the benchmarks do so), it repeats what ``create_app`` does,
step by step, and notes the resident memory (after a garbage collection) once each is done. The
steps' differences are what each structure holds, give or take what the allocator keeps.

``--lean`` builds only what a server needs if the atlas is not held as validated models and
file bytes (see the proposal in bench/RESULTS.md): the feature store reading features back from
the file, the search index, and the map's feed, over atlas.geojson.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: getrusage's survives exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _resident_mb() -> float:
    gc.collect()
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024**2


def profile(data_dir: Path) -> dict:
    steps: list[tuple[str, float, float]] = []
    started = time.perf_counter()

    def note(step: str) -> None:
        steps.append((step, _resident_mb(), time.perf_counter() - started))

    note("Python")
    import webapp
    from webapp.atlas import FILES, load_atlas
    from webapp.maps import render_page
    from webapp.opendata import OpenData

    note("imports (Flask, folium, shapely, numpy, pydantic…)")
    atlas = load_atlas(data_dir)
    note("atlas: files' bytes + validated models (webapp.atlas)")
    data = OpenData(atlas=atlas, store=None)  # type: ignore[arg-type]
    from webapp.featurestore import FeatureStore

    data.store = FeatureStore.from_bytes(atlas.raw["atlas.geojson"])
    note("feature store: spans and columns (webapp.featurestore)")
    _ = data.index
    note("search index: text keys, STRtree of lines (webapp.query)")
    _ = data.downloads
    note("downloads (webapp.downloads)")
    _ = data.openapi, data.map_feed
    note("OpenAPI document, map feed")
    render_page(atlas, webapp.page_assets())
    note("map page rendered (webapp.maps)")
    sizes = {name: (data_dir / name).stat().st_size for name in FILES}
    return {
        "features": len(atlas.features),
        "files_mb": {name: size / 1024**2 for name, size in sizes.items()},
        "steps": [{"step": s, "resident_mb": mb, "seconds": t} for s, mb, t in steps],
        "peak_mb": _peak_mb(),
    }


def lean_profile(data_dir: Path) -> dict:
    steps: list[tuple[str, float, float]] = []
    started = time.perf_counter()

    def note(step: str) -> None:
        steps.append((step, _resident_mb(), time.perf_counter() - started))

    note("Python")
    import webapp  # noqa: F401 - the imports a server makes
    from webapp.featurestore import FeatureStore
    from webapp.http_cache import compress
    from webapp.mapdata import map_feed
    from webapp.query import FeatureIndex

    note("imports (Flask, folium, shapely, numpy, pydantic…)")
    store = FeatureStore.from_file(data_dir / "atlas.geojson")
    note("feature store read from the file, bytes left on disk (webapp.featurestore)")
    FeatureIndex(store)
    note("search index (webapp.query)")
    feed = map_feed(store)
    zipped = compress(feed)
    note(f"map feed, {len(feed) / 1024**2:.1f} MB and its gzip {len(zipped) / 1024**2:.1f} MB")
    return {
        "lean": True,
        "features": len(store),
        "files_mb": {"atlas.geojson": (data_dir / "atlas.geojson").stat().st_size / 1024**2},
        "steps": [{"step": s, "resident_mb": mb, "seconds": t} for s, mb, t in steps],
        "peak_mb": _peak_mb(),
    }


def table(profiled: dict) -> list[str]:
    """The profile as Markdown: each step, what it added, and the running total."""
    lines = [
        f"Resident memory over {profiled['features']:,} features "
        f"(`python -m bench.memory{' --lean' if profiled.get('lean') else ''}`); files: "
        + ", ".join(f"{name} {mb:,.1f} MB" for name, mb in profiled["files_mb"].items())
        + f"; peak {profiled['peak_mb']:,.0f} MB.",
        "",
        "| Step | Added, MB | Resident, MB | Done at, s |",
        "| --- | ---: | ---: | ---: |",
    ]
    previous = 0.0
    for step in profiled["steps"]:
        added = step["resident_mb"] - previous
        lines.append(
            f"| {step['step']} | {added:,.0f} | {step['resident_mb']:,.0f} "
            f"| {step['seconds']:.1f} |"
        )
        previous = step["resident_mb"]
    return lines


if __name__ == "__main__":
    if sys.argv[1] == "--lean":
        print(json.dumps(lean_profile(Path(sys.argv[2]))))
    else:
        print(json.dumps(profile(Path(sys.argv[1]))))
