//! The worst-served point of an area: the point inside it farthest from
//! every qualifying station.
//!
//! Method: branch and bound over lon/lat cells. The distance to the
//! nearest station is 1-Lipschitz (moving d metres changes it by at most
//! d), so no point of a cell can be farther than the distance at the
//! cell's centre plus the centre's distance to the cell's farthest corner.
//! Cells that cannot beat the best point found so far by more than the
//! tolerance are dropped; the others are split in four. The answer is
//! within `TOLERANCE_M` of the true maximum — a guarantee, not an
//! estimate. The search starts from a given point inside the area (the
//! farther from every station, the sooner cells are dropped); cells hand
//! their quarters the short list of stations that can be nearest in them
//! ([`super::near`]).

use std::collections::BinaryHeap;
use std::rc::Rc;

use geo::{BoundingRect, Coord, Intersects, MultiPolygon, Rect};

use super::field::{half_diagonal_m, quarters};
use super::near::{self, Near};

use crate::index::StationIndex;
use crate::index::keyed::Keyed;

/// The answer is at most this far (metres) below the true maximum.
pub const TOLERANCE_M: f64 = 10.0;
/// Cells examined at most per area; past this the answer is the best
/// found, flagged as not proven, with the bound still standing.
const MAX_CELLS: usize = 200_000;

/// Cells examined before the area's boundary vertices are tried as
/// candidates too. The maximum often lies on the boundary (a far corner,
/// a spit of land): cells straddling it have their centres outside, so
/// only vertices can raise the best found there, and a low best keeps a
/// whole coastline of cells alive. Most areas are proven long before.
const VERTICES_AFTER: usize = 2_000;

/// The worst-served point and its distance to the nearest qualifying station.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Worst {
    /// The point.
    pub at: Coord<f64>,
    /// Its distance to the nearest qualifying station, in metres.
    pub distance_m: f64,
    /// False when the cell budget ran out before the bound was proven.
    pub proven: bool,
    /// The true maximum is at most this (metres): `distance_m` when
    /// proven (within the tolerance), else the largest bound of the cells
    /// left unexamined.
    pub upper_m: f64,
}

struct Cell {
    rect: Rect<f64>,
    centre_d: f64,
    reach: f64,
    upper: f64,
    /// The stations that can be nearest anywhere in the cell, when its
    /// parent handed them down ([`super::near`]).
    near: Option<Rc<Near>>,
}

fn nearest_m(index: &StationIndex, p: Coord<f64>) -> f64 {
    index.nearest(p).map_or(f64::INFINITY, |n| n.distance_m)
}

fn cell(index: &StationIndex, rect: Rect<f64>, near: Option<Rc<Near>>) -> Cell {
    let centre = rect.center();
    let centre_d =
        near::nearest(index, near.as_deref(), centre).map_or(f64::INFINITY, |n| n.distance_m);
    let reach = half_diagonal_m(rect);
    Cell {
        rect,
        centre_d,
        reach,
        upper: centre_d + reach,
        near,
    }
}

/// The worst-served point of `area`; `None` when no station qualifies.
pub fn worst_point(
    area: &MultiPolygon<f64>,
    start: Coord<f64>,
    index: &StationIndex,
) -> Option<Worst> {
    let start_d = nearest_m(index, start);
    if !start_d.is_finite() {
        return None;
    }
    let mut best = Worst {
        at: start,
        distance_m: start_d,
        proven: true,
        upper_m: start_d,
    };
    let rect = area.bounding_rect()?;
    let mut heap = BinaryHeap::new();
    let first = cell(index, rect, None);
    heap.push(Keyed(first.upper, first));
    let mut examined = 0;
    while let Some(Keyed(_, c)) = heap.pop() {
        if c.upper <= best.distance_m + TOLERANCE_M {
            break; // the heap is ordered by upper bound: nothing better remains
        }
        examined += 1;
        if examined > MAX_CELLS {
            best.proven = false;
            // The popped cell had the largest bound of all left.
            best.upper_m = c.upper;
            return Some(best);
        }
        if examined == VERTICES_AFTER
            && let Some((at, d)) = farthest_vertex(area, index)
            && d > best.distance_m
        {
            best.at = at;
            best.distance_m = d;
        }
        let centre = c.rect.center();
        if c.centre_d > best.distance_m && area.intersects(&centre) {
            best.at = centre;
            best.distance_m = c.centre_d;
        }
        let list =
            near::for_quarters(index, c.near.as_deref(), centre, c.centre_d, c.reach).map(Rc::new);
        for r in quarters(c.rect) {
            if area.intersects(&r) {
                let child = cell(index, r, list.clone());
                if child.upper > best.distance_m + TOLERANCE_M {
                    heap.push(Keyed(child.upper, child));
                }
            }
        }
    }
    best.upper_m = best.distance_m;
    Some(best)
}

/// The boundary vertex farthest from every station, and its distance.
fn farthest_vertex(area: &MultiPolygon<f64>, index: &StationIndex) -> Option<(Coord<f64>, f64)> {
    use geo::CoordsIter;
    area.exterior_coords_iter()
        .chain(
            area.0
                .iter()
                .flat_map(|p| p.interiors().iter().flat_map(|r| r.0.iter().copied())),
        )
        .map(|c| (c, nearest_m(index, c)))
        .filter(|(_, d)| d.is_finite())
        .max_by(|a, b| a.1.total_cmp(&b.1))
}
