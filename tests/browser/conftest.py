"""What every browser test shares: Debian's Chromium, launched once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.support.live import launched_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium driven by Playwright, closed when the module's tests are done."""
    with launched_chromium() as launched:
        yield launched
