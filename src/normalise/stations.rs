//! The station layer, converted in batches as it is read (in parallel,
//! and before the whole layer has been seen), then settled once at the end.

use geo::Coord;
use rayon::prelude::*;

use crate::coincident;
use crate::crs::Crs;
use crate::error::{Error, Layer, Result};
use crate::feed::{Captured, Feed};
use crate::fields::{FieldSpec, StationFieldSpecs};
use crate::input::Collect;
use crate::input::raw::{LayerMeta, RawPoint, RawStation, Scalar};
use crate::issues::{FeatureIssue, IssueCode};
use crate::model::{FieldsUsed, FilterCount, LayerInfo, Station, StationLayer, StationPoints};
use crate::normalise::{layer_crs, settle, wgs84_unconfirmed};
use crate::power::PLAUSIBLE_MAX_KW;

// Stations are converted in batches as they are read (in parallel, and
// before the whole layer has been seen), then settled once at the end:
// which property is the id and which the power is a choice over the whole
// layer (the best-ranked key present anywhere), and the coordinate system
// may be declared after the features. So each converted station keeps the
// rank of the id and power it has, its position as written, and issues
// that depend on those choices say so; `finish_stations` applies them.

/// The id came from the Feature's own `id` member, not a property.
const FEATURE_ID_TAG: u8 = 254;
/// No id or power value.
const NO_TAG: u8 = 255;
/// The power came from the feed's power sources (all records alike).
const FEED_POWER_RANK: u8 = 0;

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
    /// Beside each station, when the feed gives points or a site key.
    points: Vec<StationPoints>,
    /// Records each filter removed.
    removed: Vec<usize>,
    /// Bit i: the feed's power source i gave some record a value.
    sources_found: u64,
    /// Bit i: some record had a value for the feed's capture i.
    captures_seen: u64,
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
        self.points.append(&mut next.points);
        self.sources_found |= next.sources_found;
        self.captures_seen |= next.captures_seen;
        if self.removed.len() < next.removed.len() {
            self.removed.resize(next.removed.len(), 0);
        }
        for (total, n) in self.removed.iter_mut().zip(&next.removed) {
            *total += n;
        }
        self.records += next.records;
        self.best_id_rank = better_rank(self.best_id_rank, next.best_id_rank);
        self.best_power_rank = better_rank(self.best_power_rank, next.best_power_rank);
        self.any_feature_id |= next.any_feature_id;
    }

    /// Stations kept so far.
    pub fn len(&self) -> usize {
        self.stations.len()
    }

    /// No station kept so far.
    pub fn is_empty(&self) -> bool {
        self.stations.is_empty()
    }
}

