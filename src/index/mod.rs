//! Spatial indexes, each built once per run and read by many threads.
//!
//! - [`stations`]: stations by box and nearest-first by geodesic distance
//!   (two flat k-d trees), the index every assessment queries.
//! - [`kdtree`]: the static k-d tree in one flat array under it.
//! - [`areas`]: which area a point is in (an R-tree of bounding boxes with
//!   exact tests), for the checks beside the assessment.
//! - `keyed`: an `f64`-keyed heap entry for branch-and-bound searches.

pub mod areas;
pub mod kdtree;
pub(crate) mod keyed;
pub mod stations;

pub use areas::AreaIndex;
pub use stations::{Nearest, StationIndex};
