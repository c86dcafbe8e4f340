"""Municipal boundaries for the comparisons map: the TopoJSON reduced to what the page draws.

``compact_topology`` keeps only the municipality object (each geometry's code as ``id``) and the
arcs it uses; ``simplify_topology`` straightens bends smaller than a tolerance (Douglas–Peucker on
shared arcs, so neighbours keep one border) and snaps points to a grid, dropping a simplification
that would break a ring.
"""

from __future__ import annotations

import math

from helpers.analysis import municipal_comparisons as cmp


def compact_topology(division: int) -> dict:
    """The division's TopoJSON with only the municipality object, each geometry's code as ``id``
    (names come from the shared table) and only the arcs those geometries use."""
    dataset_id, obj, prop = cmp.MAP_DIVISIONS[int(division)]
    topo = cmp.data.load_topojson(dataset_id)
    geometries = sorted(topo["objects"][obj]["geometries"], key=lambda g: str(g["properties"][prop]).zfill(3))
    used = sorted({_arc_index(ref) for g in geometries for ref in _arc_refs(g["arcs"])})
    renumber = {old: new for new, old in enumerate(used)}

    def remap(node):
        if isinstance(node, list):
            return [remap(item) for item in node]
        return renumber[node] if node >= 0 else ~renumber[~node]

    return {
        "type": "Topology",
        "transform": topo["transform"],
        "objects": {
            "municipalities": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": g["type"], "id": str(g["properties"][prop]).zfill(3), "arcs": remap(g["arcs"])}
                    for g in geometries
                ],
            }
        },
        "arcs": [topo["arcs"][i] for i in used],
    }


def _arc_index(ref: int) -> int:
    return ref if ref >= 0 else ~ref


def _arc_refs(node) -> list[int]:
    if isinstance(node, list):
        return [ref for item in node for ref in _arc_refs(item)]
    return [node]


def _rings(geometry: dict) -> list[list[int]]:
    if geometry["type"] == "Polygon":
        return list(geometry["arcs"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    return []


def _decode(arc: list[list[int]]) -> list[tuple[int, int]]:
    x = y = 0
    points = []
    for dx, dy in arc:
        x += dx
        y += dy
        points.append((x, y))
    return points


def _encode(points: list[tuple[int, int]]) -> list[list[int]]:
    out, px, py = [], 0, 0
    for x, y in points:
        out.append([x - px, y - py])
        px, py = x, y
    return out


def _douglas_peucker(points, tolerance: float, kx: float, ky: float) -> list:
    """Keep the points further than ``tolerance`` (km) from the simplified line; ends always kept."""
    n = len(points)
    if n < 3:
        return list(points)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        ax, ay = points[a][0] * kx, points[a][1] * ky
        bx, by = points[b][0] * kx, points[b][1] * ky
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        best, best_i = -1.0, a
        for i in range(a + 1, b):
            px, py = points[i][0] * kx, points[i][1] * ky
            d = abs(dy * (px - ax) - dx * (py - ay)) / length if length else math.hypot(px - ax, py - ay)
            if d > best:
                best, best_i = d, i
        if best > tolerance:
            keep[best_i] = True
            stack += [(a, best_i), (best_i, b)]
    return [p for p, k in zip(points, keep) if k]


def _simplify_arc(points, tolerance: float, kx: float, ky: float) -> list:
    if len(points) > 4 and points[0] == points[-1]:
        # A closed arc (an island): split at the point furthest from the start, keep >= 4 positions.
        far = max(
            range(len(points)),
            key=lambda i: ((points[i][0] - points[0][0]) * kx) ** 2 + ((points[i][1] - points[0][1]) * ky) ** 2,
        )
        out = _douglas_peucker(points[: far + 1], tolerance, kx, ky)[:-1] + _douglas_peucker(
            points[far:], tolerance, kx, ky
        )
        return out if len(out) >= 4 else list(points)
    return _douglas_peucker(points, tolerance, kx, ky)


def _ring_area(ring: list[int], arcs: list[list[tuple[int, int]]]) -> float:
    points: list[tuple[int, int]] = []
    for ref in ring:
        arc = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        points.extend(arc if not points else arc[1:])
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))


def _quantize(points: list[tuple[int, int]], factor: int) -> list[tuple[int, int]]:
    coarse = [(round(x / factor), round(y / factor)) for x, y in points]
    out = [coarse[0]]
    for point in coarse[1:]:
        if point != out[-1]:
            out.append(point)
    if len(out) < 2:
        out = [coarse[0], coarse[-1]]
    return out


def _broken_rings(rings, reference, candidate, scale: float = 1.0) -> list[list[int]]:
    """Rings whose area changed sign or shrank below half between ``reference`` and ``candidate``."""
    broken = []
    for ring in rings:
        before, after = _ring_area(ring, reference), _ring_area(ring, candidate) * scale
        if before * after <= 0 or abs(after) < 0.5 * abs(before):
            broken.append(ring)
    return broken


def simplify_topology(topo: dict, tolerance_km: float, grid_km: float = 0.0) -> dict:
    """Coarser quantization (``grid_km``) and Douglas–Peucker (``tolerance_km``) on each shared arc,
    so neighbours keep one common border.

    A ring whose area would change sign or shrink below half keeps its unsimplified arcs (a flipped
    ring fills the whole map in a spherical renderer); if the coarser grid alone breaks a ring, the
    original grid is kept.
    """
    scale_x, scale_y = topo["transform"]["scale"]
    original = [_decode(arc) for arc in topo["arcs"]]
    latitudes = [p[1] * scale_y + topo["transform"]["translate"][1] for arc in original for p in arc]
    mid_latitude = (min(latitudes) + max(latitudes)) / 2
    kx = scale_x * 111.32 * math.cos(math.radians(mid_latitude))
    ky = scale_y * 110.57
    rings = [ring for g in topo["objects"]["municipalities"]["geometries"] for ring in _rings(g)]
    factor = max(1, int(grid_km / min(kx, ky))) if grid_km else 1
    base = [_quantize(points, factor) for points in original]
    if factor > 1 and _broken_rings(rings, original, base, factor * factor):
        factor, base = 1, original
    simplified = [_simplify_arc(points, tolerance_km, kx * factor, ky * factor) for points in base]
    changed = True
    while changed:
        changed = False
        for ring in _broken_rings(rings, base, simplified):
            for ref in ring:
                index = _arc_index(ref)
                if simplified[index] != base[index]:
                    simplified[index] = base[index]
                    changed = True
    transform = {"scale": [scale_x * factor, scale_y * factor], "translate": topo["transform"]["translate"]}
    return dict(topo, transform=transform, arcs=[_encode(points) for points in simplified])
