//! Do the layers' coordinate systems match? When many stations fall
//! outside every area, try reading them (or the areas) as China's offset
//! systems; if that puts clearly more stations inside, say so, with the
//! flag that does it and the counts before and after. The data is never
//! changed here: the user decides.

use geo::{Coord, MultiPolygon};
use rayon::prelude::*;
use serde::Serialize;

use crate::index::AreaIndex;

use super::offset;

/// At most this many stations are tried (an even sample of larger layers).
const SAMPLE: usize = 20_000;

/// A suggested fix for mismatched layers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The flag and value that would fix it, e.g. `--stations-crs gcj02`.
    pub flag: String,
    /// Stations tried (all, or an even sample of larger layers).
    pub stations_checked: usize,
    /// Of those, inside or on the boundary of some area as the layers are read.
    pub inside_as_read: usize,
    /// Of those, inside after the suggested conversion.
    pub inside_if_converted: usize,
    /// The fix is not a coordinate system: the stations' longitude and
    /// latitude look swapped (`flag` then describes it).
    #[serde(skip)]
    pub swapped: bool,
}

impl Suggestion {
    /// The finding in words, with the fix.
    pub fn message(&self) -> String {
        if self.swapped {
            return format!(
                "the stations' coordinates look swapped: as read, {} of {} stations lie in an area; \
                 with longitude and latitude exchanged it would be {} — check the file's column \
                 order (or name the columns with --lon-field and --lat-field)",
                self.inside_as_read, self.stations_checked, self.inside_if_converted
            );
        }
        format!(
            "the layers' coordinate systems look mismatched: as read, {} of {} stations lie in an area; \
             read with {} it would be {} — if the data comes from AMap/Tencent (GCJ-02) or Baidu (BD-09), pass {}",
            self.inside_as_read,
            self.stations_checked,
            self.flag,
            self.inside_if_converted,
            self.flag
        )
    }
}

/// Ways the layers could really be, as a move of the stations relative to
/// the areas: (flag, where a station would be).
type Shift = fn(f64, f64) -> (f64, f64);

const CANDIDATES: [(&str, Shift); 5] = [
    ("--stations-crs gcj02", offset::gcj02_to_wgs84),
    ("--stations-crs bd09", offset::bd09_to_wgs84),
    // Areas in an offset system: moving the stations the other way is the
    // same test, and cheaper than moving every vertex.
    ("--areas-crs gcj02", offset::wgs84_to_gcj02),
    ("--areas-crs bd09", offset::wgs84_to_bd09),
    // Longitude and latitude exchanged (inside ±90°, still valid degrees).
    (SWAPPED, |x, y| (y, x)),
];

/// The candidate that is a swap, not a coordinate system.
const SWAPPED: &str = "swapped longitude/latitude";

