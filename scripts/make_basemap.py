"""Derive the offline base layer (geodata/basemap/natural-earth.geojson) from Natural Earth.

Run once by hand; the result is committed, so neither the app nor the tests need this script or
the network. The source is the npm package ``world-atlas`` (Natural Earth 1:50m admin-0
countries as TopoJSON, public domain data; the packaging is ISC-licensed):

    python scripts/make_basemap.py                     # npm pack world-atlas@2.0.2 in a temp dir
    python scripts/make_basemap.py --package ./package  # an already unpacked copy

TopoJSON stores each boundary segment ("arc") once, shared by the countries on either side. The
script simplifies every arc once, keeping its end points, then builds from the simplified arcs:

* ``land``: the land polygons (fill only), clipped to the region;
* ``coastline``: arcs used by one country only (sea coasts and the Caspian shore);
* ``border``: arcs shared by two countries;
* ``label``: one point per country with enough area in the region, for its name.

The region is drawn from the 1:50m countries; the rest of the world (so that a zoomed-out map
has no edge) from the 1:110m countries, more simplified.

Because the three layers come from the same simplified arcs, borders meet coasts exactly and the
fill never peeks out from under its outline.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from shapely import make_valid
from shapely.geometry import (
    LineString,
    MultiLineString,
    MultiPolygon,
    Point,
    Polygon,
    box,
    mapping,
)
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, polylabel, unary_union

PROJECT_DIR = Path(__file__).resolve().parents[1]
OUTPUT = PROJECT_DIR / "geodata" / "basemap" / "natural-earth.geojson"
PACKAGE = "world-atlas@2.0.2"

#: The region drawn in detail, [minLon, minLat, maxLon, maxLat]: every feature, with margin.
REGION = (20.0, 10.0, 125.0, 65.0)
#: Douglas–Peucker tolerance in degrees (about 2 km): invisible up to zoom 7.
TOLERANCE = 0.02
#: Decimals kept in the output (0.001° ≈ 100 m).
DECIMALS = 3
#: The rest of the world, drawn coarsely so the zoomed-out map has no edge.
WORLD = (-180.0, -60.0, 180.0, 85.0)
WORLD_TOLERANCE = 0.1
WORLD_DECIMALS = 2
#: Countries with less area than this (square degrees) inside the region get no label.
MIN_LABEL_AREA = 2.5

Arc = list[tuple[float, float]]


def decode_arcs(topology: dict) -> list[Arc]:
    """Absolute (lon, lat) positions of every arc of a quantized, delta-encoded topology.

    >>> decode_arcs({"transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    ...              "arcs": [[[0, 0], [2, 4], [-1, 0]]]})
    [[(10.0, 20.0), (11.0, 22.0), (10.5, 22.0)]]
    """
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for encoded in topology["arcs"]:
        x = y = 0
        positions = []
        for dx, dy in encoded:
            x, y = x + dx, y + dy
            positions.append((x * sx + tx, y * sy + ty))
        arcs.append(positions)
    return arcs


def unwrap(positions: Arc) -> Arc:
    """Longitudes made continuous across the antimeridian (179 then -179 becomes 179, 181).

    Natural Earth's Russia and Fiji cross it; without this a ring or an arc would jump across
    the whole map. Clipping to the world box then cuts the part beyond 180°.

    >>> unwrap([(179.0, 65.0), (-179.0, 66.0), (-178.0, 66.0)])
    [(179.0, 65.0), (181.0, 66.0), (182.0, 66.0)]
    """
    out: Arc = []
    offset = 0.0
    for lon, lat in positions:
        if out:
            previous = out[-1][0] - offset
            if lon - previous > 180:
                offset -= 360
            elif lon - previous < -180:
                offset += 360
        out.append((lon + offset, lat))
    return out


def simplify_arcs(arcs: list[Arc], tolerance: float) -> list[Arc]:
    """Each arc simplified on its own; end points stay, so shared boundaries stay shared."""
    simplified = []
    for arc in arcs:
        if len(arc) <= 2:
            simplified.append(arc)
        else:
            line = LineString(arc).simplify(tolerance, preserve_topology=False)
            simplified.append([tuple(p) for p in line.coords])
    return simplified


def ring(arcs: list[Arc], indices: list[int]) -> Arc:
    """Join the arcs of one ring; index ``~i`` means arc ``i`` reversed (TopoJSON's rule).

    >>> ring([[(0.0, 0.0), (1.0, 0.0)], [(1.0, 1.0), (1.0, 0.0)]], [0, ~1])
    [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]
    """
    positions: Arc = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        positions.extend(arc if not positions else arc[1:])
    return unwrap(positions)


def polygons(arcs: list[Arc], geometry: dict) -> Iterator[Polygon]:
    """The polygons of one TopoJSON Polygon or MultiPolygon geometry (valid, possibly empty)."""
    parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    for rings in parts:
        shell, *holes = (ring(arcs, r) for r in rings)
        if len(shell) < 4:
            continue  # simplified away
        fixed = make_valid(Polygon(shell, [h for h in holes if len(h) >= 4]))
        yield from (g for g in getattr(fixed, "geoms", [fixed]) if isinstance(g, Polygon))


def arc_owners(geometries: Iterable[dict]) -> dict[int, set[int]]:
    """Arc index -> indices of the countries whose boundary uses it."""
    owners: dict[int, set[int]] = defaultdict(set)
    for number, geometry in enumerate(geometries):
        parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        for rings in parts:
            for r in rings:
                for index in r:
                    owners[index if index >= 0 else ~index].add(number)
    return owners


def rounded(geometry: BaseGeometry, decimals: int) -> dict:
    """GeoJSON of ``geometry`` with coordinates rounded and repeated positions dropped.

    >>> rounded(LineString([(1.23456, 2.0), (1.23457, 2.0), (3, 4)]), 3)
    {'type': 'LineString', 'coordinates': [[1.235, 2.0], [3.0, 4.0]]}
    """

    def round_positions(positions: Iterable) -> list[list[float]]:
        out: list[list[float]] = []
        for lon, lat, *_ in positions:
            p = [round(lon, decimals), round(lat, decimals)]
            if not out or out[-1] != p:
                out.append(p)
        return out

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(c), decimals) for c in coords]
        if coords and isinstance(coords[0][0], (int, float)):
            return round_positions(coords)
        return [walk(c) for c in coords]

    data = mapping(geometry)
    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def lines_within(arcs: list[Arc], indices: Iterable[int], area: BaseGeometry) -> BaseGeometry:
    """The given arcs, merged into long lines and clipped to ``area``."""
    lines = [LineString(unwrap(arcs[i])) for i in sorted(indices) if len(arcs[i]) >= 2]
    merged = linemerge(MultiLineString(lines))
    return merged.intersection(area)


def polygons_within(geometry: BaseGeometry, area: BaseGeometry) -> MultiPolygon:
    """The polygon parts of ``geometry`` inside ``area``."""
    clipped = geometry.intersection(area)
    return MultiPolygon([p for p in getattr(clipped, "geoms", [clipped]) if isinstance(p, Polygon)])


def min_zoom(area: float) -> int:
    """The zoom from which a country's name is shown: big countries first.

    >>> min_zoom(300.0), min_zoom(30.0), min_zoom(3.0)
    (3, 4, 5)
    """
    return 3 if area >= 100 else 4 if area >= 15 else 5


def labels(topology: dict, arcs: list[Arc], area: BaseGeometry) -> list[dict]:
    """A label point for each country with enough surface in ``area``, inside its shape."""
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        inside = polygons_within(unary_union(list(polygons(arcs, geometry))), area)
        if inside.is_empty or inside.area < MIN_LABEL_AREA:
            continue
        largest = max(inside.geoms, key=lambda p: p.area)
        point = polylabel(largest, tolerance=0.05)
        name = geometry["properties"]["name"]
        properties = {"layer": "label", "name": name, "minzoom": min_zoom(inside.area)}
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": rounded(Point(point.x, point.y), DECIMALS),
            }
        )
    return sorted(features, key=lambda f: f["properties"]["name"])


def layers(topology: dict, area: BaseGeometry, tolerance: float, decimals: int) -> list[dict]:
    """Land, coastline and border features of ``topology`` inside ``area``."""
    arcs = simplify_arcs(decode_arcs(topology), tolerance)
    land = unary_union(
        [p for g in topology["objects"]["land"]["geometries"] for p in polygons(arcs, g)]
    )
    owners = arc_owners(topology["objects"]["countries"]["geometries"])
    coast = [i for i, who in owners.items() if len(who) == 1]
    border = [i for i, who in owners.items() if len(who) > 1]
    geometries = {
        "land": polygons_within(land, area),
        "coastline": lines_within(arcs, coast, area),
        "border": lines_within(arcs, border, area),
    }
    return [
        {"type": "Feature", "properties": {"layer": name}, "geometry": rounded(g, decimals)}
        for name, g in geometries.items()
        if not g.is_empty
    ]


def basemap(detailed: dict, coarse: dict) -> dict:
    """The base layer: 1:50m detail (with country names) in the region, 1:110m elsewhere.

    The coarse world keeps the map from ending in a straight edge when zoomed out; it stops at
    60° S (Antarctica is far from every corridor).
    """
    region = box(*REGION)
    elsewhere = box(*WORLD).difference(region)
    features = layers(detailed, region, TOLERANCE, DECIMALS)
    features += layers(coarse, elsewhere, WORLD_TOLERANCE, WORLD_DECIMALS)
    arcs = simplify_arcs(decode_arcs(detailed), TOLERANCE)
    return {
        "type": "FeatureCollection",
        "bbox": list(WORLD),
        "attribution": "Made with Natural Earth",
        "source": (
            f"Natural Earth admin-0 countries (public domain) from the npm package {PACKAGE} (ISC):"
            f" 1:50m inside {list(REGION)} (arcs simplified to {TOLERANCE}°, {DECIMALS} decimals),"
            f" 1:110m elsewhere ({WORLD_TOLERANCE}°, {WORLD_DECIMALS} decimals);"
            " made by scripts/make_basemap.py"
        ),
        "features": features + labels(detailed, arcs, region),
    }


def fetch_package(directory: Path) -> Path:
    """``npm pack`` the world-atlas package into ``directory`` and extract it; its folder."""
    subprocess.run(["npm", "pack", PACKAGE], cwd=directory, check=True, capture_output=True)
    (tarball,) = directory.glob("world-atlas-*.tgz")
    with tarfile.open(tarball) as archive:
        archive.extractall(directory, filter="data")
    return directory / "package"


def write(collection: dict, path: Path) -> None:
    """One feature per line: small diffs, and still compact."""
    header = {k: v for k, v in collection.items() if k != "features"}
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    lines = [json.dumps(f, **compact) for f in collection["features"]]
    text = json.dumps(header, ensure_ascii=False)[:-1] + ', "features": [\n'
    text += ",\n".join(lines) + "\n]}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--package", type=Path, help="an unpacked world-atlas folder (default: npm pack it)"
    )
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        package = args.package or fetch_package(Path(tmp))
        detailed, coarse = (
            json.loads((package / name).read_text(encoding="utf-8"))
            for name in ("countries-50m.json", "countries-110m.json")
        )
    write(basemap(detailed, coarse), args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
