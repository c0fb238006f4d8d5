"""Where the server's memory goes: resident memory after each step of creating the app.

    python -m bench.memory DATA_DIR

Run in a child process of its own (the benchmarks do so), it repeats what ``create_app`` does,
step by step, and notes the resident memory (after a garbage collection) once each is done. The
steps' differences are what each structure holds, give or take what the allocator keeps.
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
    from flask import Flask

    from webapp import api, downloads, i18n, pages, service, share
    from webapp import map as atlas_map
    from webapp.model.atlas import FILES, load_atlas
    from webapp.model.search import index_of
    from webapp.server import return_freed_memory
    from webapp.state import AtlasState, set_state

    note("imports (Flask, shapely, numpy, pydantic…)")
    atlas = load_atlas(data_dir)
    note(
        "atlas: files copied and hashed; the build's serving index mapped (webapp.model.serving)"
        if atlas.prepared is not None
        else "atlas: no serving index, so every feature validated, columns and spans computed"
    )
    app = Flask("profile")
    app.config["DATA_DIR"] = data_dir
    state = AtlasState(atlas=atlas, index=index_of(atlas))
    set_state(app, state)
    made = "read from the serving index" if atlas.prepared is not None else "computed"
    ranking = made if atlas.prepared is not None else "made at the first text query"
    note(f"search index: STRtree of lines, facets; text ranking {ranking}")
    for foundation in (i18n, service, share):  # as create_app: before the parts, which use them
        foundation.init_app(app)
    note("languages, health check and share cards (webapp.i18n, webapp.service, webapp.share)")
    # Each part prepares its data as create_app has it do, one step at a time.
    for name, part in (
        (
            f"map pages (rendered, or as an earlier start rendered them); the large map's "
            f"feed {made} (webapp.map)",
            atlas_map,
        ),
        (f"the table's sort ranks, {made} (webapp.pages)", pages),
        ("downloads (webapp.downloads)", downloads),
        ("OpenAPI document (webapp.api)", api),
    ):
        part.init_app(app)
        note(name)
    return_freed_memory()
    note("freed heap given back to the system (webapp.server.return_freed_memory)")
    sizes = {name: (data_dir / name).stat().st_size for name in FILES}
    return {
        "features": len(atlas),
        "serving_index": atlas.prepared is not None,
        "files_mb": {name: size / 1024**2 for name, size in sizes.items()},
        "steps": [{"step": s, "resident_mb": mb, "seconds": t} for s, mb, t in steps],
        "peak_mb": _peak_mb(),
    }


def table(profiled: dict) -> list[str]:
    """The profile as Markdown: each step, what it added, and the running total."""
    lines = [
        f"Resident memory over {profiled['features']:,} features "
        "(`python -m bench.memory`); files: "
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
    print(json.dumps(profile(Path(sys.argv[1]))))
