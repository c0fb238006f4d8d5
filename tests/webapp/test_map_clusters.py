"""The build's clusters of the large map's sites (webapp/map/clusters.py) are supercluster's:
the vendored script, run by node over the same points, gives the same clusters at every zoom."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from webapp.map.bundles import STATIC_DIR
from webapp.map.clusters import MAX_ZOOM, RADIUS, first_clusters

#: Supercluster (the page's copy) over the points in argv[3], as [lon, lat, count, id] per zoom.
SUPERCLUSTER = """
const fs = require("fs");
const module_ = { exports: {} };
new Function("module", "exports", "define", fs.readFileSync(process.argv[2], "utf8"))(
  module_, module_.exports, undefined);
const { lon, lat, radius, maxZoom } = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const points = lon.map((x, i) => ({ geometry: { coordinates: [x, lat[i]] }, properties: { i } }));
const index = new module_.exports({ radius, maxZoom }).load(points);
const zooms = [];
for (let zoom = 0; zoom <= maxZoom; zoom += 1) {
  zooms.push(index.getClusters([-180, -90, 180, 90], zoom).map((f) => {
    const p = f.properties;
    const [count, id] = p.cluster ? [p.point_count, p.cluster_id] : [1, p.i];
    return [...f.geometry.coordinates, count, id];
  }));
}
process.stdout.write(JSON.stringify(zooms));
"""


def _sites(count: int) -> tuple[list[float], list[float]]:
    """Sites as an atlas has them: many at a town's own position, some a few metres to
    kilometres off it, the rest scattered over the region, and a few at the map's edges."""
    rng = random.Random(15)
    towns = [(rng.uniform(50, 85), rng.uniform(36, 52)) for _ in range(40)]
    lon, lat = [], []
    for n in range(count):
        if n % 3 == 0:
            x, y = rng.choice(towns)
        elif n % 3 == 1:
            x, y = rng.choice(towns)
            x, y = x + rng.gauss(0, 0.02), y + rng.gauss(0, 0.02)
        else:
            x, y = rng.uniform(40, 90), rng.uniform(30, 56)
        lon.append(round(x, 5))
        lat.append(round(y, 5))
    lon += [-179.99999, 179.99999, 0.0, 100.0]
    lat += [0.0, 0.0, 85.1, -89.0]
    return lon, lat


def test_the_clusters_are_supercluster_s_at_every_zoom(tmp_path: Path):
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "node comes with npm, which make test installs"
    lon, lat = _sites(20000)
    points = tmp_path / "points.json"
    points.write_text(json.dumps({"lon": lon, "lat": lat, "radius": RADIUS, "maxZoom": MAX_ZOOM}))
    script = tmp_path / "supercluster.js"
    script.write_text(SUPERCLUSTER)
    done = subprocess.run(
        [node, str(script), str(STATIC_DIR / "vendor" / "supercluster.min.js"), str(points)],
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = json.loads(done.stdout)
    ours = first_clusters(lon, lat, up_to=MAX_ZOOM)
    clustered = 0
    for zoom, (mine, expected) in enumerate(zip(ours, theirs, strict=True)):
        mine, expected = sorted(mine, key=_key), sorted(expected, key=_key)
        assert [item[2:] for item in mine] == [item[2:] for item in expected], zoom
        for a, b in zip(mine, expected, strict=True):
            assert a[:2] == pytest.approx(b[:2], abs=1e-4), (zoom, a, b)
        clustered += sum(1 for item in mine if item[2] > 1)
    assert clustered > 1000  # the points do cluster, at every zoom but the highest


def _key(item: list) -> tuple[int, int]:
    return item[3], item[2]


def test_sites_at_one_place_are_gathered_at_once():
    """Twenty thousand sites at one position (a town's, where the gazetteer put them) are
    paired as one group, not each with each (four hundred million pairs)."""
    lon, lat = [69.2] * 20000 + [120.0], [41.3] * 20000 + [43.0]
    first = first_clusters(lon, lat, up_to=3)
    # supercluster's id: first point, zoom + 1, points; made at zoom 16 and kept below it.
    cluster_id = (0 << 5) + (16 + 1) + 20001
    assert [item[2:] for item in first[3]] == [[20000, cluster_id], [1, 20000]]
