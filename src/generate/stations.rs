//! Charging stations for the synthetic city: one anchor charger per area
//! (ultra-fast, except in the withheld areas, which get a fast one), the
//! rest spread by population and along expressway corridors, plus the
//! mess real exports have — power as text, duplicates, a few stations
//! just outside the outline.

use geo::{BoundingRect, Contains, Coord, Distance, Euclidean, MultiPolygon, Point};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::areas::City;
use super::names::{CORRIDORS, OPERATORS};
use super::rng::{self, Stream};

/// Power tiers (kW) and how common each is among ordinary stations.
pub const TIERS_KW: [u32; 8] = [7, 60, 120, 180, 250, 360, 480, 600];
const TIER_WEIGHTS: [f64; 8] = [25.0, 20.0, 20.0, 12.0, 8.0, 6.0, 6.0, 3.0];
/// Ultra-fast in the demo's story: at least this many kW.
pub const ULTRA_FAST_KW: u32 = 480;
/// Fast in the demo's story: at least this many kW.
pub const FAST_KW: u32 = 180;
/// Keep ultra-fast chargers this far (km) from withheld areas, so that no
/// rounding of coordinates can move one inside.
const WITHHELD_MARGIN_KM: f64 = 0.05;
/// Anchors sit at least this far (km) inside their area.
const ANCHOR_MARGIN_KM: f64 = 0.03;
/// Share of stations whose power is written as text.
const TEXT_POWER_SHARE: f64 = 0.03;
const CHUNK: usize = 50_000;

/// One generated station, in the plane.
#[derive(Debug, Clone)]
pub struct PlanStation {
    pub id: u64,
    pub at: Coord<f64>,
    pub power_kw: u32,
    /// Power written as text ("480kW", "0.6 MW", …) instead of a number.
    pub power_text: Option<&'static str>,
    pub connectors: u32,
    pub operator: usize,
}

/// How many stations of each sort a run makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StationCounts {
    pub anchors: usize,
    pub ordinary: usize,
    pub outside: usize,
    pub exact_duplicates: usize,
    pub near_duplicates: usize,
}

impl StationCounts {
    /// Splits `total` stations for `areas` areas; `None` when there are
    /// too few to give every area its anchor and one of each other sort.
    /// Below the usual shares of outside and duplicate stations, what is
    /// left after the anchors goes to those sorts and none is ordinary.
    pub fn split(total: usize, areas: usize) -> Option<StationCounts> {
        let outside = (total / 500).max(1);
        let exact_duplicates = (total / 400).max(1);
        let near_duplicates = (total / 400).max(1);
        let fixed = areas + outside + exact_duplicates + near_duplicates;
        if total >= fixed {
            return Some(StationCounts {
                anchors: areas,
                ordinary: total - fixed,
                outside,
                exact_duplicates,
                near_duplicates,
            });
        }
        let rest = total.checked_sub(Self::minimum(areas))? + 3;
        let outside = (rest / 5).max(1);
        let exact_duplicates = ((rest - outside) / 2).max(1);
        Some(StationCounts {
            anchors: areas,
            ordinary: 0,
            outside,
            exact_duplicates,
            near_duplicates: rest - outside - exact_duplicates,
        })
    }

    pub fn minimum(areas: usize) -> usize {
        areas + 3
    }
}

/// Where stations can go: area lookup and the withheld areas.
struct Places<'a> {
    city: &'a City,
    areas: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    withheld: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    /// Cumulative population, for drawing an area by population.
    by_population: Vec<f64>,
    corridors: Vec<(Coord<f64>, Coord<f64>)>,
    corridor_cumulative: Vec<f64>,
}

fn rect(shape: &MultiPolygon<f64>, margin: f64) -> Option<Rectangle<[f64; 2]>> {
    let r = shape.bounding_rect()?;
    Some(Rectangle::from_corners(
        [r.min().x - margin, r.min().y - margin],
        [r.max().x + margin, r.max().y + margin],
    ))
}

