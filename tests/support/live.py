"""What the live-server and browser tests share: a waitress server in a thread, Debian's Chromium,
and ``corridor-atlas serve`` as a child process.

>>> CHROMIUM_ARGS[0]
'--headless'
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from waitress.server import BaseWSGIServer, MultiSocketServer

PROJECT = Path(__file__).parents[2]
#: The line ``corridor-atlas serve`` prints once it listens.
BANNER = re.compile(r"Serving the Corridor Atlas on (http://\S+)")

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
def launched_chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright, with :data:`CHROMIUM_ARGS`; closed afterwards."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


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


def cli_command() -> list[str]:
    """The console script beside this Python (the venv's), else ``python cli.py``."""
    script = Path(sys.executable).with_name("corridor-atlas")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


@dataclass
class Served:
    """A ``corridor-atlas serve`` child: its base URL, process, and output files."""

    url: str
    process: subprocess.Popen
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()


@contextmanager
def serving(
    logs: Path, *options: str, command: list[str] | None = None, timeout: float = 60.0
) -> Iterator[Served]:
    """Run ``corridor-atlas serve --port 0 OPTIONS`` until it answers /healthz.

    ``command`` replaces ``corridor-atlas``. The child leads its own process group (its workers
    with it); whatever is left of the group afterwards is killed by its id.
    """
    stdout, stderr = logs / "stdout.txt", logs / "stderr.txt"
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(
            [*(command or cli_command()), "serve", "--port", "0", *options],
            stdout=out,
            stderr=err,
            cwd=PROJECT,
            start_new_session=True,
        )
    try:
        url = _wait_for_banner(process, stdout, stderr, timeout)
        _wait_for_health(url, process, timeout)
        yield Served(url, process, stdout, stderr)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is left (workers the server may have orphaned)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for_banner(process: subprocess.Popen, stdout: Path, stderr: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = BANNER.search(stdout.read_text())
        if found:
            return found.group(1)
        if process.poll() is not None:
            pytest.fail(f"serve exited ({process.returncode}): {stderr.read_text()}")
        time.sleep(0.05)
    pytest.fail(f"serve printed no address within {timeout:.0f} s: {stderr.read_text()}")


def _wait_for_health(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url + "/healthz", timeout=5):
            return
        if process.poll() is not None:
            pytest.fail(f"serve exited ({process.returncode}) before answering {url}")
        time.sleep(0.05)
    pytest.fail(f"{url}/healthz did not answer within {timeout:.0f} s")
