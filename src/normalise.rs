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
use crate::issues::{FeatureIssue, IssueCode};
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
        properties_json: Area::properties_to_json(&record.properties),
    };
    (Some(area), issues)
}

/// Checks one ring and converts it to WGS84; returns it closed, and
/// whether closing was needed.
fn convert_ring(
    ring: Vec<Position>,
    crs: &LayerCrs,
) -> Result<(LineString<f64>, bool), (IssueCode, String)> {
    // Closedness is judged on the positions as written; the converted first
    // position is repeated, so the ring closes exactly.
    let open = ring.first() != ring.last();
    let mut ring = ring;
    for p in &mut ring {
        let c = crs
            .position(p.0, p.1)
            .map_err(|why| (IssueCode::CoordinateOutOfRange, why))?;
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
    Ok((LineString::new(coords), closed_by_us))
}

// ------------------------------------------------------------- stations --
//
// Stations are converted in batches as they are read (in parallel, and
// before the whole layer has been seen), then settled once at the end:
// which property is the id and which the power is a choice over the whole
// layer (the best-ranked key present anywhere), and the coordinate system
// may be declared after the features. So each converted station keeps the
// rank of the id and power it has, its position as written, and issues
// that depend on those choices say so; `finish_stations` applies them.

/// Station records converted per parallel task (for layers read whole).
pub const STATION_CHUNK: usize = 1 << 16;

/// The id came from the Feature's own `id` member, not a property.
const FEATURE_ID_TAG: u8 = 254;
/// No id or power value.
const NO_TAG: u8 = 255;

/// When an issue is to be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depends {
    Always,
    /// Only if the layer's id turns out to be read from this tag.
    IdTag(u8),
    /// Only if the layer's power turns out to be read from this rank.
    PowerTag(u8),
}

#[derive(Debug, Clone)]
struct TaggedIssue {
    issue: FeatureIssue,
    /// The tag of the id the issue names, which is dropped unless chosen.
    id_tag: u8,
    depends: Depends,
}

/// Stations converted from a run of records, not yet settled.
#[derive(Debug, Default)]
pub struct StationBatch {
    /// Locations are as written (not yet converted to WGS84).
    stations: Vec<Station>,
    id_tags: Vec<u8>,
    power_tags: Vec<u8>,
    issues: Vec<TaggedIssue>,
    records: usize,
    /// Over every record, usable or not: the best id and power ranks and
    /// whether any has a Feature id.
    best_id_rank: Option<u8>,
    best_power_rank: Option<u8>,
    any_feature_id: bool,
}

impl StationBatch {
    /// Room for `n` more stations. Capacity that is never written to is
    /// never touched, so a generous guess costs address space, not memory.
    pub fn reserve(&mut self, n: usize) {
        self.stations.reserve(n);
        self.id_tags.reserve(n);
        self.power_tags.reserve(n);
    }

    /// Appends the batch that follows this one in the layer.
    pub fn append(&mut self, mut next: StationBatch) {
        self.stations.append(&mut next.stations);
        self.id_tags.append(&mut next.id_tags);
        self.power_tags.append(&mut next.power_tags);
        self.issues.append(&mut next.issues);
        self.records += next.records;
        self.best_id_rank = better_rank(self.best_id_rank, next.best_id_rank);
        self.best_power_rank = better_rank(self.best_power_rank, next.best_power_rank);
        self.any_feature_id |= next.any_feature_id;
    }

    /// Stations kept so far.
    pub fn len(&self) -> usize {
        self.stations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stations.is_empty()
    }
}

/// The better (lower) of two ranks, either of which may be missing.
fn better_rank(best: Option<u8>, rank: Option<u8>) -> Option<u8> {
    match (best, rank) {
        (Some(b), Some(r)) => Some(b.min(r)),
        (b, r) => b.or(r),
    }
}

