"""Raw bytes to ``corridor-atlas serve`` as a child process, on granian (the default) and waitress.

tests/webapp/test_bad_requests.py sends its hostile requests to waitress in a thread; here the
same families go to the served process, granian first. What granian refuses itself (a request
line or head hyper cannot parse, a head over its buffer) it answers with an empty body and no
security headers: that is its own layer, recorded below as the documented behaviour. Whatever
reaches the app must carry the app's security headers, on either server.

Also here: a request with both Content-Length and Transfer-Encoding (the request-smuggling
pattern) is refused, hosts with empty or over-long DNS labels are a 400 from the app, and
``--proxy-headers`` / ``--public-url`` decide the links' scheme and host end to end.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import Headers

from tests.support import hostile
from tests.support.live import Served, serving
from tests.webapp.test_bad_requests import (
    BAD_HOSTS,
    BAD_METHODS,
    DOUBLED_SLASHES,
    LONG_URLS,
    MALFORMED,
    TRAVERSALS,
    RawAnswer,
    get,
)
from tests.webapp.test_bad_requests import send_raw as send_raw_as_is

SERVERS = ("granian", "waitress")
#: Statuses granian (hyper) answers itself, with an empty body, before the app sees the request.
GRANIAN_OWN = {400, 414, 431}


@pytest.fixture(scope="module", params=SERVERS)
def live(request, built_data_dir: Path, tmp_path_factory) -> Iterator[Served]:
    logs = tmp_path_factory.mktemp(f"raw-{request.param}")
    with serving(logs, "--server", request.param, "--data-dir", str(built_data_dir)) as served:
        yield served


def send_raw(port: int, request: bytes) -> RawAnswer:
    """:func:`tests.webapp.test_bad_requests.send_raw`, with header names matched in any case
    (granian writes them in lower case)."""
    answer = send_raw_as_is(port, request)
    return RawAnswer(answer.status, Headers(list(answer.headers.items())), answer.body)  # type: ignore[arg-type]


def port_of(served: Served) -> int:
    return urlsplit(served.url).port or 80


def by_server_itself(answer: RawAnswer) -> bool:
    """An answer the server wrote without the app: granian's empty ones, waitress's plain text."""
    granian_own = answer.status in GRANIAN_OWN and answer.body == b""
    return granian_own or answer.by_waitress


def check(answer: RawAnswer, statuses: range) -> None:
    """A refusal in ``statuses`` leaking nothing; with the security headers if the app wrote it
    (granian's own answers are empty, so they leak nothing either)."""
    assert answer.status in statuses, (answer.status, answer.body[:200])
    assert b"root:x:0:" not in answer.body and b"[project]" not in answer.body
    if not by_server_itself(answer):
        assert len(answer.body) > 20
        assert hostile.security_header_problems(answer.headers) == []


@pytest.mark.parametrize(
    "target", [*(t.encode() for t in TRAVERSALS), b"../../etc/passwd", b"/static/..\\x", b"*"]
)
def test_traversals_are_refused(live: Served, target: bytes):
    answer = send_raw(port_of(live), get(target))
    if target.decode() in DOUBLED_SLASHES:
        assert answer.status == 404 and "Location" not in answer.headers
    check(answer, range(400, 500))


@pytest.mark.parametrize("target", [b"/%ff", b"/features?q=%ff%fe", b"/\xff", b"/features?q=\xff"])
def test_bytes_that_are_not_utf8_are_400s(live: Served, target: bytes):
    check(send_raw(port_of(live), get(target)), range(400, 401))


@pytest.mark.parametrize("path", LONG_URLS.values(), ids=LONG_URLS)
def test_over_long_addresses_are_refused(live: Served, path: str):
    """414 from the app; granian refuses a head over its 64 KB buffer itself (431)."""
    answer = send_raw(port_of(live), get(path.encode()))
    check(answer, range(414, 432))
    if not by_server_itself(answer):
        assert answer.status == 414


@pytest.mark.parametrize(
    "request_bytes",
    [
        get(b"/", headers=b"Host: 127.0.0.1\r\nX-Big: " + b"a" * 300_000 + b"\r\n"),
        get(b"/", headers=b"Host: 127.0.0.1\r\n" + b"X-Many: aaaaaaaaaa\r\n" * 20_000),
    ],
    ids=["one header 300 KB", "20,000 headers"],
)
def test_huge_heads_are_431s(live: Served, request_bytes: bytes):
    check(send_raw(port_of(live), request_bytes), range(431, 432))


@pytest.mark.parametrize(
    "headers",
    [b"Host: a\r\nHost: b\r\n", *(b"Host: " + h.encode() + b"\r\n" for h in BAD_HOSTS)],
    ids=["two Hosts", *BAD_HOSTS],
)
def test_invalid_hosts_are_400s(live: Served, headers: bytes):
    check(send_raw(port_of(live), get(b"/features", headers=headers)), range(400, 401))


@pytest.mark.parametrize(("method", "path"), BAD_METHODS)
def test_unknown_methods_are_405s(live: Served, method: str, path: str):
    answer = send_raw(port_of(live), get(path.encode(), method=method.encode()))
    check(answer, range(400, 406))
    if not by_server_itself(answer):  # granian refuses CONNECT to a path itself (400)
        assert answer.status == 405


@pytest.mark.parametrize("request_bytes", MALFORMED.values(), ids=MALFORMED)
def test_malformed_requests_are_4xx(live: Served, request_bytes: bytes):
    check(send_raw(port_of(live), request_bytes), range(400, 500))


def test_a_valid_request_is_served_with_security_headers(live: Served):
    answer = send_raw(port_of(live), get(b"/features?kind=site"))
    assert answer.status == 200
    assert hostile.security_header_problems(answer.headers) == []


# --- Content-Length with Transfer-Encoding: the smuggling pattern -----------------------------

SMUGGLED = (
    b"POST /api/features HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
)


def read_all(port: int, request: bytes, timeout: float = 5) -> bytes:
    """Every byte the server sends back to ``request`` until it closes (or ``timeout``)."""
    import socket

    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return received


def test_waitress_refuses_length_with_transfer_encoding_and_closes(built_data_dir, tmp_path):
    with serving(tmp_path, "--server", "waitress", "--data-dir", str(built_data_dir)) as live:
        started = time.monotonic()
        received = read_all(port_of(live), SMUGGLED)
        assert received.startswith(b"HTTP/1.1 400 "), received[:200]
        assert received.count(b"HTTP/1.1 ") == 1, "a byte after the head was read as a request"
        assert b"Content-Length and Transfer-Encoding" in received
        assert time.monotonic() - started < 4, "the connection was not closed"


def test_granian_never_reads_the_body_as_a_second_request(built_data_dir, tmp_path):
    """Documented behaviour of granian (hyper): it reads the body as chunked, ignoring the
    length, as RFC 9112 section 6.1 allows; the bytes after the chunked body are then a second
    request on the same connection, which is what the client sent, not a desynchronisation."""
    with serving(tmp_path, "--data-dir", str(built_data_dir)) as live:
        received = read_all(
            port_of(live),
            SMUGGLED.replace(
                b"Host: 127.0.0.1\r\n\r\n", b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n"
            ),
        )
        statuses = [
            line.split()[1] for line in received.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")
        ]
        assert statuses[0] in (b"400", b"405"), received[:300]
        assert len(statuses) <= 2


# --- hosts with empty or over-long DNS labels ------------------------------------------------

LABEL_HOSTS = ["evil..example", ".example", "a" * 64 + ".example", "example." + "b" * 64]


@pytest.mark.parametrize(
    "host", LABEL_HOSTS, ids=["empty label", "leading dot", "64 first", "64 last"]
)
@pytest.mark.parametrize("path", [b"/", b"/features", b"/api/features", b"/no/such/page"])
def test_hosts_with_bad_dns_labels_are_400s_from_the_app(live: Served, host: str, path: bytes):
    log_lines = len(live.output().splitlines())
    answer = send_raw(port_of(live), get(path, headers=f"Host: {host}\r\n".encode()))
    assert answer.status == 400, (answer.status, answer.body[:200])
    assert answer.headers.get("X-Content-Type-Options") == "nosniff"
    assert "Content-Security-Policy" in answer.headers
    time.sleep(0.2)  # let the server write what it logs
    logged = live.output().splitlines()[log_lines:]
    assert len(logged) <= 1 and "Traceback" not in "\n".join(logged), logged


# --- --proxy-headers and --public-url --------------------------------------------------------

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "atlas.example"}


