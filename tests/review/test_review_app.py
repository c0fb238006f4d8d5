"""The review app through Flask's test client: the token, CSRF, the pages and the actions."""

from __future__ import annotations

import json
import re

import pytest

from cli import main
from geodata.catalogue import load_catalogue
from tests.review.conftest import (
    CHIRCHIQ,
    CORRIDOR,
    PLACE,
    PLANT,
    PROJECT_ROOT,
    RAIL,
    REJECTED,
    SITE,
    TARAZ_ID,
)
from webapp.review import create_review_app

TOKEN = "test-token-0123456789"
PAGE = "/proposals/005_taraz_fixture"


@pytest.fixture
def review_app(workspace):
    return create_review_app(
        {
            "TESTING": True,
            "PROPOSALS_DIR": workspace.proposals.parent,
            "CATALOGUE": workspace.catalogue,
            "SEEDS_DIR": workspace.seeds,
            "OUT_DIR": workspace.out,
            "REBUILD": False,
            "REVIEW_TOKEN": TOKEN,
        }
    )


@pytest.fixture
def signed_in(review_app):
    client = review_app.test_client()
    assert client.get(f"/?token={TOKEN}").status_code == 303
    return client


def _csrf(client) -> str:
    page = client.get(PAGE).get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _post(client, pid: str, action: str, **form):
    return client.post(f"{PAGE}/{pid}/{action}", data={"csrf": _csrf(client), **form})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", PAGE),
        ("get", "/static/review/review.js"),
        ("get", "/assets/leaflet/leaflet.js"),
        ("get", "/basemap/natural-earth.geojson"),
        ("post", f"{PAGE}/{SITE}/accept"),
        ("post", f"{PAGE}/{SITE}/reject"),
    ],
)
def test_every_request_without_the_token_is_forbidden(review_app, method, path):
    assert getattr(review_app.test_client(), method)(path).status_code == 403


def test_a_wrong_token_is_forbidden_in_the_address_and_in_the_cookie(review_app):
    client = review_app.test_client()
    assert client.get("/?token=guess").status_code == 403
    client.set_cookie("review_token", "guess")
    assert client.get("/").status_code == 403


def test_the_token_becomes_a_strict_http_only_cookie_and_leaves_the_address(review_app):
    client = review_app.test_client()
    response = client.get(f"{PAGE}?token={TOKEN}")
    assert response.status_code == 303 and response.location == PAGE
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if "review_token" in h)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get(PAGE).status_code == 200


