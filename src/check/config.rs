//! What a check is asked: the layers, how to read them, the rule, and
//! the surface analysis.

use crate::crs::Crs;
use crate::fields::{AreaFieldSpecs, StationFieldSpecs};
use crate::input::{ReadOptions, Source};
use crate::pools::PoolBy;
use crate::rules::Rule;

use super::SurfaceRequest;

/// Everything `check` needs; built by the CLI from its flags.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// The boundary polygons.
    pub areas: Source,
    /// The charging stations.
    pub stations: Source,
    /// How to read the areas' properties.
    pub area_fields: AreaFieldSpecs,
    /// How to read the stations' properties or columns.
    pub station_fields: StationFieldSpecs,
    /// The claim: which stations qualify and what covers an area.
    pub rule: Rule,
    /// Drop unusable features with a warning instead of stopping.
    pub skip_invalid: bool,
    /// Coordinate systems set by flag (else the file's `crs`, else WGS84).
    pub areas_crs: Option<Crs>,
    /// See `areas_crs`.
    pub stations_crs: Option<Crs>,
    /// Surface coverage, worst-served points and gaps (`--radius-km`).
    pub surface: Option<SurfaceRequest>,
    /// Area property holding a population, for population-weighted statistics.
    pub population_field: Option<String>,
    /// How to read the areas (text encoding, layer name).
    pub areas_read: ReadOptions,
    /// How to read the stations.
    pub stations_read: ReadOptions,
    /// Group records into pools (sites) before judging; `None` judges
    /// records (each a pool of its own points when the rule has pool terms).
    pub pool_by: Option<PoolBy>,
}

impl CheckConfig {
    /// A check of `areas` against `stations` with discovered fields and
    /// the default rule (every station qualifies, no tolerance).
    pub fn new(areas: Source, stations: Source) -> Self {
        CheckConfig {
            areas,
            stations,
            area_fields: AreaFieldSpecs::default(),
            station_fields: StationFieldSpecs::default(),
            rule: Rule::default(),
            skip_invalid: false,
            areas_crs: None,
            stations_crs: None,
            surface: None,
            population_field: None,
            areas_read: ReadOptions::default(),
            stations_read: ReadOptions::default(),
            pool_by: None,
        }
    }
}