impl<'a> Places<'a> {
    fn new(city: &'a City) -> Self {
        let boxes = |margin: f64, keep: &dyn Fn(usize) -> bool| {
            city.areas
                .iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .filter_map(|(i, a)| rect(&a.shape, margin).map(|r| GeomWithData::new(r, i)))
                .collect::<Vec<_>>()
        };
        let areas = RTree::bulk_load(boxes(0.0, &|_| true));
        let withheld = RTree::bulk_load(boxes(WITHHELD_MARGIN_KM, &|i| city.areas[i].withheld));
        let mut acc = 0.0;
        let by_population = city
            .areas
            .iter()
            .map(|a| {
                acc += a.population as f64 + 1.0;
                acc
            })
            .collect();
        let seats = &city.frame.seats;
        let corridors: Vec<_> = CORRIDORS
            .iter()
            .flat_map(|line| line.windows(2).map(|w| (seats[w[0]], seats[w[1]])))
            .collect();
        let mut acc = 0.0;
        let corridor_cumulative = corridors
            .iter()
            .map(|(a, b)| {
                let d = *b - *a;
                acc += d.x.hypot(d.y);
                acc
            })
            .collect();
        Places {
            city,
            areas,
            withheld,
            by_population,
            corridors,
            corridor_cumulative,
        }
    }

    fn locate(&self, p: Coord<f64>) -> Option<usize> {
        self.areas
            .locate_all_at_point(&[p.x, p.y])
            .map(|g| g.data)
            .find(|&i| self.city.areas[i].shape.contains(&Point(p)))
    }

    fn near_withheld(&self, p: Coord<f64>) -> bool {
        self.withheld.locate_all_at_point(&[p.x, p.y]).any(|g| {
            let shape = &self.city.areas[g.data].shape;
            shape.contains(&Point(p)) || boundary_distance(p, shape) < WITHHELD_MARGIN_KM
        })
    }

    /// A uniform point inside area `i`, at least `margin` km from its
    /// boundary; its safe point if sampling keeps failing.
    fn point_in(&self, i: usize, margin: f64, rng: &mut ChaCha8Rng) -> Coord<f64> {
        let area = &self.city.areas[i];
        if let Some(r) = area.shape.bounding_rect() {
            for _ in 0..1000 {
                let p = Coord {
                    x: r.min().x + rng.random::<f64>() * r.width(),
                    y: r.min().y + rng.random::<f64>() * r.height(),
                };
                if area.shape.contains(&Point(p))
                    && (margin <= 0.0 || boundary_distance(p, &area.shape) >= margin)
                {
                    return p;
                }
            }
        }
        area.safe_point
    }

    fn ordinary_point(&self, rng: &mut ChaCha8Rng) -> Coord<f64> {
        let roll = rng.random::<f64>();
        if roll < 0.25 {
            // Along an expressway corridor, up to a few km off it.
            let lateral = Normal::new(0.0, 0.8).expect("positive sigma");
            for _ in 0..20 {
                let total = self.corridor_cumulative.last().copied().unwrap_or(0.0);
                let k = pick(&self.corridor_cumulative, rng.random::<f64>() * total);
                let (a, b) = self.corridors[k];
                let d = b - a;
                let len = d.x.hypot(d.y).max(1e-9);
                let normal = Coord { x: -d.y, y: d.x } / len;
                let p = a + d * rng.random::<f64>() + normal * lateral.sample(rng);
                if self.locate(p).is_some() {
                    return p;
                }
            }
        }
        let i = if roll < 0.85 {
            let total = self.by_population.last().copied().unwrap_or(0.0);
            pick(&self.by_population, rng.random::<f64>() * total)
        } else {
            rng.random_range(0..self.city.areas.len())
        };
        self.point_in(i, 0.0, rng)
    }

