#!/usr/bin/env python3
"""chargecov against the tools analysts use today, on the same job and files.

The job (the issue's national benchmark): read the areas and the stations
(GeoJSON), keep the stations of at least --min-power-kw (power as the data
has it: numbers and text such as "480kW", "0.6 MW", "120+60 kW"), count per
area the qualifying stations inside it or on its boundary, find for each
area the qualifying station nearest to its representative point (geodesic
metres on WGS84), and write the uncovered areas as GeoJSON.

Each tool runs in its own process, timed from outside (wall, CPU, peak
resident memory by /usr/bin/time -v when present). The peers:

* GeoPandas + shapely (pyogrio engine): `sjoin(predicate="intersects")` for
  the counts, `sjoin_nearest` in Web Mercator to pick the nearest station,
  `pyproj.Geod.inv` for its geodesic distance.
* DuckDB with its spatial extension: `ST_Read`, an `ST_Intersects` join
  for the counts, a widening box search with `ST_Distance_Spheroid` for the
  nearest, `COPY … (FORMAT GDAL)` for the GeoJSON.

Representative points are chargecov's (read from its report): "the point of
an area" is a choice, and comparing distances needs the same one. The peers
read them from a small CSV inside their timed run.

Afterwards every peer's per-area counts must equal chargecov's exactly and
its distances agree within 0.5 %; the table shows the medians and the
ratios. A peer that cannot be imported is reported and skipped.

Usage:
  python3 bench/peers/run.py --data /tmp/national [--runs 5] [--peer-runs 1]
  (install the peers with: pip install geopandas pyogrio duckdb duckdb-extensions
   duckdb-extension-spatial — the last two bring the spatial extension
   where DuckDB cannot download it)
"""

