#!/usr/bin/env python3
"""Independent lower bounds of each area's worst-served point, for
tests/real_shenzhen.rs.

For every zone: the largest geodesic distance (WGS84, pyproj) from any of
its boundary vertices, or any point of a lattice of about 2,000 points
laid over it and kept inside (shapely), to the nearest station. The true
maximum over the zone is at least this; chargecov's answer, within 10 m
of the true maximum, must not fall short of it by more than those 10 m.
Stations are read as WGS84, or with `gcj02` converted from GCJ-02 with
prcoords (as shenzhen_reference.py does), keeping only rows whose
POWER_COLUMN is at least MIN_KW when those are given. No chargecov code
is used.

usage: worst_reference.py ZONES.geojson STATIONS.csv OUT.json [wgs84|gcj02 [POWER_COLUMN MIN_KW]]
"""
import csv
import json
import sys

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import shape

GEOD = Geod(ellps="WGS84")
LATTICE = 2000
# Candidates by a spherical distance first, then the exact geodesic for
# the closest few: the nearest on the ellipsoid is among them.
SHORTLIST = 8


def tazid(props):
    v = props["TAZID"]
    return str(int(v)) if float(v).is_integer() else str(v)


def nearest_m(lon, lat, s_lon, s_lat):
    """Geodesic distance from each point to its nearest station."""
    lon1, lat1 = np.radians(lon)[:, None], np.radians(lat)[:, None]
    lon2, lat2 = np.radians(s_lon)[None, :], np.radians(s_lat)[None, :]
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    short = np.argsort(h, axis=1)[:, :SHORTLIST]
    out = np.empty(len(lon))
    for i in range(len(lon)):
        k = short[i]
        _, _, d = GEOD.inv(np.full(len(k), lon[i]), np.full(len(k), lat[i]), s_lon[k], s_lat[k])
        out[i] = d.min()
    return out


def main(zones_path, stations_path, out_path, crs="wgs84", power_column=None, min_kw=None):
    with open(zones_path, encoding="utf-8") as f:
        zones = json.load(f)["features"]
    with open(stations_path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if power_column is not None:
        rows = [r for r in rows if float(r[power_column]) >= float(min_kw)]
    s_lon = np.array([float(r["longitude"]) for r in rows])
    s_lat = np.array([float(r["latitude"]) for r in rows])
    if crs == "gcj02":
        import prcoords

        out = [prcoords.gcj_wgs_bored(prcoords.Coords(y, x)) for x, y in zip(s_lon, s_lat)]
        s_lon = np.array([c.lon for c in out])
        s_lat = np.array([c.lat for c in out])
    elif crs != "wgs84":
        sys.exit(f"unknown crs {crs}")
    out = {}
    for z in zones:
        geom = shape(z["geometry"])
        coords = shapely.get_coordinates(shapely.get_exterior_ring(shapely.get_parts(geom)))
        holes = [
            shapely.get_coordinates(shapely.get_interior_ring(p, i))
            for p in shapely.get_parts(geom)
            for i in range(shapely.get_num_interior_rings(p))
        ]
        points = np.vstack([coords] + holes) if holes else coords
        w, s, e, n = geom.bounds
        step = max(np.sqrt((e - w) * (n - s) / LATTICE), 1e-7)
        xs, ys = np.meshgrid(np.arange(w, e + step, step), np.arange(s, n + step, step))
        xs, ys = xs.ravel(), ys.ravel()
        inside = shapely.contains_xy(geom, xs, ys)
        lon = np.concatenate([points[:, 0], xs[inside]])
        lat = np.concatenate([points[:, 1], ys[inside]])
        d = nearest_m(lon, lat, s_lon, s_lat)
        k = int(np.argmax(d))
        out[tazid(z["properties"])] = {
            "distance_m": float(d[k]),
            "lon": float(lon[k]),
            "lat": float(lat[k]),
        }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(*sys.argv[1:])
