"""The ``accept`` subcommand: a proposals file's accepted entries into the catalogue.

The work is :func:`geodata.accept.accept`; this module only parses the options and reports.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from geodata import DEFAULT_CATALOGUE, DEFAULT_OUTPUT_DIR, DEFAULT_SEEDS_DIR

DESCRIPTION = """\
Write the accepted proposals of a proposals file (from `corridor-atlas ingest`) into the
catalogue: each entry is checked with the catalogue's models and its quotes against the
article; the catalogue keeps its comments and order (the previous one is kept as
catalogue.yaml.bak), the article is copied into the seeds and the outputs are rebuilt. If the
rebuild fails, the catalogue and seeds are put back as they were."""


def add_parser(commands: Any, formatter_class: type[argparse.HelpFormatter]) -> None:
    """Add the ``accept`` subcommand to ``commands`` (the subparsers of the main parser)."""
    parser = commands.add_parser(
        "accept",
        help="write accepted proposals into the catalogue and rebuild",
        description=DESCRIPTION,
        formatter_class=formatter_class,
    )
    parser.add_argument("proposals", type=Path, help="the proposals file (proposals/<stem>.yaml)")
    parser.add_argument(
        "--only",
        type=_ids,
        default=None,
        help="comma-separated proposal ids to accept, whatever their status (not rejected ones)",
    )
    parser.add_argument(
        "--catalogue", type=Path, default=DEFAULT_CATALOGUE, help="the catalogue YAML to write"
    )
    parser.add_argument(
        "--seeds", type=Path, default=DEFAULT_SEEDS_DIR, help="directory of the source articles"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUTPUT_DIR, help="directory of the built outputs"
    )
    parser.add_argument(
        "--article",
        type=Path,
        default=None,
        help="the article file (default: beside the proposals file, or already in the seeds)",
    )
    parser.add_argument("--no-build", action="store_true", help="do not rebuild the outputs")
    parser.set_defaults(run=run_accept)


def _ids(value: str) -> list[str]:
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("expected one or more proposal ids, comma-separated")
    return ids


def run_accept(args: argparse.Namespace) -> int:
    """Run ``accept``; returns the exit status (errors are reported by the caller)."""
    # Imported here, not with the module: every command's parser is made at each start,
    # and `serve` should not wait for the build's modules.
    from cli.previews import preview_style
    from geodata.accept import accept
    from webapp.serving_index import serving_files

    done = accept(
        args.proposals,
        only=args.only,
        catalogue_path=args.catalogue,
        seeds_dir=args.seeds,
        out_dir=args.out,
        article=args.article,
        rebuild=not args.no_build,
        previews=preview_style(),
        serving=serving_files,
    )
    print(f"added: {', '.join(done.added) or 'none'}")
    print(f"new sources for: {', '.join(done.sourced) or 'none'}")
    if done.unchanged:
        print(f"nothing to write for: {', '.join(done.unchanged)}")
    if done.seed is not None:
        print(f"copied the article to {done.seed}")
    print(f"rebuilt {args.out}" if done.built else "outputs not rebuilt")
    return 0
