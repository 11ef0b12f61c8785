//! Station preparation every command shares, between reading and
//! judging: a rule that needs power refused on a layer without any, and
//! records grouped into pools (sites).

use crate::error::{Error, Result, Setting};
use crate::fields::StationFieldSpecs;
use crate::input::{ReadOptions, Source};
use crate::model::StationLayer;
use crate::pools::{self, PoolBy};
use crate::rules::Rule;

/// Where a station layer came from and how it was read, for errors that
/// name the fields its records have.
pub struct StationSource<'a> {
    /// The layer's source.
    pub source: &'a Source,
    /// How it was read.
    pub read: &'a ReadOptions,
    /// How its fields were named.
    pub specs: &'a StationFieldSpecs,
}

/// A station layer made ready for the rule, as every command that judges
/// sites does it: a rule that needs power is refused on a layer without
/// any ([`require_power`]), then records are grouped into sites
/// ([`pool_stations`]).
pub fn prepare_stations(
    stations: StationLayer,
    rule: &Rule,
    pool_by: Option<&PoolBy>,
    from: &StationSource<'_>,
) -> Result<StationLayer> {
    require_power(rule, &stations, from.source, from.read, from.specs)?;
    pool_stations(stations, pool_by, rule, from.specs, from.source, from.read)
}

/// Groups the station records into pools (sites) when asked to, or when
/// the rule has pool terms (each record its own site then); the layer as
/// it is otherwise.
pub fn pool_stations(
    stations: StationLayer,
    pool_by: Option<&PoolBy>,
    rule: &Rule,
    specs: &StationFieldSpecs,
    source: &Source,
    read: &ReadOptions,
) -> Result<StationLayer> {
    Ok(match (pool_by, rule.has_pool_terms()) {
        (None, false) => stations,
        (by, _) => {
            if let Some(PoolBy::Distance(m)) = by {
                Setting::PoolM.require(
                    *m,
                    |m| (0.0..=100_000.0).contains(&m),
                    "metres ≥ 0 and at most 100 km",
                )?;
            }
            let key = specs.feed.pool_key().map(|k| k.to_string());
            let by = by.cloned().unwrap_or(PoolBy::Record);
            // A site key no record has is a misspelt name, not a layer of
            // one-record sites.
            if by == PoolBy::Key && stations.points.iter().all(|p| p.pool_key.is_none()) {
                let available = field_names(&stations, source, read);
                return Err(Error::MissingFields {
                    source_name: stations.info.path.clone(),
                    layer: crate::error::Layer::Stations,
                    missing: vec![(crate::error::FieldRole::PoolKey, key.unwrap_or_default())],
                    available,
                });
            }
            let (mut layer, summary) = pools::pool_layer(stations, &by, rule, key.as_deref());
            layer.info.pools = Some(summary);
            layer
        }
    })
}

/// A rule that needs power cannot be judged on a station layer in which no
/// record has a readable power: that would be a verdict on no data. The
/// error names the fields the records do have (a table's columns, or the
/// properties of a GeoJSON layer's first 1,000 features).
pub fn require_power(
    rule: &Rule,
    stations: &StationLayer,
    source: &Source,
    read: &ReadOptions,
    specs: &StationFieldSpecs,
) -> Result<()> {
    if rule.min_power_kw <= 0.0
        || stations.stations.is_empty()
        || stations.stations.iter().any(|s| s.power_kw().is_some())
    {
        return Ok(());
    }
    let fields = field_names(stations, source, read);
    Err(Error::NoPower {
        source_name: stations.info.path.clone(),
        field: stations.info.fields.power.clone(),
        looked_for: specs.power.describe(),
        records: stations.info.features_read,
        fields,
    })
}

/// The fields the station records have, for an error that names them: a
/// table's columns, or the properties of a layer's first 1,000 features.
fn field_names(stations: &StationLayer, source: &Source, read: &ReadOptions) -> Vec<String> {
    if stations.info.columns.is_empty() {
        source
            .open_with(read)
            .and_then(|input| crate::input::names::property_names(&input, 1000))
            .unwrap_or_default()
    } else {
        stations.info.columns.clone()
    }
}
