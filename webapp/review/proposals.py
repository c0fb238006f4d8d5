"""The review's view of the proposals files: listing them, reading an article beside its
proposals, and applying a curator's edits. No Flask here: routes call these and render.

An edit is applied to a copy of the proposal and its entry validated with the catalogue's
model before anything is saved, so a proposals file never holds an entry the catalogue would
refuse.
"""

from __future__ import annotations

import copy
import heapq
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from geodata.accept import describe_error, locked, read_proposals, write_proposals
from geodata.catalogue import Entry

ROLES = ("corridor", "site", "place")


class EditRefused(ValueError):
    """An edit that would make the entry invalid; the message names the field and why."""


@dataclass
class Highlight:
    """One highlighted sentence (``text[start:end]``) and the proposals it supports; its
    ``children`` are the text and any highlights inside it, in order."""

    start: int
    end: int
    proposals: tuple[str, ...]
    roles: tuple[str, ...] = ()
    label: str = ""
    children: list[str | Highlight] = field(default_factory=list)


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


def highlights(text: str, proposals: list[dict[str, Any]]) -> list[str | Highlight]:
    """``text`` as plain runs and one :class:`Highlight` per distinct sentence, so contiguous
    sentences stay separate marks; a sentence inside another is nested in it, and one that
    crosses another's end is cut there and continued after it. A sentence whose offsets do
    not slice back to its quote is left out rather than highlighted in the wrong place.

    >>> [part if isinstance(part, str) else (part.label, part.children) for part in highlights(
    ...     "ab. cd.", [{"id": "p", "role": "place", "place": {"mention": "C"}, "evidence":
    ...     {"sentences": [{"quote": "ab.", "start": 0, "end": 3},
    ...                    {"quote": " cd.", "start": 3, "end": 7}]}}])]
    [('place: C', ['ab.']), ('place: C', [' cd.'])]
    """
    about = {p["id"]: (p.get("role") or "", _label(p)) for p in proposals if p.get("id")}
    queue = [(s, -e, n, ids) for n, ((s, e), ids) in enumerate(_sentence_spans(text, proposals))]
    heapq.heapify(queue)
    root = Highlight(0, len(text), ())
    open_marks = [root]
    while queue:
        start, negative_end, order, ids = heapq.heappop(queue)
        end = -negative_end
        while start >= open_marks[-1].end:
            open_marks.pop()
        parent = open_marks[-1]
        if end > parent.end:  # crosses its parent: the rest becomes a mark of its own
            heapq.heappush(queue, (parent.end, -end, order, ids))
            end = parent.end
        roles = tuple(role for role in ROLES if any(about[i][0] == role for i in ids))
        label = "; ".join(about[i][1] for i in ids)
        mark = Highlight(start, end, ids, roles, label)
        parent.children.append(mark)
        open_marks.append(mark)
    return _filled(text, root)


def _sentence_spans(
    text: str, proposals: list[dict[str, Any]]
) -> list[tuple[tuple[int, int], tuple[str, ...]]]:
    """Each distinct ``(start, end)`` whose slice is its quote, with the proposals citing it."""
    spans: dict[tuple[int, int], list[str]] = {}
    for proposal in proposals:
        for sentence in (proposal.get("evidence") or {}).get("sentences") or []:
            start, end = sentence.get("start"), sentence.get("end")
            sliced = isinstance(start, int) and isinstance(end, int) and 0 <= start < end
            if sliced and text[start:end] == sentence.get("quote"):
                cited = spans.setdefault((start, end), [])
                if proposal["id"] not in cited:
                    cited.append(proposal["id"])
    return [(span, tuple(ids)) for span, ids in spans.items()]


def _filled(text: str, mark: Highlight) -> list[str | Highlight]:
    """The children of ``mark`` with the text between its inner marks put in, recursively."""
    parts: list[str | Highlight] = []
    at = mark.start
    for inner in mark.children:
        assert isinstance(inner, Highlight)
        if inner.start > at:
            parts.append(text[at : inner.start])
        inner.children = _filled(text, inner)
        parts.append(inner)
        at = inner.end
    if at < mark.end:
        parts.append(text[at : mark.end])
    return parts


def _label(proposal: dict[str, Any]) -> str:
    """What a highlight's title says of a proposal: its role and its name."""
    entry = proposal.get("entry") or {}
    name = entry.get("name") or (proposal.get("place") or {}).get("mention") or proposal["id"]
    return f"{proposal.get('role')}: {name}"


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
    """The candidate places a curator may choose a site's or a place's point from (a
    corridor's are per waypoint: :func:`waypoint_alternatives`)."""
    if proposal.get("role") == "corridor":
        return []
    located = _point_located(proposal)
    return list(located.get("alternatives") or []) if located else []


