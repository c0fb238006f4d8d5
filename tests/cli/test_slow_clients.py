"""``corridor-atlas serve`` under clients that hold connections: slow readers, idle
connections, and SIGTERM while a download is in flight.

A synthetic atlas of 4,000 sites gives a 3 MB download. Two hundred clients ask for it and read
nothing: the server's memory (PSS of its process tree) must stay bounded, since granian used to
copy the body for each of them (100 slow readers of a 7.5 MB download took a worker from 214 to
868 MB). A normal client asking just after them waits its turn (a tenth of a second on
granian here, three seconds on waitress, which first writes the two hundred bodies to disk
with its four threads) but is not held until they finish reading; once all two hundred are
being answered and their connections' buffers are full, its answers take a few milliseconds
on both. (The CI machine once took 2.2 s for one answer on granian as the two hundred came
in, hence the phases.)

Connections that send nothing after their last answer, or stop halfway through their headers,
are closed after ``IDLE_TIMEOUT``; so are connections that send nothing at all on waitress.
granian (hyper) starts its header timeout at a connection's first byte, so one that never
sends a byte stays open: documented below, and bounded only by the cheapness of an idle
connection there.
"""

from __future__ import annotations

import contextlib
import http.client
import selectors
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.synthetic import write_catalogue
from cli import main
from tests.support.live import Served, serving
from webapp.server import IDLE_TIMEOUT, STOP_TIMEOUT

SLOW_READERS = 200
#: PSS the slow readers may add to the server's process tree.
MEMORY_BOUND_MB = 150
#: Seconds within which a normal client asking just after them, and each of them, must have
#: the start of an answer: a request waits its turn behind those that came first, but is not
#: held until a slow reader finishes (which none does).
ARRIVAL_BOUND = 10.0
#: Seconds the server is given, once each slow reader has its answer started, to fill their
#: connections' buffers.
SETTLE = 2.0
#: Seconds a normal client may then wait for an answer.
ANSWER_BOUND = 0.5
DOWNLOAD = "/data/atlas.geojson"


@pytest.fixture(scope="module")
def large_data(tmp_path_factory) -> Path:
    """A built atlas whose download weighs about 3 MB."""
    work = tmp_path_factory.mktemp("large")
    catalogue = write_catalogue(work / "catalogue.yaml", sites=4000, corridors=40)
    assert main(["build", "--catalogue", str(catalogue), "--out", str(work / "data")]) == 0
    return work / "data"


def pss_mb(pid: int) -> float:
    """Proportional set size of ``pid`` and its descendants, MB (shared pages divided)."""
    pids, total = [pid], 0
    for each in pids:
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{each}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
    for each in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    return total / 1024


def address(served: Served) -> tuple[str, int]:
    parts = urlsplit(served.url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def timed_get(served: Served, path: str) -> tuple[float, int, bytes]:
    started = time.monotonic()
    connection = http.client.HTTPConnection(*address(served), timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        return time.monotonic() - started, response.status, response.read()
    finally:
        connection.close()


def slow_reader(served: Served, path: str) -> socket.socket:
    """A connection that asks for ``path`` and then reads nothing (a small receive window)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(address(served))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    return sock


def all_answered(readers: list[socket.socket], within: float) -> bool:
    """Whether the server starts an answer to each of ``readers`` within ``within`` seconds
    (each socket then has bytes to read, which are left unread)."""
    deadline = time.monotonic() + within
    with selectors.DefaultSelector() as waiting:
        for sock in readers:
            waiting.register(sock, selectors.EVENT_READ)
        while waiting.get_map() and (left := deadline - time.monotonic()) > 0:
            for key, _ in waiting.select(left):
                waiting.unregister(key.fileobj)
        return not waiting.get_map()


def closed_by_server(sock: socket.socket, wait: float) -> bool:
    """Whether the server has closed ``sock`` (end of stream or reset), reading what is left."""
    sock.settimeout(wait)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


@pytest.fixture(params=["granian", "waitress"])
def served_large(request, large_data: Path, tmp_path: Path) -> Iterator[Served]:
    with serving(tmp_path, "--server", request.param, "--data-dir", str(large_data)) as live:
        yield live


def test_slow_readers_neither_grow_the_server_nor_slow_others(served_large: Served):
    _, status, body = timed_get(served_large, DOWNLOAD)  # made and kept once, before the attack
    assert status == 200 and len(body) > 2_000_000
    timed_get(served_large, "/features?kind=site")
    on_granian = "(granian" in served_large.stdout.read_text()
    before = pss_mb(served_large.process.pid)
    readers = [slow_reader(served_large, DOWNLOAD) for _ in range(SLOW_READERS)]
    idle = [socket.create_connection(address(served_large)) for _ in range(20)]
    halfway = socket.create_connection(address(served_large))
    halfway.sendall(b"GET /healthz HTTP/1.1\r\n")
    kept_alive = socket.create_connection(address(served_large))
    kept_alive.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
    opened = time.monotonic()
    try:
        arrival, status, _ = timed_get(served_large, "/features?kind=site")
        assert status == 200 and arrival < ARRIVAL_BOUND
        assert all_answered(readers, ARRIVAL_BOUND), "a slow reader waits for the others"
        time.sleep(SETTLE)
        settled, peak, waits = time.monotonic(), before, []
        while time.monotonic() - settled < 3:
            took, status, _ = timed_get(served_large, "/features?kind=site")
            assert status == 200
            waits.append(took)
            peak = max(peak, pss_mb(served_large.process.pid))
            time.sleep(0.2)
        print(
            f"PSS {before:.0f} -> {peak:.0f} MB; answer while they arrive {arrival * 1000:.0f} ms, "
            f"then at most {max(waits) * 1000:.0f} ms"
        )
        assert peak - before < MEMORY_BOUND_MB
        assert max(waits) < ANSWER_BOUND
        assert kept_alive.recv(65536).startswith(b"HTTP/1.1 200")
        answered = time.monotonic()  # on waitress, after the downloads queued before it
        time.sleep(max(0.0, IDLE_TIMEOUT + 1 - (time.monotonic() - opened)))
        wait = max(3.0, answered + IDLE_TIMEOUT + 3 - time.monotonic())
        assert closed_by_server(kept_alive, wait), "an idle keep-alive connection left open"
        assert closed_by_server(halfway, wait=3), "a connection stopped halfway left open"
        silent_closed = [closed_by_server(sock, wait=0.5) for sock in idle]
        assert not any(silent_closed) if on_granian else all(silent_closed)
        _, status, _ = timed_get(served_large, "/healthz")
        assert status == 200
    finally:
        for sock in [*readers, *idle, kept_alive, halfway]:
            sock.close()


@pytest.mark.parametrize("server", ["granian", "waitress"])
def test_sigterm_lets_a_download_in_flight_finish(large_data: Path, tmp_path: Path, server: str):
    with serving(tmp_path, "--server", server, "--data-dir", str(large_data)) as live:
        _, _, whole = timed_get(live, DOWNLOAD)
        sock = slow_reader(live, DOWNLOAD)
        received = sock.recv(65536)
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        live.process.send_signal(signal.SIGTERM)
        sock.settimeout(STOP_TIMEOUT)
        while chunk := sock.recv(65536):
            body += chunk
            time.sleep(0.002)  # still slow: about a second for the rest
        sock.close()
        assert body == whole
        assert live.process.wait(timeout=STOP_TIMEOUT + 2) == 0, live.output()
        assert "Traceback" not in live.output()
