"""The ``publish`` subcommand: the reader-facing atlas as static files (``webapp.publish``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.options import add_data_dir

DESCRIPTION = """\
Write the whole reader-facing atlas into DIR as static files: the map and embed pages, every
feature and source page, the features table's pages, the data page with every download, the
large map's feed, the API definition and the OGC API's collections and items as JSON, in
English and (under ru/) Russian, with .gz and .br copies and a configuration for nginx
(DIR/_server/nginx.conf) and for static hosts (DIR/_headers). Links are relative: the site
works at any path. DIR is replaced only once the new site is complete.

Queries only a running app answers (q, bbox, near, as_of, selections) are linked to
--live-api where given.
Exit status: 0 published, 1 an error (bad data, a page the app would not give, a DIR that
cannot be written)."""


def add_parser(commands: Any, formatter_class: type[argparse.HelpFormatter]) -> None:
    """Add the ``publish`` subcommand to ``commands`` (the subparsers of the main parser)."""
    parser = commands.add_parser(
        "publish",
        help="write the atlas as static files for any web server or CDN",
        description=DESCRIPTION,
        formatter_class=formatter_class,
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="the site's document root")
    add_data_dir(parser)
    parser.add_argument(
        "--live-api",
        metavar="URL",
        default=None,
        help="a running atlas answering queries, e.g. https://api.atlas.example (none: the "
        "site says no live API is configured)",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        default=None,
        help="where the site will be served, e.g. https://atlas.example/atlas, for the share "
        "cards' absolute links (none: relative links only)",
    )
    parser.set_defaults(run=run_publish)


def _url(value: str | None, option: str) -> str | None:
    if value is not None and not value.startswith(("http://", "https://")):
        raise ValueError(f"{option} must start with http:// or https://, not {value!r}")
    return value.rstrip("/") if value else None


def run_publish(args: argparse.Namespace) -> int:
    """Publish, print what was written; the exit status."""
    from webapp.model.atlas import AtlasDataError
    from webapp.publish import PublishError, publish_site

    try:
        report = publish_site(
            args.dir,
            data_dir=args.data_dir,
            live_api=_url(args.live_api, "--live-api"),
            public_url=_url(args.public_url, "--public-url"),
        )
    except (AtlasDataError, PublishError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(
        f"published {report.files} files ({report.pages} pages, {report.bytes:,} bytes; "
        f"{report.compressed_bytes:,} bytes of .gz and .br) into {args.dir} "
        f"in {report.seconds:.1f} s"
    )
    return 0
