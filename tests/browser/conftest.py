"""What every browser test shares: Debian's Chromium and a live server of the built atlas, each
started once per module (a module may serve other data by defining its own ``live_server``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.support.harness import running
from tests.support.live import launched_chromium
from webapp.server import make_server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium driven by Playwright, closed when the module's tests are done."""
    with launched_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def live_server(built_data_dir: Path) -> Iterator[str]:
    """A real waitress server of the built atlas on a free loopback port, in a thread."""
    with running(make_server(built_data_dir, host="127.0.0.1", port=0)) as url:
        yield url
