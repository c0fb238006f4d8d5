"""What the live-server and browser tests share: a waitress server in a thread, Debian's Chromium.

>>> CHROMIUM_ARGS[0]
'--headless'
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from waitress.server import BaseWSGIServer, MultiSocketServer

#: Flags that let Debian's Chromium run headless here without reaching for the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

#: Records CSP violations, which browsers report as events rather than page errors.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def chromium_executable() -> str:
    """Debian's chromium; a missing browser is a failure, not a skip."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(
            "Chromium is not installed, so the browser test cannot run. "
            "Install it with `apt-get install chromium` (it must be on PATH as `chromium`).",
            pytrace=False,
        )
    return path


@contextmanager
def running(server: BaseWSGIServer | MultiSocketServer) -> Iterator[str]:
    """Run a waitress server (e.g. ``webapp.server.make_server(data_dir)``) in a thread.

    Yields its base URL; closes the server and joins the thread afterwards.
    """
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
