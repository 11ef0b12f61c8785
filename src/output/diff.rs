//! What `chargecov diff` writes: the text summary, the changed areas as
//! a layer, and the CI formats (GitHub annotations, JUnit).

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::diff::{AreaChange, Changed, Diff, DiffReport, StationRef};
use crate::model::Area;
use crate::output::formats::ci::{Annotation, Case, Level, area_label, github, junit};
use crate::units::{km_number, trim_float};

/// Changes shown per list in text (all listed ones are in JSON).
const SHOWN: usize = 20;

fn kw(v: Option<f64>) -> String {
    v.map_or_else(|| "unknown".to_owned(), |k| format!("{} kW", trim_float(k)))
}

fn who(id: &Option<String>, index: usize) -> String {
    match id {
        Some(id) => format!("{id} (feature {index})"),
        None => format!("feature {index}"),
    }
}

fn station(s: &StationRef) -> String {
    format!(
        "{} at [{}, {}], {}",
        who(&s.id, s.index),
        s.lon,
        s.lat,
        kw(s.power_kw)
    )
}

fn moved(c: &Changed) -> String {
    format!(
        "{} moved {} m: [{}, {}] → [{}, {}]",
        who(&c.id, c.new_index),
        c.distance_m,
        c.from.lon,
        c.from.lat,
        c.to.lon,
        c.to.lat
    )
}

fn power(c: &Changed) -> String {
    format!(
        "{}: {} → {}",
        who(&c.id, c.new_index),
        kw(c.old_power_kw),
        kw(c.new_power_kw)
    )
}

fn metres(v: Option<f64>) -> String {
    v.map_or_else(|| "none".to_owned(), |m| format!("{m} m"))
}

fn area(a: &AreaChange) -> String {
    let mut s = a.id.clone();
    if let Some(name) = &a.name {
        let _ = write!(s, " {name}");
    }
    if let Some(group) = &a.group {
        let _ = write!(s, " ({group})");
    }
    let _ = write!(
        s,
        ": qualifying inside {} → {}, nearest qualifying {} → {}",
        a.qualifying_inside_before,
        a.qualifying_inside_after,
        metres(a.nearest_distance_m_before),
        metres(a.nearest_distance_m_after)
    );
    s
}

fn list<T>(out: &mut String, label: &str, items: &[T], total: usize, show: impl Fn(&T) -> String) {
    for item in items.iter().take(SHOWN) {
        let _ = writeln!(out, "  {label:<9}{}", show(item));
    }
    let shown = SHOWN.min(items.len());
    if total > shown {
        let _ = writeln!(out, "  {label:<9}… and {} more", total - shown);
    }
}

fn holds(h: bool) -> &'static str {
    if h { "holds" } else { "fails" }
}

