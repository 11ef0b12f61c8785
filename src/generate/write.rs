//! Writing the synthetic data: compact GeoJSON (one feature per line,
//! coordinates in whole micro-degrees, about 0.1 m) and the data set's
//! README with its facts and the commands that show its story.
//!
//! Coordinates are rounded once, to integers, so shared boundaries stay
//! identical vertex for vertex and the output is the same byte for byte
//! on every run.

use std::io::{self, Write};

use geo::{Coord, GeodesicArea, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;

use super::areas::PlanArea;
use super::names::OPERATORS;
use super::plane::Sinusoidal;
use super::stations::{FAST_KW, PlanStation, TIERS_KW, ULTRA_FAST_KW};
use super::{DataFormat, GenerateConfig, Synthetic};
use crate::output::{ColumnKind, ShapeRecord};
use serde_json::{Map, Value};

const MICRO: f64 = 1e6;

fn micro(v: f64) -> i64 {
    (v * MICRO).round() as i64
}

fn write_micro(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let a = v.unsigned_abs();
    let _ = write!(out, "{}.{:06}", a / 1_000_000, a % 1_000_000);
}

/// A ring in whole micro-degrees, without consecutive repeats, closed.
fn ring_micro(p: &Sinusoidal, ring: &LineString<f64>) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let (lon, lat) = p.inverse(*c);
        let v = (micro(lon), micro(lat));
        if out.last() != Some(&v) {
            out.push(v);
        }
    }
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    if let Some(&first) = out.first() {
        out.push(first);
    }
    out
}

fn write_ring(out: &mut Vec<u8>, ring: &[(i64, i64)]) {
    out.push(b'[');
    for (k, &(x, y)) in ring.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.push(b'[');
        write_micro(out, x);
        out.push(b',');
        write_micro(out, y);
        out.push(b']');
    }
    out.push(b']');
}

fn write_polygon(out: &mut Vec<u8>, p: &Sinusoidal, polygon: &Polygon<f64>) {
    out.push(b'[');
    write_ring(out, &ring_micro(p, polygon.exterior()));
    for hole in polygon.interiors() {
        out.push(b',');
        write_ring(out, &ring_micro(p, hole));
    }
    out.push(b']');
}

fn write_geometry(out: &mut Vec<u8>, p: &Sinusoidal, shape: &MultiPolygon<f64>) {
    if let [single] = shape.0.as_slice() {
        out.extend_from_slice(br#"{"type":"Polygon","coordinates":"#);
        write_polygon(out, p, single);
    } else {
        out.extend_from_slice(br#"{"type":"MultiPolygon","coordinates":["#);
        for (k, polygon) in shape.0.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            write_polygon(out, p, polygon);
        }
        out.push(b']');
    }
    out.push(b'}');
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn header(out: &mut dyn Write, name: &str, config: &GenerateConfig) -> io::Result<()> {
    writeln!(
        out,
        "{{\"type\":\"FeatureCollection\",\"name\":{},\"description\":{},\"features\":[",
        json_str(name),
        json_str(&format!(
            "SYNTHETIC data made by `{}`; not real boundaries or stations",
            config.command()
        ))
    )
}

/// The areas as a GeoJSON FeatureCollection.
pub fn write_areas(out: &mut dyn Write, data: &Synthetic) -> io::Result<()> {
    header(out, "chargecov synthetic areas", &data.config)?;
    let p = &data.city.frame.projection;
    let lines: Vec<Vec<u8>> = data
        .city
        .areas
        .par_iter()
        .map(|a| area_feature(p, a, data))
        .collect();
    for (k, line) in lines.iter().enumerate() {
        out.write_all(line)?;
        out.write_all(if k + 1 < lines.len() { b",\n" } else { b"\n" })?;
    }
    out.write_all(b"]}\n")
}

fn area_feature(p: &Sinusoidal, a: &PlanArea, data: &Synthetic) -> Vec<u8> {
    let group = &data.city.groups[a.group];
    let mut out = Vec::with_capacity(2048);
    let _ = write!(
        out,
        "{{\"type\":\"Feature\",\"properties\":{{\"code\":\"{}\",\"name\":{},\"kind\":{},\"district\":{},\"district_code\":\"{}\",\"population\":{}}},\"geometry\":",
        a.code,
        json_str(&a.name),
        json_str(a.kind.label()),
        json_str(&group.name),
        group.code,
        a.population
    );
    write_geometry(&mut out, p, &a.shape);
    out.push(b'}');
    out
}

/// The stations as a GeoJSON FeatureCollection of Points.
pub fn write_stations(out: &mut dyn Write, data: &Synthetic) -> io::Result<()> {
    header(out, "chargecov synthetic stations", &data.config)?;
    let p = &data.city.frame.projection;
    let width = data.stations.len().to_string().len().max(7);
    // Format in parallel, a bounded batch at a time.
    const BATCH: usize = 400_000;
    const CHUNK: usize = 20_000;
    for (b, batch) in data.stations.chunks(BATCH).enumerate() {
        let parts: Vec<Vec<u8>> = batch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let first = b * BATCH + c * CHUNK;
                let mut buf = Vec::with_capacity(chunk.len() * 160);
                for (k, s) in chunk.iter().enumerate() {
                    if first + k > 0 {
                        buf.extend_from_slice(b",\n");
                    }
                    station_feature(&mut buf, p, s, width);
                }
                buf
            })
            .collect();
        for part in parts {
            out.write_all(&part)?;
        }
    }
    out.write_all(b"\n]}\n")
}