/// Converts records (of a GeoJSON or CSV layer) as far as can be done
/// before the whole layer is known.
pub fn convert_stations(records: impl IntoIterator<Item = RawStation>) -> StationBatch {
    let records = records.into_iter();
    let mut out = StationBatch::default();
    // Sized once: most records become stations.
    out.reserve(records.size_hint().0);
    for record in records {
        out.records += 1;
        let index = record.index;
        out.best_id_rank = better_rank(out.best_id_rank, record.id.as_ref().map(|v| v.0));
        out.best_power_rank = better_rank(out.best_power_rank, record.power.as_ref().map(|v| v.0));
        out.any_feature_id |= record.feature_id.is_some();
        let (id_tag, id_value) = match (record.id, record.feature_id) {
            (Some((rank, value)), _) => (rank, Some(value)),
            (None, Some(value)) => (FEATURE_ID_TAG, Some(value)),
            (None, None) => (NO_TAG, None),
        };
        let id: Option<Box<str>> = match id_value.map(Scalar::into_text) {
            Some(Ok(text)) => text,
            Some(Err(why)) => {
                out.issues.push(TaggedIssue {
                    issue: FeatureIssue::warning(
                        IssueCode::BadField,
                        index,
                        None,
                        format!("id {why}; ignored"),
                    ),
                    id_tag: NO_TAG,
                    depends: Depends::IdTag(id_tag),
                });
                None
            }
            None => None,
        };
        let fail = |code, message: String| TaggedIssue {
            issue: FeatureIssue::error(code, index, id.as_deref(), message),
            id_tag,
            depends: Depends::Always,
        };
        let location = match record.geometry {
            RawPoint::Point(x, y) => Some(Coord { x, y }),
            RawPoint::Null => {
                let issue = fail(
                    IssueCode::NullGeometry,
                    "geometry is null or missing".into(),
                );
                out.issues.push(issue);
                None
            }
            RawPoint::Empty => {
                let issue = fail(IssueCode::EmptyGeometry, "Point has no coordinates".into());
                out.issues.push(issue);
                None
            }
            RawPoint::WrongType(kind) => {
                let issue = fail(
                    IssueCode::GeometryType,
                    format!("geometry is a {kind}; stations must be Points"),
                );
                out.issues.push(issue);
                None
            }
            RawPoint::Malformed(why) => {
                let issue = fail(IssueCode::BadCoordinates, why);
                out.issues.push(issue);
                None
            }
        };
        let (power_tag, power_kw) = match record.power {
            None => (NO_TAG, None),
            Some((rank, value)) => match value.to_power_kw() {
                Ok(kw) => (rank, kw),
                Err(why) => {
                    out.issues.push(TaggedIssue {
                        issue: FeatureIssue::warning(
                            IssueCode::PowerUnparsed,
                            index,
                            id.as_deref(),
                            why,
                        ),
                        id_tag,
                        depends: Depends::PowerTag(rank),
                    });
                    (rank, None)
                }
            },
        };
        if let Some(location) = location {
            // Layers of more records than a u32 counts are refused in
            // `finish_stations`.
            out.stations
                .push(Station::new(index as u32, id, location, power_kw));
            out.id_tags.push(id_tag);
            out.power_tags.push(power_tag);
        }
    }
    out
}

/// What a station layer's reader learnt besides its records.
#[derive(Debug, Clone, Default)]
pub struct StationLayerMeta {
    pub declared_crs: Option<String>,
    /// For CSV: the header names chosen for lon and lat, id and power.
    pub lon_lat_columns: Option<(String, String)>,
    pub id_field: Option<String>,
    pub power_field: Option<String>,
}

