"""Malformed and hostile requests: every one is a 4xx with a message, never a 5xx or a file.

Path traversal (plain, percent-encoded, backslashes), addresses of 10 KB and 100 KB, bytes that
are not UTF-8 in the path and the query, unknown methods, invalid or missing ``Host`` headers
and huge headers. Each is sent twice: through Flask's test client, and as raw bytes over a
socket to a real waitress server, since an HTTP client library would normalise or refuse what
these requests carry. Answers the app writes carry the security headers; the few that waitress
writes itself (a request line it cannot parse, headers over its limit) are plain text.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support import hostile
from tests.support.harness import running
from webapp.security import MAX_URL_CHARS
from webapp.server import make_server

#: Bytes of files outside the app that a traversal could reach: none may be in an answer.
LEAKS = (b"root:x:0:", b"[project]", b"[tool.", b"\nentries:", b"from __future__ import")

TRAVERSALS = [
    "/data/../../etc/passwd",
    "/data/..%2f..%2f..%2fetc%2fpasswd",
    "/data/%2e%2e/%2e%2e/pyproject.toml",
    "/data/..%2fsources.json",
    "/data/features/..%2f..%2fatlas.geojson",
    "/assets/leaflet/../../x",
    "/assets/leaflet/../__init__.py",
    "/assets/leaflet/..%2f..%2f__init__.py",
    "/assets/leaflet/%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/assets/leaflet//etc/passwd",
    "/static/..%2f..%2fpyproject.toml",
    "/static/../../pyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%5c..%5cpyproject.toml",
    "/static/%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/..%252f..%252fpyproject.toml",
    "/static/x%00.css",
    "/basemap/..%2fcatalogue.yaml",
    "/basemap/..%2f..%2fpyproject.toml",
    "/basemap/%2e%2e%2fbuild.py",
    "/sources/..%2fcatalogue",
    "/sources/..%2f..%2fpyproject",
    "/features/..%2f..%2fpyproject.toml",
    "/ogc/collections/..%2f..%2fpyproject.toml/items",
    "//etc/passwd",
]

LONG_URLS = {
    "path 10 KB": "/features/" + "a" * 10_000,
    "path 100 KB": "/static/" + "a/" * 50_000,
    "query 10 KB": "/features?kind=" + "x" * 10_000,
    "query 100 KB": "/api/features?q=" + "%3Cb%3E" * 15_000,
    "many parameters": "/ogc/collections/sites/items?" + "&".join(f"p{i}=1" for i in range(3000)),
    "embed focus": "/embed?focus=" + "x" * 10_000,
    "data": "/data/" + "x" * 12_000 + ".geojson",
}

BAD_HOSTS = [
    '"><script>alert(1)</script>',
    "a b",
    "example.org:99999",
    "[::1",
    "",
    "exa\u00e9mple.org",
    "example.org, evil.example",
    "example.org/path",
    "user@example.org",
]

BAD_METHODS = [
    ("POST", "/"),
    ("PUT", "/features"),
    ("DELETE", "/data/atlas.geojson"),
    ("PATCH", "/api/features"),
    ("TRACE", "/"),
    ("CONNECT", "/sources"),
    ("PROPFIND", "/data"),
    ("FOO", "/healthz"),
]


def _leaks(body: bytes) -> list[bytes]:
    return [marker for marker in LEAKS if marker in body]


# --- through Flask's test client -------------------------------------------------------------


@pytest.fixture(scope="module")
def app(built_data_dir: Path):
    """One app for the module (creating it renders the map page)."""
    from webapp import create_app

    return create_app({"TESTING": True, "DATA_DIR": built_data_dir})


def _check_app_answer(response, statuses: range = range(400, 500)) -> None:
    """A 4xx written by the app: a message, no file, every security header."""
    body = response.get_data()
    assert response.status_code in statuses, response.status_code
    assert response.mimetype in ("text/html", "application/problem+json")
    assert len(body) > 40 and _leaks(body) == []
    assert hostile.security_header_problems(response.headers) == []


#: Paths with a double slash answer 404 at once: no redirect whose Location Werkzeug would
#: build from the Host header.
DOUBLED_SLASHES = {"/assets/leaflet//etc/passwd", "/static//etc/passwd", "/static/%2fetc%2fpasswd"}


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversals_are_404s(client, path):
    with client.get(path) as response:
        if path in DOUBLED_SLASHES:
            assert "Location" not in response.headers
            _check_app_answer(response, range(404, 405))
        else:
            _check_app_answer(response)


@pytest.mark.parametrize("path", LONG_URLS.values(), ids=LONG_URLS)
def test_over_long_addresses_are_414s(client, path):
    response = client.get(path)
    _check_app_answer(response, range(414, 415))
    assert str(MAX_URL_CHARS) in response.text


def test_an_address_at_the_limit_is_served(client):
    path = "/features/" + "a" * (MAX_URL_CHARS - len("/features/"))
    assert client.get(path).status_code == 404  # served: an unknown feature, not too long


@pytest.mark.parametrize(
    ("environ", "what"),
    [
        ({"PATH_INFO": "/\xff"}, "path"),
        ({"PATH_INFO": "/features/\xc0\xaf"}, "path"),
        ({"PATH_INFO": "/static/\xed\xa0\x80.css"}, "path"),
        ({"PATH_INFO": "/features", "QUERY_STRING": "q=%ff%fe"}, "query string"),
        ({"PATH_INFO": "/features", "QUERY_STRING": "kind=%c0%af"}, "query string"),
        ({"PATH_INFO": "/api/features", "QUERY_STRING": "q=%ed%a0%80"}, "query string"),
        ({"PATH_INFO": "/ogc/collections/atlas/items", "QUERY_STRING": "q=a%80b"}, "query string"),
        ({"PATH_INFO": "/embed", "QUERY_STRING": "focus=%fe"}, "query string"),
    ],
)
def test_addresses_that_are_not_utf8_are_400s(client, environ, what):
    response = client.get("/", environ_overrides=environ)
    _check_app_answer(response, range(400, 401))
    assert f"The {what} is not valid UTF-8" in response.get_data(as_text=True)
    if environ["PATH_INFO"].startswith(("/api/", "/ogc/")):
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_invalid_host_headers_are_400s(client, host):
    response = client.get("/features/bekabad-industrial-park", headers={"Host": host})
    _check_app_answer(response, range(400, 401))


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "[::1]:8000", "atlas.example"])
def test_valid_host_headers_are_served(client, host):
    assert client.get("/features", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(("method", "path"), BAD_METHODS)
def test_unknown_methods_are_405s(client, method, path):
    response = client.open(path, method=method)
    _check_app_answer(response, range(405, 406))
    assert "GET" in response.headers["Allow"]


def test_huge_headers_reach_no_view_as_an_error(client):
    headers = {f"X-Padding-{i}": "x" * 1000 for i in range(100)}
    assert client.get("/features", headers=headers).status_code == 200  # ignored, not a 5xx


# --- raw bytes to a real waitress server ----------------------------------------------------


@pytest.fixture(scope="module")
def live_port(built_data_dir: Path) -> Iterator[int]:
    server = make_server(built_data_dir, host="127.0.0.1", port=0)
    with running(server):
        yield server.effective_port


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def by_waitress(self) -> bool:
        return b"(generated by waitress)" in self.body


def send_raw(port: int, request: bytes) -> RawAnswer:
    """Send ``request`` as it is and read the answer until the server closes the connection."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(request)
            while chunk := sock.recv(65536):
                received += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server answered early and closed: what it sent is in `received`
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines if ": " in line)
    return RawAnswer(int(status_line.split()[1]), headers, body)


