//! The area layer: polygons checked and converted to WGS84, ids, names
//! and groups read from the layer-wide chosen properties.

use std::collections::HashMap;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;

use crate::crs::{Crs, LayerCrs};
use crate::error::{Error, FieldRole, Layer, Result};
use crate::fields::{AreaFieldSpecs, FieldSpec, chosen_rank};
use crate::input::raw::{Position, RawFeature, RawGeometry, RawLayer, Scalar};
use crate::issues::{FeatureIssue, IssueCode};
use crate::model::{Area, AreaLayer, FieldsUsed, LayerInfo};
use crate::normalise::{layer_crs, settle, wgs84_unconfirmed};

/// Validates and converts an area layer.
pub fn areas(
    raw: RawLayer<RawFeature>,
    source_name: &str,
    specs: &AreaFieldSpecs,
    skip_invalid: bool,
    crs: Option<&Crs>,
) -> Result<AreaLayer> {
    let crs = layer_crs(
        crs,
        raw.meta.declared_crs.as_deref(),
        Layer::Areas,
        source_name,
    )?;
    let features_read = raw.records.len();
    let raw_format = raw.meta.format;

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
    let mut missing = Vec::new();
    for (spec, key, role) in [
        (&specs.id, &id_key, FieldRole::Id),
        (&specs.name, &name_key, FieldRole::Name),
        (&specs.group, &group_key, FieldRole::Group),
    ] {
        if let (Some(name), None) = (spec.explicit_name(), key) {
            missing.push((role, name.to_owned()));
        }
    }
    if !missing.is_empty() {
        return Err(Error::MissingFields {
            source_name: source_name.to_owned(),
            layer: Layer::Areas,
            missing,
            available: raw.records[0].properties.keys().cloned().collect(),
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
    if raw_format.is_table() {
        issues = issues.into_iter().map(FeatureIssue::in_csv).collect();
    }
    let warnings = settle(source_name, Layer::Areas, issues, skip_invalid)?;
    if areas.is_empty() {
        return Err(Error::NoUsableFeatures {
            source_name: source_name.to_owned(),
            layer: Layer::Areas,
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
            format: raw_format.name(),
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
            columns: Vec::new(),
            filters: Vec::new(),
            pools: None,
        },
        areas,
        warnings,
    })
}

fn text_property(
    record: &RawFeature,
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
    record: RawFeature,
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
        RawGeometry::Polygon(rings) => (vec![rings], true),
        RawGeometry::MultiPolygon(polys) => (polys, false),
        RawGeometry::Null => {
            issues.push(problem(
                IssueCode::NullGeometry,
                "geometry is null or missing".into(),
            ));
            return (None, issues);
        }
        other @ (RawGeometry::WrongType(_)
        | RawGeometry::LineString(_)
        | RawGeometry::MultiLineString(_)) => {
            let kind = other.type_name();
            let curves = if crate::input::wkb_type::is_curved(kind) {
                "; chargecov does not linearise curves or surfaces: convert them first (e.g. ogr2ogr -nlt CONVERT_TO_LINEAR)"
            } else {
                ""
            };
            issues.push(problem(
                IssueCode::GeometryType,
                format!("geometry is a {kind}; areas must be Polygon or MultiPolygon{curves}"),
            ));
            return (None, issues);
        }
        RawGeometry::Malformed(why) => {
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
    let mut snapped = 0;
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
                Ok(ConvertedRing {
                    line,
                    closed_by_us,
                    snapped: n,
                }) => {
                    snapped += n;
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
    if snapped > 0 {
        issues.push(FeatureIssue::warning(
            IssueCode::CoordinateSnapped,
            index,
            Some(&id),
            format!(
                "{snapped} position{} within {:e}° beyond ±180° or ±90° taken as the limit",
                if snapped == 1 { "" } else { "s" },
                crate::crs::LIMIT_NOISE_DEG
            ),
        ));
    }
    let geometry = MultiPolygon::new(converted);
    // Edges are straight in lon/lat: an edge of more than 180° of
    // longitude is one that meant to cross the antimeridian, and a part
    // wider than 180° cannot be told from its complement. Either would be
    // judged as a band around the world, silently wrong.
    if let Some(why) = antimeridian(&geometry) {
        issues.push(problem(IssueCode::Antimeridian, why));
        return (None, issues);
    }
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
        properties_json: Area::properties_to_json(&record.properties),
    };
    (Some(area), issues)
}

/// Why the area cannot be judged in lon/lat as it is, if it cannot.
fn antimeridian(geometry: &MultiPolygon<f64>) -> Option<String> {
    for (p, polygon) in geometry.0.iter().enumerate() {
        let ring = polygon.exterior();
        let (west, east) = ring
            .0
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(w, e), c| {
                (w.min(c.x), e.max(c.x))
            });
        // An edge longer than 180° needs a part wider than 180°: one pass
        // settles almost every area.
        if east - west <= 180.0 {
            continue;
        }
        if let Some(w) = ring.0.windows(2).find(|w| (w[1].x - w[0].x).abs() > 180.0) {
            return Some(format!(
                "polygon {p} has an edge from longitude {} to {}, which crosses the antimeridian (±180°)",
                w[0].x, w[1].x
            ));
        }
        return Some(format!(
            "polygon {p} spans {:.1}° of longitude (from {west} to {east}); more than 180° is ambiguous",
            east - west
        ));
    }
    None
}

/// A ring checked and converted to WGS84, closed.
#[derive(Debug)]
struct ConvertedRing {
    line: LineString<f64>,
    /// Whether closing it was needed.
    closed_by_us: bool,
    /// Positions a float's noise beyond ±180°/±90°, taken as the limit.
    snapped: usize,
}

/// Checks one ring and converts it to WGS84.
fn convert_ring(ring: Vec<Position>, crs: &LayerCrs) -> Result<ConvertedRing, (IssueCode, String)> {
    // Closedness is judged on the positions as written; the converted first
    // position is repeated, so the ring closes exactly.
    let open = ring.first() != ring.last();
    // In lon/lat as written, the only change a position can see is a snap
    // to the limits.
    let as_written = crs.transformer.is_identity();
    let mut snapped = 0;
    let mut ring = ring;
    for p in &mut ring {
        let c = crs
            .position(p.0, p.1)
            .map_err(|why| (IssueCode::CoordinateOutOfRange, why))?;
        if as_written && (c.x != p.0 || c.y != p.1) {
            snapped += 1;
        }
        *p = (c.x, c.y);
    }
    // Same layout, so this reuses the allocation.
    let mut coords: Vec<Coord<f64>> = ring.into_iter().map(|(x, y)| Coord { x, y }).collect();
    let closed_by_us = match coords.first() {
        Some(&c) if open => {
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
    Ok(ConvertedRing {
        line: LineString::new(coords),
        closed_by_us,
        snapped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_are_closed_and_checked() {
        let wgs84 = LayerCrs::choose(None, None, Layer::Areas).unwrap();
        let ring = convert_ring(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)], &wgs84).unwrap();
        assert!(ring.closed_by_us);
        assert_eq!(ring.line.0.len(), 4);
        let err = convert_ring(vec![(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)], &wgs84).unwrap_err();
        assert_eq!(err.0, IssueCode::RingTooShort);
    }

    /// Natural Earth's 180.00000000000006 (two doubles after 180) is 180
    /// and counted; 1e-9° is the most noise taken; 180.0000001 (1e-7°
    /// beyond) is a real excursion and refused.
    #[test]
    fn float_noise_beyond_the_limits_is_the_limit() {
        let wgs84 = LayerCrs::choose(None, None, Layer::Areas).unwrap();
        // Two units in the last place above 180 (ulp 2.8e-14 there).
        let noisy = 180.00000000000006_f64;
        assert_eq!(noisy, 180.0_f64.next_up().next_up());
        let ring = convert_ring(
            vec![
                (179.0, -90.0 - 1e-9),
                (noisy, 0.0),
                (179.0, 1.0),
                (179.0, -90.0 - 1e-9),
            ],
            &wgs84,
        )
        .unwrap();
        assert_eq!(ring.snapped, 3);
        assert_eq!(ring.line.0[0].y, -90.0);
        assert_eq!(ring.line.0[1].x, 180.0);
        let err = convert_ring(
            vec![(179.0, 0.0), (180.0000001, 0.0), (179.0, 1.0), (179.0, 0.0)],
            &wgs84,
        )
        .unwrap_err();
        assert_eq!(err.0, IssueCode::CoordinateOutOfRange);
    }
}
