"""The geoparser's place mentions as place-proposal records, with two corrections.

* A demonym or country adjective ("Kazakh officials") is a hint about the article's country,
  not a place the curator should map: it is not proposed.
* The geoparser flags a name followed by a facility word that the sentence places elsewhere
  ("Fergana logistics centre ... in Omsk"). A country or region that is the subject of its
  sentence ("Uzbekistan plans a logistics centre in Termez") is the actor, not the facility's
  name, so that flag is not passed on: the country keeps its own place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from geodata.ingest.places import country_named, demonym_of, mentions_in

_REGION_NAME = re.compile(r"\b(?:[Rr]egion|[Oo]blast|[Pp]rovince)$")
#: What may stand before a sentence's subject: nothing, "The", or an opening phrase and comma.
_SUBJECT_PREFIX = re.compile(r"^(?:|The|[^.]*,)$")
_FACILITY_FLAG = "names a facility"


def place_records(text: str, sentences: list[tuple[int, int]]) -> Iterator[tuple[dict, Any]]:
    """``(record, sentence span)`` for every place mention worth proposing, in order."""
    for m in mentions_in(text):
        if demonym_of(m.mention):
            continue
        span = next(((s, e) for s, e in sentences if s <= m.start < e), None)
        record = {
            "mention": m.mention,
            "start": m.start,
            "end": m.end,
            "lat": m.lat,
            "lon": m.lon,
            "resolved_by": m.resolved_by,
            "confidence": m.confidence,
            "alternatives": list(m.alternatives),
            "why": m.why,
            "unresolved": m.unresolved,
        }
        if span is not None and _subject_not_facility(text, record, span):
            record = _restored(record)
        yield record, span


def _subject_not_facility(text: str, record: dict, span: tuple[int, int]) -> bool:
    """Whether a facility flag fell on a country or region that is its sentence's subject."""
    mention = record["mention"]
    if not (record["unresolved"] or "").startswith(_FACILITY_FLAG) or not record["alternatives"]:
        return False
    if country_named(mention) != mention and not _REGION_NAME.search(mention):
        return False
    before = text[span[0] : record["start"]].strip()
    after = text[record["end"] : span[1]]
    return bool(_SUBJECT_PREFIX.match(before)) and bool(re.match(r"\s+[a-z]", after))


def _restored(record: dict) -> dict:
    """The record with the place the geoparser had chosen before it raised the flag."""
    own, *others = record["alternatives"]
    country = country_named(record["mention"]) is not None
    return {
        **record,
        "lat": own["lat"],
        "lon": own["lon"],
        "resolved_by": f"geonames:{own['geonames_id']}" if own["geonames_id"] else None,
        "confidence": 1.0 if country else 0.7,
        "alternatives": others,
        "why": (
            f"the subject of its sentence ({'a country' if country else 'a region'}), not the "
            "name of the facility the sentence places elsewhere"
        ),
        "unresolved": None,
    }
