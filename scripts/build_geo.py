#!/usr/bin/env python3
"""Build the small municipality map the indicator pages draw (src/sdgnet/dashboards/geo/).

Usage (from the repository root)::

    .venv/bin/python scripts/build_geo.py [TOPOJSON] [--out FILE] [--tolerance DEGREES]

Reads ``../shared/data/geo/kommuner_2024.topojson`` (Kartverket boundaries, CC BY 4.0, via
robhop/fylker-og-kommuner), simplifies every shared arc once with Douglas–Peucker (so
neighbours keep a common border and no gaps open), drops islands too small to see at
page size (each municipality keeps its largest part), and writes GeoJSON with
coordinates rounded to 0.001° (about 100 m).

Rings are written clockwise for exteriors: d3-geo and Vega treat rings spherically and
would otherwise fill the whole globe (see ../shared/data/README.md, "Ring orientation").
The output is deterministic; running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "geo" / "kommuner_2024.topojson"
DEFAULT_OUT = ROOT / "src" / "sdgnet" / "dashboards" / "geo" / "municipalities_2024.json"

Point = tuple[float, float]
Ring = list[Point]


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Absolute lon/lat points of every arc (TopoJSON arcs are quantized and delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _perpendicular(point: Point, start: Point, end: Point, kx: float) -> float:
    # Distances in degrees of latitude, longitude shrunk by cos(latitude) so north is not
    # simplified harder than south.
    px, py = (point[0] - start[0]) * kx, point[1] - start[1]
    ex, ey = (end[0] - start[0]) * kx, end[1] - start[1]
    length = math.hypot(ex, ey)
    if length == 0:
        return math.hypot(px, py)
    return abs(px * ey - py * ex) / length


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker keeping both ends (iterative: arcs can have thousands of points)."""
    if len(points) <= 3:
        return points
    if points[0] == points[-1]:
        # A closed arc (an island): split at the point farthest from its start so both
        # halves have distinct ends and the ring keeps at least a triangle.
        far = max(range(len(points)), key=lambda i: math.dist(points[i], points[0]))
        return simplify(points[: far + 1], tolerance) + simplify(points[far:], tolerance)[1:]
    kx = math.cos(math.radians(sum(p[1] for p in points) / len(points)))
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _perpendicular(points[i], points[first], points[last], kx)
            if distance > worst:
                worst, index = distance, i
        if index >= 0 and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def ring_from(arc_indexes: list[int], arcs: list[list[Point]]) -> Ring:
    ring: Ring = []
    for index in arc_indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def signed_area(ring: Ring) -> float:
    """Positive for counter-clockwise rings in the lon/lat plane."""
    return (
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def oriented(ring: Ring, clockwise: bool) -> Ring:
    return ring[::-1] if (signed_area(ring) < 0) != clockwise else ring


def rounded(ring: Ring) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, 3), round(y, 3)]
        if not out or out[-1] != point:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def build(source: Path, tolerance: float, min_area: float) -> dict:
    topology = json.loads(source.read_text(encoding="utf-8"))
    arcs = [simplify(arc, tolerance) for arc in decode_arcs(topology)]
    features = []
    for geometry in topology["objects"]["kommuner"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        parts = []
        for polygon in polygons:
            rings = [ring_from(ring, arcs) for ring in polygon]
            if len(rings[0]) < 4:
                continue
            parts.append((abs(signed_area(rings[0])), rings))
        parts.sort(key=lambda part: -part[0])
        kept = [parts[0]] + [part for part in parts[1:] if part[0] >= min_area]
        coordinates = []
        for _area, rings in kept:
            # Vega/d3-geo: exterior clockwise, holes counter-clockwise (the reverse of RFC 7946).
            exterior = rounded(oriented(rings[0], clockwise=True))
            holes = [
                rounded(oriented(hole, clockwise=False))
                for hole in rings[1:]
                if len(hole) >= 4 and abs(signed_area(hole)) >= min_area
            ]
            if len(exterior) >= 4:
                coordinates.append([exterior, *[h for h in holes if len(h) >= 4]])
        properties = geometry["properties"]
        features.append(
            {
                "type": "Feature",
                "id": properties["kommunenummer"],
                "properties": {"code": properties["kommunenummer"]},
                "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
            }
        )
    features.sort(key=lambda feature: feature["id"])
    return {
        "type": "FeatureCollection",
        "attribution": "Kommune-/fylkesgrenser © Kartverket (CC BY 4.0), "
        "via github.com/robhop/fylker-og-kommuner, simplified by scripts/build_geo.py",
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--tolerance", type=float, default=0.01)
    parser.add_argument("--min-area", type=float, default=0.002, help="square degrees")
    args = parser.parse_args(argv)
    collection = build(args.source, args.tolerance, args.min_area)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.out.write_text(text + "\n", encoding="utf-8")
    points = sum(
        len(ring)
        for feature in collection["features"]
        for polygon in feature["geometry"]["coordinates"]
        for ring in polygon
    )
    print(f"{len(collection['features'])} municipalities, {points} points, {len(text)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
