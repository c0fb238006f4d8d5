"""Benchmark 6, the languages: what a page in Russian costs beside the same page in English.

The reference is the English page of the same app in the same run. Each page is rendered with
the response cache emptied before every request (a repeated request is replayed and costs the
same in any language), in-process through Flask's test client, median of rounds.

    python -m bench.run --only 6
"""

from __future__ import annotations

import gzip
import statistics
import time
from pathlib import Path

from bench.tools import Row

SECTION = "6. Languages"
#: (what, path): pages that show figures, dates, terms and many interface strings.
PAGES = (
    ("feature page", "/features/bekabad-industrial-park"),
    ("features table", "/features"),
    ("about page", "/about"),
    ("OGC items page", "/ogc/collections/atlas/items?f=html"),
)
ROUNDS = 7
REQUESTS = 40


def _render_ms(client, cache, path: str, language: str) -> float:
    """Median milliseconds to make ``path`` in ``language``, never replayed."""
    headers = {"Accept-Language": language}
    client.get(path, headers=headers)
    rounds = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        for _ in range(REQUESTS):
            cache.clear()
            client.get(path, headers=headers)
        rounds.append((time.perf_counter() - began) / REQUESTS * 1000)
    return statistics.median(rounds)


def rows(data_dir: Path) -> list[Row]:
    """Render time and size of Russian pages against the English ones."""
    from webapp import create_app

    app = create_app({"DATA_DIR": data_dir})
    client, cache = app.test_client(), app.wsgi_app
    found = []
    for what, path in PAGES:
        english = _render_ms(client, cache, path, "en")
        russian = _render_ms(client, cache, path, "ru")
        found.append(
            Row(SECTION, f"{what} in Russian, render", russian, "ms", "in English", english)
        )
    pages = {lang: client.get(f"/?lang={lang}").data for lang in ("en", "ru")}
    sizes = {lang: len(gzip.compress(page)) / 1024 for lang, page in pages.items()}
    found.append(
        Row(
            SECTION,
            "map page in Russian, gzip",
            sizes["ru"],
            "KB",
            "in English",
            sizes["en"],
            digits=1,
        )
    )
    return found
