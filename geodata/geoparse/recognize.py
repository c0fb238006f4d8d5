"""Find the spans of a text that may name places, with no statistical model.

A span is a run of capitalised words (with ``St.``-style abbreviations, apostrophes as in
``Xi'an`` or ``Oʻzbekiston`` and hyphens inside words), looked up in the gazetteer and the area
table, longest first. Filters then drop what is most often not a place: a lone common word
(``The``, ``May``, ``Police``), a word that the same text also writes in lower case
(``Mobile`` beside "mobile home"), the surname in a person's name (``Chiquita Raquel Henry``,
``Henry said``), two or three one-word names side by side (``Scott Bell``), contractions
(``I've``) and any name after a title (``Mr``, ``Gov.``). Countries and regions
are exempt from the person tests (``the Florida Highway Patrol``, ``Russia said``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from geodata.geoparse.areas import STATE_ABBREVIATIONS
from geodata.geoparse.words import (
    ABBREVIATIONS,
    AFTER_PLACE,
    BEFORE_PLACE,
    COMMON,
    MONTHS_AND_DAYS,
    REGION_SUFFIXES,
    SPEECH,
    TITLES,
)

_TOKEN = re.compile(r"[A-Z]\.[A-Z][a-z]+\.|(?:[A-Z]\.){2,}|[^\W\d_](?:\w|['’ʻʼ`](?=\w)|-(?=\w))*")
_POSSESSIVE = re.compile(r"\w['’]s$")
_SENTENCE_END = re.compile(r"[.!?:;\"“”]\s*$|^\s*$")
_CONTRACTION = re.compile(r"['’](?:ve|re|ll|d|m|t)$", re.IGNORECASE)  # "I've", "We're"
MAX_WORDS = 5


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()


@dataclass(frozen=True)
class Span:
    """A candidate place name: ``text[start:end]``; ``suffix`` is a region word it ends with."""

    start: int
    end: int
    name: str
    suffix: str | None
    sentence_initial: bool


def tokens(text: str) -> list[Token]:
    """The words of ``text``; an abbreviation keeps its full stop (``St.``).

    >>> [t.text for t in tokens("St. Petersburg and Xi'an, Russia's")]
    ['St.', 'Petersburg', 'and', "Xi'an", 'Russia']
    """
    found = []
    for match in _TOKEN.finditer(text):
        end = match.end()
        word = match.group()
        dotted = word in ABBREVIATIONS or word + "." in STATE_ABBREVIATIONS
        if dotted and text[end : end + 1] == ".":
            end += 1
        elif _POSSESSIVE.search(match.group()):  # "Russia's" names Russia
            end -= 2
        found.append(Token(text[match.start() : end], match.start(), end))
    return found


def _runs(text: str, words: list[Token]) -> Iterator[list[int]]:
    """Indexes of runs of capitalised words separated only by a space or hyphen."""
    run: list[int] = []
    for i, word in enumerate(words):
        joined = run and text[words[run[-1]].end : word.start] in (" ", "-")
        if word.capitalised and (not run or joined):
            run.append(i)
            continue
        if run:
            yield run
        run = [i] if word.capitalised else []
    if run:
        yield run


def find_spans(
    text: str, known: Callable[[str], bool], major: Callable[[str], bool] | None = None
) -> list[Span]:
    """The spans of ``text`` that ``known`` recognises as names, after the filters.

    Names that ``major`` accepts (countries, first-level regions, words for a country's
    people) are kept inside the names of bodies ("the Florida Highway Patrol", "U.S. House")
    and are never taken for a person ("Georgia said"): news text names them so far more often
    than it names a person.
    """
    words = tokens(text)
    lower = {w.text for w in words if not w.capitalised}
    persons: set[str] = set()
    keep = major or (lambda name: False)
    spans: list[Span] = []
    for run in _runs(text, words):
        matched = list(_match_run(text, words, run, known))
        unmatched = [i for i in run if not any(a <= i < b for a, b in matched)]
        if _looks_like_a_person(text, words, run, matched, keep):  # "Patrick Jones"
            continue
        for a, b in matched:
            is_major = keep(text[words[a].start : words[b - 1].end])
            span = _judge(text, words, run, a, b, unmatched, lower, persons, is_major)
            if span is not None:
                spans.append(span)
        if unmatched and not matched and len(run) >= 2:
            persons.add(words[run[-1]].text)
    return [s for s in spans if not (s.name in persons and s.suffix is None and not keep(s.name))]


def _match_run(
    text: str, words: list[Token], run: list[int], known: Callable[[str], bool]
) -> Iterator[tuple[int, int]]:
    """Longest known names in the run, left to right, as (first, past-last) word indexes."""
    i, last = run[0], run[-1] + 1
    while i < last:
        for j in range(min(last, i + MAX_WORDS), i, -1):
            if known(text[words[i].start : words[j - 1].end]):
                yield i, j
                i = j
                break
        else:
            i += 1


def _looks_like_a_person(
    text: str,
    words: list[Token],
    run: list[int],
    matched: list[tuple[int, int]],
    major: Callable[[str], bool],
) -> bool:
    """Whether a run is two or three one-word names, none a country or region: "Scott Bell".

    Two place names written side by side with no comma are far rarer in news than a first
    name and a surname that are both also towns somewhere.
    """
    if not 2 <= len(run) <= 3 or len(matched) != len(run):
        return False
    placey = REGION_SUFFIXES | COMMON | AFTER_PLACE | BEFORE_PLACE  # "West Africa", "Main Street"
    if any(b - a != 1 or words[a].text in placey for a, b in matched):
        return False
    return not any(major(words[a].text) for a, _ in matched)


def _judge(
    text: str,
    words: list[Token],
    run: list[int],
    a: int,
    b: int,
    unmatched: list[int],
    lower: set[str],
    persons: set[str],
    major: bool = False,
) -> Span | None:
    name = text[words[a].start : words[b - 1].end]
    suffix = words[b].text if b < len(words) and words[b].text in REGION_SUFFIXES else None
    end = words[b].end if suffix and text[words[b - 1].end : words[b].start] == " " else None
    single = b - a == 1
    common = name in COMMON or name in MONTHS_AND_DAYS or name.lower() in lower
    short = len(name.rstrip(".")) < 2 or name.rstrip(".") in ABBREVIATIONS
    if single and (common or (short and suffix is None) or _CONTRACTION.search(name)):
        return None
    titled = a > 0 and words[a - 1].text.rstrip(".") in TITLES
    if major and not titled:  # "the Florida Highway Patrol", "Russia said": no person tests
        return Span(words[a].start, words[b - 1].end, name, None, _initial(text, words[a]))
    if single and b < len(words) and words[b].text in SPEECH:  # "Henry said"
        persons.add(name)
        return None
    if a > 0 and words[a - 1].text in SPEECH:  # "said Henry"
        return None
    if titled:
        return None
    before = [i for i in unmatched if i < a]
    after = [i for i in unmatched if i >= b]
    if before and not all(words[i].text in BEFORE_PLACE for i in before):
        persons.add(name)
        return None
    named_region = words[b - 1].text in REGION_SUFFIXES  # "Cooke County Fiscal Court"
    if after and words[after[0]].text not in AFTER_PLACE | REGION_SUFFIXES and not named_region:
        return None
    if b < len(words) and words[b].text in SPEECH and len(run) > 1:
        persons.add(name)
        return None
    initial = _initial(text, words[a])
    if end is not None:
        return Span(words[a].start, end, name, suffix, initial)
    return Span(words[a].start, words[b - 1].end, name, None, initial)


def _initial(text: str, word: Token) -> bool:
    """Whether ``word`` starts a sentence (or a quotation, or the text)."""
    return bool(_SENTENCE_END.search(text[max(0, word.start - 3) : word.start]))