    /// A point 0.3–2 km outside the outline.
    fn outside_point(&self, rng: &mut ChaCha8Rng) -> Coord<f64> {
        let ring = &self.city.outline.exterior().0;
        for _ in 0..1000 {
            let v = ring[rng.random_range(0..ring.len().max(1))];
            let angle = rng.random::<f64>() * std::f64::consts::TAU;
            let r = 0.3 + 1.7 * rng.random::<f64>();
            let p = v + Coord {
                x: angle.cos() * r,
                y: angle.sin() * r,
            };
            if self.locate(p).is_none() && !self.near_withheld(p) {
                return p;
            }
        }
        // Far beyond the outline's bounding box.
        let r = self
            .city
            .outline
            .bounding_rect()
            .map(|r| r.max())
            .unwrap_or_default();
        r + Coord { x: 1.0, y: 1.0 }
    }
}

fn boundary_distance(p: Coord<f64>, shape: &MultiPolygon<f64>) -> f64 {
    shape
        .iter()
        .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
        .map(|ring| Euclidean.distance(&Point(p), ring))
        .fold(f64::INFINITY, f64::min)
}

/// Index of the first cumulative weight above `x`.
fn pick(cumulative: &[f64], x: f64) -> usize {
    cumulative
        .partition_point(|&c| c <= x)
        .min(cumulative.len().saturating_sub(1))
}

fn weighted_tier(rng: &mut ChaCha8Rng, allowed: &[usize]) -> u32 {
    let total: f64 = allowed.iter().map(|&k| TIER_WEIGHTS[k]).sum();
    let mut x = rng.random::<f64>() * total;
    for &k in allowed {
        x -= TIER_WEIGHTS[k];
        if x <= 0.0 {
            return TIERS_KW[k];
        }
    }
    TIERS_KW[*allowed.last().unwrap_or(&0)]
}

/// Connector counts typical of each tier.
fn connectors(power_kw: u32, rng: &mut ChaCha8Rng) -> u32 {
    let (lo, hi) = match power_kw {
        0..=60 => (1, 2),
        61..=120 => (2, 4),
        121..=360 => (2, 6),
        _ => (1, 4),
    };
    rng.random_range(lo..=hi)
}

/// The way real exports write each tier as text.
fn power_text(power_kw: u32, rng: &mut ChaCha8Rng) -> Option<&'static str> {
    let options: &[&'static str] = match power_kw {
        7 => &["7kW", "7 kW"],
        60 => &["60 kW", "60kW"],
        120 => &["120+60 kW", "120 kW"],
        180 => &["180kW", "180 kW"],
        250 => &["0.25 MW", "250kW"],
        360 => &["360 kW", "360kW"],
        480 => &["480kW", "0.48 MW"],
        600 => &["0.6 MW", "600 kW"],
        _ => return None,
    };
    Some(options[rng.random_range(0..options.len())])
}

fn station(at: Coord<f64>, power_kw: u32, rng: &mut ChaCha8Rng) -> PlanStation {
    let power_text = if rng.random::<f64>() < TEXT_POWER_SHARE {
        power_text(power_kw, rng)
    } else {
        None
    };
    PlanStation {
        id: 0,
        at,
        power_kw,
        power_text,
        connectors: connectors(power_kw, rng),
        operator: pick(
            &[35.0, 60.0, 75.0, 87.0, 95.0, 100.0],
            rng.random::<f64>() * 100.0,
        )
        .min(OPERATORS.len() - 1),
    }
}

