//! From cells to township-level areas: shapes (with a few exclaves and
//! enclaves), districts, kinds, codes, names and populations.

use std::collections::{HashMap, HashSet};

use geo::{Area, Coord, LineString, MultiPolygon, Polygon};
use rand::RngExt;

use super::density::{self, Component};
use super::names::{DISTRICTS, NAME_FIRST, NAME_SECOND};
use super::plane::{CHONGQING_AREAS, CityFrame};
use super::rng::{self, Stream};
use super::tessellate::Tessellation;
use super::wiggle::{Boundaries, ENVELOPE};

/// Township-level kinds, in Chongqing's proportions (245 subdistricts,
/// 625 towns, 161 townships of 1,031).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Subdistrict,
    Town,
    Township,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Subdistrict => "街道",
            Kind::Town => "镇",
            Kind::Township => "乡",
        }
    }

    /// First township code of the kind: 001–099 subdistricts, 100–199
    /// towns, 200–299 townships, as in China's division codes.
    fn code_base(self) -> u32 {
        match self {
            Kind::Subdistrict => 0,
            Kind::Town => 100,
            Kind::Township => 200,
        }
    }
}

/// A district or county (the group of its areas).
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub code: u32,
    pub centre: Coord<f64>,
}

/// One township-level area, in the plane (km).
#[derive(Debug, Clone)]
pub struct PlanArea {
    pub shape: MultiPolygon<f64>,
    /// A point well inside the area (its seed, or beside it for a host
    /// of an enclave), used when sampling stations fails.
    pub safe_point: Coord<f64>,
    /// The seed of its main cell: where its density is read.
    pub centre: Coord<f64>,
    pub kind: Kind,
    pub group: usize,
    pub code: String,
    pub name: String,
    pub population: u64,
    pub area_km2: f64,
    /// Has an exclave, is an enclave, or hosts one.
    pub special: bool,
    /// Chosen to have no ultra-fast charger (the demo's failing claim).
    pub withheld: bool,
}

/// The whole synthetic city in the plane.
#[derive(Debug, Clone)]
pub struct City {
    pub frame: CityFrame,
    pub areas: Vec<PlanArea>,
    pub groups: Vec<Group>,
    /// The union of all areas (one ring, counter-clockwise).
    pub outline: Polygon<f64>,
}

/// Enclaves and exclaves: "a few", about one each per 300 areas.
pub fn special_count(areas: usize) -> usize {
    (areas / 300).max(1).min(areas / 4)
}

/// Withheld areas (no ultra-fast charger): six in the demo, in proportion elsewhere.
pub fn withheld_count(areas: usize) -> usize {
    ((areas as f64 * 6.0 / CHONGQING_AREAS as f64).round() as usize).clamp(1, areas)
}

/// Enclave size against the room around its host's seed, and how much
/// its radius may wobble (relative).
const ENCLAVE_RADIUS: f64 = 0.3;
const ENCLAVE_WOBBLE: f64 = 0.15;

/// Total population: Chongqing's 32 million at the demo's scale.
const POPULATION_PER_AREA: f64 = 32_000_000.0 / CHONGQING_AREAS as f64;

