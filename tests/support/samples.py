"""Valid catalogue entries for tests to break one field at a time, and the built features."""

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
        "status": {"stage": "planned", "dates": []},
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
        "status": {"stage": "operational"},
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
