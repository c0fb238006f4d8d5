"""What the tests, the benchmarks and the load test all need to drive the atlas from outside.

Debian's Chromium and the flags it runs headless with, a free loopback port, a waitress server
in a thread, waiting until a server answers, the facts of the machine a figure was measured on,
and percentiles. One copy for ``tests/``, ``bench/`` and ``loadtest/``, so a fix to one reaches
all three.

It imports nothing from pytest (bench and loadtest run without it): failures are plain
exceptions whose message says what to do; ``tests/support/live.py`` turns them into test
failures.

>>> "--headless" in CHROMIUM_ARGS and "--no-sandbox" in CHROMIUM_ARGS
True
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from waitress.server import BaseWSGIServer, MultiSocketServer

#: Flags that let Debian's Chromium run headless here, as root in a container, without reaching
#: for the network (no component updates, no sync, no background requests).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]


class ChromiumMissing(FileNotFoundError):
    """No Chromium on PATH: the browser tests and benchmarks cannot run."""


class ServerExited(RuntimeError):
    """The server being waited for exited before it answered."""


def chromium_executable() -> str:
    """The path of Debian's Chromium (``chromium`` on PATH, else ``chromium-browser``).

    Playwright's own downloaded browsers are not used: this machine has no internet, and one
    browser for tests and benchmarks alike keeps their figures comparable.
    """
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise ChromiumMissing(
            "Chromium is not installed, so nothing can be loaded in a browser. Install Debian's "
            "with `apt-get install chromium` (it must be on PATH as `chromium`)."
        )
    return path


@contextlib.contextmanager
def launched_chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright with :data:`CHROMIUM_ARGS`; closed afterwards."""
    from playwright.sync_api import sync_playwright  # the load test never opens a browser

    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 now (the kernel's choice).

    >>> 0 < free_port() < 65536
    True
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running(server: BaseWSGIServer | MultiSocketServer) -> Iterator[str]:
    """Run a waitress server (e.g. ``webapp.server.make_server(data_dir)``) in a thread.

    Yields its base URL; closes the server and joins the thread afterwards.
    """
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        _stop(server, thread)


@contextlib.contextmanager
def serving_committed_atlas() -> Iterator[str]:
    """The committed data (``geodata/``) served by the real server on a free local port, as
    the README's screenshot scripts need it; yields the base URL."""
    from webapp.server import make_server

    project = Path(__file__).resolve().parents[2]
    with running(make_server(project / "geodata", host="127.0.0.1", port=0)) as url:
        yield url


def write_screenshots(description: str, take, argv: list[str] | None = None) -> None:
    """The command line of a README screenshot script: ``--out DIR`` (default ``docs/``),
    the committed atlas served, ``take(url, out_dir)`` saving its images; prints their paths."""
    import argparse

    project = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=project / "docs", help="the folder to write")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with serving_committed_atlas() as url:
        for path in take(url, args.out):
            print(path)


def _stop(server: BaseWSGIServer | MultiSocketServer, thread: threading.Thread) -> None:
    """Close every socket of ``server`` from its own loop's thread, then wait for the loop.

    Open connections are closed with their output buffers, which waitress spills into
    temporary files for large answers (left to the garbage collector they warn).

    Closing them from this thread instead races the loop's ``select`` (a closed descriptor
    then raises in the server's thread).
    """
    from waitress import wasyncore
    from waitress.server import MultiSocketServer

    socket_map = server.map if isinstance(server, MultiSocketServer) else server._map
    trigger = next(d for d in socket_map.values() if d.__class__.__name__ == "trigger")

    def close_everything() -> None:
        for channel in list(socket_map.values()):
            if hasattr(channel, "outbufs"):  # a connection: its buffers may be temporary files
                channel.handle_close()
        wasyncore.close_all(socket_map)

    try:
        trigger.pull_trigger(close_everything)
    except OSError:  # the loop has already closed its trigger: no select left to race
        close_everything()
    thread.join(timeout=5)
    server.task_dispatcher.shutdown()


