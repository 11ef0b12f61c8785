"""Independent reference for charging pools (tests/feeds.rs).

Reads the German register's own sheet (the raw CSV, its German headers),
groups devices into pools of devices within POOL_M metres of each other
(transitively; geodesic distance on WGS84 with pyproj.Geod), places each
pool at the mean longitude and latitude of its devices, and counts per
district (shapely `covers`, boundary inclusive) the pools and the pools
that meet the rule: at least MIN_POINTS charging points of MIN_KW or more
(points P1..P4 [kW] of every device in the pool) and MIN_POOL_KW in total.

Usage: pools_reference.py AREAS.geojson[.gz] RAW.csv[.gz] POOL_M MIN_KW MIN_POINTS MIN_POOL_KW
Prints {"ARS": [pools_inside, qualifying_inside], ...} as JSON.

Shares nothing with chargecov but the input files: its own CSV reading,
its own neighbour search (a grid of 0.001 degree cells), pyproj for
distances, shapely for containment.
"""

import csv
import gzip
import io
import json
import sys

from pyproj import Geod
from shapely import STRtree
from shapely.geometry import Point, shape


def open_text(path):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def main():
    areas_path, raw_path = sys.argv[1], sys.argv[2]
    pool_m, min_kw = float(sys.argv[3]), float(sys.argv[4])
    min_points, min_pool_kw = int(sys.argv[5]), float(sys.argv[6])

    devices = []  # (lon, lat, [points kW])
    with open_text(raw_path) as f:
        for row in csv.DictReader(f):
            lon = float(row["Längengrad [DG]"])
            lat = float(row["Breitengrad [DG]"])
            points = []
            for i in range(1, 5):
                text = (row.get(f"P{i} [kW]") or "").strip()
                if text:
                    points.append(float(text.replace(",", ".")))
            devices.append((lon, lat, points))

    # Union-find over pairs within pool_m: candidates from a grid whose
    # cells (0.001 degree, >= 70 m at these latitudes) are wider than
    # pool_m for pool_m <= 50, so neighbours are in adjacent cells.
    assert pool_m <= 60
    geod = Geod(ellps="WGS84")
    cell = 0.001
    grid = {}
    for i, (lon, lat, _) in enumerate(devices):
        grid.setdefault((int(lon // cell), int(lat // cell)), []).append(i)
    parent = list(range(len(devices)))

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (cx, cy), members in grid.items():
        near = []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                near.extend(grid.get((cx + dx, cy + dy), []))
        for i in members:
            for j in near:
                if j <= i:
                    continue
                _, _, d = geod.inv(devices[i][0], devices[i][1], devices[j][0], devices[j][1])
                if d <= pool_m:
                    ri, rj = root(i), root(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)

    pools = {}
    for i in range(len(devices)):
        pools.setdefault(root(i), []).append(i)

    sites = []  # (Point, qualifies)
    for members in pools.values():
        lon = sum(devices[m][0] for m in members) / len(members)
        lat = sum(devices[m][1] for m in members) / len(members)
        points = [p for m in members for p in devices[m][2]]
        strong = sum(1 for p in points if p >= min_kw)
        qualifies = strong >= min_points and sum(points) >= min_pool_kw and len(points) > 0
        sites.append((Point(lon, lat), qualifies))

    with open_text(areas_path) as f:
        features = json.load(f)["features"]
    tree = STRtree([s[0] for s in sites])
    out = {}
    for feature in features:
        polygon = shape(feature["geometry"])
        inside = [i for i in tree.query(polygon) if polygon.covers(sites[i][0])]
        out[feature["properties"]["ARS"]] = [
            len(inside),
            sum(1 for i in inside if sites[i][1]),
        ]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
