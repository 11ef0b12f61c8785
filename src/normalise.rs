//! Turns records as read into checked model data: coordinates in range,
//! rings closed, ids and powers read, each problem reported with the
//! feature's index and id. Fatal problems are collected, not stopped at,
//! so one run shows the user everything there is to fix.

use std::collections::HashMap;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;

use crate::crs::{Crs, CrsOrigin, LayerCrs};
use crate::error::{Error, Result};
use crate::fields::{FieldSpec, chosen_rank, defaults};
use crate::io::raw::{Position, RawArea, RawAreaGeometry, RawLayer, RawPoint, RawStation, Scalar};
use crate::issues::{FeatureIssue, IssueCode, Position as IssuePosition};
use crate::model::{Area, AreaLayer, FieldsUsed, LayerInfo, Station, StationLayer};

/// How to read an area layer's properties.
#[derive(Debug, Clone)]
pub struct AreaFieldSpecs {
    pub id: FieldSpec,
    pub name: FieldSpec,
    pub group: FieldSpec,
}

impl Default for AreaFieldSpecs {
    /// Discover every role among its common spellings.
    fn default() -> Self {
        AreaFieldSpecs {
            id: FieldSpec::discover(defaults::AREA_ID),
            name: FieldSpec::discover(defaults::AREA_NAME),
            group: FieldSpec::discover(defaults::AREA_GROUP),
        }
    }
}

