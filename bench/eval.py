"""Evaluate :func:`geodata.geoparse.parse_places` end to end on four research corpora.

``python -m bench.eval`` (``make eval``) runs the geoparser on the raw text of every article of
LGL and GeoVirus (used to tune) and TR-News and GeoWebNews (test sets, never tuned on), and
writes ``bench/EVAL.md`` beside the published figures; it also puts that table in an
"Evaluation" section of ``bench/RESULTS.md``. ``--quick`` evaluates the first 40 articles of
each corpus and writes nothing unless ``--write`` is given.

Matching rule: a predicted mention matches a gold toponym when their character spans overlap;
each gold toponym and each prediction is matched at most once, left to right. Precision is
matched predictions over predictions (predictions overlapping an ignored annotation, such as
GeoWebNews' associative toponyms, are left out); recall is matched gold over gold. Accuracy at
161 km (100 miles) is over matched mentions whose gold has coordinates; a prediction left
unresolved counts as a miss there. Mean and median error are over the resolved ones.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from wordfreq import zipf_frequency

from bench.eval_corpora import CORPORA, Article, load
from bench.report import EVAL_MARKERS
from geodata.gazetteer import default_index
from geodata.geometry import geodesic_km
from geodata.geoparse import PlaceMention, parse_places
from geodata.geoparse.parse import areas_for

HERE = Path(__file__).parent
QUICK_ARTICLES = 40
ACCURATE_KM = 161.0
START, END = EVAL_MARKERS
PUBLISHED = [
    ("CLAVIN / CLIFF", "LGL", ".813", ".443", ".573", ".706"),
    ("Edinburgh Geoparser", "LGL", ".715", ".547", ".620", ".760"),
    ("GeoTxt", "LGL", "", "", ".681", ".678"),
    ("Topocluster", "LGL", "", "", ".713", ".632"),
    ("Mordecai 3, resolution only (gold names)", "LGL / TR-News / GWN", "", "", "",
     ".827 / .873 / .941"),
]  # fmt: skip


@dataclass
class Score:
    """Counts for one corpus, and the figures made from them."""

    corpus: str
    role: str
    articles: int = 0
    predicted: int = 0
    gold: int = 0
    matched: int = 0
    located: int = 0  # matched with gold coordinates
    accurate: int = 0
    errors: list[float] | None = None
    seconds: float = 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        return self.accurate / self.located if self.located else 0.0

    @property
    def per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_article(article: Article, predicted: list[PlaceMention], score: Score) -> None:
    """Add one article's matches to ``score`` (the rule is in the module docstring)."""
    counted = [
        m for m in predicted if not any(_overlaps((m.start, m.end), s) for s in article.ignore)
    ]
    score.predicted += len(counted)
    score.gold += len(article.gold)
    free = list(counted)
    for gold in article.gold:
        hit = next((m for m in free if _overlaps((m.start, m.end), (gold.start, gold.end))), None)
        if hit is None:
            continue
        free.remove(hit)
        score.matched += 1
        if gold.lat is None or gold.lon is None:
            continue
        score.located += 1
        if hit.lat is None or hit.lon is None:
            continue
        km = geodesic_km((hit.lon, hit.lat), (gold.lon, gold.lat))
        score.errors.append(km)
        score.accurate += km <= ACCURATE_KM


def evaluate(name: str, limit: int | None = None) -> Score:
    """Run the geoparser over corpus ``name`` and score it."""
    articles = load(name, limit)
    score = Score(name, CORPORA[name][2], articles=len(articles), errors=[])
    started = time.perf_counter()
    results = [parse_places(article.text) for article in articles]
    score.seconds = time.perf_counter() - started
    for article, predicted in zip(articles, results, strict=True):
        score_article(article, predicted, score)
    return score


def run(limit: int | None = None) -> tuple[list[Score], dict]:
    """Evaluate every corpus; also time the one-off loads (gazetteer, areas, word frequencies)
    and measure peak memory."""
    started = time.perf_counter()
    areas_for(default_index())
    zipf_frequency("the", "en")  # wordfreq reads its English table at the first lookup
    load_seconds = time.perf_counter() - started
    scores = [evaluate(name, limit) for name in CORPORA]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return scores, {"load_seconds": load_seconds, "peak_mb": peak_mb}


def table(scores: list[Score], facts: dict, limit: int | None) -> str:
    """The Markdown report: our figures, then the published ones."""
    total = sum(s.articles for s in scores)
    seconds = sum(s.seconds for s in scores)
    lines = [
        "## Evaluation: geoparsing (issue 11)",
        "",
        f"`python -m bench.eval{' --quick' if limit else ''}` on {platform.node()}"
        f" ({platform.machine()}, Python {platform.python_version()}); "
        f"{'first ' + str(limit) + ' articles of each corpus' if limit else 'every article'}. "
        "A prediction matches a gold toponym when their spans overlap (one to one); accuracy "
        "is within 161 km over matched toponyms with gold coordinates, unresolved counted wrong.",
        "",
        "| corpus | role | articles | gold | predicted | P | R | F1 | acc@161 | mean km "
        "| median km | articles/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        errors = s.errors or [0.0]
        lines.append(
            f"| {s.corpus} | {s.role} | {s.articles} | {s.gold} | {s.predicted} "
            f"| {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.accuracy:.3f} "
            f"| {statistics.fmean(errors):.0f} | {statistics.median(errors):.0f} "
            f"| {s.per_second:.0f} |"
        )
    lines += [
        "",
        f"Throughput over all {total} articles: {total / seconds:.0f} articles/s on one core "
        f"(after a one-off {facts['load_seconds']:.1f} s to load the gazetteer, area tables "
        "and word frequencies); "
        f"peak memory (ru_maxrss) {facts['peak_mb']:.0f} MB.",
        "",
        "Published figures (end to end on raw text unless noted):",
        "",
        "| system | corpus | P | R | F1 | acc@161 |",
        "|---|---|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in PUBLISHED),
        "",
    ]
    return "\n".join(lines)


def write(report: str) -> None:
    """Write ``bench/EVAL.md`` and put the report in ``bench/RESULTS.md`` between markers."""
    (HERE / "EVAL.md").write_text("# Geoparsing evaluation\n\n" + report, encoding="utf-8")
    results = HERE / "RESULTS.md"
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    section = f"{START}\n{report}{END}\n"
    if START in old and END in old:
        head, rest = old.split(START, 1)
        new = head + section + rest.split(END, 1)[1].lstrip("\n")
    else:
        new = old.rstrip("\n") + "\n\n" + section
    results.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_ARTICLES} articles")
    parser.add_argument("--write", action="store_true", help="write the report even if --quick")
    args = parser.parse_args(argv)
    limit = QUICK_ARTICLES if args.quick else None
    scores, facts = run(limit)
    report = table(scores, facts, limit)
    print(report)
    if not args.quick or args.write:
        write(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