/// A station layer is collected batch by batch, in file order.
impl Collect<StationBatch> for StationBatch {
    fn take(&mut self, batch: StationBatch, expected: usize) {
        if self.is_empty() {
            // A little over the estimate, so that the vectors are not
            // copied to grow near the end.
            self.reserve(expected + expected / 16);
        }
        self.append(batch);
    }
    fn restart(&mut self) {
        *self = StationBatch::default();
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
/// before the whole layer is known: records the feed's filters remove are
/// counted and dropped first; power comes from the feed's sources when it
/// names them.
pub fn convert_stations(records: Vec<RawStation>, feed: &Feed) -> StationBatch {
    let records = records.into_iter();
    let mut out = StationBatch::default();
    // Sized once: most records become stations.
    out.reserve(records.size_hint().0);
    out.removed = vec![0; feed.filters().len()];
    let captures = feed.captures();
    let keep_points = !feed.power().is_empty() || feed.pool_key().is_some();
    for mut record in records {
        out.records += 1;
        let captured = std::mem::take(&mut record.captured);
        for (i, v) in captured.iter().enumerate().take(64) {
            if !v.is_null() {
                out.captures_seen |= 1 << i;
            }
        }
        let get = |k: &crate::feed::KeyPattern| Captured::new(captures, &captured).get(k);
        if let Some(failed) = feed.filters().iter().position(|f| !f.keeps(get)) {
            out.removed[failed] += 1;
            continue;
        }
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
        let mut extra = StationPoints::default();
        if !feed.power().is_empty() {
            let points = crate::feed::power::points(feed.power(), get);
            for why in points.unreadable.iter() {
                out.issues.push(TaggedIssue {
                    issue: FeatureIssue::warning(
                        IssueCode::PowerUnparsed,
                        index,
                        id.as_deref(),
                        why.clone(),
                    ),
                    id_tag,
                    depends: Depends::Always,
                });
            }
            out.sources_found |= points.sources_found;
            record.power = points
                .strongest()
                .map(|kw| (FEED_POWER_RANK, Scalar::Float(kw)));
            extra.kw = points.kw.into();
        }
        if let Some(key) = feed.pool_key() {
            extra.pool_key = key
                .values(get)
                .first()
                .and_then(|v| Scalar::from_json(v).into_text().ok().flatten());
        }
        let (power_tag, power_kw) = match record.power {
            None => (NO_TAG, None),
            Some((rank, value)) => match value.to_power_kw() {
                Ok(Some(kw)) if !(kw > 0.0 && kw <= PLAUSIBLE_MAX_KW) => {
                    let message = if kw > PLAUSIBLE_MAX_KW {
                        format!(
                            "power {kw} kW is above any charger's ({PLAUSIBLE_MAX_KW} kW); in watts it would be {} kW",
                            kw / 1000.0
                        )
                    } else {
                        format!("power {kw} kW is not more than 0")
                    };
                    out.issues.push(TaggedIssue {
                        issue: FeatureIssue::warning(
                            IssueCode::PowerImplausible,
                            index,
                            id.as_deref(),
                            message,
                        ),
                        id_tag,
                        depends: Depends::PowerTag(rank),
                    });
                    (rank, Some(kw))
                }
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
            if keep_points {
                out.points.push(extra);
            }
        }
    }
    if !feed.power().is_empty() {
        // Every record is read through the same sources: one "key".
        out.best_power_rank = Some(FEED_POWER_RANK);
    }
    out
}

/// The properties a filter reads that no record of the layer has (a
/// misspelt name makes every comparison false, or every `not` true).
pub(crate) fn unseen_keys(
    filter: &crate::feed::Filter,
    captures: &[crate::feed::KeyPattern],
    seen: u64,
) -> Vec<String> {
    // A path is read through its whole text or its first name: unseen
    // only when neither was.
    let was_seen = |k: &crate::feed::KeyPattern| {
        captures
            .iter()
            .position(|c| c == k)
            .is_some_and(|i| i >= 64 || seen & (1 << i) != 0)
    };
    let mut out: Vec<String> = Vec::new();
    for path in filter.paths() {
        if !path.keys().iter().any(was_seen) && !out.contains(&path.to_string()) {
            out.push(path.to_string());
        }
    }
    out
}

/// Settles the converted records (batches appended in layer order) into
/// the layer: the id and power keys chosen over the whole layer, positions
/// checked and converted to WGS84, duplicates found, issues settled.
pub fn finish_stations(
    layer: StationBatch,
    meta: LayerMeta,
    source_name: &str,
    specs: &StationFieldSpecs,
    skip_invalid: bool,
    crs: Option<&Crs>,
) -> Result<StationLayer> {
    let crs = layer_crs(
        crs,
        meta.declared_crs.as_deref(),
        Layer::Stations,
        source_name,
    )?;
    let (id_spec, power_spec) = (&specs.id, &specs.power);
    let StationBatch {
        mut stations,
        id_tags,
        power_tags,
        issues: tagged_issues,
        mut points,
        removed,
        sources_found,
        captures_seen,
        records: features_read,
        best_id_rank: id_rank,
        best_power_rank: power_rank,
        any_feature_id,
    } = layer;
    if features_read > u32::MAX as usize + 1 {
        return Err(Error::TooManyRecords {
            source_name: source_name.to_owned(),
            records: features_read,
        });
    }
    let use_feature_id = id_rank.is_none() && any_feature_id;
    let id_tag = match (id_rank, use_feature_id) {
        (Some(rank), _) => rank,
        (None, true) => FEATURE_ID_TAG,
        (None, false) => NO_TAG,
    };
    let power_tag = power_rank.unwrap_or(NO_TAG);
    let in_table = meta.format.is_table();
    let place = |issue: FeatureIssue| if in_table { issue.in_csv() } else { issue };

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
        if !points.is_empty() {
            let mut kept = stations.iter().map(|s| !s.location.x.is_nan());
            points.retain(|_| kept.next().unwrap_or(false));
        }
        stations.retain(|s| !s.location.x.is_nan());
        issues.extend(failed);
    }

    let coincident = coincident::groups(stations.len(), |i| stations[i].location);
    for group in &coincident {
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

    let filters: Vec<FilterCount> = specs
        .feed
        .filters()
        .iter()
        .zip(removed.iter().copied().chain(std::iter::repeat(0)))
        .map(|(f, removed)| FilterCount {
            filter: f.to_string(),
            removed,
            unseen: unseen_keys(f, specs.feed.captures(), captures_seen),
        })
        .collect();
    let warnings = settle(source_name, Layer::Stations, issues, skip_invalid)?;
    if stations.is_empty() && filters.iter().any(|f| f.removed > 0) && features_read > 0 {
        return Err(Error::AllFiltered {
            source_name: source_name.to_owned(),
            removed: filters,
        });
    }
    if stations.is_empty() {
        return Err(Error::NoUsableFeatures {
            source_name: source_name.to_owned(),
            layer: Layer::Stations,
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
            format: meta.format.name(),
            features_read,
            features_used: stations.len(),
            crs: crs.label(),
            wgs84_unconfirmed: wgs84_unconfirmed(&crs),
            fields: FieldsUsed {
                id: id_field,
                power: if specs.feed.power().is_empty() {
                    field_name(power_rank, power_spec, &meta.power_field)
                } else {
                    // The sources that gave any record a value.
                    let names: Vec<String> = specs
                        .feed
                        .power()
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i >= 64 || sources_found & (1 << i) != 0)
                        .map(|(_, s)| s.to_string())
                        .collect();
                    (!names.is_empty()).then(|| names.join(", "))
                },
                lon,
                lat,
                ..FieldsUsed::default()
            },
            columns: meta.fields,
            filters,
            pools: None,
        },
        stations,
        points,
        coincident,
        warnings,
    })
}
