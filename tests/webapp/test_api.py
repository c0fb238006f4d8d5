"""The query API /api/features and its OpenAPI document, over the real build.

Expected answers are computed here independently of webapp.model.search: filters by plain
Python over the built file, bbox by shapely's own ``intersects`` on each feature, distances by
brute force with geographiclib over densely sampled geometry.
"""

from __future__ import annotations

import gzip
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import shapely
from geographiclib.geodesic import Geodesic
from openapi_spec_validator import validate as validate_spec
from shapely.geometry import shape

from geodata.spatial import NEAR_SITES_LISTED
from tests.support.openapi import schema_validator
from webapp import create_app
from webapp.api.params import API_PARAMETERS, MAX_LIMIT
from webapp.model.subsets import SELECTION_FORMATS

GEOJSON = "application/geo+json"
PROBLEM = "application/problem+json"
WGS84 = Geodesic.WGS84


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    """One app for the module: the API never changes state."""
    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


def ids(document: dict) -> list[str]:
    return [f["id"] for f in document["features"]]


def get_features(client, query: str = "") -> dict:
    response = client.get(f"/api/features{query}")
    assert response.status_code == 200, response.text
    assert response.mimetype == GEOJSON
    return response.json


# --- filters -------------------------------------------------------------------------------


def test_everything_by_default_in_file_order(client, features, openapi):
    document = get_features(client)
    assert document["type"] == "FeatureCollection"
    assert document["features"] == features
    assert document["numberMatched"] == document["numberReturned"] == len(features)
    schema_validator(openapi, "FeatureCollection").validate(document)


def test_the_schema_describes_every_property_and_the_cut_list(features, openapi):
    described = openapi["components"]["schemas"]["Properties"]["properties"]
    assert {name for f in features for name in f["properties"]} <= set(described)
    assert described["sites_within_100km_count"]["type"] == "integer"
    validator = schema_validator(openapi, "Properties")
    corridor = next(f["properties"] for f in features if f["properties"]["kind"] == "corridor")
    validator.validate(corridor)
    neighbour = {"id": "s", "name": "S", "distance_km": 1.0}
    too_long = [neighbour] * (NEAR_SITES_LISTED + 1)
    assert not validator.is_valid(corridor | {"sites_within_100km": too_long})


def _expected(features, kinds=None, categories=None, countries=None, stages=None) -> list[str]:
    return [
        f["id"]
        for f in features
        if (kinds is None or f["properties"]["kind"] in kinds)
        and (categories is None or f["properties"]["category"] in categories)
        and (countries is None or set(f["properties"]["countries"]) & set(countries))
        and (stages is None or f["properties"]["status"]["stage"] in stages)
    ]


@pytest.mark.parametrize("kind", ["site", "corridor"])
def test_kind(client, features, kind):
    assert ids(get_features(client, f"?kind={kind}")) == _expected(features, kinds=[kind])


def test_every_category(client, features):
    categories = sorted({f["properties"]["category"] for f in features})
    for category in categories:
        found = ids(get_features(client, f"?category={category}"))
        assert found == _expected(features, categories=[category])
        assert found


@pytest.mark.parametrize("stage", ["proposed", "planned", "under construction", "operational"])
def test_status(client, features, stage):
    found = ids(get_features(client, f"?status={stage}"))
    assert found == _expected(features, stages=[stage])
    assert found


@pytest.mark.parametrize(
    ("query", "countries"),
    [("UZ", ["UZ"]), ("kz", ["KZ"]), ("TJ,KG", ["TJ", "KG"]), ("ZZ", ["ZZ"])],
)
def test_country_in_any_case_and_lists(client, features, query, countries):
    assert ids(get_features(client, f"?country={query}")) == _expected(
        features, countries=countries
    )


def test_filters_combine_and_lists_mean_any(client, features):
    found = ids(get_features(client, "?kind=site&country=UZ&status=planned,proposed"))
    expected = _expected(features, ["site"], None, ["UZ"], ["planned", "proposed"])
    assert found == expected
    assert len(expected) >= 2
    repeated = ids(get_features(client, "?kind=site&country=UZ&status=planned&status=proposed"))
    assert repeated == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Bekobod", {"bekabad-industrial-park"}),
        ("bekabad", {"bekabad-industrial-park"}),
        ("BEKOBOD industrial park", {"bekabad-industrial-park"}),
        ("tirmiz", {"trans-afghan-transport-corridor"}),  # a waypoint, spelt as GeoNames does
        ("Termez", {"trans-afghan-transport-corridor"}),  # the description's spelling
        ("Xian", {"xian-khorgos-almaty-saryagash-tashkent-railway-route"}),
        ("Xi’an", {"xian-khorgos-almaty-saryagash-tashkent-railway-route"}),
        ("INSTC", {"north-south-international-transport-corridor"}),  # an alias
        ("Qyzylorda Uchkuduk", {"uchkuduq-kyzylorda-corridor"}),  # q/k, y/i, k/q
        ("Kambar-Ata", {"kambarata-1-hydroelectric-power-station"}),
        ("no such place anywhere", set()),
        ("!!!", set()),
    ],
)
def test_text_is_transliteration_insensitive(client, q, expected):
    found = set(ids(get_features(client, f"?q={quote(q)}")))
    assert found == expected


