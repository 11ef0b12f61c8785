//! Turns records as read into checked model data: coordinates in range,
//! rings closed, ids and powers read, each problem reported with the
//! feature's index and id. Fatal problems are collected, not stopped at,
//! so one run shows the user everything there is to fix. One file per
//! layer ([`areas`](mod@areas), [`stations`](mod@stations)); what they share is here.

pub mod areas;
pub mod stations;

pub use areas::areas;
pub use stations::{StationBatch, convert_stations, finish_stations};

use crate::crs::{Crs, CrsOrigin, LayerCrs};
use crate::error::{Error, Layer, Result};
use crate::fields::{AreaFieldSpecs, StationFieldSpecs};
use crate::input::{self, ReadOptions, Source};
use crate::issues::FeatureIssue;
use crate::model::{AreaLayer, StationLayer};

/// Reads and normalises an area layer, in whatever format it is.
pub fn load_areas(
    source: &Source,
    specs: &AreaFieldSpecs,
    skip_invalid: bool,
    crs: Option<&Crs>,
    read: &ReadOptions,
) -> Result<AreaLayer> {
    let input = source.open_with(read)?;
    let raw = input::read_features(&input)?;
    areas(raw, &input.name(), specs, skip_invalid, crs)
}

/// Reads and normalises a station layer, in whatever format it is. The
/// records are converted batch by batch as they are read, on all cores
/// where the format allows, so memory holds the stations, not the text.
pub fn load_stations(
    source: &Source,
    specs: &StationFieldSpecs,
    skip_invalid: bool,
    crs: Option<&Crs>,
    read: &ReadOptions,
) -> Result<StationLayer> {
    let input = source.open_with(read)?;
    let mut layer = StationBatch::default();
    let convert = |records| convert_stations(records, &specs.feed);
    let meta = input::read_stations(&input, specs, &convert, &mut layer)?;
    finish_stations(layer, meta, &input.name(), specs, skip_invalid, crs)
}

/// Splits issues into fatal ones and warnings; with `skip_invalid`, fatal
/// ones become warnings and their features are dropped.
pub(crate) fn settle(
    source_name: &str,
    layer: Layer,
    issues: Vec<FeatureIssue>,
    skip_invalid: bool,
) -> Result<Vec<FeatureIssue>> {
    let (errors, mut warnings): (Vec<_>, Vec<_>) = issues
        .into_iter()
        .partition(|i| i.severity == crate::issues::Severity::Error);
    if !errors.is_empty() && !skip_invalid {
        return Err(Error::Features {
            source_name: source_name.to_owned(),
            layer,
            issues: errors,
        });
    }
    warnings.extend(errors.into_iter().map(|mut e| {
        e.severity = crate::issues::Severity::Warning;
        e.message.push_str(" (feature skipped)");
        e
    }));
    warnings.sort_by_key(|w| (w.index, w.code));
    Ok(warnings)
}

/// The layer's CRS: the flag, else the file's `crs` member, else WGS84.
pub(crate) fn layer_crs(
    given: Option<&Crs>,
    declared: Option<&str>,
    layer: Layer,
    source_name: &str,
) -> Result<LayerCrs> {
    LayerCrs::choose(given, declared, layer).map_err(|refusal| Error::Crs {
        source_name: source_name.to_owned(),
        layer,
        declared: refusal.declared,
        // A declared definition may be megabytes of text.
        reason: crate::error::clip(&refusal.reason, 600),
    })
}

/// Read as WGS84 without the user saying so by flag: the case where
/// offset coordinates slip through unnoticed.
pub(crate) fn wgs84_unconfirmed(crs: &LayerCrs) -> bool {
    crs.origin != CrsOrigin::Flag && crs.transformer.is_identity()
}