import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def parse_power(value):
    """chargecov's reading of the generated power values, in kW (None if unknown)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().lower().replace(",", ".")
    scale = 1.0
    if text.endswith("mw"):
        scale, text = 1000.0, text[:-2]
    elif text.endswith("kw"):
        text = text[:-2]
    parts = [p.strip() for p in text.split("+")]
    try:
        return max(float(p) for p in parts) * scale
    except ValueError:
        return None


# ---------------------------------------------------------------- peers --


def peer_geopandas(areas, stations, points_csv, min_kw, out_dir):
    import geopandas as gpd
    import pandas as pd
    from pyproj import Geod

    a = gpd.read_file(areas, engine="pyogrio")
    s = gpd.read_file(stations, engine="pyogrio", columns=["power_kw"])
    s = s[s["power_kw"].map(parse_power).fillna(-1.0) >= min_kw]
    joined = gpd.sjoin(a[["code", "geometry"]], s[["geometry"]], predicate="intersects")
    counts = joined.groupby("code").size()
    a["qualifying_inside"] = a["code"].map(counts).fillna(0).astype(int)

    reps = pd.read_csv(points_csv, dtype={"id": str})
    rp = gpd.GeoDataFrame(
        reps, geometry=gpd.points_from_xy(reps.lon, reps.lat), crs="EPSG:4326"
    )
    near = gpd.sjoin_nearest(rp.to_crs(3857), s[["geometry"]].to_crs(3857), how="left")
    near = near[~near.index.duplicated()]
    st = s.geometry.loc[near["index_right"]]
    _, _, dist = Geod(ellps="WGS84").inv(rp.lon.values, rp.lat.values, st.x.values, st.y.values)
    a["nearest_distance_m"] = pd.Series(dist, index=reps.id).reindex(a["code"]).values

    a[a.qualifying_inside == 0].to_file(os.path.join(out_dir, "uncovered.geojson"), driver="GeoJSON")
    return {
        str(code): [int(n), float(d)]
        for code, n, d in zip(a["code"], a["qualifying_inside"], a["nearest_distance_m"])
    }


def peer_duckdb(areas, stations, points_csv, min_kw, out_dir):
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("INSTALL spatial; LOAD spatial;")
    except duckdb.Error:
        # No network for DuckDB's own extension server: the PyPI wheel of
        # the extension (duckdb-extensions + duckdb-extension-spatial).
        import duckdb_extensions

        duckdb_extensions.import_extension("spatial", con=con)
        con.execute("LOAD spatial;")
    con.execute(f"CREATE TABLE a AS SELECT code, geom FROM ST_Read('{areas}')")
    # The power as chargecov reads it: numbers, or text with kW/MW, the
    # largest of "a+b" sockets.
    con.execute(
        f"""
        CREATE TABLE s AS
        WITH raw AS (SELECT geom, lower(trim(CAST(power_kw AS VARCHAR))) AS p FROM ST_Read('{stations}')),
        parsed AS (
          SELECT geom,
                 CASE WHEN p LIKE '%mw' THEN 1000.0 ELSE 1.0 END AS scale,
                 regexp_replace(p, '\\s*[km]w$', '') AS num
          FROM raw)
        SELECT geom, ST_X(geom) AS x, ST_Y(geom) AS y FROM parsed
        WHERE scale * list_max(list_transform(string_split(num, '+'),
                                              v -> TRY_CAST(trim(v) AS DOUBLE))) >= {min_kw}
        """
    )
    # An inner join on ST_Intersects is DuckDB's SPATIAL_JOIN operator (it
    # builds an R-tree on the fly); areas without a station are added as 0.
    counts = {code: 0 for (code,) in con.execute("SELECT code FROM a").fetchall()}
    counts.update(
        con.execute(
            "SELECT a.code, count(*) FROM a JOIN s ON ST_Intersects(a.geom, s.geom) GROUP BY a.code"
        ).fetchall()
    )
    con.execute(f"CREATE TABLE r AS SELECT CAST(id AS VARCHAR) AS id, lon, lat FROM read_csv('{points_csv}', types={{'id': 'VARCHAR'}})")
    nearest = {}
    # Grid cells of widening size: a point's candidates are the stations in
    # its cell and the eight around it (an equi-join, so a hash join), which
    # holds every station within one cell width of it; a distance is
    # accepted only when it is surely within that reach.
    for cell in (0.05, 0.5, 5.0, 45.0):
        rows = con.execute(
            f"""
            WITH sc AS (SELECT x, y, CAST(floor(x / {cell}) AS BIGINT) AS cx,
                               CAST(floor(y / {cell}) AS BIGINT) AS cy FROM s),
                 rc AS (SELECT id, lon, lat, CAST(floor(lon / {cell}) AS BIGINT) + dx AS cx,
                               CAST(floor(lat / {cell}) AS BIGINT) + dy AS cy
                        FROM r, (SELECT unnest([-1, 0, 1]) AS dx), (SELECT unnest([-1, 0, 1]) AS dy)
                        WHERE id NOT IN (SELECT unnest(?::VARCHAR[])))
            SELECT rc.id, min(ST_Distance_Spheroid(ST_Point(rc.lat, rc.lon), ST_Point(sc.y, sc.x)))
            FROM rc JOIN sc USING (cx, cy)
            GROUP BY rc.id
            """,
            [list(nearest)],
        ).fetchall()
        # One cell reaches at least cell·111 km·cos(lat) east–west; 0.7 holds
        # to 45° of latitude, and the last, 45° cell takes whatever is left.
        for rid, d in rows:
            if d is not None and (d <= cell * 111_000 * 0.7 or cell >= 45.0):
                nearest[rid] = d
        if len(nearest) == len(counts):
            break
    uncovered = [code for code, n in counts.items() if n == 0]
    out = os.path.join(out_dir, "uncovered.geojson")
    con.execute(
        f"COPY (SELECT * FROM a WHERE code IN (SELECT unnest(?::VARCHAR[]))) TO '{out}' WITH (FORMAT GDAL, DRIVER 'GeoJSON')",
        [uncovered],
    )
    return {str(code): [int(n), float(nearest.get(code, float("nan")))] for code, n in counts.items()}


PEERS = {"geopandas": peer_geopandas, "duckdb": peer_duckdb}


def run_peer_inside(name, args):
    """Runs in the child process: the job, then its per-area results as JSON."""
    result = PEERS[name](args.areas, args.stations, args.points, args.min_power_kw, args.out)
    with open(os.path.join(args.out, "result.json"), "w") as f:
        json.dump(result, f)


# -------------------------------------------------------------- driver --


def timed(cmd):
    """Runs cmd; returns (exit code, wall s, cpu s, peak MB or None, stderr)."""
    time_bin = "/usr/bin/time"
    have_time = os.path.exists(time_bin)
    full = [time_bin, "-v"] + cmd if have_time else cmd
    start = time.perf_counter()
    before = os.times()
    proc = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    peak = None
    if have_time:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        peak = int(m.group(1)) / 1024 if m else None
    return proc.returncode, wall, cpu, peak, proc.stderr


def summarise(samples):
    walls = [s[0] for s in samples]
    cpus = [s[1] for s in samples]
    peaks = [s[2] for s in samples if s[2] is not None]
    return {
        "runs": len(samples),
        "wall_s": statistics.median(walls),
        "cpu_s": statistics.median(cpus),
        "peak_mb": max(peaks) if peaks else None,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="directory with areas.geojson and stations.geojson (from `chargecov generate`)")
    p.add_argument("--chargecov", default=os.path.join(ROOT, "target", "release", "chargecov"))
    p.add_argument("--min-power-kw", type=float, default=120.0)
    p.add_argument("--runs", type=int, default=5, help="chargecov runs (median reported)")
    p.add_argument("--peer-runs", type=int, default=1, help="runs per peer")
    p.add_argument("--peers", default="geopandas,duckdb")
    p.add_argument("--json", help="also write the table as JSON here")
    # Internal: run one peer in this process.
    p.add_argument("--peer", help=argparse.SUPPRESS)
    p.add_argument("--areas", help=argparse.SUPPRESS)
    p.add_argument("--stations", help=argparse.SUPPRESS)
    p.add_argument("--points", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.peer:
        run_peer_inside(args.peer, args)
        return 0
    if not args.data:
        p.error("--data DIR is required")

    areas = os.path.join(args.data, "areas.geojson")
    stations = os.path.join(args.data, "stations.geojson")
    work = tempfile.mkdtemp(prefix="chargecov-peers-")
    rows = []

    # chargecov itself.
    report = os.path.join(work, "report.json")
    cmd = [args.chargecov, "check", "--areas", areas, "--stations", stations,
           "--min-power-kw", str(args.min_power_kw), "--report", report,
           "--uncovered", os.path.join(work, "uncovered.geojson"), "--quiet"]
    samples = []
    for i in range(args.runs):
        code, wall, cpu, peak, err = timed(cmd)
        if code not in (0, 1):
            sys.exit(f"chargecov failed (exit {code}):\n{err}")
        samples.append((wall, cpu, peak))
        print(f"chargecov run {i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU, {peak or 0:.0f} MB", file=sys.stderr)
    ours = summarise(samples)
    ours["tool"] = "chargecov"
    ours["agreement"] = "reference"
    rows.append(ours)

    with open(report) as f:
        rep = json.load(f)
    reference = {
        a["id"]: (a["qualifying_inside"], a.get("nearest_distance_m"))
        for a in rep["areas"]
    }
    points = os.path.join(work, "points.csv")
    with open(points, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lon", "lat"])
        for a in rep["areas"]:
            w.writerow([a["id"], a["representative_point"]["lon"], a["representative_point"]["lat"]])

    for name in [n.strip() for n in args.peers.split(",") if n.strip()]:
        module = {"geopandas": "geopandas", "duckdb": "duckdb"}[name]
        probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
        if probe.returncode != 0:
            print(f"{name}: cannot be imported ({probe.stderr.strip().splitlines()[-1]}); skipped "
                  f"(pip install geopandas pyogrio duckdb duckdb-extensions duckdb-extension-spatial)", file=sys.stderr)
            rows.append({"tool": name, "skipped": "not installed"})
            continue
        out = os.path.join(work, name)
        samples = []
        failed = None
        for i in range(args.peer_runs):
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            code, wall, cpu, peak, err = timed([sys.executable, __file__, "--peer", name,
                                                "--areas", areas, "--stations", stations,
                                                "--points", points, "--out", out,
                                                "--min-power-kw", str(args.min_power_kw)])
            if code != 0:
                own = err.split("\tCommand being timed")[0].strip()
                failed = own.splitlines()[-1] if own else f"exit {code}"
                break
            samples.append((wall, cpu, peak))
            print(f"{name} run {i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU, {peak or 0:.0f} MB", file=sys.stderr)
        if failed:
            print(f"{name}: failed ({failed}); skipped", file=sys.stderr)
            rows.append({"tool": name, "skipped": f"failed: {failed}"})
            continue
        with open(os.path.join(out, "result.json")) as f:
            theirs = json.load(f)
        count_diff = [k for k, (n, _) in reference.items() if theirs.get(k, [None])[0] != n]
        # The report rounds distances to 0.1 m and points to 1e-7° (≈ 1 cm),
        # so a few metres from a station 0.2 m is the resolution: a distance
        # disagrees when it is off by more than 0.5 % and more than 0.2 m.
        worst = 0.0
        disagree = 0
        for k, (_, d) in reference.items():
            if d is None or k not in theirs:
                continue
            t = theirs[k][1]
            if abs(t - d) > 0.2:
                rel = abs(t - d) / d if d > 0 else float("inf")
                worst = max(worst, rel)
                disagree += rel > 0.005
        row = summarise(samples)
        row["tool"] = name
        row["count_mismatches"] = len(count_diff)
        row["worst_distance_diff"] = worst
        row["distance_disagreements"] = disagree
        row["agreement"] = (
            f"identical counts, distances within 0.5 % (worst {worst * 100:.3f} %)"
            if not count_diff and not disagree
            else f"{len(count_diff)} count mismatches, {disagree} distances off by > 0.5 % "
            f"(worst {worst * 100:.2f} %)"
        )
        rows.append(row)

    print()
    print(f"job: check --min-power-kw {args.min_power_kw:g} with per-area counts, nearest distances, "
          f"uncovered GeoJSON; data {args.data} ({len(reference)} areas)")
    print(f"{'tool':<11} {'runs':>4} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'× chargecov':>12}  agreement")
    base = rows[0]["wall_s"]
    ok = True
    for r in rows:
        if "skipped" in r:
            print(f"{r['tool']:<11} {'—':>4} {'—':>8} {'—':>8} {'—':>8} {'—':>12}  skipped: {r['skipped']}")
            continue
        ratio = r["wall_s"] / base
        peak = f"{r['peak_mb']:.0f}" if r["peak_mb"] else "—"
        print(f"{r['tool']:<11} {r['runs']:>4} {r['wall_s']:>8.2f} {r['cpu_s']:>8.2f} {peak:>8} {ratio:>11.1f}×  {r['agreement']}")
        if r.get("count_mismatches") or r.get("distance_disagreements"):
            ok = False
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
