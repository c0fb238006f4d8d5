"""Split an article into paragraphs of segments, so that quoted passages can be highlighted.

Citations may overlap: two features can quote the same sentence, and one quote can sit inside
another or straddle its end. Nesting marks cannot express that, so the text is cut at every
citation boundary (and at line breaks, which end paragraphs); each resulting segment knows
which citations cover it. The template then renders segments as plain data, escaping the
text, and never builds markup from article text in Python.

>>> text = "One two three.\\nFour five."
>>> [[(s.text, s.citations) for s in p] for p in paragraphs(text, [(4, 13), (8, 19)])]
[[('One ', ()), ('two ', (0,)), ('three', (0, 1)), ('.', (1,))], [('Four', (1,)), (' five.', ())]]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Segment:
    """A run of article text and the indices of the citations that cover all of it.

    ``starts`` are the citations whose first segment this is (their anchor goes here);
    ``ends`` are the citations whose last segment this is.
    """

    text: str
    citations: tuple[int, ...] = ()
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()


def _line_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, without its surrounding whitespace."""
    ranges = []
    for match in _LINE.finditer(text):
        line = match.group()
        if line.strip():
            start = match.start() + len(line) - len(line.lstrip())
            ranges.append((start, match.end() - (len(line) - len(line.rstrip()))))
    return ranges


def _cut(
    start: int, end: int, spans: Sequence[tuple[int, int]]
) -> list[tuple[int, int, tuple[int, ...]]]:
    """Pieces of [start, end) cut at every span boundary inside it, each with its covering spans."""
    cuts = {start, end} | {p for span in spans for p in span if start < p < end}
    points = sorted(cuts)
    return [
        (a, b, tuple(i for i, (s, e) in enumerate(spans) if s <= a and b <= e))
        for a, b in pairwise(points)
    ]


def paragraphs(text: str, spans: Sequence[tuple[int, int]]) -> list[list[Segment]]:
    """The non-blank lines of ``text`` as paragraphs of segments highlighted by ``spans``.

    ``spans`` are (start, end) offsets of the citations, in citation order; a segment's
    ``citations`` are indices into ``spans``. Every citation that covers some visible text
    gets exactly one start segment and one end segment.
    """
    result = [
        [Segment(text[a:b], covering) for a, b, covering in _cut(start, end, spans)]
        for start, end in _line_ranges(text)
    ]
    first: dict[int, tuple[int, int]] = {}
    last: dict[int, tuple[int, int]] = {}
    for p, paragraph in enumerate(result):
        for s, segment in enumerate(paragraph):
            for index in segment.citations:
                first.setdefault(index, (p, s))
                last[index] = (p, s)
    starts: dict[tuple[int, int], list[int]] = {}
    ends: dict[tuple[int, int], list[int]] = {}
    for index in sorted(first):
        starts.setdefault(first[index], []).append(index)
        ends.setdefault(last[index], []).append(index)
    for where in starts.keys() | ends.keys():
        p, s = where
        found_starts, found_ends = starts.get(where, ()), ends.get(where, ())
        result[p][s] = replace(result[p][s], starts=tuple(found_starts), ends=tuple(found_ends))
    return result
