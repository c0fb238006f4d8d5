"""``publish_site``: the whole reader-facing atlas as static files any web server can serve.

Every page, download and API document is rendered by the real app (its test client, in
English and Russian) and written under the same path (``/features/x`` as ``features/x.html``,
names in ``webapp.publish.links``), every link made relative to its document so the site works
under any prefix, with ``.gz`` and ``.br`` copies beside each compressible file and the server
configurations (``_headers``, ``_server/nginx.conf``) from ``webapp.publish.servers``.

The site is written into a temporary sibling of the target and renamed into place only when
it is complete: a failed publish leaves the previous site as it was. A large atlas is rendered
by several forked workers (the app, loaded once, shared copy-on-write), each writing its share
of the documents.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from webapp.publish.render import PublishError, Renderer, Totals
from webapp.publish.site import documents

__all__ = ["PublishError", "PublishReport", "publish_site"]

#: Below this many features one process publishes (forking costs more than it saves).
PARALLEL_FROM = 2000

_SHARED: tuple[Flask, Renderer] | None = None  # what the forked workers render with


@dataclass(frozen=True)
class PublishReport:
    """What a publish wrote: files (beside their compressed copies), their bytes, the bytes
    of the ``.gz`` and ``.br`` copies, the seconds it took and the HTML pages among the files."""

    files: int
    bytes: int
    compressed_bytes: int
    seconds: float
    pages: int


def publish_site(
    target: Path,
    *,
    data_dir: Path | None = None,
    live_api: str | None = None,
    public_url: str | None = None,
    workers: int | None = None,
) -> PublishReport:
    """Publish the atlas of ``data_dir`` (default: the committed outputs) into ``target``.

    ``live_api``: the URL of a running app answering what static files cannot (``/api``
    queries with ``q``, ``bbox``, ``near``, ``as_of``, selections); linked where given.
    ``public_url``: where the site will be, for the share cards' absolute links.
    ``workers``: processes rendering (default: one per core for a large atlas).
    """
    from webapp.factory import create_app

    started = time.perf_counter()
    target = Path(target).resolve()
    app = create_app({"DATA_DIR": data_dir} if data_dir is not None else None)
    renderer = Renderer.for_app(app, live_api=live_api, public_url=public_url)
    temporary = target.with_name(f".{target.name}.publishing-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    try:
        count = workers or _workers(app)
        totals = _publish(app, renderer, temporary, count)
        totals = totals + renderer.write_servers(temporary, target)
        _replace(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return PublishReport(
        files=totals.files,
        bytes=totals.bytes,
        compressed_bytes=totals.compressed_bytes,
        seconds=round(time.perf_counter() - started, 3),
        pages=totals.pages,
    )


def _workers(app: Flask) -> int:
    from webapp.state import state_of

    if len(state_of(app).atlas) < PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _publish(app: Flask, renderer: Renderer, root: Path, workers: int) -> Totals:
    global _SHARED
    if workers == 1:
        return renderer.publish(documents(app), root, 0, 1)
    _SHARED = (app, renderer)
    context = multiprocessing.get_context("fork")
    try:
        with context.Pool(workers) as pool:
            shares = pool.starmap(_work, [(root, k, workers) for k in range(workers)])
    finally:
        _SHARED = None
    return sum(shares, Totals())


def _work(root: Path, worker: int, workers: int) -> Totals:
    assert _SHARED is not None, "the workers are forked from publish_site"
    app, renderer = _SHARED
    return renderer.publish(documents(app), root, worker, workers)


def _replace(site: Path, target: Path) -> None:
    """Put the complete ``site`` at ``target``, moving any previous site aside first and
    deleting it only once the new one is in place."""
    previous = target.with_name(f".{target.name}.previous-{os.getpid()}")
    if target.exists():
        if not target.is_dir():
            raise PublishError(f"{target} exists and is not a directory")
        target.rename(previous)
    try:
        site.rename(target)
    except OSError:
        if previous.exists():
            previous.rename(target)
        raise
    shutil.rmtree(previous, ignore_errors=True)
