"""``corridor-atlas serve`` as a real child process, on granian (the default) and on waitress.

Each server must hand over the app's answers unchanged: the same status, headers (security
headers, ETag, gzip, CORS) and bytes as Flask's test client gets from an app over the same data,
apart from the headers a server writes itself (Date, Server, Connection, Transfer-Encoding) and
what differs between two apps by design: folium's random ids of the map's elements (so the CSP
hash of the page's inline script) and the order of ``Allow``. SIGTERM or Ctrl-C stops the
server and its workers promptly with status 0; bad data or options stop ``serve`` before any
server starts."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cli import main
from tests.support import hostile
from tests.support.live import Served, cli_command, group_alive, serving
from tests.support.samples import site_entry
from webapp.server import STOP_TIMEOUT, wsgi_app

SERVERS = ("granian", "waitress")
#: Headers a server writes itself, or that concern one connection only.
SERVER_HEADERS = frozenset({"date", "server", "connection", "keep-alive", "transfer-encoding"})
#: Seconds a signal may take to stop a server and its workers: less than granian takes to give
#: up on a worker that does not stop (webapp.server.STOP_TIMEOUT), so such a worker fails.
PROMPTLY = STOP_TIMEOUT - 1
GZIP = {"Accept-Encoding": "gzip"}
#: (method, path, request headers): every kind of answer a server might alter.
REQUESTS = [
    ("GET", "/", {}),
    ("GET", "/data/atlas.geojson", {}),
    ("GET", "/data/atlas.geojson", GZIP),
    ("HEAD", "/data/atlas.geojson", {}),
    ("HEAD", "/data/atlas.geojson", GZIP),
    ("GET", "/data/atlas.geojson", {"Range": "bytes=0-99"}),
    ("OPTIONS", "/data/atlas.geojson", {"Origin": "https://example.org"}),
    ("GET", "/api/features?bbox=60,35,75,45", {"Origin": "https://example.org"}),
    ("GET", "/static/atlas.css", {}),
    ("GET", "/no/such/page", {}),
]

Answer = tuple[int, list[tuple[str, str]], bytes]
#: What two apps over the same data answer differently (see the module's docstring).
PER_APP_HEADERS = [(re.compile(r"'sha256-[^']+'"), "'sha256-...'")]
PER_APP_BODY = [(re.compile(rb"(?<=[a-z])_[0-9a-f]{32}"), b"_...")]


def fetch(url: str, method: str, path: str, headers: dict[str, str]) -> Answer:
    """One request on its own connection; http.client adds ``Accept-Encoding: identity`` when
    ``headers`` ask for no encoding, and nothing else."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request(method, path, headers={"Host": "localhost", **headers})
        response = connection.getresponse()
        return response.status, _end_to_end(response.getheaders()), response.read()
    finally:
        connection.close()


