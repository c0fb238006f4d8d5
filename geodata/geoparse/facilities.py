"""Names of facilities that are not where their name says.

A logistics centre, terminal or park is often named after a place far from it: the "Fergana"
logistics centre "in Russia's Omsk region" is in Omsk, not in Fergana. When a place name is
followed by a facility word and the same sentence puts the facility *in* another place far
away, the name is flagged instead of being located at its namesake.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from geodata.geometry import geodesic_km
from geodata.geoparse.mention import PlaceMention

_FACILITY = re.compile(
    r"^[\"'”’»]?\s*(?:[A-Z][\w-]*\s+){0,2}(?:logistics|industrial|trade|transport|freight|"
    r"technology|economic|cargo|distribution|container|wholesale|agro|dry)?\s*"
    r"(?:centre|center|hub|park|terminal|port|zone|cluster|complex|plant|factory|warehouse)\b",
    re.IGNORECASE,
)
_IN_BEFORE = re.compile(r"\b(?:in|at|near|outside)\s+(?:\w+['’]s\s+)?$")
_SENTENCE_END = re.compile(r"[.!?]\s")
FAR_KM = 100.0


def misplaced(text: str, mentions: Sequence[PlaceMention]) -> dict[int, str]:
    """Positions in ``mentions`` of facility names that their sentence places elsewhere."""
    flagged: dict[int, str] = {}
    for i, name in enumerate(mentions):
        if name.lat is None or not _FACILITY.match(text[name.end : name.end + 60]):
            continue
        stop = _SENTENCE_END.search(text, name.end)
        sentence_end = stop.start() if stop else len(text)
        later = list(mentions[i + 1 :])
        for k, other in enumerate(later):
            if other.start >= sentence_end:
                break
            before = text[max(0, other.start - 30) : other.start]
            if other.lat is None or not _IN_BEFORE.search(before):
                continue
            where = _most_specific(text, later[k:])
            if geodesic_km((name.lon, name.lat), (where.lon, where.lat)) > FAR_KM:
                flagged[i] = (
                    f"names a facility that the sentence places in {where.mention} "
                    f"(offset {where.start}), not at {name.mention}"
                )
                break
    return flagged


def _most_specific(text: str, run: Sequence[PlaceMention]) -> PlaceMention:
    """Of "Russia's Omsk region", the last name of the phrase: Omsk region."""
    chosen = run[0]
    for following in run[1:]:
        gap = text[chosen.end : following.start]
        if following.lat is None or gap not in ("'s ", "’s ", ", ", " "):
            break
        chosen = following
    return chosen
