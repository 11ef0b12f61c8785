//! Per-area outputs: the uncovered areas and every area's facts, as
//! GeoJSON (geometry plus the original properties plus the facts) or as
//! CSV (facts only). Written feature by feature, so memory stays flat.

use std::io::{self, Write};

use geo::{Coord, MapCoords, MultiPolygon};
use geojson::{Feature, Geometry, GeometryValue};
use serde_json::{Map, Value, json};

use crate::check::report::{AreaReport, Report};
use crate::crs::OutputCrs;
use crate::model::Area;

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

/// Columns after the fixed ones: population (with --population-field),
/// then size, shares per radius, worst-served point and gap size (with
/// --radius-km).
fn extra_columns(report: &Report, crs: &OutputCrs) -> Vec<String> {
    let mut cols = Vec::new();
    if report.summary.population.is_some() {
        cols.push("population".to_owned());
    }
    if let Some(s) = &report.summary.surface {
        cols.push("area_km2".to_owned());
        cols.extend(s.radii_km.iter().map(|l| format!("within_{l}")));
        let (x, y) = if crs.is_geographic() {
            ("worst_lon", "worst_lat")
        } else {
            ("worst_x", "worst_y")
        };
        cols.extend([x.to_owned(), y.to_owned(), "worst_distance_m".to_owned()]);
        if s.gap_km2.is_some() {
            cols.push("gap_km2".to_owned());
        }
    }
    cols
}

fn extra_values(r: &AreaReport, report: &Report, crs: &OutputCrs) -> io::Result<Vec<Value>> {
    let mut values = Vec::new();
    if report.summary.population.is_some() {
        values.push(json!(r.population));
    }
    if let Some(s) = &report.summary.surface {
        values.push(json!(r.area_km2));
        for l in &s.radii_km {
            values.push(
                r.within
                    .as_ref()
                    .and_then(|w| w.get(l))
                    .cloned()
                    .unwrap_or(Value::Null),
            );
        }
        match &r.worst_point {
            Some(w) => {
                let c = crs.convert(Coord { x: w.lon, y: w.lat }).map_err(invalid)?;
                values.extend([json!(c.x), json!(c.y), json!(w.distance_m)]);
            }
            None => values.extend([Value::Null, Value::Null, Value::Null]),
        }
        if s.gap_km2.is_some() {
            values.push(json!(r.gap_km2));
        }
    }
    Ok(values)
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

fn feature(
    area: &Area,
    report: &AreaReport,
    whole: &Report,
    crs: &OutputCrs,
) -> io::Result<Feature> {
    let (converted, properties) = record(area, report, whole, crs)?;
    let geometry = if area.single_polygon && converted.0.len() == 1 {
        GeometryValue::from(&converted.0[0])
    } else {
        GeometryValue::from(&converted)
    };
    Ok(Feature {
        bbox: None,
        geometry: Some(Geometry::new(geometry)),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    })
}

/// An area's geometry in the output CRS and its properties: the original
/// ones, then the facts.
fn record(
    area: &Area,
    report: &AreaReport,
    whole: &Report,
    crs: &OutputCrs,
) -> io::Result<(MultiPolygon<f64>, Map<String, Value>)> {
    let converted: MultiPolygon<f64> = area
        .geometry
        .try_map_coords(|c| crs.convert(c))
        .map_err(invalid)?;
    // The facts overwrite same-named original properties (documented).
    let mut properties: Map<String, Value> = area.properties();
    for (name, value) in fact_columns(crs).into_iter().zip(facts(report, crs)?) {
        properties.insert(name.to_owned(), value);
    }
    for (name, value) in extra_columns(whole, crs)
        .into_iter()
        .zip(extra_values(report, whole, crs)?)
    {
        properties.insert(name, value);
    }
    Ok((converted, properties))
}

/// The areas selected by `keep` as (geometry, properties) records, for
/// writers of other formats (GeoPackage).
pub fn area_records(
    areas: &[Area],
    report: &Report,
    crs: &OutputCrs,
    keep: impl Fn(usize) -> bool,
) -> io::Result<Vec<crate::output::ShapeRecord>> {
    areas
        .iter()
        .zip(&report.areas)
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, (area, r))| record(area, r, report, crs).map(|(g, p)| (g.into(), p)))
        .collect()
}

/// Writes the areas selected by `keep` as a GeoJSON FeatureCollection.
pub fn write_geojson(
    out: &mut dyn Write,
    areas: &[Area],
    report: &Report,
    crs: &OutputCrs,
    keep: impl Fn(usize) -> bool,
) -> io::Result<()> {
    crate::output::collection_start(out, crs)?;
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
        // Serialised into bytes first: token by token through `dyn Write`
        // is a call each.
        out.write_all(&serde_json::to_vec(&feature(area, r, report, crs)?)?)?;
    }
    out.write_all(b"\n]}\n")
}