/// Builds the areas from a tessellation with `area_count - specials +
/// specials` cells (one exclave merges two cells; one enclave adds one).
pub fn build(
    frame: CityFrame,
    t: &Tessellation,
    b: &Boundaries,
    area_count: usize,
    seed: u64,
) -> City {
    let mut rng = rng::stream(seed, Stream::Areas);
    let cell_ids: Vec<u32> = (0..t.cells.len() as u32)
        .filter(|&i| t.inside[i as usize] && !t.cells[i as usize].vertices.is_empty())
        .collect();
    let ring = |cell: u32| cell_ring(t, b, cell);

    // Exclaves: a cell joined to one two steps away.
    let specials = special_count(area_count);
    let mut used: HashSet<u32> = HashSet::new();
    let mut joined: Vec<(u32, u32)> = Vec::new();
    let mut tries = 0;
    while joined.len() < specials && tries < 100 * specials && !cell_ids.is_empty() {
        tries += 1;
        let p = cell_ids[rng.random_range(0..cell_ids.len())];
        if used.contains(&p) {
            continue;
        }
        let near: HashSet<u32> = t.cells[p as usize].neighbours.iter().copied().collect();
        let far = near
            .iter()
            .flat_map(|&n| t.cells[n as usize].neighbours.iter().copied())
            .filter(|q| *q != p && !near.contains(q) && t.inside[*q as usize])
            .filter(|q| !t.cells[*q as usize].vertices.is_empty() && !used.contains(q))
            .min();
        if let Some(q) = far {
            used.insert(p);
            used.insert(q);
            for &n in &near {
                used.insert(n); // keep the cell between them ordinary
            }
            joined.push((p, q));
        }
    }
    let joined_to: HashMap<u32, u32> = joined.iter().copied().collect();
    let absorbed: HashSet<u32> = joined.iter().map(|&(_, q)| q).collect();

    // Enclaves: as many as exclaves were made, so the count comes out right.
    let mut hosts: Vec<u32> = Vec::new();
    let mut tries = 0;
    while hosts.len() < joined.len() && tries < 100 * specials {
        tries += 1;
        let h = cell_ids[rng.random_range(0..cell_ids.len())];
        if !used.contains(&h) {
            used.insert(h);
            hosts.push(h);
        }
    }

    let components = density::components(&frame);
    let mut areas = Vec::with_capacity(area_count);
    for &cell in &cell_ids {
        if absorbed.contains(&cell) {
            continue;
        }
        let seed_point = t.seeds[cell as usize];
        let mut polygons = vec![Polygon::new(ring(cell), vec![])];
        let mut safe_point = seed_point;
        let mut special = false;
        if let Some(&q) = joined_to.get(&cell) {
            polygons.push(Polygon::new(ring(q), vec![]));
            special = true;
        }
        if hosts.contains(&cell) {
            let room = seed_room(t, cell);
            let enclave = enclave_ring(seed_point, ENCLAVE_RADIUS * room, &mut rng);
            let mut hole = enclave.clone();
            hole.0.reverse();
            polygons[0] = Polygon::new(ring(cell), vec![hole]);
            // Halfway between the enclave's farthest reach and the nearest
            // any wiggle can come (see `wiggle`).
            let reach = ENCLAVE_RADIUS * (1.0 + ENCLAVE_WOBBLE);
            let safe = 0.5 * (reach + (1.0 - ENVELOPE));
            safe_point = seed_point + towards_nearest_edge(t, cell) * (safe * room);
            special = true;
            areas.push(new_area(
                MultiPolygon(vec![Polygon::new(enclave, vec![])]),
                seed_point,
                seed_point,
                true,
            ));
        }
        areas.push(new_area(
            MultiPolygon(polygons),
            safe_point,
            seed_point,
            special,
        ));
    }

    let groups = assign_groups(&frame, &mut areas, area_count, &components, seed);
    assign_kinds(&mut areas, &components);
    assign_codes_and_names(&mut areas, &groups, seed);
    assign_population(&mut areas, &components, area_count);
    choose_withheld(&mut areas, &groups, area_count);
    areas.sort_by(|a, b| a.code.cmp(&b.code));
    let outline = outline(t, b);
    City {
        frame,
        areas,
        groups,
        outline,
    }
}

fn new_area(
    shape: MultiPolygon<f64>,
    safe_point: Coord<f64>,
    centre: Coord<f64>,
    special: bool,
) -> PlanArea {
    let area_km2 = shape.unsigned_area();
    PlanArea {
        shape,
        safe_point,
        centre,
        kind: Kind::Town,
        group: 0,
        code: String::new(),
        name: String::new(),
        population: 0,
        area_km2,
        special,
        withheld: false,
    }
}

