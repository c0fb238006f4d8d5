"""sources.json: every catalogued quote located at the right offsets of its article."""

from __future__ import annotations

import json
from pathlib import Path

from geodata.sources import squash_whitespace


def test_every_citation_slices_its_quote_out_of_the_article(built_data_dir: Path):
    index = json.loads((built_data_dir / "sources.json").read_text(encoding="utf-8"))
    seeds_dir = Path(__file__).parents[2] / "seeds"
    assert [seed["seed"] for seed in index["seeds"]] == sorted(
        p.name for p in seeds_dir.glob("*.txt")
    )
    atlas = json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))
    expected = {
        (feature["id"], source["seed"], source["quote"])
        for feature in atlas["features"]
        for source in feature["properties"]["sources"]
    }
    found = set()
    for seed in index["seeds"]:
        text = (seeds_dir / seed["seed"]).read_text(encoding="utf-8")
        assert seed["text"] == text
        assert seed["slug"] == seed["seed"].removesuffix(".txt")
        starts = [(c["start"], c["end"]) for c in seed["citations"]]
        assert starts == sorted(starts)
        for citation in seed["citations"]:
            excerpt = text[citation["start"] : citation["end"]]
            assert squash_whitespace(excerpt) == squash_whitespace(citation["quote"])
            if citation["feature"] is None:
                assert citation["why"]
            else:
                found.add((citation["feature"], seed["seed"], citation["quote"]))
    assert found == expected
