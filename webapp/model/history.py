"""Every feature's stage as of a day, for all features at once: the ``as_of`` filter.

The rule is :func:`geodata.timeline.stage_as_of` over each feature's ``history`` (the steps
reported by its articles and the events they announce): the latest completed step gives the
stage (certain); failing that, the earliest step that may have begun (uncertain); failing that,
the feature was not yet reported. Calling it per feature per request would cost a 100,000-feature
atlas a Python call per feature; here the steps of every feature are held as a few numpy columns
(read once, with the store) and the rule runs as array operations over them, a few milliseconds
for the whole atlas. Answers for recent days are kept (:data:`CACHED_DAYS`), so a map stepping
through months and its pages reuse them. The tests check this against ``stage_as_of`` itself.

Answering a feature as of a day changes its flat ``stage`` and adds ``as_of``. Parsing and
re-serialising each feature for that would make a page of 10,000 features some 15 times slower
than the prebuilt bytes it otherwise is; :meth:`History.dated` splices the bytes instead, for
features laid out as the build writes them (checked as they are read: ``properties`` their last
member and the flat ``stage`` the first member named so), giving the same bytes as re-serialising.

A feature without a ``history`` property (an atlas built before histories, such as an old
synthetic benchmark atlas) is taken as "always as reported": its reported stage at every day,
marked uncertain (nothing says since when). A feature whose history is empty was never reported.

>>> steps = HistorySteps()
>>> steps.add({"properties": {"status": {"stage": "planned"}, "history": [
...     {"stage": "planned", "start": "2024-03-01", "end": "2024-03-01", "scheduled": False},
...     {"stage": "operational", "start": "2026-10-01", "end": "2026-12-31", "scheduled": True}]}})
>>> steps.add({"properties": {"status": {"stage": "operational"}}})
>>> history = History(steps)
>>> history.at(date(2023, 1, 1)).to_json(0), history.at(date(2023, 1, 1)).to_json(1)
(None, {'date': '2023-01-01', 'stage': 'operational', 'certain': False, 'scheduled': False})
>>> history.at(date(2025, 6, 30)).to_json(0)
{'date': '2025-06-30', 'stage': 'planned', 'certain': True, 'scheduled': False}
>>> history.at(date(2026, 11, 1)).stage(0), history.at(date(2027, 1, 1)).to_json(0)
('planned', {'date': '2027-01-01', 'stage': 'operational', 'certain': True, 'scheduled': True})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

from geodata.vocabulary import STAGES
from webapp.http.mediatypes import compact_json

#: Days whose answers are kept.
CACHED_DAYS = 64
#: Day numbers (proleptic ordinals) standing for an open start and an open end.
_OPEN_START = np.iinfo(np.int32).min
_OPEN_END = np.iinfo(np.int32).max
#: Room for a stage index below the day in one sort key (end * _STAGE_ROOM + stage).
_STAGE_ROOM = 16
_CODES = {stage: code for code, stage in enumerate(STAGES)}
_STAGE_KEY = b'"stage":'


def _no_stage_key(value: Any) -> bool:
    """Whether no object within ``value`` has a member named "stage" (coordinates skipped)."""
    if isinstance(value, dict):
        return "stage" not in value and all(
            _no_stage_key(v) for k, v in value.items() if k != "coordinates"
        )
    if isinstance(value, list):
        return all(_no_stage_key(v) for v in value)
    return True


def spliceable(feature: dict[str, Any]) -> bool:
    """Whether the flat ``stage`` of ``feature`` (serialised compactly in its member order) is
    the first member named "stage" in its bytes and ``properties`` its last member, with a
    vocabulary stage (no escapes in it): what :meth:`History.dated` relies on."""
    members = list(feature)
    properties = feature.get("properties")
    if not members or members[-1] != "properties" or not isinstance(properties, dict):
        return False
    if properties.get("stage") not in _CODES:
        return False
    if not all(_no_stage_key(feature[m]) for m in members[:-1]):
        return False
    for key, value in properties.items():
        if key == "stage":
            return True
        if not _no_stage_key(value):
            return False
    return False


def _day(text: Any, open_value: int) -> int:
    return date.fromisoformat(text).toordinal() if isinstance(text, str) else open_value


@dataclass
class HistorySteps:
    """Each feature's steps gathered while the store reads it (a feature at a time, in order),
    turned into arrays by :class:`History`."""

    features: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    stages: list[int] = field(default_factory=list)
    scheduled: list[bool] = field(default_factory=list)
    #: Per feature: its reported stage's index in STAGES (-1: none), and whether it has a history.
    reported: list[int] = field(default_factory=list)
    has_history: list[bool] = field(default_factory=list)
    #: Per feature: whether its bytes can be spliced (:func:`spliceable`).
    spliceable: list[bool] = field(default_factory=list)

    def add(self, feature: dict[str, Any]) -> None:
        """Gather one feature's steps (the next feature in the store's order)."""
        properties = feature.get("properties") or {}
        self.spliceable.append(spliceable(feature))
        position = len(self.reported)
        stage = (properties.get("status") or {}).get("stage")
        self.reported.append(_CODES.get(stage, -1))
        history = properties.get("history")
        self.has_history.append(isinstance(history, list))
        for step in history if isinstance(history, list) else ():
            if step.get("stage") not in _CODES:
                continue  # the build only writes known stages; a foreign file's others mean nothing
            self.features.append(position)
            self.starts.append(_day(step.get("start"), _OPEN_START))
            self.ends.append(_day(step.get("end"), _OPEN_END))
            self.stages.append(_CODES[step["stage"]])
            self.scheduled.append(bool(step.get("scheduled")))


@dataclass(frozen=True)
class StagesAsOf:
    """Every feature's stage as of ``day``: ``stages`` indexes STAGES (-1: not yet reported),
    with ``certain`` and ``scheduled`` as :class:`geodata.timeline.AsOf` has them."""

    day: date
    stages: np.ndarray
    certain: np.ndarray
    scheduled: np.ndarray

    def listed(self) -> np.ndarray:
        """Whether each feature had a stage by then (what ``as_of`` keeps)."""
        return self.stages >= 0

    def stage(self, position: int) -> str | None:
        """The stage of the feature at ``position`` as of the day, or None."""
        code = int(self.stages[position])
        return STAGES[code] if code >= 0 else None

    def to_json(self, position: int) -> dict[str, Any] | None:
        """The ``as_of`` property of the feature at ``position``, or None if not yet reported."""
        stage = self.stage(position)
        if stage is None:
            return None
        return {
            "date": self.day.isoformat(),
            "stage": stage,
            "certain": bool(self.certain[position]),
            "scheduled": bool(self.scheduled[position]),
        }


def _first_per_group(mask: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first step (in history order) of each group where ``mask`` holds: (steps, groups)."""
    steps = np.flatnonzero(mask)
    owners = groups[steps]
    first = np.ones(len(steps), dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    return steps[first], owners[first]


class History:
    """The steps of every feature as columns; :meth:`at` answers a day for all features."""

    #: The cache of :meth:`at`, made again when read back from the serving index.
    _TRANSIENT = ("at",)

    def __init__(self, steps: HistorySteps) -> None:
        self._reported = np.array(steps.reported, dtype=np.int8)
        self._has_history = np.array(steps.has_history, dtype=bool)
        self._spliceable = np.array(steps.spliceable, dtype=bool)
        features = np.array(steps.features, dtype=np.int64)
        self._starts = np.array(steps.starts, dtype=np.int32)
        self._ends = np.array(steps.ends, dtype=np.int32)
        self._stages = np.array(steps.stages, dtype=np.int8)
        self._scheduled = np.array(steps.scheduled, dtype=bool)
        # Steps arrive a feature at a time: each run of one feature's steps is a group.
        first = np.ones(len(features), dtype=bool)
        first[1:] = features[1:] != features[:-1]
        self._group_starts = np.flatnonzero(first)
        self._group_feature = features[self._group_starts]
        self._group_of = np.cumsum(first) - 1
        self._end_keys = self._ends.astype(np.int64) * _STAGE_ROOM + self._stages
        self.at = lru_cache(maxsize=CACHED_DAYS)(self._at)

    def _restored(self) -> None:
        self.at = lru_cache(maxsize=CACHED_DAYS)(self._at)

    def __len__(self) -> int:
        return len(self._reported)

    def dated(self, raw: bytes, position: int, answer: dict[str, Any]) -> bytes | None:
        """The feature's compact bytes ``raw`` as of a day: its flat ``stage`` the stage then
        and ``answer`` (:meth:`StagesAsOf.to_json`) as its last property ``as_of``; None when
        its bytes are not laid out for splicing (the caller re-serialises it)."""
        if not self._spliceable[position] or not raw.endswith(b"}}"):
            return None
        at = raw.find(_STAGE_KEY) + len(_STAGE_KEY)
        if at < len(_STAGE_KEY) or raw[at : at + 1] != b'"':
            return None
        end = raw.index(b'"', at + 1) + 1  # a vocabulary word: no escaped quote inside
        stage = compact_json(answer["stage"])
        return b'%s%s%s,"as_of":%s}}' % (raw[:at], stage, raw[end:-2], compact_json(answer))

    def _at(self, day: date) -> StagesAsOf:
        """Every feature's stage as of ``day`` (see the module for the rule)."""
        count = len(self._reported)
        stages = np.where(self._has_history, -1, self._reported).astype(np.int8)
        certain = np.zeros(count, dtype=bool)
        scheduled = np.zeros(count, dtype=bool)
        if len(self._group_starts):
            ordinal = day.toordinal()
            groups = self._group_of
            # Done: ended by the day; the latest end wins, ties to the later stage.
            done = self._ends <= ordinal
            keys = np.where(done, self._end_keys, -1)
            best = np.maximum.reduceat(keys, self._group_starts)
            steps, owners = _first_per_group(done & (keys == best[groups]), groups)
            # Maybe: begun (or open at the start) by the day; the earliest start wins.
            begun = self._starts <= ordinal
            starts = np.where(begun, self._starts, _OPEN_END)
            earliest = np.minimum.reduceat(starts, self._group_starts)
            open_steps, open_owners = _first_per_group(begun & (starts == earliest[groups]), groups)
            open_steps = open_steps[best[open_owners] < 0]  # groups with a done step are settled
            open_owners = open_owners[best[open_owners] < 0]
            for chosen, owner, sure in ((steps, owners, True), (open_steps, open_owners, False)):
                features = self._group_feature[owner]
                stages[features] = self._stages[chosen]
                certain[features] = sure
                scheduled[features] = self._scheduled[chosen]
        for column in (stages, certain, scheduled):
            column.flags.writeable = False  # cached and shared by requests: read only
        return StagesAsOf(day, stages, certain, scheduled)


def dated(feature: dict[str, Any], as_of: dict[str, Any]) -> dict[str, Any]:
    """``feature`` as the API answers it for a day: its flat ``stage`` the stage then, and
    ``as_of`` (the answer of :meth:`StagesAsOf.to_json`) among its properties."""
    properties = {**feature["properties"], "stage": as_of["stage"], "as_of": as_of}
    return {**feature, "properties": properties}
