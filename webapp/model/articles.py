"""The source articles as the server keeps them: each text, with its citations in columns.

sources.json holds one record per catalogued quote, so an atlas of 100,000 features holds at
least as many citations; as objects they would take more memory than the features do. An
:class:`Article` keeps them as a few arrays and joined strings instead, and gives each one
back as a :class:`Cited` when asked for, with the lookups the pages need done on the columns.

>>> from webapp.model.schema import Citation, SeedArticle
>>> seed = SeedArticle(seed="a.txt", slug="a", title="A", text="Parks in Bekabad and Navoi.",
...     citations=[Citation("bekabad", "Bekabad park", "Parks in Bekabad", 0, 16),
...                Citation(None, "Navoi", "Navoi", 21, 26, why="no site given")])
>>> article = Article.from_seed(seed)
>>> article.citations[1]
Cited(feature=None, label='Navoi', quote='Navoi', start=21, end=26, why='no site given')
>>> article.citations.features(), article.citations.number_of("bekabad", "Parks in Bekabad")
(['bekabad'], 0)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from webapp.model.columns import Lookup, StringColumn
from webapp.model.schema import Citation, SeedArticle


class Cited(NamedTuple):
    """One citation, as the pages read it: ``text[start:end]`` of its article is the quote."""

    feature: str | None
    label: str
    quote: str
    start: int
    end: int
    why: str | None


class Citations(Sequence[Cited]):
    """An article's citations, in sources.json's order (a citation's number is its index)."""

    def __init__(self, citations: Sequence[Citation]) -> None:
        number: dict[str, int] = {}
        for c in citations:
            if c.feature is not None:
                number.setdefault(c.feature, len(number))
        self._feature = np.array(
            [-1 if c.feature is None else number[c.feature] for c in citations], dtype=np.int32
        )
        self._ids = StringColumn(number)
        self._lookup = Lookup(self._ids)
        self._labels = StringColumn([c.label for c in citations])
        self._quotes = StringColumn([c.quote for c in citations])
        self._whys = {n: c.why for n, c in enumerate(citations) if c.why is not None}
        self.starts = np.array([c.start for c in citations], dtype=np.int64)
        self.ends = np.array([c.end for c in citations], dtype=np.int64)

    def _restored(self) -> None:
        self._lookup = self._lookup.over(self._ids)

    def __len__(self) -> int:
        return len(self._feature)

    def __getitem__(self, number):  # type: ignore[override]
        if isinstance(number, slice):
            return [self[n] for n in range(len(self))[number]]
        if number < 0:
            number += len(self)
        if not 0 <= number < len(self):
            raise IndexError(number)
        feature = int(self._feature[number])
        return Cited(
            None if feature < 0 else self._ids[feature],
            self._labels[number],
            self._quotes[number],
            int(self.starts[number]),
            int(self.ends[number]),
            self._whys.get(number),
        )

    def __iter__(self) -> Iterator[Cited]:
        return (self[n] for n in range(len(self)))

    def features(self) -> list[str]:
        """The ids of the features cited, in the order they are first quoted."""
        return list(self._ids)

    def numbers_of(self, feature_id: str | None) -> list[int]:
        """The numbers of the citations of ``feature_id`` (None: the not-mapped mentions)."""
        if feature_id is None:
            return np.flatnonzero(self._feature < 0).tolist()
        code = self._lookup.find(feature_id)
        if code is None:
            return []
        return np.flatnonzero(self._feature == code).tolist()

    def features_of(self, numbers: Sequence[int]) -> list[str]:
        """The distinct features the citations ``numbers`` name, in order of first mention."""
        codes = self._feature[np.asarray(numbers, dtype=np.int64)]
        codes, first = np.unique(codes[codes >= 0], return_index=True)
        return [self._ids[int(c)] for c in codes[np.argsort(first)]]

    def numbers_by_feature(self) -> dict[str, list[int]]:
        """Each cited feature's citation numbers, all at once (one pass over the column).

        An article with no citations (as in a synthetic atlas) has none:

        >>> Citations([]).numbers_by_feature()
        {}
        """
        if not len(self._feature):
            return {}  # np.split of nothing still gives one (empty) group
        order = np.argsort(self._feature, kind="stable")
        kinds, first = np.unique(self._feature[order], return_index=True)
        groups = np.split(order, first[1:])
        return {self._ids[k]: g.tolist() for k, g in zip(kinds, groups, strict=True) if k >= 0}

    def number_of(self, feature_id: str, quote: str) -> int | None:
        """The number of this feature's citation of ``quote``, if catalogued."""
        for number in self.numbers_of(feature_id):
            if self._quotes[number] == quote:
                return number
        return None


@dataclass(frozen=True)
class Article:
    """A source article: its file, slug, title, text and citations, and how it is cited
    (``cited_as``: its sources.json record's fields but text and citations, for
    ``webapp.pages.citing``)."""

    seed: str
    slug: str
    title: str
    text: str
    citations: Citations
    cited_as: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_seed(cls, seed: SeedArticle) -> Article:
        """The article of a validated sources.json record."""
        cited_as = seed.model_dump(exclude={"text", "citations"})
        return cls(seed.seed, seed.slug, seed.title, seed.text, Citations(seed.citations), cited_as)
