"""Stage, dates and figures stated in a clause, each figure with its verbatim quote.

>>> stage_of("the plant is under construction and will open in 2026")
'under construction'
>>> [(d.event, d.when) for d in dates_in("the first phase opened in April last year")]
[('first phase opened', 'April last year')]
>>> [(f.label, f.value, f.unit, f.quote) for f in figures_in("covering 100 hectares")]
[('area', 100.0, 'ha', 'covering 100 hectares')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geodata.ingest.text import _MONTH

#: Words that set a stage, most telling first: the first family that matches wins.
_STAGES = (
    (
        "under construction",
        r"under construction|being built|being constructed|construction of|under ?way",
    ),
    ("proposed", r"propos\w*|agreed to study|suggest\w*|could be|prospects? for"),
    (
        "planned",
        r"\bwill\b|\bplan(?:s|ned|ning)?\b|set to|to be (?:built|launched|opened)|upcoming"
        r"|intend\w*",
    ),
    ("operational", r"launch(?:ed|ing)?|opened|opening|inaugurated|operat\w*|held|hosted"),
    ("completed", r"completed|unveil\w*|finished|arrived"),
)
_EVENTS = (
    r"technical launch|official opening|first phase opened|launched|opened|unveil\w*|"
    r"inaugurated|completed|commissioned|construction|opening|launch"
)
_WHEN = (
    rf"(?:(?:first|second|third|fourth) quarter|(?:first|second) half) of (?:19|20)\d\d|"
    rf"(?:{_MONTH}) (?:last|next|this) year|(?:{_MONTH}) \d{{1,2}}(?:, (?:19|20)\d\d)?|"
    rf"(?:{_MONTH}) (?:19|20)\d\d|(?:19|20)\d\d"
)
_DATE = re.compile(rf"\b(?i:in|by|on|from|since|until|for) (?:the )?(?P<when>{_WHEN})\b")
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_FIGURES = (
    ("length", re.compile(rf"(?P<value>{_NUMBER})\s*(?P<unit>km|kilomet(?:er|re)s)\b")),
    (
        "cost",
        re.compile(
            rf"(?P<cur>[$€])\s?(?P<value>{_NUMBER})(?:\s(?P<scale>thousand|million|billion))?"
        ),
    ),
    (
        "capacity",
        re.compile(
            rf"capacity of (?P<value>{_NUMBER})\s(?P<scale>thousand |million )?"
            r"(?P<unit>(?:tons?|tonnes?|TEU|MW|GW|containers)(?: (?:of|per) [a-z]+(?: [a-z]+)?)?)"
        ),
    ),
    ("jobs", re.compile(rf"(?P<value>{_NUMBER})\s(?P<unit>(?:new )?jobs)\b")),
    ("area", re.compile(rf"(?:covering |of )?(?P<value>{_NUMBER})\s(?P<unit>hectares|ha)\b")),
)


@dataclass(frozen=True)
class DateFact:
    event: str
    when: str


@dataclass(frozen=True)
class FigureFact:
    label: str
    value: float
    unit: str
    quote: str


def stage_of(clause: str) -> str | None:
    """The catalogue stage the clause's words state, or None if they state none."""
    lowered = clause.lower()
    for stage, words in _STAGES:
        if re.search(words, lowered):
            return stage
    return None


def dates_in(clause: str) -> list[DateFact]:
    """Every date the clause states, worded as it is, with the event next to it."""
    facts = []
    for match in _DATE.finditer(clause):
        before = clause[: match.start()].lower()
        events = re.findall(_EVENTS, before) or re.findall(_EVENTS, clause[match.end() :].lower())
        event = events[-1] if events else "stated"
        facts.append(DateFact(event, match["when"]))
    return facts


def figures_in(clause: str) -> list[FigureFact]:
    """Every length, cost, capacity, job count and area in the clause, each with its quote."""
    facts = []
    for label, pattern in _FIGURES:
        for match in pattern.finditer(clause):
            value = float(match["value"].replace(",", ""))
            scale = (match.groupdict().get("scale") or "").strip()
            value *= _SCALE.get(scale, 1)
            unit = match.groupdict().get("unit") or {"$": "USD", "€": "EUR"}[match["cur"]]
            unit = {"hectares": "ha", "kilometres": "km", "kilometers": "km"}.get(unit, unit)
            facts.append(FigureFact(label, value, unit, match.group().strip()))
    return facts
