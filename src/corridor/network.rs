//! A road network as read: lines grouped into named routes, each line an
//! edge between two junction nodes, one-way lines carrying their driving
//! direction.
//!
//! Lines meet where their end positions lie within the snapping distance
//! ([`NetworkSpec::snap_m`], 1 m unless set): OSM ways share their end
//! nodes exactly, but exports of other tools round, and hand-drawn or
//! converted roads leave centimetre breaks that would otherwise cut a
//! route into pieces each too short to fail. Ends within the distance of
//! each other join, transitively; a line no longer than the distance
//! whose two ends join is dropped (a sliver, not a road). Interior
//! vertices are never joined: a bridge over a motorway is not a junction.

use std::collections::{BTreeMap, HashMap};

use geo::Coord;
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::crs::LayerCrs;
use crate::error::{Error, FieldRole, Layer, Result};
use crate::geodesy::distance_m;
use crate::input::raw::{RawFeature, RawGeometry, RawLayer};
use crate::issues::{FeatureIssue, IssueCode};
use crate::normalise::{layer_crs, settle};

/// The keys a route name is looked for under, in order, when none is given.
pub const ROUTE_KEYS: [&str; 4] = ["ref", "route", "name", "int_ref"];

/// Which lines are one-way carriageways.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Oneway {
    /// From each line's `oneway` tag (OSM: `yes`, `true`, `1`; `-1`
    /// reverses the line; `highway=motorway` implies `yes`).
    #[default]
    Tags,
    /// Every line is one-way, in the order of its positions.
    All,
    /// Every line is two-way.
    None,
}

/// How to read a road network.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSpec {
    /// The property naming a line's route(s); `None`: the first of
    /// [`ROUTE_KEYS`] that any line has.
    pub route_field: Option<String>,
    /// Which lines are one-way.
    pub oneway: Oneway,
    /// Line ends within this many metres of each other join (0: only ends
    /// that agree to 1e-7°, about 1 cm).
    pub snap_m: f64,
}

/// The snapping distance unless set: wider than the breaks conversions
/// leave, far narrower than the metres between two carriageways.
pub const DEFAULT_SNAP_M: f64 = 1.0;

impl Default for NetworkSpec {
    fn default() -> Self {
        NetworkSpec {
            route_field: None,
            oneway: Oneway::default(),
            snap_m: DEFAULT_SNAP_M,
        }
    }
}

/// One line of the network between two nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// The node at its first position.
    pub from: u32,
    /// The node at its last position.
    pub to: u32,
    /// Its positions (WGS84), in driving order when one-way.
    pub coords: Vec<Coord<f64>>,
    /// Geodesic distance from its first position to each position,
    /// metres (its length last).
    pub cum_m: Vec<f64>,
    /// The routes it belongs to (indexes into [`Network::routes`]).
    pub routes: Vec<u32>,
    /// One-way: driven from `from` to `to` only.
    pub directed: bool,
    /// The feature it came from (index in the file).
    pub feature: usize,
}

impl Edge {
    /// Geodesic length, metres.
    pub fn length_m(&self) -> f64 {
        self.cum_m.last().copied().unwrap_or(0.0)
    }
}

/// What the network layer held (`inputs.network` of the report).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct NetworkInfo {
    /// The file, as named.
    pub path: String,
    /// Its format.
    pub format: String,
    /// Its coordinate system, with where it came from.
    pub crs: String,
    /// Features read.
    pub features_read: usize,
    /// Lines kept (a MultiLineString gives one per part).
    pub lines: usize,
    /// Of those, one-way.
    pub oneway_lines: usize,
    /// Features that are not lines, by geometry type (`null` for none).
    pub skipped: BTreeMap<String, usize>,
    /// Lines without a route name: in the network, in no route.
    pub no_route: usize,
    /// The property the route names came from.
    pub route_field: String,
    /// Total length of the lines, km (to the metre).
    pub length_km: f64,
}

