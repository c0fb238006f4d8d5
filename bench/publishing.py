"""Benchmark 7: the published site (``corridor-atlas publish``) served by nginx, beside the app.

* Serving, 50 connections (wrk, best of :data:`RUNS` runs of :data:`SECONDS` s): the same
  pages and downloads asked of the seed atlas published and served by Debian's nginx with the
  configuration the publish writes (``tests/support/static_site.serving_static``: no Python
  serving), of the app on granian (``corridor-atlas serve``, as benchmark 4 runs it: one
  worker), and of nginx's own figure: nginx with the same process settings (the harness's
  ``nginx.conf``: one worker, access log on) around a bare ``server {}`` serving the very bytes
  the published site answered, each from one plain file. So the ratio is the cost of the
  published site's configuration (``try_files``, headers), nothing else. The published site
  and the bare nginx run side by side and are measured in turn, path by path and run by run,
  so that drift on the shared cores hits both. wrk sends no ``Accept-Encoding``: every server
  answers the uncompressed bytes.
* Publishing: ``corridor-atlas publish`` as a child process over the seed atlas and over the
  100,000-site atlas of benchmark 5 (its built directory is reused when benchmark 5 ran in the
  same ``make bench``, else built here): wall time, peak memory of its process tree (PSS,
  sampled: the publish may fork workers), and the site's size: files and bytes on disk, of
  which the precompressed ``.gz`` and ``.br`` copies; and the bytes the published site sends
  for each page or download to a browser asking for gzip or Brotli (the README's cost model
  reads these).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
import urllib.request
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench import scale
from bench.tools import (
    BIN,
    ROOT,
    Load,
    MemoryWatch,
    Row,
    atlas_server,
    background,
    pss_mb,
    wrk,
)
from tests.support.harness import free_port, wait_until_up
from tests.support.static_site import nginx_executable, nginx_main_config, serving_static

SECTION = "7. Publishing (static site on nginx)"
SECONDS = 5
RUNS = 3
#: The published site should serve at nginx's own rate; 0.9 leaves room for its extra work
#: (security and cache headers, ``try_files`` looking for ``P``, then ``P.html``) and for the
#: noise of wrk and nginx sharing two cores.
TARGET = 0.9
#: The feature page asked for (the issue's example site).
FEATURE = "bekabad-industrial-park"
#: The OGC collection whose first items page is asked for.
COLLECTION = "sites"
#: The encodings a browser asks for, whose sizes are reported.
ENCODINGS = ("gzip", "br")


@dataclass(frozen=True)
class Published:
    """One ``corridor-atlas publish`` run and the site it wrote, beside the atlas it read."""

    seconds: float
    peak_mb: float
    files: int
    bytes: int
    compressed_bytes: int
    features: int
    built_bytes: int


def paths(data_dir: Path) -> dict[str, str]:
    """What is asked: the app's URL path -> the published site's, for the same resource."""
    sources = json.loads((data_dir / "sources.json").read_text(encoding="utf-8"))
    source = sources["seeds"][0]["slug"]
    items = f"/ogc/collections/{COLLECTION}/items"
    return {
        "/": "/",
        f"/features/{FEATURE}": f"/features/{FEATURE}",
        f"/sources/{source}": f"/sources/{source}",
        "/features": "/features",
        "/data/atlas.geojson": "/data/atlas.geojson",
        items: published_items(COLLECTION),
    }


def published_items(collection: str) -> str:
    """The published name of a collection's first items page (contract.md, H5's Changes)."""
    return f"/ogc/collections/{collection}/items.json"


def publish(data_dir: Path, site: Path) -> Published:
    """Publish ``data_dir`` into ``site`` with the command, its time and the peak memory of
    its process tree (it may fork workers: PSS shares their common pages out fairly)."""
    args = [str(BIN / "corridor-atlas"), "publish", str(site), "--data-dir", str(data_dir)]
    log = site.with_name(f"{site.name}.log")
    with log.open("wb") as output:
        started = time.perf_counter()
        child = subprocess.Popen(args, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        with MemoryWatch(child.pid, every=0.2) as watch:
            returncode = child.wait()
        seconds = time.perf_counter() - started
    if returncode != 0:
        raise RuntimeError(f"corridor-atlas publish failed:\n{log.read_text(errors='replace')}")
    return Published(seconds, watch.peak_mb, *site_size(site), *_atlas(data_dir))


def site_size(site: Path) -> tuple[int, int, int]:
    """A published site's files (not counting their ``.gz`` and ``.br`` copies), their bytes,
    and the bytes of the copies: as ``PublishReport`` counts them."""
    files = [each for each in site.rglob("*") if each.is_file()]
    copies = [each for each in files if each.suffix in {".gz", ".br"}]
    originals = [each for each in files if each.suffix not in {".gz", ".br"}]
    return (
        len(originals),
        sum(each.stat().st_size for each in originals),
        sum(each.stat().st_size for each in copies),
    )


#: How each feature's line of atlas.geojson starts (the build writes one a line, compact).
FEATURE_LINE = ('{"type":"Feature"', '{"type": "Feature"')


def _atlas(data_dir: Path) -> tuple[int, int]:
    """Features in the built atlas (one a line) and the bytes of the built files."""
    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    built = sum(int(entry["size"]) for entry in manifest["files"].values())
    with (data_dir / "atlas.geojson").open(encoding="utf-8") as lines:
        features = sum(1 for line in lines if line.startswith(FEATURE_LINE))
    return features, built


def _body(url: str, encoding: str = "identity") -> bytes:
    """The body as sent (a compressed one is left compressed)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.headers.get("Content-Encoding", "identity") != encoding:
            raise RuntimeError(f"{url}: asked for {encoding}, sent {response.headers}")
        return response.read()


