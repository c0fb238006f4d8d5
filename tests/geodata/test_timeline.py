"""A feature's history and its stage as of a day (issue 14): the seed features at several
dates, every branch of :func:`stage_as_of` on the shared cases file the map's JavaScript is
checked on too, the flat properties, and the build refusing dates it cannot read.

Regenerate ``timeline_cases.json`` after changing the cases or the atlas's histories with
``.venv/bin/python -m tests.geodata.test_timeline``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from geodata import DEFAULT_OUTPUT_DIR, DEFAULT_SEEDS_DIR
from geodata.build import compile_atlas
from geodata.catalogue import load_catalogue
from geodata.dates import parse_as_of
from geodata.errors import CatalogueError
from geodata.timeline import stage_as_of, timeline_span
from tests.support.samples import SEED_000, site_entry

CASES = Path(__file__).with_name("timeline_cases.json")
CENTRE = "central-asia-international-industrial-cooperation-centre"
ROUTE = "xian-khorgos-almaty-saryagash-tashkent-railway-route"
FERGANA = "fergana-logistics-centre-omsk"
SUMMIT = "second-central-asia-russia-summit-dushanbe"
S003 = "003_26f6919544f59e0e.txt"
S004 = "004_c29f196579ce70c1.txt"


def _step(stage: str, start: str | None, end: str | None, **more: Any) -> dict[str, Any]:
    kind = more.get("kind", "event" if "label" in more else "reported")
    return {
        "stage": stage,
        "start": start,
        "end": end,
        "kind": kind,
        "label": more.get("label"),
        "when": more.get("when"),
        "seed": more.get("seed", "a.txt"),
        "scheduled": more.get("scheduled", False),
    }


#: Hand-made histories, each for one branch of stage_as_of, with the days to ask about.
BRANCHES: list[tuple[str, list[dict[str, Any]], list[str]]] = [
    ("no steps: never reported", [], ["2025-01-01"]),
    (
        "before every start: not yet reported; then possible; then certain",
        [_step("operational", "2025-01-01", "2026-11-22")],
        ["2024-12-31", "2025-01-01", "2026-11-21", "2026-11-22"],
    ),
    (
        "certain: the step that ended last gives the stage",
        [
            _step("planned", "2024-07-14", "2024-07-14"),
            _step("under construction", "2025-01-01", "2025-03-31"),
        ],
        ["2024-08-01", "2025-04-01"],
    ),
    (
        "certain, ends tied: the later stage wins whatever the order",
        [
            _step("operational", "2025-01-01", "2025-12-31", label="launched"),
            _step("planned", "2025-06-01", "2025-12-31"),
        ],
        ["2025-12-31"],
    ),
    (
        "certain, ends and stages tied: the step listed first",
        [
            _step("operational", "2025-01-01", "2025-12-31", label="opened", scheduled=True),
            _step("operational", "2025-02-01", "2025-12-31", label="launched"),
        ],
        ["2026-01-01"],
    ),
    (
        "possible: an unknown start comes before any known one",
        [
            _step("planned", "2020-01-01", "2026-11-22"),
            _step("completed", None, "2026-10-09", label="held"),
        ],
        ["2019-12-31", "2021-01-01"],
    ),
    (
        "possible: the earliest start gives the stage",
        [
            _step("operational", "2024-04-01", "2025-04-30", label="opened"),
            _step("planned", "2024-01-01", "2026-11-22"),
        ],
        ["2024-02-01", "2024-05-01"],
    ),
    (
        "possible, starts tied: the step listed first",
        [
            _step("planned", "2025-01-01", "2026-11-22"),
            _step("operational", "2025-01-01", "2025-12-31", label="launched"),
        ],
        ["2025-06-30"],
    ),
    (
        "an open end is never done: scheduled and possible for ever",
        [_step("operational", "2024-07-14", None, label="coming years", scheduled=True)],
        ["2024-07-13", "2024-07-14", "2090-01-01"],
    ),
    (
        "a scheduled event once its days are over: certain and scheduled",
        [
            _step("under construction", "2024-07-14", "2024-07-14"),
            _step("operational", "2026-10-01", "2026-12-31", label="launch", scheduled=True),
        ],
        ["2026-11-30", "2026-12-31"],
    ),
]

#: Seed features of the atlas and the days (as_of parameters) to ask about.
SEED_FEATURES = {
    CENTRE: ["2024-07-13", "2024-08", "2026-11-30", "2027-01"],
    ROUTE: ["2024", "2025-06", "2026-01"],
    FERGANA: ["2024-03", "2025-04-15", "2025-05"],
    SUMMIT: ["2026-10-08", "2026-10-09"],
}


def _answer(history: list[dict[str, Any]], day: str) -> dict[str, Any] | None:
    found = stage_as_of(history, date.fromisoformat(day))
    return found.to_json() if found else None


def generate_cases(atlas: dict[str, Any]) -> list[dict[str, Any]]:
    """The shared cases: each branch's history at its days, then the seed features'."""
    cases = []
    for label, history, days in BRANCHES:
        for day in days:
            expected = _answer(history, day)
            cases.append({"label": label, "history": history, "date": day, "expected": expected})
    by_id = {feature["id"]: feature for feature in atlas["features"]}
    for feature_id, as_of in SEED_FEATURES.items():
        history = by_id[feature_id]["properties"]["history"]
        for text in as_of:
            day = parse_as_of(text).isoformat()
            expected = _answer(history, day)
            cases.append(
                {"label": feature_id, "history": history, "date": day, "expected": expected}
            )
    return cases


def _committed_atlas() -> dict[str, Any]:
    return json.loads((DEFAULT_OUTPUT_DIR / "atlas.geojson").read_text(encoding="utf-8"))


def test_the_cases_file_is_current_and_covers_every_branch():
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    assert cases == generate_cases(_committed_atlas())
    answers = [case["expected"] for case in cases]
    assert None in answers
    assert {(a["certain"], a["scheduled"]) for a in answers if a} == {
        (True, False),
        (True, True),
        (False, False),
        (False, True),
    }
    assert len(cases) >= 30


def _shared_cases() -> list[dict[str, Any]]:
    """The cases file (empty while it is being generated; the test above then fails)."""
    return json.loads(CASES.read_text(encoding="utf-8")) if CASES.exists() else []


@pytest.mark.parametrize(
    "case", _shared_cases(), ids=lambda case: f"{case['label'][:40]} @ {case['date']}"
)
def test_each_case(case):
    assert _answer(case["history"], case["date"]) == case["expected"]


def _as_of(by_id: dict[str, Any], feature_id: str, text: str) -> tuple[str, bool, bool] | None:
    found = stage_as_of(by_id[feature_id]["properties"]["history"], parse_as_of(text))
    return (found.stage, found.certain, found.scheduled) if found else None


@pytest.fixture(scope="module")
def by_id(features: list[dict]) -> dict[str, dict]:
    return {feature["id"]: feature for feature in features}


def test_the_industrial_cooperation_centre_through_time(by_id):
    # Before 2024-07-14 only article 004, of unknown date, may already have reported it.
    assert _as_of(by_id, CENTRE, "2024-07-13") == ("under construction", False, False)
    assert _as_of(by_id, CENTRE, "2024-08") == ("under construction", True, False)
    assert _as_of(by_id, CENTRE, "2026-11") == ("under construction", True, False)
    assert _as_of(by_id, CENTRE, "2026-12") == ("operational", True, True)
    assert _as_of(by_id, CENTRE, "2027-01") == ("operational", True, True)


def test_the_xian_tashkent_route_is_uncertain_during_2025(by_id):
    assert _as_of(by_id, ROUTE, "2024") is None
    assert _as_of(by_id, ROUTE, "2025-01-01") == ("operational", False, False)
    assert _as_of(by_id, ROUTE, "2025-12-30") == ("operational", False, False)
    assert _as_of(by_id, ROUTE, "2026-01") == ("operational", True, False)


def test_the_fergana_centre_is_certainly_operational_from_may_2025(by_id):
    assert _as_of(by_id, FERGANA, "2024-03") is None
    assert _as_of(by_id, FERGANA, "2024-04-01") == ("operational", False, False)
    assert _as_of(by_id, FERGANA, "2025-04-29") == ("operational", False, False)
    assert _as_of(by_id, FERGANA, "2025-05") == ("operational", True, False)
    assert _as_of(by_id, FERGANA, "2025-05-01") == ("operational", True, False)


def test_the_flat_properties_and_dated_milestones(by_id):
    centre = by_id[CENTRE]["properties"]
    assert centre["stage"] == centre["status"]["stage"] == "under construction"
    assert centre["reported_on"] == "2024-07-14"
    assert centre["source_count"] == len(centre["sources"]) == 3
    assert centre["first_source"] == S003
    assert centre["status"]["dates"][0] == {
        "event": "technical launch",
        "when": "fourth quarter of 2026",
        "stage": "operational",
        "seed": S003,
        "start": "2026-10-01",
        "end": "2026-12-31",
        "relative": False,
    }
    assert [s["published_earliest"] for s in centre["sources"]] == ["2024-07-14"] * 2 + [None]
    summit = by_id[SUMMIT]["properties"]
    assert summit["reported_on"] is None
    assert summit["status"]["dates"][0]["relative"] is True
    for feature in by_id.values():
        properties = feature["properties"]
        assert properties["stage"] == properties["status"]["stage"]
        assert properties["first_source"] in {s["seed"] for s in properties["sources"]}
        history = properties["history"]
        reported = [step for step in history if step["kind"] == "reported"]
        assert len(reported) == len({s["seed"] for s in properties["sources"]})
        assert len(history) == len(reported) + len(properties["status"]["dates"])
        keys = [step["start"] or step["end"] for step in history]
        assert keys == sorted(keys)


def test_first_source_puts_an_unknown_date_last():
    from geodata.timeline import first_source

    sources = [
        {"seed": "a", "published_earliest": None},
        {"seed": "b", "published_earliest": "2025-01-01"},
        {"seed": "c", "published_earliest": "2024-07-14"},
        {"seed": "d", "published_earliest": "2024-07-14"},
    ]
    assert first_source(sources) == "c"
    assert first_source(sources[:1]) == "a"
    assert first_source([]) is None


def test_timeline_span_covers_whole_years(by_id):
    assert timeline_span(by_id.values()) == (date(2024, 1, 1), date(2027, 12, 31))
    assert timeline_span([]) is None
    metadata = _committed_atlas()["metadata"]
    assert metadata["timeline"] == {"start": "2024-01-01", "end": "2027-12-31"}


# --- the build refuses dates it cannot read, naming file, entry and field -------------------


def _compile_problem(tmp_path: Path, dates: list[dict], sources: list[dict] | None = None) -> str:
    status = {**site_entry()["status"], "dates": dates}
    entry = site_entry(status=status, **({"sources": sources} if sources else {}))
    seeds = [
        {
            "seed": SEED_000,
            "title": "t",
            "headline": False,
            "published_earliest": "2025-01-01",
            "published_latest": "2026-11-22",
            "published_note": "bounds for the test",
        }
    ]
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"entries": [entry], "seeds": seeds}), encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        compile_atlas(path, DEFAULT_SEEDS_DIR)
    return str(raised.value)


def test_words_it_cannot_read(tmp_path):
    problem = _compile_problem(tmp_path, [{"event": "e", "when": "steadily", "stage": "planned"}])
    assert "catalogue.yaml: entry 'bekabad-industrial-park', field 'status.dates[0].when'" in (
        problem
    )
    assert "'steadily': not a date form the atlas knows" in problem


def test_a_relative_date_without_an_anchor(tmp_path):
    bekabad = "Bashkortostan is planning an industrial park in Bekabad"
    sources = [{"seed": S004, "quote": "ahead of the upcoming Seventh Consultative Meeting"}]
    when = "In the first half of the year"  # 004 is not in the test's seeds: no anchor
    milestone = {"event": "e", "when": when, "stage": "planned", "seed": S004}
    problem = _compile_problem(
        tmp_path, [milestone], [{"seed": SEED_000, "quote": bekabad}, *sources]
    )
    assert "field 'status.dates[0].when'" in problem
    assert "no dated anchor" in problem and S004 in problem


def test_a_relative_date_in_an_entry_of_several_articles_needs_a_seed(tmp_path):
    bekabad = "Bashkortostan is planning an industrial park in Bekabad"
    sources = [
        {"seed": SEED_000, "quote": bekabad},
        {"seed": S004, "quote": "ahead of the upcoming Seventh Consultative Meeting"},
    ]
    milestone = {"event": "e", "when": "April last year", "stage": "operational"}
    problem = _compile_problem(tmp_path, [milestone], sources)
    assert "field 'status.dates[0].seed'" in problem and "say which one with seed" in problem


def test_a_milestone_seed_must_be_cited(tmp_path):
    milestone = {"event": "e", "when": "2025", "stage": "operational", "seed": S003}
    problem = _compile_problem(tmp_path, [milestone])
    assert "field 'status.dates[0].seed'" in problem and "not among the entry's sources" in problem


def test_a_milestone_keeps_its_articles_words(tmp_path):
    milestone = {"event": "e", "when": "Q4 2026", "stage": "operational"}
    problem = _compile_problem(tmp_path, [milestone])
    assert "field 'status.dates[0].when': 'Q4 2026' is not found verbatim in" in problem


def test_a_milestone_needs_its_stage(tmp_path):
    problem = _compile_problem(tmp_path, [{"event": "e", "when": "2025"}])
    assert "field 'status.dates[0].stage'" in problem


def test_publication_bounds_must_agree_with_the_date(tmp_path):
    seed = {
        "seed": S003,
        "title": "t",
        "headline": False,
        "published": "2024-07-14",
        "published_earliest": "2024-01-01",
        "published_note": "n",
    }
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"entries": [site_entry()], "seeds": [seed]}), encoding="utf-8")
    with pytest.raises(CatalogueError, match="field 'published_earliest': the article is dated"):
        load_catalogue(path)
    seed = {**seed, "published": None, "published_latest": "2023-01-01"}
    path.write_text(yaml.safe_dump({"entries": [site_entry()], "seeds": [seed]}), encoding="utf-8")
    with pytest.raises(CatalogueError, match="is after published_latest"):
        load_catalogue(path)


if __name__ == "__main__":
    cases = generate_cases(_committed_atlas())
    CASES.write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {CASES}")
