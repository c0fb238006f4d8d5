"""Issue 12's data: seed citations, cited or assessed stages, coverage and licence metadata,
how corridor lines are drawn (basis, leg modes), and the warning for coincident sites."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from shapely.geometry import shape

from geodata import DEFAULT_CATALOGUE, DEFAULT_SEEDS_DIR, PROJECT_DIR
from geodata.build import Progress, compile_atlas
from geodata.catalogue import load_catalogue
from geodata.errors import CatalogueError
from geodata.geometry import geodesic_length_km
from tests.support.samples import SEED_000, corridor_entry, site_entry

SEED_003 = "003_26f6919544f59e0e.txt"
PLANNED = {"stage": "planned", "stage_quote": "Bashkortostan is planning an industrial park"}
ASSESSED = {"stage": "operational", "stage_assessment": "Assessed for the test."}
TASHKENT_SITES = {
    "consultative-meeting-heads-of-state-tashkent",
    "innoprom-central-asia",
    "mephi-tashkent-branch",
}


def _write(tmp_path: Path, entries: list[dict], seeds: list[dict] | None = None) -> Path:
    path = tmp_path / "catalogue.yaml"
    document = {"entries": entries, "seeds": seeds or []}
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _compile_error(path: Path) -> str:
    with pytest.raises(CatalogueError) as raised:
        compile_atlas(path, DEFAULT_SEEDS_DIR)
    return str(raised.value)


@pytest.fixture(scope="module")
def atlas(built_data_dir: Path) -> dict:
    return json.loads((built_data_dir / "atlas.geojson").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def by_id(atlas: dict) -> dict[str, dict]:
    return {feature["id"]: feature for feature in atlas["features"]}


@pytest.fixture(scope="module")
def articles(built_data_dir: Path) -> dict[str, dict]:
    index = json.loads((built_data_dir / "sources.json").read_text(encoding="utf-8"))
    return {seed["seed"]: seed for seed in index["seeds"]}


# --- seed citations --------------------------------------------------------------------------


def test_each_seed_has_its_citation_fields_and_says_where_they_come_from(articles):
    assert len(articles) == 5
    for record in articles.values():
        assert record["language"] == "en"
        assert record["title"] and record["published_note"] and record["reference"]
        assert record["title_is_editorial"] == (record["headline"] is None)
        if record["headline"] is not None:
            assert record["headline"] == record["title"] and record["headline"] in record["text"]
    dated = articles[SEED_003]
    assert dated["published"] == "2024-07-14" and dated["author"] == "Vusala Abbasova"
    assert "By Vusala Abbasova July 14, 2024" in dated["text"]
    # Only 003 states its date; the others have none, or only a relative one ("October 9").
    assert [r["published"] for r in articles.values()].count(None) == 4
    # "The Caspian Post reports" names the outlet 000 relays, not its publisher.
    assert articles[SEED_000]["publisher"] is None
    assert "credited agency" in articles["001_b4e6c703c5a7dd84.txt"]["reference"]
    assert all(record["url"] is None for record in articles.values())  # no text gives one


def test_each_features_sources_carry_their_articles_citation(by_id, articles):
    for feature in by_id.values():
        for source in feature["properties"]["sources"]:
            record = articles[source["seed"]]
            for key in ("title", "title_is_editorial", "publisher", "published"):
                assert source[key] == record[key], (feature["id"], key)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"published": "July 14, 2024"}, "published", "expected a date written YYYY-MM-DD"),
        ({"published": "2024-02-30"}, "published", "not a real date"),
        ({"published": 1720915200}, "published", "expected a date written YYYY-MM-DD"),
        ({"published": "2024-07-14"}, "published_note", "say where the publication date"),
        ({"publisher": "Somebody"}, "reference", "say where publisher comes from"),
        ({"url": "example.org/a"}, "url", "not an http(s) address"),
        ({"language": "English"}, "language", "should match pattern"),
        ({"editor": "X"}, "editor", "Extra inputs are not permitted"),
    ],
)
def test_bad_seed_fields_are_named(tmp_path: Path, fields, field, message):
    seed = {"seed": SEED_003, "title": "A label", "headline": False, **fields}
    path = _write(tmp_path, [site_entry(status=PLANNED)], [seed])
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(path)
    text = str(raised.value)
    assert f"{path}: seeds {SEED_003!r}, field {field!r}" in text and message in text


def test_a_date_written_unquoted_in_yaml_loads(tmp_path: Path):
    seed = {"seed": SEED_003, "title": "t", "headline": False}
    path = _write(tmp_path, [site_entry(status=PLANNED)], [seed])
    path.write_text(
        path.read_text() + "  published: 2024-07-14\n  published_note: byline\n", encoding="utf-8"
    )
    assert str(load_catalogue(path).seeds[0].published) == "2024-07-14"


def test_no_reader_facing_text_says_seed(by_id, articles):
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    texts = [entry.description for entry in catalogue.entries]
    texts += [entry.name for entry in catalogue.entries]
    texts += [entry.status.stage_assessment or "" for entry in catalogue.entries]
    texts += [item.why for item in catalogue.not_mapped]
    for record in articles.values():
        texts += [record["title"], record["published_note"], record["reference"] or ""]
    assert [text for text in texts if re.search(r"\bseeds?\b", text, re.IGNORECASE)] == []


# --- every stage cited or marked -------------------------------------------------------------


def test_every_stage_is_quoted_or_assessed(by_id, articles):
    assert len(by_id) == 22
    for feature in by_id.values():
        status = feature["properties"]["status"]
        assert (status["stage_quote"] is None) != (status["stage_assessment"] is None)
        if status["stage_quote"]:
            cited = [articles[s["seed"]]["text"] for s in feature["properties"]["sources"]]
            assert any(
                " ".join(status["stage_quote"].split()) in " ".join(t.split()) for t in cited
            )
        else:
            assert "\n" not in status["stage_assessment"]
    for unquoted in ("north-south-international-transport-corridor", "innoprom-central-asia"):
        assert by_id[unquoted]["properties"]["status"]["stage_assessment"]
    assert by_id["trans-caspian-international-transport-route"]["properties"]["status"][
        "stage_assessment"
    ]


def test_as_reported_is_the_date_of_the_article_the_status_comes_from(by_id):
    taraz = by_id["taraz-electrometallurgical-plant"]["properties"]["status"]
    assert taraz["as_reported"] == "2024-07-14"  # quoted from the dated article
    summit = by_id["second-central-asia-russia-summit-dushanbe"]["properties"]["status"]
    assert summit["as_reported"] is None  # "October 9", no year: unknown


def test_a_stage_neither_quoted_nor_assessed_fails_the_build(tmp_path: Path):
    path = _write(tmp_path, [site_entry(status={"stage": "planned"})])
    text = _compile_error(path)
    assert "entry 'bekabad-industrial-park', field 'status'" in text
    assert "neither quoted nor marked" in text


def test_a_stage_quote_not_in_a_cited_seed_fails_the_build(tmp_path: Path):
    invented = {"stage": "planned", "stage_quote": "Bashkortostan has opened an industrial park"}
    text = _compile_error(_write(tmp_path, [site_entry(status=invented)]))
    assert "entry 'bekabad-industrial-park', field 'status.stage_quote'" in text
    assert "not found verbatim" in text
    # In an article the entry does not cite, it does not count either.
    elsewhere = {"stage": "planned", "stage_quote": "By Vusala Abbasova July 14, 2024"}
    assert "status.stage_quote" in _compile_error(_write(tmp_path, [site_entry(status=elsewhere)]))


def test_a_stage_quoted_and_assessed_at_once_is_refused(tmp_path: Path):
    both = {**PLANNED, "stage_assessment": "Also assessed."}
    with pytest.raises(CatalogueError, match=r"field 'status\.stage_assessment': give a stage"):
        load_catalogue(_write(tmp_path, [site_entry(status=both)]))


# --- coverage and licence --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"), [("atlas.geojson", 22), ("corridors.geojson", 6), ("sites.geojson", 16)]
)
def test_each_collection_states_licence_citation_and_coverage(built_data_dir, name, count):
    collection = json.loads((built_data_dir / name).read_text(encoding="utf-8"))
    metadata = collection["metadata"]
    assert metadata["licence"] == "CC BY 4.0"
    assert metadata["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "Corridor Atlas" in metadata["cite_as"] and "version" in metadata["cite_as"]
    assert metadata["coverage"] == {
        "articles": 5,
        "articles_dated": 1,
        "first_published": "2024-07-14",
        "last_published": "2024-07-14",
        "features": count,
    }
    assert len(collection["features"]) == count


def test_citation_cff_is_valid_cff_1_2_0():
    cff = yaml.safe_load((PROJECT_DIR / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"cff-version", "message", "title", "authors"} <= cff.keys()
    assert cff["type"] == "dataset" and cff["license"] == "CC-BY-4.0"
    assert cff["authors"] == [{"name": "Corridor Atlas contributors"}]
    assert not {"doi", "url", "repository-code", "identifiers"} & cff.keys()  # none invented
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    assert cff["version"] == project["project"]["version"]


# --- how lines are drawn ---------------------------------------------------------------------


def test_leg_modes_are_parallel_to_the_geometry_parts(by_id):
    for feature in by_id.values():
        properties = feature["properties"]
        if properties["kind"] != "corridor":
            assert "leg_modes" not in properties and "basis" not in properties
            continue
        geometry = feature["geometry"]
        parts = geometry["coordinates"] if geometry["type"] == "MultiLineString" else [1]
        assert len(properties["leg_modes"]) == len(parts)
        assert set(properties["leg_modes"]) <= {"rail", "road", "sea"}


def test_the_caspian_crossing_is_a_sea_leg_and_the_rasht_astara_gap_a_road(by_id):
    titr = by_id["trans-caspian-international-transport-route"]
    modes = titr["properties"]["leg_modes"]
    assert modes == ["rail", "sea", "rail", "rail", "rail", "rail"]
    sea = titr["geometry"]["coordinates"][1]
    aktau, baku = sea[0], sea[-1]
    assert round(aktau[0], 1) == 51.2 and round(baku[0], 1) == 49.9  # Aktau to Baku
    north_south = by_id["north-south-international-transport-corridor"]["properties"]
    assert north_south["leg_modes"] == ["rail", "road", "rail", "rail"]


def test_splitting_by_mode_keeps_the_length_exact(by_id):
    titr = by_id["trans-caspian-international-transport-route"]
    located = {p["place"]: (p["lon"], p["lat"]) for p in titr["properties"]["located_by"]}
    lines = shape(titr["geometry"]).geoms
    assert len(lines) == 6
    assert tuple(lines[0].coords[0]) == located["Dostyk"]
    assert tuple(lines[2].coords[-1]) == located["Poti"]
    total = sum(geodesic_length_km(list(line.coords)) for line in lines)
    assert abs(total - titr["properties"]["length_km"]) < 0.5


@pytest.mark.parametrize(
    ("feature_id", "basis"),
    [
        ("uchkuduq-kyzylorda-corridor", "endpoints"),
        ("trans-afghan-transport-corridor", "mixed"),
        ("xian-khorgos-almaty-saryagash-tashkent-railway-route", "stations"),
    ],
)
def test_each_corridor_says_how_its_line_was_drawn(by_id, feature_id, basis):
    assert by_id[feature_id]["properties"]["basis"] == basis


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"basis": "endpoints"}, "basis", "'endpoints' is a line through its two ends only"),
        ({"basis": "drawn"}, "basis", "Input should be"),
        ({"route": 2}, "basis", "two alone are 'endpoints'"),
        ({"first_mode": "sea"}, "route[0].mode", "no leg ends at a line's first waypoint"),
        ({"last_mode": "air"}, "route[2].mode", "Input should be"),
    ],
)
def test_bad_basis_or_mode_is_named(tmp_path: Path, changes, field, message):
    entry = corridor_entry(status=ASSESSED)
    route = [dict(place) for place in entry["route"]]
    if "first_mode" in changes:
        route[0]["mode"] = changes["first_mode"]
    if "last_mode" in changes:
        route[-1]["mode"] = changes["last_mode"]
    if changes.get("route") == 2:
        route, entry["basis"] = route[:2], "stations"
    if "basis" in changes:
        entry["basis"] = changes["basis"]
    entry["route"] = route
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(_write(tmp_path, [entry]))
    assert f"field {field!r}" in str(raised.value) and message in str(raised.value)


def test_a_computed_basis_and_a_sea_leg_in_a_small_build(tmp_path: Path):
    route = [dict(place) for place in corridor_entry()["route"]]
    route[-1]["mode"] = "road"
    entries = [
        corridor_entry(status=ASSESSED, route=route),
        corridor_entry(id="two-ends", status=ASSESSED, route=route[:2]),
    ]
    compiled = compile_atlas(_write(tmp_path, entries), DEFAULT_SEEDS_DIR)
    features = {
        f["id"]: f["properties"]
        for f in json.loads(compiled.files["corridors.geojson"])["features"]
    }
    assert features["test-corridor"]["basis"] == "stations"
    assert features["test-corridor"]["leg_modes"] == ["rail", "road"]
    assert features["two-ends"]["basis"] == "endpoints"
    assert features["two-ends"]["leg_modes"] == ["rail"]


# --- coincident sites ------------------------------------------------------------------------


def test_the_build_warns_of_the_three_tashkent_sites_on_its_progress_channel():
    reports: list[Progress] = []
    compiled = compile_atlas(progress=reports.append)
    notices = [report.what for report in reports if not report.step]
    tashkent = [n for n in notices if all(site in n for site in TASHKENT_SITES)]
    assert len(tashkent) == 1 and tashkent[0].startswith("warning: 3 sites share one coordinate")
    bukhara = [n for n in notices if "central-asia-russia-industrial-engineering-hub" in n]
    assert bukhara and "bukhara-region-russian-uzbek-technopark" in bukhara[0]
    assert len(compiled.warnings) == 2


def test_sites_within_a_kilometre_are_warned_of_but_build(tmp_path: Path):
    near = site_entry(
        id="near-bekabad",
        status=PLANNED,
        location={"name": "Beside", "lat": 40.2210, "lon": 69.2700, "reference": "a test point"},
    )
    far = site_entry(
        id="far-away",
        status=PLANNED,
        location={"name": "Far", "lat": 40.40, "lon": 69.27, "reference": "a test point"},
    )
    bekabad = site_entry(
        status=PLANNED,
        location={"name": "Bekabad", "lat": 40.2208, "lon": 69.2697, "reference": "a test point"},
    )
    compiled = compile_atlas(_write(tmp_path, [bekabad, near, far]), DEFAULT_SEEDS_DIR)
    assert compiled.warnings == (
        "2 sites lie within 1 km (the map spreads them apart; check they are not one place): "
        "bekabad-industrial-park, near-bekabad",
    )


def test_the_cli_prints_the_warning_on_stderr(tmp_path: Path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "cli", "build", "--check", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        check=False,
    )
    assert "warning: 3 sites share one coordinate" in result.stderr
    assert "warning" not in result.stdout
