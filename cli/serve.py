"""The ``serve`` subcommand: the web app on granian (default) or waitress."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli.options import add_data_dir

DESCRIPTION = """\
Serve the atlas: the map, the pages, the downloads, the API and the OGC API, from the built
files in the data directory (checked when the server starts; it refuses missing or damaged
data, naming the file).

Behind a reverse proxy, give --public-url (every absolute link then starts with it, and the
Host header is never reflected) and, if the proxy sets X-Forwarded-* headers, --proxy-headers.
Exit status: 0 stopped (SIGTERM or Ctrl-C), 1 an error (bad data, a busy port)."""


def add_parser(commands: Any, formatter_class: type[argparse.HelpFormatter]) -> None:
    """Add the ``serve`` subcommand to ``commands`` (the subparsers of the main parser)."""
    parser = commands.add_parser(
        "serve",
        help="serve the atlas (granian, or waitress)",
        description=DESCRIPTION,
        formatter_class=formatter_class,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (0: a free one)")
    add_data_dir(parser)
    parser.add_argument(
        "--server",
        choices=("granian", "waitress"),
        default="granian",
        help="granian (Rust, fast) or waitress (pure Python)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="processes, each holding the atlas (granian only)"
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="threads running the app, per process"
    )
    parser.add_argument(
        "--proxy-headers",
        type=int,
        default=0,
        metavar="N",
        help="trust the X-Forwarded-For/-Proto/-Host/-Port headers of N proxies in front "
        "(0: ignore them; 1 behind one TLS proxy that sets them)",
    )
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address every absolute link starts with, e.g. https://atlas.example "
        "(none: links use the request's own address)",
    )
    parser.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Serve until stopped; the exit status."""
    from webapp.model.atlas import AtlasDataError
    from webapp.server import ServeError, serve

    try:
        serve(
            args.host,
            args.port,
            args.data_dir,
            args.server,
            args.workers,
            args.threads,
            proxy_headers=args.proxy_headers,
            public_url=args.public_url,
        )
    except (AtlasDataError, ServeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C while the data loads, before the server took over
        return 130
    return 0
