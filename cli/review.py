"""The ``review`` subcommand: the curator's local review page, on 127.0.0.1 only.

It prints its address with a random token, as notebook servers do; the page refuses any
request without it (see :mod:`webapp.review.guard`).
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path
from typing import Any

from geodata import DEFAULT_CATALOGUE, DEFAULT_OUTPUT_DIR, DEFAULT_SEEDS_DIR

DESCRIPTION = """\
Serve the review page for the proposals of `corridor-atlas ingest`: each article with the
sentences behind every proposal highlighted, a map of the proposals, and accept, reject and
edit for each. It listens on 127.0.0.1 only and needs the token in the address it prints."""

#: The only address the review listens on: it writes the catalogue, so it is never public.
HOST = "127.0.0.1"


def add_parser(commands: Any, formatter_class: type[argparse.HelpFormatter]) -> None:
    """Add the ``review`` subcommand to ``commands`` (the subparsers of the main parser)."""
    parser = commands.add_parser(
        "review",
        help="review proposals in a local, token-protected page",
        description=DESCRIPTION,
        formatter_class=formatter_class,
    )
    parser.add_argument(
        "--proposals", type=Path, default=Path("proposals"), help="directory of proposals files"
    )
    parser.add_argument("--port", type=int, default=8001, help="port (0: any free port)")
    parser.add_argument(
        "--host", default=HOST, help="must be 127.0.0.1: the review is never served publicly"
    )
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help="catalogue")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS_DIR, help="seeds directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUTPUT_DIR, help="outputs directory")
    parser.add_argument("--no-build", action="store_true", help="accept without rebuilding")
    parser.set_defaults(run=run_review)


def run_review(args: argparse.Namespace) -> int:
    """Serve until interrupted; returns the exit status (2 for a host other than 127.0.0.1)."""
    if args.host != HOST:
        print(f"error: the review listens on {HOST} only, not {args.host!r}", file=sys.stderr)
        return 2
    from waitress.server import create_server

    from cli.previews import preview_style
    from webapp.review import create_review_app
    from webapp.serving_index import serving_files

    token = secrets.token_urlsafe(32)
    app = create_review_app(
        {
            "PROPOSALS_DIR": args.proposals,
            "CATALOGUE": args.catalogue,
            "SEEDS_DIR": args.seeds,
            "OUT_DIR": args.out,
            "REBUILD": not args.no_build,
            "PREVIEW_STYLE": preview_style(),
            "SERVING_INDEX": serving_files,
            "REVIEW_TOKEN": token,
        }
    )
    server = create_server(app, host=HOST, port=args.port, threads=4)
    print(
        f"Reviewing {args.proposals} on http://{HOST}:{server.effective_port}/?token={token}",
        flush=True,
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
