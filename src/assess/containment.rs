//! Which stations lie in an area, with "covers" semantics: a station on
//! the boundary belongs to the area, so one on a boundary shared by two
//! neighbours belongs to both and is lost by neither. A positive tolerance
//! widens the boundary by that many metres (geodesic).

use geo::{BoundingRect, Intersects, MultiPolygon};

use crate::geodesy::{distance_to_area_m, expand_rect_m};
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
    let mut hits: Vec<Hit> = index
        .in_rect(search)
        .filter_map(|station| {
            let location = index.location(station);
            if area.intersects(&location) {
                return Some(Hit {
                    station,
                    distance_m: 0.0,
                });
            }
            if tolerance_m > 0.0 {
                let (d, _) = distance_to_area_m(location, area);
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