def test_text_matches_descriptions_and_combines(client, features):
    found = ids(get_features(client, "?q=navoi"))
    assert "navoi-region-russian-uzbek-technopark" in found
    assert "alisher-navoi-monument-astana" in found
    assert ids(get_features(client, "?q=navoi&category=monument")) == [
        "alisher-navoi-monument-astana"
    ]
    described = [f["id"] for f in features if "Caspian" in f["properties"]["description"]]
    assert set(described) <= set(ids(get_features(client, "?q=caspian")))


# --- bbox ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bbox",
    [
        (66.0, 37.0, 72.0, 42.0),  # Uzbekistan's east
        (69.0, 41.0, 69.5, 41.5),  # Tashkent
        (40.0, 40.0, 50.0, 45.0),  # Caucasus
        (100.0, 30.0, 110.0, 40.0),  # Xi'an
        (0.0, -10.0, 10.0, 0.0),  # nothing there
        (-180.0, -90.0, 180.0, 90.0),  # the world
    ],
)
def test_bbox_keeps_features_intersecting_the_box(client, features, bbox):
    box = shapely.box(*bbox)
    expected = [f["id"] for f in features if shape(f["geometry"]).intersects(box)]
    query = ",".join(f"{v:g}" for v in bbox)
    assert ids(get_features(client, f"?bbox={query}")) == expected


def test_bbox_with_heights_and_across_the_antimeridian(client, features):
    four = ids(get_features(client, "?bbox=66,37,72,42"))
    assert ids(get_features(client, "?bbox=66,37,-100,72,42,9000")) == four
    east_of_60 = [f["id"] for f in features if shape(f["geometry"]).bounds[2] >= 60]
    assert ids(get_features(client, "?bbox=60,-90,-170,90")) == east_of_60
    assert ids(get_features(client, "?bbox=170,-90,-170,90")) == []


