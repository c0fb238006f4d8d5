"""A small hand-made data directory with every citation field of the data contract set, so the
page tests do not depend on what the real catalogue records today.

Article ``a`` has no headline (its title is the atlas's), a publisher, a date and an address;
article ``b`` has a headline and nothing else. The site quotes ``a`` and has a quoted stage;
the corridor quotes ``b`` and has an assessed stage, a length and a basis.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.samples import feature

TEXT_A = (
    "Opening words of the article.\n"
    "The park in Bekabad will open in 2026, officials said.\n"
    "An unrelated paragraph about the weather.\n"
    "Another paragraph the atlas does not quote.\n"
    "The park covers 100 hectares.\n"
    "Closing words.\n"
)
TEXT_B = "Rail news.\nThe railway has carried freight for years.\n"
SITE_QUOTE = "The park in Bekabad will open in 2026"
STAGE_QUOTE = "will open in 2026"
FIGURE_QUOTE = "covers 100 hectares"
CORRIDOR_QUOTE = "The railway has carried freight for years"
ASSESSMENT = "In service for years; the article speaks of its freight."
CITE_AS = "Corridor Atlas contributors (2026). Corridor Atlas, data of 2026-01-02. CC BY 4.0."

ARTICLE_A = {
    "seed": "a.txt",
    "slug": "a",
    "title": "Bekabad park news",
    "headline": None,
    "title_is_editorial": True,
    "publisher": "Example Post",
    "published": "2024-07-14",
    "published_note": "dateline of the article",
    "url": "https://example.org/bekabad",
    "language": "en",
}
ARTICLE_B = {
    "seed": "b.txt",
    "slug": "b",
    "title": "Railway keeps moving",
    "headline": "Railway keeps moving",
    "title_is_editorial": False,
    "publisher": None,
    "published": None,
    "published_note": "the article states no date",
    "url": None,
    "language": "en",
}


def _citation(feature_id: str, label: str, text: str, quote: str) -> dict:
    start = text.index(quote)
    return {
        "feature": feature_id,
        "label": label,
        "quote": quote,
        "start": start,
        "end": start + len(quote),
    }


def _source(article: dict, quote: str) -> dict:
    fields = ("title", "title_is_editorial", "publisher", "published")
    return {"seed": article["seed"], "quote": quote, **{f: article[f] for f in fields}}


def cited_features() -> list[dict]:
    """The site (quoted stage, a figure) and the corridor (assessed stage, length, basis)."""
    site = feature(
        "site",
        status={
            "stage": "planned",
            "dates": [],
            "stage_quote": STAGE_QUOTE,
            "stage_assessment": None,
            "as_reported": "2024-07-14",
        },
        figures=[{"label": "area", "value": 100, "unit": "ha", "quote": FIGURE_QUOTE}],
        sources=[_source(ARTICLE_A, SITE_QUOTE)],
    )
    corridor = feature(
        "corridor",
        status={
            "stage": "operational",
            "dates": [],
            "stage_quote": None,
            "stage_assessment": ASSESSMENT,
            "as_reported": None,
        },
        sources=[_source(ARTICLE_B, CORRIDOR_QUOTE)],
        length_km=6339.34,
        basis="stations",
        leg_modes=["rail", "sea"],
    )
    return [corridor, site]


def write_cited_dir(directory: Path, url: str | None = ARTICLE_A["url"]) -> Path:
    """Write the GeoJSON files (with top-level metadata) and sources.json into ``directory``."""
    features = cited_features()
    metadata = {
        "title": "Corridor Atlas",
        "licence": "CC BY 4.0",
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "cite_as": CITE_AS,
        "coverage": {
            "articles": 2,
            "first_published": "2024-07-14",
            "last_published": "2024-07-14",
            "features": 2,
        },
    }
    kinds = {"atlas.geojson": None, "corridors.geojson": "corridor", "sites.geojson": "site"}
    for name, kind in kinds.items():
        chosen = [f for f in features if kind in (None, f["properties"]["kind"])]
        collection = {"type": "FeatureCollection", "metadata": metadata, "features": chosen}
        (directory / name).write_text(json.dumps(collection), encoding="utf-8")
    seeds = [
        {
            **ARTICLE_A,
            "url": url,
            "text": TEXT_A,
            "citations": [_citation("test-site", "Bekabad park", TEXT_A, SITE_QUOTE)],
        },
        {
            **ARTICLE_B,
            "text": TEXT_B,
            "citations": [_citation("test-corridor", "Railway", TEXT_B, CORRIDOR_QUOTE)],
        },
    ]
    (directory / "sources.json").write_text(json.dumps({"seeds": seeds}), encoding="utf-8")
    return directory
