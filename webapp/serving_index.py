"""Making the serving index (read back by :mod:`webapp.model.serving`): the work of every
part the server would otherwise do at start, done once by the build.

It sits above the parts, as the factory does, because it asks the map for its feed and the
pages for the table's ranks; the model, which reads the index, imports no part.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path

from geodata.outputs import ATLAS, SOURCES
from webapp.http.representation import compress
from webapp.map import pagedata
from webapp.model.articles import Article
from webapp.model.atlas import check_split_files, feature_check
from webapp.model.persist import ArrayWriter
from webapp.model.schema import SourceIndex
from webapp.model.search import FeatureIndex
from webapp.model.serving import ARRAYS, BOUND, FORMAT, INDEX, code_version
from webapp.model.store import FeatureStore
from webapp.pages.table import TableOrder


def serving_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The serving index of a build's ``files`` (name -> bytes), as files to publish with them.

    Every feature and article is validated against the data contract here, and the split
    files checked to hold the corridors and the sites of atlas.geojson, as the server does
    when it starts without an index; a file that breaks either stops the build, naming it.
    """
    store = FeatureStore.from_bytes(files[ATLAS], check=feature_check(Path(ATLAS)))
    check_split_files(Path(), store, {name: io.BytesIO(files[name]) for name in BOUND})
    index = FeatureIndex(store)
    feed, first = pagedata.map_feed(store), pagedata.first_view(store)
    feeds = {"features.json": (feed, compress(feed)), pagedata.FIRST_VIEW: (first, compress(first))}
    sources = SourceIndex.model_validate_json(files[SOURCES])
    writer = ArrayWriter()
    trees = {
        "store": writer.dump(store),
        "ranking": writer.dump(index.ranking()),
        "table": writer.dump(TableOrder(store)),
        "feeds": writer.dump(feeds),
        "articles": writer.dump([Article.from_seed(seed) for seed in sources.seeds]),
    }
    document = {
        "format": FORMAT,
        "code": code_version(),
        "files": {name: hashlib.sha256(files[name]).hexdigest() for name in BOUND},
        "trees": trees,
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return {INDEX: text.encode(), ARRAYS: writer.getvalue()}