/// The closed ring of a cell with its wiggled edges.
fn cell_ring(t: &Tessellation, b: &Boundaries, cell: u32) -> LineString<f64> {
    let c = &t.cells[cell as usize];
    let n = c.vertices.len();
    let mut points = Vec::with_capacity(n * 12);
    for k in 0..n {
        points.push(t.vertices[c.vertices[(k + n - 1) % n] as usize]);
        points.extend(b.interior(cell, c.neighbours[k]));
    }
    let mut ring = LineString::new(points);
    ring.close();
    ring
}

/// The smallest distance from a cell's seed to the lines of its straight
/// edges: the height of its lowest fan triangle.
fn seed_room(t: &Tessellation, cell: u32) -> f64 {
    let c = &t.cells[cell as usize];
    let s = t.seeds[cell as usize];
    let n = c.vertices.len();
    (0..n)
        .map(|k| {
            let a = t.vertices[c.vertices[(k + n - 1) % n] as usize];
            let e = t.vertices[c.vertices[k] as usize] - a;
            let len = e.x.hypot(e.y);
            let r = s - a;
            if len > 0.0 {
                (e.x * r.y - e.y * r.x).abs() / len
            } else {
                r.x.hypot(r.y)
            }
        })
        .fold(f64::INFINITY, f64::min)
}

/// Unit vector from a cell's seed to the foot on its nearest edge line.
fn towards_nearest_edge(t: &Tessellation, cell: u32) -> Coord<f64> {
    let c = &t.cells[cell as usize];
    let s = t.seeds[cell as usize];
    let n = c.vertices.len();
    let mut best = (f64::INFINITY, Coord { x: 1.0, y: 0.0 });
    for k in 0..n {
        let a = t.vertices[c.vertices[(k + n - 1) % n] as usize];
        let e = t.vertices[c.vertices[k] as usize] - a;
        let len = e.x.hypot(e.y);
        if len <= 0.0 {
            continue;
        }
        let u = e / len;
        let r = s - a;
        let along = r.x * u.x + r.y * u.y;
        let foot = a + u * along;
        let d = foot - s;
        let dist = d.x.hypot(d.y);
        if dist > 0.0 && dist < best.0 {
            best = (dist, d / dist);
        }
    }
    best.1
}

/// A wiggly, star-shaped ring (so always simple) of 64 vertices.
fn enclave_ring(centre: Coord<f64>, radius: f64, rng: &mut impl RngExt) -> LineString<f64> {
    let terms: Vec<(f64, f64, f64)> = (2..=4)
        .map(|k| {
            let amplitude = rng.random::<f64>() * ENCLAVE_WOBBLE / 3.0;
            (
                k as f64,
                amplitude,
                rng.random::<f64>() * std::f64::consts::TAU,
            )
        })
        .collect();
    let n = 64;
    let mut points: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let theta = i as f64 / n as f64 * std::f64::consts::TAU;
            let r = radius
                * (1.0
                    + terms
                        .iter()
                        .map(|&(k, a, phase)| a * (k * theta + phase).sin())
                        .sum::<f64>());
            centre
                + Coord {
                    x: theta.cos(),
                    y: theta.sin(),
                } * r
        })
        .collect();
    points.push(points[0]);
    LineString::new(points)
}