/// Renders the diff for a terminal.
pub fn render(r: &DiffReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} diff — claim: {}",
        r.tool, r.version, r.rule.description
    );
    let _ = writeln!(
        out,
        "old        {}: {} stations",
        r.inputs.old.path, r.stations.old_total
    );
    let _ = writeln!(
        out,
        "new        {}: {} stations",
        r.inputs.new.path, r.stations.new_total
    );
    let _ = writeln!(
        out,
        "areas      {}: {} areas",
        r.inputs.areas.path, r.summary.areas_total
    );
    let _ = writeln!(out);
    let st = &r.stations;
    let _ = writeln!(
        out,
        "stations   {} matched, {} added, {} removed, {} moved (> {} m), {} changed power",
        st.matched,
        st.added.count,
        st.removed.count,
        st.moved.count,
        r.thresholds.moved_m,
        st.power_changed.count
    );
    list(&mut out, "added", &st.added.listed, st.added.count, station);
    list(
        &mut out,
        "removed",
        &st.removed.listed,
        st.removed.count,
        station,
    );
    list(&mut out, "moved", &st.moved.listed, st.moved.count, moved);
    list(
        &mut out,
        "power",
        &st.power_changed.listed,
        st.power_changed.count,
        power,
    );
    let _ = writeln!(out);
    let s = &r.summary;
    let _ = writeln!(
        out,
        "coverage   before {} of {} areas covered (claim {}), after {} (claim {})",
        s.areas_covered_before,
        s.areas_total,
        holds(s.claim_holds_before),
        s.areas_covered_after,
        holds(s.claim_holds_after)
    );
    let a = &r.areas;
    list(&mut out, "LOST", &a.lost, a.lost.len(), area);
    list(&mut out, "gained", &a.gained, a.gained.len(), area);
    let _ = writeln!(
        out,
        "distance   to the nearest qualifying station changed by more than {} m in {} area(s)",
        r.thresholds.distance_change_m,
        a.distance_changed.len()
    );
    list(
        &mut out,
        "",
        &a.distance_changed,
        a.distance_changed.len(),
        area,
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        if s.coverage_lost > 0 {
            format!("coverage LOST in {} area(s)", s.coverage_lost)
        } else {
            "no area lost coverage".to_owned()
        }
    );
    out
}
/// The changed areas (lost, gained, distance), each once, in file order,
/// with its before/after facts and `change` (`lost`, `gained` or
/// `distance`) as properties.
fn changed_areas(diff: &Diff) -> std::io::Result<Vec<(&Area, Map<String, Value>)>> {
    let r = &diff.report.areas;
    let mut chosen: Vec<(&AreaChange, &'static str)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (list, kind) in [
        (&r.lost, "lost"),
        (&r.gained, "gained"),
        (&r.distance_changed, "distance"),
    ] {
        for c in list {
            if seen.insert(c.feature_index) {
                chosen.push((c, kind));
            }
        }
    }
    chosen.sort_by_key(|(c, _)| c.feature_index);
    let areas = &diff.after.areas.areas;
    let mut out = Vec::with_capacity(chosen.len());
    for (c, kind) in chosen {
        let Some(area) = areas.iter().find(|a| a.index == c.feature_index) else {
            continue;
        };
        let mut properties: Map<String, Value> = match serde_json::to_value(c)? {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        properties.insert("change".into(), Value::from(kind));
        out.push((area, properties));
    }
    Ok(out)
}

/// Writes the changed areas (lost, gained, distance) as GeoJSON with
/// before/after facts; `change` is `lost`, `gained` or `distance`.
pub fn write_changes(out: &mut dyn std::io::Write, diff: &Diff) -> std::io::Result<()> {
    use geojson::{Feature, Geometry, GeometryValue};

    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
    for (k, (area, properties)) in changed_areas(diff)?.into_iter().enumerate() {
        let geometry = if area.single_polygon && area.geometry.0.len() == 1 {
            GeometryValue::from(&area.geometry.0[0])
        } else {
            GeometryValue::from(&area.geometry)
        };
        let feature = Feature {
            bbox: None,
            geometry: Some(Geometry::new(geometry)),
            id: None,
            properties: Some(properties),
            foreign_members: None,
        };
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &feature)?;
    }
    out.write_all(b"\n]}\n")
}

/// The changed areas as (geometry, properties) records (WGS84), for
/// writers of other formats.
pub fn change_records(diff: &Diff) -> std::io::Result<Vec<crate::output::ShapeRecord>> {
    Ok(changed_areas(diff)?
        .into_iter()
        .map(|(area, properties)| (area.geometry.clone().into(), properties))
        .collect())
}

/// The changed areas as a layer (WGS84).
pub struct ChangeLayer<'a> {
    /// The comparison.
    pub diff: &'a Diff,
    /// WGS84: changes are written as the areas were read.
    pub crs: crate::crs::OutputCrs,
}

impl<'a> ChangeLayer<'a> {
    /// The changes of `diff`, in WGS84.
    pub fn new(diff: &'a Diff) -> Self {
        ChangeLayer {
            diff,
            crs: crate::crs::OutputCrs::wgs84(),
        }
    }
}

impl crate::output::layer::OutputLayer for ChangeLayer<'_> {
    fn name(&self) -> &str {
        "changes"
    }
    fn kind(&self) -> crate::output::ShapeKind {
        crate::output::ShapeKind::MultiPolygon
    }
    fn crs(&self) -> &crate::crs::OutputCrs {
        &self.crs
    }
    fn write_geojson(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        write_changes(out, self.diff)
    }
    fn records(&self) -> std::io::Result<Vec<crate::output::ShapeRecord>> {
        change_records(self.diff)
    }
}

