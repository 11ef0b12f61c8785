//! `--sites`: every station or site (pool) judged, as GeoJSON points with
//! what makes it qualify or not: its records, points, strongest point,
//! total power and the power the rule saw.

use std::io::{self, Write};

use geo::Coord;
use serde_json::{Value, json};

use crate::crs::OutputCrs;
use crate::model::StationLayer;
use crate::report::round_deg;

/// Writes the layer's stations (sites, after pooling) as a GeoJSON
/// FeatureCollection in `crs`; `qualifies` is per station.
pub fn write_geojson(
    out: &mut dyn Write,
    layer: &StationLayer,
    qualifies: &[bool],
    crs: &OutputCrs,
) -> io::Result<()> {
    crate::output::areas::collection_start(out, crs)?;
    for (i, station) in layer.stations.iter().enumerate() {
        let (kw, records): (Vec<f64>, u32) = match layer.points.get(i) {
            Some(p) if !p.kw.is_empty() || p.records > 1 => (p.kw.to_vec(), p.records.max(1)),
            _ => (station.power_kw().into_iter().collect(), 1),
        };
        let strongest = kw.iter().copied().reduce(f64::max);
        let total: f64 = kw.iter().sum();
        let c = crs
            .convert(station.location)
            .map_err(|why| io::Error::new(io::ErrorKind::InvalidData, why))?;
        let place = |c: Coord<f64>| {
            if crs.is_geographic() {
                json!([round_deg(c.x), round_deg(c.y)])
            } else {
                json!([(c.x * 100.0).round() / 100.0, (c.y * 100.0).round() / 100.0])
            }
        };
        let feature = json!({
            "type": "Feature",
            "properties": {
                "id": station.label(),
                "record_index": station.index,
                "records": records,
                "points": kw.len(),
                "strongest_kw": strongest,
                "total_kw": if kw.is_empty() { Value::Null } else { json!(total) },
                "rule_kw": station.power_kw(),
                "qualifies": qualifies.get(i).copied().unwrap_or(false),
            },
            "geometry": {"type": "Point", "coordinates": place(c)},
        });
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        out.write_all(&serde_json::to_vec(&feature)?)?;
    }
    out.write_all(b"\n]}\n")
}
