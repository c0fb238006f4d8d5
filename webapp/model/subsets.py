"""The three subsets of the atlas: each is a set of downloads and an OGC API collection.

>>> [s.id for s in SUBSETS.values()], SUBSETS["sites"].kinds
(['atlas', 'corridors', 'sites'], ('site',))
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.http import mediatypes


@dataclass(frozen=True)
class Subset:
    """The features of some kinds, with a title and a description for people."""

    id: str
    title: str
    description: str
    kinds: tuple[str, ...]


SUBSETS = {
    s.id: s
    for s in (
        Subset(
            "atlas", "All features", "Every corridor and site of the atlas.", ("corridor", "site")
        ),
        Subset("corridors", "Corridors", "Transport corridors along their routes.", ("corridor",)),
        Subset("sites", "Sites", "Industrial, logistics and other sites (points).", ("site",)),
    )
}

#: The query parameters of a selection download (/data/selection.<format>): the /features
#: table's filters, in the order links give them.
SELECTION_PARAMETERS = ("kind", "category", "country", "status", "q", "as_of")
#: The formats of a selection download and their media types.
SELECTION_FORMATS = {
    "geojson": mediatypes.GEOJSON,
    "csv": mediatypes.CSV,
    "gpkg": mediatypes.GEOPACKAGE,
}
