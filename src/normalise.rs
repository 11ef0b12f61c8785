//! Turns records as read into checked model data: coordinates in range,
//! rings closed, ids and powers read, each problem reported with the
//! feature's index and id. Fatal problems are collected, not stopped at,
//! so one run shows the user everything there is to fix.

use std::collections::HashMap;

use geo::{Coord, LineString, MultiPolygon, Polygon, Validation};
use rayon::prelude::*;

use crate::crs;
use crate::error::{Error, Result};
use crate::fields::{FieldSpec, chosen_rank, defaults};
use crate::io::raw::{Position, RawArea, RawAreaGeometry, RawLayer, RawPoint, RawStation, Scalar};
use crate::issues::{FeatureIssue, IssueCode, Position as IssuePosition};
use crate::model::{Area, AreaLayer, FieldsUsed, LayerInfo, Station, StationLayer};
use crate::power::parse_power_kw;

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

/// Checks a lon/lat position; the message says what the numbers look like.
pub fn check_position(x: f64, y: f64) -> Result<(), String> {
    if !x.is_finite() || !y.is_finite() {
        return Err(format!("coordinate [{x}, {y}] is not a finite number"));
    }
    if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) {
        return Ok(());
    }
    let range = if (-180.0..=180.0).contains(&x) {
        format!("latitude {y} is outside ±90")
    } else {
        format!("longitude {x} is outside ±180")
    };
    let guess = if x.abs() > 1000.0 || y.abs() > 1000.0 {
        "; the values look like projected metres, not degrees"
    } else if (-90.0..=90.0).contains(&x) && (-180.0..=180.0).contains(&y) {
        "; longitude and latitude look swapped"
    } else {
        ""
    };
    Err(format!("coordinate [{x}, {y}]: {range}{guess}"))
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

// ---------------------------------------------------------------- areas --

/// Validates and converts an area layer.
pub fn areas(
    raw: RawLayer<RawArea>,
    source_name: &str,
    specs: &AreaFieldSpecs,
    skip_invalid: bool,
) -> Result<AreaLayer> {
    let crs = crs::from_declared(raw.declared_crs.as_deref(), source_name)?;
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
            crs: crs.name().to_owned(),
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
            match convert_ring(ring) {
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
    if let Err(why) = geometry.check_validation() {
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

/// Checks one ring; returns it closed, and whether closing was needed.
fn convert_ring(mut ring: Vec<Position>) -> Result<(LineString<f64>, bool), (IssueCode, String)> {
    for &(x, y) in &ring {
        check_position(x, y).map_err(|why| (IssueCode::CoordinateOutOfRange, why))?;
    }
    let closed_by_us = match (ring.first(), ring.last()) {
        (Some(first), Some(last)) if first != last => {
            ring.push(*first);
            true
        }
        _ => false,
    };
    if ring.len() < 4 {
        return Err((
            IssueCode::RingTooShort,
            format!(
                "has {} positions; a ring needs at least 4",
                ring.len() - usize::from(closed_by_us)
            ),
        ));
    }
    let coords = ring.into_iter().map(|(x, y)| Coord { x, y }).collect();
    Ok((LineString::new(coords), closed_by_us))
}

// ------------------------------------------------------------- stations --

/// Validates and converts a station layer. `format` is `geojson` or `csv`.
pub fn stations(
    raw: RawLayer<RawStation>,
    source_name: &str,
    format: &'static str,
    specs: (&FieldSpec, &FieldSpec),
    skip_invalid: bool,
) -> Result<StationLayer> {
    let crs = crs::from_declared(raw.declared_crs.as_deref(), source_name)?;
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

    let mut stations = Vec::with_capacity(raw.records.len());
    let mut issues = Vec::new();
    for record in raw.records {
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
        let location = match record.geometry {
            RawPoint::Point(x, y) => match check_position(x, y) {
                Ok(()) => Some(Coord { x, y }),
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
                    why,
                ));
                None
            }
        };
        let power_value = match &record.power {
            Some((rank, value)) if Some(*rank) == power_rank => Some(value),
            _ => None,
        };
        let power_kw = match power_value {
            None | Some(Scalar::Null) => None,
            Some(Scalar::Int(i)) => Some(*i as f64),
            Some(Scalar::UInt(u)) => Some(*u as f64),
            Some(Scalar::Float(f)) => Some(*f),
            Some(Scalar::Str(text)) => match parse_power_kw(text) {
                Ok(kw) => kw,
                Err(e) => {
                    push(FeatureIssue::warning(
                        IssueCode::PowerUnparsed,
                        index,
                        id_ref,
                        e.to_string(),
                    ));
                    None
                }
            },
            Some(Scalar::Bool(_) | Scalar::Compound) => {
                push(FeatureIssue::warning(
                    IssueCode::PowerUnparsed,
                    index,
                    id_ref,
                    "power is not a number or text".into(),
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

    let mut first_at: HashMap<(u64, u64), usize> = HashMap::with_capacity(stations.len());
    for s in &stations {
        let key = (s.location.x.to_bits(), s.location.y.to_bits());
        let first = *first_at.entry(key).or_insert(s.index);
        if first != s.index {
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
            crs: crs.name().to_owned(),
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
    fn positions_are_explained() {
        assert!(check_position(106.5, 29.5).is_ok());
        assert!(check_position(180.0, -90.0).is_ok());
        assert!(
            check_position(f64::NAN, 0.0)
                .unwrap_err()
                .contains("finite")
        );
        assert!(
            check_position(1.2e7, 3.4e6)
                .unwrap_err()
                .contains("projected")
        );
        assert!(check_position(29.5, 106.5).unwrap_err().contains("swapped"));
        assert!(
            check_position(1e308, 0.0)
                .unwrap_err()
                .contains("projected")
        );
        assert!(
            check_position(200.0, 100.0)
                .unwrap_err()
                .contains("outside")
        );
    }

    #[test]
    fn rings_are_closed_and_checked() {
        let (line, closed) = convert_ring(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]).unwrap();
        assert!(closed);
        assert_eq!(line.0.len(), 4);
        let err = convert_ring(vec![(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)]).unwrap_err();
        assert_eq!(err.0, IssueCode::RingTooShort);
    }
}