/// District centres: the real seats when there are at most 38 districts
/// (spread out first), plus density-weighted extra centres beyond that.
fn assign_groups(
    frame: &CityFrame,
    areas: &mut [PlanArea],
    area_count: usize,
    components: &[Component],
    seed: u64,
) -> Vec<Group> {
    let wanted = ((area_count as f64 * DISTRICTS.len() as f64 / CHONGQING_AREAS as f64).round()
        as usize)
        .clamp(1, area_count);
    let mut groups: Vec<Group> = Vec::new();
    // Farthest-point order of the seats, starting at the main city.
    let mut chosen = vec![super::names::MAIN_CENTRE];
    while chosen.len() < DISTRICTS.len().min(wanted) {
        let next = (0..DISTRICTS.len())
            .filter(|i| !chosen.contains(i))
            .max_by(|&a, &b| {
                let da = nearest_sq(frame.seats[a], chosen.iter().map(|&c| frame.seats[c]));
                let db = nearest_sq(frame.seats[b], chosen.iter().map(|&c| frame.seats[c]));
                da.total_cmp(&db).then(b.cmp(&a))
            });
        match next {
            Some(n) => chosen.push(n),
            None => break,
        }
    }
    chosen.sort_unstable();
    for &i in &chosen {
        groups.push(Group {
            name: DISTRICTS[i].name.to_owned(),
            code: DISTRICTS[i].code,
            centre: frame.seats[i],
        });
    }
    let mut rng = rng::stream(seed, Stream::Groups);
    let weights: Vec<f64> = areas
        .iter()
        .map(|a| density::relative(components, a.centre))
        .collect();
    let total: f64 = weights.iter().sum();
    while groups.len() < wanted {
        let mut pick = rng.random::<f64>() * total;
        let i = weights
            .iter()
            .position(|w| {
                pick -= w;
                pick <= 0.0
            })
            .unwrap_or(0);
        let n = groups.len();
        groups.push(Group {
            name: format!("合成{:04}县", n + 1),
            code: 600_000 + n as u32,
            centre: areas[i].centre,
        });
    }
    for area in areas.iter_mut() {
        area.group = (0..groups.len())
            .min_by(|&a, &b| {
                let da = dist_sq(area.centre, groups[a].centre);
                let db = dist_sq(area.centre, groups[b].centre);
                da.total_cmp(&db).then(a.cmp(&b))
            })
            .unwrap_or(0);
    }
    groups
}

fn dist_sq(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let d = a - b;
    d.x * d.x + d.y * d.y
}

fn nearest_sq(p: Coord<f64>, others: impl Iterator<Item = Coord<f64>>) -> f64 {
    others.map(|o| dist_sq(p, o)).fold(f64::INFINITY, f64::min)
}

/// The densest areas are subdistricts, the sparsest townships.
fn assign_kinds(areas: &mut [PlanArea], components: &[Component]) {
    let n = areas.len();
    let subdistricts = (n as f64 * 245.0 / 1031.0).round() as usize;
    let townships = (n as f64 * 161.0 / 1031.0).round() as usize;
    let mut order: Vec<usize> = (0..n).collect();
    let rho: Vec<f64> = areas
        .iter()
        .map(|a| density::relative(components, a.centre))
        .collect();
    order.sort_by(|&a, &b| rho[b].total_cmp(&rho[a]).then(a.cmp(&b)));
    for (rank, &i) in order.iter().enumerate() {
        areas[i].kind = if rank < subdistricts {
            Kind::Subdistrict
        } else if rank >= n.saturating_sub(townships) {
            Kind::Township
        } else {
            Kind::Town
        };
    }
}

/// Twelve-digit codes: district (6) + township (3) + `000`, townships
/// numbered by kind and then outwards from the district seat.
fn assign_codes_and_names(areas: &mut [PlanArea], groups: &[Group], seed: u64) {
    let mut rng = rng::stream(seed, Stream::Names);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (i, a) in areas.iter().enumerate() {
        members[a.group].push(i);
    }
    for (g, list) in members.iter_mut().enumerate() {
        list.sort_by(|&a, &b| {
            let (aa, bb) = (&areas[a], &areas[b]);
            aa.kind
                .cmp(&bb.kind)
                .then(
                    dist_sq(aa.centre, groups[g].centre)
                        .total_cmp(&dist_sq(bb.centre, groups[g].centre)),
                )
                .then(a.cmp(&b))
        });
        let mut per_kind: HashMap<Kind, u32> = HashMap::new();
        let mut overflow = 300;
        let mut names: HashSet<String> = HashSet::new();
        for &i in list.iter() {
            let kind = areas[i].kind;
            let k = per_kind.entry(kind).or_insert(0);
            *k += 1;
            let township = if *k <= 99 {
                kind.code_base() + *k
            } else {
                overflow += 1;
                overflow
            };
            areas[i].code = format!("{:06}{:03}000", groups[g].code, township % 1000);
            if township >= 1000 {
                // More than 700 areas in one district: widen the township part.
                areas[i].code = format!("{:06}{:06}", groups[g].code, township);
            }
            let mut name = String::new();
            for attempt in 0..40 {
                let first = NAME_FIRST[rng.random_range(0..NAME_FIRST.len())];
                let second = NAME_SECOND[rng.random_range(0..NAME_SECOND.len())];
                name = format!("{first}{second}{}", kind.label());
                if attempt == 39 {
                    name = format!("{first}{second}{township}{}", kind.label());
                }
                if names.insert(name.clone()) {
                    break;
                }
            }
            areas[i].name = name;
        }
    }
}

