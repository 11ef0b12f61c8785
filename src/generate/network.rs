//! A synthetic motorway network with charging stations, for corridor
//! checks at national scale (`chargecov generate --network`).
//!
//! Cities are scattered over a Germany-sized box; the shortest edges of
//! their Delaunay triangulation become motorways (route `A n`) until the
//! carriageways reach the asked length. Each motorway is a gently curving
//! line between two cities, drawn as two one-way carriageways 30 m apart
//! (traffic on the right), each cut into ways of 100–300 m as OSM maps
//! them. At a city, short untagged links (`highway=motorway_link`) join
//! every carriageway that starts or ends there to the city's node: the
//! junction that joins routes in the network view, without turning one
//! carriageway into the other.
//!
//! Stations: service areas every 25–70 km on each carriageway (seven in
//! ten with chargers: pools of 2–8 points of 150–350 kW, one `site` key
//! each), and the rest around cities at 11–150 kW.

use std::fmt::Write as _;
use std::path::Path;

use geo::Coord;
use rand::RngExt;
use rand_distr::{Distribution, Normal};
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};

use crate::error::{Error, Result, Setting};
use crate::generate::rng::{Stream, keyed, stream};
use crate::geodesy::LocalFrame;
use crate::output::staged::StagedOutputs;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkConfig {
    /// Charging stations.
    pub stations: usize,
    /// Carriageway length to reach, km (both directions counted).
    pub carriageway_km: f64,
    /// The seed of every random choice.
    pub seed: u64,
}

/// The benchmark's network: about Germany's motorway length.
pub const NATIONAL_NETWORK: NetworkConfig = NetworkConfig {
    stations: 100_000,
    carriageway_km: 35_000.0,
    seed: 2024,
};

/// A generated network and its stations, as GeoJSON text.
#[derive(Debug, Clone)]
pub struct SyntheticNetwork {
    /// The roads.
    pub network: String,
    /// The stations.
    pub stations: String,
    /// Motorways (routes).
    pub routes: usize,
    /// Ways (carriageway pieces and links).
    pub ways: usize,
    /// Carriageway length, km (in the generator's plane).
    pub carriageway_km: f64,
    /// Stations written.
    pub station_count: usize,
}

struct City {
    position: Point2<f64>,
}

impl HasPosition for City {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.position
    }
}

/// The box the network lies in: Germany's extent, roughly.
const WEST: f64 = 6.0;
const EAST: f64 = 15.0;
const SOUTH: f64 = 47.5;
const NORTH: f64 = 55.0;
const CITIES: usize = 140;
/// Half the distance between carriageways, metres.
const HALF_WIDTH_M: f64 = 15.0;