/// Checks whether an offset conversion would put clearly more stations
/// inside the areas: at least 5 more and 1 % of those tried, and at least
/// half of the outside ones brought in. Runs only when at least 0.5 % (and
/// 5) of the stations are outside every area.
pub fn suggest(
    areas: &[&MultiPolygon<f64>],
    stations: impl ExactSizeIterator<Item = Coord<f64>>,
) -> Option<Suggestion> {
    let step = stations.len().div_ceil(SAMPLE).max(1);
    let sample: Vec<Coord<f64>> = stations.step_by(step).collect();
    let n = sample.len();
    let index = AreaIndex::new(areas);
    let inside = |p: Coord<f64>| index.covers(p);
    let count = |f: &(dyn Fn(Coord<f64>) -> Coord<f64> + Sync)| {
        sample.par_iter().filter(|&&p| inside(f(p))).count()
    };
    let as_read = count(&|p| p);
    let outside = n - as_read;
    if outside < 5 || outside * 200 < n {
        return None;
    }
    // The best candidate; on a tie, the earlier (more common) one.
    let mut best: Option<(&str, usize)> = None;
    for &(flag, shift) in &CANDIDATES {
        let moved = count(&|p: Coord<f64>| {
            let (x, y) = shift(p.x, p.y);
            Coord { x, y }
        });
        if best.is_none_or(|(_, b)| moved > b) {
            best = Some((flag, moved));
        }
    }
    let (flag, after) = best?;
    let gained = after.saturating_sub(as_read);
    let clearly = gained >= 5 && gained * 100 >= n && (n - after) * 2 <= outside;
    clearly.then(|| Suggestion {
        swapped: flag == SWAPPED,
        flag: flag.to_owned(),
        stations_checked: n,
        inside_as_read: as_read,
        inside_if_converted: after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    /// A 3 × 3 grid of separate squares about 600 m wide, 2 km apart,
    /// near Chongqing (where GCJ-02 moves points by about 500 m).
    fn grid() -> Vec<MultiPolygon<f64>> {
        let mut out = Vec::new();
        for i in 0..3 {
            for j in 0..3 {
                let (x, y) = (106.5 + 0.02 * i as f64, 29.5 + 0.02 * j as f64);
                out.push(MultiPolygon(vec![polygon![
                    (x: x, y: y), (x: x + 0.006, y: y), (x: x + 0.006, y: y + 0.006), (x: x, y: y + 0.006)
                ]]));
            }
        }
        out
    }

    /// Stations within about 100 m of the squares' centres.
    fn stations_near_centres(n: usize) -> Vec<Coord<f64>> {
        (0..n)
            .map(|k| {
                let square = k % 9;
                let jitter = 0.0002 * ((k / 9) % 10) as f64 - 0.001;
                Coord {
                    x: 106.503 + 0.02 * (square / 3) as f64 + jitter,
                    y: 29.503 + 0.02 * (square % 3) as f64 - jitter,
                }
            })
            .collect()
    }

    #[test]
    fn gcj02_stations_against_wgs84_areas_are_spotted() {
        let truth = stations_near_centres(100);
        let read_raw: Vec<Coord<f64>> = truth
            .iter()
            .map(|p| {
                let (x, y) = offset::wgs84_to_gcj02(p.x, p.y);
                Coord { x, y }
            })
            .collect();
        let s = suggest(&grid().iter().collect::<Vec<_>>(), read_raw.into_iter())
            .expect("a suggestion");
        assert_eq!(s.flag, "--stations-crs gcj02");
        assert_eq!(s.stations_checked, 100);
        assert_eq!(s.inside_if_converted, 100);
        assert!(s.inside_as_read < 50, "{s:?}");
        assert!(s.message().contains("--stations-crs gcj02"));
    }

    #[test]
    fn gcj02_areas_against_wgs84_stations_are_spotted() {
        let areas: Vec<MultiPolygon<f64>> = grid()
            .into_iter()
            .map(|m| {
                use geo::MapCoords;
                m.map_coords(|c| {
                    let (x, y) = offset::wgs84_to_gcj02(c.x, c.y);
                    Coord { x, y }
                })
            })
            .collect();
        let s = suggest(
            &areas.iter().collect::<Vec<_>>(),
            stations_near_centres(100).into_iter(),
        )
        .expect("a suggestion");
        assert_eq!(s.flag, "--areas-crs gcj02");
    }

    #[test]
    fn matching_layers_and_far_away_stations_are_left_alone() {
        assert_eq!(
            suggest(
                &grid().iter().collect::<Vec<_>>(),
                stations_near_centres(100).into_iter()
            ),
            None
        );
        let far: Vec<Coord<f64>> = (0..100)
            .map(|k| Coord {
                x: 100.0 + k as f64 * 0.01,
                y: 20.0,
            })
            .collect();
        assert_eq!(
            suggest(&grid().iter().collect::<Vec<_>>(), far.into_iter()),
            None
        );
    }

    #[test]
    fn swapped_coordinates_are_spotted() {
        // Squares near 10° E, 50° N, where both orders are valid degrees
        // (lat 106 would not be), and their stations written (lat, lon).
        let squares: Vec<MultiPolygon<f64>> = (0..9)
            .map(|k| {
                let (x, y) = (10.0 + 0.02 * (k / 3) as f64, 50.0 + 0.02 * (k % 3) as f64);
                MultiPolygon(vec![polygon![
                    (x: x, y: y), (x: x + 0.006, y: y), (x: x + 0.006, y: y + 0.006), (x: x, y: y + 0.006)
                ]])
            })
            .collect();
        let shapes: Vec<&MultiPolygon<f64>> = squares.iter().collect();
        let swapped: Vec<Coord<f64>> = (0..100)
            .map(|k| {
                let square = k % 9;
                Coord {
                    // Written swapped: latitude first.
                    x: 50.003 + 0.02 * (square % 3) as f64,
                    y: 10.003 + 0.02 * (square / 3) as f64,
                }
            })
            .collect();
        let s = suggest(&shapes, swapped.into_iter()).expect("spotted");
        assert!(s.swapped, "{s:?}");
        assert_eq!((s.inside_as_read, s.inside_if_converted), (0, 100));
        assert!(s.message().contains("swapped"));
    }
}
