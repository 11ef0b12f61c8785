//! The embedded demo data set: a synthetic Chongqing-like city made by
//! `generate` with `generate::DEMO` and committed in
//! `data/` (see `data/README.md`). `chargecov check` without file
//! arguments runs on it.

use crate::input::Source;

/// `data/areas.geojson`, compiled in.
pub const AREAS: &[u8] = include_bytes!("../data/areas.geojson");
/// `data/stations.geojson`, compiled in.
pub const STATIONS: &[u8] = include_bytes!("../data/stations.geojson");

/// The demo's areas as an input.
pub fn areas() -> Source {
    Source::Embedded("data/areas.geojson", AREAS)
}

/// The demo's stations as an input.
pub fn stations() -> Source {
    Source::Embedded("data/stations.geojson", STATIONS)
}