/// Every station, ids assigned; duplicates last.
pub fn generate(city: &City, counts: StationCounts, seed: u64) -> Vec<PlanStation> {
    let places = Places::new(city);
    let all_tiers: Vec<usize> = (0..TIERS_KW.len()).collect();
    let below_ultra: Vec<usize> = (0..TIERS_KW.len())
        .filter(|&k| TIERS_KW[k] < ULTRA_FAST_KW)
        .collect();
    let fast_not_ultra: Vec<usize> = (0..TIERS_KW.len())
        .filter(|&k| (FAST_KW..ULTRA_FAST_KW).contains(&TIERS_KW[k]))
        .collect();
    let ultra: Vec<usize> = (0..TIERS_KW.len())
        .filter(|&k| TIERS_KW[k] >= ULTRA_FAST_KW)
        .collect();

    // Anchors, one per area, in parallel chunks with their own streams.
    let anchor_chunks: Vec<Vec<PlanStation>> = (0..city.areas.len())
        .collect::<Vec<_>>()
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, ids)| {
            let mut rng = rng::keyed(seed, Stream::Stations, c as u64);
            ids.iter()
                .map(|&i| {
                    let tiers = if city.areas[i].withheld {
                        &fast_not_ultra
                    } else {
                        &ultra
                    };
                    let power = weighted_tier(&mut rng, tiers);
                    let at = places.point_in(i, ANCHOR_MARGIN_KM, &mut rng);
                    station(at, power, &mut rng)
                })
                .collect()
        })
        .collect();

    let chunk_count = counts.ordinary.div_ceil(CHUNK);
    let ordinary_chunks: Vec<Vec<PlanStation>> = (0..chunk_count)
        .into_par_iter()
        .map(|c| {
            let mut rng = rng::keyed(seed, Stream::Stations, (1 << 32) + c as u64);
            let n = CHUNK.min(counts.ordinary - c * CHUNK);
            (0..n)
                .map(|_| {
                    let at = places.ordinary_point(&mut rng);
                    let mut power = weighted_tier(&mut rng, &all_tiers);
                    if power >= ULTRA_FAST_KW && places.near_withheld(at) {
                        power = weighted_tier(&mut rng, &below_ultra);
                    }
                    station(at, power, &mut rng)
                })
                .collect()
        })
        .collect();

    let mut rng = rng::keyed(seed, Stream::Stations, 2 << 32);
    let mut stations: Vec<PlanStation> = anchor_chunks
        .into_iter()
        .chain(ordinary_chunks)
        .flatten()
        .collect();
    for _ in 0..counts.outside {
        let at = places.outside_point(&mut rng);
        let power = weighted_tier(&mut rng, &[0, 1, 2]);
        stations.push(station(at, power, &mut rng));
    }
    for (k, s) in stations.iter_mut().enumerate() {
        s.id = k as u64 + 1;
    }
    let originals = stations.len();
    for _ in 0..counts.exact_duplicates {
        let copy = stations[rng.random_range(0..originals)].clone();
        stations.push(copy);
    }
    let mut next_id = originals as u64 + 1;
    let mut made = 0;
    while made < counts.near_duplicates {
        let mut copy = stations[rng.random_range(0..originals)].clone();
        let angle = rng.random::<f64>() * std::f64::consts::TAU;
        let r = 0.002 + 0.006 * rng.random::<f64>();
        copy.at = copy.at
            + Coord {
                x: angle.cos() * r,
                y: angle.sin() * r,
            };
        if copy.power_kw >= ULTRA_FAST_KW && places.near_withheld(copy.at) {
            continue;
        }
        copy.id = next_id;
        next_id += 1;
        stations.push(copy);
        made += 1;
    }
    stations
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every total from the stated minimum up is split, each sort gets
    /// at least one station, and the parts add up (the minimum used to
    /// be refused for 40,000 areas: the shares grew with the total).
    #[test]
    fn every_total_from_the_minimum_up_is_split() {
        for areas in [8, 1031, 40_000] {
            let minimum = StationCounts::minimum(areas);
            assert!(StationCounts::split(minimum - 1, areas).is_none());
            for total in (minimum..minimum + 2_000).chain([6_000, 200_000, 2_000_000]) {
                if total < minimum {
                    continue;
                }
                let c = StationCounts::split(total, areas)
                    .unwrap_or_else(|| panic!("{total} for {areas}"));
                assert_eq!(c.anchors, areas);
                assert!(c.outside >= 1 && c.exact_duplicates >= 1 && c.near_duplicates >= 1);
                let sum =
                    c.anchors + c.ordinary + c.outside + c.exact_duplicates + c.near_duplicates;
                assert_eq!(sum, total, "{c:?}");
            }
        }
    }
}
