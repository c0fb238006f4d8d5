"""Citations as a reader meets them (issue 12, items 2, 3, 4 and 9 on the pages): each quote
followed by the article's headline, publisher and date and linked to its place in the source
page; stages quoted or marked as assessed; lengths rounded; source pages that quote rather than
reprint. Over a hand-made build with every citation field (``cited_data``) and the real one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.webapp.cited_data import (
    ASSESSMENT,
    CORRIDOR_QUOTE,
    FIGURE_QUOTE,
    SITE_QUOTE,
    STAGE_QUOTE,
    write_cited_dir,
)
from tests.webapp.test_pages import EVIL, Page, page, squash
from webapp import create_app
from webapp.i18n.formatting import citation, long_date, schematic_length


@pytest.fixture
def cited_dir(tmp_path: Path) -> Path:
    return write_cited_dir(tmp_path)


@pytest.fixture
def cited(cited_dir: Path):
    return create_app({"TESTING": True, "DATA_DIR": cited_dir}).test_client()


def section(html: str, heading_id: str) -> str:
    """The HTML of the ``<section>`` labelled by ``heading_id``."""
    return html.split(f'<section aria-labelledby="{heading_id}">', 1)[1].split("</section>", 1)[0]


# --- formatting rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("km", "shown"),
    [
        (6339.34, "≈ 6,300 km"),
        (6350.0, "≈ 6,400 km"),
        (1049.9, "≈ 1,000 km"),
        (999.6, "≈ 1,000 km"),
        (634.2, "≈ 630 km"),
        (87.4, "≈ 87 km"),
        (12.0, "≈ 12 km"),
        (5.43, "≈ 5.4 km"),
    ],
)
def test_schematic_length_rounds_to_what_the_line_supports(km, shown):
    assert schematic_length(km) == shown


def test_citation_says_unknown_and_marks_the_atlas_titles():
    full = {"title": "A <b>", "publisher": "Trend", "published": "2024-07-14"}
    assert str(citation(full)) == (
        '<cite lang="en">A &lt;b&gt;</cite>, <span lang="en">Trend</span>, 14 July 2024'
    )
    bare = citation({"title": "Label", "title_is_editorial": True})
    assert bare.striptags() == "Label (title by the atlas), publisher unknown, date unknown"
    assert long_date("2025-10-09") == "9 October 2025"


# --- feature pages ---------------------------------------------------------------------------


def test_feature_page_quotes_read_as_citations_linked_to_the_quote(cited):
    html = cited.get("/features/test-site").text
    sources = Page(section(html, "sources-heading"))
    assert squash(sources.text) == squash(
        f"Sources “{SITE_QUOTE}” — Bekabad park news (title by the atlas), Example Post, "
        "14 July 2024"
    )
    assert sources.hrefs() == ["/sources/a#q-0"]
    target = page(cited, "/sources/a")
    assert target.citation_text(0) == SITE_QUOTE


def test_unknown_publisher_and_date_are_said_not_invented(cited):
    sources = Page(section(cited.get("/features/test-corridor").text, "sources-heading"))
    text = squash(sources.text)
    assert f"“{CORRIDOR_QUOTE}” — Railway keeps moving, publisher unknown, date unknown" in text
    assert "title by the atlas" not in text


def test_status_shows_its_quote_and_when_it_was_reported(cited):
    facts = squash(Page(section(cited.get("/features/test-site").text, "facts-heading")).text)
    assert "planned as reported on 14 July 2024" in facts
    assert f"“{STAGE_QUOTE}” — Bekabad park news (title by the atlas), Example Post" in facts
    assert f"“{FIGURE_QUOTE}” — Bekabad park news" in facts, "figure quotes are cited too"


def test_assessed_status_says_so_and_an_unknown_report_date_is_unknown(cited):
    facts = squash(Page(section(cited.get("/features/test-corridor").text, "facts-heading")).text)
    assert "operational date of report unknown" in facts
    assert f"Atlas assessment: {ASSESSMENT}" in facts


def test_status_and_figure_quotes_link_to_their_article(cited):
    facts = Page(section(cited.get("/features/test-site").text, "facts-heading"))
    assert [h for h in facts.hrefs() if h.startswith("/sources/")] == ["/sources/a"] * 2


def test_lengths_are_rounded_on_pages_and_exact_in_the_data(cited):
    feature_text = squash(page(cited, "/features/test-corridor").text)
    assert "≈ 6,300 km, schematic" in feature_text
    assert "through its named stations" in feature_text
    table = squash(page(cited, "/features").text)
    assert "≈ 6,300 km" in table
    for text in (feature_text, table):
        assert "6,339" not in text
    data = cited.get("/data/features/test-corridor.geojson").json
    assert data["features"][0]["properties"]["length_km"] == 6339.34


# --- source pages ----------------------------------------------------------------------------


def article_paragraphs(html: str) -> list[str]:
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    return [squash(Page(p).text) for p in re.findall(r"<p[ >].*?</p>", article, re.S)]


def test_source_page_quotes_paragraphs_not_the_article(cited):
    html = cited.get("/sources/a").text
    assert article_paragraphs(html) == [
        "…(text left out)",
        "The park in Bekabad will open in 2026, officials said.",
        "…(text left out)",
    ]
    parsed = Page(html)
    text = squash(parsed.text)
    assert "unrelated paragraph" not in text and "Closing words" not in text
    assert "https://example.org/bekabad" in parsed.hrefs()
    assert "Bekabad park news (title by the atlas)" in text
    assert "Example Post" in text and "14 July 2024" in text
    assert "q-0" in parsed.ids and "/features/test-site" in parsed.hrefs()


def test_full_text_only_where_the_deployment_may_show_it(cited_dir):
    app = create_app({"TESTING": True, "DATA_DIR": cited_dir, "SHOW_FULL_TEXT": True})
    paragraphs = article_paragraphs(app.test_client().get("/sources/a").text)
    assert len(paragraphs) == 6 and "…" not in " ".join(paragraphs)
    assert "Closing words." in paragraphs


def test_only_web_addresses_are_linked(tmp_path):
    data = write_cited_dir(tmp_path, url="javascript:alert(1)")
    client = create_app({"TESTING": True, "DATA_DIR": data}).test_client()
    html = client.get("/sources/a").text
    assert "javascript:" not in html
    assert "address unknown" in squash(Page(html).text)


def test_sources_index_names_publisher_date_and_atlas_titles(cited):
    rows = re.findall(r"<tr data-slug.*?</tr>", cited.get("/sources").text, re.S)
    assert [squash(Page(row).text) for row in rows] == [
        "Bekabad park news (title by the atlas) Example Post 14 July 2024 1 1",
        "Railway keeps moving unknown unknown 1 1",
    ]


# --- what a reader reads, on the real build as on the hand-made one --------------------------


#: What the articles say, word for word (an article may well speak of seeds): the article on a
#: source page and each quote on a feature page.
QUOTED = re.compile(
    r'(<article)[^>]*>.*?</article>|(<span) class="cited-quote">.*?</span>'
    r'|(<blockquote) class="quote"[^>]*>.*?</p>',
    re.S,
)


def without_quotes(html: str) -> str:
    """``html`` with the articles' words left out, its elements kept balanced."""

    def empty(match: re.Match) -> str:
        tag = next(group for group in match.groups() if group)
        return "<blockquote>" if tag == "<blockquote" else f"{tag}></{tag[1:]}>"

    return QUOTED.sub(empty, html)


