"""The Flask-free pieces of the review and of accept: text insertion, map items, edits."""

from __future__ import annotations

import pytest
import yaml

from geodata.accept import ProposalError, with_new_sources
from webapp.review.proposals import EditRefused, edited, map_items, parse_waypoints

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
