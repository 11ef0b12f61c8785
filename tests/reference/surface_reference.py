#!/usr/bin/env python3
"""Independent reference for the surface shares (tests/real_shenzhen.rs).

For every zone and radius R, the share of the zone within R (geodesic) of
some station, computed with shapely and pyproj only (no chargecov code):
the zone (edges straight in lon/lat, cut into pieces of at most 0.001°)
and the stations within reach are projected to an azimuthal equidistant
frame centred on the zone's centroid (pyproj), each station is buffered by
R with 256 segments a quarter (the polygon misses 1.6e-6 of a circle),
the buffers are united and intersected with the zone, and the share is
the intersection's area over the zone's. Within a zone a few km across,
the frame's distortion of distances and areas is below 1e-5, so the
reference is exact to well within the 0.005 the test allows.

Stations are read as WGS84, as chargecov reads them without a CRS flag.

usage: surface_reference.py ZONES.geojson STATIONS.csv RADII_KM OUT.json
       (RADII_KM comma-separated, e.g. 2,5)
"""
import csv
import json
import sys

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import shape
from shapely.ops import unary_union

GEOD = Geod(ellps="WGS84")


def transform(project, geom):
    """geom with every coordinate passed through project(xs, ys) (a
    pyproj Transformer's transform), by shapely.transform on the arrays."""
    return shapely.transform(geom, lambda xy: np.column_stack(project(xy[:, 0], xy[:, 1])))


def tazid(props):
    v = props["TAZID"]
    return str(int(v)) if float(v).is_integer() else str(v)


def main(zones_path, stations_path, radii, out_path):
    radii_m = [float(r) * 1000.0 for r in radii.split(",")]
    with open(zones_path, encoding="utf-8") as f:
        zones = json.load(f)["features"]
    with open(stations_path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    lon = np.array([float(r["longitude"]) for r in rows])
    lat = np.array([float(r["latitude"]) for r in rows])
    points = shapely.points(lon, lat)
    tree = shapely.STRtree(points)
    out = {}
    for feature in zones:
        zone = shapely.segmentize(shape(feature["geometry"]), 0.001)
        c = zone.centroid
        to_local = Transformer.from_crs(
            "EPSG:4326",
            f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +ellps=WGS84 +units=m",
            always_xy=True,
        ).transform
        local_zone = transform(to_local, zone)
        zone_area = local_zone.area
        shares = {}
        for r_km, r in zip(radii.split(","), radii_m):
            # Stations within the zone's box grown by R (with margin).
            minx, miny, maxx, maxy = zone.bounds
            dlat = r / 110_000.0 * 1.2
            dlon = dlat / np.cos(np.radians(maxy))
            near = tree.query(shapely.box(minx - dlon, miny - dlat, maxx + dlon, maxy + dlat))
            if len(near) == 0 or zone_area <= 0:
                shares[r_km] = 0.0
                continue
            xs, ys = to_local(lon[near], lat[near])
            disks = [shapely.Point(x, y).buffer(r, quad_segs=256) for x, y in zip(xs, ys)]
            covered = local_zone.intersection(unary_union(disks)).area
            shares[r_km] = covered / zone_area
        out[tazid(feature["properties"])] = shares
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(*sys.argv[1:5])
