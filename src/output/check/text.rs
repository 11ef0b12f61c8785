//! The human-readable summary printed by `chargecov check`.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use crate::check::report::{AreaReport, Report};
use crate::stats::DistanceStats;
use crate::units::{km, trim_float};

/// Uncovered areas listed before the rest are only counted.
const LISTED_UNCOVERED: usize = 50;
/// Warnings listed before the rest are only counted.
const LISTED_WARNINGS: usize = 10;

fn stats_line(s: &Option<DistanceStats>) -> String {
    match s {
        Some(s) => format!(
            "mean {}, median {}, p90 {}, p95 {}, max {} ({} area{})",
            km(s.mean, 2),
            km(s.median, 2),
            km(s.p90, 2),
            km(s.p95, 2),
            km(s.max, 2),
            s.count,
            if s.count == 1 { "" } else { "s" }
        ),
        None => "no qualifying station anywhere".to_owned(),
    }
}

fn fields_line(pairs: &[(&str, &Option<String>)]) -> String {
    pairs
        .iter()
        .filter_map(|(role, field)| field.as_ref().map(|f| format!("{role}: {f}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn area_label(a: &AreaReport) -> String {
    let mut label = a.id.clone();
    if let Some(name) = &a.name {
        label.push_str(&format!(" {name}"));
    }
    if let Some(group) = &a.group {
        label.push_str(&format!(" ({group})"));
    }
    label
}

/// Renders the report for a terminal: what was read, the counts, the
/// distances, the surface, the groups, the uncovered areas, the warnings
/// and the verdict, in that order.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    write_inputs(&mut out, report);
    let _ = writeln!(out);
    write_counts(&mut out, report);
    write_distances(&mut out, report);
    write_groups(&mut out, report);
    write_uncovered(&mut out, report);
    write_warnings(&mut out, report);
    let _ = writeln!(out);
    write_verdict(&mut out, report);
    out
}

/// The claim, then each input layer with its fields, filters, pools and
/// the warnings about how it was read.
fn write_inputs(out: &mut String, report: &Report) {
    let inputs = &report.inputs;
    let named = match &report.rule.claim {
        Some(name) => format!("{name}: "),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "{} {} — claim: {named}{}",
        report.tool.name, report.tool.version, report.rule.description
    );
    if inputs.synthetic {
        let _ = writeln!(
            out,
            "data       embedded SYNTHETIC demo data (not real boundaries or stations)"
        );
    }
    let a = &inputs.areas;
    let _ = writeln!(
        out,
        "areas      {}: {} area{} ({}; {})",
        a.path,
        a.features_used,
        if a.features_used == 1 { "" } else { "s" },
        fields_line(&[
            ("id", &a.fields.id),
            ("name", &a.fields.name),
            ("group", &a.fields.group)
        ]),
        a.crs
    );
    let st = &inputs.stations;
    let _ = writeln!(
        out,
        "stations   {}: {} station{} ({}; {})",
        st.path,
        st.features_used,
        if st.features_used == 1 { "" } else { "s" },
        fields_line(&[
            ("id", &st.fields.id),
            ("power", &st.fields.power),
            ("lon", &st.fields.lon),
            ("lat", &st.fields.lat)
        ]),
        st.crs
    );
    for f in &st.filters {
        let _ = writeln!(out, "filter     {}", f.summary());
        if let Some(warning) = f.unseen_warning() {
            let _ = writeln!(out, "WARNING    {warning}");
        }
    }
    if let Some(p) = &st.pools {
        let _ = writeln!(
            out,
            "pools      {} record{} in {} site{} ({}; the largest has {})",
            p.records,
            if p.records == 1 { "" } else { "s" },
            p.pools,
            if p.pools == 1 { "" } else { "s" },
            p.by,
            p.largest
        );
    }
    if let Some(m) = &inputs.crs_mismatch {
        let _ = writeln!(out, "WARNING    {}", m.message());
    }
    if let Some(m) = &inputs.power_missing {
        let _ = writeln!(out, "WARNING    {}", m.message());
    }
}

/// Areas covered and uncovered, and the stations (or sites) by what the
/// rule made of them.
fn write_counts(out: &mut String, report: &Report) {
    let s = &report.summary;
    let st = &report.inputs.stations;
    let _ = writeln!(
        out,
        "areas      {} total, {} covered, {} uncovered",
        s.areas_total, s.areas_covered, s.areas_uncovered
    );
    let r = &report.rule;
    let cmp = if r.min_power_exclusive { ">" } else { "≥" };
    let threshold = if st.pools.is_some() {
        let mut terms = format!(" (sites with ≥ {} point", r.min_points);
        if r.min_points != 1 {
            terms.push('s');
        }
        if r.min_power_kw > 0.0 {
            terms.push_str(&format!(" of {cmp} {} kW", trim_float(r.min_power_kw)));
        }
        if r.min_pool_kw > 0.0 {
            terms.push_str(&format!(", ≥ {} kW in all", trim_float(r.min_pool_kw)));
        }
        terms + ")"
    } else if report.rule.min_power_kw > 0.0 || r.min_power_exclusive {
        format!(" ({cmp} {} kW)", trim_float(report.rule.min_power_kw))
    } else {
        " (every station)".to_owned()
    };
    let _ = writeln!(
        out,
        "{} {} in use, {} qualifying{}, {} of unknown power, {} outside every area",
        if st.pools.is_some() {
            "sites     "
        } else {
            "stations  "
        },
        s.stations_total,
        s.stations_qualifying,
        threshold,
        s.stations_unknown_power,
        s.stations_outside_areas
    );
}

/// Distance statistics from points and from boundaries, the surface
/// within reach when it was measured, and the population's share.
fn write_distances(out: &mut String, report: &Report) {
    let s = &report.summary;
    let _ = writeln!(
        out,
        "distance from each area's representative point to the nearest qualifying station:"
    );
    let _ = writeln!(out, "           {}", stats_line(&s.distance_m));
    let _ = writeln!(
        out,
        "distance from each area to the nearest qualifying station:"
    );
    let _ = writeln!(out, "           {}", stats_line(&s.boundary_distance_m));
    if let Some(surface) = &s.surface {
        let pct = |v: Option<&serde_json::Value>| {
            v.and_then(serde_json::Value::as_f64)
                .map_or_else(|| "—".to_owned(), |x| format!("{:.1} %", 100.0 * x))
        };
        let _ = writeln!(
            out,
            "surface within reach ({:.0} km² in all; shares exact to {:.2} % of each area):",
            surface.area_km2,
            100.0 * surface.share_error_bound
        );
        for label in &surface.radii_km {
            let population = surface
                .within_population_weighted
                .as_ref()
                .map(|m| format!(", {} of the population", pct(m.get(label))))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "           within {label} km: {} of the surface{population}",
                pct(surface.within_area_weighted.get(label))
            );
        }
        let _ = writeln!(
            out,
            "worst-served point of each area (to {} m):",
            surface.worst_point_tolerance_m
        );
        let _ = writeln!(out, "           {}", stats_line(&surface.worst_distance_m));
        if let Some(gap) = surface.gap_km2 {
            let _ = writeln!(
                out,
                "gaps       {gap:.1} km² farther than {} km from every qualifying station",
                surface
                    .radii_km
                    .iter()
                    .max_by(|a, b| {
                        let v = |s: &String| s.parse::<f64>().unwrap_or(0.0);
                        v(a).total_cmp(&v(b))
                    })
                    .map(String::as_str)
                    .unwrap_or("")
            );
        }
    }
    if let Some(p) = &s.population {
        let _ = writeln!(
            out,
            "population {:.0} in {} areas; {:.1} % live in covered areas",
            p.total,
            p.areas_with_population,
            100.0 * p.in_covered_areas_share
        );
    }
}

/// One row per group (e.g. district) when areas have groups.
fn write_groups(out: &mut String, report: &Report) {
    if !report.groups.is_empty() {
        let width = report
            .groups
            .iter()
            .map(|g| g.group.width())
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<width$}  {:>6}  {:>9}  {:>12}  {:>12}",
            "group", "areas", "uncovered", "median dist", "max dist"
        );
        for g in &report.groups {
            // Pad by display columns: CJK names take two per character.
            let pad = " ".repeat(width - g.group.width());
            let (median, max) = match &g.distance_m {
                Some(d) => (km(d.median, 2), km(d.max, 2)),
                None => ("-".to_owned(), "-".to_owned()),
            };
            let _ = writeln!(
                out,
                "{}{pad}  {:>6}  {:>9}  {:>12}  {:>12}",
                g.group, g.areas_total, g.areas_uncovered, median, max
            );
        }
    }
}

