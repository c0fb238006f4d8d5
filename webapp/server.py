"""Serve the app (the CLI's ``serve`` command): granian by default, or waitress.

Both run the same WSGI app: Flask behind :class:`~webapp.response_cache.ResponseCache`, which
replays the answers that only change with the data (the map page, its files, downloads, API
answers) without running Flask again. granian, a server written in Rust, serves about twenty
times more requests a second than waitress, which is pure Python (bench/RESULTS.md).

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
import multiprocessing
import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType

from flask import Flask
from granian import Granian
from granian.constants import Interfaces
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from webapp import create_app
from webapp.response_cache import ResponseCache

SERVERS = ("granian", "waitress")
#: How granian's workers started afresh learn the data directory.
DATA_DIR_VARIABLE = "CORRIDOR_ATLAS_DATA_DIR"
#: Python threads running the app, per process (waitress's own default).
DEFAULT_THREADS = 4
#: Heaps glibc's malloc keeps for the app's threads (``mallopt``'s M_ARENA_MAX).
M_ARENA_MAX, MALLOC_ARENAS = -8, 2
#: Seconds granian gives a worker to finish its requests when stopping, before killing it.
STOP_TIMEOUT = 5


class ServeError(RuntimeError):
    """The server cannot start as asked: options that do not fit it, or an address in use."""


def wsgi_app(data_dir: Path | str | None = None) -> Flask:
    """The app as it is served: Flask, with the response cache in front of it."""
    app = create_app({"DATA_DIR": data_dir})
    app.wsgi_app = ResponseCache(app.wsgi_app)  # type: ignore[method-assign]
    return_freed_memory()
    return app


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
    return wsgi_app(os.environ.get(DATA_DIR_VARIABLE) or None)


def make_server(
    data_dir: Path | str | None,
    host: str = "127.0.0.1",
    port: int = 0,
    threads: int = DEFAULT_THREADS,
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server over the app, not yet running; port 0 picks a free port.

    Call ``.run()`` to serve and ``.close()`` to stop; ``.effective_port`` is the bound port.
    Tests use this to run a real server in a background thread.
    """
    return create_server(wsgi_app(data_dir), host=host, port=port, threads=threads)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: Path | str | None = None,
    server: str = "granian",
    workers: int = 1,
    threads: int = DEFAULT_THREADS,
) -> None:
    """Serve the atlas built in ``data_dir`` (default: the geodata package) until SIGINT/SIGTERM.

    ``server`` is "granian" (``workers`` processes of ``threads`` threads) or "waitress" (one
    process). Raises ``AtlasDataError`` for bad data and :class:`ServeError` for bad options or
    an address that cannot be listened on, both before serving anything.
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
    address, port = listenable(host, port)
    share_malloc_arenas()
    if server == "granian":
        _serve_granian(address, port, data_dir, workers, threads)
    else:
        _serve_waitress(address, port, data_dir, threads)


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


def _serve_waitress(address: str, port: int, data_dir: Path | str | None, threads: int) -> None:
    waitress = make_server(data_dir, host=address, port=port, threads=threads)
    print(f"Serving the Corridor Atlas on {_url(address, port)} (waitress, {threads} threads)")
    sys.stdout.flush()
    previous = signal.signal(signal.SIGTERM, _stop_waitress)
    try:
        waitress.run()  # returns on SystemExit or KeyboardInterrupt, its threads stopped
    finally:
        signal.signal(signal.SIGTERM, previous)
        waitress.close()


def _stop_waitress(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _serve_granian(
    address: str, port: int, data_dir: Path | str | None, workers: int, threads: int
) -> None:
    app = wsgi_app(data_dir)
    granian = Granian(
        "webapp.server:granian_app",
        factory=True,
        address=address,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        websockets=False,
        workers_kill_timeout=STOP_TIMEOUT,
    )
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
        del app
        gc.collect()  # Flask's app holds reference cycles
        granian.serve()


def _ignore_ctrl_c() -> None:
    """Block SIGINT in this granian worker (and the threads it starts later).

    Ctrl-C in a terminal reaches every process of the group, and a granian 2.8 worker that gets
    SIGINT and then its server's SIGTERM sometimes never stops (about one time in two here) and
    is killed after :data:`STOP_TIMEOUT`. The server stops its workers itself on either signal.
    A worker started afresh already runs a second thread here, which may still take the SIGINT.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