@pytest.mark.parametrize(
    "path", ["/api/features", "/ogc/collections/atlas/items", "/ogc/collections/sites/items"]
)
@pytest.mark.parametrize("bbox", ["60,45,70,40", "10,10,5,5", "0,1,0,-1,0,0"])
def test_a_bbox_whose_south_edge_is_north_of_its_north_edge_is_refused(client, path, bbox):
    response = client.get(f"{path}?bbox={bbox}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["parameter"] == "bbox"
    assert "south edge" in response.json["detail"]


# --- near ----------------------------------------------------------------------------------


def _samples(start, end, step_km):
    line = WGS84.InverseLine(start[1], start[0], end[1], end[0])
    count = max(1, int(line.s13 / 1000 / step_km) + 1)
    for i in range(count + 1):
        position = line.Position(line.s13 * i / count)
        yield position["lon2"], position["lat2"]


def brute_force_km(lon: float, lat: float, geometry: dict) -> float:
    """Shortest geodesic distance to the geometry, sampled coarsely then finely near the best."""

    def km(point):
        return WGS84.Inverse(lat, lon, point[1], point[0])["s12"] / 1000

    if geometry["type"] == "Point":
        return km(geometry["coordinates"])
    lines = geometry["coordinates"]
    lines = [lines] if geometry["type"] == "LineString" else lines
    legs = [leg for line in lines for leg in pairwise(line)]
    coarse = sorted(legs, key=lambda leg: min(km(p) for p in _samples(*leg, 5.0)))
    return min(km(p) for leg in coarse[:6] for p in _samples(*leg, 0.02))


@pytest.mark.parametrize(
    ("lat", "lon", "radius"),
    [(41.31, 69.28, 300.0), (43.24, 76.9, 500.0), (40.0, 60.0, 800.0), (37.5, 67.0, 120.0)],
)
def test_near_agrees_with_geographiclib(client, features, lat, lon, radius):
    document = get_features(client, f"?near={lat},{lon}&radius_km={radius}")
    answered = {f["id"]: f["properties"]["distance_km"] for f in document["features"]}
    distances = [f["properties"]["distance_km"] for f in document["features"]]
    assert distances == sorted(distances)
    for feature in features:
        truth = brute_force_km(lon, lat, feature["geometry"])
        if feature["id"] in answered:
            assert answered[feature["id"]] == pytest.approx(truth, rel=0.005, abs=0.01)
        if truth <= radius * 0.995:
            assert feature["id"] in answered, (feature["id"], truth)
        if truth > radius * 1.005:
            assert feature["id"] not in answered, (feature["id"], truth)
    assert answered


def test_near_defaults_to_100_km_and_combines_with_filters(client, features):
    default = get_features(client, "?near=41.31,69.28")
    explicit = get_features(client, "?near=41.31,69.28&radius_km=100")
    assert ids(default) == ids(explicit)
    sites = get_features(client, "?near=41.31,69.28&radius_km=300&kind=site")
    assert all(f["properties"]["kind"] == "site" for f in sites["features"])
    assert "distance_km" not in get_features(client, "?limit=1")["features"][0]["properties"]


def test_radius_without_near_is_ignored(client, features):
    assert get_features(client, "?radius_km=5")["numberMatched"] == len(features)


# --- paging --------------------------------------------------------------------------------


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_next_links_walk_every_feature_once(client, features):
    seen, url, pages = [], "/api/features?limit=5", 0
    while url:
        response = client.get(url)
        document = response.json
        assert document["numberMatched"] == len(features)
        assert document["numberReturned"] == len(document["features"]) <= 5
        seen += ids(document)
        links = {link["rel"]: link for link in document["links"]}
        assert links["self"]["type"] == GEOJSON
        assert ("prev" in links) == (pages > 0)
        url = links["next"]["href"] if "next" in links else None
        pages += 1
    assert seen == [f["id"] for f in features]
    assert pages == -(-len(features) // 5)


def test_links_keep_the_query_and_are_absolute(client):
    document = get_features(client, "?kind=site&country=uz&limit=3&offset=3")
    links = {link["rel"]: link["href"] for link in document["links"]}
    assert links["next"].startswith("http://localhost/api/features?")
    assert _query(links["next"]) == {
        "kind": ["site"],
        "country": ["UZ"],
        "limit": ["3"],
        "offset": ["6"],
    }
    assert _query(links["prev"])["offset"] == ["0"]
    assert _query(links["self"])["offset"] == ["3"]


def test_links_repeat_coordinates_exactly(client):
    document = get_features(
        client, "?bbox=66.123456789,37.00001,72,42&near=41.3,69.2&radius_km=1e3&limit=1"
    )
    links = {link["rel"]: link["href"] for link in document["links"]}
    query = _query(links["next"])
    assert query["bbox"] == ["66.123456789,37.00001,72,42"]
    assert query["near"] == ["41.3,69.2"] and query["radius_km"] == ["1000"]
    assert client.get(links["next"]).status_code == 200


def test_offset_past_the_end_and_limit_clamped(client, features):
    past = get_features(client, "?offset=1000")
    assert past["numberReturned"] == 0 and past["numberMatched"] == len(features)
    assert {link["rel"] for link in past["links"]} == {"self", "prev"}
    clamped = get_features(client, "?limit=99999999999999999999999")
    assert clamped["numberReturned"] == len(features)
    self_link = next(link for link in clamped["links"] if link["rel"] == "self")
    assert _query(self_link["href"])["limit"] == [str(MAX_LIMIT)]


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=1.5", "limit"),
        ("limit=", "limit"),
        ("limit=5&limit=6", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("kind=road", "kind"),
        ("kind=", "kind"),
        ("kind=Site", "kind"),
        ("category=Technopark", "category"),
        ("category=airport", "category"),
        ("country=UZB", "country"),
        ("country=U1", "country"),
        ("country=UZ,", "country"),
        ("status=done", "status"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=1,2,3,4,5", "bbox"),
        ("bbox=200,0,210,10", "bbox"),
        ("bbox=0,-91,10,0", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=1e1,0,20,10", "bbox"),
        ("bbox=nan,0,20,10", "bbox"),
        ("near=41", "near"),
        ("near=100,60", "near"),
        ("near=41,190", "near"),
        ("near=41,69&near=42,69", "near"),
        ("near=41,69&radius_km=0", "radius_km"),
        ("near=41,69&radius_km=-5", "radius_km"),
        ("near=41,69&radius_km=abc", "radius_km"),
        ("near=41,69&radius_km=30000", "radius_km"),
        ("near=41,69&radius_km=inf", "radius_km"),
        ("q=", "q"),
        ("q=" + "x" * 201, "q"),
        ("foo=bar", "foo"),
        ("Limit=5", "Limit"),
        ("datetime=2025-01-01", "datetime"),  # an OGC parameter, not this endpoint's
        *((f"as_of={quote(value)}", "as_of") for value in ("2025-13", "2025-02-30", "1800")),
    ],
)
def test_bad_parameters_are_problem_details(client, openapi, query, parameter):
    response = client.get(f"/api/features?{query}")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    problem = response.json
    schema_validator(openapi, "Problem").validate(problem)
    assert problem["status"] == 400 and problem["title"] == "Bad Request"
    assert problem["parameter"] == parameter
    assert problem["allowed"]
    assert parameter in problem["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_parameter_lists_the_known_ones(client):
    problem = client.get("/api/features?kidn=site").json
    assert problem["allowed"] == list(API_PARAMETERS)
    assert "kidn" in problem["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "q=%00%ff%fe",
        "q=%F0%9F%9A%82",
        "q=%3Cscript%3E",
        "bbox=%00",
        "country=%C3%BC%C3%BC",
        "%ff=1",
    ],
)
def test_hostile_input_is_never_a_server_error(client, query):
    response = client.get(f"/api/features?{query}")
    assert response.status_code in (200, 400)
    assert response.mimetype in (GEOJSON, PROBLEM)


def test_unknown_api_paths_are_json_404s(client):
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.json["status"] == 404


# --- caching -------------------------------------------------------------------------------


def test_answers_revalidate_and_compress(client, app):
    plain = client.get("/api/features?kind=corridor")
    assert plain.headers["Cache-Control"] == "public, max-age=300"
    assert plain.headers["Vary"] == "Accept-Encoding"
    assert plain.headers["Access-Control-Allow-Origin"] == "*"
    assert plain.headers["ETag"].startswith('"')
    assert "Content-Encoding" not in plain.headers
    again = client.get(
        "/api/features?kind=corridor", headers={"If-None-Match": plain.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == plain.headers["ETag"]
    since = client.get(
        "/api/features?kind=corridor", headers={"If-Modified-Since": plain.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    zipped = client.get("/api/features?kind=corridor", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert gzip.decompress(zipped.data) == plain.data
    other = client.get("/api/features?kind=site", headers={"If-None-Match": plain.headers["ETag"]})
    assert other.status_code == 200


def test_small_answers_are_not_compressed(client):
    response = client.get("/api/features?q=nothing-matches", headers={"Accept-Encoding": "gzip"})
    assert len(response.data) < 1024
    assert "Content-Encoding" not in response.headers


# --- OpenAPI -------------------------------------------------------------------------------


def test_openapi_document_is_valid_and_complete(client, app, openapi):
    validate_spec(openapi)
    documented = set(openapi["paths"])
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("_slash"):  # the same view under a trailing slash
            continue
        if rule.endpoint.split(".")[0] in {"api", "ogc", "data"} and "rest" not in rule.arguments:
            path = rule.rule.replace("<name>", "{name}")
            path = path.replace("<collection_id>", "{collectionId}")
            path = path.replace("<feature_id>", "{featureId}")
            if path == "/data/{name}":
                assert {p for p in documented if p.count("/") == 2 and p.startswith("/data/")}
            elif path == "/data/selection.<extension>":
                assert {f"/data/selection.{e}" for e in SELECTION_FORMATS} <= documented
            else:
                assert path in documented, path
    parameters = openapi["paths"]["/api/features"]["get"]["parameters"]
    names = [
        openapi["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"] for p in parameters
    ]
    assert names == list(API_PARAMETERS)


def test_openapi_enumerations_match_the_data(openapi, features):
    parameters = openapi["components"]["parameters"]
    categories = parameters["category"]["schema"]["items"]["enum"]
    assert categories == sorted({f["properties"]["category"] for f in features})
    assert parameters["featureId"]["schema"]["enum"] == [f["id"] for f in features]


def test_api_page_documents_the_endpoints(client):
    response = client.get("/api")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.text
    assert 'class="site-nav"' in page  # extends base.html
    for text in [
        "/api/features",
        "/api/openapi.json",
        "/ogc/collections",
        "/data",
        "near=",
        "bbox=",
    ]:
        assert text in page
    assert "<script>" not in page


@pytest.mark.parametrize(
    "path", ["/api/features", "/ogc/collections/sites/items", "/data/atlas.csv"]
)
def test_cors_preflight_allows_revalidation(client, path):
    response = client.options(path, headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
