"""Downloads of a selection: the features the /features table shows, as GeoJSON, CSV or GeoPackage.

``/data/selection.geojson?kind=site&country=UZ`` takes the table's filters (``kind``,
``category``, ``country``, ``status``, ``q``, ``as_of``), parsed by the one parser every listing
uses (``webapp.model.filters``), and selects with the same index as the API, so the file holds
the features ``/api/features`` answers for the same query, in the same order, with the same
properties (with ``as_of``: the flat ``stage`` as of then and the ``as_of`` object). At most
:data:`SELECTION_LIMIT` features, the most one API page gives; the GeoJSON says how many matched.

Each file is made when first asked for and kept (bounded by bytes) for the revalidations and
ranges that follow; its ETag is the hash of its bytes, like every other download's.

>>> query = parse_selection({"country": ["uz"], "kind": ["site"]}, [])
>>> query.countries, query.limit, file_name(query, "gpkg")
(('UZ',), 10000, 'atlas-selection-kind-site-country-uz.gpkg')
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from anyascii import anyascii

from geodata.geopackage import geopackage_bytes
from webapp.cache import BoundedCache
from webapp.downloads.csv import csv_pieces
from webapp.http import mediatypes
from webapp.http.mediatypes import compact_json
from webapp.http.representation import GzipCache, Representation, gzip_cache
from webapp.model.filters import FeatureQuery, FilterError, parse_filters
from webapp.model.history import StagesAsOf, dated
from webapp.model.search import FeatureIndex
from webapp.model.store import FeatureStore
from webapp.model.subsets import SELECTION_FORMATS, SELECTION_PARAMETERS

#: Also accepted, and ignored: the interface language.
LANGUAGE_PARAMETER = "lang"
#: The most features one selection holds: the API's largest page (``webapp.api.params``'s
#: MAX_LIMIT; a test keeps the two equal), so a selection file is never larger than an answer.
SELECTION_LIMIT = 10_000
#: Longest file name offered (without the extension).
MAX_NAME = 80


class SelectionError(ValueError):
    """A parameter of a selection is unknown or has a bad value: names it and says why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def parse_selection(params: Mapping[str, Sequence[str]], categories: Sequence[str]) -> FeatureQuery:
    """The selection ``params`` ask for, as the index's query. Values are read as
    /api/features reads them (an empty value is refused: the table's links give only the
    filters set), so a selection is the API's answer. Raises :class:`SelectionError`."""
    for name in params:
        if name not in SELECTION_PARAMETERS and name != LANGUAGE_PARAMETER:
            raise SelectionError(
                name,
                f"Unknown query parameter {name!r}; a selection takes "
                f"{', '.join(SELECTION_PARAMETERS)}.",
            )
    try:
        found = parse_filters(params, categories)
    except FilterError as err:
        raise SelectionError(err.parameter, str(err)) from err
    return FeatureQuery(
        kinds=found.kinds,
        categories=found.categories,
        countries=found.countries,
        stages=found.stages,
        text=found.text,
        as_of=found.as_of,
        limit=SELECTION_LIMIT,
    )


def query_parameters(query: FeatureQuery) -> dict[str, str]:
    """The selection's parameters in canonical form (for links and cache keys)."""
    return query.parameters(SELECTION_PARAMETERS)


def api_url(root: str, query: FeatureQuery) -> str:
    """The same query in the API, with a page as large as the selection."""
    params = {**query_parameters(query), "limit": str(SELECTION_LIMIT)}
    return f"{root}/api/features?{urlencode(params, safe=',')}"


def file_name(query: FeatureQuery, extension: str) -> str:
    """A file name that says what was selected, in ASCII letters, digits and hyphens."""
    parts = ["atlas-selection"]
    for name, value in query_parameters(query).items():
        slug = re.sub(r"[^a-z0-9]+", "-", anyascii(value).lower()).strip("-")
        parts.append(f"{name.replace('_', '-')}-{slug}" if slug else name)
    stem = "-".join(parts)[:MAX_NAME].rstrip("-")
    return f"{stem}.{extension}"


@dataclass(frozen=True)
class Selected:
    """The features a query keeps, at most :data:`SELECTION_LIMIT`, and how many matched."""

    positions: Sequence[int]
    matched: int
    as_of: StagesAsOf | None


def select(index: FeatureIndex, query: FeatureQuery) -> Selected:
    """What ``query`` keeps, in the API's order."""
    selection = index.select_positions(query)
    kept = [int(p) for p in selection.positions[:SELECTION_LIMIT]]
    return Selected(kept, len(selection), selection.as_of)


def features(store: FeatureStore, selected: Selected) -> Iterator[dict[str, Any]]:
    """The selected features as dicts, as the API answers them."""
    for position in selected.positions:
        feature = store.feature(position)
        if selected.as_of is not None:
            feature = dated(feature, selected.as_of.to_json(position) or {})
        yield feature


def geojson_bytes(store: FeatureStore, selected: Selected, head: dict[str, Any]) -> bytes:
    """A FeatureCollection of the selection; ``head`` holds its other members. Features are
    joined from their prebuilt bytes, as the API does, unless ``as_of`` changes them."""
    if selected.as_of is None:
        parts = [store.raw(position) for position in selected.positions]
    else:
        parts = [compact_json(feature) for feature in features(store, selected)]
    opening = compact_json(head)[:-1]
    return b'%s,"features":[%s]}\n' % (opening, b",".join(parts))


class Selections:
    """Selection files by format and query, each made when first asked for and kept a while."""

    def __init__(
        self, store: FeatureStore, index: FeatureIndex, built_at: datetime, kept_bytes: int
    ) -> None:
        self._store = store
        self._index = index
        self._built_at = built_at
        self._made: BoundedCache[Representation] = BoundedCache(
            kept_bytes, size=lambda entity: len(entity.body)
        )
        #: Their gzip variants, made for the clients that ask for one.
        self.gzip: GzipCache = gzip_cache(kept_bytes)

    def get(self, extension: str, query: FeatureQuery, root: str) -> Representation:
        """The ``extension`` file of ``query``'s selection; ``root`` is the server's address
        (the GeoJSON links to the same query in the API)."""
        key = (extension, tuple(query_parameters(query).items()), root)
        return self._made.get_or_make(key, lambda: self._make(extension, query, root))

    def _make(self, extension: str, query: FeatureQuery, root: str) -> Representation:
        selected = select(self._index, query)
        if extension == "geojson":
            head = {
                "type": "FeatureCollection",
                "numberMatched": selected.matched,
                "numberReturned": len(selected.positions),
                "timeStamp": self._built_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "links": [
                    {
                        "rel": "alternate",
                        "type": mediatypes.GEOJSON,
                        "title": "The same query in the API",
                        "href": api_url(root, query),
                    }
                ],
            }
            body = geojson_bytes(self._store, selected, head)
        elif extension == "csv":
            body = b"".join(csv_pieces(features(self._store, selected)))
        else:
            body = geopackage_bytes(list(features(self._store, selected)))
        return Representation(
            body=body,
            media_type=SELECTION_FORMATS[extension],
            last_modified=self._built_at,
            headers={"Content-Disposition": f"attachment; filename={file_name(query, extension)}"},
        )