fn station_feature(out: &mut Vec<u8>, p: &Sinusoidal, s: &PlanStation, width: usize) {
    let (lon, lat) = p.inverse(s.at);
    let _ = write!(
        out,
        "{{\"type\":\"Feature\",\"properties\":{{\"id\":\"S{:0width$}\",\"operator\":\"{}\",\"power_kw\":",
        s.id, OPERATORS[s.operator]
    );
    match s.power_text {
        Some(text) => {
            let _ = write!(out, "\"{text}\"");
        }
        None => {
            let _ = write!(out, "{}", s.power_kw);
        }
    }
    let _ = write!(
        out,
        ",\"connectors\":{}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[",
        s.connectors
    );
    write_micro(out, micro(lon));
    out.push(b',');
    write_micro(out, micro(lat));
    out.extend_from_slice(b"]}}");
}

/// A ring in whole micro-degrees as the coordinates a reader of the
/// GeoJSON gets (`i / 1e6` is the double nearest the written decimal).
fn ring_degrees(p: &Sinusoidal, ring: &LineString<f64>) -> LineString<f64> {
    ring_micro(p, ring)
        .into_iter()
        .map(|(x, y)| Coord {
            x: x as f64 / MICRO,
            y: y as f64 / MICRO,
        })
        .collect()
}

fn shape_degrees(p: &Sinusoidal, shape: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    shape
        .0
        .iter()
        .map(|polygon| {
            Polygon::new(
                ring_degrees(p, polygon.exterior()),
                polygon
                    .interiors()
                    .iter()
                    .map(|h| ring_degrees(p, h))
                    .collect(),
            )
        })
        .collect()
}

/// The property columns of the areas in typed formats.
pub fn area_columns() -> Vec<(String, ColumnKind)> {
    [
        ("code", ColumnKind::Text),
        ("name", ColumnKind::Text),
        ("kind", ColumnKind::Text),
        ("district", ColumnKind::Text),
        ("district_code", ColumnKind::Text),
        ("population", ColumnKind::Integer),
    ]
    .into_iter()
    .map(|(n, k)| (n.to_owned(), k))
    .collect()
}

