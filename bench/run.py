"""Run every benchmark and write bench/RESULTS.md (``make bench``; 47-93 minutes here).

    python -m bench.run                     # all seven
    python -m bench.run --only 1,2,3       # some of them (RESULTS.md then holds only those)

Everything is measured in this one run, each figure beside its reference, on this machine
(described at the top of the results). Most of the time goes to publishing 100,000 features
(benchmark 7); the full runs of 2026-12-01 and 2026-12-02 took 93 and 47 minutes. Temporary
files (builds, the synthetic catalogues, the npm copies of folium's files, nginx's
configuration) live in one temporary directory, removed at the end; nothing is written in the
repository but RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import build, geocoding, languages, mappage, publishing, scale, serving
from bench.report import machine, write_results
from bench.tools import ROOT, Row

RESULTS = ROOT / "bench" / "RESULTS.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="1,2,3,4,5,6,7", help="benchmarks to run, e.g. 1,3")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    chosen = {int(n) for n in args.only.split(",")}
    started = time.perf_counter()
    rows: list[Row] = []
    notes: list[str] = []
    failures: list[str] = []
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as temporary:
        work = Path(temporary)
        work.chmod(0o755)  # nginx's workers (another user) read the files they serve here
        cache = work / "gazetteer-cache"
        cache.mkdir()
        os.environ["CORRIDOR_ATLAS_CACHE"] = str(cache)  # this run's own gazetteer index

        def timed(name: str, function, *arguments, empty=()):
            """Run one benchmark; one that fails is reported and the others still run."""
            print(f"{name}…", flush=True)
            began = time.perf_counter()
            try:
                return function(*arguments)
            except Exception as error:  # reported below; the run then fails
                traceback.print_exc()
                failures.append(f"{name}: {type(error).__name__}: {error}")
                return empty
            finally:
                timings[name] = time.perf_counter() - began

        began = time.perf_counter()
        built, seed_data = build.run(work, cache)  # the others need its data
        timings["1. build"] = time.perf_counter() - began
        rows += built if 1 in chosen else []
        if 2 in chosen:
            rows += timed("2. geocoding", geocoding.rows)
        seed_first_ms = None
        if 3 in chosen or 5 in chosen:
            page_rows, page = timed("3. map page", mappage.run, work, seed_data, empty=([], {}))
            rows += page_rows if 3 in chosen else []
            seed_first_ms = page.get("first_feature_ms", float("nan"))
        if 4 in chosen:
            rows += timed("4. serving", serving.run, work, seed_data)
        if 5 in chosen:
            scaled, notes = timed(
                "5. scale", scale.run, work, cache, seed_data, seed_first_ms, empty=([], [])
            )
            rows += scaled
        if 6 in chosen:
            rows += timed("6. languages", languages.rows, seed_data)
        if 7 in chosen:  # after 5: publishes the 100,000-site atlas benchmark 5 built
            published, seed_publish = timed(
                "7. publishing", publishing.run, work, seed_data, empty=([], None)
            )
            rows += published
            rows += timed("7. publishing 100k", publishing.run_large, work, cache, seed_publish)
    total = time.perf_counter() - started
    write_results(args.out, rows, machine(), timings, total, notes, failures)
    print(f"wrote {args.out} in {total / 60:.1f} min")
    for failure in failures:
        print(f"failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
