"""The review's pages and actions: the list of proposals files, one article with its
proposals and map, and the POST actions accept, reject and edit (each redirects back)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from xstatic.pkg import leaflet

import geodata
from geodata.accept import accept, find_article, read_proposals
from geodata.errors import AtlasError
from geodata.vocabulary import CORRIDOR_CATEGORIES, SITE_CATEGORIES, STAGES
from webapp.http import mediatypes
from webapp.review import proposals as store

bp = Blueprint(
    "review",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/review",
)

_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
#: The committed Natural Earth layer, read where the build keeps it (the public map serves the
#: same file; parts never import each other, so the review names the directory itself).
BASEMAP_DIR = Path(geodata.__file__).resolve().parent / "basemap"
BASEMAP_FILES = frozenset({"natural-earth.geojson"})
LEAFLET_FILES = frozenset(
    {
        "leaflet.js",
        "leaflet.css",
        "images/marker-icon.png",
        "images/marker-icon-2x.png",
        "images/marker-shadow.png",
        "images/layers.png",
        "images/layers-2x.png",
    }
)


def _path(stem: str) -> Path:
    path = current_app.config["PROPOSALS_DIR"] / f"{stem}.yaml"
    if not _STEM.fullmatch(stem) or not path.is_file():
        abort(404, f"There is no proposals file {stem!r}.")
    return path


@bp.get("/")
def index() -> str:
    """Every proposals file, with how many proposals are pending, accepted, rejected."""
    return render_template("index.html", files=store.listing(current_app.config["PROPOSALS_DIR"]))


@bp.get("/proposals/<stem>")
def article(stem: str) -> str:
    """One article: its text with the proposals' sentences highlighted, the map, the forms."""
    path = _path(stem)
    document = read_proposals(path)
    try:
        found = find_article(path, document, None, current_app.config["SEEDS_DIR"])
        text, missing = found.read_text(encoding="utf-8"), None
    except AtlasError as err:  # proposals can still be read, edited or rejected
        text, missing = "", f"{err}: save the article beside its proposals file to accept."
    items = document["proposals"]
    return render_template(
        "article.html",
        stem=stem,
        document=document,
        highlighted=store.highlights(text, items),
        missing=missing,
        proposals=items,
        map_data=store.map_items(items),
        categories={"site": SITE_CATEGORIES, "corridor": CORRIDOR_CATEGORIES},
        stages=STAGES,
        alternatives=store.alternatives,
        waypoint_alternatives=store.waypoint_alternatives,
        waypoints=store.waypoints_text,
    )


@bp.post("/proposals/<stem>/<proposal_id>/reject")
def reject(stem: str, proposal_id: str) -> Response:
    """Mark a proposal rejected: a re-ingest of the same article will not propose it again."""
    _change(stem, proposal_id, lambda p: {**p, "status": "rejected"})
    flash(f"Rejected {proposal_id}.")
    return _back(stem)


@bp.post("/proposals/<stem>/<proposal_id>/edit")
def edit(stem: str, proposal_id: str) -> Response:
    """Save the edits (name, category, stage, point, waypoints and their points) if the
    entry stays valid."""
    form = {key: request.form.get(key, "") for key in ("name", "category", "stage", "choice")}
    if "waypoints" in request.form:
        form["waypoints"] = request.form["waypoints"]
    form.update((k, v) for k, v in request.form.items() if k.startswith("waypoint-"))
    try:
        _change(stem, proposal_id, lambda p: store.edited(p, form))
    except store.EditRefused as refused:
        flash(f"Not saved ({proposal_id}): {refused}", "error")
        return _back(stem, 303)
    flash(f"Saved {proposal_id}.")
    return _back(stem)


@bp.post("/proposals/<stem>/<proposal_id>/accept")
def accept_one(stem: str, proposal_id: str) -> Response:
    """Write this one proposal into the catalogue, as ``corridor-atlas accept --only`` does."""
    path = _path(stem)
    config = current_app.config
    try:
        done = accept(
            path,
            only=[proposal_id],
            catalogue_path=config["CATALOGUE"],
            seeds_dir=config["SEEDS_DIR"],
            out_dir=config["OUT_DIR"],
            rebuild=config["REBUILD"],
            previews=config["PREVIEW_STYLE"],
            serving=config["SERVING_INDEX"],
        )
    except AtlasError as err:
        flash(f"Not accepted ({proposal_id}): {err}", "error")
        return _back(stem)
    flash(
        f"Accepted {proposal_id}: added {', '.join(done.added) or 'nothing new'}"
        + (f"; new source for {', '.join(done.sourced)}" if done.sourced else "")
    )
    return _back(stem)


@bp.get("/assets/leaflet/<path:filename>")
def leaflet_file(filename: str) -> Response:
    """Leaflet's files from the xstatic-leaflet package, as the public map serves them."""
    if filename not in LEAFLET_FILES:
        abort(404)
    return send_from_directory(leaflet.BASE_DIR, filename)


@bp.get("/basemap/<name>")
def basemap(name: str) -> Response:
    """The offline base layer (land, coastlines, borders) the review map draws beneath its
    tiles, so the map shows where things are even when no tile server answers."""
    if name not in BASEMAP_FILES:
        abort(404, f"There is no base layer {name!r}.")
    response = send_from_directory(BASEMAP_DIR, name, max_age=86400)
    response.content_type = mediatypes.GEOJSON
    return response


def _change(stem: str, proposal_id: str, change: Any) -> None:
    try:
        store.update(_path(stem), proposal_id, change)
    except KeyError:
        abort(404, f"There is no proposal {proposal_id!r} in {stem}.")


def _back(stem: str, code: int = 303) -> Response:
    return redirect(url_for("review.article", stem=stem), code=code)
