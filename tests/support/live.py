"""The pytest side of driving the atlas from outside: ``corridor-atlas serve`` as a child process,
and Chromium whose absence fails a test rather than erroring.

The machinery itself (Chromium's flags, waitress in a thread, waiting for a server) is
:mod:`tests.support.harness`, shared with bench/ and loadtest/.

>>> BANNER.search("Serving the Corridor Atlas on http://127.0.0.1:8000 (granian)").group(1)
'http://127.0.0.1:8000'
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.support import harness

PROJECT = Path(__file__).parents[2]
#: The line ``corridor-atlas serve`` prints once it listens.
BANNER = re.compile(r"Serving the Corridor Atlas on (http://\S+)")

#: Records CSP violations, which browsers report as events rather than page errors.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    """:func:`harness.launched_chromium`, where a missing browser fails the test, not skips it."""
    try:
        harness.chromium_executable()
    except harness.ChromiumMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    with harness.launched_chromium() as browser:
        yield browser


@contextmanager
def recorded_server(data_dir: Path) -> Iterator[tuple[str, list[str]]]:
    """The app over ``data_dir`` on waitress in a thread: its base URL, and every request it
    has seen so far (``path?query``), so a client test can show what reached the server."""
    from webapp.server import make_server

    server = make_server(data_dir, host="127.0.0.1", port=0)
    seen: list[str] = []
    application = server.application

    def recording(environ, start_response):
        seen.append(f"{environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')}")
        return application(environ, start_response)

    server.application = recording
    with harness.running(server) as url:
        yield url, seen


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
            preexec_fn=_interruptible,
        )
    try:
        url = _wait_for_banner(process, stdout, stderr, timeout)
        _wait_for_health(url, process, timeout)
        yield Served(url, process, stdout, stderr)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _interruptible() -> None:
    """Let the server take Ctrl-C as in a terminal even when the tests run as a background job
    (``make test &``), whose commands inherit SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


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
    try:
        harness.wait_until_up(url + "/healthz", timeout, process)
    except (harness.ServerExited, TimeoutError) as failed:
        pytest.fail(f"serve: {failed}")