def bytes_sent(site: Path, data_dir: Path) -> dict[str, dict[str, int]]:
    """For each app path of :func:`paths`: the bytes the published site sends for it, as is
    (``identity``) and to a browser asking for ``gzip`` and for ``br`` (Brotli: only when
    the nginx here has the brotli_static module, else left out)."""
    sizes: dict[str, dict[str, int]] = {}
    with serving_static(site) as base:
        base = base.rstrip("/")
        for path, published in paths(data_dir).items():
            sizes[path] = {"identity": len(_body(base + published))}
            for encoding in ENCODINGS:
                try:
                    sizes[path][encoding] = len(_body(base + published, encoding))
                except RuntimeError:
                    continue
    return sizes


def size_rows(sizes: dict[str, dict[str, int]]) -> list[Row]:
    """Bytes sent per page or download, compressed beside as is (the cost model's input)."""
    rows = []
    for path, sent in sizes.items():
        for encoding in ENCODINGS:
            if encoding in sent:
                rows.append(
                    Row(
                        SECTION,
                        f"published site: {path}, bytes sent ({encoding})",
                        sent[encoding],
                        "B",
                        "the same, uncompressed",
                        sent["identity"],
                        digits=0,
                    )
                )
    return rows


def _best(urls: dict[str, str], seconds: int, runs: int) -> dict[str, Load]:
    """For each name's URL, the run with the most requests/s of ``runs``, the URLs asked in
    turn at each run (so that a slow spell of the shared cores falls on each of them); a run
    with errors fails the benchmark."""
    loads: dict[str, list[Load]] = {name: [] for name in urls}
    for _ in range(runs):
        for name, url in urls.items():
            load = wrk(url, seconds)
            if load.errors:
                raise RuntimeError(f"{url} answered {load.errors} errors under load")
            loads[name].append(load)
    return {
        name: max(runs_of, key=lambda load: load.requests_per_second)
        for name, runs_of in loads.items()
    }


def measure_serving(
    site: Path,
    data_dir: Path,
    work: Path,
    seconds: int = SECONDS,
    runs: int = RUNS,
    only: Collection[str] = (),
) -> dict[str, dict[str, Load]]:
    """For each app path of :func:`paths` (or of ``only``, a short version): the load the
    published site ("published"), nginx's own figure ("nginx") and the app ("app") took."""
    asked = {
        path: published for path, published in paths(data_dir).items() if path in only or not only
    }
    measured: dict[str, dict[str, Load]] = {path: {} for path in asked}
    plain = work / "nginx-plain-root"
    plain.mkdir(parents=True, exist_ok=True)
    with serving_static(site) as base:
        base = base.rstrip("/")
        names = {}
        for number, (path, published) in enumerate(asked.items()):
            names[path] = f"file-{number}"
            (plain / names[path]).write_bytes(_body(base + published))
        with nginx_own(plain, work / "nginx-plain", names[next(iter(asked))]) as reference:
            for path, published in asked.items():
                urls = {"published": base + published, "nginx": f"{reference}/{names[path]}"}
                measured[path] |= _best(urls, seconds, runs)
    with atlas_server(data_dir) as (url, _, _):
        for path in asked:
            measured[path] |= _best({"app": url + path}, seconds, runs)
    return measured