/// Writes the facts of the areas `keep` selects (by position) as CSV.
pub fn write_csv(
    out: &mut dyn Write,
    report: &Report,
    crs: &OutputCrs,
    keep: impl Fn(usize) -> bool,
) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<String> = fact_columns(crs).into_iter().map(str::to_owned).collect();
    header.extend(extra_columns(report, crs));
    writer.write_record(&header)?;
    for (_, r) in report.areas.iter().enumerate().filter(|(i, _)| keep(*i)) {
        let values = facts(r, crs)?
            .into_iter()
            .chain(extra_values(r, report, crs)?);
        let row: Vec<String> = values
            .map(|v| match v {
                Value::Null => String::new(),
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect();
        writer.write_record(&row)?;
    }
    writer.flush()
}

/// Writes each area's gap (the part farther than the largest radius from
/// every qualifying station) as GeoJSON: id, name, group, radius and size.
/// One feature is converted at a time (a national set's gaps are hundreds
/// of megabytes).
pub fn write_gaps(
    out: &mut dyn Write,
    areas: &[Area],
    report: &Report,
    gaps: &[Option<&MultiPolygon<f64>>],
    radius_label: &str,
    crs: &OutputCrs,
) -> io::Result<()> {
    crate::output::collection_start(out, crs)?;
    let mut first = true;
    for record in gap_records(areas, report, gaps, radius_label, crs) {
        let (converted, properties) = record?;
        let feature = Feature {
            bbox: None,
            geometry: Some(Geometry::new(GeometryValue::from(&converted))),
            id: None,
            properties: Some(properties),
            foreign_members: None,
        };
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        out.write_all(&serde_json::to_vec(&feature)?)?;
    }
    out.write_all(b"\n]}\n")
}

/// Each area's gap as a (geometry, properties) record: id, name, group,
/// feature index, radius and size; areas without a gap are left out.
pub fn gap_records<'a>(
    areas: &'a [Area],
    report: &'a Report,
    gaps: &'a [Option<&'a MultiPolygon<f64>>],
    radius_label: &'a str,
    crs: &'a OutputCrs,
) -> impl Iterator<Item = io::Result<crate::output::ShapeRecord>> + 'a {
    areas
        .iter()
        .zip(&report.areas)
        .zip(gaps)
        .filter_map(|((area, r), gap)| Some((area, r, gap.filter(|g| !g.0.is_empty())?)))
        .map(move |(area, r, gap)| {
            let converted: MultiPolygon<f64> =
                gap.try_map_coords(|c| crs.convert(c)).map_err(invalid)?;
            let mut properties = Map::new();
            properties.insert("id".into(), json!(r.id));
            properties.insert("name".into(), json!(r.name));
            properties.insert("group".into(), json!(r.group));
            properties.insert("feature_index".into(), json!(area.index));
            properties.insert("radius_km".into(), json!(radius_label));
            properties.insert("gap_km2".into(), json!(r.gap_km2));
            Ok((converted.into(), properties))
        })
}

/// Writes the coverage-versus-radius curve as CSV.
pub fn write_curve(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["radius_km", "share_of_surface", "share_of_population"])?;
    if let Some(s) = &report.summary.surface {
        for p in &s.curve {
            writer.write_record([
                p.radius_km.to_string(),
                p.share.to_string(),
                p.share_population
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            ])?;
        }
    }
    writer.flush()
}

/// The areas `keep` selects (by position) as a layer: GeoJSON with each
/// area's geometry, original properties and facts; CSV with the facts;
/// the typed formats with both.
pub struct AreaLayer<'a, F: Fn(usize) -> bool> {
    /// The layer's name (`uncovered`, `areas`).
    pub name: &'a str,
    /// The areas as read.
    pub areas: &'a [Area],
    /// The report with each area's facts, in the same order.
    pub report: &'a Report,
    /// The coordinate system written.
    pub crs: &'a OutputCrs,
    /// Which areas the layer holds, by position.
    pub keep: F,
}

impl<F: Fn(usize) -> bool> crate::output::layer::OutputLayer for AreaLayer<'_, F> {
    fn name(&self) -> &str {
        self.name
    }
    fn kind(&self) -> crate::output::ShapeKind {
        crate::output::ShapeKind::MultiPolygon
    }
    fn crs(&self) -> &OutputCrs {
        self.crs
    }
    fn write_geojson(&self, out: &mut dyn Write) -> io::Result<()> {
        write_geojson(out, self.areas, self.report, self.crs, &self.keep)
    }
    fn has_csv(&self) -> bool {
        true
    }
    fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        write_csv(out, self.report, self.crs, &self.keep)
    }
    fn records(&self) -> io::Result<Vec<crate::output::ShapeRecord>> {
        area_records(self.areas, self.report, self.crs, &self.keep)
    }
}

/// Each area's gap (the part beyond the largest radius) as a layer.
pub struct GapLayer<'a> {
    /// The areas as read.
    pub areas: &'a [Area],
    /// The report, in the same order.
    pub report: &'a Report,
    /// Each area's gap, if it has one.
    pub gaps: &'a [Option<&'a MultiPolygon<f64>>],
    /// The largest radius, as the user wrote it.
    pub radius_label: &'a str,
    /// The coordinate system written.
    pub crs: &'a OutputCrs,
}

impl crate::output::layer::OutputLayer for GapLayer<'_> {
    fn name(&self) -> &str {
        "gaps"
    }
    fn kind(&self) -> crate::output::ShapeKind {
        crate::output::ShapeKind::MultiPolygon
    }
    fn crs(&self) -> &OutputCrs {
        self.crs
    }
    fn write_geojson(&self, out: &mut dyn Write) -> io::Result<()> {
        write_gaps(
            out,
            self.areas,
            self.report,
            self.gaps,
            self.radius_label,
            self.crs,
        )
    }
    fn records(&self) -> io::Result<Vec<crate::output::ShapeRecord>> {
        gap_records(
            self.areas,
            self.report,
            self.gaps,
            self.radius_label,
            self.crs,
        )
        .collect()
    }
}
