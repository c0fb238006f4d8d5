"""Serve the app (the CLI's ``serve`` command): waitress by default, or granian.

Both run the same WSGI app: Flask behind :class:`~webapp.response_cache.ResponseCache`, which
replays the answers that only change with the data (the map page, its files, downloads, API
answers) without running Flask again. waitress is pure Python; granian, a server written in
Rust (``pip install granian``), serves several times more requests a second on the same
machine (bench/RESULTS.md), in ``workers`` processes that each load the atlas.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from webapp import create_app
from webapp.response_cache import ResponseCache

SERVERS = ("waitress", "granian")
#: How granian's worker processes learn the data directory (they import the app themselves).
DATA_DIR_VARIABLE = "CORRIDOR_ATLAS_DATA_DIR"


def wsgi_app(data_dir: Path | str | None = None) -> Flask:
    """The app as it is served: Flask, with the response cache in front of it."""
    app = create_app({"DATA_DIR": data_dir})
    app.wsgi_app = ResponseCache(app.wsgi_app)  # type: ignore[method-assign]
    return app


def granian_app() -> Flask:
    """The app of one granian worker (its factory), over ``$CORRIDOR_ATLAS_DATA_DIR``."""
    return wsgi_app(os.environ.get(DATA_DIR_VARIABLE) or None)


def make_server(
    data_dir: Path | str | None, host: str = "127.0.0.1", port: int = 0
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server over the app, not yet running; port 0 picks a free port.

    Call ``.run()`` to serve and ``.close()`` to stop; ``.effective_port`` is the bound port.
    Tests use this to run a real server in a background thread.
    """
    return create_server(wsgi_app(data_dir), host=host, port=port)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: Path | str | None = None,
    server: str = "waitress",
    workers: int = 1,
) -> None:
    """Serve the atlas built in ``data_dir`` (default: the geodata package) until interrupted.

    ``server`` is "waitress" or "granian" (which runs ``workers`` processes).
    """
    if server == "granian":
        _serve_granian(host, port, data_dir, workers)
        return
    if server != "waitress":
        raise ValueError(f"unknown server {server!r}: choose one of {', '.join(SERVERS)}")
    waitress = make_server(data_dir, host=host, port=port)
    waitress.print_listen("Serving the Corridor Atlas on http://{}:{}")
    sys.stdout.flush()
    waitress.run()


def _serve_granian(host: str, port: int, data_dir: Path | str | None, workers: int) -> None:
    try:
        from granian import Granian
        from granian.constants import Interfaces
    except ImportError as err:
        raise RuntimeError("granian is not installed: pip install granian") from err
    create_app({"DATA_DIR": data_dir})  # fail here, with the data's error, not in a worker
    if data_dir is not None:
        os.environ[DATA_DIR_VARIABLE] = str(Path(data_dir).resolve())
    print(f"Serving the Corridor Atlas on http://{host}:{port} (granian, {workers} workers)")
    sys.stdout.flush()
    Granian(
        "webapp.server:granian_app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        websockets=False,
        log_access=False,
    ).serve()
