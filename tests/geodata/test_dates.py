"""Dates as intervals (issue 14): every date expression of the seed articles, a table of other
forms, relative words read against the article's publication bounds, and ``as_of``."""

from __future__ import annotations

from datetime import date

import pytest

from geodata import DEFAULT_CATALOGUE, DEFAULT_SEEDS_DIR
from geodata.catalogue import load_catalogue
from geodata.dates import Interval, parse_as_of, parse_when
from geodata.provenance import article_records
from geodata.sources import SeedLibrary, squash_whitespace
from geodata.timeline import anchor_of

S000 = "000_671c4ac208bcfce0.txt"
S001 = "001_b4e6c703c5a7dd84.txt"
S002 = "002_9f4c402e24e736ce.txt"
S003 = "003_26f6919544f59e0e.txt"
S004 = "004_c29f196579ce70c1.txt"

#: Every date expression in the seed articles, found by reading them, with its interval read
#: against its article's publication bounds (start, end; None is open) and whether it is
#: relative. Bounds: 000 and 002 2025-01-01..2026-11-22, 001 and 004 open..2026-11-22, 003 exactly
#: 2024-07-14.
SEED_DATES = [
    (S000, "in 2025", "2025-01-01", "2025-12-31", False),
    (S000, "for 2026", "2026-01-01", "2026-12-31", False),
    (S000, "Over the past 3-5 years", "2020-01-01", "2026-11-22", True),
    (S000, "April last year", "2024-04-01", "2025-04-30", True),
    (S001, "October 9", None, "2026-10-09", True),
    (S001, "until 2027", None, "2027-12-31", False),
    (S001, "2025–2027", "2025-01-01", "2027-12-31", False),
    (S002, "In 2024", "2024-01-01", "2024-12-31", False),
    (S002, "2017", "2017-01-01", "2017-12-31", False),
    (S002, "by 2030", None, "2030-12-31", False),
    (S002, "Currently", "2025-01-01", "2026-11-22", True),
    (S002, "in 2024", "2024-01-01", "2024-12-31", False),
    (S002, "in 2025", "2025-01-01", "2025-12-31", False),
    (S002, "In 2025", "2025-01-01", "2025-12-31", False),
    (S002, "2024–2034", "2024-01-01", "2034-12-31", False),
    (S003, "March 17, 2025", "2025-03-17", "2025-03-17", False),
    (S003, "July 14, 2024", "2024-07-14", "2024-07-14", False),
    (S003, "in recent years", None, "2024-07-14", True),
    (S003, "July 11-12", "2024-07-11", "2024-07-12", True),
    (S003, "in the coming years", "2024-07-14", None, True),
    (S003, "in 2023", "2023-01-01", "2023-12-31", False),
    (S003, "the first four months of 2024", "2024-01-01", "2024-04-30", False),
    (S003, "Over the past five years", "2019-07-14", "2024-07-14", True),
    (S003, "In 2023", "2023-01-01", "2023-12-31", False),
    (S003, "in the medium term", "2024-07-14", None, True),
    (S003, "So far", None, "2024-07-14", True),
    (S003, "fourth quarter of 2026", "2026-10-01", "2026-12-31", False),
    (S003, "first half of 2027", "2027-01-01", "2027-06-30", False),
    (S004, "by 2030", None, "2030-12-31", False),
    (S004, "In the first half of the year", None, "2026-06-30", True),
]


@pytest.fixture(scope="module")
def anchors() -> dict[str, Interval | None]:
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    records = article_records(catalogue, SeedLibrary.from_directory(DEFAULT_SEEDS_DIR))
    return {seed: anchor_of(record) for seed, record in records.items()}


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@pytest.mark.parametrize(("seed", "words", "start", "end", "relative"), SEED_DATES)
def test_every_date_in_the_seeds(anchors, seed, words, start, end, relative):
    text = (DEFAULT_SEEDS_DIR / seed).read_text(encoding="utf-8")
    assert words in text  # verbatim, so the table is the seeds' own words
    interval = parse_when(words, anchors[seed])
    assert interval == Interval(_day(start), _day(end), words, relative)


def test_the_seed_table_is_every_year_the_seeds_name():
    """A year in a seed that no row covers is a date expression the table has missed."""
    import re

    for path in sorted(DEFAULT_SEEDS_DIR.glob("*.txt")):
        text = squash_whitespace(path.read_text(encoding="utf-8"))
        listed = " ".join(words for seed, words, *_ in SEED_DATES if seed == path.name)
        for year in set(re.findall(r"\b(?:19|20)\d\d\b", text)):
            assert year in listed, f"{path.name}: {year} is in no listed expression"


def test_the_publication_bounds_are_curated_as_the_issue_says(anchors):
    atlas_entry = date(2026, 11, 22)
    assert anchors[S003] == Interval(date(2024, 7, 14), date(2024, 7, 14), "published", False)
    assert anchors[S000].start == anchors[S002].start == date(2025, 1, 1)
    assert anchors[S001].start is None and anchors[S004].start is None
    assert {anchor.end for anchor in anchors.values()} == {date(2024, 7, 14), atlas_entry}