/// Population density rises with urban density (about 150 /km² in the
/// mountains, over 10,000 /km² in the main city); the total is scaled to
/// Chongqing's 32 million per 1,031 areas.
fn assign_population(areas: &mut [PlanArea], components: &[Component], area_count: usize) {
    let raw: Vec<f64> = areas
        .iter()
        .map(|a| a.area_km2 * 150.0 * density::relative(components, a.centre).powf(1.2))
        .collect();
    let total: f64 = raw.iter().sum();
    let wanted = POPULATION_PER_AREA * area_count as f64;
    for (a, r) in areas.iter_mut().zip(raw) {
        a.population = (r * wanted / total).round() as u64;
    }
}

/// The most remote ordinary townships (farthest from every district seat)
/// get no ultra-fast charger.
fn choose_withheld(areas: &mut [PlanArea], groups: &[Group], area_count: usize) {
    let mut candidates: Vec<usize> = (0..areas.len())
        .filter(|&i| areas[i].kind == Kind::Township && !areas[i].special)
        .collect();
    if candidates.is_empty() {
        candidates = (0..areas.len()).filter(|&i| !areas[i].special).collect();
    }
    let remoteness = |i: usize| nearest_sq(areas[i].centre, groups.iter().map(|g| g.centre));
    candidates.sort_by(|&a, &b| remoteness(b).total_cmp(&remoteness(a)).then(a.cmp(&b)));
    for &i in candidates.iter().take(withheld_count(area_count)) {
        areas[i].withheld = true;
    }
}

/// The city's outline: the chain of boundaries between inside and outside
/// cells, oriented as the inside cells see them (counter-clockwise).
fn outline(t: &Tessellation, b: &Boundaries) -> Polygon<f64> {
    let mut next: HashMap<u32, (u32, Vec<Coord<f64>>)> = HashMap::new();
    for (a, cell) in t.cells.iter().enumerate() {
        let n = cell.vertices.len();
        for k in 0..n {
            let other = cell.neighbours[k];
            if t.inside[other as usize] {
                continue;
            }
            let from = cell.vertices[(k + n - 1) % n];
            let mut points = vec![t.vertices[from as usize]];
            points.extend(b.interior(a as u32, other));
            next.insert(from, (cell.vertices[k], points));
        }
    }
    let mut loops: Vec<LineString<f64>> = Vec::new();
    let mut starts: Vec<u32> = next.keys().copied().collect();
    starts.sort_unstable();
    let mut done: HashSet<u32> = HashSet::new();
    for start in starts {
        if done.contains(&start) {
            continue;
        }
        let mut points = Vec::new();
        let mut at = start;
        while done.insert(at) {
            let Some((to, segment)) = next.get(&at) else {
                break;
            };
            points.extend_from_slice(segment);
            at = *to;
        }
        let mut ring = LineString::new(points);
        ring.close();
        loops.push(ring);
    }
    // The inside set is one piece without holes: one loop (take the largest).
    let largest = loops
        .into_iter()
        .max_by(|a, b| {
            let area = |r: &LineString<f64>| Polygon::new(r.clone(), vec![]).unsigned_area();
            area(a).total_cmp(&area(b))
        })
        .unwrap_or_else(|| LineString::new(vec![]));
    Polygon::new(largest, vec![])
}
