"""The ``corridor-atlas`` command: ``build`` the GeoJSON, or ``serve`` the atlas.

corridor-atlas build            # catalogue -> geodata/*.geojson (offline)
corridor-atlas build --check    # exit 1, naming what differs, if the outputs are stale
corridor-atlas serve            # granian on http://127.0.0.1:8000 (--server waitress, --workers N)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.build import run_build
from cli.serve import run_serve
from geodata import DEFAULT_CATALOGUE, DEFAULT_OUTPUT_DIR, DEFAULT_SEEDS_DIR
from geodata.errors import AtlasError


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except AtlasError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="corridor-atlas", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the GeoJSON from the catalogue")
    build.add_argument("--check", action="store_true", help="only report stale outputs")
    build.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    build.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS_DIR)
    build.add_argument("--out", type=Path, default=DEFAULT_OUTPUT_DIR)
    build.add_argument(
        "--geocoder",
        choices=("gazetteer", "nominatim"),
        default="gazetteer",
        help="gazetteer (offline GeoNames, default) or nominatim (online, opt-in)",
    )
    build.add_argument("--user-agent", default="", help="required with --geocoder nominatim")
    build.add_argument(
        "--nominatim-url",
        default="https://nominatim.openstreetmap.org",
        help="base URL of the Nominatim service (e.g. a self-hosted one)",
    )
    build.set_defaults(run=run_build)

    serve = commands.add_parser("serve", help="serve the atlas (granian, or waitress)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    serve.add_argument("--data-dir", type=Path, default=DEFAULT_OUTPUT_DIR)
    serve.add_argument(
        "--server",
        choices=("granian", "waitress"),
        default="granian",
        help="granian (Rust, default) or waitress (pure Python)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes, each holding the atlas (granian only; default 1)",
    )
    serve.add_argument(
        "--threads",
        type=int,
        default=4,
        help="threads running the app, per process (default 4)",
    )
    serve.set_defaults(run=run_serve)
    return parser


if __name__ == "__main__":
    sys.exit(main())
