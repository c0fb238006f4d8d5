"""A feature's history, and its stage as of any day.

Each feature gets a ``history``: one "reported" step per article citing it (the stage it
reports, over the days the article may have been published) and one "event" step per dated
milestone (the stage the event brings, over the days its words stand for). From the history,
:func:`stage_as_of` answers what stood on a given day, saying whether that is certain (a step
had ended by then) or only possible (a step had perhaps begun). The map's JavaScript answers
the same way; ``tests/geodata/timeline_cases.json`` holds the cases both are checked on.

>>> history = [
...     {"stage": "planned", "start": "2024-07-14", "end": "2024-07-14", "scheduled": False},
...     {"stage": "operational", "start": "2026-10-01", "end": "2026-12-31", "scheduled": True},
... ]
>>> stage_as_of(history, date(2025, 1, 1)).to_json()
{'date': '2025-01-01', 'stage': 'planned', 'certain': True, 'scheduled': False}
>>> stage_as_of(history, date(2024, 1, 1)) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from geodata.catalogue import Entry, Milestone
from geodata.dates import Interval, parse_when
from geodata.vocabulary import STAGES

_RANK = {stage: rank for rank, stage in enumerate(STAGES)}
#: Any day, to learn whether words are relative without a real anchor.
_PROBE = Interval(date(2000, 6, 15), date(2000, 6, 15), "probe", False)


class DateProblem(ValueError):
    """A milestone whose date cannot be read, naming the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class AsOf:
    """A feature's stage on ``date``: ``certain`` when a step had ended by then, else the
    stage of the earliest step that may have begun; ``scheduled`` when that step is a plan
    the article announced rather than a fact it reported; ``step`` is its index in history."""

    stage: str
    certain: bool
    scheduled: bool
    step: int
    date: str

    def to_json(self) -> dict[str, Any]:
        """``{"date", "stage", "certain", "scheduled"}`` as the API and map give it."""
        return {
            "date": self.date,
            "stage": self.stage,
            "certain": self.certain,
            "scheduled": self.scheduled,
        }


def anchor_of(record: Mapping[str, Any] | None) -> Interval | None:
    """The interval an article (a citation record) was published in, or None if unbounded."""
    if not record:
        return None
    earliest, latest = record.get("published_earliest"), record.get("published_latest")
    if earliest is None and latest is None:
        return None
    start = date.fromisoformat(earliest) if earliest else None
    end = date.fromisoformat(latest) if latest else None
    return Interval(start, end, "published", False)


def dated_milestones(
    entry: Entry, articles: Mapping[str, Mapping[str, Any]], stage_seed: str | None
) -> list[dict[str, Any]]:
    """``entry``'s milestones with the article saying each and the interval of its words.

    Raises :class:`DateProblem` for words that cannot be read, a seed the entry does not
    cite, or a relative date with no article it can be read against.
    """
    seeds = list(dict.fromkeys(source.seed for source in entry.sources))
    dated = []
    for position, milestone in enumerate(entry.status.dates):
        field = f"status.dates[{position}]"
        seed = _seed_of(milestone, seeds, stage_seed, f"{field}.seed")
        try:
            interval = parse_when(milestone.when, anchor_of(articles.get(seed)))
        except ValueError as err:
            raise DateProblem(f"{field}.when", f"{err} (read against {seed})") from None
        dated.append(
            {
                "event": milestone.event,
                "when": milestone.when,
                "stage": milestone.stage,
                "seed": seed,
                **interval.to_json(),
            }
        )
    return dated


def _seed_of(milestone: Milestone, seeds: list[str], stage_seed: str | None, field: str) -> str:
    if milestone.seed is not None:
        if milestone.seed not in seeds:
            raise DateProblem(field, f"{milestone.seed!r} is not among the entry's sources")
        return milestone.seed
    if len(seeds) == 1:
        return seeds[0]
    try:
        relative = parse_when(milestone.when, _PROBE).relative
    except ValueError as err:
        raise DateProblem(field.replace(".seed", ".when"), str(err)) from None
    if relative:
        raise DateProblem(
            field,
            f"{milestone.when!r} is relative to its article's date and the entry cites "
            f"{len(seeds)} articles; say which one with seed",
        )
    return stage_seed or seeds[0]