/// The areas as records for typed formats: the GeoJSON's properties and
/// coordinates.
pub fn area_records(data: &Synthetic) -> impl Iterator<Item = ShapeRecord> + '_ {
    let p = &data.city.frame.projection;
    data.city.areas.iter().map(move |a| {
        let group = &data.city.groups[a.group];
        let mut properties = Map::new();
        properties.insert("code".into(), Value::from(a.code.to_string()));
        properties.insert("name".into(), Value::from(a.name.clone()));
        properties.insert("kind".into(), Value::from(a.kind.label()));
        properties.insert("district".into(), Value::from(group.name.clone()));
        properties.insert("district_code".into(), Value::from(group.code.to_string()));
        properties.insert("population".into(), Value::from(a.population));
        (shape_degrees(p, &a.shape).into(), properties)
    })
}

/// The property columns of the stations in typed formats: the power is
/// text, as some stations write it so ("480kW").
pub fn station_columns() -> Vec<(String, ColumnKind)> {
    [
        ("id", ColumnKind::Text),
        ("operator", ColumnKind::Text),
        ("power_kw", ColumnKind::Text),
        ("connectors", ColumnKind::Integer),
    ]
    .into_iter()
    .map(|(n, k)| (n.to_owned(), k))
    .collect()
}

/// The stations as records for typed formats, as in the GeoJSON.
pub fn station_records(data: &Synthetic) -> impl Iterator<Item = ShapeRecord> + '_ {
    let p = &data.city.frame.projection;
    let width = data.stations.len().to_string().len().max(7);
    data.stations.iter().map(move |s| {
        let (lon, lat) = p.inverse(s.at);
        let mut properties = Map::new();
        properties.insert("id".into(), Value::from(format!("S{:0width$}", s.id)));
        properties.insert("operator".into(), Value::from(OPERATORS[s.operator]));
        let power = match s.power_text {
            Some(text) => text.to_owned(),
            None => s.power_kw.to_string(),
        };
        properties.insert("power_kw".into(), Value::from(power));
        properties.insert("connectors".into(), Value::from(s.connectors));
        let point = geo::Point::new(micro(lon) as f64 / MICRO, micro(lat) as f64 / MICRO);
        (point.into(), properties)
    })
}

/// The outline as one record for typed formats.
pub fn outline_records(data: &Synthetic) -> impl Iterator<Item = ShapeRecord> + '_ {
    let mut properties = Map::new();
    properties.insert("name".into(), Value::from("synthetic city outline"));
    let shape = MultiPolygon(vec![data.city.outline.clone()]);
    std::iter::once((
        shape_degrees(&data.city.frame.projection, &shape).into(),
        properties,
    ))
}

/// The union of all areas, as one feature.
pub fn write_outline(out: &mut dyn Write, data: &Synthetic) -> io::Result<()> {
    header(out, "chargecov synthetic outline", &data.config)?;
    let mut line = Vec::new();
    line.extend_from_slice(
        br#"{"type":"Feature","properties":{"name":"synthetic city outline"},"geometry":"#,
    );
    write_geometry(
        &mut line,
        &data.city.frame.projection,
        &MultiPolygon(vec![data.city.outline.clone()]),
    );
    line.extend_from_slice(b"}\n");
    out.write_all(&line)?;
    out.write_all(b"]}\n")
}

/// Geodesic area (WGS84) of a planar polygon after projection, km².
fn geodesic_km2(p: &Sinusoidal, polygon: &Polygon<f64>) -> f64 {
    let map = |r: &LineString<f64>| {
        LineString::new(
            r.0.iter()
                .map(|&c| {
                    let (x, y) = p.inverse(c);
                    Coord { x, y }
                })
                .collect(),
        )
    };
    let lonlat = Polygon::new(
        map(polygon.exterior()),
        polygon.interiors().iter().map(map).collect(),
    );
    lonlat.geodesic_area_unsigned() / 1e6
}

