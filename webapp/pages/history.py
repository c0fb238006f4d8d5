"""A feature's history as the feature page shows it: a small timeline of its steps.

Each step of the ``history`` property (``geodata.timeline.feature_history``: one per article
reporting the feature, one per event an article dates) becomes a row with its stage, the
article's words for the date (English data) and the interval they were read as, written in the
reader's language, the article that reported it and whether it was announced as a plan; and a
bar on an axis common to all the steps (from 1 January of the first year to 31 December of the
last), in percent of the axis, which the page draws with CSS (static/history.css) next to
the words that say the same.

>>> steps = timeline_steps([{"stage": "operational", "start": "2026-10-01", "end": "2026-12-31",
...     "kind": "event", "label": "technical launch", "when": "fourth quarter of 2026",
...     "seed": "003_x.txt", "scheduled": True}], {}, lambda slug: f"/sources/{slug}", "en")
>>> steps[0]["interval"], steps[0]["slug"], steps[0]["bar"]
('1 October 2026 – 31 December 2026', '003_x', (74.8, 25.2))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext

from geodata.vocabulary import STAGES
from webapp.i18n.formatting import long_date


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def interval_words(start: date | None, end: date | None, language: str) -> str:
    """The days a step may fall on, in the reader's language: one day, a range, or a side
    left open ("from …", "by …")."""
    first = long_date(start.isoformat(), language) if start else None
    last = long_date(end.isoformat(), language) if end else None
    if first and last:
        return first if start == end else f"{first} – {last}"
    if first:
        return gettext("from %(date)s, end not known", date=first)
    if last:
        return gettext("by %(date)s, start not known", date=last)
    return gettext("date not known")


def _axis(steps: Sequence[tuple[date | None, date | None]]) -> tuple[date, date] | None:
    days = [day for pair in steps for day in pair if day is not None]
    if not days:
        return None
    return date(min(days).year, 1, 1), date(max(days).year, 12, 31)


def timeline_steps(
    history: Any,
    articles: Mapping[str, Any],
    source_url: Callable[[str], str],
    language: str,
) -> list[dict[str, Any]]:
    """The rows of the timeline of ``history`` (the feature's property as built; anything
    else gives no rows). ``articles`` maps slugs to their citation (title …), ``source_url``
    gives a slug's page. Each row: the step's fields, ``interval`` (words), ``start``/``end``
    dates, ``slug``, ``article`` and ``href`` (None for an article the atlas does not hold),
    and ``bar``: (left, width) in percent of the axis, or None when the step has no day."""
    steps = [
        step
        for step in (history if isinstance(history, list) else ())
        if isinstance(step, dict) and step.get("stage") in STAGES
    ]
    days = [(_day(step.get("start")), _day(step.get("end"))) for step in steps]
    axis = _axis(days)
    rows = []
    for step, (start, end) in zip(steps, days, strict=True):
        slug = str(step.get("seed") or "").removesuffix(".txt")
        article = articles.get(slug)
        rows.append(
            {
                **step,
                "start": start,
                "end": end,
                "interval": interval_words(start, end, language),
                "slug": slug,
                "article": article,
                "href": source_url(slug) if article is not None else None,
                "bar": _bar(axis, start, end),
            }
        )
    return rows


def axis_years(history_rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, float]]:
    """The years of the timeline's axis, each with where it starts (percent)."""
    axis = _axis([(row["start"], row["end"]) for row in history_rows])
    if axis is None:
        return []
    first, last = axis
    length = (last - first).days + 1
    return [
        (year, round((date(year, 1, 1) - first).days / length * 100, 1))
        for year in range(first.year, last.year + 1)
    ]


def _bar(
    axis: tuple[date, date] | None, start: date | None, end: date | None
) -> tuple[float, float] | None:
    """(left, width) of a step's days on ``axis``, in percent; an open side runs to the
    axis's edge. At least half a percent wide, so a single day shows."""
    if axis is None or (start is None and end is None):
        return None
    first, last = axis
    length = (last - first).days + 1
    left = ((start or first) - first).days / length * 100
    right = ((end or last) - first).days + 1
    width = max(right / length * 100 - left, 0.5)
    return round(left, 1), round(min(width, 100 - left), 1)
