//! Which area is a point in? An R-tree of the areas' bounding boxes, with
//! exact tests on the few whose boxes hold the point. Used by the checks
//! that look at stations against areas outside the main assessment (the
//! coordinate-system mismatch check, `validate --areas`).

use geo::{BoundingRect, Coord, Intersects, MultiPolygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use crate::geodesy::distance_to_area_m;

/// Areas by bounding box, borrowing their shapes.
pub struct AreaIndex<'a> {
    shapes: &'a [&'a MultiPolygon<f64>],
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl<'a> AreaIndex<'a> {
    /// An index of these shapes.
    pub fn new(shapes: &'a [&'a MultiPolygon<f64>]) -> Self {
        let boxes = shapes
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let r = a.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        AreaIndex {
            shapes,
            tree: RTree::bulk_load(boxes),
        }
    }

    /// Is `p` inside some area or on its boundary?
    #[inline]
    pub fn covers(&self, p: Coord<f64>) -> bool {
        self.tree
            .locate_all_at_point(&[p.x, p.y])
            .any(|b| self.shapes[b.data].intersects(&p))
    }

    /// Is some area within `d_m` (geodesic) of `p`? Exact: every area
    /// whose box meets the box of all points within `d_m` is measured.
    pub fn within(&self, p: Coord<f64>, d_m: f64) -> bool {
        if d_m.is_nan() || d_m <= 0.0 {
            return false;
        }
        let reach = crate::geodesy::expand_rect_m(geo::Rect::new(p, p), d_m);
        let envelope = rstar::AABB::from_corners(
            [reach.min().x, reach.min().y],
            [reach.max().x, reach.max().y],
        );
        self.tree
            .locate_in_envelope_intersecting(&envelope)
            .any(|b| distance_to_area_m(p, self.shapes[b.data]).0 <= d_m)
    }

    /// The geodesic distance (m) to the nearest area and its position,
    /// trying the areas whose boxes are nearest in degrees (eight: enough
    /// at the distances that matter for a station just outside).
    pub fn nearest(&self, p: Coord<f64>) -> Option<(f64, usize)> {
        self.tree
            .nearest_neighbor_iter(&[p.x, p.y])
            .take(8)
            .map(|b| (distance_to_area_m(p, self.shapes[b.data]).0, b.data))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    }
}
