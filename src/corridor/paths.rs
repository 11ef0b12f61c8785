//! Continuous paths of a route: its lines merged where they meet end to
//! end, as a driver follows them.
//!
//! Within one route, a node where exactly one one-way line arrives and
//! one leaves (and no two-way line meets), or where exactly two two-way
//! lines meet, is passed through; every other node ends the paths that
//! reach it. This is GEOS's line merger (shapely's `line_merge`,
//! `directed=True` for one-way lines): a dual carriageway becomes one
//! path per direction, and a route that splits (a bypass, a junction
//! whose lanes are mapped apart) becomes several paths, each end saying
//! why it is one.

use std::collections::HashMap;

use geo::Coord;
use serde::Serialize;

use crate::corridor::network::Network;
use crate::geodesy::LocalFrame;

/// Why a path starts or ends where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PathEnd {
    /// The route goes no further (a road's end, or the data's edge).
    End,
    /// The route branches or merges here: more than one way on, or in.
    Junction,
    /// The path is a closed loop (a ring road).
    Loop,
}

/// The direction of travel a path serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Two-way lines: both directions.
    Both,
    /// One-way, from south to north along a route that runs north–south.
    Northbound,
    /// One-way, from north to south.
    Southbound,
    /// One-way, from west to east along a route that runs east–west.
    Eastbound,
    /// One-way, from east to west.
    Westbound,
}

impl Direction {
    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Both => "both",
            Direction::Northbound => "northbound",
            Direction::Southbound => "southbound",
            Direction::Eastbound => "eastbound",
            Direction::Westbound => "westbound",
        }
    }
}

/// A continuous path of one route.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// Its route (index into [`Network::routes`]).
    pub route: u32,
    /// The direction it serves.
    pub direction: Direction,
    /// Its edges in order, each with whether it is followed backwards.
    pub edges: Vec<(u32, bool)>,
    /// The chainage (metres) at which each edge starts.
    pub edge_start_m: Vec<f64>,
    /// Its positions.
    pub coords: Vec<Coord<f64>>,
    /// Geodesic chainage of each position, metres (its length last).
    pub cum_m: Vec<f64>,
    /// Its first and last node.
    pub nodes: (u32, u32),
    /// Why it starts and ends where it does.
    pub ends: (PathEnd, PathEnd),
}

impl Path {
    /// Geodesic length, metres.
    pub fn length_m(&self) -> f64 {
        self.cum_m.last().copied().unwrap_or(0.0)
    }

