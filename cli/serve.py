"""``corridor-atlas serve``: the web app on granian (default) or waitress."""

from __future__ import annotations

import argparse
import sys


def run_serve(args: argparse.Namespace) -> int:
    from webapp.atlas import AtlasDataError
    from webapp.server import ServeError, serve

    try:
        serve(args.host, args.port, args.data_dir, args.server, args.workers, args.threads)
    except (AtlasDataError, ServeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C while the data loads, before the server took over
        return 130
    return 0
