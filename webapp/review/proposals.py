"""The review's view of the proposals files: listing them, reading an article beside its
proposals, and applying a curator's edits. No Flask here: routes call these and render.

An edit is applied to a copy of the proposal and its entry validated with the catalogue's
model before anything is saved, so a proposals file never holds an entry the catalogue would
refuse.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from geodata.accept import describe_error, locked, read_proposals, write_proposals
from geodata.catalogue import Entry

ROLES = ("corridor", "site", "place")


class EditRefused(ValueError):
    """An edit that would make the entry invalid; the message names the field and why."""


@dataclass(frozen=True)
class Segment:
    """A run of the article's text, and the proposals whose sentences cover it."""

    text: str
    proposals: tuple[str, ...]


def listing(directory: Path) -> list[dict[str, Any]]:
    """Each proposals file of ``directory``: its stem, article and counts by status."""
    rows = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            document = read_proposals(path)
        except ValueError:
            continue
        statuses = [p.get("status", "pending") for p in document["proposals"]]
        counts = {name: statuses.count(name) for name in ("pending", "accepted", "rejected")}
        rows.append({"stem": path.stem, "article": document["article"], "counts": counts})
    return rows


def segments(text: str, proposals: list[dict[str, Any]]) -> list[Segment]:
    """``text`` cut where any proposal's sentence starts or ends; a sentence whose offsets do
    not slice back to its quote is left out rather than highlighted in the wrong place.

    >>> [(s.text, s.proposals) for s in segments("ab cd", [{"id": "p", "evidence":
    ...     {"sentences": [{"quote": "cd", "start": 3, "end": 5}]}}])]
    [('ab ', ()), ('cd', ('p',))]
    """
    spans = []
    for proposal in proposals:
        for sentence in (proposal.get("evidence") or {}).get("sentences") or []:
            start, end = sentence.get("start"), sentence.get("end")
            sliced = isinstance(start, int) and isinstance(end, int) and 0 <= start < end
            if sliced and text[start:end] == sentence.get("quote"):
                spans.append((start, end, proposal["id"]))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    pieces = []
    for start, end in itertools.pairwise(cuts):
        covering = tuple(dict.fromkeys(p for s, e, p in spans if s <= start and end <= e))
        pieces.append(Segment(text[start:end], covering))
    return pieces


