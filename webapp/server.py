"""Serve the app (the CLI's ``serve`` command): granian by default, or waitress.

Both run the same WSGI app: Flask behind :class:`~webapp.http.replay.ResponseCache`, which
replays the answers that only change with the data (the map page, its files, downloads, API
answers) without running Flask again. granian, a server written in Rust, serves about twenty
times more requests a second than waitress, which is pure Python (bench/RESULTS.md).

Both are set up to hold under clients that abuse them (:data:`IDLE_TIMEOUT`, :class:`Bounded`,
:class:`StrictParser`): connections that say nothing are closed, a client that reads slowly
holds a bounded amount of memory, a request that could be read two ways is refused, and SIGTERM
lets the requests in flight finish.

The app is built, and the data checked, in the calling process before any server starts, so
missing or corrupt data stops ``serve`` at once with the file named. granian then runs it in
worker processes: forked from this one where processes fork (Linux), so they share the loaded
atlas and start at once; elsewhere started afresh, each building the app again over the
directory given in ``$CORRIDOR_ATLAS_DATA_DIR`` (:func:`granian_app`).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from granian import Granian
from granian.constants import Interfaces
from granian.http import HTTP1Settings
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from webapp import create_app

SERVERS = ("granian", "waitress")
#: How granian's workers started afresh learn the data directory, proxy settings and threads.
DATA_DIR_VARIABLE = "CORRIDOR_ATLAS_DATA_DIR"
PROXY_HEADERS_VARIABLE = "CORRIDOR_ATLAS_PROXY_HEADERS"
PUBLIC_URL_VARIABLE = "CORRIDOR_ATLAS_PUBLIC_URL"
THREADS_VARIABLE = "CORRIDOR_ATLAS_THREADS"
#: Python threads running the app, per process (waitress's own default).
DEFAULT_THREADS = 4
#: Heaps glibc's malloc keeps for the app's threads (``mallopt``'s M_ARENA_MAX).
M_ARENA_MAX, MALLOC_ARENAS = -8, 2
#: Seconds granian gives a worker to finish its requests when stopping, before killing it.
STOP_TIMEOUT = 5
#: Seconds a connection may wait for its next request (or its headers), and, on waitress, may
#: move no byte either way, before the server closes it.
IDLE_TIMEOUT = 10
#: How often (seconds) waitress looks for connections idle for longer than IDLE_TIMEOUT.
WAITRESS_CLEANUP_INTERVAL = 2
#: Connections waitress keeps open at once (its default, 100, lets a hundred idle connections
#: shut everyone else out until they time out).
WAITRESS_CONNECTIONS = 1000
#: Bytes of a waitress connection's pending output kept in memory before the rest goes to a
#: temporary file (waitress's default is 1 MB: a gigabyte for a thousand slow readers).
WAITRESS_OUTBUF_MEMORY = 256 * 1024
#: Slow readers a granian worker keeps streaming to at once. Each holds one of granian's
#: threads, waiting with the GIL released, until its client takes the next chunk.
GRANIAN_STREAMS = 256
#: Bytes hyper buffers per granian connection, reading a request or writing an answer: a
#: request head above this is refused (431) by granian itself.
GRANIAN_BUFFER = 64 * 1024
#: Bodies larger than this are handed to granian in :data:`STREAM_CHUNK` slices: given whole,
#: granian copies the body for each client, and a slow client holds the copy.
STREAM_ABOVE = 256 * 1024
STREAM_CHUNK = 64 * 1024


class ServeError(RuntimeError):
    """The server cannot start as asked: options that do not fit it, or an address in use."""


def wsgi_app(
    data_dir: Path | str | None = None,
    proxy_headers: int = 0,
    public_url: str | None = None,
    limits: Mapping[str, int] | None = None,
) -> Flask:
    """The app as it is served (``create_app`` puts the response cache in front of Flask).

    ``proxy_headers`` is how many proxies' X-Forwarded-* headers to trust; ``public_url``, when
    given, starts every absolute link instead of the request's Host; ``limits`` override the
    app's sizes (``webapp.state.Limits``).
    """
    app = create_app(
        {
            "DATA_DIR": data_dir,
            "PROXY_HEADERS": proxy_headers,
            "PUBLIC_URL": public_url,
            "LIMITS": limits,
        }
    )
    return_freed_memory()
    return app


class Bounded:
    """A WSGI middleware for granian: at most ``threads`` requests run the app at once, and a
    large body is handed over in slices.

    granian streams an iterable body from one of its threads, which waits (GIL released) while
    the client is slow to read, so its pool is sized for :data:`GRANIAN_STREAMS` slow readers
    besides the app's threads; this keeps the app itself to the ``threads`` asked for. A body
    given whole (a list) is copied by granian for each client and held until sent; in slices
    each slow client holds about one slice.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], threads: int) -> None:
        self.app = app
        self._running = threading.BoundedSemaphore(threads)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        with self._running:
            result = self.app(environ, start_response)
        if isinstance(result, list) and sum(map(len, result)) > STREAM_ABOVE:
            return _slices(result)
        return result


