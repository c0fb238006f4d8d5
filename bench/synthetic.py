"""A large synthetic catalogue for scale benchmarks: N sites and M corridors, from a fixed seed.

Names and positions come from real GeoNames places of the region, so the build exercises the
same paths as the real catalogue: half the sites are gazetteer places pinned by GeoNames id, the
other half curated coordinates scattered around towns; corridors chain 6 to 20 real towns
eastward or westward like rail lines do. Quotes are real sentences of the seed articles, so quote
verification runs too.

    python -m bench.synthetic --sites 100000 --corridors 1000 --out /tmp/big/catalogue.yaml
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

import yaml

from geodata.catalogue import CORRIDOR_CATEGORIES, SITE_CATEGORIES, STAGES
from geodata.gazetteer import Place, default_index
from geodata.names import exact_key

REGION = (40.0, 30.0, 90.0, 56.0)  # lon/lat box of Central Asia and its neighbours
SEED = "000_671c4ac208bcfce0.txt"
QUOTES = [
    "Bashkortostan is planning an industrial park in Bekabad",
    "Transport and logistics development is another priority.",
    "Developing multimodal hubs in Uzbekistan",
    "Industrial cooperation is also expanding.",
]


def region_places() -> list[Place]:
    """Places of the region with a Latin name unique in their country (so pins are checkable)."""
    west, south, east, north = REGION
    inside = [
        p
        for p in default_index().places
        if west <= p.lon <= east and south <= p.lat <= north and p.name.isascii()
    ]
    seen: dict[tuple[str, str], int] = {}
    for place in inside:
        key = (place.country, exact_key(place.name))
        seen[key] = seen.get(key, 0) + 1
    return [p for p in inside if seen[(p.country, exact_key(p.name))] == 1]


def _site(number: int, place: Place, rng: random.Random) -> dict:
    category = rng.choice(SITE_CATEGORIES)
    if number % 2:
        location = {"place": place.name, "country": place.country, "geonames_id": place.geonameid}
    else:
        location = {
            "name": f"{place.name} outskirts",
            "lat": round(max(-89.0, min(89.0, place.lat + rng.uniform(-0.2, 0.2))), 5),
            "lon": round(place.lon + rng.uniform(-0.2, 0.2), 5),
            "reference": "synthetic benchmark point near a GeoNames town",
        }
    return {
        "id": f"site-{number:06d}",
        "name": f"{place.name} {category} {number}",
        "aliases": [],
        "kind": "site",
        "category": category,
        "countries": [place.country],
        "status": {
            "stage": rng.choice(STAGES),
            "stage_assessment": "Synthetic: drawn at random.",
            "dates": [],
        },
        "description": f"Synthetic {category} near {place.name}.",
        "location": location,
        "sources": [{"seed": SEED, "quote": rng.choice(QUOTES)}],
    }


def _route(start: Place, places: list[Place], rng: random.Random) -> list[Place]:
    """6-20 towns, each the nearest not-yet-used town roughly east or west of the last."""
    heading = rng.choice((0.0, math.pi)) + rng.uniform(-0.6, 0.6)
    route = [start]
    for _ in range(rng.randint(5, 19)):
        last = route[-1]
        target = (last.lon + 2.0 * math.cos(heading), last.lat + 1.0 * math.sin(heading))
        nearby = rng.sample(places, min(400, len(places)))
        candidates = [p for p in nearby if p not in route]
        route.append(
            min(candidates, key=lambda p: (p.lon - target[0]) ** 2 + (p.lat - target[1]) ** 2)
        )
        heading += rng.uniform(-0.3, 0.3)
    return route


def _corridor(number: int, route: list[Place], rng: random.Random) -> dict:
    return {
        "id": f"corridor-{number:04d}",
        "name": f"{route[0].name}–{route[-1].name} line {number}",
        "aliases": [],
        "kind": "corridor",
        "category": rng.choice(CORRIDOR_CATEGORIES),
        "countries": sorted({p.country for p in route}),
        "status": {
            "stage": rng.choice(STAGES),
            "stage_assessment": "Synthetic: drawn at random.",
            "dates": [],
        },
        "description": f"Synthetic corridor through {len(route)} towns.",
        "route": [
            {"place": p.name, "country": p.country, "geonames_id": p.geonameid} for p in route
        ],
        "sources": [{"seed": SEED, "quote": rng.choice(QUOTES)}],
    }


def synthetic_catalogue(sites: int, corridors: int, seed: int = 20261122) -> dict:
    """The catalogue document (YAML-ready) for ``sites`` sites and ``corridors`` corridors."""
    rng = random.Random(seed)
    places = region_places()
    entries = [_site(n, rng.choice(places), rng) for n in range(sites)]
    entries += [
        _corridor(n, _route(rng.choice(places), places, rng), rng) for n in range(corridors)
    ]
    return {"entries": entries, "not_mapped": []}


def write_catalogue(path: Path, sites: int, corridors: int) -> Path:
    """Write the synthetic catalogue to ``path``: JSON if it ends in .json, else YAML."""
    document = synthetic_catalogue(sites, corridors)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        if path.suffix == ".json":
            json.dump(document, handle, ensure_ascii=False)
        else:
            yaml.dump(document, handle, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--corridors", type=int, default=1_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(write_catalogue(args.out, args.sites, args.corridors))


if __name__ == "__main__":
    main()