// For CI systems: GitHub annotations and JUnit.

fn lost_message(a: &AreaChange) -> String {
    format!(
        "area {} lost coverage: {} qualifying inside before, {} after{}",
        area_label(&a.id, a.name.as_deref(), a.group.as_deref()),
        a.qualifying_inside_before,
        a.qualifying_inside_after,
        match a.nearest_distance_m_after {
            Some(d) => format!("; nearest now {} km away", km_number(Some(d), 2)),
            None => String::new(),
        }
    )
}

/// `diff`'s annotations: an error per area that lost coverage, a warning
/// per area whose nearest station moved farther beyond the threshold, a
/// notice per area that gained coverage, and the outcome.
pub fn diff_github(report: &DiffReport, areas_file: Option<&str>, lines: &[u32]) -> String {
    let file = areas_file.map(str::to_owned);
    let at = |a: &AreaChange| lines.get(a.feature_index).copied();
    let mut annotations: Vec<Annotation> = report
        .areas
        .lost
        .iter()
        .map(|a| Annotation {
            level: Level::Error,
            file: file.clone(),
            line: at(a),
            title: "chargecov diff: coverage lost".into(),
            message: lost_message(a),
        })
        .collect();
    annotations.extend(
        report
            .areas
            .distance_changed
            .iter()
            .filter(|a| a.distance_change_m.is_some_and(|d| d > 0.0))
            .map(|a| Annotation {
                level: Level::Warning,
                file: file.clone(),
                line: at(a),
                title: "chargecov diff: farther".into(),
                message: format!(
                    "area {}: the nearest qualifying station is {} km farther ({} → {} km)",
                    area_label(&a.id, a.name.as_deref(), a.group.as_deref()),
                    km_number(a.distance_change_m, 2),
                    km_number(a.nearest_distance_m_before, 2),
                    km_number(a.nearest_distance_m_after, 2)
                ),
            }),
    );
    annotations.extend(report.areas.gained.iter().map(|a| Annotation {
        level: Level::Notice,
        file: file.clone(),
        line: at(a),
        title: "chargecov diff: coverage gained".into(),
        message: format!(
            "area {} gained coverage",
            area_label(&a.id, a.name.as_deref(), a.group.as_deref())
        ),
    }));
    let s = &report.summary;
    let summary = Annotation {
        level: Level::Notice,
        file: None,
        line: None,
        title: "chargecov diff".into(),
        message: format!(
            "claim {} → {}: {} areas lost coverage, {} gained ({} → {} of {} covered)",
            if s.claim_holds_before {
                "held"
            } else {
                "failed"
            },
            if s.claim_holds_after {
                "holds"
            } else {
                "fails"
            },
            s.coverage_lost,
            s.coverage_gained,
            s.areas_covered_before,
            s.areas_covered_after,
            s.areas_total
        ),
    };
    github(&annotations, &summary, "the report's areas")
}

/// `diff` as JUnit: a test case per area that changed, failed when it lost
/// coverage, and one for the claim after.
pub fn diff_junit(report: &DiffReport) -> String {
    let s = &report.summary;
    let mut cases = vec![Case {
        name: "claim holds".into(),
        failure: (!s.claim_holds_after).then(|| {
            format!(
                "{} of {} areas uncovered",
                s.areas_total - s.areas_covered_after,
                s.areas_total
            )
        }),
    }];
    let label = |a: &AreaChange| area_label(&a.id, a.name.as_deref(), a.group.as_deref());
    cases.extend(report.areas.lost.iter().map(|a| Case {
        name: format!("coverage kept: {}", label(a)),
        failure: Some(lost_message(a)),
    }));
    cases.extend(report.areas.gained.iter().map(|a| Case {
        name: format!("coverage gained: {}", label(a)),
        failure: None,
    }));
    junit("diff", &report.inputs.areas.path, &cases)
}
