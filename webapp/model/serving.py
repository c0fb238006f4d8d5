"""The serving index: what the server would compute at start from every feature, made once
by the build and read at start as a memory map.

Reading atlas.geojson at start means parsing and validating every feature (about 12 s at
100,000 features), then keying names for search, ranking the table's columns and making the
large map's feed. The build hands ``webapp.serving_index.serving_files`` (which makes it)
to ``geodata.build`` (``geodata`` never imports the web app) and publishes its files with the
others, listed in the manifest:

* ``serving/index.json``: what it is bound to (the SHA-256 of each GeoJSON file, of
  sources.json (whose articles it holds with their citations in columns) and
  :func:`code_version`, the hash of the modules that make it), and the objects' structure;
* ``serving/arrays.bin``: every array of those objects, mapped at start (``webapp.model.persist``).

At start :func:`read_prepared` gives the objects back when the index is bound to the files the
server loaded and to the code it runs, else None with the reason, and the server computes
everything as it would without an index (and logs why), so it never serves stale data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geodata.outputs import ATLAS, CORRIDORS, SERVING_DIR, SITES, SOURCES

log = logging.getLogger(__name__)

INDEX = f"{SERVING_DIR}/index.json"
ARRAYS = f"{SERVING_DIR}/arrays.bin"
#: Bumped when the layout of index.json changes.
FORMAT = 2
#: The modules whose code decides what the index holds (relative to the repository): a change
#: to any of them makes an index built before it stale.
CODE = (
    "geodata/names.py",
    "geodata/vocabulary.py",
    "webapp/http/mediatypes.py",
    "webapp/http/representation.py",
    "webapp/i18n/formatting.py",
    "webapp/i18n/vocabulary.py",
    "webapp/model/articles.py",
    "webapp/map/clusters.py",
    "webapp/map/pagedata.py",
    "webapp/model/columns.py",
    "webapp/model/history.py",
    "webapp/model/persist.py",
    "webapp/model/schema.py",
    "webapp/model/search.py",
    "webapp/model/serving.py",
    "webapp/serving_index.py",
    "webapp/model/store.py",
    "webapp/model/text.py",
    "webapp/pages/table.py",
    "webapp/style.py",
)
_ROOT = Path(__file__).resolve().parents[2]
#: The files the index is bound to.
BOUND = (ATLAS, CORRIDORS, SITES, SOURCES)


def code_version() -> str:
    """SHA-256 of the :data:`CODE` modules' sources (each preceded by its path)."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for name in CODE:
        digest.update(f"{name}\n".encode())
        digest.update((_ROOT / name).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Prepared:
    """What an index gives back: the store (without its bytes: the caller gives them), the
    search ranking, the table's ranks, the map's feeds (name -> body and its gzip: the large
    map's features.json, served under /assets/map/, and the first view's clusters its page
    carries) and the articles of sources.json with their citations."""

    store: Any
    ranking: Any
    table: Any
    feeds: dict[str, tuple[bytes, bytes]]
    articles: list[Any]


def read_prepared(
    data_dir: Path, index: bytes | None, arrays: mmap.mmap | None, digests: Mapping[str, str]
) -> Prepared | None:
    """The objects of the index (``index``: index.json's bytes, ``arrays``: arrays.bin mapped)
    if it is bound to the files whose SHA-256 are ``digests`` and to this code; else
    None, logged with the reason (the caller then computes everything from the files)."""
    from webapp.model.persist import restore

    if index is None or arrays is None:
        log.warning("%s: no serving index; computing it from the features", data_dir / INDEX)
        return None
    try:
        document = json.loads(index)
        reason = _mismatch(document, digests)
        if reason is None:
            view = memoryview(arrays)
            trees = document["trees"]
            return Prepared(
                store=restore(trees["store"], view),
                ranking=restore(trees["ranking"], view),
                table=restore(trees["table"], view),
                feeds=restore(trees["feeds"], view),
                articles=restore(trees["articles"], view),
            )
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
        reason = f"unreadable ({err})"
    log.warning("%s: %s; computing it from the features", data_dir / INDEX, reason)
    return None


def _mismatch(document: Any, digests: Mapping[str, str]) -> str | None:
    if document.get("format") != FORMAT:
        return f"format {document.get('format')!r}, not {FORMAT}"
    for name in BOUND:
        if document["files"].get(name) != digests.get(name):
            return f"made for another {name}"
    if document.get("code") != code_version():
        return "made by another version of the code"
    return None