@dataclass(frozen=True)
class Answer:
    """The first 200 a server gave, and how many seconds after the wait began."""

    seconds: float
    body: bytes


def wait_until_up(
    url: str,
    timeout: float = 60.0,
    process: subprocess.Popen | None = None,
    interval: float = 0.05,
) -> Answer:
    """Poll ``url`` until it answers 200; raise if ``process`` exits first or time runs out.

    Refused connections and error statuses just mean "not yet": a server that starts slowly
    (granian's workers, a large atlas to load) is waited for, one that died is reported at once.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process is not None and process.poll() is not None:
            raise ServerExited(
                f"the server exited with status {process.returncode} before answering {url}; "
                "its output says why"
            )
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:
            if response.status == 200:
                return Answer(time.perf_counter() - started, response.read())
        time.sleep(interval)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")


@dataclass(frozen=True)
class Machine:
    """What a figure was measured on: reports print it beside their figures."""

    cpus: int
    usable_cpus: int
    cpu_model: str
    memory_gib: float
    os: str
    python: str

    def as_dict(self) -> dict[str, str]:
        """The facts as report lines, name -> value."""
        return {
            "CPUs": f"{self.cpus} (usable by this process: {self.usable_cpus})",
            "CPU": self.cpu_model,
            "memory": f"{self.memory_gib:.1f} GiB",
            "OS": self.os,
            "Python": self.python,
        }

    def __str__(self) -> str:
        """One line, e.g. ``4 CPUs (nproc 2), Intel Xeon; 7.8 GiB; Linux-6.1; Python 3.11.2``."""
        return (
            f"{self.cpus} CPUs (nproc {self.usable_cpus}), {self.cpu_model}; "
            f"{self.memory_gib:.1f} GiB; {self.os}; Python {self.python}"
        )


def machine() -> Machine:
    """The facts of this machine, from /proc where Linux has them (``unknown`` elsewhere).

    >>> facts = machine()
    >>> facts.cpus >= facts.usable_cpus >= 1 and "CPUs" in str(facts)
    True
    """
    cpu = _proc_field("/proc/cpuinfo", r"model name\s*:\s*(.+)") or "unknown CPU"
    memory_kb = _proc_field("/proc/meminfo", r"MemTotal:\s+(\d+) kB")
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return Machine(
        cpus=os.cpu_count() or 1,
        usable_cpus=usable or 1,
        cpu_model=cpu,
        memory_gib=int(memory_kb) / 1024**2 if memory_kb else float("nan"),
        os=platform.platform(),
        python=platform.python_version(),
    )


def _proc_field(path: str, pattern: str) -> str | None:
    with contextlib.suppress(OSError):
        found = re.search(pattern, Path(path).read_text(encoding="utf-8"))
        return found.group(1).strip() if found else None
    return None


def percentile(values: Iterable[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (``fraction`` 0.95 for p95).

    The smallest value that at least ``fraction`` of the values are at or below; always one of
    the values, never an interpolation.

    >>> percentile([15, 20, 35, 40, 50], 0.4)
    20
    >>> percentile(range(1, 11), 0.5), percentile(range(1, 11), 0.95)
    (5, 10)
    """
    return counted_percentile(Counter(values), fraction)


def counted_percentile(counts: Mapping[float, int], fraction: float) -> float:
    """:func:`percentile` of a histogram: value -> how many times it was seen.

    Locust reports response times this way (rounded, then counted).

    >>> counted_percentile({10: 98, 250: 2}, 0.99)
    250
    >>> counted_percentile({}, 0.5)
    Traceback (most recent call last):
    ValueError: no values to take a percentile of
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], e.g. 0.95 for p95, not {fraction}")
    total = sum(counts.values())
    if not total:
        raise ValueError("no values to take a percentile of")
    # The rank is computed in integers where possible: 0.95 * 20 is 18.999… in floating point.
    rank = max(1, math.ceil(round(fraction * total, 9)))
    ordered = sorted(counts)
    at_or_below = list(accumulate(counts[value] for value in ordered))
    return ordered[bisect_left(at_or_below, rank)]
