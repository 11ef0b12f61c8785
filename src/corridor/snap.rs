//! Qualifying sites to the road: each site within the offset of a path
//! is placed on it at its nearest point, with a geodesic chainage (metres
//! from the path's start) and offset (metres from the road).
//!
//! Candidates come from an R-tree of the paths' segments, searched with
//! a box grown by the offset (safely, see
//! [`crate::geodesy::expand_rect_m`]); the nearest point
//! of a segment is found in a local frame around the site (segments of
//! road data are metres to a few hundred metres long), then its offset
//! measured geodesically. Chainages add the segment's fraction of its
//! geodesic length to the chainage of its start — never a Euclidean
//! fraction of the whole line in degrees.

use geo::{Coord, Rect};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use crate::corridor::paths::Path;
use crate::geodesy::{LocalFrame, distance_m, expand_rect_m};

/// A site placed on a path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// The path (index into the paths).
    pub path: u32,
    /// The site (index into the sites).
    pub site: u32,
    /// Geodesic metres from the path's start.
    pub chainage_m: f64,
    /// Geodesic metres from the site to the road.
    pub offset_m: f64,
    /// The point of the road nearest the site.
    pub at: Coord<f64>,
}

type Segment = GeomWithData<Rectangle<[f64; 2]>, (u32, u32)>;

/// Every site within `max_offset_m` of each path, placed on it; sorted by
/// path, then chainage, then site.
pub fn snap(paths: &[Path], sites: &[Coord<f64>], max_offset_m: f64) -> Vec<Snap> {
    let segments: Vec<Segment> = paths
        .iter()
        .enumerate()
        .flat_map(|(p, path)| {
            path.coords.windows(2).enumerate().flat_map(move |(s, w)| {
                let (lo_y, hi_y) = (w[0].y.min(w[1].y), w[0].y.max(w[1].y));
                let (lo_x, hi_x) = (w[0].x.min(w[1].x), w[0].x.max(w[1].x));
                let boxes = if hi_x - lo_x > 180.0 {
                    // Across the antimeridian: a box on each side of it.
                    vec![
                        ([hi_x, lo_y], [180.0, hi_y]),
                        ([-180.0, lo_y], [lo_x, hi_y]),
                    ]
                } else {
                    vec![([lo_x, lo_y], [hi_x, hi_y])]
                };
                boxes.into_iter().map(move |(lo, hi)| {
                    GeomWithData::new(Rectangle::from_corners(lo, hi), (p as u32, s as u32))
                })
            })
        })
        .collect();
    let tree = RTree::bulk_load(segments);
    let mut snaps: Vec<Snap> = sites
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, &site)| snap_site(&tree, paths, i as u32, site, max_offset_m))
        .collect();
    snaps.sort_by(|a, b| {
        (a.path, a.chainage_m, a.site)
            .partial_cmp(&(b.path, b.chainage_m, b.site))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    snaps
}

fn snap_site(
    tree: &RTree<Segment>,
    paths: &[Path],
    site: u32,
    at: Coord<f64>,
    max_offset_m: f64,
) -> Vec<Snap> {
    let search = expand_rect_m(Rect::new(at, at), max_offset_m);
    let (lo, hi) = (search.min(), search.max());
    // A search past ±180° looks on the other side of the antimeridian too.
    let mut envelopes = vec![rstar::AABB::from_corners([lo.x, lo.y], [hi.x, hi.y])];
    if lo.x < -180.0 {
        envelopes.push(rstar::AABB::from_corners(
            [lo.x + 360.0, lo.y],
            [180.0, hi.y],
        ));
    }
    if hi.x > 180.0 {
        envelopes.push(rstar::AABB::from_corners(
            [-180.0, lo.y],
            [hi.x - 360.0, hi.y],
        ));
    }
    let frame = LocalFrame::new(at);
    // Per path: (local distance², segment, fraction).
    let mut best: Vec<(u32, f64, u32, f64)> = Vec::new();
    for candidate in envelopes
        .iter()
        .flat_map(|e| tree.locate_in_envelope_intersecting(e))
    {
        let (p, s) = candidate.data;
        let path = &paths[p as usize];
        let a = frame.to_local(path.coords[s as usize]);
        let b = frame.to_local(path.coords[s as usize + 1]);
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len_sq = dx * dx + dy * dy;
        let t = if len_sq > 0.0 {
            ((-a.x * dx - a.y * dy) / len_sq).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (fx, fy) = (a.x + t * dx, a.y + t * dy);
        let d_sq = fx * fx + fy * fy;
        match best.iter_mut().find(|b| b.0 == p) {
            Some(b) if d_sq < b.1 || (d_sq == b.1 && s < b.2) => *b = (p, d_sq, s, t),
            Some(_) => {}
            None => best.push((p, d_sq, s, t)),
        }
    }
    best.into_iter()
        .filter_map(|(p, _, s, t)| {
            let path = &paths[p as usize];
            let (s, t) = (s as usize, t);
            let foot = crate::geodesy::lerp_lonlat(path.coords[s], path.coords[s + 1], t);
            let offset_m = distance_m(at, foot);
            (offset_m <= max_offset_m).then(|| Snap {
                path: p,
                site,
                chainage_m: path.cum_m[s] + t * (path.cum_m[s + 1] - path.cum_m[s]),
                offset_m,
                at: foot,
            })
        })
        .collect()
}
