#!/usr/bin/env python3
"""The GeoPandas peer for surface coverage (issue 18), as an analyst does it.

Reads the areas and the stations (GeoJSON, pyogrio), keeps the stations of
at least --min-power-kw (power read as chargecov reads the generated
values, `run.parse_power`), projects both to an equal-area CRS (Albers on
China: EPSG:4326 → +proj=aea +lat_1=25 +lat_2=47 +lon_0=105), buffers every
qualifying station by R (GEOS's default 8 segments a quarter), unites the
buffers, intersects the union with the areas (geopandas.overlay) and
writes each area's share = intersection area / area, for each radius, as
JSON {"<feature index>": {"<R>": share}}.

usage: surface.py AREAS STATIONS --radius-km 2[,5…] [--min-power-kw 120] --out OUT.json
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import parse_power  # noqa: E402

EQUAL_AREA = "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +ellps=WGS84 +units=m"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("areas")
    p.add_argument("stations")
    p.add_argument("--radius-km", required=True)
    p.add_argument("--min-power-kw", type=float, default=120.0)
    p.add_argument("--out", required=True)
    args = p.parse_args()

    import geopandas as gpd
    import shapely

    areas = gpd.read_file(args.areas, engine="pyogrio", columns=[]).to_crs(EQUAL_AREA)
    areas["index"] = range(len(areas))
    areas["size"] = areas.geometry.area
    stations = gpd.read_file(args.stations, engine="pyogrio", columns=["power_kw"])
    stations = stations[stations["power_kw"].map(parse_power).fillna(-1.0) >= args.min_power_kw]
    stations = stations.to_crs(EQUAL_AREA)
    shares = {str(i): {} for i in range(len(areas))}
    for r in args.radius_km.split(","):
        union = shapely.union_all(stations.geometry.buffer(float(r) * 1000.0).values)
        covered = gpd.GeoDataFrame(geometry=[union], crs=areas.crs)
        inter = gpd.overlay(areas[["index", "geometry"]], covered, how="intersection")
        got = dict(zip(inter["index"], inter.geometry.area))
        for i, size in zip(areas["index"], areas["size"]):
            shares[str(i)][r] = (got.get(i, 0.0) / size) if size > 0 else 0.0
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(shares, f)


if __name__ == "__main__":
    main()
