"""What the benchmarks share: timed child processes, the atlas and nginx on free loopback ports,
wrk, memory of a process, and the row every figure is reported in. Chromium, free ports, waiting
for a server and percentiles are ``tests/support/harness.py``'s, shared with the tests.

Every server a benchmark starts listens on 127.0.0.1 only, and is stopped by its own id when
the benchmark ends (``with`` blocks), whatever happens.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.harness import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Row:
    """One figure beside its reference: ``ratio`` is value / reference."""

    section: str
    what: str
    value: float
    unit: str
    reference: str
    reference_value: float
    target: str = ""
    met: bool | None = None
    digits: int = 2

    @property
    def ratio(self) -> float:
        return self.value / self.reference_value if self.reference_value else float("nan")


@dataclass(frozen=True)
class Timed:
    seconds: float
    max_rss_mb: float
    returncode: int
    output: str


def run_timed(args: Sequence[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> Timed:
    """Run a child to its end: wall time, its own peak RSS (wait4) and its output."""
    started = time.perf_counter()
    child = subprocess.Popen(
        list(args),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert child.stdout is not None
    output = child.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return Timed(seconds, usage.ru_maxrss / 1024, child.returncode, output)


def pss_mb(pid: int) -> float:
    """Proportional memory of a process and its children (MB): each shared page is divided
    among the processes sharing it, so a server and the workers it forked add up fairly."""
    total = 0.0
    for each in [pid, *_children(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
    return total


class MemoryWatch:
    """The highest :func:`pss_mb` of a process tree, sampled every ``every`` seconds while
    the ``with`` block runs (the kernel keeps a high-water mark of RSS, not of PSS)."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.pid, self.every, self.peak_mb = pid, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, pss_mb(self.pid))
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            for child in map(int, text):
                found += [child, *_children(child)]
    return found


@contextlib.contextmanager
def background(
    args: Sequence[str], env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """A child process for the block's duration; stopped (SIGTERM, then SIGKILL) by its id."""
    log = open(os.devnull, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        list(args),
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@contextlib.contextmanager
def atlas_server(
    data_dir: Path, server: str = "granian", timeout: float = 600.0
) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """``corridor-atlas serve --server <server>`` over ``data_dir``: (base URL, process,
    seconds until it answered)."""
    port = free_port()
    args = [str(BIN / "corridor-atlas"), "serve", "--server", server, "--port", str(port)]
    with background([*args, "--data-dir", str(data_dir)]) as process:
        url = f"http://127.0.0.1:{port}"
        started = wait_until_up(url + "/healthz", timeout, process).seconds
        yield url, process, started


@contextlib.contextmanager
def nginx(root: Path, work: Path) -> Iterator[str]:
    """nginx (Debian's) serving ``root`` from disk on a free loopback port, in the foreground."""
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    conf = work / "nginx.conf"
    conf.write_text(
        f"""worker_processes auto;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types {{ application/geo+json geojson; application/json json; text/html html; }}
  client_body_temp_path {work}/body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
"""
    )
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    with background([binary, "-c", str(conf), "-p", str(work)]) as process:
        _wait_listening(port, 10, process)
        yield f"http://127.0.0.1:{port}"


def _wait_listening(port: int, timeout: float, process: subprocess.Popen) -> None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited ({process.returncode})")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p99_ms: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int = 10, connections: int = 50, threads: int = 2) -> Load:
    """wrk's requests/s and 99th-percentile latency (after a 1 s warm-up run)."""
    subprocess.run(["wrk", "-t1", "-c10", "-d1s", url], capture_output=True, check=True)
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", done).groups()  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done)
    socket_errors = re.search(r"Socket errors: (.*)", done)
    count = int(errors.group(1)) if errors else 0
    if socket_errors:
        count += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return Load(rate, float(value) * _UNITS[unit], count)


def gzip_size(body: bytes) -> int:
    """Bytes of ``body`` compressed as a web server would (gzip level 6)."""
    return len(gzip.compress(body, compresslevel=6, mtime=0))