ANCHOR = Interval(date(2025, 1, 1), date(2026, 11, 22), "published", False)
EXACT = Interval(date(2024, 7, 14), date(2024, 7, 14), "published", False)
OPEN_START = Interval(None, date(2026, 11, 22), "published", False)

#: Other forms: words, anchor, start, end.
OTHER_FORMS = [
    ("2025", None, "2025-01-01", "2025-12-31"),
    ("April 2025", None, "2025-04-01", "2025-04-30"),
    ("Sept. 2025", None, "2025-09-01", "2025-09-30"),
    ("9 October 2025", None, "2025-10-09", "2025-10-09"),
    ("on 29 February 2024", None, "2024-02-29", "2024-02-29"),
    ("Q3 2026", None, "2026-07-01", "2026-09-30"),
    ("H2 2025", None, "2025-07-01", "2025-12-31"),
    ("3rd quarter of 2026", None, "2026-07-01", "2026-09-30"),
    ("mid-2026", None, "2026-05-01", "2026-08-31"),
    ("early 2025", None, "2025-01-01", "2025-04-30"),
    ("late 2025", None, "2025-09-01", "2025-12-31"),
    ("end of 2026", None, "2026-10-01", "2026-12-31"),
    ("by the end of 2026", None, "", "2026-12-31"),
    ("the beginning of 2026", None, "2026-01-01", "2026-03-31"),
    ("spring 2026", None, "2026-03-01", "2026-05-31"),
    ("mid-October 2025", None, "2025-10-11", "2025-10-20"),
    ("second half of 2025", None, "2025-07-01", "2025-12-31"),
    ("since 2020", None, "2020-01-01", ""),
    ("before 2020", None, "", "2019-12-31"),
    ("after 2020", None, "2021-01-01", ""),
    ("from 2024 to 2026", None, "2024-01-01", "2026-12-31"),
    ("2025-27", None, "2025-01-01", "2027-12-31"),
    ("2025-03", None, "2025-03-01", "2025-03-31"),
    ("2025-03-17", None, "2025-03-17", "2025-03-17"),
    ("this year", ANCHOR, "2025-01-01", "2026-12-31"),
    ("next year", ANCHOR, "2026-01-01", "2027-12-31"),
    ("last year", EXACT, "2023-01-01", "2023-12-31"),
    ("last month", ANCHOR, "2024-12-01", "2026-10-31"),
    ("next month", EXACT, "2024-08-01", "2024-08-31"),
    ("the end of the year", EXACT, "2024-10-01", "2024-12-31"),
    ("in March next year", EXACT, "2025-03-01", "2025-03-31"),
    ("by next year", EXACT, "", "2025-12-31"),
    ("over the past year", EXACT, "2023-07-14", "2024-07-14"),
    ("in the past two years", EXACT, "2022-07-14", "2024-07-14"),
    ("recently", OPEN_START, "", "2026-11-22"),
    ("in the near future", EXACT, "2024-07-14", ""),
    ("the first half of the year", EXACT, "2024-01-01", "2024-06-30"),
    ("October 9", EXACT, "2024-10-09", "2024-10-09"),
]


@pytest.mark.parametrize(("words", "anchor", "start", "end"), OTHER_FORMS)
def test_other_forms(words, anchor, start, end):
    interval = parse_when(words, anchor)
    assert (interval.start, interval.end) == (_day(start), _day(end))
    assert interval.words == words
    assert interval.relative == (anchor is not None)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("annually", "not a date form the atlas knows"),
        ("fifth quarter of 2026", "not a date form the atlas knows"),
        ("the 2017 level", "not a date form the atlas knows"),
        ("February 30, 2025", "day is out of range"),
        ("2027–2025", "ends before it starts"),
        ("", "an empty date"),
        ("April last year", "no dated anchor"),
        ("October 9", "no dated anchor"),
    ],
)
def test_unreadable_words_are_refused_with_a_reason(words, message):
    with pytest.raises(ValueError, match=message):
        parse_when(words, None)


def test_a_relative_date_needs_the_side_of_the_anchor_it_reads():
    with pytest.raises(ValueError, match="needs the side that is unknown"):
        parse_when("in the coming years", OPEN_START)
    with pytest.raises(ValueError, match="no dated anchor"):
        parse_when("this year", Interval(None, None, "published", False))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025", date(2025, 12, 31)),
        ("2026-02", date(2026, 2, 28)),
        ("2024-02", date(2024, 2, 29)),
        ("2025-06-15", date(2025, 6, 15)),
        ("1900", date(1900, 12, 31)),
        ("2100-12-31", date(2100, 12, 31)),
    ],
)
def test_as_of_means_the_end_of_the_period(text, day):
    assert parse_as_of(text) == day


@pytest.mark.parametrize(
    "text",
    ["", "25", "1899", "2101", "2025-13", "2025-02-30", "2025-1", "2025/01", " 2025", "now"],
)
def test_as_of_refuses_other_forms_naming_the_form(text):
    with pytest.raises(ValueError, match="YYYY, YYYY-MM or YYYY-MM-DD"):
        parse_as_of(text)