def feature_history(
    stage: str,
    seeds: Sequence[str],
    articles: Mapping[str, Mapping[str, Any]],
    dates: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The steps of a feature whose status is ``stage``, cited by ``seeds`` (in catalogue
    order), with its dated milestones ``dates`` (see :func:`dated_milestones`)."""
    steps = []
    for seed in dict.fromkeys(seeds):
        record = articles.get(seed, {})
        steps.append(
            {
                "stage": stage,
                "start": record.get("published_earliest"),
                "end": record.get("published_latest"),
                "kind": "reported",
                "label": None,
                "when": None,
                "seed": seed,
                "scheduled": False,
            }
        )
    for milestone in dates:
        latest = articles.get(milestone["seed"], {}).get("published_latest")
        end = milestone["end"]
        steps.append(
            {
                "stage": milestone["stage"],
                "start": milestone["start"],
                "end": end,
                "kind": "event",
                "label": milestone["event"],
                "when": milestone["when"],
                "seed": milestone["seed"],
                "scheduled": latest is not None and (end is None or end > latest),
            }
        )
    return sorted(steps, key=lambda step: step["start"] or step["end"] or "9999-12-31")


def stage_as_of(history: Sequence[Mapping[str, Any]], day: date | str) -> AsOf | None:
    """What ``history`` says stood on ``day`` (a date or YYYY-MM-DD), or None when no step
    may have begun by then (not yet reported).

    Certain: of the steps that had ended by ``day``, the one that ended last (a tie goes to
    the later stage). Otherwise possible: of the steps that may have begun (start unknown or
    not after ``day``), the one that began first (unknown start first). Ties go to the step
    listed first.
    """
    today = day if isinstance(day, str) else day.isoformat()
    best: tuple[str, int, int] | None = None
    for index, step in enumerate(history):
        end = step["end"]
        if end is not None and end <= today:
            key = (end, _RANK[step["stage"]], -index)
            if best is None or key > best:
                best = key
    if best is not None:
        return _as_of(history, -best[2], True, today)
    first: tuple[str, int] | None = None
    for index, step in enumerate(history):
        start = step["start"]
        if start is None or start <= today:
            key = (start or "", index)
            if first is None or key < first:
                first = key
    if first is not None:
        return _as_of(history, first[1], False, today)
    return None


def _as_of(history: Sequence[Mapping[str, Any]], index: int, certain: bool, day: str) -> AsOf:
    step = history[index]
    return AsOf(step["stage"], certain, bool(step["scheduled"]), index, day)


def reported_on(sources: Iterable[Mapping[str, Any]]) -> str | None:
    """The earliest exact publication date among a feature's sources, or None."""
    return min((source["published"] for source in sources if source.get("published")), default=None)


def first_source(sources: Sequence[Mapping[str, Any]]) -> str | None:
    """The seed published first, by ``published_earliest`` (unknown last, ties in order)."""
    ordered = sorted(
        enumerate(sources),
        key=lambda item: (
            item[1].get("published_earliest") is None,
            item[1].get("published_earliest") or "",
            item[0],
        ),
    )
    return ordered[0][1]["seed"] if ordered else None


def timeline_span(features: Iterable[Mapping[str, Any]]) -> tuple[date, date] | None:
    """The years a timeline over ``features`` must cover: 1 January of the year of the
    earliest known day in their histories to 31 December of the year of the latest (None
    when no history has a known day)."""
    days = [
        day
        for feature in features
        for step in feature.get("properties", feature).get("history") or ()
        for day in (step.get("start"), step.get("end"))
        if day
    ]
    if not days:
        return None
    return date(int(min(days)[:4]), 1, 1), date(int(max(days)[:4]), 12, 31)