def _end_to_end(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(
        (name.lower(), value) for name, value in headers if name.lower() not in SERVER_HEADERS
    )


def comparable(answer: Answer) -> Answer:
    """``answer`` without what differs between two apps over the same data."""
    status, headers, body = answer
    kept = []
    for name, value in headers:
        for pattern, replacement in PER_APP_HEADERS:
            value = pattern.sub(replacement, value)
        if name == "allow":
            value = ", ".join(sorted(value.split(", ")))
        kept.append((name, value))
    for pattern, replacement in PER_APP_BODY:
        body = pattern.sub(replacement, body)
    return status, kept, body


@pytest.fixture(scope="module")
def app_client(built_data_dir: Path):
    """Flask's test client over the app as it is served (with the response cache)."""
    return wsgi_app(built_data_dir).test_client()


def from_app(client, method: str, path: str, headers: dict[str, str]) -> Answer:
    if "Accept-Encoding" not in headers:
        headers = {**headers, "Accept-Encoding": "identity"}
    response = client.open(path, method=method, headers={"Host": "localhost", **headers})
    return response.status_code, _end_to_end(list(response.headers.items())), response.get_data()


@pytest.fixture(params=SERVERS)
def served(request, built_data_dir: Path, tmp_path: Path):
    with serving(tmp_path, "--server", request.param, "--data-dir", str(built_data_dir)) as live:
        yield live


def test_the_server_hands_over_the_apps_answers_unchanged(served: Served, app_client):
    for method, path, headers in REQUESTS:
        expected = comparable(from_app(app_client, method, path, headers))
        answer = comparable(fetch(served.url, method, path, headers))
        assert answer == expected, (method, path, headers)


def test_downloads_keep_their_headers_gzip_and_revalidation(served: Served):
    status, headers, body = fetch(served.url, "GET", "/data/atlas.geojson", {})
    found = dict(headers)
    assert status == 200 and int(found["content-length"]) == len(body) > 0
    assert found["access-control-allow-origin"] == "*"
    assert "etag" in found.get("access-control-expose-headers", "").lower()
    _, zipped_headers, zipped = fetch(served.url, "GET", "/data/atlas.geojson", GZIP)
    assert dict(zipped_headers)["content-encoding"] == "gzip"
    assert gzip.decompress(zipped) == body
    status, headers, body = fetch(
        served.url, "GET", "/data/atlas.geojson", {"If-None-Match": found["etag"]}
    )
    assert (status, body) == (304, b"")
    assert dict(headers)["etag"] == found["etag"]


def test_security_headers_come_through(served: Served):
    address = urlsplit(served.url)
    for path in ("/", "/data/atlas.geojson", "/api/features", "/no/such/page"):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        assert hostile.security_header_problems(response.headers) == [], path
        assert response.headers["X-Frame-Options"] == "DENY", path


def stop(process: subprocess.Popen, how: str) -> None:
    """SIGTERM to the server, as a service manager sends it; or Ctrl-C, which a terminal sends
    to the whole foreground process group (the server and its workers)."""
    if how == "sigterm":
        process.send_signal(signal.SIGTERM)
    else:
        os.killpg(process.pid, signal.SIGINT)


@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
@pytest.mark.parametrize("server", SERVERS)
def test_a_signal_stops_the_server_promptly_and_cleanly(built_data_dir, tmp_path, server, how):
    options = ["--server", server, "--data-dir", str(built_data_dir)]
    with serving(tmp_path, *options) as live:
        fetch(live.url, "GET", "/data/atlas.geojson", {})
        started = time.monotonic()
        stop(live.process, how)
        assert live.process.wait(timeout=PROMPTLY) == 0, live.output()
        assert time.monotonic() - started < PROMPTLY
        assert _group_gone(live.process.pid), "a worker outlived the server"
        assert f"on {live.url} ({server}" in live.stdout.read_text()
        assert "Traceback" not in live.output() and "WARNING" not in live.output()


#: ``corridor-atlas`` with granian's workers started afresh rather than forked (as on macOS, or
#: Python 3.14's default): each then builds the app itself from $CORRIDOR_ATLAS_DATA_DIR.
SPAWNING = [
    sys.executable,
    "-c",
    "import multiprocessing, sys; multiprocessing.set_start_method('spawn'); "
    "from cli import main; sys.exit(main(sys.argv[1:]))",
]


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_granian_workers_serve_the_data_dir_asked_for(tmp_path, write_catalogue, start):
    """Forked workers serve the app checked before they started; workers started afresh build
    it again, and must find --data-dir rather than the default data."""
    data = tmp_path / "one-site"
    catalogue = write_catalogue([site_entry()])
    assert main(["build", "--catalogue", str(catalogue), "--out", str(data)]) == 0
    command = SPAWNING if start == "spawn" else None
    with serving(tmp_path, "--workers", "2", "--data-dir", str(data), command=command) as live:
        assert "(granian, 2 workers)" in live.stdout.read_text()
        for _ in range(20):  # one connection each: either worker may take it
            status, _, body = fetch(live.url, "GET", "/healthz", {})
            assert status == 200 and json.loads(body)["features"]["sites"] == 1
        assert "worker-2" in live.output()
        stop(live.process, "ctrl-c" if start == "fork" else "sigterm")  # see _ignore_ctrl_c
        assert live.process.wait(timeout=PROMPTLY) == 0, live.output()
        assert _group_gone(live.process.pid), "a worker outlived the server"


def _group_gone(pgid: int) -> bool:
    deadline = time.monotonic() + 5
    while group_alive(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("server", SERVERS)
def test_corrupt_data_stops_serve_before_any_server_starts(built_data_dir, tmp_path, server):
    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    (data / "sites.geojson").write_text("{not json", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [*cli_command(), "serve", "--server", server, "--port", str(port)]
    result = subprocess.run(
        [*command, "--data-dir", str(data)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    # Before the error, the serving index is refused as made for other files (logged).
    last = result.stderr.splitlines()[-1]
    assert last.startswith("error: ") and "sites.geojson" in last
    assert "Traceback" not in result.stderr
    assert "Serving" not in result.stdout and "Starting granian" not in result.stderr
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_waitress_refuses_several_workers(built_data_dir, capsys):
    args = ["serve", "--server", "waitress", "--workers", "2", "--data-dir", str(built_data_dir)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "error: waitress serves from one process" in err and "--server granian" in err


@pytest.mark.parametrize("server", SERVERS)
def test_a_port_in_use_is_an_error_naming_it(built_data_dir, capsys, server):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        args = ["serve", "--server", server, "--port", str(port)]
        assert main([*args, "--data-dir", str(built_data_dir)]) == 1
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--proxy-headers", "-1"], "--proxy-headers counts proxies"),
        (["--public-url", "atlas.example"], "is not an absolute http(s) address"),
        (["--public-url", "ftp://atlas.example"], "is not an absolute http(s) address"),
        (["--public-url", "https://atlas.example/?x=1"], "without query or fragment"),
    ],
)
def test_bad_proxy_options_stop_serve_with_a_message(built_data_dir, capsys, option, message):
    assert main(["serve", *option, "--data-dir", str(built_data_dir)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
