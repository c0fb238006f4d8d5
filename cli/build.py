"""``corridor-atlas build``: the catalogue and seeds into the GeoJSON outputs, or ``--check``."""

from __future__ import annotations

import argparse
import sys
import time

from geodata.build import compile_atlas, stale_outputs, write_atomically
from geodata.gazetteer import default_cache_dir
from geodata.geocoding import GazetteerLocator, Locator, make_nominatim_locator


def _locator(args: argparse.Namespace) -> Locator:
    if args.geocoder == "nominatim":
        return make_nominatim_locator(
            args.user_agent, default_cache_dir() / "nominatim.json", args.nominatim_url
        )
    return GazetteerLocator()


def run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    compiled = compile_atlas(args.catalogue, args.seeds, _locator(args))
    if args.check:
        stale = stale_outputs(args.out, compiled.files)
        for line in stale:
            print(f"stale: {line}", file=sys.stderr)
        if stale:
            print("run `corridor-atlas build` and commit the result", file=sys.stderr)
            return 1
        print(f"up to date: {', '.join(compiled.files)} in {args.out}")
        return 0
    write_atomically(args.out, compiled.files)
    seconds = time.perf_counter() - started
    print(
        f"built {compiled.corridors} corridors and {compiled.sites} sites "
        f"({compiled.not_mapped} items listed as not mapped) into {args.out} in {seconds:.2f} s"
    )
    return 0
