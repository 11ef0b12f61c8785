//! `--sites`: every station or site (pool) judged, as points with what
//! makes it qualify or not: its records, points, strongest point, total
//! power and the power the rule saw.

use std::io;

use serde_json::{Map, Value, json};

use crate::crs::OutputCrs;
use crate::model::StationLayer;
use crate::output::{ShapeKind, ShapeRecord};

/// The stations (sites, after pooling) with `qualifies` per station, as a
/// layer.
pub struct SiteLayer<'a> {
    /// The stations judged.
    pub stations: &'a StationLayer,
    /// Whether each qualifies under the rule.
    pub qualifies: &'a [bool],
    /// The coordinate system written.
    pub crs: &'a OutputCrs,
}

impl SiteLayer<'_> {
    /// Each station as a point record in the output system.
    fn site_records(&self) -> io::Result<Vec<ShapeRecord>> {
        let layer = self.stations;
        let mut records = Vec::with_capacity(layer.stations.len());
        for (i, station) in layer.stations.iter().enumerate() {
            let (kw, count): (Vec<f64>, u32) = match layer.points.get(i) {
                Some(p) if !p.kw.is_empty() || p.records > 1 => (p.kw.to_vec(), p.records.max(1)),
                _ => (station.power_kw().into_iter().collect(), 1),
            };
            let strongest = kw.iter().copied().reduce(f64::max);
            let total: f64 = kw.iter().sum();
            let c = self
                .crs
                .convert(station.location)
                .map_err(|why| io::Error::new(io::ErrorKind::InvalidData, why))?;
            let mut properties = Map::new();
            properties.insert("id".into(), json!(station.label()));
            properties.insert("record_index".into(), json!(station.index));
            properties.insert("records".into(), json!(count));
            properties.insert("points".into(), json!(kw.len()));
            properties.insert("strongest_kw".into(), json!(strongest));
            let total = if kw.is_empty() {
                Value::Null
            } else {
                json!(total)
            };
            properties.insert("total_kw".into(), total);
            properties.insert("rule_kw".into(), json!(station.power_kw()));
            let qualifies = self.qualifies.get(i).copied().unwrap_or(false);
            properties.insert("qualifies".into(), json!(qualifies));
            records.push((geo::Geometry::Point(geo::Point(c)), properties));
        }
        Ok(records)
    }
}

impl crate::output::layer::OutputLayer for SiteLayer<'_> {
    fn name(&self) -> &str {
        "sites"
    }
    fn kind(&self) -> ShapeKind {
        ShapeKind::Point
    }
    fn crs(&self) -> &OutputCrs {
        self.crs
    }
    fn records(&self) -> io::Result<Vec<ShapeRecord>> {
        self.site_records()
    }
}