def reader_text(html: str) -> str:
    """The atlas's own visible text plus the attributes a reader or screen reader meets (titles,
    labels), without the articles' words."""
    parsed = Page(without_quotes(html))
    said = [a.get(k, "") for _, a in parsed.tags for k in ("title", "aria-label", "alt")]
    return " ".join([parsed.text, *said])


def every_page(client) -> list[str]:
    paths = ["/features", "/sources", "/about"]
    table = client.get("/features").text
    paths += sorted(set(re.findall(r'href="(/features/[^"?#]+)"', table)))
    paths += sorted(set(re.findall(r'href="(/sources/[^"?#]+)"', client.get("/sources").text)))
    return paths


@pytest.mark.parametrize("build", ["hand-made", "real"])
def test_no_reader_facing_text_says_seed(build, cited, client):
    chosen = cited if build == "hand-made" else client
    for path in every_page(chosen):
        text = reader_text(chosen.get(path).text)
        assert not re.search(r"\bseeds?\b", text, re.I), (path, re.findall(r".{40}seed.{40}", text))


def test_every_quote_on_the_real_pages_is_cited(client):
    for path in every_page(client):
        if not path.startswith("/features/"):
            continue
        html = client.get(path).text
        quotes = re.findall(r'<blockquote class="quote".*?</blockquote>', html, re.S)
        assert quotes, path
        for quote in quotes:
            cited = squash(Page(quote.split("<footer>", 1)[1].split("</footer>")[0]).text)
            assert re.fullmatch(r"— .+, .+, (date unknown|\d{1,2} \w+ \d{4})", cited), cited


def test_footer_claims_only_what_is_true(cited):
    html = cited.get("/features").text
    footer = squash(Page(html.split('<footer class="site-footer">')[1].split("</footer>")[0]).text)
    assert "Every fact is backed" not in footer
    assert "stage is quoted or marked as the atlas's assessment" in footer
    assert "GeoNames" in footer and "curated point with its reference" in footer


def test_hostile_citation_fields_are_shown_as_text(tmp_path):
    data = write_cited_dir(tmp_path)
    sources = json.loads((data / "sources.json").read_text(encoding="utf-8"))
    for field in ("title", "publisher", "published_note", "headline"):
        sources["seeds"][0][field] = f"{field} {EVIL}"
    (data / "sources.json").write_text(json.dumps(sources), encoding="utf-8")
    atlas = json.loads((data / "atlas.geojson").read_text(encoding="utf-8"))
    atlas["features"][0]["properties"]["status"]["stage_assessment"] = EVIL
    (data / "atlas.geojson").write_text(json.dumps(atlas), encoding="utf-8")
    client = create_app({"TESTING": True, "DATA_DIR": data}).test_client()
    for path in ("/features/test-site", "/features/test-corridor", "/sources", "/sources/a"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "{{ 7*7 }}" in Page(html).text and "49" not in Page(html).text, path
    assert f"publisher {EVIL}" in Page(client.get("/sources/a").text).text
    assert f"Atlas assessment: {EVIL}" in Page(client.get("/features/test-corridor").text).text