def waypoint_alternatives(proposal: dict[str, Any]) -> list[tuple[int, dict, list[dict]]]:
    """Each waypoint of a corridor whose located place has candidates: its position in the
    route, the waypoint and the candidates.

    >>> corridor = {"role": "corridor", "entry": {"route": [
    ...     {"place": "Taraz", "country": "KZ", "geonames_id": 7},
    ...     {"name": "Gate", "lat": 1.0, "lon": 2.0, "reference": "a survey map"}]},
    ...     "evidence": {"located": [{"place": "Taraz", "resolved_by": "geonames:7",
    ...     "alternatives": [{"name": "Taraz", "geonames_id": 7}]}]}}
    >>> [(n, point["place"], len(options)) for n, point, options in
    ...     waypoint_alternatives(corridor)]
    [(0, 'Taraz', 1)]
    """
    if proposal.get("role") != "corridor":
        return []
    located = _located(proposal)
    rows = []
    for position, point in enumerate((proposal.get("entry") or {}).get("route") or []):
        if "place" not in point:
            continue
        found = _matching(located, point.get("place"), point.get("geonames_id"))
        if found and found.get("alternatives"):
            rows.append((position, point, list(found["alternatives"])))
    return rows


def _matching(located: list[dict[str, Any]], place: Any, geonames_id: Any) -> dict | None:
    """The located place behind a waypoint or location: same GeoNames id, else same name."""
    if geonames_id:
        for loc in located:
            if loc.get("resolved_by") == f"geonames:{geonames_id}":
                return loc
    return next((loc for loc in located if loc.get("place") == place), None)


def _point_located(proposal: dict[str, Any]) -> dict[str, Any] | None:
    """The located place a site's or place's point rests on: the one matching the site's
    location, else the first."""
    located = _located(proposal)
    location = (proposal.get("entry") or {}).get("location") or {}
    found = _matching(located, location.get("place"), location.get("geonames_id"))
    return found or (located[0] if located else None)


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
    """A copy of ``proposal`` with the form's edits; raise :class:`EditRefused` if invalid.

    ``form`` holds ``name``, ``category``, ``stage``, ``choice`` (a site's or place's point:
    the number of an alternative, or "" for as proposed), ``waypoints`` (a corridor's route as
    text) and ``waypoint-<n>`` (the alternative chosen for the route's waypoint ``n``).
    """
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
    if proposal.get("role") == "corridor":
        _edit_route(changed, entry, form)
    try:
        Entry.model_validate(entry)
    except ValidationError as err:
        raise EditRefused(describe_error(err.errors()[0])) from err
    changed["entry"] = entry
    return changed


def _edit_route(proposal: dict[str, Any], entry: dict[str, Any], form: dict[str, str]) -> None:
    """Apply the waypoints text, or the alternatives chosen for waypoints: not both at once,
    since an edited text may have moved the waypoints the choices were made for."""
    picks = {key: value for key, value in form.items() if key.startswith("waypoint-") and value}
    if "waypoints" in form:
        route = parse_waypoints(form["waypoints"])
        if route != parse_waypoints(waypoints_text(entry)):  # the text was edited
            if picks:
                raise EditRefused(
                    "choose a waypoint's point or edit the waypoints text, not both in one save"
                )
            entry["route"] = route
    for key, choice in sorted(picks.items()):
        try:
            position = int(key.removeprefix("waypoint-"))
        except ValueError as err:
            raise EditRefused(f"there is no waypoint {key!r}") from err
        _choose_waypoint(proposal, position, choice)


def _pick(options: list[dict[str, Any]], choice: str) -> dict[str, Any]:
    try:
        return options[int(choice)]
    except (ValueError, IndexError) as err:
        raise EditRefused(f"there is no alternative {choice!r}") from err


def _move(located: dict[str, Any], picked: dict[str, Any], among: int) -> None:
    """Put a located place at the curator's choice, saying so."""
    located.update(
        lat=picked["lat"],
        lon=picked["lon"],
        resolved_by=f"geonames:{picked['geonames_id']}",
        why=f"chosen by the curator among {among} candidates",
    )


def _gazetteer_point(picked: dict[str, Any]) -> dict[str, Any]:
    return {
        "place": picked["name"],
        "country": picked["country"],
        "geonames_id": picked["geonames_id"],
    }


def _choose(proposal: dict[str, Any], choice: str) -> None:
    """Take alternative number ``choice`` as a site's or place's position."""
    options = alternatives(proposal)
    if not options:
        raise EditRefused("this proposal has no alternative points to choose from")
    picked = _pick(options, choice)
    located = _point_located(proposal)
    assert located is not None  # options came from it
    _move(located, picked, len(options))
    entry = proposal.get("entry")
    if proposal.get("role") == "site" and isinstance(entry, dict):
        entry["location"] = _gazetteer_point(picked)


def _choose_waypoint(proposal: dict[str, Any], position: int, choice: str) -> None:
    """Take alternative number ``choice`` for waypoint ``position`` of a corridor's route."""
    rows = {n: (point, options) for n, point, options in waypoint_alternatives(proposal)}
    if position not in rows:
        raise EditRefused(f"waypoint {position + 1} has no alternative points to choose from")
    point, options = rows[position]
    picked = _pick(options, choice)
    located = _matching(_located(proposal), point.get("place"), point.get("geonames_id"))
    assert located is not None  # options came from it
    _move(located, picked, len(options))
    proposal["entry"]["route"][position] = _gazetteer_point(picked)


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