/// The data set's README: what it is, how it was made, its facts, and
/// the commands that show its story.
pub fn write_readme(out: &mut dyn Write, data: &Synthetic, format: DataFormat) -> io::Result<()> {
    let ext = format.extension();
    let city = &data.city;
    let c = &data.config;
    let count = |k: super::areas::Kind| city.areas.iter().filter(|a| a.kind == k).count();
    use super::areas::Kind;
    let population: u64 = city.areas.iter().map(|a| a.population).sum();
    let km2 = geodesic_km2(&city.frame.projection, &city.outline);
    let exclaves = city.areas.iter().filter(|a| a.shape.0.len() > 1).count();
    let enclaves = city
        .areas
        .iter()
        .filter(|a| a.shape.0.iter().any(|p| !p.interiors().is_empty()))
        .count();
    let mut tiers = String::new();
    for kw in TIERS_KW {
        let n = data.stations.iter().filter(|s| s.power_kw == kw).count();
        tiers.push_str(&format!("| {kw} | {n} |\n"));
    }
    let mut withheld = String::new();
    for a in city.areas.iter().filter(|a| a.withheld) {
        withheld.push_str(&format!(
            "| {} | {} | {} |\n",
            a.code, a.name, city.groups[a.group].name
        ));
    }
    let counts = &data.counts;
    write!(
        out,
        r#"# Synthetic demo data — not real boundaries, not real stations

Everything in this directory was made by chargecov's own generator:

```
{command}
```

The same command gives byte-identical files. The city is modelled on
Chongqing's scale and structure: {groups} districts and counties named after
Chongqing's real ones (names and division codes are public facts; their
placement follows the real seats only roughly), but every boundary, every
township name, every station and every population figure is invented.
Use it to see the tool work and to test it, never as a fact about Chongqing.

| File | What |
|---|---|
| `areas.{ext}` | {areas} township-level areas: `code` (12 digits: district code, township number, `000`), `name`, `kind` (街道 / 镇 / 乡), `district`, `district_code`, `population` |
| `stations.{ext}` | {stations} charging stations: `id`, `operator` (invented), `power_kw`, `connectors` |
| `outline.{ext}` | the union of all areas, one polygon |

## Facts

- Areas: {areas} — {sub} subdistricts (街道), {town} towns (镇), {tsp} townships (乡);
  {exclaves} with an exclave (MultiPolygon), {enclaves} with an enclave (a hole).
  Neighbours share their boundaries vertex for vertex; together they tile the
  outline without gaps or overlaps.
- Outline: about {km2:.0} km² (geodesic, WGS84).
- Population (synthetic, dense in the main city, sparse in the mountains): {population} in total.
- Stations: {stations} in all — one anchor charger per area, {ordinary} spread by
  population and along expressway corridors, {outside} just outside the outline,
  {exact} exact duplicates (same id and place) and {near} near duplicates (new id,
  2–8 m away); about 3 % write their power as text (`"480kW"`, `"0.6 MW"`,
  `"120+60 kW"`).

| Power (kW) | Stations |
|---|---|
{tiers}
## The story it tells

With fast chargers (≥ {fast} kW) every area is covered:

```
chargecov check --min-power-kw {fast}        # exit 0: the claim holds
```

With strict ultra-fast chargers (≥ {ultra} kW) these remote townships are not:

```
chargecov check --min-power-kw {ultra}       # exit 1: the claim fails
```

| Code | Name | District |
|---|---|---|
{withheld}"#,
        command = c.command(),
        groups = city.groups.len(),
        areas = city.areas.len(),
        stations = data.stations.len(),
        sub = count(Kind::Subdistrict),
        town = count(Kind::Town),
        tsp = count(Kind::Township),
        ordinary = counts.ordinary,
        outside = counts.outside,
        exact = counts.exact_duplicates,
        near = counts.near_duplicates,
        fast = FAST_KW,
        ultra = ULTRA_FAST_KW,
    )
}
