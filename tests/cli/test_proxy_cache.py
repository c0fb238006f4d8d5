"""``corridor-atlas serve`` behind nginx as a caching reverse proxy: the Host-header poisoning case.

Many deployments forward the client's ``Host`` (``proxy_set_header Host $http_host``) and cache
with nginx's default key, ``$scheme$proxy_host$request_uri``, which leaves the Host out. Without
``--public-url`` the app builds its absolute links from that Host, so one request with
``Host: evil.example`` fills the cache with links to evil.example, and nginx hands them to every
later client: the test asserts this, as the reason the setting exists. With ``--public-url`` the
cached answer links to the public URL whatever Host filled it.

nginx (Debian's) runs as a child in the foreground, every file it writes inside ``tmp_path``; a
missing nginx fails the module with an install hint rather than skipping it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support import harness
from tests.support.live import Served, serving

INSTALL_HINT = (
    "nginx is needed for this test (it is the caching proxy in front of the server): install "
    "Debian's nginx (sudo apt-get install nginx), as `make test` does."
)
PUBLIC_URL = "https://atlas.example/"
FORGED_HOST = "evil.example"
#: The answers whose absolute links come from the request (or the public URL).
PATHS = ("/ogc", "/api/features?limit=2")


def nginx_executable() -> str:
    """Debian's nginx (outside PATH for users without /usr/sbin), or a failure saying how to
    install it."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        pytest.fail(f"nginx not found. {INSTALL_HINT}", pytrace=False)
    return found


@pytest.fixture(autouse=True, scope="module")
def _nginx_present() -> None:
    nginx_executable()


def caching_proxy_config(work: Path, port: int, upstream: str) -> str:
    """An nginx configuration caching ``upstream`` on ``127.0.0.1:port`` with the default key,
    forwarding the client's Host header."""
    # As root, nginx's workers would become nobody and could not write to the cache in tmp_path.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    return f"""{user}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log info;
events {{ worker_connections 64; }}
http {{
  access_log {work}/access.log;
  client_body_temp_path {work}/body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  proxy_cache_path {work}/cache keys_zone=atlas:1m;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass {upstream};
      proxy_set_header Host $http_host;
      proxy_cache atlas;
      proxy_cache_valid 200 10m;
      add_header X-Cache-Status $upstream_cache_status;
    }}
  }}
}}
"""


@contextlib.contextmanager
def caching_proxy(work: Path, upstream: str) -> Iterator[str]:
    """nginx in front of ``upstream`` until it answers /healthz: its base URL. Stopped by its
    own pid (then whatever is left of its process group)."""
    work.mkdir()
    port = harness.free_port()
    conf = work / "nginx.conf"
    conf.write_text(caching_proxy_config(work, port, upstream))
    command = [nginx_executable(), "-p", str(work), "-e", str(work / "error.log")]
    with (work / "output.txt").open("w") as output:
        process = subprocess.Popen(
            [*command, "-c", str(conf), "-g", "daemon off;"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            harness.wait_until_up(url + "/healthz", 15, process)
        except (harness.ServerExited, TimeoutError) as failed:
            log = (work / "output.txt").read_text() + (work / "error.log").read_text()
            pytest.fail(f"nginx: {failed}\n{log}")
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def get(base: str, path: str, host: str) -> tuple[dict[str, str], dict]:
    """``GET path`` from ``base`` with this Host header, which must answer 200: the headers
    (names in lower case) and the decoded JSON."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200, (path, host, response.status, body[:300])
    return {k.lower(): v for k, v in response.getheaders()}, json.loads(body)


def link_targets(document: dict) -> list[str]:
    """The ``href`` of every link of an OGC landing page or a feature page."""
    return [link["href"] for link in document["links"]]


def poison_then_visit(proxy: str, path: str) -> tuple[dict[str, str], dict, dict[str, str], dict]:
    """A forged-Host request for ``path`` through the proxy, then an ordinary one: the headers
    and document of each."""
    forged_headers, forged = get(proxy, path, FORGED_HOST)
    headers, document = get(proxy, path, urlsplit(proxy).netloc)
    return forged_headers, forged, headers, document


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The atlas on the committed data, its links built from the request."""
    with serving(tmp_path) as live:
        yield live


@pytest.fixture
def served_with_public_url(tmp_path: Path) -> Iterator[Served]:
    """The atlas on the committed data, every absolute link starting with ``PUBLIC_URL``."""
    with serving(tmp_path, "--public-url", PUBLIC_URL) as live:
        yield live


def test_without_a_public_url_one_forged_host_poisons_the_cache_for_everyone(
    served: Served, tmp_path: Path
):
    with caching_proxy(tmp_path / "nginx", served.url) as proxy:
        for path in PATHS:
            forged_headers, _, headers, document = poison_then_visit(proxy, path)
            assert forged_headers["x-cache-status"] == "MISS", path
            assert headers["x-cache-status"] == "HIT", path
            targets = link_targets(document)
            assert targets and all(t.startswith(f"http://{FORGED_HOST}/") for t in targets), (
                path,
                targets,
            )
    # The app itself keeps nothing of the forged request: the proxy's cache is what was poisoned.
    _, direct = get(served.url, "/ogc", urlsplit(served.url).netloc)
    assert all(t.startswith(served.url + "/") for t in link_targets(direct))


def test_with_a_public_url_a_forged_host_cannot_poison_the_cache(
    served_with_public_url: Served, tmp_path: Path
):
    with caching_proxy(tmp_path / "nginx", served_with_public_url.url) as proxy:
        for path in PATHS:
            forged_headers, forged, headers, document = poison_then_visit(proxy, path)
            assert forged_headers["x-cache-status"] == "MISS", path
            assert headers["x-cache-status"] == "HIT", path
            for answer in (forged, document):
                targets = link_targets(answer)
                assert targets and all(t.startswith(PUBLIC_URL) for t in targets), (path, targets)
                assert FORGED_HOST not in json.dumps(answer), path
