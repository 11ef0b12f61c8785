"""Optimal objectives of the location set covering (LSCP) and maximal
covering (MCLP) models by PySAL's spopt (CBC through PuLP), for the
suggest tests.

Usage: suggest_reference.py AREAS.geojson CANDIDATES.geojson R_M K POP_FIELD

Demand: each area's centre (the test's areas are small squares, whose
representative point is their centre), weighted by POP_FIELD for the MCLP.
Costs: geodesic metres on WGS84 (pyproj's Geod, Karney's algorithm): the
same measure chargecov uses, so the optima must be equal. Rows that no
candidate reaches are dropped (spopt's LSCP is infeasible with them; the
MCLP cannot serve them anyway). Prints JSON: {"lscp": sites, "mclp":
weight, "rows": servable rows, "closest_to_r_m": the least |d - R|, "max_set":
the most rows one candidate reaches}.
"""

import json
import sys
import warnings

import numpy as np
import pulp
from pyproj import Geod
from spopt.locate import LSCP, MCLP

warnings.filterwarnings("ignore")

areas_path, candidates_path, r_m, k, pop_field = sys.argv[1:6]
r_m = float(r_m)
k = int(k)
with open(areas_path) as f:
    areas = json.load(f)["features"]
with open(candidates_path) as f:
    candidates = json.load(f)["features"]


def centre(feature):
    ring = feature["geometry"]["coordinates"][0][:-1]
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


geod = Geod(ellps="WGS84")
demand = [centre(a) for a in areas]
weights = np.array([float(a["properties"][pop_field]) for a in areas])
sites = [tuple(c["geometry"]["coordinates"]) for c in candidates]
cost = np.zeros((len(demand), len(sites)))
for i, (x, y) in enumerate(demand):
    lons = [s[0] for s in sites]
    lats = [s[1] for s in sites]
    _, _, d = geod.inv([x] * len(sites), [y] * len(sites), lons, lats)
    cost[i, :] = d
closest = float(np.abs(cost - r_m).min())
servable = (cost <= r_m).any(axis=1)
cost = cost[servable]
weights = weights[servable]
solver = pulp.PULP_CBC_CMD(msg=False)
lscp = LSCP.from_cost_matrix(cost, r_m).solve(solver)
lscp_sites = int(round(pulp.value(lscp.problem.objective)))
mclp = MCLP.from_cost_matrix(cost, weights, r_m, p_facilities=k).solve(solver)
mclp_weight = float(pulp.value(mclp.problem.objective))
print(
    json.dumps(
        {
            "lscp": lscp_sites,
            "mclp": mclp_weight,
            "rows": int(servable.sum()),
            "closest_to_r_m": closest,
            "max_set": int((cost <= r_m).sum(axis=0).max()),
        }
    )
)