def test_the_review_pages_are_never_compressed(signed_in):
    """BREACH: the pages hold the CSRF token beside text from the query string and the
    proposals files, so their length must not depend on how well a guess of it compresses."""
    response = signed_in.get(PAGE, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200 and len(response.data) > 1024
    assert 'name="csrf"' in response.get_data(as_text=True)
    assert "Content-Encoding" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_the_list_names_each_article_with_its_counts(signed_in):
    page = signed_in.get("/").get_data(as_text=True)
    assert "005_taraz_fixture.txt" in page and f'href="{PAGE}"' in page


def test_the_article_page_highlights_sentences_and_holds_the_map_data(signed_in):
    response = signed_in.get(PAGE)
    page = response.get_data(as_text=True)
    assert f'<mark class="sentence hl-site hl-place" data-proposals="{SITE} {PLACE}"' in page
    assert (
        'title="site: Taraz electrometallurgical plant; place: Taraz">' + PLANT + "</mark>"
    ) in page
    assert f'data-proposals="{CORRIDOR}"' in page and f">{RAIL}</mark>" in page
    block = re.search(
        r'<script type="application/json" id="review-data">(.*?)</script>', page, re.S
    )
    items = {item["id"]: item for item in json.loads(block.group(1))}
    assert items[SITE]["points"][0]["lat"] == pytest.approx(42.89799)
    assert len(items[CORRIDOR]["line"]) == 3  # through Taraz, Shymkent, Tashkent
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # a page holding the token: no window of another site may keep a reference to it
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "<script>" not in re.sub(r"<script[^>]*>", "", page).replace("</script>", "")


def test_every_string_is_escaped(signed_in, workspace):
    document = workspace.document()
    document["proposals"][0]["entry"]["name"] = "</script><script>alert(1)</script>"
    workspace.write(document)
    page = signed_in.get(PAGE).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page  # the heading and the form
    assert "\\u003c/script\\u003e" in page  # the JSON block


def test_a_post_without_a_csrf_token_is_refused(signed_in, workspace):
    signed_in.get(PAGE)
    assert signed_in.post(f"{PAGE}/{SITE}/reject").status_code == 400
    response = signed_in.post(f"{PAGE}/{SITE}/reject", data={"csrf": "forged"})
    assert response.status_code == 403
    assert workspace.status(SITE) == "pending"


def test_reject_marks_the_proposal_rejected(signed_in, workspace):
    assert _post(signed_in, SITE, "reject").status_code == 303
    assert workspace.status(SITE) == "rejected"
    assert "Rejected" in signed_in.get(PAGE).get_data(as_text=True)


def test_an_edit_is_validated_and_saved(signed_in, workspace):
    response = _post(
        signed_in,
        SITE,
        "edit",
        name="Taraz steel plant",
        category="industrial park",
        stage="planned",
        choice="1",
    )
    assert response.status_code == 303
    site = next(p for p in workspace.document()["proposals"] if p["id"] == SITE)
    assert site["entry"]["name"] == "Taraz steel plant"
    assert site["entry"]["category"] == "industrial park"
    assert site["entry"]["status"]["stage"] == "planned"
    assert site["entry"]["location"]["geonames_id"] == 1518980
    assert site["evidence"]["located"][0]["resolved_by"] == "geonames:1518980"


def test_an_invalid_edit_is_not_saved(signed_in, workspace):
    before = workspace.proposals.read_bytes()
    _post(signed_in, SITE, "edit", name="X", category="spaceport", stage="planned")
    assert workspace.proposals.read_bytes() == before
    assert "Not saved" in signed_in.get(PAGE).get_data(as_text=True)


def test_the_waypoints_of_a_corridor_can_be_edited(signed_in, workspace):
    waypoints = "Taraz | KZ | 1516905\nBorder post | 41.5 | 69.5 | a test reference point"
    _post(
        signed_in,
        CORRIDOR,
        "edit",
        name="Links",
        category="rail corridor",
        stage="planned",
        waypoints=waypoints,
    )
    corridor = next(p for p in workspace.document()["proposals"] if p["id"] == CORRIDOR)
    assert corridor["entry"]["route"][1] == {
        "name": "Border post",
        "lat": 41.5,
        "lon": 69.5,
        "reference": "a test reference point",
    }


def test_accept_writes_the_one_proposal_into_the_catalogue(signed_in, workspace):
    assert _post(signed_in, SITE, "accept").status_code == 303
    assert TARAZ_ID in {e.id for e in load_catalogue(workspace.catalogue).entries}
    assert workspace.status(SITE) == "accepted" and workspace.status(CORRIDOR) == "pending"
    assert f"Accepted {SITE}" in signed_in.get(PAGE).get_data(as_text=True)


def test_a_rejected_proposal_cannot_be_accepted_from_the_page(signed_in, workspace):
    before = workspace.catalogue.read_bytes()
    _post(signed_in, REJECTED, "accept")
    assert workspace.catalogue.read_bytes() == before
    assert workspace.status(REJECTED) == "rejected"
    assert "Not accepted" in signed_in.get(PAGE).get_data(as_text=True)


def test_unknown_files_and_leaflet_files_are_404(signed_in):
    assert signed_in.get("/proposals/nothing").status_code == 404
    assert signed_in.get("/proposals/..%2fetc").status_code == 404
    assert signed_in.get("/assets/leaflet/leaflet-src.js").status_code == 404
    assert (
        signed_in.post(f"{PAGE}/p-nope/reject", data={"csrf": _csrf(signed_in)}).status_code == 404
    )


def test_the_command_refuses_any_host_but_loopback(capsys):
    assert main(["review", "--host", "0.0.0.0"]) == 2
    assert "127.0.0.1 only" in capsys.readouterr().err


def test_only_pending_proposals_offer_edit_and_reject(signed_in, workspace):
    workspace.set_status(SITE, "accepted")
    page = signed_in.get(PAGE).get_data(as_text=True)
    assert f"{SITE}/accept" in page and f"{CORRIDOR}/accept" in page
    assert f"{SITE}/edit" not in page and f"{SITE}/reject" not in page
    assert f"{CORRIDOR}/edit" in page and f"{CORRIDOR}/reject" in page
    assert f"{REJECTED}/accept" not in page and f"{REJECTED}/edit" not in page


def test_the_page_says_when_the_article_is_missing(signed_in, workspace):
    workspace.article.unlink()
    response = signed_in.get(PAGE)
    assert response.status_code == 200
    assert "save the article beside its proposals file" in response.get_data(as_text=True)
    assert f"{SITE}/edit" in response.get_data(as_text=True)


def test_another_host_name_is_refused_even_with_the_token(review_app):
    client = review_app.test_client()
    response = client.get(f"/?token={TOKEN}", headers={"Host": "attacker.example:8001"})
    assert response.status_code == 403


def test_a_json_catalogue_is_refused(workspace):
    from geodata.accept import ProposalError, accept

    with pytest.raises(ProposalError, match="not JSON"):
        accept(workspace.proposals, catalogue_path=workspace.root / "catalogue.json")


def test_the_offline_base_layer_is_the_committed_natural_earth_file(signed_in):
    committed = PROJECT_ROOT / "geodata" / "basemap" / "natural-earth.geojson"
    with signed_in.get("/basemap/natural-earth.geojson") as response:
        assert response.status_code == 200
        assert response.content_type == "application/geo+json"
        assert response.get_data() == committed.read_bytes()
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert signed_in.get("/basemap/README.md").status_code == 404
    assert signed_in.get("/basemap/..%2fcatalogue.yaml").status_code == 404


def test_a_sentence_supporting_proposals_of_several_roles_carries_each_role_class(signed_in):
    page = signed_in.get(PAGE).get_data(as_text=True)
    classes = re.findall(r'<mark class="([^"]+)"', page)
    assert "sentence hl-corridor" in classes and "sentence hl-site" in classes
    assert "sentence hl-site hl-place" in classes
    assert f'data-proposal="{CORRIDOR}">Show in the' in page


def test_a_corridor_waypoint_with_candidates_offers_them_on_the_form(signed_in):
    page = signed_in.get(PAGE).get_data(as_text=True)
    assert "Waypoint 3: Tashkent" in page and 'name="waypoint-2" value="1"' in page
    assert 'name="waypoint-0"' not in page  # Taraz's located place in the corridor has none
    assert f"GeoNames {CHIRCHIQ}" in page


def _corridor_form(**more):
    return {"name": "Links", "category": "rail corridor", "stage": "planned", **more}


def test_choosing_a_waypoint_candidate_moves_it_and_accept_writes_exactly_that(
    signed_in, workspace
):
    waypoints = next(p for p in workspace.document()["proposals"] if p["id"] == CORRIDOR)["entry"][
        "route"
    ]
    text = "\n".join(f"{w['place']} | {w['country']} | {w['geonames_id']}" for w in waypoints)
    _post(signed_in, CORRIDOR, "edit", **_corridor_form(waypoints=text, **{"waypoint-2": "1"}))
    corridor = next(p for p in workspace.document()["proposals"] if p["id"] == CORRIDOR)
    chirchiq = {"place": "Chirchiq", "country": "UZ", "geonames_id": CHIRCHIQ}
    assert corridor["entry"]["route"] == [*waypoints[:2], chirchiq]
    moved = next(loc for loc in corridor["evidence"]["located"] if loc["mention"] == "Uzbek")
    assert moved["resolved_by"] == f"geonames:{CHIRCHIQ}"
    assert moved["lat"] == pytest.approx(41.46889)

    assert _post(signed_in, CORRIDOR, "accept").status_code == 303
    entry = next(
        e for e in load_catalogue(workspace.catalogue).entries if e.id == corridor["entry"]["id"]
    )
    written = [w.model_dump(exclude_none=True) for w in entry.route]
    assert written[:2] == waypoints[:2]
    assert {k: written[2][k] for k in chirchiq} == chirchiq


def test_choosing_a_site_candidate_reaches_the_catalogue(signed_in, workspace):
    _post(
        signed_in,
        SITE,
        "edit",
        name="Taraz steel plant",
        choice="1",
        category="industrial plant",
        stage="under construction",
    )
    assert _post(signed_in, SITE, "accept").status_code == 303
    entry = next(e for e in load_catalogue(workspace.catalogue).entries if e.id == TARAZ_ID)
    location = entry.location.model_dump(exclude_none=True)
    assert {k: location[k] for k in ("place", "country", "geonames_id")} == {
        "place": "Shymkent",
        "country": "KZ",
        "geonames_id": 1518980,
    }


def test_a_waypoint_choice_and_an_edited_waypoints_text_together_are_refused(signed_in, workspace):
    before = workspace.proposals.read_bytes()
    form = _corridor_form(waypoints="Taraz | KZ\nTashkent | UZ", **{"waypoint-2": "1"})
    _post(signed_in, CORRIDOR, "edit", **form)
    assert workspace.proposals.read_bytes() == before
    assert "not both in one save" in signed_in.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("waypoint-2", "7", "no alternative"),
        ("waypoint-0", "0", "waypoint 1 has no alternative"),
        ("waypoint-x", "0", "no waypoint"),
    ],
)
def test_an_impossible_waypoint_choice_is_refused(signed_in, workspace, field, value, why):
    before = workspace.proposals.read_bytes()
    _post(signed_in, CORRIDOR, "edit", **_corridor_form(**{field: value}))
    assert workspace.proposals.read_bytes() == before
    assert why in signed_in.get(PAGE).get_data(as_text=True)