/// Validates and converts a station layer read whole. `format` is
/// `geojson` or `csv`.
pub fn stations(
    raw: RawLayer<RawStation>,
    source_name: &str,
    format: &'static str,
    specs: (&FieldSpec, &FieldSpec),
    skip_invalid: bool,
    crs: Option<&Crs>,
) -> Result<StationLayer> {
    let meta = StationLayerMeta {
        declared_crs: raw.declared_crs,
        lon_lat_columns: raw.lon_lat_columns,
        id_field: raw.id_field,
        power_field: raw.power_field,
    };
    let mut records = raw.records.into_iter();
    let mut batches = Vec::new();
    loop {
        let chunk: Vec<RawStation> = records.by_ref().take(STATION_CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        batches.push(chunk);
    }
    let batches: Vec<StationBatch> = batches.into_par_iter().map(convert_stations).collect();
    let mut layer = StationBatch::default();
    layer.reserve(batches.iter().map(StationBatch::len).sum());
    for batch in batches {
        layer.append(batch);
    }
    finish_stations(layer, meta, source_name, format, specs, skip_invalid, crs)
}

/// Positions of stations at exactly the same place, in groups of two or
/// more, each in layer order. Sorted (in parallel) by `hash` of the
/// coordinates kept beside each position, so that the sort reads no
/// records; within a run of equal hashes, by the coordinates themselves.
fn same_location_groups(
    stations: &[Station],
    hash: impl Fn((u64, u64)) -> u64 + Sync,
) -> Vec<Vec<u32>> {
    let bits = |i: u32| {
        let c = stations[i as usize].location;
        (c.x.to_bits(), c.y.to_bits())
    };
    let mut keyed: Vec<(u64, u32)> = (0..stations.len() as u32)
        .into_par_iter()
        .map(|i| (hash(bits(i)), i))
        .collect();
    keyed.par_sort_unstable();
    let mut groups = Vec::new();
    for run in keyed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        let mut same_hash: Vec<u32> = run.iter().map(|k| k.1).collect();
        same_hash.sort_unstable_by_key(|&i| (bits(i), i));
        groups.extend(
            same_hash
                .chunk_by(|&a, &b| bits(a) == bits(b))
                .filter(|group| group.len() > 1)
                .map(<[u32]>::to_vec),
        );
    }
    groups
}

