"""The ``build`` subcommand: the catalogue and seeds into the outputs, or ``--check`` them.

Progress goes to stderr through a :class:`Reporter`, the callback the pipeline reports to.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from geodata import DEFAULT_CATALOGUE, DEFAULT_OUTPUT_DIR, DEFAULT_SEEDS_DIR
from geodata.cachedir import default_cache_dir
from geodata.outputs import ALL_FILES

if TYPE_CHECKING:
    from geodata.build import Progress
    from geodata.geocoding import Locator

DESCRIPTION = """\
Build the atlas: read the catalogue, check every quote against the seed articles, find every
place (offline, in the GeoNames gazetteer), and write atlas.geojson, corridors.geojson,
sites.geojson, sources.json, atlas.gpkg, the share cards' preview images (previews/), the
server's index of them (serving/: what the server would otherwise compute at start) and
manifest.json into the output directory, all or nothing.

Progress is reported on stderr. Exit status: 0 built (or up to date), 1 an error or stale
outputs, 130 interrupted (the previous outputs are left as they were)."""


def add_parser(commands: Any, formatter_class: type[argparse.HelpFormatter]) -> None:
    """Add the ``build`` subcommand to ``commands`` (the subparsers of the main parser)."""
    parser = commands.add_parser(
        "build",
        help="build the GeoJSON outputs from the catalogue",
        description=DESCRIPTION,
        formatter_class=formatter_class,
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1, naming what differs, if the outputs are not what a build "
        "would write or do not match their manifest",
    )
    parser.add_argument(
        "--catalogue", type=Path, default=DEFAULT_CATALOGUE, help="the catalogue YAML to build"
    )
    parser.add_argument(
        "--seeds", type=Path, default=DEFAULT_SEEDS_DIR, help="directory of the source articles"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUTPUT_DIR, help="directory to write the outputs to"
    )
    parser.add_argument(
        "--geocoder",
        choices=("gazetteer", "nominatim"),
        default="gazetteer",
        help="gazetteer: offline GeoNames; nominatim: online, opt-in",
    )
    parser.add_argument(
        "--user-agent",
        default=None,
        help="who is asking, as Nominatim's usage policy requires (needed with nominatim)",
    )
    parser.add_argument(
        "--nominatim-url",
        default="https://nominatim.openstreetmap.org",
        help="base URL of the Nominatim service (e.g. a self-hosted one)",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="fail at once if another build of the same directory is running, "
        "instead of waiting for it",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="report no progress, only errors"
    )
    parser.set_defaults(run=run_build)


class Reporter:
    """Shows a build's progress on ``stream``.

    On a terminal each step is one line, redrawn in place as its count advances; anywhere
    else (a log, a pipe) the output is plain lines with no control codes, and counts are
    written at most every ``interval`` seconds, and when a step's count is complete.
    """

    def __init__(self, stream: TextIO, *, live: bool | None = None, interval: float = 1.0):
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self.interval = interval
        self._open_line = False  # a live line is on screen, not yet ended
        self._last_count = 0.0

    def __call__(self, progress: Progress) -> None:
        """Report one event of the pipeline (this is the callback it is given)."""
        if not progress.step:
            self._show(progress.what, open_line=False)
            return
        text = f"[{progress.step}/{progress.steps}] {progress.what}"
        now = time.monotonic()
        if progress.done is None:
            self._last_count = now
            self._show(f"{text} …", open_line=True)
            return
        complete = progress.done == progress.total
        if not self.live and not complete and now - self._last_count < self.interval:
            return
        self._last_count = now
        self._show(f"{text}: {progress.done:,} of {progress.total:,}", redraw=True)

    def finish(self) -> None:
        """End a live line still open, so what is printed next starts on a line of its own."""
        if self._open_line:
            self.stream.write("\n")
            self.stream.flush()
            self._open_line = False

    def _show(self, text: str, *, open_line: bool = True, redraw: bool = False) -> None:
        """Write ``text``; live, it replaces the open line (``redraw``) or starts a new one."""
        if not self.live:
            self.stream.write(f"{text}\n")
        elif redraw and self._open_line:
            # \r returns to the start of the line, ESC [K clears what is left of it.
            self.stream.write(f"\r\x1b[K{text}")
        else:
            self.finish()
            self.stream.write(text if open_line else f"{text}\n")
            self._open_line = open_line
        self.stream.flush()

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.finish()


def _locator(args: argparse.Namespace) -> Locator | None:
    """The Nominatim locator if asked for; None lets the pipeline load the gazetteer."""
    from geodata.geocoding import make_nominatim_locator

    if args.geocoder == "nominatim":
        return make_nominatim_locator(
            args.user_agent or "", default_cache_dir() / "nominatim.json", args.nominatim_url
        )
    return None


def run_build(args: argparse.Namespace) -> int:
    """Run ``build`` (or ``build --check``); returns the exit status."""
    # Imported here, not with the module: every command's parser is made at each start,
    # and `serve` should not wait for the build's modules.
    from cli.previews import preview_style
    from geodata.build import build, check
    from webapp.serving_index import serving_files

    started = time.perf_counter()
    with Reporter(sys.stderr) as reporter:
        progress = None if args.quiet else reporter
        common = {
            "catalogue_path": args.catalogue,
            "seeds_dir": args.seeds,
            "previews": preview_style(),  # the share cards, drawn as the map draws
            "serving": serving_files,  # what the server would compute at start
        }
        try:
            if args.check:
                problems = check(args.out, locator=_locator(args), progress=progress, **common)
            else:
                compiled = build(
                    args.out,
                    locator=_locator(args),
                    progress=progress,
                    wait=not args.no_wait,
                    **common,
                )
        except KeyboardInterrupt:
            reporter.finish()
            print("interrupted: outputs left unchanged", file=sys.stderr)
            return 130
    if args.check:
        for line in problems:
            print(f"stale: {line}", file=sys.stderr)
        if problems:
            print("run `corridor-atlas build` and commit the result", file=sys.stderr)
            return 1
        if not args.quiet:
            print(f"up to date: {', '.join(ALL_FILES)} in {args.out}")
        return 0
    if not args.quiet:
        seconds = time.perf_counter() - started
        print(
            f"built {compiled.corridors} corridors and {compiled.sites} sites "
            f"({compiled.not_mapped} items listed as not mapped) into {args.out} "
            f"in {seconds:.2f} s"
        )
    return 0
