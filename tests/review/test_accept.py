"""geodata.accept and ``corridor-atlas accept``: accepted proposals into a copy of the catalogue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cli import main
from geodata.accept import ProposalError, accept, with_new_entry
from geodata.catalogue import Entry, load_catalogue
from geodata.errors import CatalogueError
from tests.review.conftest import (
    ARTICLE,
    CENTRE,
    CORRIDOR,
    EXISTING,
    PLACE,
    PROJECT_ROOT,
    REJECTED,
    SITE,
    TARAZ_ID,
    Workspace,
    nowhere_proposal,
)


def _split(old: str, new: str) -> tuple[str, str, str]:
    """(kept prefix, inserted text, kept suffix) when ``new`` is ``old`` with one insertion."""
    at = 0
    while at < len(old) and old[at] == new[at]:
        at += 1
    inserted = new[at : at + len(new) - len(old)]
    assert new[at + len(inserted) :] == old[at:], "more than one insertion"
    return old[:at], inserted, old[at:]


def _ids(path: Path) -> list[str]:
    return [entry.id for entry in load_catalogue(path).entries]


def _snapshot(space: Workspace) -> dict[str, bytes]:
    files = [space.catalogue, *sorted(space.seeds.iterdir()), *sorted(space.out.iterdir())]
    return {str(path): path.read_bytes() for path in files}


def test_a_site_is_appended_after_the_last_site_and_everything_else_is_kept(workspace):
    old = workspace.catalogue.read_text(encoding="utf-8")
    old_ids = _ids(workspace.catalogue)
    workspace.set_status(SITE, "accepted")

    done = accept(workspace.proposals, **workspace.accept_kwargs())

    assert done.added == [TARAZ_ID] and done.built
    new = workspace.catalogue.read_text(encoding="utf-8")
    prefix, inserted, suffix = _split(old, new)
    assert "  - id: consultative-meeting-heads-of-state-tashkent" in prefix  # the last site
    assert suffix.lstrip("\n").startswith("# How to cite each seed article")
    assert (
        inserted.count("  - id: ") == 1 and "  - id: taraz-electrometallurgical-plant\n" in inserted
    )
    assert _ids(workspace.catalogue) == [*old_ids, TARAZ_ID]
    assert (workspace.catalogue.parent / "catalogue.yaml.bak").read_text(encoding="utf-8") == old
    assert (workspace.seeds / ARTICLE).read_bytes() == workspace.article.read_bytes()
    assert workspace.status(SITE) == "accepted" and workspace.status(REJECTED) == "rejected"
    sites = json.loads((workspace.out / "sites.geojson").read_text(encoding="utf-8"))
    built = next(f for f in sites["features"] if f["id"] == TARAZ_ID)
    assert built["properties"]["sources"][0]["seed"] == ARTICLE


def test_a_corridor_goes_after_the_last_corridor_before_the_sites_comment(workspace):
    old = workspace.catalogue.read_text(encoding="utf-8")
    done = accept(workspace.proposals, only=[CORRIDOR], **workspace.accept_kwargs(rebuild=False))

    assert done.added == ["kazakh-uzbek-railway-links"] and not done.built
    prefix, inserted, suffix = _split(old, workspace.catalogue.read_text(encoding="utf-8"))
    assert "  - id: uchkuduq-kyzylorda-corridor\n" in prefix  # the last corridor
    assert suffix.lstrip().startswith("# ---") and "  - id: bekabad-industrial-park" in suffix
    assert "      - {place: Shymkent, country: KZ, geonames_id: 1518980}\n" in inserted
    entries = load_catalogue(workspace.catalogue).entries
    kinds = [entry.kind for entry in entries]
    assert kinds == sorted(kinds)  # still every corridor before every site
    assert workspace.status(CORRIDOR) == "accepted" and workspace.status(SITE) == "pending"


def test_an_existing_entry_gains_the_quote_once(workspace):
    kwargs = workspace.accept_kwargs(rebuild=False)
    old_ids = _ids(workspace.catalogue)
    done = accept(workspace.proposals, only=[EXISTING], **kwargs)
    assert done.sourced == ["central-asia-international-industrial-cooperation-centre"]
    assert done.added == [] and _ids(workspace.catalogue) == old_ids
    entry = next(e for e in load_catalogue(workspace.catalogue).entries if e.id == done.sourced[0])
    assert (entry.sources[-1].seed, entry.sources[-1].quote) == (ARTICLE, CENTRE)
    again = accept(workspace.proposals, only=[EXISTING], **kwargs)
    assert again.sourced == [] and again.unchanged == [EXISTING]
    assert len(load_catalogue(workspace.catalogue).entries[0].sources) >= 1
    count = workspace.catalogue.read_text(encoding="utf-8").count(CENTRE)
    assert count == 1


def test_a_place_writes_nothing_but_is_marked_accepted(workspace):
    old = workspace.catalogue.read_bytes()
    done = accept(workspace.proposals, only=[PLACE], **workspace.accept_kwargs(rebuild=False))
    assert done.unchanged == [PLACE] and workspace.catalogue.read_bytes() == old
    assert workspace.status(PLACE) == "accepted" and done.seed is None


def test_rejected_proposals_stay_rejected(workspace):
    kwargs = workspace.accept_kwargs(rebuild=False)
    with pytest.raises(ProposalError, match="rejected"):
        accept(workspace.proposals, only=[REJECTED], **kwargs)
    workspace.set_status(SITE, "accepted")
    accept(workspace.proposals, **kwargs)
    assert workspace.status(REJECTED) == "rejected"
    assert "joint-intergovernmental-commission" not in _ids(workspace.catalogue)


def test_a_failed_rebuild_leaves_catalogue_seeds_and_outputs_as_they_were(workspace):
    document = workspace.document()
    document["proposals"].append(nowhere_proposal(workspace.article.read_text(encoding="utf-8")))
    workspace.write(document)
    before = _snapshot(workspace)

    with pytest.raises(CatalogueError, match="Qwzxvillezzz"):
        accept(workspace.proposals, **workspace.accept_kwargs())

    assert _snapshot(workspace) == before
    assert not (workspace.seeds / ARTICLE).exists()
    assert workspace.status(SITE) == "pending"


def test_a_quote_not_in_the_article_is_refused_and_nothing_written(workspace):
    document = workspace.document()
    site = next(p for p in document["proposals"] if p["id"] == SITE)
    site["entry"]["sources"][0]["quote"] = "a plant in Taraz that the article never mentions"
    site["status"] = "accepted"
    workspace.write(document)
    before = _snapshot(workspace)
    with pytest.raises(CatalogueError, match=r"sources\[0\].*not found verbatim"):
        accept(workspace.proposals, **workspace.accept_kwargs())
    assert _snapshot(workspace) == before


def test_an_invalid_entry_is_refused_naming_the_field(workspace):
    document = workspace.document()
    document["proposals"][0]["entry"]["category"] = "spaceport"
    workspace.write(document)
    with pytest.raises(CatalogueError, match="'category'"):
        accept(workspace.proposals, only=[SITE], **workspace.accept_kwargs(rebuild=False))


def test_a_different_article_of_the_same_name_in_the_seeds_is_refused(workspace):
    (workspace.seeds / ARTICLE).write_text("Another article altogether.\n", encoding="utf-8")
    old = workspace.catalogue.read_bytes()
    with pytest.raises(ProposalError, match="different article"):
        accept(workspace.proposals, only=[SITE], **workspace.accept_kwargs(rebuild=False))
    assert workspace.catalogue.read_bytes() == old


def test_an_article_that_is_not_the_one_proposed_from_is_refused(workspace):
    workspace.article.write_text("Edited after the ingest.\n", encoding="utf-8")
    with pytest.raises(ProposalError, match="sha256"):
        accept(workspace.proposals, only=[SITE], **workspace.accept_kwargs(rebuild=False))


def test_the_inserted_yaml_round_trips_to_the_same_entry(workspace):
    raw = yaml.safe_load(workspace.proposals.read_text(encoding="utf-8"))["proposals"][1]
    entry = Entry.model_validate(raw["entry"])
    text = with_new_entry(workspace.catalogue.read_text(encoding="utf-8"), entry)
    parsed = yaml.safe_load(text)["entries"]
    assert Entry.model_validate(next(e for e in parsed if e["id"] == entry.id)) == entry


def test_the_command_reports_what_it_did(workspace, capsys):
    status = main(
        [
            "accept",
            str(workspace.proposals),
            "--only",
            f"{SITE},{EXISTING}",
            *workspace.options(),
            "--no-build",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert f"added: {TARAZ_ID}" in out and "outputs not rebuilt" in out
    assert "new sources for: central-asia-international-industrial-cooperation-centre" in out


def test_the_command_fails_with_one_line_for_an_unknown_id(workspace, capsys):
    status = main(
        [
            "accept",
            str(workspace.proposals),
            "--only",
            "p-nope",
            "--no-build",
            "--catalogue",
            str(workspace.catalogue),
            "--seeds",
            str(workspace.seeds),
        ]
    )
    assert status == 1 and "no proposal 'p-nope'" in capsys.readouterr().err


def test_two_accepts_at_the_same_moment_both_land(workspace):
    def command(pid: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "cli",
            "accept",
            str(workspace.proposals),
            "--only",
            pid,
            *workspace.options(),
        ]

    children = [
        subprocess.Popen(
            command(pid),
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pid in (SITE, CORRIDOR)
    ]
    results = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], results
    ids = _ids(workspace.catalogue)
    assert TARAZ_ID in ids and "kazakh-uzbek-railway-links" in ids
    assert workspace.status(SITE) == "accepted" and workspace.status(CORRIDOR) == "accepted"
    atlas = json.loads((workspace.out / "atlas.geojson").read_text(encoding="utf-8"))
    built = {feature["id"] for feature in atlas["features"]}
    assert {TARAZ_ID, "kazakh-uzbek-railway-links"} <= built