def _slices(parts: list[bytes]) -> Iterator[bytes]:
    for part in parts:
        view = memoryview(part)
        for start in range(0, len(view), STREAM_CHUNK):
            yield bytes(view[start : start + STREAM_CHUNK])


class StrictParser(HTTPRequestParser):
    """waitress's request parser, refusing (400, then closing the connection) a request that
    carries both Content-Length and Transfer-Encoding.

    waitress reads such a body as chunked and ignores the length (RFC 9112 section 6.1 allows
    it), but a proxy in front that trusts the length would see a different request end: the
    classic request-smuggling pattern. RFC 9112 lets a server refuse it; waitress has no
    setting for that, and its WSGI environ no longer shows the Transfer-Encoding, so the check
    sits here. A parse error makes waitress answer 400 and close the connection, so no byte of
    the body is read as a next request.
    """

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        if self.chunked and "CONTENT_LENGTH" in self.headers:
            raise ParsingError("Content-Length and Transfer-Encoding together")


class StrictChannel(HTTPChannel):
    """waitress's connection, parsing requests with :class:`StrictParser`."""

    parser_class = StrictParser


def return_freed_memory() -> None:
    """Give the memory freed while the data was loaded back to the system.

    Loading parses every feature, and glibc keeps the freed heap for later use: about a
    hundred megabytes at 100,000 features, which a server would otherwise hold (and a forked
    worker share) for nothing. Elsewhere than glibc this does nothing.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        _libc().malloc_trim(0)


def share_malloc_arenas() -> None:
    """Let the threads that run the app share :data:`MALLOC_ARENAS` heaps (glibc's default is
    up to eight per core, each keeping what its thread freed): about ten megabytes less at
    100,000 features, no change in speed here. Call it before any thread starts."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().mallopt(M_ARENA_MAX, MALLOC_ARENAS)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL("libc.so.6")


def granian_app() -> Flask:
    """The app of a granian worker started afresh (its factory), over the data directory
    in ``$CORRIDOR_ATLAS_DATA_DIR``."""
    _ignore_ctrl_c()
    app = wsgi_app(
        os.environ.get(DATA_DIR_VARIABLE) or None,
        int(os.environ.get(PROXY_HEADERS_VARIABLE) or 0),
        os.environ.get(PUBLIC_URL_VARIABLE) or None,
    )
    threads = int(os.environ.get(THREADS_VARIABLE) or DEFAULT_THREADS)
    app.wsgi_app = Bounded(app.wsgi_app, threads)  # type: ignore[method-assign]
    return app


