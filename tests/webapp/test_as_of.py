"""``as_of=YYYY[-MM[-DD]]`` through /api/features, the OGC items and the /features table.

Expected answers come from ``geodata.timeline.stage_as_of`` over each built feature's
``history`` (the rule the data contract states), not from the web app's columns that
implement it (``webapp.model.history``), which are checked against it here as well.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from geodata.dates import parse_as_of
from geodata.timeline import stage_as_of
from geodata.vocabulary import STAGES
from tests.support import hostile
from tests.support.openapi import schema_validator
from webapp import create_app
from webapp.api.params import AS_OF_PATTERN
from webapp.http.mediatypes import compact_json
from webapp.model.filters import FeatureQuery
from webapp.model.history import History, HistorySteps
from webapp.model.search import FeatureIndex
from webapp.model.store import FeatureStore
from webapp.security import MAX_URL_CHARS

GEOJSON = "application/geo+json"
PROBLEM = "application/problem+json"
#: Three days of the seeds' story: before most reports, mid-2025, after the planned openings.
DAYS = ("2024-07", "2025", "2027-12-31")
ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = {"atlas": ("corridor", "site"), "corridors": ("corridor",), "sites": ("site",)}


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


def expected(features: list[dict], text: str, kinds=("corridor", "site")) -> dict[str, dict]:
    """id -> the ``as_of`` answer of each feature reported by the day ``text`` means."""
    day = parse_as_of(text)
    found = {}
    for feature in features:
        if feature["properties"]["kind"] not in kinds:
            continue
        answer = stage_as_of(feature["properties"]["history"], day)
        if answer is not None:
            found[feature["id"]] = answer.to_json()
    return found


def get(client, url: str, mimetype: str = GEOJSON) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.mimetype == mimetype
    return response.json


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_the_three_days_tell_different_stories(features):
    answers = [expected(features, day) for day in DAYS]
    assert 0 < len(answers[0]) < len(answers[2]) <= len(features)
    assert len({tuple(sorted((i, a["stage"]) for i, a in found.items())) for found in answers}) == 3


@pytest.mark.parametrize("day", DAYS)
def test_api_lists_what_stood_then(client, features, openapi, day):
    want = expected(features, day)
    document = get(client, f"/api/features?as_of={day}&limit=10000")
    schema_validator(openapi, "FeatureCollection").validate(document)
    assert document["numberMatched"] == document["numberReturned"] == len(want)
    assert [f["id"] for f in document["features"]] == [f["id"] for f in features if f["id"] in want]
    plain = {f["id"]: f for f in features}
    for feature in document["features"]:
        properties = feature["properties"]
        assert properties["as_of"] == want[feature["id"]]
        assert properties["stage"] == want[feature["id"]]["stage"]
        as_built = plain[feature["id"]]["properties"]
        assert list(properties) == [*as_built, "as_of"]
        assert {k: v for k, v in properties.items() if k not in ("stage", "as_of")} == {
            k: v for k, v in as_built.items() if k != "stage"
        }
        assert properties["status"] == as_built["status"]  # the nested stage stays as reported


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_ogc_items_list_what_stood_then(client, features, openapi, day, collection):
    want = expected(features, day, COLLECTIONS[collection])
    url = f"/ogc/collections/{collection}/items?as_of={day}&limit=10000"
    document = get(client, url)
    schema_validator(openapi, "FeatureCollection").validate(document)
    assert document["numberMatched"] == len(want)
    answered = {f["id"]: f["properties"]["as_of"] for f in document["features"]}
    assert answered == want
    assert all(f["properties"]["stage"] == want[f["id"]]["stage"] for f in document["features"])


@pytest.mark.parametrize("day", DAYS)
def test_status_filters_on_the_stage_then(client, features, day):
    want = expected(features, day)
    for stage in STAGES:
        keep = {i for i, answer in want.items() if answer["stage"] == stage}
        document = get(client, f"/api/features?as_of={day}&status={quote(stage)}&limit=10000")
        assert {f["id"] for f in document["features"]} == keep
        ogc = get(client, f"/ogc/collections/atlas/items?as_of={day}&status={quote(stage)}")
        assert ogc["numberMatched"] == len(keep)
    # a stage reported now but not yet reached then is not matched by it
    reported_now = {f["id"] for f in features if f["properties"]["stage"] == "operational"}
    then = get(client, f"/api/features?as_of={DAYS[0]}&status=operational&limit=10000")
    assert {f["id"] for f in then["features"]} != reported_now


def test_other_filters_combine_with_as_of(client, features):
    want = expected(features, DAYS[1], ("site",))
    document = get(client, f"/api/features?as_of={DAYS[1]}&kind=site&limit=10000")
    assert {f["id"] for f in document["features"]} == set(want)


def test_api_links_keep_as_of(client, features):
    want = expected(features, DAYS[2])
    assert len(want) > 2
    document = get(client, f"/api/features?as_of={DAYS[2]}&limit=1&offset=1")
    links = {link["rel"]: link["href"] for link in document["links"]}
    assert set(links) == {"self", "next", "prev"}
    for href in links.values():
        assert query_of(href)["as_of"] == [DAYS[2]]
    following = get(client, links["next"])
    assert following["numberMatched"] == len(want)
    assert following["features"][0]["properties"]["as_of"]["date"] == DAYS[2]


def test_links_repeat_the_full_date_meant(client):
    document = get(client, "/api/features?as_of=2026-02&limit=1")
    self_link = next(link["href"] for link in document["links"] if link["rel"] == "self")
    assert query_of(self_link)["as_of"] == ["2026-02-28"]
    assert document["features"][0]["properties"]["as_of"]["date"] == "2026-02-28"


def test_ogc_links_keep_as_of(client, features):
    day = DAYS[2]
    document = get(client, f"/ogc/collections/atlas/items?as_of={day}&limit=1")
    rels = {link["rel"]: link["href"] for link in document["links"]}
    for rel in ("self", "next", "alternate"):
        assert query_of(rels[rel])["as_of"] == [day], rel
    assert query_of(rels["alternate"])["f"] == ["html"]
    html = client.get(f"/ogc/collections/atlas/items?as_of={day}&limit=1&f=html")
    assert html.status_code == 200 and html.mimetype == "text/html"
    hrefs = re.findall(r'href="([^"]*items\?[^"]*)"', html.get_data(as_text=True))
    paging = [h.replace("&amp;", "&") for h in hrefs if "offset=" in h]
    assert paging and all(query_of(h)["as_of"] == [day] for h in paging)
    alternate = [h.replace("&amp;", "&") for h in hrefs if "f=json" in h]
    assert alternate and all(query_of(h)["as_of"] == [day] for h in alternate)


def test_ogc_html_items_show_the_stage_then(client, features):
    want = expected(features, DAYS[0], ("site",))
    url = f"/ogc/collections/sites/items?as_of={DAYS[0]}&f=html&limit=10000"
    page = client.get(url).get_data(as_text=True)
    rows = re.findall(
        r'href="/ogc/collections/sites/items/([^"?]+)">.*?</th>(.*?)</tr>', page, re.S
    )
    assert {i for i, _ in rows} == set(want)
    for feature_id, cells in rows:
        stage = re.findall(r"<td>([^<]*)</td>", cells)[2]
        assert stage == want[feature_id]["stage"], feature_id
    assert f"<code>as_of={parse_as_of(DAYS[0]).isoformat()}</code>" in page


def test_one_item_as_of(client, features, openapi):
    centre = next(f for f in features if "cooperation-centre" in f["id"])
    history = centre["properties"]["history"]
    first_day = min(date.fromisoformat(s["start"] or s["end"]) for s in history)
    day = first_day + timedelta(days=400)
    url = f"/ogc/collections/sites/items/{centre['id']}?as_of={day.isoformat()}"
    response = client.get(url)
    assert response.status_code == 200, response.text
    document = response.json
    schema_validator(openapi, "Feature").validate(document)
    assert document["properties"]["as_of"] == stage_as_of(history, day).to_json()
    links = {link["rel"]: link["href"] for link in document["links"]}
    assert query_of(links["self"])["as_of"] == [day.isoformat()]
    assert query_of(links["alternate"])["as_of"] == [day.isoformat()]
    assert f"as_of={day.isoformat()}" in response.headers["Link"]
    html = client.get(f"{url}&f=html")
    assert html.status_code == 200 and html.mimetype == "text/html"
    # a feature not yet reported then (every step starts later) is not there
    unknown = next(
        f for f in features if stage_as_of(f["properties"]["history"], "1990-12-31") is None
    )
    collection = f"{unknown['properties']['kind']}s"
    before = client.get(f"/ogc/collections/{collection}/items/{unknown['id']}?as_of=1990")
    assert before.status_code == 404 and before.mimetype == PROBLEM
    assert before.json["parameter"] == "as_of" and "1990-12-31" in before.json["detail"]


BAD_URLS = [
    "/api/features?as_of={}",
    "/ogc/collections/atlas/items?as_of={}",
    "/ogc/collections/sites/items?as_of={}&f=html",
    "/ogc/collections/sites/items/central-asia-international-industrial-cooperation-centre"
    "?as_of={}",
]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("value", hostile.BAD_AS_OF, ids=lambda v: v[:12])
def test_bad_as_of_is_a_problem_naming_the_form(client, openapi, url, value):
    address = url.format(quote(value))
    response = client.get(address)
    if len(address) > MAX_URL_CHARS:  # refused before any view, with a message too
        assert response.status_code == 414 and response.mimetype == PROBLEM
        return
    assert response.status_code == 400, response.text[:200]
    assert response.mimetype == PROBLEM
    problem = response.json
    schema_validator(openapi, "Problem").validate(problem)
    assert problem["parameter"] == "as_of"
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in problem["detail"]
    assert len(problem["detail"]) < 300  # a huge value is not echoed whole
    assert hostile.SCRIPT not in response.text


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("query", ["2025&as_of=2026", "", "2025&as_of="])
def test_as_of_given_twice_or_empty_is_refused(client, url, query):
    response = client.get(url.format(query))
    assert response.status_code == 400
    assert response.json["parameter"] == "as_of"


@pytest.mark.parametrize("value", hostile.BAD_AS_OF, ids=lambda v: v[:12])
def test_the_table_refuses_bad_as_of_with_a_message(client, value):
    response = client.get(f"/features?as_of={quote(value)}")
    if len(response.request.url) > MAX_URL_CHARS:
        assert response.status_code == 414
        return
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in text
    assert hostile.SCRIPT not in text


@pytest.mark.parametrize("day", DAYS)
def test_the_table_shows_the_stage_then(client, features, day):
    want = expected(features, day)
    page = client.get(f"/features?as_of={day}").get_data(as_text=True)
    rows = re.findall(r'<tr data-id="([^"]+)">(.*?)</tr>', page, re.S)
    assert {i for i, _ in rows} == set(want)
    for feature_id, row in rows:
        stage = re.search(r'<span class="stage">([^<]*)</span>', row).group(1)
        assert stage == want[feature_id]["stage"]
    the_day = parse_as_of(day).isoformat()
    assert f'name="as_of" value="{the_day}"' in page
    sort_links = re.findall(r'class="sort-link" href="([^"]+)"', page)
    assert sort_links and all(
        query_of(h.replace("&amp;", "&"))["as_of"] == [the_day] for h in sort_links
    )


def test_the_table_sorts_by_the_stage_then(client, features):
    want = expected(features, DAYS[1])
    page = client.get(f"/features?as_of={DAYS[1]}&sort=status").get_data(as_text=True)
    ids = re.findall(r'<tr data-id="([^"]+)">', page)
    ranks = [STAGES.index(want[i]["stage"]) for i in ids]
    assert ranks == sorted(ranks)


def test_the_table_form_has_a_labelled_as_of_control(client):
    page = client.get("/features").get_data(as_text=True)
    assert re.search(
        r'<label for="filter-as-of">[^<]+<input id="filter-as-of"[^>]*name="as_of"', page
    )
    assert 'aria-describedby="filter-as-of-hint"' in page and 'id="filter-as-of-hint"' in page
    empty = client.get("/features?as_of=").get_data(as_text=True)
    assert re.findall(r'<tr data-id="([^"]+)">', empty) == re.findall(
        r'<tr data-id="([^"]+)">', page
    )
    russian = client.get("/features?as_of=2025&lang=ru").get_data(as_text=True)
    assert "По состоянию на" in russian and "по состоянию на" in russian


# --- the OpenAPI document and the parameter's form --------------------------------------------


def test_openapi_documents_as_of(openapi):
    parameter = openapi["components"]["parameters"]["as_of"]
    assert parameter["schema"]["pattern"] == AS_OF_PATTERN
    as_of = {"$ref": "#/components/parameters/as_of"}
    for path in (
        "/api/features",
        "/ogc/collections/{collectionId}/items",
        "/ogc/collections/{collectionId}/items/{featureId}",
    ):
        assert as_of in openapi["paths"][path]["get"]["parameters"], path
    described = openapi["components"]["schemas"]["Properties"]["properties"]["as_of"]
    assert set(described["required"]) == {"date", "stage", "certain", "scheduled"}


def _accepted(text: str) -> bool:
    try:
        parse_as_of(text)
    except ValueError:
        return False
    return text.isascii()


def test_the_documented_pattern_is_exactly_what_is_accepted():
    values = [f"{y:04d}" for y in range(1890, 2111)]
    values += [f"{y:04d}-{m:02d}" for y in (1899, 1900, 2024, 2100, 2101) for m in range(14)]
    day = date(1899, 12, 25)
    while day <= date(2101, 1, 5):
        values.append(day.isoformat())
        day += timedelta(days=1 if day.year in (1899, 1900, 2000, 2024, 2100, 2101) else 29)
    values += ["1900-02-29", "2000-02-29", "2100-02-29", "2023-02-29", *hostile.BAD_AS_OF]
    for value in values:
        assert bool(re.fullmatch(AS_OF_PATTERN, value)) == _accepted(value), value


# --- the columns that answer as_of, against the rule itself -------------------------------------


def test_the_columns_answer_as_stage_as_of_does(features):
    store = FeatureStore.from_features(features)
    days = {parse_as_of(d) for d in DAYS}
    for feature in features:
        for step in feature["properties"]["history"]:
            for text in (step["start"], step["end"]):
                if text:
                    edge = date.fromisoformat(text)
                    days |= {edge - timedelta(days=1), edge, edge + timedelta(days=1)}
    for day in sorted(days):
        answers = store.history.at(day)
        for position, feature in enumerate(features):
            rule = stage_as_of(feature["properties"]["history"], day)
            assert answers.to_json(position) == (rule.to_json() if rule else None), (day, position)


def test_a_feature_without_history_is_always_as_reported(features):
    bare = [
        {**f, "properties": {k: v for k, v in f["properties"].items() if k != "history"}}
        for f in features
    ]
    index = FeatureIndex(FeatureStore.from_features(bare))
    selection = index.select_positions(FeatureQuery(as_of=date(1950, 1, 1)))
    assert len(selection) == len(features)
    for position, feature in enumerate(features):
        assert selection.as_of.to_json(position) == {
            "date": "1950-01-01",
            "stage": feature["properties"]["status"]["stage"],
            "certain": False,
            "scheduled": False,
        }


def test_spliced_answers_are_the_reserialised_features(features):
    """The bytes spliced for speed equal the feature parsed, changed and serialised again; a
    feature laid out otherwise (properties first) is not spliced."""
    store = FeatureStore.from_features(features)
    reordered = FeatureStore.from_features(
        [
            {"properties": f["properties"], **{k: v for k, v in f.items() if k != "properties"}}
            for f in features
        ]
    )
    for text in DAYS:
        answers = store.history.at(parse_as_of(text))
        for position, feature in enumerate(features):
            answer = answers.to_json(position)
            if answer is None:
                continue
            properties = {**feature["properties"], "stage": answer["stage"], "as_of": answer}
            again = compact_json({**feature, "properties": properties})
            assert store.history.dated(store.raw(position), position, answer) == again
            assert reordered.history.dated(reordered.raw(position), position, answer) is None


def test_the_columns_answer_the_shared_timeline_cases():
    """The cases the map's JavaScript and geodata.timeline are checked on (H1's table)."""
    cases = json.loads((ROOT / "tests/geodata/timeline_cases.json").read_text(encoding="utf-8"))
    steps = HistorySteps()
    for case in cases:
        steps.add({"properties": {"history": case["history"]}})
    history = History(steps)
    for position, case in enumerate(cases):
        answer = history.at(date.fromisoformat(case["date"])).to_json(position)
        assert answer == case["expected"], case.get("label")