@contextlib.contextmanager
def nginx_own(root: Path, work: Path, probe: str) -> Iterator[str]:
    """nginx serving ``root`` as plain files with the published site's process settings (the
    same ``nginx.conf`` around a bare ``server {}``, one worker): nginx's own figure."""
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    conf = work / "nginx.conf"
    server = f"server {{ listen 127.0.0.1:{port}; root {root}; }}"
    conf.write_text(nginx_main_config(server, work), encoding="utf-8")
    args = [nginx_executable(), "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)]
    with background([*args, "-g", "daemon off;"]) as process:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/{probe}", 15, process)
        yield url


def serving_rows(measured: dict[str, dict[str, Load]]) -> list[Row]:
    rows = []
    own = "nginx's own figure: one plain file, the same bytes"
    for path, loads in measured.items():
        published, reference, app = loads["published"], loads["nginx"], loads["app"]
        ratio = published.requests_per_second / reference.requests_per_second
        rows += [
            Row(
                SECTION,
                f"published site via nginx: {path}, requests/s",
                published.requests_per_second,
                "req/s",
                own,
                reference.requests_per_second,
                target=f"≥ {TARGET:g}× nginx's own",
                met=ratio >= TARGET,
                digits=0,
            ),
            Row(
                SECTION,
                f"published site via nginx: {path}, p99 ms",
                published.p99_ms,
                "ms",
                own,
                reference.p99_ms,
            ),
            Row(
                SECTION,
                f"the app via granian: {path}, requests/s",
                app.requests_per_second,
                "req/s",
                "published site via nginx",
                published.requests_per_second,
                digits=0,
            ),
            Row(
                SECTION,
                f"the app via granian: {path}, p99 ms",
                app.p99_ms,
                "ms",
                "published site via nginx",
                published.p99_ms,
            ),
        ]
    return rows


def publish_rows(label: str, done: Published, before: tuple[str, float, float]) -> list[Row]:
    """Time, memory and size of one publish. ``before`` names what its time and memory stand
    beside (a label, seconds, MB); its files stand beside the atlas's features, its bytes
    beside the built files it was published from."""
    reference, seconds, megabytes = before
    features = f"features in the atlas ({done.features:,})"
    return [
        Row(SECTION, f"publish {label}, s", done.seconds, "s", reference, seconds),
        Row(
            SECTION,
            f"publish {label}, peak memory of its processes (PSS), MB",
            done.peak_mb,
            "MB",
            reference,
            megabytes,
            digits=0,
        ),
        Row(
            SECTION,
            f"published {label}: files (without their .gz and .br copies)",
            done.files,
            "",
            features,
            done.features,
            digits=0,
        ),
        Row(
            SECTION,
            f"published {label}: bytes of those files",
            done.bytes,
            "B",
            "the built files (manifest.json)",
            done.built_bytes,
            digits=0,
        ),
        Row(
            SECTION,
            f"published {label}: bytes of their .gz and .br copies",
            done.compressed_bytes,
            "B",
            "the files they copy",
            done.bytes,
            digits=0,
        ),
    ]


def run(work: Path, seed_data: Path) -> tuple[list[Row], Published | None]:
    """The seed atlas published, served and measured: the rows, and its publish (the
    reference of :func:`run_large`)."""
    seed_site = work / "published-seed"
    seed = publish(seed_data, seed_site)
    with atlas_server(seed_data) as (_, process, seed_start):
        seed_pss = pss_mb(process.pid)
    server = ("the app over the seed atlas (its start; its PSS after start)", seed_start, seed_pss)
    rows = publish_rows("seed atlas", seed, server)
    rows += size_rows(bytes_sent(seed_site, seed_data))
    rows += serving_rows(measure_serving(seed_site, seed_data, work))
    return rows, seed


def run_large(work: Path, cache: Path, seed: Published | None) -> list[Row]:
    """The 100,000-site atlas published: benchmark 5's build when it ran, else built here.
    Apart from :func:`run`, so that a failure here keeps the seed's figures."""
    big_data = work / "data-100k"
    if not (big_data / "manifest.json").exists():
        catalogue = scale._catalogue(work / "synthetic-100k.json", scale.SITES, scale.CORRIDORS)
        scale._build(catalogue, big_data, cache)
    big = publish(big_data, work / "published-100k")
    reference = ("publish of the seed atlas", float("nan"), float("nan"))
    if seed is not None:
        reference = ("publish of the seed atlas", seed.seconds, seed.peak_mb)
    return publish_rows("100,000 sites", big, reference)