def make_server(
    data_dir: Path | str | None,
    host: str = "127.0.0.1",
    port: int = 0,
    threads: int = DEFAULT_THREADS,
    **settings: Any,
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server over the app, not yet running; port 0 picks a free port.

    Call ``.run()`` to serve and ``.close()`` to stop; ``.effective_port`` is the bound port.
    Tests use this to run a real server in a background thread. ``settings`` go to
    :func:`wsgi_app`.
    """
    waitress = create_server(
        wsgi_app(data_dir, **settings),
        host=host,
        port=port,
        threads=threads,
        channel_timeout=IDLE_TIMEOUT,
        cleanup_interval=WAITRESS_CLEANUP_INTERVAL,
        connection_limit=WAITRESS_CONNECTIONS,
        outbuf_overflow=WAITRESS_OUTBUF_MEMORY,
        # waitress drops X-Forwarded-* unless told to keep them; the app's ProxyFix reads them
        # when PROXY_HEADERS asks it to, so that one mechanism serves both servers.
        clear_untrusted_proxy_headers=not settings.get("proxy_headers"),
    )
    servers = waitress.map.values() if isinstance(waitress, MultiSocketServer) else [waitress]
    for each in servers:
        if isinstance(each, BaseWSGIServer):
            each.channel_class = StrictChannel
    return waitress


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: Path | str | None = None,
    server: str = "granian",
    workers: int = 1,
    threads: int = DEFAULT_THREADS,
    proxy_headers: int = 0,
    public_url: str | None = None,
) -> None:
    """Serve the atlas built in ``data_dir`` (default: the geodata package) until SIGINT/SIGTERM.

    ``server`` is "granian" (``workers`` processes of ``threads`` threads) or "waitress" (one
    process). ``proxy_headers`` trusts that many proxies' X-Forwarded-* headers (0: none);
    ``public_url`` starts every absolute link (the Host header is then never reflected).
    SIGTERM stops accepting connections and lets the requests in flight finish, for up to
    :data:`STOP_TIMEOUT` seconds. Raises ``AtlasDataError`` for bad data and
    :class:`ServeError` for bad options or an address that cannot be listened on, both before
    serving anything.
    """
    if server not in SERVERS:
        raise ServeError(f"unknown server {server!r}: choose one of {', '.join(SERVERS)}")
    if workers < 1 or threads < 1:
        raise ServeError("workers and threads must be at least 1")
    if server == "waitress" and workers != 1:
        raise ServeError(
            f"waitress serves from one process, so {workers} workers cannot be started: "
            "use --server granian for several workers, or --threads"
        )
    if proxy_headers < 0:
        raise ServeError(f"--proxy-headers counts proxies: 0 or more, not {proxy_headers}")
    if public_url is not None:
        public_url = checked_public_url(public_url)
    settings = {"proxy_headers": proxy_headers, "public_url": public_url}
    address, port = listenable(host, port)
    share_malloc_arenas()
    if server == "granian":
        _serve_granian(address, port, data_dir, workers, threads, settings)
    else:
        _serve_waitress(address, port, data_dir, threads, settings)


def checked_public_url(url: str) -> str:
    """``url`` without a trailing slash, if it is an absolute http(s) URL with a host and no
    query or fragment; else :class:`ServeError` saying what is wrong.

    >>> checked_public_url("https://atlas.example/")
    'https://atlas.example'
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ServeError(
            f"--public-url {url!r} is not an absolute http(s) address without query or "
            "fragment, such as https://atlas.example"
        )
    return url.rstrip("/")


def listenable(host: str, port: int) -> tuple[str, int]:
    """The IP address ``host`` names, and ``port`` (a free one if 0), checked free to listen on.

    >>> listenable("localhost", 0)[0] in ("127.0.0.1", "::1")
    True
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
            return address[0], probe.getsockname()[1]
    except OSError as err:
        reason = err.strerror or str(err)
        raise ServeError(f"cannot listen on {host}:{port}: {reason}") from err


def _url(address: str, port: int) -> str:
    return f"http://[{address}]:{port}" if ":" in address else f"http://{address}:{port}"


def _serve_waitress(
    address: str, port: int, data_dir: Path | str | None, threads: int, settings: dict[str, Any]
) -> None:
    waitress = make_server(data_dir, host=address, port=port, threads=threads, **settings)
    assert isinstance(waitress, BaseWSGIServer)  # one address, so one server
    print(f"Serving the Corridor Atlas on {_url(address, port)} (waitress, {threads} threads)")
    sys.stdout.flush()
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        waitress.accepting = False  # new connections wait in the backlog, then are refused
        stopping.set()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        _run_until_drained(waitress, stopping)
    except KeyboardInterrupt:
        # Ctrl-C: as SIGTERM, the answers already being sent are finished (closing their
        # connections under waitress's threads would raise in them); a second Ctrl-C stops at
        # once.
        stop(signal.SIGINT, None)
        with contextlib.suppress(KeyboardInterrupt):
            _run_until_drained(waitress, stopping)
    finally:
        signal.signal(signal.SIGTERM, previous)
        waitress.close()  # stops its threads and closes every connection left


def _run_until_drained(waitress: BaseWSGIServer, stopping: threading.Event) -> None:
    """Run waitress's loop (as ``waitress.run()`` does) until ``stopping`` is set and then no
    connection has a request running or output unsent, or :data:`STOP_TIMEOUT` has passed.

    ``waitress.run()`` stops on SystemExit at once, with answers still in the connections'
    buffers: a download in flight would be cut short.
    """
    deadline = None
    while True:
        wasyncore.loop(timeout=0.2, map=waitress._map, count=1)  # its map, as run() uses
        if not stopping.is_set():
            continue
        deadline = deadline or time.monotonic() + STOP_TIMEOUT
        busy = [c for c in waitress.active_channels.values() if c.requests or c.total_outbufs_len]
        if not busy or time.monotonic() > deadline:
            return


def _serve_granian(
    address: str,
    port: int,
    data_dir: Path | str | None,
    workers: int,
    threads: int,
    settings: dict[str, Any],
) -> None:
    app = wsgi_app(data_dir, **settings)
    app.wsgi_app = Bounded(app.wsgi_app, threads)  # type: ignore[method-assign]
    granian = Granian(
        "webapp.server:granian_app",
        factory=True,
        address=address,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads + GRANIAN_STREAMS,
        websockets=False,
        workers_kill_timeout=STOP_TIMEOUT,
        http1_settings=HTTP1Settings(
            header_read_timeout=IDLE_TIMEOUT * 1000, max_buffer_size=GRANIAN_BUFFER
        ),
    )
    logging.getLogger("_granian").addFilter(_not_the_thread_count_warning)
    plural = "worker" if workers == 1 else "workers"
    banner = f"Serving the Corridor Atlas on {_url(address, port)} (granian, {workers} {plural})"
    granian.on_startup(lambda: print(banner, flush=True))  # once it listens, before workers
    if multiprocessing.get_start_method() == "fork":  # workers forked from here serve `app`

        def forked_app(_target: str) -> Flask:
            _ignore_ctrl_c()
            return app

        gc.freeze()  # the collector leaves the app's objects alone, so workers keep sharing them
        granian.serve(target_loader=forked_app)
    else:  # workers start afresh and import granian_app: they need the directory checked here
        os.environ[DATA_DIR_VARIABLE] = str(Path(app.config["DATA_DIR"]).resolve())
        os.environ[PROXY_HEADERS_VARIABLE] = str(settings["proxy_headers"])
        os.environ[PUBLIC_URL_VARIABLE] = settings["public_url"] or ""
        os.environ[THREADS_VARIABLE] = str(threads)
        del app
        gc.collect()  # Flask's app holds reference cycles
        granian.serve()


def _not_the_thread_count_warning(record: logging.LogRecord) -> bool:
    """Drop granian's warning that its thread pool is large for the cores: the pool is sized
    for slow readers waiting with the GIL released, and :class:`Bounded` keeps the app to the
    threads asked for."""
    return "Python threads, which seems quite high" not in record.getMessage()


def _ignore_ctrl_c() -> None:
    """Block SIGINT in this granian worker (and the threads it starts later).

    Ctrl-C in a terminal reaches every process of the group, and a granian 2.8 worker that gets
    SIGINT and then its server's SIGTERM sometimes never stops (about one time in two here) and
    is killed after :data:`STOP_TIMEOUT`. The server stops its workers itself on either signal.
    A worker started afresh already runs a second thread here, which may still take the SIGINT.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