/// A well-mixed hash of a location's bit patterns (equal locations, equal
/// hashes; the converse is checked).
fn location_hash((x, y): (u64, u64)) -> u64 {
    let mut h = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ y.rotate_left(31);
    h = (h ^ (h >> 33)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^ (h >> 33)
}

/// Settles the converted records (batches appended in layer order) into
/// the layer: the id and power keys chosen over the whole layer, positions
/// checked and converted to WGS84, duplicates found, issues settled.
pub fn finish_stations(
    layer: StationBatch,
    meta: StationLayerMeta,
    source_name: &str,
    format: &'static str,
    specs: (&FieldSpec, &FieldSpec),
    skip_invalid: bool,
    crs: Option<&Crs>,
) -> Result<StationLayer> {
    let crs = layer_crs(
        crs,
        meta.declared_crs.as_deref(),
        "--stations-crs",
        source_name,
    )?;
    let (id_spec, power_spec) = specs;
    let StationBatch {
        mut stations,
        id_tags,
        power_tags,
        issues: tagged_issues,
        records: features_read,
        best_id_rank: id_rank,
        best_power_rank: power_rank,
        any_feature_id,
    } = layer;
    if features_read > u32::MAX as usize + 1 {
        return Err(Error::Layer {
            source_name: source_name.to_owned(),
            message: format!("has {features_read} records, more than chargecov can number"),
            hint: "split the layer into parts of at most 4,294,967,296 records".into(),
        });
    }
    let use_feature_id = id_rank.is_none() && any_feature_id;
    let id_tag = match (id_rank, use_feature_id) {
        (Some(rank), _) => rank,
        (None, true) => FEATURE_ID_TAG,
        (None, false) => NO_TAG,
    };
    let power_tag = power_rank.unwrap_or(NO_TAG);
    let in_csv = format == "csv";
    let place = |issue: FeatureIssue| if in_csv { issue.in_csv() } else { issue };

    let mut issues = Vec::new();
    for mut tagged in tagged_issues {
        let keep = match tagged.depends {
            Depends::Always => true,
            Depends::IdTag(t) => t == id_tag,
            Depends::PowerTag(t) => t == power_tag,
        };
        if keep {
            if tagged.id_tag != id_tag {
                tagged.issue.id = None;
            }
            issues.push(place(tagged.issue));
        }
    }
    // Values read under a key the layer as a whole did not choose are
    // dropped, in place.
    stations
        .par_iter_mut()
        .zip(id_tags.par_iter().zip(power_tags.par_iter()))
        .for_each(|(s, (&it, &pt))| {
            if it != id_tag {
                s.id = None;
            }
            if pt != power_tag {
                s.clear_power();
            }
        });
    drop((id_tags, power_tags));

    // Positions: checked against the layer's CRS and converted, in parallel.
    let failed: Vec<FeatureIssue> = stations
        .par_iter_mut()
        .filter_map(|s| match crs.position(s.location.x, s.location.y) {
            Ok(c) => {
                s.location = c;
                None
            }
            Err(why) => {
                s.location = Coord {
                    x: f64::NAN,
                    y: f64::NAN,
                };
                Some(place(FeatureIssue::error(
                    IssueCode::CoordinateOutOfRange,
                    s.index as usize,
                    s.id.as_deref(),
                    why,
                )))
            }
        })
        .collect();
    if !failed.is_empty() {
        stations.retain(|s| !s.location.x.is_nan());
        issues.extend(failed);
    }

    for group in same_location_groups(&stations, location_hash) {
        let first = stations[group[0] as usize].index;
        for &i in &group[1..] {
            let s = &stations[i as usize];
            issues.push(place(FeatureIssue::warning(
                IssueCode::DuplicateLocation,
                s.index as usize,
                s.id.as_deref(),
                format!("same location as record {first}"),
            )));
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
    let mut id_field = field_name(id_rank, id_spec, &meta.id_field);
    if id_field.is_none() && use_feature_id {
        id_field = Some("(feature id)".to_owned());
    }
    let (lon, lat) = meta.lon_lat_columns.unzip();
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
                power: field_name(power_rank, power_spec, &meta.power_field),
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

    proptest::proptest! {
        /// Duplicate groups are the same whatever the hash: with the real
        /// one, and with one under which every location collides; and each
        /// is what a brute-force comparison of all pairs finds.
        #[test]
        fn same_location_groups_whatever_the_hash(
            points in proptest::collection::vec((0i32..6, 0i32..6, proptest::bool::ANY), 0..80),
        ) {
            let stations: Vec<Station> = points
                .iter()
                .enumerate()
                .map(|(i, &(x, y, negative_zero))| {
                    // -0.0 and 0.0 are different bit patterns, as in the file.
                    let x = if x == 0 && negative_zero { -0.0 } else { f64::from(x) * 0.5 };
                    Station::new(i as u32, None, Coord { x, y: f64::from(y) }, None)
                })
                .collect();
            let real = same_location_groups(&stations, location_hash);
            let colliding = same_location_groups(&stations, |_| 7);
            let mut real_sorted = real.clone();
            real_sorted.sort();
            let mut colliding_sorted = colliding;
            colliding_sorted.sort();
            proptest::prop_assert_eq!(&real_sorted, &colliding_sorted);
            let bits = |s: &Station| (s.location.x.to_bits(), s.location.y.to_bits());
            let mut brute: Vec<Vec<u32>> = Vec::new();
            for (i, s) in stations.iter().enumerate() {
                let first = stations.iter().position(|t| bits(t) == bits(s)).unwrap();
                if first == i {
                    let group: Vec<u32> = (i..stations.len())
                        .filter(|&j| bits(&stations[j]) == bits(s))
                        .map(|j| j as u32)
                        .collect();
                    if group.len() > 1 {
                        brute.push(group);
                    }
                }
            }
            brute.sort();
            proptest::prop_assert_eq!(real_sorted, brute);
        }
    }

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
