//! The network view: for every point of the road network, the distance
//! along the roads to the nearest qualifying site, with junctions of
//! different routes joined and direction of travel ignored.
//!
//! One multi-source shortest-path search (Dijkstra, `petgraph`, from a
//! virtual source joined to both ends of every line that holds a site, at
//! the site's distance along it) gives each node its distance d; on a line
//! of length ℓ between nodes of distances dᵤ and dᵥ the farthest point is
//! (dᵤ + dᵥ + ℓ) / 2 from a site (or the farther end, when one end is
//! reached through the other), and between two sites on one line, halfway.
//!
//! How it differs from the path view: between two sites g km apart on one
//! road, the path view reports the gap g, the network view g / 2 (a
//! driver in the middle is g / 2 from either); at a road's end d km past
//! the last site, both report d. Where routes meet, the network view also
//! counts sites on the other route.

use petgraph::algo::dijkstra;
use petgraph::graph::{NodeIndex, UnGraph};

use geo::Coord;

use crate::corridor::network::{Edge, Network};

/// The farthest any point of a route is from a qualifying site, along the
/// network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Farthest {
    /// Metres along the roads.
    pub distance_m: f64,
    /// The point.
    pub at: Coord<f64>,
}

/// The network view, per route and over all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reach {
    /// Per route (as [`Network::routes`]): the farthest reached point,
    /// `None` when no part of the route reaches a site.
    pub routes: Vec<Option<Farthest>>,
    /// Per route: metres of road from which no site can be reached.
    pub unreached_m: Vec<f64>,
    /// Over the whole network.
    pub overall: Option<Farthest>,
    /// Metres of road, over the whole network, that reach no site.
    pub overall_unreached_m: f64,
    /// Per line: a site can be reached from it along the roads.
    pub edge_reached: Vec<bool>,
}

impl Edge {
    /// The position `m` metres along the line (in its stored order).
    pub fn point_at(&self, m: f64) -> Coord<f64> {
        crate::corridor::paths::point_along(&self.coords, &self.cum_m, m)
    }
}

/// The network view, sites given as (line, metres along it in its stored
/// order).
pub fn reach(network: &Network, sites: &[(u32, f64)]) -> Reach {
    let n = network.nodes.len();
    let mut graph: UnGraph<(), f64> =
        UnGraph::with_capacity(n + 1, network.edges.len() + 2 * sites.len());
    for _ in 0..=n {
        graph.add_node(());
    }
    let source = NodeIndex::new(n);
    for edge in &network.edges {
        graph.add_edge(
            NodeIndex::new(edge.from as usize),
            NodeIndex::new(edge.to as usize),
            edge.length_m(),
        );
    }
    let mut on_edge: Vec<Vec<f64>> = vec![Vec::new(); network.edges.len()];
    for &(e, along) in sites {
        on_edge[e as usize].push(along);
        let edge = &network.edges[e as usize];
        graph.add_edge(source, NodeIndex::new(edge.from as usize), along);
        graph.add_edge(
            source,
            NodeIndex::new(edge.to as usize),
            edge.length_m() - along,
        );
    }
    let dist = dijkstra(&graph, source, None, |e| *e.weight());
    let d = |node: u32| dist.get(&NodeIndex::new(node as usize)).copied();

    let mut out = Reach {
        routes: vec![None; network.routes.len()],
        unreached_m: vec![0.0; network.routes.len()],
        overall: None,
        overall_unreached_m: 0.0,
        edge_reached: vec![false; network.edges.len()],
    };
    let better = |slot: &mut Option<Farthest>, f: Farthest| {
        if slot.is_none_or(|s| f.distance_m > s.distance_m) {
            *slot = Some(f);
        }
    };
    for (e, edge) in network.edges.iter().enumerate() {
        let len = edge.length_m();
        let (Some(du), Some(dv)) = (d(edge.from), d(edge.to)) else {
            out.overall_unreached_m += len;
            for &r in &edge.routes {
                out.unreached_m[r as usize] += len;
            }
            continue;
        };
        out.edge_reached[e] = true;
        let mut marks: Vec<(f64, f64)> = vec![(0.0, du)];
        let mut here = on_edge[e].clone();
        here.sort_by(f64::total_cmp);
        marks.extend(here.into_iter().map(|s| (s, 0.0)));
        marks.push((len, dv));
        let mut far = (0.0_f64, 0.0_f64);
        for w in marks.windows(2) {
            let ((a, da), (b, db)) = (w[0], w[1]);
            let span = b - a;
            let (x, value) = if (da - db).abs() >= span {
                if da >= db { (a, da) } else { (b, db) }
            } else {
                (a + (db - da + span) / 2.0, (da + db + span) / 2.0)
            };
            if value > far.1 {
                far = (x, value);
            }
        }
        let farthest = Farthest {
            distance_m: far.1,
            at: edge.point_at(far.0),
        };
        better(&mut out.overall, farthest);
        for &r in &edge.routes {
            better(&mut out.routes[r as usize], farthest);
        }
    }
    out
}
