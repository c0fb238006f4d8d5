"""Sample data for tests: valid catalogue entries to break one field at a time, hand-made
features and data directories, and the features of a build."""

import json
from pathlib import Path

SEED_000 = "000_671c4ac208bcfce0.txt"


def site_entry(**overrides) -> dict:
    """A valid site entry (Bekabad industrial park) to derive broken variants from."""
    entry = {
        "id": "bekabad-industrial-park",
        "name": "Bekabad industrial park",
        "aliases": ["Bekobod industrial park"],
        "kind": "site",
        "category": "industrial park",
        "countries": ["UZ"],
        "status": {
            "stage": "planned",
            "stage_quote": "Bashkortostan is planning an industrial park in Bekabad",
            "dates": [],
        },
        "figures": [],
        "description": "An industrial park that Bashkortostan plans in Bekabad.",
        "location": {"place": "Bekabad", "country": "UZ"},
        "sources": [
            {"seed": SEED_000, "quote": "Bashkortostan is planning an industrial park in Bekabad"}
        ],
    }
    entry.update(overrides)
    return entry


def corridor_entry(**overrides) -> dict:
    """A valid corridor entry (Tashkent - Saryagash - Almaty) to derive variants from."""
    entry = {
        "id": "test-corridor",
        "name": "Test corridor",
        "kind": "corridor",
        "category": "rail corridor",
        "countries": ["UZ", "KZ"],
        "status": {"stage": "operational", "stage_assessment": "Assessed by the tests."},
        "description": "A corridor used by the tests.",
        "route": [
            {"place": "Tashkent", "country": "UZ"},
            {"place": "Saryagash", "country": "KZ"},
            {"place": "Almaty", "country": "KZ"},
        ],
        "sources": [{"seed": SEED_000, "quote": "Strengthening the North-South corridor"}],
    }
    entry.update(overrides)
    return entry


def features_of(data_dir: Path) -> list[dict]:
    """The features of ``data_dir``/atlas.geojson, as dicts."""
    return json.loads((data_dir / "atlas.geojson").read_text(encoding="utf-8"))["features"]


def feature(kind: str, **properties: object) -> dict:
    """A contract-conforming feature for hand-made data directories."""
    geometry = (
        {"type": "Point", "coordinates": [69.26972, 40.22083]}
        if kind == "site"
        else {
            "type": "MultiLineString",
            "coordinates": [[[69.2, 41.3], [64.4, 39.8]], [[50, 40], [45, 41.7]]],
        }
    )
    props = {
        "id": f"test-{kind}",
        "name": f"Test {kind}",
        "aliases": [],
        "kind": kind,
        "category": "industrial park" if kind == "site" else "rail corridor",
        "countries": ["UZ"],
        "status": {"stage": "planned", "dates": [{"event": "launch", "when": "Q4 2026"}]},
        "figures": [{"label": "area", "value": 100, "unit": "ha", "quote": "100 hectares"}],
        "description": "A feature written by the tests.",
        "sources": [{"seed": SEED_000, "quote": "a verbatim quote"}],
        "located_by": [],
        **properties,
    }
    return {"type": "Feature", "id": props["id"], "geometry": geometry, "properties": props}


def write_data_dir(directory: Path, features: list[dict]) -> Path:
    """Write atlas/corridors/sites.geojson for ``features`` as the pipeline would."""
    kinds = {"atlas.geojson": None, "corridors.geojson": "corridor", "sites.geojson": "site"}
    for name, kind in kinds.items():
        chosen = [f for f in features if kind in (None, f["properties"]["kind"])]
        collection = {
            "type": "FeatureCollection",
            "bbox": [45, 39.8, 69.3, 41.7],
            "features": chosen,
        }
        (directory / name).write_text(json.dumps(collection), encoding="utf-8")
    (directory / "sources.json").write_text(json.dumps({"seeds": []}), encoding="utf-8")
    return directory
