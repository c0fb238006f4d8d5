"""The published atlas as readers get it: ``corridor-atlas publish`` into a folder, served by
Debian's nginx with the configuration publish writes (``webapp.publish.servers``), no Python
process serving anything.

For the reader tests (``tests/publish/``) and the publishing benchmark (``bench/``); like
:mod:`tests.support.harness` it imports nothing from pytest, and its failures are plain
exceptions saying what to do.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.support.harness import ServerExited, free_port, wait_until_up
from webapp.publish.servers import BROTLI_STATIC_MODULE, brotli_static_available, nginx_config

#: Sites already published this session, by their arguments: publishing takes seconds.
_PUBLISHED: dict[tuple, Path] = {}


class NginxMissing(FileNotFoundError):
    """Debian's nginx is not installed: the published site cannot be served."""


def nginx_executable() -> str:
    """Debian's nginx (in /usr/sbin, outside a normal user's PATH)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        raise NginxMissing(
            "nginx is not installed, so the published site cannot be served. Install Debian's "
            "with `apt-get install nginx libnginx-mod-http-brotli-static` (`make test` does)."
        )
    return found


def published_site(tmp: Path, **options: Any) -> Path:
    """The atlas published into a folder under ``tmp`` by ``webapp.publish.publish_site`` with
    ``options`` (``data_dir``, ``live_api``, ``public_url``), once per session and options."""
    from webapp.publish import publish_site

    key = tuple(sorted((name, str(value)) for name, value in options.items()))
    site = _PUBLISHED.get(key)
    if site is None or not site.is_dir():
        site = Path(tmp) / f"site-{len(_PUBLISHED)}"
        publish_site(site, **options)
        _PUBLISHED[key] = site
    return site


def nginx_main_config(server_block: str, work: Path) -> str:
    """A whole nginx.conf around ``server_block`` that runs as the current user: pid, logs and
    temporary files in ``work``, one worker, brotli_static loaded if installed."""
    # As root, nginx's workers would become nobody, who cannot read a user's temporary folders.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    module = f"load_module {BROTLI_STATIC_MODULE};\n" if brotli_static_available() else ""
    temporary = "\n".join(
        f"  {kind}_temp_path {work}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{module}{user}worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log {work}/access.log;
  sendfile on;
{temporary}
{server_block}
}}
"""


@contextlib.contextmanager
def serving_static(site: Path, prefix: str = "/", port: int | None = None) -> Iterator[str]:
    """nginx serving the published ``site`` at ``prefix`` on a loopback port (``port``, else a
    free one), in the foreground, until the context ends; yields the base URL ending in
    ``prefix``."""
    binary = nginx_executable()
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="atlas-nginx-") as folder:
        work = Path(folder)
        server = nginx_config(site, prefix=prefix, listen=f"127.0.0.1:{port}")
        conf = work / "nginx.conf"
        conf.write_text(nginx_main_config(server, work), encoding="utf-8")
        output = (work / "output.txt").open("w")
        command = [binary, "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)]
        process = subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}{prefix}"
        try:
            try:
                wait_until_up(url, 15, process)
            except (ServerExited, TimeoutError) as failed:
                log = (work / "output.txt").read_text() + (work / "error.log").read_text()
                raise ServerExited(f"nginx did not serve {url}: {failed}\n{log}") from failed
            yield url
        finally:
            _stop(process)
            output.close()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET with no redirect followed: status, headers (lower-case names), body."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _stop(process: subprocess.Popen) -> None:
    """Stop nginx by its own pid (a quick shutdown), then whatever is left of its group."""
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
