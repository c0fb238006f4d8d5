"""Options that more than one subcommand takes, each defined once."""

from __future__ import annotations

import argparse
from pathlib import Path

from geodata import DEFAULT_OUTPUT_DIR


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """``--data-dir``: the built files a command reads (default: the committed outputs)."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help="directory of the built files (atlas.geojson, ..., manifest.json)",
    )
