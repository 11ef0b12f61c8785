//! Per-area outputs: the uncovered areas and every area's facts, as
//! GeoJSON (geometry plus the original properties plus the facts) or as
//! CSV (facts only). Written feature by feature, so memory stays flat.

use std::io::{self, Write};

use geo::{Coord, MapCoords, MultiPolygon};
use geojson::{Feature, Geometry, GeometryValue};
use serde_json::{Map, Value, json};

use crate::crs::OutputCrs;
use crate::model::Area;
use crate::report::{AreaReport, Report};

/// The fact columns, in output order (shared by GeoJSON and CSV), for
/// outputs in longitude/latitude.
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

/// The fact columns for `crs`: in a projected output system the
/// representative point's columns are `rep_x`, `rep_y`.
pub fn fact_columns(crs: &OutputCrs) -> Vec<&'static str> {
    FACT_COLUMNS
        .iter()
        .map(|&c| match (c, crs.is_geographic()) {
            ("rep_lon", false) => "rep_x",
            ("rep_lat", false) => "rep_y",
            _ => c,
        })
        .collect()
}

fn invalid(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why)
}

fn facts(r: &AreaReport, crs: &OutputCrs) -> io::Result<[Value; 14]> {
    let rep = crs
        .convert(Coord {
            x: r.representative_point.lon,
            y: r.representative_point.lat,
        })
        .map_err(invalid)?;
    Ok([
        json!(r.id),
        json!(r.name),
        json!(r.group),
        json!(r.feature_index),
        json!(r.stations_inside),
        json!(r.qualifying_inside),
        json!(r.covered),
        json!(rep.x),
        json!(rep.y),
        json!(r.nearest_station_id),
        json!(r.nearest_station_index),
        json!(r.nearest_distance_m),
        json!(r.boundary_station_id),
        json!(r.boundary_distance_m),
    ])
}

fn feature(area: &Area, report: &AreaReport, crs: &OutputCrs) -> io::Result<Feature> {
    let converted: MultiPolygon<f64> = area
        .geometry
        .try_map_coords(|c| crs.convert(c))
        .map_err(invalid)?;
    let geometry = if area.single_polygon && converted.0.len() == 1 {
        GeometryValue::from(&converted.0[0])
    } else {
        GeometryValue::from(&converted)
    };
    // The facts overwrite same-named original properties (documented).
    let mut properties: Map<String, Value> = area.properties.clone();
    for (name, value) in fact_columns(crs).into_iter().zip(facts(report, crs)?) {
        properties.insert(name.to_owned(), value);
    }
    Ok(Feature {
        bbox: None,
        geometry: Some(Geometry::new(geometry)),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    })
}

/// Writes the areas selected by `keep` as a GeoJSON FeatureCollection.
pub fn write_geojson(
    out: &mut dyn Write,
    areas: &[Area],
    report: &Report,
    crs: &OutputCrs,
    keep: impl Fn(usize) -> bool,
) -> io::Result<()> {
    out.write_all(b"{\"type\":\"FeatureCollection\",")?;
    if let Some(name) = crs.geojson_name() {
        // Not WGS84: say so the old (GeoJSON 2008) way, which GDAL and QGIS read.
        let member = json!({"type": "name", "properties": {"name": name}});
        write!(out, "\"crs\":{member},")?;
    }
    out.write_all(b"\"features\":[")?;
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
        serde_json::to_writer(&mut *out, &feature(area, r, crs)?)?;
    }
    out.write_all(b"\n]}\n")
}

/// Writes every area's facts as CSV.
pub fn write_csv(out: &mut dyn Write, report: &Report, crs: &OutputCrs) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(fact_columns(crs))?;
    for r in &report.areas {
        let row = facts(r, crs)?.map(|v| match v {
            Value::Null => String::new(),
            Value::String(s) => s,
            other => other.to_string(),
        });
        writer.write_record(&row)?;
    }
    writer.flush()
}