    /// The segment holding chainage `m` and the fraction along it.
    fn locate(&self, m: f64) -> (usize, f64) {
        let last = self.coords.len() - 2;
        let seg = self
            .cum_m
            .partition_point(|&c| c <= m)
            .saturating_sub(1)
            .min(last);
        let len = self.cum_m[seg + 1] - self.cum_m[seg];
        let t = if len > 0.0 {
            ((m - self.cum_m[seg]) / len).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (seg, t)
    }

    /// The position at chainage `m` (clamped to the path).
    pub fn point_at(&self, m: f64) -> Coord<f64> {
        let (seg, t) = self.locate(m);
        lerp(self.coords[seg], self.coords[seg + 1], t)
    }

    /// The part of the path from chainage `from_m` to `to_m`; on a closed
    /// loop `to_m` may run past its length, round past its start.
    pub fn substring(&self, from_m: f64, to_m: f64) -> Vec<Coord<f64>> {
        let length = self.length_m();
        if self.ends.0 == PathEnd::Loop && to_m > length && from_m < length {
            let mut out = self.substring_within(from_m, length);
            let rest = self.substring_within(0.0, (to_m - length).min(length));
            out.extend(rest.into_iter().skip(1));
            return out;
        }
        self.substring_within(from_m, to_m)
    }

    fn substring_within(&self, from_m: f64, to_m: f64) -> Vec<Coord<f64>> {
        let (a, _) = self.locate(from_m);
        let (b, _) = self.locate(to_m);
        let mut out = vec![self.point_at(from_m)];
        out.extend(
            self.coords[a + 1..=b]
                .iter()
                .copied()
                .filter(|_| to_m > from_m),
        );
        let end = self.point_at(to_m);
        if out.last() != Some(&end) {
            out.push(end);
        }
        out
    }

    /// The edge holding chainage `m`, with the distance from the edge's
    /// own first position (in its stored order).
    pub fn edge_at(&self, m: f64, network: &Network) -> (u32, f64) {
        let k = self
            .edge_start_m
            .partition_point(|&s| s <= m)
            .saturating_sub(1);
        let (edge, reversed) = self.edges[k];
        let len = network.edges[edge as usize].length_m();
        let along = (m - self.edge_start_m[k]).clamp(0.0, len);
        (edge, if reversed { len - along } else { along })
    }
}

/// The segment of a line (positions at chainages `cum_m`, at least two)
/// holding chainage `m`, and the fraction along it.
fn locate(cum_m: &[f64], m: f64) -> (usize, f64) {
    let last = cum_m.len() - 2;
    let seg = cum_m
        .partition_point(|&c| c <= m)
        .saturating_sub(1)
        .min(last);
    let len = cum_m[seg + 1] - cum_m[seg];
    let t = if len > 0.0 {
        ((m - cum_m[seg]) / len).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (seg, t)
}

/// The position of a line at chainage `m` (clamped to the line).
pub(crate) fn point_along(coords: &[Coord<f64>], cum_m: &[f64], m: f64) -> Coord<f64> {
    let (seg, t) = locate(cum_m, m);
    lerp(coords[seg], coords[seg + 1], t)
}

/// The straight-line interpolation of two lon/lat positions (positions
/// of one segment are a few hundred metres apart at most in road data),
/// the short way across the antimeridian.
fn lerp(a: Coord<f64>, b: Coord<f64>, t: f64) -> Coord<f64> {
    crate::geodesy::lerp_lonlat(a, b, t)
}

/// Counts of a node's lines within one route.
#[derive(Debug, Clone, Copy, Default)]
struct Degree {
    incoming: u32,
    outgoing: u32,
    two_way: u32,
}

impl Degree {
    fn passes(self) -> bool {
        (self.incoming == 1 && self.outgoing == 1 && self.two_way == 0)
            || (self.two_way == 2 && self.incoming == 0 && self.outgoing == 0)
    }
}

/// The continuous paths of every route, routes in name order, each
/// route's paths in a deterministic order (by their first line).
pub fn merge(network: &Network) -> Vec<Path> {
    let mut by_route: Vec<Vec<u32>> = vec![Vec::new(); network.routes.len()];
    for (e, edge) in network.edges.iter().enumerate() {
        for &r in &edge.routes {
            by_route[r as usize].push(e as u32);
        }
    }
    use rayon::prelude::*;
    by_route
        .par_iter()
        .enumerate()
        .flat_map_iter(|(r, edges)| merge_route(network, r as u32, edges))
        .collect()
}

fn merge_route(network: &Network, route: u32, edges: &[u32]) -> Vec<Path> {
    let mut degree: HashMap<u32, Degree> = HashMap::new();
    let mut at: HashMap<u32, Vec<u32>> = HashMap::new();
    for &e in edges {
        let edge = &network.edges[e as usize];
        if edge.directed {
            degree.entry(edge.from).or_default().outgoing += 1;
            degree.entry(edge.to).or_default().incoming += 1;
        } else {
            degree.entry(edge.from).or_default().two_way += 1;
            degree.entry(edge.to).or_default().two_way += 1;
        }
        at.entry(edge.from).or_default().push(e);
        if edge.to != edge.from {
            at.entry(edge.to).or_default().push(e);
        }
    }
    let mut used: HashMap<u32, bool> = edges.iter().map(|&e| (e, false)).collect();
    // The way on from `node` along `e`, if `e` can be driven from there.
    let leave = |e: u32, node: u32| -> Option<bool> {
        let edge = &network.edges[e as usize];
        if edge.from == node {
            Some(false)
        } else if !edge.directed && edge.to == node {
            Some(true)
        } else {
            None
        }
    };
    let mut chains: Vec<Vec<(u32, bool)>> = Vec::new();
    let walk = |first: u32, reversed: bool, used: &mut HashMap<u32, bool>| {
        let mut chain = vec![(first, reversed)];
        used.insert(first, true);
        let start = network.edges[first as usize].ends_when(reversed).0;
        let mut node = network.edges[first as usize].ends_when(reversed).1;
        while node != start && degree[&node].passes() {
            let next = at[&node]
                .iter()
                .filter(|&&e| !used[&e])
                .find_map(|&e| leave(e, node).map(|rev| (e, rev)));
            let Some((e, rev)) = next else { break };
            used.insert(e, true);
            chain.push((e, rev));
            node = network.edges[e as usize].ends_when(rev).1;
        }
        chain
    };
    let mut starts: Vec<u32> = degree
        .iter()
        .filter(|(_, d)| !d.passes())
        .map(|(&n, _)| n)
        .collect();
    starts.sort_unstable();
    for node in starts {
        let mut here = at[&node].clone();
        here.sort_unstable();
        for e in here {
            if used[&e] {
                continue;
            }
            if let Some(rev) = leave(e, node) {
                chains.push(walk(e, rev, &mut used));
            }
        }
    }
    // What is left are closed loops of pass-through nodes.
    for &e in edges {
        if !used[&e] {
            chains.push(walk(e, false, &mut used));
        }
    }

    let frame = route_frame(network, edges);
    chains
        .into_iter()
        .map(|chain| build_path(network, route, chain, &degree, frame))
        .collect()
}

impl crate::corridor::network::Edge {
    /// Its first and last node when followed forwards or backwards.
    fn ends_when(&self, reversed: bool) -> (u32, u32) {
        if reversed {
            (self.to, self.from)
        } else {
            (self.from, self.to)
        }
    }
}

/// The route's axis: north–south when its extent is taller than wide.
#[derive(Debug, Clone, Copy)]
struct RouteFrame {
    frame: LocalFrame,
    north_south: bool,
}

fn route_frame(network: &Network, edges: &[u32]) -> RouteFrame {
    let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &k in edges {
        for c in &network.edges[k as usize].coords {
            w = w.min(c.x);
            e = e.max(c.x);
            s = s.min(c.y);
            n = n.max(c.y);
        }
    }
    let frame = LocalFrame::new(Coord {
        x: (w + e) / 2.0,
        y: (s + n) / 2.0,
    });
    let corner = frame.to_local(Coord { x: e, y: n });
    // Half extents: the origin is the middle.
    RouteFrame {
        frame,
        north_south: corner.y >= corner.x,
    }
}

fn build_path(
    network: &Network,
    route: u32,
    chain: Vec<(u32, bool)>,
    degree: &HashMap<u32, Degree>,
    frame: RouteFrame,
) -> Path {
    let mut coords: Vec<Coord<f64>> = Vec::new();
    let mut cum_m: Vec<f64> = Vec::new();
    let mut edge_start_m = Vec::with_capacity(chain.len());
    let mut offset = 0.0;
    for &(e, reversed) in &chain {
        let edge = &network.edges[e as usize];
        let len = edge.length_m();
        edge_start_m.push(offset);
        let skip = usize::from(!coords.is_empty());
        if reversed {
            coords.extend(edge.coords.iter().rev().skip(skip));
            cum_m.extend(edge.cum_m.iter().rev().skip(skip).map(|c| offset + len - c));
        } else {
            coords.extend(edge.coords.iter().skip(skip));
            cum_m.extend(edge.cum_m.iter().skip(skip).map(|c| offset + c));
        }
        offset += len;
    }
    let first = chain[0];
    let last = chain[chain.len() - 1];
    let start = network.edges[first.0 as usize].ends_when(first.1).0;
    let end = network.edges[last.0 as usize].ends_when(last.1).1;
    let directed = network.edges[first.0 as usize].directed;
    let d_start = degree[&start];
    let d_end = degree[&end];
    let ends = if start == end && d_start.passes() {
        (PathEnd::Loop, PathEnd::Loop)
    } else if directed {
        (
            if d_start.incoming + d_start.two_way == 0 {
                PathEnd::End
            } else {
                PathEnd::Junction
            },
            if d_end.outgoing + d_end.two_way == 0 {
                PathEnd::End
            } else {
                PathEnd::Junction
            },
        )
    } else {
        let one = |d: Degree| {
            if d.incoming + d.outgoing + d.two_way == 1 {
                PathEnd::End
            } else {
                PathEnd::Junction
            }
        };
        (one(d_start), one(d_end))
    };
    let direction = if !directed {
        Direction::Both
    } else {
        let along = |c: Coord<f64>| {
            let l = frame.frame.to_local(c);
            if frame.north_south { l.y } else { l.x }
        };
        let mut shift = along(coords[coords.len() - 1]) - along(coords[0]);
        if shift == 0.0 {
            shift = along(coords[coords.len() / 2]) - along(coords[0]);
        }
        match (frame.north_south, shift >= 0.0) {
            (true, true) => Direction::Northbound,
            (true, false) => Direction::Southbound,
            (false, true) => Direction::Eastbound,
            (false, false) => Direction::Westbound,
        }
    };
    Path {
        route,
        direction,
        edges: chain,
        edge_start_m,
        coords,
        cum_m,
        nodes: (start, end),
        ends,
    }
}
