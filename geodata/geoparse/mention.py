"""What the geoparser reports for one place name found in a text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["country", "region", "settlement", "feature"]


@dataclass(frozen=True)
class PlaceMention:
    """One place name in a text and the place it was resolved to.

    ``text[start:end] == mention`` always holds (0-based offsets into the decoded text).
    ``lat``/``lon``/``geonameid`` are None when ``unresolved`` says why no place was chosen;
    ``alternatives`` lists the candidates that lost (or tied), best first, so a curator can pick.
    """

    mention: str
    start: int
    end: int
    lat: float | None
    lon: float | None
    geonameid: int | None
    country: str | None
    kind: Kind
    resolved_by: str | None
    confidence: float
    alternatives: list[dict] = field(default_factory=list)
    why: str = ""
    unresolved: str | None = None
