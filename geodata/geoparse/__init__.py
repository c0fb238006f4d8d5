"""Geoparsing: find place names in raw news text and resolve them to GeoNames places.

:func:`parse_places` is the entry point; :mod:`.recognize` finds the names, :mod:`.resolve`
chooses between the places each may stand for, :mod:`.areas` adds countries and regions to the
``cities500`` gazetteer.
"""

from geodata.geoparse.mention import PlaceMention
from geodata.geoparse.parse import parse_places

__all__ = ["PlaceMention", "parse_places"]
