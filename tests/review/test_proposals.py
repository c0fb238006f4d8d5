"""The Flask-free pieces of the review and of accept: text insertion, map items, edits."""

from __future__ import annotations

import pytest
import yaml

from geodata.accept import ProposalError, with_new_sources
from webapp.review.proposals import (
    EditRefused,
    Highlight,
    edited,
    highlights,
    map_items,
    parse_waypoints,
)

FLOW = """# a comment kept
entries:
  - id: gate
    kind: site
    sources: [{seed: a.txt, quote: "the first quote"}]
# the end
"""


def test_a_flow_list_of_sources_gains_the_quote_inside_its_brackets():
    text = with_new_sources(FLOW, "gate", "b.txt", ["it's the second quote"])
    assert text.startswith("# a comment kept\n") and text.endswith("]\n# the end\n")
    sources = yaml.safe_load(text)["entries"][0]["sources"]
    assert sources[-1] == {"seed": "b.txt", "quote": "it's the second quote"}


def test_a_source_for_an_unknown_entry_is_refused():
    with pytest.raises(ProposalError, match="no entry 'nope'"):
        with_new_sources(FLOW, "nope", "b.txt", ["a quote"])


def test_a_curated_site_is_drawn_at_its_own_point():
    proposal = {
        "id": "p-dam-site",
        "role": "site",
        "entry": {
            "name": "Dam",
            "location": {"name": "Dam", "lat": 41.77, "lon": 73.43, "reference": "a survey"},
        },
        "evidence": {"sentences": [], "located": []},
    }
    (item,) = map_items([proposal])
    assert item["points"] == [{"lat": 41.77, "lon": 73.43, "label": "Dam"}]


@pytest.mark.parametrize(
    ("line", "why"),
    [("Taraz", "expected 2, 3 or 4 fields"), ("Gate | north | 2 | ref", "could not convert")],
)
def test_a_waypoint_line_that_cannot_be_read_is_refused(line, why):
    with pytest.raises(EditRefused, match=why):
        parse_waypoints(line)


def test_a_corridor_edited_to_one_waypoint_is_refused():
    corridor = {
        "id": "p-x-corridor",
        "role": "corridor",
        "entry": {
            "id": "x",
            "name": "X",
            "kind": "corridor",
            "category": "rail corridor",
            "countries": ["KZ"],
            "status": {"stage": "planned"},
            "description": "D.",
            "route": [{"place": "Taraz", "country": "KZ"}, {"place": "Shymkent", "country": "KZ"}],
            "sources": [{"seed": "a.txt", "quote": "a long enough quote"}],
        },
    }
    with pytest.raises(EditRefused, match="route"):
        edited(corridor, {"waypoints": "Taraz | KZ"})
    assert len(corridor["entry"]["route"]) == 2  # the original is untouched


def _proposal(pid: str, role: str, text: str, *quotes: str) -> dict:
    sentences = []
    for quote in quotes:
        start = text.index(quote)
        sentences.append({"quote": quote, "start": start, "end": start + len(quote)})
    return {
        "id": pid,
        "role": role,
        "entry": {"name": pid.upper()},
        "evidence": {"sentences": sentences},
    }


def _shape(parts: list) -> list:
    """Highlights as (proposals, children) tuples, text as itself, to compare whole trees."""
    return [p if isinstance(p, str) else (p.proposals, _shape(p.children)) for p in parts]


def _flat(parts: list) -> str:
    return "".join(p if isinstance(p, str) else _flat(p.children) for p in parts)


def test_contiguous_sentences_are_separate_highlights():
    text = "One here. Two here. Three."
    parts = highlights(text, [_proposal("a", "site", text, "One here.", " Two here.")])
    assert _shape(parts) == [(("a",), ["One here."]), (("a",), [" Two here."]), " Three."]
    assert _flat(parts) == text


def test_a_sentence_of_several_proposals_is_one_mark_with_every_role_and_label():
    text = "The plant in Taraz. Rails."
    parts = highlights(
        text,
        [
            _proposal("p", "place", text, "The plant in Taraz."),
            _proposal("s", "site", text, "The plant in Taraz."),
        ],
    )
    mark = parts[0]
    assert isinstance(mark, Highlight) and mark.proposals == ("p", "s")
    assert mark.roles == ("site", "place")  # in the order corridor, site, place
    assert mark.label == "place: P; site: S"
    assert (mark.start, mark.end) == (0, len("The plant in Taraz."))


def test_a_quote_inside_a_sentence_is_nested_and_a_crossing_one_is_cut():
    text = "abcdefghij"
    nested = highlights(
        text, [_proposal("a", "site", text, "abcdef"), _proposal("b", "place", text, "cd")]
    )
    assert _shape(nested) == [(("a",), ["ab", (("b",), ["cd"]), "ef"]), "ghij"]
    crossing = highlights(
        text, [_proposal("a", "site", text, "abcdef"), _proposal("b", "place", text, "efgh")]
    )
    assert _shape(crossing) == [(("a",), ["abcd", (("b",), ["ef"])]), (("b",), ["gh"]), "ij"]
    assert _flat(crossing) == text


def test_a_sentence_whose_offsets_do_not_slice_to_its_quote_is_not_highlighted():
    text = "Alpha beta. Gamma."
    wrong = {
        "id": "w",
        "role": "site",
        "evidence": {
            "sentences": [
                {"quote": "Gamma.", "start": 0, "end": 6},
                {"quote": "x", "start": "0", "end": 1},
            ]
        },
    }
    assert highlights(text, [wrong]) == [text]