/// The uncovered areas with their nearest qualifying station, the first
/// [`LISTED_UNCOVERED`] of them.
fn write_uncovered(out: &mut String, report: &Report) {
    let uncovered: Vec<&AreaReport> = report.areas.iter().filter(|a| !a.covered).collect();
    if !uncovered.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "uncovered areas ({}):", uncovered.len());
        for a in uncovered.iter().take(LISTED_UNCOVERED) {
            let detail = match (
                &a.boundary_station_id,
                a.boundary_distance_m,
                a.nearest_distance_m,
            ) {
                (Some(id), Some(edge), Some(centre)) => format!(
                    "nearest qualifying station {id} is {} from the area, {} from its representative point",
                    km(edge, 2),
                    km(centre, 2)
                ),
                _ => "no qualifying station anywhere".to_owned(),
            };
            let _ = writeln!(out, "  {} — {detail}", area_label(a));
        }
        if uncovered.len() > LISTED_UNCOVERED {
            let _ = writeln!(
                out,
                "  … and {} more (all are in --report and --uncovered)",
                uncovered.len() - LISTED_UNCOVERED
            );
        }
    }
}

/// Warnings by code, the first [`LISTED_WARNINGS`] of them in full.
fn write_warnings(out: &mut String, report: &Report) {
    let w = &report.warnings;
    if w.count > 0 {
        let codes: Vec<String> = w.by_code.iter().map(|(c, n)| format!("{c} {n}")).collect();
        let _ = writeln!(out);
        let _ = writeln!(out, "warnings   {} ({})", w.count, codes.join(", "));
        for listed in w.listed.iter().take(LISTED_WARNINGS) {
            let _ = writeln!(out, "  {}: {}", listed.layer, listed.issue);
        }
        if w.count > LISTED_WARNINGS {
            let _ = writeln!(
                out,
                "  … and {} more (all are in --report)",
                w.count - LISTED_WARNINGS
            );
        }
    }
}

/// The power sweep when one was run, and the verdict.
fn write_verdict(out: &mut String, report: &Report) {
    let s = &report.summary;
    if let Some(sweep) = &s.power_sweep {
        let _ = writeln!(out, "power      {}", sweep.line());
    }
    if s.claim_holds {
        let _ = writeln!(
            out,
            "verdict    CLAIM HOLDS: all {} areas are covered",
            s.areas_total
        );
    } else {
        let _ = writeln!(
            out,
            "verdict    CLAIM FAILS: {} of {} areas uncovered",
            s.areas_uncovered, s.areas_total
        );
    }
}
