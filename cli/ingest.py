"""The ``ingest`` subcommand: articles in, ``proposals/<stem>.yaml`` (and GeoJSON) out.

Every article is read and checked before anything is written, so a bad input (binary, empty,
not UTF-8, HTML, too large) fails with one line and writes nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

from geodata import DEFAULT_CATALOGUE, PROJECT_DIR
from geodata.ingest.text import Article, ArticleError, read_article

DEFAULT_PROPOSALS_DIR = PROJECT_DIR / "proposals"

DESCRIPTION = """\
Read news articles (UTF-8 plain text; '-' reads stdin) and propose the corridors, sites and
places they name, each with the verbatim sentences that say so (0-based character offsets)
and a resolved position. Writes <out>/<article stem>.yaml per article for a curator to
review; statuses a curator set in an earlier file are kept (rejected stays rejected).

Exit status: 0 done, 1 an unreadable article or another error (nothing is written)."""


def add_parser(commands: Any, formatter_class: type[argparse.HelpFormatter]) -> None:
    """Add the ``ingest`` subcommand to ``commands`` (the subparsers of the main parser)."""
    parser = commands.add_parser(
        "ingest",
        help="propose corridors, sites and places from news articles",
        description=DESCRIPTION,
        formatter_class=formatter_class,
    )
    parser.add_argument("articles", nargs="+", metavar="ARTICLE", help="text files, or -")
    parser.add_argument("--title", help="the article's title (else its headline, if it has one)")
    parser.add_argument(
        "--published", metavar="YYYY-MM-DD", help="publication date (else a dateline, if any)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_PROPOSALS_DIR, help="directory for the YAML files"
    )
    parser.add_argument("--geojson", type=Path, help="also write every proposal to this file")
    parser.add_argument(
        "--catalogue",
        type=Path,
        default=DEFAULT_CATALOGUE,
        help="the catalogue proposals are matched against (existing: <id>)",
    )
    parser.set_defaults(run=run_ingest)


def _read(name: str, args: argparse.Namespace) -> tuple[Article, bytes]:
    if name == "-":
        data = sys.stdin.buffer.read()
        label = f"stdin-{hashlib.sha256(data).hexdigest()[:16]}.txt"
    else:
        path = Path(name)
        if path.is_dir():
            raise ArticleError(f"{name}: a directory, not an article")
        data = path.read_bytes()
        label = path.name
    return read_article(data, label, title=args.title, published=args.published), data


def run_ingest(args: argparse.Namespace) -> int:
    """Run ``ingest``; returns the exit status."""
    # Imported here, not with the module: every command's parser is made at each start,
    # and `serve` should not wait for the pipeline's modules.
    from geodata.catalogue import load_catalogue
    from geodata.ingest.output import (
        keep_statuses,
        proposals_path,
        to_geojson,
        to_yaml,
        write_atomically,
    )
    from geodata.ingest.pipeline import Ingester

    if args.articles.count("-") > 1:
        raise ArticleError("'-' (stdin) can be given only once")
    articles = [_read(name, args) for name in args.articles]
    ingester = Ingester(load_catalogue(args.catalogue))
    results = [(article, *ingester.ingest(article)) for article, _ in articles]
    for (article, document, _), (_, data) in zip(results, articles, strict=True):
        path = proposals_path(args.out, article.name)
        keep_statuses(document, path)
        # The article, unchanged, beside its proposals: review and accept read it from there.
        write_atomically(args.out / article.name, data)
        write_atomically(path, to_yaml(document))
        print(summary(path, document))
    if args.geojson:
        write_atomically(args.geojson, to_geojson([(a.name, p) for a, _, p in results]))
        print(f"wrote {args.geojson}")
    return 0


def summary(path: Path, document: dict[str, Any]) -> str:
    """Counts per role and the proposals that need a curator's decision, with why."""
    proposals = document["proposals"]
    counts = {
        role: sum(p["role"] == role for p in proposals) for role in ("corridor", "site", "place")
    }
    undecided = [p for p in proposals if p["needs_decision"] and p["status"] == "pending"]
    existing = sum(p["existing"] is not None for p in proposals)
    lines = [
        f"{document['article']}: {counts['corridor']} corridors, {counts['site']} sites, "
        f"{counts['place']} places ({existing} already catalogued) -> {path}; "
        f"{len(undecided)} need a decision"
    ]
    lines += [f"  {p['id']}: {'; '.join(p['needs_decision'])}" for p in undecided]
    return "\n".join(lines)