/// Splits issues into fatal ones and warnings; with `skip_invalid`, fatal
/// ones become warnings and their features are dropped.
fn settle(
    source_name: &str,
    issues: Vec<FeatureIssue>,
    skip_invalid: bool,
) -> Result<Vec<FeatureIssue>> {
    let (errors, mut warnings): (Vec<_>, Vec<_>) = issues
        .into_iter()
        .partition(|i| i.severity == crate::issues::Severity::Error);
    if !errors.is_empty() && !skip_invalid {
        return Err(Error::Features {
            source_name: source_name.to_owned(),
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
fn layer_crs(
    flag_value: Option<&Crs>,
    declared: Option<&str>,
    flag: &'static str,
    source_name: &str,
) -> Result<LayerCrs> {
    LayerCrs::choose(flag_value, declared, flag).map_err(|message| Error::Layer {
        source_name: source_name.to_owned(),
        message,
        hint: format!(
            "name the layer's coordinate system with {flag} (EPSG:NNNN, a PROJ string, wgs84, cgcs2000, gcj02 or bd09)"
        ),
    })
}

/// Read as WGS84 without the user saying so by flag: the case where
/// offset coordinates slip through unnoticed.
fn wgs84_unconfirmed(crs: &LayerCrs) -> bool {
    crs.origin != CrsOrigin::Flag && crs.transformer.is_identity()
}

// ---------------------------------------------------------------- areas --

/// Validates and converts an area layer.
pub fn areas(
    raw: RawLayer<RawArea>,
    source_name: &str,
    specs: &AreaFieldSpecs,
    skip_invalid: bool,
    crs: Option<&Crs>,
) -> Result<AreaLayer> {
    let crs = layer_crs(crs, raw.declared_crs.as_deref(), "--areas-crs", source_name)?;
    let features_read = raw.records.len();

    // The best-ranked key for each role over the whole layer.
    let best_key = |spec: &FieldSpec| -> Option<String> {
        let rank = chosen_rank(
            raw.records
                .iter()
                .flat_map(|r| r.properties.keys().map(|k| spec.rank(k))),
        )?;
        raw.records
            .iter()
            .flat_map(|r| r.properties.keys())
            .find(|k| spec.rank(k) == Some(rank))
            .cloned()
    };
    let id_key = best_key(&specs.id);
    let name_key = best_key(&specs.name);
    let group_key = best_key(&specs.group);
    let mut missing_explicit = Vec::new();
    for (spec, key, flag) in [
        (&specs.id, &id_key, "--id-field"),
        (&specs.name, &name_key, "--name-field"),
        (&specs.group, &group_key, "--group-field"),
    ] {
        if let (Some(name), None) = (spec.explicit_name(), key) {
            missing_explicit.push(format!("{flag} {name:?}"));
        }
    }
    if !missing_explicit.is_empty() {
        let keys: Vec<&str> = raw.records[0]
            .properties
            .keys()
            .map(String::as_str)
            .collect();
        return Err(Error::Layer {
            source_name: source_name.to_owned(),
            message: format!(
                "no feature has the property named by {}",
                missing_explicit.join(", ")
            ),
            hint: format!("the first feature's properties are: {}", keys.join(", ")),
        });
    }
    let use_feature_id = id_key.is_none() && raw.records.iter().any(|r| r.feature_id.is_some());

    let converted: Vec<(Option<Area>, Vec<FeatureIssue>)> = raw
        .records
        .into_par_iter()
        .map(|record| {
            convert_area(
                record,
                id_key.as_deref(),
                use_feature_id,
                name_key.as_deref(),
                group_key.as_deref(),
                &crs,
            )
        })
        .collect();
    let mut areas = Vec::with_capacity(converted.len());
    let mut issues = Vec::new();
    for (area, mut found) in converted {
        issues.append(&mut found);
        areas.extend(area);
    }
    let mut first_with_id: HashMap<&str, usize> = HashMap::new();
    for area in &areas {
        if let Some(first) = first_with_id.insert(&area.id, area.index) {
            issues.push(FeatureIssue::warning(
                IssueCode::DuplicateId,
                area.index,
                Some(&area.id),
                format!("area id also used by feature {first}"),
            ));
        }
    }
    let warnings = settle(source_name, issues, skip_invalid)?;
    if areas.is_empty() {
        return Err(Error::Layer {
            source_name: source_name.to_owned(),
            message: "no usable areas remain".into(),
            hint: "every feature was skipped; see the warnings above".into(),
        });
    }
    let id_field = match (&id_key, use_feature_id) {
        (Some(k), _) => Some(k.clone()),
        (None, true) => Some("(feature id)".to_owned()),
        (None, false) => Some("(feature index)".to_owned()),
    };
    Ok(AreaLayer {
        info: LayerInfo {
            path: source_name.to_owned(),
            format: "geojson",
            features_read,
            features_used: areas.len(),
            crs: crs.label(),
            wgs84_unconfirmed: wgs84_unconfirmed(&crs),
            fields: FieldsUsed {
                id: id_field,
                name: name_key,
                group: group_key,
                ..FieldsUsed::default()
            },
        },
        areas,
        warnings,
    })
}

fn text_property(
    record: &RawArea,
    key: Option<&str>,
    issues: &mut Vec<FeatureIssue>,
) -> Option<String> {
    let value = record.properties.get(key?)?;
    match Scalar::from_json(value).to_text() {
        Ok(text) => text,
        Err(why) => {
            issues.push(FeatureIssue::warning(
                IssueCode::BadField,
                record.index,
                None,
                format!("property {:?} {why}; ignored", key.unwrap_or_default()),
            ));
            None
        }
    }
}

fn convert_area(
    record: RawArea,
    id_key: Option<&str>,
    use_feature_id: bool,
    name_key: Option<&str>,
    group_key: Option<&str>,
    crs: &LayerCrs,
) -> (Option<Area>, Vec<FeatureIssue>) {
    let mut issues = Vec::new();
    let index = record.index;
    let mut id = text_property(&record, id_key, &mut issues);
    if id.is_none() && use_feature_id {
        id = record
            .feature_id
            .as_ref()
            .and_then(|s| s.to_text().ok().flatten());
    }
    let id = id.unwrap_or_else(|| format!("#{index}"));
    let name = text_property(&record, name_key, &mut issues);
    let group = text_property(&record, group_key, &mut issues);
    for issue in &mut issues {
        issue.id = Some(id.clone());
    }
    let problem = |code, message: String| FeatureIssue::error(code, index, Some(&id), message);

    let (polygons, single_polygon) = match record.geometry {
        RawAreaGeometry::Polygon(rings) => (vec![rings], true),
        RawAreaGeometry::MultiPolygon(polys) => (polys, false),
        RawAreaGeometry::Null => {
            issues.push(problem(
                IssueCode::NullGeometry,
                "geometry is null or missing".into(),
            ));
            return (None, issues);
        }
        RawAreaGeometry::WrongType(kind) => {
            issues.push(problem(
                IssueCode::GeometryType,
                format!("geometry is a {kind}; areas must be Polygon or MultiPolygon"),
            ));
            return (None, issues);
        }
        RawAreaGeometry::Malformed(why) => {
            issues.push(problem(IssueCode::BadCoordinates, why));
            return (None, issues);
        }
    };
    if polygons.is_empty() || polygons.iter().all(Vec::is_empty) {
        issues.push(problem(
            IssueCode::EmptyGeometry,
            "geometry has no coordinates".into(),
        ));
        return (None, issues);
    }
    let mut fatal = false;
    let mut converted = Vec::with_capacity(polygons.len());
    for (p, rings) in polygons.into_iter().enumerate() {
        let mut line_strings = Vec::with_capacity(rings.len());
        for (r, ring) in rings.into_iter().enumerate() {
            let place = if single_polygon {
                format!("ring {r}")
            } else {
                format!("polygon {p} ring {r}")
            };
            match convert_ring(ring, crs) {
                Ok((line, closed_by_us)) => {
                    if closed_by_us {
                        issues.push(FeatureIssue::warning(
                            IssueCode::UnclosedRing,
                            index,
                            Some(&id),
                            format!("{place} was not closed"),
                        ));
                    }
                    line_strings.push(line);
                }
                Err((code, why)) => {
                    issues.push(problem(code, format!("{place}: {why}")));
                    fatal = true;
                }
            }
        }
        if !fatal && !line_strings.is_empty() {
            let exterior = line_strings.remove(0);
            converted.push(Polygon::new(exterior, line_strings));
        }
    }
    if fatal {
        return (None, issues);
    }
    let geometry = MultiPolygon::new(converted);
    if let Err(why) = crate::validity::check(&geometry) {
        issues.push(FeatureIssue::warning(
            IssueCode::InvalidGeometry,
            index,
            Some(&id),
            format!("invalid geometry: {why}"),
        ));
    }
    let area = Area {
        index,
        id,
        name,
        group,
        geometry,
        single_polygon,
        properties: record.properties,
    };
    (Some(area), issues)
}

/// Checks one ring and converts it to WGS84; returns it closed, and
/// whether closing was needed.
fn convert_ring(
    ring: Vec<Position>,
    crs: &LayerCrs,
) -> Result<(LineString<f64>, bool), (IssueCode, String)> {
    let mut coords = ring
        .iter()
        .map(|&(x, y)| crs.position(x, y))
        .collect::<Result<Vec<Coord<f64>>, String>>()
        .map_err(|why| (IssueCode::CoordinateOutOfRange, why))?;
    // Closedness is judged on the positions as written; the converted first
    // position is repeated, so the ring closes exactly.
    let closed_by_us = match (ring.first(), ring.last(), coords.first()) {
        (Some(first), Some(last), Some(&c)) if first != last => {
            coords.push(c);
            true
        }
        _ => false,
    };
    if coords.len() < 4 {
        return Err((
            IssueCode::RingTooShort,
            format!(
                "has {} positions; a ring needs at least 4",
                coords.len() - usize::from(closed_by_us)
            ),
        ));
    }
    Ok((LineString::new(coords), closed_by_us))
}

// ------------------------------------------------------------- stations --

/// Station records converted per parallel task.
const STATION_CHUNK: usize = 1 << 16;

/// Validates and converts a station layer. `format` is `geojson` or `csv`.
pub fn stations(
    raw: RawLayer<RawStation>,
    source_name: &str,
    format: &'static str,
    specs: (&FieldSpec, &FieldSpec),
    skip_invalid: bool,
    crs: Option<&Crs>,
) -> Result<StationLayer> {
    let crs = layer_crs(
        crs,
        raw.declared_crs.as_deref(),
        "--stations-crs",
        source_name,
    )?;
    let (id_spec, power_spec) = specs;
    let features_read = raw.records.len();
    let id_rank = chosen_rank(raw.records.iter().map(|r| r.id.as_ref().map(|v| v.0)));
    let power_rank = chosen_rank(raw.records.iter().map(|r| r.power.as_ref().map(|v| v.0)));
    let use_feature_id = id_rank.is_none() && raw.records.iter().any(|r| r.feature_id.is_some());
    let position = if format == "csv" {
        IssuePosition::CsvRow
    } else {
        IssuePosition::Feature
    };

    // Records are converted in parallel, in chunks, and put back in order.
    let chunks: Vec<(Vec<Station>, Vec<FeatureIssue>)> = raw
        .records
        .par_chunks(STATION_CHUNK)
        .map(|records| {
            let mut stations = Vec::with_capacity(records.len());
            let mut issues = Vec::new();
            for record in records {
                let index = record.index;
                let mut push = |issue: FeatureIssue| {
                    issues.push(match position {
                        IssuePosition::CsvRow => issue.in_csv(),
                        IssuePosition::Feature => issue,
                    })
                };
                let id_value = match (&record.id, use_feature_id) {
                    (Some((rank, value)), _) if Some(*rank) == id_rank => Some(value),
                    (_, true) => record.feature_id.as_ref(),
                    _ => None,
                };
                let id: Option<Box<str>> = match id_value.map(Scalar::to_text) {
                    Some(Ok(text)) => text.map(String::into_boxed_str),
                    Some(Err(why)) => {
                        push(FeatureIssue::warning(
                            IssueCode::BadField,
                            index,
                            None,
                            format!("id {why}; ignored"),
                        ));
                        None
                    }
                    None => None,
                };
                let id_ref = id.as_deref();
                let location = match &record.geometry {
                    &RawPoint::Point(x, y) => match crs.position(x, y) {
                        Ok(c) => Some(c),
                        Err(why) => {
                            push(FeatureIssue::error(
                                IssueCode::CoordinateOutOfRange,
                                index,
                                id_ref,
                                why,
                            ));
                            None
                        }
                    },
                    RawPoint::Null => {
                        push(FeatureIssue::error(
                            IssueCode::NullGeometry,
                            index,
                            id_ref,
                            "geometry is null or missing".into(),
                        ));
                        None
                    }
                    RawPoint::Empty => {
                        push(FeatureIssue::error(
                            IssueCode::EmptyGeometry,
                            index,
                            id_ref,
                            "Point has no coordinates".into(),
                        ));
                        None
                    }
                    RawPoint::WrongType(kind) => {
                        push(FeatureIssue::error(
                            IssueCode::GeometryType,
                            index,
                            id_ref,
                            format!("geometry is a {kind}; stations must be Points"),
                        ));
                        None
                    }
                    RawPoint::Malformed(why) => {
                        push(FeatureIssue::error(
                            IssueCode::BadCoordinates,
                            index,
                            id_ref,
                            why.clone(),
                        ));
                        None
                    }
                };
                let power_value = match &record.power {
                    Some((rank, value)) if Some(*rank) == power_rank => Some(value),
                    _ => None,
                };
                let power_kw = match power_value.map(Scalar::to_power_kw) {
                    None => None,
                    Some(Ok(kw)) => kw,
                    Some(Err(why)) => {
                        push(FeatureIssue::warning(
                            IssueCode::PowerUnparsed,
                            index,
                            id_ref,
                            why,
                        ));
                        None
                    }
                };
                if let Some(location) = location {
                    stations.push(Station {
                        index,
                        id,
                        location,
                        power_kw,
                    });
                }
            }
            (stations, issues)
        })
        .collect();
    let mut stations = Vec::with_capacity(chunks.iter().map(|c| c.0.len()).sum());
    let mut issues = Vec::new();
    for (mut s, mut i) in chunks {
        stations.append(&mut s);
        issues.append(&mut i);
    }

    // Stations at exactly the same place: sorted by coordinates (in
    // parallel), each run of equal ones points at its first record.
    let mut order: Vec<u32> = (0..stations.len() as u32).collect();
    let key = |i: u32| {
        let s = &stations[i as usize];
        (s.location.x.to_bits(), s.location.y.to_bits(), s.index)
    };
    order.par_sort_unstable_by_key(|&i| key(i));
    for run in order.chunk_by(|&a, &b| key(a).0 == key(b).0 && key(a).1 == key(b).1) {
        let first = stations[run[0] as usize].index;
        for &i in &run[1..] {
            let s = &stations[i as usize];
            let issue = FeatureIssue::warning(
                IssueCode::DuplicateLocation,
                s.index,
                s.id.as_deref(),
                format!("same location as record {first}"),
            );
            issues.push(match position {
                IssuePosition::CsvRow => issue.in_csv(),
                IssuePosition::Feature => issue,
            });
        }
    }

    let warnings = settle(source_name, issues, skip_invalid)?;
    if stations.is_empty() {
        return Err(Error::Layer {
            source_name: source_name.to_owned(),
            message: "no usable stations remain".into(),
            hint: "every record was skipped; see the warnings above".into(),
        });
    }
    let field_name = |rank: Option<u8>, spec: &FieldSpec, named: &Option<String>| {
        named
            .clone()
            .or_else(|| spec.name_at(rank?).map(str::to_owned))
    };
    let mut id_field = field_name(id_rank, id_spec, &raw.id_field);
    if id_field.is_none() && use_feature_id {
        id_field = Some("(feature id)".to_owned());
    }
    let (lon, lat) = raw.lon_lat_columns.unzip();
    Ok(StationLayer {
        info: LayerInfo {
            path: source_name.to_owned(),
            format,
            features_read,
            features_used: stations.len(),
            crs: crs.label(),
            wgs84_unconfirmed: wgs84_unconfirmed(&crs),
            fields: FieldsUsed {
                id: id_field,
                power: field_name(power_rank, power_spec, &raw.power_field),
                lon,
                lat,
                ..FieldsUsed::default()
            },
        },
        stations,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_are_closed_and_checked() {
        let wgs84 = LayerCrs::choose(None, None, "--areas-crs").unwrap();
        let (line, closed) =
            convert_ring(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)], &wgs84).unwrap();
        assert!(closed);
        assert_eq!(line.0.len(), 4);
        let err = convert_ring(vec![(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)], &wgs84).unwrap_err();
        assert_eq!(err.0, IssueCode::RingTooShort);
    }
}
