"""Serve the app with waitress, a production WSGI server (the CLI's ``serve`` command)."""

from __future__ import annotations

import sys
from pathlib import Path

from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from webapp import create_app


def make_server(
    data_dir: Path | str | None, host: str = "127.0.0.1", port: int = 0
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server over the app, not yet running; port 0 picks a free port.

    Call ``.run()`` to serve and ``.close()`` to stop; ``.effective_port`` is the bound port.
    Tests use this to run a real server in a background thread.
    """
    app = create_app({"DATA_DIR": data_dir})
    return create_server(app, host=host, port=port)


def serve(host: str = "127.0.0.1", port: int = 8000, data_dir: Path | str | None = None) -> None:
    """Serve the atlas built in ``data_dir`` (default: the geodata package) until interrupted."""
    server = make_server(data_dir, host=host, port=port)
    server.print_listen("Serving the Corridor Atlas on http://{}:{}")
    sys.stdout.flush()
    server.run()