def map_items(proposals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the map draws per proposal: its points and, for a corridor, the line through them
    (as ``[lat, lon]``, Leaflet's order)."""
    items = []
    for proposal in proposals:
        located = [
            loc
            for loc in _located(proposal)
            if isinstance(loc.get("lat"), (int, float)) and isinstance(loc.get("lon"), (int, float))
        ]
        points = [
            {"lat": loc["lat"], "lon": loc["lon"], "label": loc.get("mention") or loc.get("place")}
            for loc in located
        ]
        entry = proposal.get("entry") or {}
        location = entry.get("location") or {}
        if not points and "lat" in location and "lon" in location:
            points = [{"lat": location["lat"], "lon": location["lon"], "label": location["name"]}]
        line = _route_line(entry.get("route") or [], located)
        items.append(
            {
                "id": proposal["id"],
                "role": proposal.get("role"),
                "status": proposal.get("status", "pending"),
                "name": entry.get("name") or (proposal.get("place") or {}).get("mention"),
                "points": points,
                "line": line if proposal.get("role") == "corridor" else [],
            }
        )
    return items


def _located(proposal: dict[str, Any]) -> list[dict[str, Any]]:
    if proposal.get("role") == "place":
        return [proposal["place"]] if isinstance(proposal.get("place"), dict) else []
    return [loc for loc in (proposal.get("evidence") or {}).get("located") or [] if loc]


def _route_line(route: list[dict[str, Any]], located: list[dict[str, Any]]) -> list[list[float]]:
    """The waypoints' positions in route order: a curated waypoint's own, else the located
    place with its GeoNames id (``resolved_by``) or, failing that, its name.

    >>> _route_line([{"place": "Dostyk", "country": "KZ", "geonames_id": 7},
    ...     {"name": "Gate", "lat": 1.0, "lon": 2.0, "reference": "a survey map"}],
    ...     [{"place": "Druzhba", "lat": 45.2, "lon": 82.4, "resolved_by": "geonames:7"}])
    [[45.2, 82.4], [1.0, 2.0]]
    """
    by_key: dict[Any, tuple[float, float]] = {}
    for loc in located:
        by_key.setdefault(loc.get("resolved_by"), (loc["lat"], loc["lon"]))
        by_key.setdefault(loc.get("place"), (loc["lat"], loc["lon"]))
    line = []
    for waypoint in route:
        if "lat" in waypoint and "lon" in waypoint:
            line.append([waypoint["lat"], waypoint["lon"]])
            continue
        pin = waypoint.get("geonames_id")
        found = by_key.get(f"geonames:{pin}") if pin else None
        found = found or by_key.get(waypoint.get("place"))
        if found:
            line.append(list(found))
    return line


def alternatives(proposal: dict[str, Any]) -> list[dict[str, Any]]:
    """The candidate places a curator may choose the point from."""
    located = _located(proposal)
    return list(located[0].get("alternatives") or []) if located else []


def waypoints_text(entry: dict[str, Any]) -> str:
    """A corridor's route as the edit form shows it, one waypoint a line.

    >>> print(waypoints_text({"route": [{"place": "Taraz", "country": "KZ", "geonames_id": 1},
    ...     {"name": "Gate", "lat": 1.5, "lon": 2.0, "reference": "a survey map"}]}))
    Taraz | KZ | 1
    Gate | 1.5 | 2.0 | a survey map
    """
    lines = []
    for point in entry.get("route") or []:
        if "lat" in point:
            lines.append(
                f"{point['name']} | {point['lat']} | {point['lon']} | {point['reference']}"
            )
        else:
            pin = point.get("geonames_id")
            lines.append(f"{point['place']} | {point['country']}" + (f" | {pin}" if pin else ""))
    return "\n".join(lines)


def parse_waypoints(text: str) -> list[dict[str, Any]]:
    """Read the edit form's waypoints: ``Place | CC [| geonames id]`` or
    ``Name | lat | lon | reference``.

    >>> taraz, gate = parse_waypoints("Taraz | KZ\\nGate | 1.5 | 2 | a survey map")
    >>> taraz, gate["lat"], gate["reference"]
    ({'place': 'Taraz', 'country': 'KZ'}, 1.5, 'a survey map')
    """
    route = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [part.strip() for part in line.split("|")]
        if parts == [""]:
            continue
        try:
            if len(parts) == 4:
                name, lat, lon, reference = parts
                route.append(
                    {"name": name, "lat": float(lat), "lon": float(lon), "reference": reference}
                )
            elif len(parts) in (2, 3):
                point: dict[str, Any] = {"place": parts[0], "country": parts[1]}
                if len(parts) == 3:
                    point["geonames_id"] = int(parts[2])
                route.append(point)
            else:
                raise ValueError("expected 2, 3 or 4 fields separated by '|'")
        except ValueError as err:
            raise EditRefused(f"waypoint line {number} ({line.strip()!r}): {err}") from err
    return route


def edited(proposal: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    """A copy of ``proposal`` with the form's edits; raise :class:`EditRefused` if invalid."""
    changed = copy.deepcopy(proposal)
    choice = form.get("choice", "")
    if choice != "":
        _choose(changed, choice)
    if proposal.get("role") == "place":
        return changed
    entry = changed.get("entry") or {}
    for name in ("name", "category"):
        if form.get(name):
            entry[name] = form[name].strip()
    if form.get("stage"):
        entry.setdefault("status", {})["stage"] = form["stage"]
    if proposal.get("role") == "corridor" and "waypoints" in form:
        entry["route"] = parse_waypoints(form["waypoints"])
    try:
        Entry.model_validate(entry)
    except ValidationError as err:
        raise EditRefused(describe_error(err.errors()[0])) from err
    changed["entry"] = entry
    return changed


def _choose(proposal: dict[str, Any], choice: str) -> None:
    """Take alternative number ``choice`` as the proposal's position."""
    options = alternatives(proposal)
    try:
        picked = options[int(choice)]
    except (ValueError, IndexError) as err:
        raise EditRefused(f"there is no alternative {choice!r}") from err
    located = _located(proposal)[0]
    located.update(
        lat=picked["lat"],
        lon=picked["lon"],
        resolved_by=f"geonames:{picked['geonames_id']}",
        why=f"chosen by the curator among {len(options)} candidates",
    )
    entry = proposal.get("entry")
    if proposal.get("role") == "site" and isinstance(entry, dict):
        entry["location"] = {
            "place": picked["name"],
            "country": picked["country"],
            "geonames_id": picked["geonames_id"],
        }


def update(path: Path, proposal_id: str, change: Any) -> dict[str, Any]:
    """Apply ``change(proposal) -> proposal`` to one proposal of ``path`` under its lock."""
    with locked(path):
        document = read_proposals(path)
        for position, proposal in enumerate(document["proposals"]):
            if proposal.get("id") == proposal_id:
                document["proposals"][position] = change(proposal)
                write_proposals(path, document)
                return document["proposals"][position]
    raise KeyError(proposal_id)