/// Generates the network and its stations.
pub fn generate(config: NetworkConfig) -> Result<SyntheticNetwork> {
    if config.stations > super::MAX_STATIONS {
        return Err(Error::InvalidSetting {
            setting: Setting::GenerateStations,
            value: config.stations.to_string(),
            expected: "at most 20,000,000",
        });
    }
    let frame = LocalFrame::new(Coord {
        x: (WEST + EAST) / 2.0,
        y: (SOUTH + NORTH) / 2.0,
    });
    let mut rng = stream(config.seed, Stream::Network);
    let cities: Vec<Coord<f64>> = (0..CITIES)
        .map(|_| {
            frame.to_local(Coord {
                x: WEST + rng.random::<f64>() * (EAST - WEST),
                y: SOUTH + rng.random::<f64>() * (NORTH - SOUTH),
            })
        })
        .collect();
    let triangulation: DelaunayTriangulation<City> = DelaunayTriangulation::bulk_load(
        cities
            .iter()
            .map(|c| City {
                position: Point2::new(c.x, c.y),
            })
            .collect(),
    )
    .map_err(|_| Error::GeneratorMiss {
        seed: config.seed,
        made: 0,
        wanted: CITIES,
    })?;
    let mut edges: Vec<(usize, usize, f64)> = triangulation
        .undirected_edges()
        .map(|e| {
            let [a, b] = e.vertices();
            let (a, b) = (a.fix().index(), b.fix().index());
            let (a, b) = (a.min(b), a.max(b));
            let d =
                ((cities[a].x - cities[b].x).powi(2) + (cities[a].y - cities[b].y).powi(2)).sqrt();
            (a, b, d)
        })
        .collect();
    edges.sort_by(|x, y| x.2.total_cmp(&y.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    // Curves lengthen a motorway by about 2 %.
    let target_route_m = config.carriageway_km * 1000.0 / 2.0 / 1.02;
    let mut total = 0.0;
    let mut chosen = Vec::new();
    for e in edges {
        if total >= target_route_m {
            break;
        }
        total += e.2;
        chosen.push(e);
    }

    let mut roads = String::with_capacity(64 << 20);
    roads.push_str("{\"type\":\"FeatureCollection\",\"features\":[\n");
    let mut ways = 0usize;
    let mut carriageway_m = 0.0;
    let mut first = true;
    let mut feature = |roads: &mut String, props: &str, line: &[Coord<f64>]| -> f64 {
        if !first {
            roads.push_str(",\n");
        }
        first = false;
        let _ = write!(
            roads,
            "{{\"type\":\"Feature\",\"properties\":{props},\"geometry\":{{\"type\":\"LineString\",\"coordinates\":["
        );
        for (k, c) in line.iter().enumerate() {
            let ll = frame.to_lonlat(*c);
            let _ = write!(
                roads,
                "{}[{:.6},{:.6}]",
                if k == 0 { "" } else { "," },
                ll.x,
                ll.y
            );
        }
        roads.push_str("]}}");
        line.windows(2)
            .map(|w| ((w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2)).sqrt())
            .sum()
    };
    // Service areas: (position in the local frame, route, kw per point, points).
    let mut service: Vec<(Coord<f64>, usize)> = Vec::new();
    for (k, &(a, b, _)) in chosen.iter().enumerate() {
        let mut rng = keyed(config.seed, Stream::Network, 1 + k as u64);
        let (pa, pb) = (cities[a], cities[b]);
        let (dx, dy) = (pb.x - pa.x, pb.y - pa.y);
        let length = (dx * dx + dy * dy).sqrt();
        let (ux, uy) = (dx / length, dy / length);
        let (nx, ny) = (-uy, ux);
        let amplitude = length * rng.random_range(0.01..0.03);
        let waves = f64::from(rng.random_range(1u32..4));
        let phase = if rng.random::<bool>() { 1.0 } else { -1.0 };
        // The centre line at t ∈ [0, 1], and its unit normal.
        let centre = |t: f64| {
            let w = phase * amplitude * (std::f64::consts::PI * waves * t).sin();
            Coord {
                x: pa.x + dx * t + nx * w,
                y: pa.y + dy * t + ny * w,
            }
        };
        let normal = |t: f64| {
            let dw = phase
                * amplitude
                * std::f64::consts::PI
                * waves
                * (std::f64::consts::PI * waves * t).cos()
                / length;
            let (tx, ty) = (ux + nx * dw, uy + ny * dw);
            let n = (tx * tx + ty * ty).sqrt();
            (-ty / n, tx / n)
        };
        // Cut points: every 100–300 m along t (the curve is nearly straight).
        let mut cuts = vec![0.0];
        let mut at = 0.0;
        loop {
            at += rng.random_range(100.0..300.0) / length;
            if at >= 1.0 - 50.0 / length {
                break;
            }
            cuts.push(at);
        }
        cuts.push(1.0);
        let side = |t: f64, s: f64| {
            let c = centre(t);
            let (nx, ny) = normal(t);
            Coord {
                x: c.x + s * nx * HALF_WIDTH_M,
                y: c.y + s * ny * HALF_WIDTH_M,
            }
        };
        let name = format!(
            "{{\"ref\":\"A {}\",\"highway\":\"motorway\",\"oneway\":\"yes\"}}",
            k + 1
        );
        // Forward (a → b) on the right of its direction: normal × −1.
        for w in cuts.windows(2) {
            let (t0, t1) = (w[0], w[1]);
            let line = [side(t0, -1.0), side((t0 + t1) / 2.0, -1.0), side(t1, -1.0)];
            carriageway_m += feature(&mut roads, &name, &line);
            ways += 1;
        }
        for w in cuts.windows(2).rev() {
            let (t0, t1) = (w[0], w[1]);
            let line = [side(t1, 1.0), side((t0 + t1) / 2.0, 1.0), side(t0, 1.0)];
            carriageway_m += feature(&mut roads, &name, &line);
            ways += 1;
        }
        let link = "{\"highway\":\"motorway_link\",\"oneway\":\"yes\"}";
        feature(&mut roads, link, &[pa, side(0.0, -1.0)]);
        feature(&mut roads, link, &[side(1.0, -1.0), pb]);
        feature(&mut roads, link, &[pb, side(1.0, 1.0)]);
        feature(&mut roads, link, &[side(0.0, 1.0), pa]);
        ways += 4;
        // Service areas on each side, every 25–70 km.
        for s in [-1.0, 1.0] {
            let mut m = rng.random_range(5_000.0..40_000.0);
            while m < length - 5_000.0 {
                let t = m / length;
                if rng.random::<f64>() < 0.7 {
                    let c = side(t, s * (1.0 + rng.random_range(4.0..10.0)));
                    service.push((c, k));
                }
                m += rng.random_range(25_000.0..70_000.0);
            }
        }
    }
    roads.push_str("\n]}\n");

    // Stations.
    let mut rng = keyed(config.seed, Stream::Network, 0);
    let mut stations = String::with_capacity(config.stations * 110);
    stations.push_str("{\"type\":\"FeatureCollection\",\"features\":[\n");
    let mut n = 0usize;
    let point = |stations: &mut String,
                 n: &mut usize,
                 c: Coord<f64>,
                 kw: f64,
                 site: Option<usize>| {
        let ll = frame.to_lonlat(c);
        let site = site
            .map(|s| format!(",\"site\":\"SA{s}\""))
            .unwrap_or_default();
        let _ = write!(
            stations,
            "{}{{\"type\":\"Feature\",\"properties\":{{\"id\":\"S{}\",\"power_kw\":{kw}{site}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{:.6},{:.6}]}}}}",
            if *n == 0 { "" } else { ",\n" },
            *n + 1,
            ll.x,
            ll.y
        );
        *n += 1;
    };
    'service: for (s, &(c, _)) in service.iter().enumerate() {
        let points = rng.random_range(2..=8);
        let kw = [150.0, 300.0, 350.0][rng.random_range(0..3)];
        for _ in 0..points {
            if n >= config.stations {
                break 'service;
            }
            let jitter = Coord {
                x: c.x + rng.random_range(-10.0..10.0),
                y: c.y + rng.random_range(-10.0..10.0),
            };
            point(&mut stations, &mut n, jitter, kw, Some(s + 1));
        }
    }
    let spread = Normal::new(0.0, 8_000.0).expect("positive sigma");
    while n < config.stations {
        let city = cities[rng.random_range(0..cities.len())];
        let c = Coord {
            x: city.x + spread.sample(&mut rng),
            y: city.y + spread.sample(&mut rng),
        };
        let kw = [11.0, 22.0, 50.0, 150.0][rng.random_range(0..4)];
        point(&mut stations, &mut n, c, kw, None);
    }
    stations.push_str("\n]}\n");
    Ok(SyntheticNetwork {
        network: roads,
        stations,
        routes: chosen.len(),
        ways,
        carriageway_km: carriageway_m / 1000.0,
        station_count: n,
    })
}

impl SyntheticNetwork {
    /// Writes `network.geojson` and `stations.geojson` into `dir`, all or
    /// nothing.
    pub fn write_to_dir(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|error| Error::Write {
            path: dir.to_path_buf(),
            error,
        })?;
        let mut outputs = StagedOutputs::new();
        outputs.stage_streamed(&dir.join("network.geojson"), |w| {
            w.write_all(self.network.as_bytes())
        })?;
        outputs.stage_streamed(&dir.join("stations.geojson"), |w| {
            w.write_all(self.stations.as_bytes())
        })?;
        outputs.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes() {
        let config = NetworkConfig {
            stations: 500,
            carriageway_km: 2_000.0,
            seed: 7,
        };
        let a = generate(config).unwrap();
        let b = generate(config).unwrap();
        assert_eq!(a.network, b.network);
        assert_eq!(a.stations, b.stations);
        assert_eq!(a.station_count, 500);
        // The straight-line length is asked for; curves add about 2 %.
        assert!(a.carriageway_km >= 1_900.0, "{}", a.carriageway_km);
        let other = generate(NetworkConfig { seed: 8, ..config }).unwrap();
        assert_ne!(a.network, other.network);
    }
}
