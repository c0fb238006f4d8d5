"""The ``corridor-atlas`` command, one module per subcommand.

corridor-atlas ingest ARTICLE   # proposals/<stem>.yaml: proposed corridors, sites and places
corridor-atlas review           # a local, token-protected page to accept, edit or reject them
corridor-atlas accept FILE      # accepted proposals into the catalogue, then a rebuild
corridor-atlas build            # catalogue -> geodata/*.geojson and manifest.json (offline)
corridor-atlas build --check    # exit 1, naming what differs, if the outputs are stale
corridor-atlas serve            # granian on http://127.0.0.1:8000 (--server waitress, --workers N)
corridor-atlas publish DIR      # the reader-facing atlas as static files, for nginx or a CDN
"""

from __future__ import annotations

import argparse
import gc
import sys
from importlib import metadata
from typing import NoReturn

from cli import accept as accept_command
from cli import build as build_command
from cli import ingest as ingest_command
from cli import publish as publish_command
from cli import review as review_command
from cli import serve as serve_command
from geodata.errors import AtlasError

DESCRIPTION = """\
The Corridor Atlas: a web atlas of the transport corridors and industrial sites of Central
Asia, every fact cited to its source article."""

EPILOG = """\
examples:
  corridor-atlas ingest new.txt   propose the corridors, sites and places of an article
  corridor-atlas review           review the proposals on a local page (token in the address)
  corridor-atlas build            build the outputs from the catalogue (offline)
  corridor-atlas build --check    exit 1, naming what differs, if the outputs are stale
  corridor-atlas serve            serve the atlas on http://127.0.0.1:8000

'corridor-atlas COMMAND --help' describes each command's options."""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Every option's help ends with its default; descriptions keep their line breaks."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status.

    Every failure a user can meet ends as one line on stderr and a status: 1 for an error
    (the pipeline's, or the operating system's: a directory that cannot be written, a file
    that cannot be read), 130 for Ctrl-C.
    """
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except AtlasError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"error: {_describe_os_error(err)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run() -> NoReturn:
    """The console script (and ``python -m cli``): :func:`main`, then exit with its status.

    Python's finalization walks every object of the 600 modules a build imports with its cycle
    collector, which took 0.3–0.4 s of every command (2026-12-01: the build's imports alone,
    exiting with and without ``gc.freeze()``), a fifth of a warm build. None of those objects
    is garbage when the command is done, so they are frozen out of its sight; the exit handlers
    still run and every file is still flushed and closed. Tests call :func:`main` instead.
    """
    status = main()
    gc.freeze()
    sys.exit(status)


def _describe_os_error(err: OSError) -> str:
    """``'/srv/atlas: Read-only file system'`` rather than ``'[Errno 30] Read-only ...'``."""
    if err.filename is None:
        return err.strerror or str(err)
    names = f"{err.filename} -> {err.filename2}" if err.filename2 else str(err.filename)
    return f"{names}: {err.strerror}"


def _version() -> str:
    try:
        return metadata.version("corridor-atlas")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor-atlas",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"corridor-atlas {_version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    build_command.add_parser(commands, _HelpFormatter)
    ingest_command.add_parser(commands, _HelpFormatter)
    review_command.add_parser(commands, _HelpFormatter)
    accept_command.add_parser(commands, _HelpFormatter)

    serve_command.add_parser(commands, _HelpFormatter)
    publish_command.add_parser(commands, _HelpFormatter)
    return parser


if __name__ == "__main__":
    sys.exit(main())
