"""Independent reference for `chargecov corridor` (tests/corridor.rs).

Usage: corridor_reference.py NETWORK.geojson STATIONS.csv[.gz] MIN_KW MAX_OFFSET_KM

Paths: per route (the `ref` property, split on ';'), the one-way ways are
merged with shapely's `line_merge(directed=True)`; ways tagged
`oneway=-1` are reversed first. Each path's direction is the sign of its
displacement along its route's axis (north-south when the route's extent is
taller than wide, measured geodesically through the middle), as chargecov
labels them. Lengths are pyproj geodesic line lengths on WGS84.

Sites: every station of at least MIN_KW; a station is placed on each path
whose nearest point (found in UTM zone 32N, EPSG:25832, with shapely) lies
within MAX_OFFSET_KM (pyproj geodesic distance); its chainage is the
geodesic length of the path up to that point.

Prints JSON: a list of paths with route, direction, start, end, length_m,
chainages_m (sorted) and max_gap_m.
"""

import csv
import gzip
import json
import sys

from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Point
from shapely import line_merge
from shapely.ops import substring

GEOD = Geod(ellps="WGS84")
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


def geodesic_length(coords):
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    return GEOD.line_length(lons, lats)


def main():
    network_path, stations_path, min_kw, max_offset_km = sys.argv[1:5]
    min_kw = float(min_kw)
    max_offset_m = float(max_offset_km) * 1000.0

    with open(network_path, encoding="utf-8") as f:
        features = json.load(f)["features"]
    by_route = {}
    for feature in features:
        geometry = feature.get("geometry") or {}
        if geometry.get("type") != "LineString":
            continue
        props = feature.get("properties") or {}
        coords = [tuple(c[:2]) for c in geometry["coordinates"]]
        if str(props.get("oneway", "")).strip() == "-1":
            coords.reverse()
        for route in str(props.get("ref") or "").split(";"):
            route = route.strip()
            if route:
                by_route.setdefault(route, []).append(coords)

    opener = gzip.open if stations_path.endswith(".gz") else open
    with opener(stations_path, "rt", encoding="utf-8") as f:
        sites = [
            (float(r["lon"]), float(r["lat"]))
            for r in csv.DictReader(f)
            if r["power_kw"] and float(r["power_kw"]) >= min_kw
        ]
    sites_utm = [Point(TO_UTM.transform(lon, lat)) for lon, lat in sites]

    out = []
    for route, lines in sorted(by_route.items()):
        xs = [c[0] for line in lines for c in line]
        ys = [c[1] for line in lines for c in line]
        mid_lon, mid_lat = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        width = GEOD.inv(min(xs), mid_lat, max(xs), mid_lat)[2]
        height = GEOD.inv(mid_lon, min(ys), mid_lon, max(ys))[2]
        north_south = height >= width
        merged = line_merge(MultiLineString(lines), directed=True)
        paths = list(merged.geoms) if merged.geom_type == "MultiLineString" else [merged]
        for path in paths:
            coords = list(path.coords)
            axis = 1 if north_south else 0
            shift = coords[-1][axis] - coords[0][axis]
            if shift == 0:
                shift = coords[len(coords) // 2][axis] - coords[0][axis]
            if north_south:
                direction = "northbound" if shift >= 0 else "southbound"
            else:
                direction = "eastbound" if shift >= 0 else "westbound"
            length = geodesic_length(coords)
            utm = LineString([TO_UTM.transform(x, y) for x, y in coords])
            chainages = []
            for (lon, lat), p in zip(sites, sites_utm):
                if utm.distance(p) > max_offset_m * 1.01 + 10:
                    continue
                along = utm.project(p)
                foot = TO_LONLAT.transform(*utm.interpolate(along).coords[0])
                offset = GEOD.inv(lon, lat, foot[0], foot[1])[2]
                if offset > max_offset_m:
                    continue
                if along <= 0:
                    chainages.append(0.0)
                    continue
                part = substring(utm, 0, along)
                part_lonlat = [TO_LONLAT.transform(x, y) for x, y in part.coords]
                chainages.append(geodesic_length(part_lonlat))
            chainages.sort()
            marks = [0.0] + chainages + [length]
            max_gap = max(b - a for a, b in zip(marks, marks[1:]))
            out.append(
                {
                    "route": route,
                    "direction": direction,
                    "start": coords[0],
                    "end": coords[-1],
                    "length_m": length,
                    "chainages_m": chainages,
                    "max_gap_m": max_gap,
                }
            )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
