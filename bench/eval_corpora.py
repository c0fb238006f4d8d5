"""Readers for the geoparsing research corpora in ``../shared/corpora`` (read at run time).

Each reader yields :class:`Article` records: the raw text, the gold toponyms (spans with
coordinates) and the spans to ignore (annotations that are not gold under the rule in use, so
that predicting them is neither right nor wrong). Offsets are normalised to 0-based,
end-exclusive, and every gold span is checked to slice back to its annotated phrase.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


def _corpora_dir() -> Path:
    """``$GEOPARSE_CORPORA``, else ``shared/corpora`` beside the project (as the workplace and
    CI lay it out), else the workplace's own copy."""
    if os.environ.get("GEOPARSE_CORPORA"):
        return Path(os.environ["GEOPARSE_CORPORA"])
    beside = Path(__file__).resolve().parents[2] / "shared" / "corpora"
    return beside if beside.is_dir() else Path("/work/shared/corpora")


CORPORA_DIR = _corpora_dir()
#: GeoWebNews types counted as toponyms to find: the literal ones of Gritta et al. (2019)
#: ("A pragmatic guide to geoparsing evaluation"). The associative types (metonymy, demonyms,
#: non-literal modifiers, ...) and the expression wrappers are ignored, not counted against.
GWN_LITERAL = frozenset({"Literal", "Literal_Modifier", "Embedded_Literal", "Mixed", "Coercion"})


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    lat: float | None
    lon: float | None


@dataclass
class Article:
    ident: str
    text: str
    gold: list[Gold] = field(default_factory=list)
    ignore: list[tuple[int, int]] = field(default_factory=list)


def _float(node: ET.Element | None) -> float | None:
    return float(node.text) if node is not None and node.text and node.text.strip() else None


def read_lgl_schema(path: Path) -> Iterator[Article]:
    """LGL and TR-News: ``<toponym><start><end><phrase><gaztag><lat><lon>`` (0-based)."""
    for i, node in enumerate(ET.parse(path).getroot().iter("article")):
        article = Article(node.get("docid") or str(i), node.findtext("text") or "")
        for top in node.iter("toponym"):
            start, end = int(top.findtext("start")), int(top.findtext("end"))
            gaz = top.find("gaztag")
            lat = _float(gaz.find("lat")) if gaz is not None else None
            lon = _float(gaz.find("lon")) if gaz is not None else None
            article.gold.append(Gold(start, end, lat, lon))
        yield article


def read_geovirus(path: Path) -> Iterator[Article]:
    """GeoVirus: ``<location><name><start><end><lat><lon>``; start is 1-based, end exclusive."""
    for i, node in enumerate(ET.parse(path).getroot().iter("article")):
        article = Article(f"geovirus-{i}", node.findtext("text") or "")
        for loc in node.iter("location"):
            start, end = int(loc.findtext("start")) - 1, int(loc.findtext("end")) - 1
            article.gold.append(Gold(start, end, _float(loc.find("lat")), _float(loc.find("lon"))))
        yield article


def read_gwn(path: Path) -> Iterator[Article]:
    """GeoWebNews: gold are the literal toponyms with coordinates; other annotations ignored."""
    for i, node in enumerate(ET.parse(path).getroot().iter("article")):
        article = Article(node.get("file") or f"gwn-{i}", node.findtext("text") or "")
        for top in node.iter("toponym"):
            start, end = int(top.findtext("start")), int(top.findtext("end"))
            lat, lon = _float(top.find("latitude")), _float(top.find("longitude"))
            if top.findtext("type") in GWN_LITERAL and lat is not None and lon is not None:
                article.gold.append(Gold(start, end, lat, lon))
            else:
                article.ignore.append((start, end))
        yield article


CORPORA = {
    "LGL": ("lgl.xml", read_lgl_schema, "tune"),
    "GeoVirus": ("GeoVirus.xml", read_geovirus, "tune"),
    "TR-News": ("TR-News.xml", read_lgl_schema, "test"),
    "GWN": ("GWN.xml", read_gwn, "test"),
}


def load(name: str, limit: int | None = None) -> list[Article]:
    """The articles of corpus ``name`` (the first ``limit`` if given)."""
    filename, reader, _ = CORPORA[name]
    articles = []
    for article in reader(CORPORA_DIR / filename):
        if limit is not None and len(articles) >= limit:
            break
        articles.append(article)
    return articles