/// A road network: nodes, edges and route names.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Node positions (WGS84).
    pub nodes: Vec<Coord<f64>>,
    /// The lines.
    pub edges: Vec<Edge>,
    /// Route names, sorted.
    pub routes: Vec<String>,
    /// What was read.
    pub info: NetworkInfo,
    /// Problems that were not fatal.
    pub warnings: Vec<FeatureIssue>,
}

/// The node key of a position: micro-degree tenths.
fn node_key(c: Coord<f64>) -> (i64, i64) {
    ((c.x * 1e7).round() as i64, (c.y * 1e7).round() as i64)
}

/// A property as text (strings as they are, numbers written out).
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The route names a value lists: `"A 6;A 61"` is two routes; blanks and
/// repeats are dropped.
pub fn route_names(value: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for part in value.split(';') {
        let name = part.trim();
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// Whether a line is one-way, and reversed, from its tags.
fn oneway_of(properties: &Map<String, Value>, mode: Oneway) -> (bool, bool) {
    match mode {
        Oneway::All => return (true, false),
        Oneway::None => return (false, false),
        Oneway::Tags => {}
    }
    let tag = text_of(properties.get("oneway")).map(|t| t.trim().to_ascii_lowercase());
    match tag.as_deref() {
        Some("yes" | "true" | "1") => (true, false),
        Some("-1" | "reverse") => (true, true),
        Some(_) => (false, false),
        // OSM: `highway=motorway` (and its links) imply `oneway=yes`.
        None => {
            let highway = text_of(properties.get("highway"));
            let implied = matches!(highway.as_deref(), Some("motorway" | "motorway_link"));
            (implied, false)
        }
    }
}

/// Builds the network from a layer read whole, converting positions from
/// the layer's CRS (`crs`, else its declared one, else WGS84).
pub fn build(
    raw: RawLayer<RawFeature>,
    source_name: &str,
    spec: &NetworkSpec,
    skip_invalid: bool,
    crs: Option<&crate::crs::Crs>,
) -> Result<Network> {
    let crs = layer_crs(
        crs,
        raw.meta.declared_crs.as_deref(),
        Layer::Network,
        source_name,
    )?;
    let features_read = raw.records.len();
    let skipped = skipped_kinds(&raw.records);
    if !raw.records.iter().any(is_line) {
        return Err(Error::NoLines {
            source_name: source_name.to_owned(),
            features: features_read,
            skipped: skipped
                .iter()
                .map(|(kind, n)| format!("{n} {kind}"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let route_field = route_field_of(&raw.records, spec, source_name)?;

    // Lines converted on all cores; nodes and routes numbered after, in
    // file order, so that the numbering is deterministic.
    let converted: Vec<(Vec<Line>, Vec<FeatureIssue>)> = raw
        .records
        .into_par_iter()
        .filter(|r| is_line(r) || matches!(r.geometry, RawGeometry::Malformed(_)))
        .map(|record| convert(record, &route_field, spec, &crs))
        .collect();
    let mut issues = Vec::new();
    let mut lines = Vec::new();
    for (l, i) in converted {
        lines.extend(l);
        issues.extend(i);
    }
    let warnings = settle(source_name, Layer::Network, issues, skip_invalid)?;
    if lines.is_empty() {
        return Err(Error::NoUsableFeatures {
            source_name: source_name.to_owned(),
            layer: Layer::Network,
        });
    }

    let Joined {
        nodes,
        edges,
        routes,
        no_route,
    } = join(lines, spec.snap_m);
    let info = NetworkInfo {
        path: source_name.to_owned(),
        format: raw.meta.format.to_string(),
        crs: crs.label(),
        features_read,
        lines: edges.len(),
        oneway_lines: edges.iter().filter(|e| e.directed).count(),
        skipped,
        no_route,
        route_field,
        length_km: crate::corridor::report::km3(edges.iter().map(Edge::length_m).sum()),
    };
    Ok(Network {
        nodes,
        edges,
        routes,
        info,
        warnings,
    })
}

/// Whether a feature is a road: a line or several.
fn is_line(r: &RawFeature) -> bool {
    matches!(
        r.geometry,
        RawGeometry::LineString(_) | RawGeometry::MultiLineString(_)
    )
}

/// Features that are not lines, by geometry type (malformed ones are
/// reported as errors instead).
fn skipped_kinds(records: &[RawFeature]) -> BTreeMap<String, usize> {
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for r in records.iter().filter(|r| !is_line(r)) {
        if !matches!(r.geometry, RawGeometry::Malformed(_)) {
            *skipped
                .entry(r.geometry.type_name().to_owned())
                .or_default() += 1;
        }
    }
    skipped
}

/// The field naming each line's routes: the one asked for, which some
/// line must have, else the first of [`ROUTE_KEYS`] some line has.
fn route_field_of(records: &[RawFeature], spec: &NetworkSpec, source_name: &str) -> Result<String> {
    Ok(match &spec.route_field {
        Some(field) => {
            if !records
                .iter()
                .filter(|r| is_line(r))
                .any(|r| r.properties.contains_key(field))
            {
                return Err(Error::MissingFields {
                    source_name: source_name.to_owned(),
                    layer: Layer::Network,
                    missing: vec![(FieldRole::Route, field.clone())],
                    available: property_names(records),
                });
            }
            field.clone()
        }
        None => ROUTE_KEYS
            .iter()
            .find(|key| {
                records
                    .iter()
                    .filter(|r| is_line(r))
                    .any(|r| text_of(r.properties.get(**key)).is_some())
            })
            .map(|k| (*k).to_owned())
            .ok_or_else(|| Error::NoRouteField {
                source_name: source_name.to_owned(),
                looked_for: ROUTE_KEYS.iter().map(|k| (*k).to_owned()).collect(),
                available: property_names(records),
            })?,
    })
}

/// One part of a road, converted to WGS84, before nodes are numbered.
struct Line {
    feature: usize,
    coords: Vec<Coord<f64>>,
    routes: Vec<String>,
    directed: bool,
}

/// A feature's parts as lines (reversed when tagged so), or the problem
/// that makes it unusable.
fn convert(
    record: RawFeature,
    route_field: &str,
    spec: &NetworkSpec,
    crs: &LayerCrs,
) -> (Vec<Line>, Vec<FeatureIssue>) {
    let index = record.index;
    let id = record
        .feature_id
        .as_ref()
        .and_then(|s| s.to_text().ok().flatten());
    let problem = |code, message: String| FeatureIssue::error(code, index, id.as_deref(), message);
    let parts = match record.geometry {
        RawGeometry::LineString(line) => vec![line],
        RawGeometry::MultiLineString(lines) => lines,
        RawGeometry::Malformed(why) => {
            return (Vec::new(), vec![problem(IssueCode::BadCoordinates, why)]);
        }
        _ => return (Vec::new(), Vec::new()),
    };
    let routes = text_of(record.properties.get(route_field))
        .map(|v| route_names(&v))
        .unwrap_or_default();
    let (directed, reversed) = oneway_of(&record.properties, spec.oneway);
    let mut lines = Vec::new();
    for (p, part) in parts.into_iter().enumerate() {
        let mut coords: Vec<Coord<f64>> = Vec::with_capacity(part.len());
        for (x, y) in part {
            match crs.position(x, y) {
                Ok(c) => {
                    if coords.last() != Some(&c) {
                        coords.push(c);
                    }
                }
                Err(why) => {
                    return (
                        Vec::new(),
                        vec![problem(IssueCode::CoordinateOutOfRange, why)],
                    );
                }
            }
        }
        if coords.len() < 2 {
            let which = if p > 0 {
                format!("part {p} of the line")
            } else {
                "the line".to_owned()
            };
            return (
                Vec::new(),
                vec![problem(
                    IssueCode::LineTooShort,
                    format!("{which} has fewer than two distinct positions"),
                )],
            );
        }
        if reversed {
            coords.reverse();
        }
        lines.push(Line {
            feature: index,
            coords,
            routes: routes.clone(),
            directed,
        });
    }
    (lines, Vec::new())
}

/// Nodes, edges and routes of the joined lines.
struct Joined {
    nodes: Vec<Coord<f64>>,
    edges: Vec<Edge>,
    routes: Vec<String>,
    /// Lines that name no route.
    no_route: usize,
}

/// Numbers the routes and the lines' end nodes in file order, joins ends
/// within `snap_m` into one node, and measures each edge along its path.
fn join(lines: Vec<Line>, snap_m: f64) -> Joined {
    let mut routes: Vec<String> = lines.iter().flat_map(|l| l.routes.clone()).collect();
    routes.sort();
    routes.dedup();
    let route_index: HashMap<&str, u32> = routes
        .iter()
        .enumerate()
        .map(|(i, r)| (r.as_str(), i as u32))
        .collect();
    let mut keys: HashMap<(i64, i64), u32> = HashMap::new();
    let mut nodes = Vec::new();
    let mut node = |c: Coord<f64>| -> u32 {
        *keys.entry(node_key(c)).or_insert_with(|| {
            nodes.push(c);
            (nodes.len() - 1) as u32
        })
    };
    let ends: Vec<(u32, u32)> = lines
        .iter()
        .map(|l| (node(l.coords[0]), node(l.coords[l.coords.len() - 1])))
        .collect();
    // Ends within the snapping distance become one node (the first in
    // file order), numbered again in order of first use.
    let joined = snap_nodes(&nodes, snap_m);
    let mut renumber: HashMap<u32, u32> = HashMap::new();
    let mut snapped_nodes = Vec::new();
    let mut node_of = |n: u32| -> u32 {
        let root = joined[n as usize];
        *renumber.entry(root).or_insert_with(|| {
            snapped_nodes.push(nodes[root as usize]);
            (snapped_nodes.len() - 1) as u32
        })
    };
    let mut edges = Vec::with_capacity(lines.len());
    let mut no_route = 0;
    for (line, (first, last)) in lines.into_iter().zip(ends) {
        let (from, to) = (node_of(first), node_of(last));
        // Both ends of a sliver snapped together: no road is lost.
        if from == to && first != last && path_length_m(&line.coords) <= snap_m {
            continue;
        }
        if line.routes.is_empty() {
            no_route += 1;
        }
        edges.push(Edge {
            from,
            to,
            routes: line
                .routes
                .iter()
                .map(|r| route_index[r.as_str()])
                .collect(),
            directed: line.directed,
            feature: line.feature,
            cum_m: Vec::new(),
            coords: line.coords,
        });
    }
    let nodes = snapped_nodes;
    edges.par_iter_mut().for_each(|e| {
        let mut total = 0.0;
        e.cum_m = std::iter::once(0.0)
            .chain(e.coords.windows(2).map(|w| {
                total += distance_m(w[0], w[1]);
                total
            }))
            .collect();
    });
    Joined {
        nodes,
        edges,
        routes,
        no_route,
    }
}

/// A line's geodesic length, metres.
fn path_length_m(coords: &[Coord<f64>]) -> f64 {
    coords.windows(2).map(|w| distance_m(w[0], w[1])).sum()
}

/// For each node, the first node (in numbering order) of the group it
/// joins: nodes within `snap_m` of each other, transitively. Candidates
/// come from a grid of `snap_m` cells over 3-D positions on the sphere
/// (no seam at the antimeridian or the poles); each pair is confirmed by
/// its geodesic distance.
fn snap_nodes(nodes: &[Coord<f64>], snap_m: f64) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..nodes.len() as u32).collect();
    if snap_m.is_nan() || snap_m <= 0.0 || nodes.len() < 2 {
        return parent;
    }
    fn root(parent: &mut [u32], mut n: u32) -> u32 {
        while parent[n as usize] != n {
            let up = parent[parent[n as usize] as usize];
            parent[n as usize] = up;
            n = up;
        }
        n
    }
    // Metres on a sphere of the Earth's mean radius: chords are shorter
    // than geodesics, so a cell of snap_m never separates a pair within it.
    const R_M: f64 = 6_371_008.8;
    let xyz = |c: Coord<f64>| {
        let (lat, lon) = (c.y.to_radians(), c.x.to_radians());
        [
            R_M * lat.cos() * lon.cos(),
            R_M * lat.cos() * lon.sin(),
            R_M * lat.sin(),
        ]
    };
    let cell = |p: [f64; 3]| {
        [
            (p[0] / snap_m).floor() as i64,
            (p[1] / snap_m).floor() as i64,
            (p[2] / snap_m).floor() as i64,
        ]
    };
    let mut grid: HashMap<[i64; 3], Vec<u32>> = HashMap::new();
    for (n, &c) in nodes.iter().enumerate() {
        grid.entry(cell(xyz(c))).or_default().push(n as u32);
    }
    // A pair within snap_m (geodesic, so chord) lies in neighbouring cells.
    for (n, &c) in nodes.iter().enumerate() {
        let home = cell(xyz(c));
        for dx in -1..=1 {
            for dy in -1..=1 {
                for dz in -1..=1 {
                    let Some(near) = grid.get(&[home[0] + dx, home[1] + dy, home[2] + dz]) else {
                        continue;
                    };
                    for &m in near {
                        if m as usize <= n || distance_m(c, nodes[m as usize]) > snap_m {
                            continue;
                        }
                        let (a, b) = (root(&mut parent, n as u32), root(&mut parent, m));
                        // The smaller number leads: the first in file order.
                        let (lead, other) = if a < b { (a, b) } else { (b, a) };
                        parent[other as usize] = lead;
                    }
                }
            }
        }
    }
    (0..nodes.len() as u32)
        .map(|n| root(&mut parent, n))
        .collect()
}

/// The property names of the first lines, for messages.
fn property_names(records: &[RawFeature]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in records.iter().take(1000) {
        for k in r.properties.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_within_the_snapping_distance_join_transitively() {
        // Along the equator, 1e-6° ≈ 0.11 m: 0 and 1 are 0.11 m apart,
        // 1 and 2 another 0.11 m, 3 is 2.2 m from 2; 4 sits across the
        // antimeridian from 5, 0.11 m apart.
        let nodes = [
            Coord { x: 10.0, y: 0.0 },
            Coord {
                x: 10.000_001,
                y: 0.0,
            },
            Coord {
                x: 10.000_002,
                y: 0.0,
            },
            Coord {
                x: 10.000_022,
                y: 0.0,
            },
            Coord {
                x: 179.999_999_5,
                y: 0.0,
            },
            Coord {
                x: -179.999_999_5,
                y: 0.0,
            },
        ];
        assert_eq!(snap_nodes(&nodes, 1.0), vec![0, 0, 0, 3, 4, 4]);
        assert_eq!(snap_nodes(&nodes, 0.0), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(snap_nodes(&nodes, 0.05), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(snap_nodes(&nodes, 3.0), vec![0, 0, 0, 0, 4, 4]);
    }

    #[test]
    fn route_values_list_several_routes() {
        assert_eq!(route_names("A 6;A 61"), vec!["A 6", "A 61"]);
        assert_eq!(route_names(" A 5 ; ;A 5"), vec!["A 5"]);
        assert!(route_names(" ; ").is_empty());
    }

    #[test]
    fn oneway_tags() {
        let props = |v: Value| v.as_object().unwrap().clone();
        let tags = Oneway::Tags;
        assert_eq!(
            oneway_of(&props(serde_json::json!({"oneway": "yes"})), tags),
            (true, false)
        );
        assert_eq!(
            oneway_of(&props(serde_json::json!({"oneway": "-1"})), tags),
            (true, true)
        );
        assert_eq!(
            oneway_of(&props(serde_json::json!({"oneway": "no"})), tags),
            (false, false)
        );
        assert_eq!(
            oneway_of(&props(serde_json::json!({"highway": "motorway"})), tags),
            (true, false)
        );
        assert_eq!(
            oneway_of(&props(serde_json::json!({"highway": "trunk"})), tags),
            (false, false)
        );
        assert_eq!(
            oneway_of(&props(serde_json::json!({"oneway": "no"})), Oneway::All),
            (true, false)
        );
    }
}
