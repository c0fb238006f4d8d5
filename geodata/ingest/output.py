"""Writing proposals: the YAML file per article (keeping a curator's statuses) and GeoJSON."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from geodata.ingest.proposals import Proposal

STATUSES = ("pending", "accepted", "rejected")


def proposals_path(out_dir: Path, article_name: str) -> Path:
    """``<out_dir>/<article stem>.yaml``."""
    return out_dir / f"{Path(article_name).stem}.yaml"


def keep_statuses(document: dict[str, Any], previous: Path) -> None:
    """Give each proposal the status a curator set in an earlier file (same id), so a
    rejected proposal stays rejected when the article is ingested again."""
    try:
        old = yaml.safe_load(previous.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return
    statuses = {
        item.get("id"): item.get("status")
        for item in old.get("proposals") or []
        if isinstance(item, dict) and item.get("status") in STATUSES
    }
    for proposal in document["proposals"]:
        proposal["status"] = statuses.get(proposal["id"], proposal["status"])


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8) to a temporary file beside ``path``, then rename it
    into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    with tempfile.NamedTemporaryFile(
        "wb", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        handle.write(data)
    try:
        os.replace(handle.name, path)
    except OSError:
        os.unlink(handle.name)
        raise


def to_yaml(document: dict[str, Any]) -> str:
    """The proposals document as YAML (UTF-8 text, keys in the format's order)."""
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def feature(article: str, proposal: Proposal) -> dict[str, Any]:
    """One proposal as a GeoJSON feature: corridors as lines, sites and places as points."""
    doc = proposal.document
    entry = doc.get("entry") or {}
    located = doc["evidence"]["located"] or ([doc["place"]] if "place" in doc else [])
    properties: dict[str, Any] = {
        "article": article,
        "id": doc["id"],
        "role": doc["role"],
        "name": entry.get("name") or doc.get("place", {}).get("mention"),
        "category": entry.get("category"),
        "stage": (entry.get("status") or {}).get("stage"),
        "status": doc["status"],
        "existing": doc["existing"],
        "sources": [
            {"quote": s["quote"], "start": s["start"], "end": s["end"]}
            for s in doc["evidence"]["sentences"]
        ],
        "located_by": [r.get("resolved_by") for r in located],
        "confidence": min((r.get("confidence") or 0.0 for r in located), default=None),
    }
    if doc["role"] == "place":
        properties.update({k: doc["place"][k] for k in ("mention", "start", "end")})
    return {"type": "Feature", "geometry": _geometry(proposal), "properties": properties}


def _geometry(proposal: Proposal) -> dict[str, Any] | None:
    lines = [[list(point) for point in line] for line in proposal.lines if line]
    if not lines:
        return None
    if proposal.document["role"] != "corridor":
        return {"type": "Point", "coordinates": lines[0][0]}
    if len(lines) == 1:
        return {"type": "LineString", "coordinates": lines[0]}
    return {"type": "MultiLineString", "coordinates": lines}


def to_geojson(batches: list[tuple[str, list[Proposal]]]) -> str:
    """Every proposal of every article as one FeatureCollection."""
    features = [feature(article, p) for article, proposals in batches for p in proposals]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"
