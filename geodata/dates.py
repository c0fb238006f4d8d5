"""Dates as the articles word them, read as intervals of days.

An article says "fourth quarter of 2026", "April last year" or "in the coming years"; the
atlas keeps those words and reads each as an :class:`Interval` of days (both ends inclusive,
``None`` for an open side). A relative form ("last year", "October 9", "the first half of
the year") is read against the *anchor*: the interval the article's publication date lies in.
When that date is known only within bounds, the reading widens to cover every possible
publication day, so nothing is claimed that the article does not support:

>>> from datetime import date
>>> anchor = Interval(date(2025, 1, 1), date(2026, 11, 22), "published", False)
>>> parse_when("April last year", anchor)
Interval(start=datetime.date(2024, 4, 1), end=datetime.date(2025, 4, 30), \
words='April last year', relative=True)
>>> parse_when("fourth quarter of 2026", None).end
datetime.date(2026, 12, 31)

Anything not understood raises :class:`ValueError` saying so; nothing is guessed.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

#: Years an ``as_of`` parameter may name.
AS_OF_YEARS = (1900, 2100)
AS_OF_FORM = "YYYY, YYYY-MM or YYYY-MM-DD"


@dataclass(frozen=True)
class Interval:
    """Days from ``start`` to ``end``, both inclusive; ``None`` is an open side. ``words`` are
    the article's, unchanged; ``relative`` says they were read against the article's date."""

    start: date | None
    end: date | None
    words: str
    relative: bool

    def to_json(self) -> dict[str, str | bool | None]:
        """``{"start", "end", "relative"}`` with ISO dates (null for an open side)."""
        return {"start": iso(self.start), "end": iso(self.end), "relative": self.relative}


def iso(day: date | None) -> str | None:
    """``day`` as YYYY-MM-DD, or None."""
    return day.isoformat() if day else None


Span = tuple[date | None, date | None]
#: A period within one year (a quarter, "October 9"), given the year.
InYear = Callable[[int], tuple[date, date]]

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3}
_ORDINALS |= {"4th": 4}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_NUMBERS |= {"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_ORDINAL = "(?P<ordinal>" + "|".join(_ORDINALS) + ")"
_COUNT = r"(?P<count>\d{1,2}|" + "|".join(_NUMBERS) + ")"
_YEAR = r"(?P<year>(?:19|20|21)\d\d)"
#: Which year a relative phrase means, as an offset from the article's year.
_WHICH_YEAR = {"this year": 0, "the year": 0, "last year": -1, "next year": 1}
_WHICH_YEAR |= {"the previous year": -1, "the following year": 1, "the current year": 0}
_YEAR_WORDS = "(?P<which>" + "|".join(_WHICH_YEAR) + ")"
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}
#: Parts of a year by their words: early, mid and late are thirds; "end" is the last quarter.
_PARTS = {"early": (1, 4), "beginning": (1, 3), "start": (1, 3), "mid": (5, 8)}
_PARTS |= {"middle": (5, 8), "late": (9, 12), "end": (10, 12)} | _SEASONS
_PART = "(?P<part>" + "|".join(sorted(_PARTS, key=len, reverse=True)) + ")"
#: Open-ended phrases read from the article's date onwards, and up to it.
_ONWARD = ("coming years", "coming months", "medium term", "long term", "near future")
_ONWARD += ("future", "years ahead", "months ahead", "soon")
_UNTIL_NOW = ("recent years", "recent months", "recently", "to date", "so far", "past years")
#: Phrases meaning the article's own date.
_NOW = ("currently", "now", "today", "at present", "presently", "nowadays")
_PAST = re.compile(
    r"(?:over |during )?(?:the )?(?:past|last) (?:(?P<low>\d+)-)?" + _COUNT + r" years"
    r"|(?:over |during )?(?:the )?past year"
)


def month_days(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _months(first: int, last: int) -> InYear:
    return lambda year: (month_days(year, first)[0], month_days(year, last)[1])


def _whole_year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _day(month: int, first: int, last: int) -> InYear:
    def days(year: int) -> tuple[date, date]:
        return date(year, month, first), date(year, month, last)

    for day in (first, last):  # check the day exists, in a leap year if it is 29 February
        date(2024, month, day)
    if first > last:
        raise ValueError(f"the day range {first}-{last} runs backwards")
    return days


def _normalise(words: str) -> str:
    text = re.sub(r"\s+", " ", words.strip().lower().rstrip("."))
    text = re.sub(r"\s*[\u2013\u2014\u2012-]\s*", "-", text)
    text = text.replace("mid-", "mid ")
    return text


def parse_when(words: str, anchor: Interval | None) -> Interval:
    """The interval ``words`` (an article's date expression) stand for.

    ``anchor`` is the interval the article was published in; relative words need it and
    raise :class:`ValueError` without a usable one, as do words this parser does not know.
    """
    text = _normalise(words)
    if not text:
        raise ValueError("an empty date")
    try:
        (start, end), relative = _span(text, anchor)
    except ValueError as err:
        raise ValueError(f"{words!r}: {err}") from None
    if start is not None and end is not None and start > end:
        raise ValueError(f"{words!r} ends before it starts")
    return Interval(start, end, words, relative)


def _span(text: str, anchor: Interval | None) -> tuple[Span, bool]:
    """(start, end) and whether the anchor was used; ``text`` is normalised."""
    for prefix in ("in ", "on ", "during ", "for ", "at ", "of ", "the "):
        if text.startswith(prefix) and text not in ("the year", "at present"):
            return _span(text.removeprefix(prefix), anchor)
    bounded = _bounded(text, anchor)
    if bounded is not None:
        return bounded
    absolute = _absolute(text)
    if absolute is not None:
        return absolute, False
    read = _relative(text)
    return _need(read(_usable(anchor)), text), True


def _bounded(text: str, anchor: Interval | None) -> tuple[Span, bool] | None:
    """ "by X", "until X", "since X", "from X to Y", "between X and Y" and year ranges."""
    if re.fullmatch(r"\d{4}-(?:0[1-9]|1[0-2])(?:-\d\d)?", text):
        return None  # an ISO month or day
    years = re.fullmatch(r"(?:from |between )?((?:19|20|21)\d\d)(?:-| to | and )(\d{4}|\d\d)", text)
    if years:
        first, last = int(years[1]), int(years[2])
        if last < 100:
            last += first // 100 * 100
        return (date(first, 1, 1), date(last, 12, 31)), False
    pair = re.fullmatch(r"(?:from|between) (.+?) (?:to|and|until|till) (.+)", text)
    if pair:
        (start, _), early = _span(pair[1], anchor)
        (_, end), late = _span(pair[2], anchor)
        return (start, end), early or late
    for prefix, keep in (
        ("by the end of ", "end"),
        ("by ", "end"),
        ("until ", "end"),
        ("till ", "end"),
        ("through ", "end"),
        ("no later than ", "end"),
        ("before ", "before"),
        ("since ", "start"),
        ("from ", "start"),
        ("starting ", "start"),
        ("after ", "after"),
    ):
        if text.startswith(prefix):
            (start, end), relative = _span(text.removeprefix(prefix), anchor)
            if keep == "end":
                return (None, end), relative
            if keep == "start":
                return (start, None), relative
            if keep == "before":
                return (None, start - timedelta(days=1) if start else None), relative
            return (end + timedelta(days=1) if end else None, None), relative
    return None


def _absolute(text: str) -> Span | None:
    """A period named with its year, or None when ``text`` names no year."""
    found = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", text)
    if found:
        day = date(int(found[1]), int(found[2]), int(found[3]))
        return day, day
    found = re.fullmatch(r"(\d{4})-(\d\d)", text)
    if found:
        return month_days(int(found[1]), int(found[2]))
    if not re.search(r"\b(?:19|20|21)\d\d\b", text):
        return None
    found = re.fullmatch(r"(?:(?P<head>.+?),? )?" + _YEAR, text)
    in_year = _in_year(found["head"] or "") if found else None
    if found is None or in_year is None:
        raise ValueError("not a date form the atlas knows")
    return in_year(int(found["year"]))


def _in_year(head: str) -> InYear | None:
    """The part of a year ``head`` names ("fourth quarter of", "April 9"), or None."""
    head = re.sub(r"(?: of| in|,)$", "", head.strip()).strip()
    head = head.removeprefix("the ")
    if head in ("", "year"):
        return _whole_year
    patterns: list[tuple[str, Callable[[re.Match[str]], InYear]]] = [
        (r"q([1-4])", lambda m: _months(3 * int(m[1]) - 2, 3 * int(m[1]))),
        (_ORDINAL + " quarter", lambda m: _months(*_quarter(_ORDINALS[m["ordinal"]]))),
        (r"h([12])", lambda m: _months(6 * int(m[1]) - 5, 6 * int(m[1]))),
        (_ORDINAL + " half", lambda m: _months(*_half(_ORDINALS[m["ordinal"]]))),
        (_ORDINAL + " " + _COUNT + " months", _first_months),
        (_PART, lambda m: _months(*_PARTS[m["part"]])),
        (_MONTH, lambda m: _months(_MONTHS[m["month"]], _MONTHS[m["month"]])),
        (_PART + "(?: of)? " + _MONTH, _part_of_month),
        (_MONTH + r" (\d{1,2})(?:-(\d{1,2}))?", lambda m: _month_day(m, 2, 3)),
        (r"(\d{1,2})(?:-(\d{1,2}))? " + _MONTH, lambda m: _month_day(m, 1, 2)),
    ]
    for pattern, make in patterns:
        found = re.fullmatch(pattern, head)
        if found:
            return make(found)
    return None


def _quarter(number: int) -> tuple[int, int]:
    if number > 4:
        raise ValueError(f"a year has four quarters, not {number}")
    return 3 * number - 2, 3 * number


def _half(number: int) -> tuple[int, int]:
    if number > 2:
        raise ValueError("a year has two halves")
    return 6 * number - 5, 6 * number


def _count(word: str) -> int:
    number = int(word) if word.isdigit() else _NUMBERS[word]
    if not 1 <= number <= 12:
        raise ValueError(f"a year has twelve months, not {number}")
    return number


def _first_months(found: re.Match[str]) -> InYear:
    if found["ordinal"] != "first":
        raise ValueError(f"cannot read {found[0]!r}: only 'the first N months' is known")
    return _months(1, _count(found["count"]))


def _part_of_month(found: re.Match[str]) -> InYear:
    month = _MONTHS[found["month"]]
    thirds = {"early": (1, 10), "beginning": (1, 10), "mid": (11, 20), "middle": (11, 20)}
    if found["part"] in thirds:
        first, last = thirds[found["part"]]
        return lambda year: (date(year, month, first), date(year, month, last))
    if found["part"] in ("late", "end"):
        return lambda year: (date(year, month, 21), month_days(year, month)[1])
    raise ValueError(f"cannot read {found[0]!r}")


def _month_day(found: re.Match[str], first: int, last: int) -> InYear:
    start = int(found[first])
    return _day(_MONTHS[found["month"]], start, int(found[last] or start))


def _usable(anchor: Interval | None) -> Interval:
    if anchor is None or (anchor.start is None and anchor.end is None):
        raise ValueError(
            "relative to the article's date, and the article has no dated anchor "
            "(published_earliest or published_latest) to read it against"
        )
    return anchor


Reader = Callable[[Interval], Span]


def _relative(text: str) -> Reader:
    """How to read ``text`` against an anchor; raises when ``text`` is not a known form."""
    if text in _ONWARD:
        return lambda anchor: (anchor.start, None)
    if text in _UNTIL_NOW:
        return lambda anchor: (None, anchor.end)
    if text in _NOW:
        return lambda anchor: (anchor.start, anchor.end)
    past = _PAST.fullmatch(text)
    if past:
        years = _count(past["count"]) if past["count"] else 1
        if past["low"] and int(past["low"]) > years:
            raise ValueError("the range of years runs backwards")

        def since(anchor: Interval) -> Span:
            return (_years_before(anchor.start, years) if anchor.start else None, anchor.end)

        return since
    month_offset = {"this month": 0, "last month": -1, "next month": 1}.get(text)
    if month_offset is not None:
        return lambda anchor: _shifted_months(anchor, month_offset)
    found = re.fullmatch(r"(?:(?P<head>.+?) )?" + _YEAR_WORDS, text)
    offset, head = (_WHICH_YEAR[found["which"]], found["head"] or "") if found else (0, text)
    in_year = _in_year(head) if head else _whole_year
    if in_year is None or (not found and head in ("", "year")):
        raise ValueError("not a date form the atlas knows")
    return lambda anchor: _widened(in_year, anchor, offset)


def _widened(in_year: InYear, anchor: Interval, offset: int) -> Span:
    start = in_year(anchor.start.year + offset)[0] if anchor.start else None
    end = in_year(anchor.end.year + offset)[1] if anchor.end else None
    return start, end


def _shifted_months(anchor: Interval, offset: int) -> Span:
    def shift(day: date) -> tuple[date, date]:
        index = day.year * 12 + day.month - 1 + offset
        return month_days(index // 12, index % 12 + 1)

    return (
        shift(anchor.start)[0] if anchor.start else None,
        shift(anchor.end)[1] if anchor.end else None,
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _need(span: Span, text: str) -> Span:
    if span == (None, None):
        raise ValueError("read against the article's date, it needs the side that is unknown")
    return span


def parse_as_of(text: str) -> date:
    """The day an ``as_of=YYYY[-MM[-DD]]`` parameter means: a partial date is the last day of
    its period ("as things stood by the end of it").

    >>> parse_as_of("2026-02")
    datetime.date(2026, 2, 28)
    >>> parse_as_of("2025")
    datetime.date(2025, 12, 31)
    """
    found = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text or "")
    low, high = AS_OF_YEARS
    problem = f"as_of must be a date written {AS_OF_FORM} (years {low}–{high}), not {text!r}"
    if not found or not low <= int(found[1]) <= high:
        raise ValueError(problem)
    year = int(found[1])
    try:
        if found[3]:
            return date(year, int(found[2]), int(found[3]))
        if found[2]:
            return month_days(year, int(found[2]))[1]
    except ValueError:
        raise ValueError(problem) from None
    return date(year, 12, 31)
