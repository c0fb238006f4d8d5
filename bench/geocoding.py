"""Offline geocoding: throughput and accuracy on a known-answer set of spelling variants.

The set is drawn with a fixed seed from GeoNames places of Central Asia and its neighbours whose
name is unique in their country (so the right answer is not a matter of opinion). Each place is
asked for three ways: its name, one of its Latin alternate names, and a transliteration variant
of its name made by the rules people actually apply (q/k, kh/x, o/a, e/i, a final -y). The
reference is the public Nominatim usage policy: at most one request per second.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
from dataclasses import dataclass

from bench.tools import Row
from geodata.errors import GeocodingError
from geodata.gazetteer import GazetteerGeocoder, _cities500_path
from geodata.names import exact_key

COUNTRIES = ("UZ", "KZ", "KG", "TJ", "TM", "AF", "AZ", "GE", "IR")
NOMINATIM_POLICY_QPS = 1.0
#: Spelling shifts between Russian, Uzbek/Kazakh Latin and English romanisations.
_VARIANTS = (
    (r"q", "k"),
    (r"k(?!h)", "q"),
    (r"kh", "x"),
    (r"x", "kh"),
    (r"(?<=[^aeiou])o(?=[^aeiou])", "a"),
    (r"(?<=[^aeiou])a(?=[^aeiou])", "o"),
    (r"(?<=[^aeiou])e(?=[^aeiou])", "i"),
)


@dataclass(frozen=True)
class Query:
    text: str
    country: str
    expected: int


def _variant(name: str, rng: random.Random) -> str | None:
    """One spelling shift applied once, after the first letter; None if no rule applies."""
    rules = [(pattern, new) for pattern, new in _VARIANTS if re.search(pattern, name[1:])]
    if not rules:
        return name + "y" if name.endswith("i") else None
    pattern, new = rng.choice(rules)
    return name[0] + re.sub(pattern, new, name[1:], count=1)


def known_answers(count: int = 1200, seed: int = 7) -> list[Query]:
    """``count`` queries (names, Latin alternate names, variants) with their answers.

    A query is kept only if no other place of the same country carries the same name (ignoring
    case and accents) as its name or an alternate name, judged on the raw GeoNames records, not
    by the geocoder.
    """
    rng = random.Random(seed)
    everything = [
        r
        for r in json.loads(_cities500_path().read_bytes()).values()
        if r["countrycode"] in COUNTRIES
    ]
    records = [r for r in everything if int(r.get("population") or 0) >= 1000]
    owners: dict[tuple[str, str], set[int]] = {}
    for record in everything:
        for name in {record["name"], *record.get("alternatenames", ())}:
            key = (record["countrycode"], exact_key(name))
            owners.setdefault(key, set()).add(record["geonameid"])
    queries: list[Query] = []
    for record in rng.sample(records, len(records)):
        if owners[(record["countrycode"], exact_key(record["name"]))] != {record["geonameid"]}:
            continue  # two places share this name: no spelling of it has one right answer
        alternates = [
            a for a in record.get("alternatenames", ()) if a.isascii() and a != record["name"]
        ]
        texts = [record["name"], rng.choice(alternates) if alternates else None]
        texts.append(_variant(record["name"], rng))
        for text in filter(None, texts):
            claimed = owners.get((record["countrycode"], exact_key(text)), set())
            if claimed <= {record["geonameid"]}:
                queries.append(Query(text, record["countrycode"], record["geonameid"]))
    return queries[:count]


def run(queries: list[Query], repeat: int = 3) -> dict[str, float]:
    """Warm throughput (best of ``repeat``) and accuracy of the offline geocoder."""
    geocoder = GazetteerGeocoder()
    correct = 0
    for query in queries:
        try:
            found = geocoder.geocode(query.text, country_codes=query.country)
        except GeocodingError:
            continue
        correct += found.raw["geonameid"] == query.expected
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for query in queries:
            with contextlib.suppress(GeocodingError):
                geocoder.geocode(query.text, country_codes=query.country)
        best = min(best, time.perf_counter() - started)
    qps = len(queries) / best
    return {
        "queries": len(queries),
        "accuracy": correct / len(queries),
        "qps": qps,
        "reference_qps": NOMINATIM_POLICY_QPS,
        "ratio": qps / NOMINATIM_POLICY_QPS,
    }


SECTION = "2. Offline geocoding"
QPS_TARGET = 10_000
ACCURACY_TARGET = 0.99


def rows() -> list[Row]:
    """This benchmark's rows (the gazetteer index cached, as after a first build)."""
    result = run(known_answers())
    return [
        Row(
            SECTION,
            f"throughput, warm, {result['queries']:.0f} queries (best of 3), queries/s",
            result["qps"],
            "q/s",
            "Nominatim usage policy (1 request/s)",
            result["reference_qps"],
            target=f"≥ {QPS_TARGET:,} q/s",
            met=result["qps"] >= QPS_TARGET,
            digits=0,
        ),
        Row(
            SECTION,
            "accuracy on the known answers, %",
            100 * result["accuracy"],
            "%",
            "every answer right",
            100.0,
            target=f"≥ {ACCURACY_TARGET:.0%}",
            met=result["accuracy"] >= ACCURACY_TARGET,
            digits=1,
        ),
    ]


if __name__ == "__main__":
    print(run(known_answers()))