def get(target: bytes, headers: bytes = b"Host: 127.0.0.1\r\n", method: bytes = b"GET") -> bytes:
    return method + b" " + target + b" HTTP/1.1\r\n" + headers + b"Connection: close\r\n\r\n"


def _check_raw(answer: RawAnswer, statuses: range = range(400, 500)) -> None:
    assert answer.status in statuses, (answer.status, answer.body[:200])
    assert len(answer.body) > 20 and _leaks(answer.body) == []
    if not answer.by_waitress:
        assert hostile.security_header_problems(answer.headers) == []


@pytest.mark.parametrize(
    "target",
    [
        *[t.encode() for t in TRAVERSALS],
        b"../../etc/passwd",
        b"/static/..\\..\\pyproject.toml",
        b"/assets/leaflet/..\\..\\__init__.py",
        b"http://127.0.0.1/static/../../pyproject.toml",
        b"/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        b"*",
    ],
)
def test_raw_traversals_are_404s(live_port, target):
    answer = send_raw(live_port, get(target))
    if target.decode() in DOUBLED_SLASHES:
        assert answer.status == 404 and "Location" not in answer.headers
    _check_raw(answer)


@pytest.mark.parametrize(
    "target",
    [
        b"/%ff",
        b"/features/%c0%af",
        b"/features?q=%ff%fe",
        b"/api/features?q=%ff%fe",
        b"/ogc/collections/atlas/items?q=%ed%a0%80",
        b"/\xff",
        b"/features?q=\xff\xfe",
    ],
)
def test_raw_bytes_that_are_not_utf8_are_400s(live_port, target):
    _check_raw(send_raw(live_port, get(target)), range(400, 401))


