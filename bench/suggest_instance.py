"""Writes a random `suggest` instance for bench/suggest.sh: N small
squares (0.01°) and M candidate points in a 1° × 0.7° box of southern
Germany, one far-off station (none qualifies), populations 1–999.

Usage: suggest_instance.py DIR N M SEED
"""

import json
import os
import random
import sys

out, n, m, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
os.makedirs(out, exist_ok=True)


def collection(features):
    return {"type": "FeatureCollection", "features": features}


areas = []
for i in range(n):
    x, y = 8.0 + rng.random(), 49.0 + 0.7 * rng.random()
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    areas.append({"type": "Feature", "properties": {"id": f"a{i}", "pop": rng.randint(1, 999)},
                  "geometry": {"type": "Polygon", "coordinates": [ring]}})
candidates = [{"type": "Feature", "properties": {"id": f"c{j}"},
               "geometry": {"type": "Point", "coordinates": [8.0 + rng.random(), 49.0 + 0.7 * rng.random()]}}
              for j in range(m)]
station = {"type": "Feature", "properties": {"id": "far", "power_kw": 50},
           "geometry": {"type": "Point", "coordinates": [30.0, 30.0]}}
for name, features in [("areas", areas), ("candidates", candidates), ("stations", [station])]:
    with open(os.path.join(out, f"{name}.geojson"), "w") as f:
        json.dump(collection(features), f)
