//! Which stations lie in an area, with "covers" semantics: a station on
//! the boundary belongs to the area, so one on a boundary shared by two
//! neighbours belongs to both and is lost by neither. A positive tolerance
//! widens the boundary by that many metres (geodesic).

use geo::{BoundingRect, MultiPolygon};

use super::prepared::PreparedArea;
use crate::geodesy::{Boundary, expand_rect_m};
use crate::index::StationIndex;

/// A station found in an area, and its distance to it (0 when inside or on
/// the boundary, positive when admitted by the tolerance).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub station: u32,
    pub distance_m: f64,
}

/// Every station inside `area` or within `tolerance_m` of it, in index order.
pub fn stations_in_area(
    area: &MultiPolygon<f64>,
    index: &StationIndex,
    tolerance_m: f64,
) -> Vec<Hit> {
    let Some(rect) = area.bounding_rect() else {
        return Vec::new();
    };
    let search = if tolerance_m > 0.0 {
        expand_rect_m(rect, tolerance_m)
    } else {
        rect
    };
    let prepared = PreparedArea::new(area);
    // Prepared once for every station the tolerance may admit.
    let outline = (tolerance_m > 0.0).then(|| Boundary::new(area));
    let mut hits: Vec<Hit> = index
        .in_rect(search)
        .filter_map(|(station, location)| {
            if prepared.covers(location) {
                return Some(Hit {
                    station,
                    distance_m: 0.0,
                });
            }
            if let Some(outline) = &outline {
                let (d, _) = outline.distance_m(location);
                if d <= tolerance_m {
                    return Some(Hit {
                        station,
                        distance_m: d,
                    });
                }
            }
            None
        })
        .collect();
    hits.sort_unstable_by_key(|h| h.station);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, Intersects, polygon};

    fn c_shape() -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![
            (x: 0.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 1.0), (x: 1.0, y: 1.0),
            (x: 1.0, y: 2.0), (x: 3.0, y: 2.0), (x: 3.0, y: 3.0), (x: 0.0, y: 3.0), (x: 0.0, y: 0.0)
        ]])
    }

    proptest::proptest! {
        #[test]
        fn index_query_equals_testing_every_station(
            points in proptest::collection::vec((-1.0f64..4.0, -1.0f64..4.0), 0..200),
        ) {
            // Snap some points onto the grid so that boundaries and vertices are hit.
            let locations: Vec<Coord<f64>> = points
                .iter()
                .enumerate()
                .map(|(i, &(x, y))| if i % 3 == 0 { Coord { x: x.round(), y: y.round() } } else { Coord { x, y } })
                .collect();
            let area = c_shape();
            let index = StationIndex::new(locations.clone(), &vec![true; locations.len()]);
            let found: Vec<u32> = stations_in_area(&area, &index, 0.0).iter().map(|h| h.station).collect();
            let brute: Vec<u32> = (0..locations.len() as u32)
                .filter(|&i| area.intersects(&locations[i as usize]))
                .collect();
            proptest::prop_assert_eq!(found, brute);
        }
    }
}
