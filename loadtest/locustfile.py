"""Locust users for the Corridor Atlas load test; ``loadtest/run.py`` runs them headless.

Each user asks, back to back with no think time, for one endpoint of the mix in
``loadtest/mix.py`` drawn by weight, with URLs built from the ids the server holds (discovered
once when the test starts). Like a browser it accepts gzip. An answer is a failure unless it is
a 200 with the endpoint's media type and a body; the runner fails the run on any failure.

    locust -f loadtest/locustfile.py --headless -u 50 -r 50 -t 60s --host http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import json
import random
import re
import sys
import urllib.request
from pathlib import Path
from typing import ClassVar

from locust import FastHttpUser, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mix import ENDPOINTS, Targets, targets_from

#: Users draw from generators seeded 0, 1, 2, ...: the same mix on every run.
_user_numbers = itertools.count()
_targets: list[Targets] = []
NAMES = list(ENDPOINTS)
WEIGHTS = [endpoint.weight for endpoint in ENDPOINTS.values()]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


@events.test_start.add_listener
def discover(environment, **kwargs) -> None:
    """Read the feature ids and source slugs the server holds, once, before any user runs."""
    host = environment.host.rstrip("/")
    collection = json.loads(_get(f"{host}/api/features?limit=10000"))
    slugs = re.findall(r'href="/sources/([^"/?#]+)"', _get(f"{host}/sources").decode("utf-8"))
    targets = targets_from(collection, sorted(set(slugs)))
    if not all((targets.feature_ids, targets.source_slugs, targets.categories)):
        raise RuntimeError(f"the server at {host} holds nothing to ask for: {targets}")
    _targets[:] = [targets]


class AtlasVisitor(FastHttpUser):
    """A client of the atlas: pages, downloads and API queries in the mix's proportions."""

    default_headers: ClassVar[dict[str, str]] = {"Accept-Encoding": "gzip, deflate"}

    def on_start(self) -> None:
        self.random = random.Random(next(_user_numbers))

    @task
    def request_one(self) -> None:
        (name,) = self.random.choices(NAMES, weights=WEIGHTS)
        endpoint = ENDPOINTS[name]
        url = endpoint.url(_targets[0], self.random)
        with self.client.get(url, name=name, catch_response=True) as response:
            media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip()
            if response.status_code != 200:
                response.failure(f"{url}: status {response.status_code}")
            elif media_type != endpoint.media_type:
                response.failure(f"{url}: Content-Type {media_type!r}, not {endpoint.media_type}")
            elif not response.content:
                response.failure(f"{url}: empty body")
