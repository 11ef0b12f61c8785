//! Per-area outputs: the uncovered areas and every area's facts, as
//! GeoJSON (geometry plus the original properties plus the facts) or as
//! CSV (facts only). Written feature by feature, so memory stays flat.

use std::io::{self, Write};

use geojson::{Feature, Geometry, GeometryValue};
use serde_json::{Map, Value, json};

use crate::model::Area;
use crate::report::{AreaReport, Report};

/// The fact columns, in output order (shared by GeoJSON and CSV).
pub const FACT_COLUMNS: &[&str] = &[
    "id",
    "name",
    "group",
    "feature_index",
    "stations_inside",
    "qualifying_inside",
    "covered",
    "rep_lon",
    "rep_lat",
    "nearest_station_id",
    "nearest_station_index",
    "nearest_distance_m",
    "boundary_station_id",
    "boundary_distance_m",
];

fn facts(r: &AreaReport) -> [Value; 14] {
    [
        json!(r.id),
        json!(r.name),
        json!(r.group),
        json!(r.feature_index),
        json!(r.stations_inside),
        json!(r.qualifying_inside),
        json!(r.covered),
        json!(r.representative_point.lon),
        json!(r.representative_point.lat),
        json!(r.nearest_station_id),
        json!(r.nearest_station_index),
        json!(r.nearest_distance_m),
        json!(r.boundary_station_id),
        json!(r.boundary_distance_m),
    ]
}

fn feature(area: &Area, report: &AreaReport) -> Feature {
    let geometry = if area.single_polygon && area.geometry.0.len() == 1 {
        GeometryValue::from(&area.geometry.0[0])
    } else {
        GeometryValue::from(&area.geometry)
    };
    // The facts overwrite same-named original properties (documented).
    let mut properties: Map<String, Value> = area.properties.clone();
    for (name, value) in FACT_COLUMNS.iter().zip(facts(report)) {
        properties.insert((*name).to_owned(), value);
    }
    Feature {
        bbox: None,
        geometry: Some(Geometry::new(geometry)),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    }
}

/// Writes the areas selected by `keep` as a GeoJSON FeatureCollection.
pub fn write_geojson(
    out: &mut dyn Write,
    areas: &[Area],
    report: &Report,
    keep: impl Fn(usize) -> bool,
) -> io::Result<()> {
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
    let mut first = true;
    for (i, (area, r)) in areas.iter().zip(&report.areas).enumerate() {
        if !keep(i) {
            continue;
        }
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut *out, &feature(area, r))?;
    }
    out.write_all(b"\n]}\n")
}

/// Writes every area's facts as CSV.
pub fn write_csv(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(FACT_COLUMNS)?;
    for r in &report.areas {
        let row = facts(r).map(|v| match v {
            Value::Null => String::new(),
            Value::String(s) => s,
            other => other.to_string(),
        });
        writer.write_record(&row)?;
    }
    writer.flush()
}