def links_of(served: Served, path: str, headers: dict[str, str]) -> list[str]:
    address = urlsplit(served.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": "internal:8000", **headers})
        response = connection.getresponse()
        assert response.status == 200, path
        return [link["href"] for link in json.loads(response.read())["links"]]
    finally:
        connection.close()


PATHS = ["/ogc", "/api/features?limit=2"]


@pytest.mark.parametrize("server", SERVERS)
def test_proxy_headers_make_links_of_the_public_address(built_data_dir, tmp_path, server):
    options = ["--server", server, "--data-dir", str(built_data_dir), "--proxy-headers", "1"]
    with serving(tmp_path, *options) as live:
        for path in PATHS:
            links = links_of(live, path, FORWARDED)
            assert links and all(h.startswith("https://atlas.example/") for h in links), links
        nexts = links_of(live, "/api/features?limit=2", FORWARDED)
        assert "https://atlas.example/api/features?limit=2&offset=2" in nexts


@pytest.mark.parametrize("server", SERVERS)
def test_forwarded_headers_are_ignored_by_default(built_data_dir, tmp_path, server):
    with serving(tmp_path, "--server", server, "--data-dir", str(built_data_dir)) as live:
        for path in PATHS:
            links = links_of(live, path, FORWARDED)
            assert links and all(h.startswith("http://internal:8000/") for h in links), links


def test_public_url_starts_every_link_whatever_the_host(built_data_dir, tmp_path):
    options = ["--data-dir", str(built_data_dir), "--public-url", "https://atlas.example/"]
    with serving(tmp_path, *options) as live:
        for path in PATHS:
            for headers in ({}, FORWARDED, {"X-Forwarded-Host": "evil.example"}):
                links = links_of(live, path, headers)
                assert all(h.startswith("https://atlas.example/") for h in links), links