@pytest.mark.parametrize("path", LONG_URLS.values(), ids=LONG_URLS)
def test_raw_over_long_addresses_are_414s(live_port, path):
    _check_raw(send_raw(live_port, get(path.encode())), range(414, 415))


@pytest.mark.parametrize(
    "request_bytes",
    [
        get(b"/features?q=" + b"a" * 300_000),
        get(b"/", headers=b"Host: 127.0.0.1\r\nX-Big: " + b"a" * 300_000 + b"\r\n"),
        get(b"/", headers=b"Host: 127.0.0.1\r\n" + b"X-Many: aaaaaaaaaa\r\n" * 20_000),
    ],
    ids=["request line 300 KB", "one header 300 KB", "20,000 headers"],
)
def test_raw_huge_requests_are_431s(live_port, request_bytes):
    _check_raw(send_raw(live_port, request_bytes), range(431, 432))


@pytest.mark.parametrize(
    "headers",
    [
        b"",
        b"Host: a\r\nHost: b\r\n",
        *[b"Host: " + host.encode() + b"\r\n" for host in BAD_HOSTS],
    ],
    ids=["no Host", "two Hosts", *BAD_HOSTS],
)
def test_raw_missing_or_invalid_hosts_are_400s(live_port, headers):
    _check_raw(send_raw(live_port, get(b"/features", headers=headers)), range(400, 401))


@pytest.mark.parametrize(("method", "path"), BAD_METHODS)
def test_raw_unknown_methods_are_405s(live_port, method, path):
    answer = send_raw(live_port, get(path.encode(), method=method.encode()))
    _check_raw(answer, range(405, 406))


#: Requests no server may read as valid, by what is wrong with them.
MALFORMED = {
    "bad method token": get(b"/", method=b"G@T"),
    "space in target": get(b"/", method=b"GET /x"),
    "header without colon": get(b"/", headers=b"Host: 127.0.0.1\r\nNo colon here\r\n"),
    "NUL in header": get(b"/", headers=b"Host: 127.0.0.1\r\nX-Nul: a\x00b\r\n"),
    "negative length": get(b"/", headers=b"Host: 127.0.0.1\r\nContent-Length: -1\r\n"),
    "two lengths": get(
        b"/", headers=b"Host: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n"
    ),
}


@pytest.mark.parametrize("request_bytes", MALFORMED.values(), ids=MALFORMED)
def test_raw_malformed_requests_are_4xx(live_port, request_bytes):
    _check_raw(send_raw(live_port, request_bytes))


def test_raw_unknown_transfer_coding_is_waitress_501(live_port):
    """The one 5xx: waitress answers 501 to a transfer coding it does not know, as RFC 9112
    section 6.1 asks, before the app sees the request."""
    headers = b"Host: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked, x\r\n"
    answer = send_raw(live_port, get(b"/", headers=headers, method=b"POST"))
    assert answer.status == 501 and answer.by_waitress


def test_raw_valid_request_is_served(live_port):
    answer = send_raw(live_port, get(b"/features?kind=site"))
    assert answer.status == 200
    assert hostile.security_header_problems(answer.headers) == []
