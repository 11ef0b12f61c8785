#!/usr/bin/env python3
"""Independent reference for tests/real_shenzhen.rs.

Computes, with shapely and pyproj only (no chargecov code), for every
Shenzhen zone: the stations it covers (boundary inclusive), the geodesic
distance from a given representative point to the nearest station (brute
force over all stations), and the geodesic distance from the zone itself
to the nearest station. Stations are read as WGS84, as chargecov reads
them without a CRS flag — or, with a fifth argument `gcj02`, converted
from GCJ-02 to WGS84 with prcoords (a public-domain implementation of the
published algorithm, from PyPI, with its exact iterative inverse).

usage: shenzhen_reference.py ZONES.geojson STATIONS.csv REP_POINTS.csv OUT.json [gcj02]

REP_POINTS.csv is chargecov's --areas-out CSV; only its id, rep_lon and
rep_lat columns are used (the representative point is chargecov's choice;
what is checked is the distance from it).
"""
import csv
import json
import sys

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import shape
from shapely.ops import nearest_points

GEOD = Geod(ellps="WGS84")


def transform(project, geom):
    """geom with every coordinate passed through project(xs, ys) (a
    pyproj Transformer's transform), by shapely.transform on the arrays."""
    return shapely.transform(geom, lambda xy: np.column_stack(project(xy[:, 0], xy[:, 1])))


def tazid(props):
    v = props["TAZID"]
    return str(int(v)) if float(v).is_integer() else str(v)


def from_gcj02(lon, lat):
    import prcoords

    out = [prcoords.gcj_wgs_bored(prcoords.Coords(y, x)) for x, y in zip(lon, lat)]
    return np.array([c.lon for c in out]), np.array([c.lat for c in out])


def main(zones_path, stations_path, reps_path, out_path, crs="wgs84"):
    with open(zones_path, encoding="utf-8") as f:
        zones = json.load(f)["features"]
    with open(stations_path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    lon = np.array([float(r["longitude"]) for r in rows])
    lat = np.array([float(r["latitude"]) for r in rows])
    if crs == "gcj02":
        lon, lat = from_gcj02(lon, lat)
    elif crs != "wgs84":
        sys.exit(f"unknown crs {crs}")
    points = shapely.points(lon, lat)
    with open(reps_path, encoding="utf-8") as f:
        reps = {r["id"]: (float(r["rep_lon"]), float(r["rep_lat"])) for r in csv.DictReader(f)}

    tree = shapely.STRtree(points)
    covered_by_any = np.zeros(len(rows), dtype=bool)
    out = {}
    for feature in zones:
        zid = tazid(feature["properties"])
        geom = shape(feature["geometry"])
        hits = tree.query(geom, predicate="covers")
        covered_by_any[hits] = True

        rx, ry = reps[zid]
        d_rep = GEOD.inv(np.full(len(rows), rx), np.full(len(rows), ry), lon, lat)[2]

        if len(hits):
            d_zone = 0.0
        else:
            # Nearest boundary point found in an azimuthal equidistant
            # projection centred on the zone, then measured geodesically.
            c = geom.centroid
            fwd = Transformer.from_crs(
                "EPSG:4326", f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84", always_xy=True
            )
            inv = Transformer.from_crs(
                f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84", "EPSG:4326", always_xy=True
            )
            g = transform(fwd.transform, geom)
            px, py = fwd.transform(lon, lat)
            planar = shapely.distance(g, shapely.points(px, py))
            best = None
            for i in np.argsort(planar)[:8]:
                q = nearest_points(g, shapely.Point(px[i], py[i]))[0]
                qlon, qlat = inv.transform(q.x, q.y)
                d = GEOD.inv(lon[i], lat[i], qlon, qlat)[2]
                best = d if best is None else min(best, d)
            d_zone = best
        out[zid] = {
            "count": int(len(hits)),
            "nearest_distance_m": float(d_rep.min()),
            "boundary_distance_m": float(d_zone),
        }
    json.dump(
        {"zones": out, "stations_outside": int((~covered_by_any).sum())},
        open(out_path, "w"),
        indent=1,
        sort_keys=True,
    )


if __name__ == "__main__":
    main(*sys.argv[1:6])
