//! `check` for CI systems: a GitHub annotation per uncovered area and the
//! verdict, or JUnit with a test case per area.

use crate::check::report::{AreaReport, Report};
use crate::output::formats::ci::{Annotation, Case, Level, area_label, github, junit};
use crate::units::km_number;

/// Why an area is uncovered, in one line.
fn uncovered_message(a: &AreaReport) -> String {
    format!(
        "area {} is not covered: no qualifying station inside it{}",
        area_label(&a.id, a.name.as_deref(), a.group.as_deref()),
        match (a.boundary_distance_m, &a.boundary_station_id) {
            (Some(d), Some(s)) =>
                format!("; the nearest is {s}, {} km away", km_number(Some(d), 2)),
            _ => "; none qualifies anywhere".to_owned(),
        }
    )
}

/// `check`'s annotations: an error per uncovered area (in `areas_file`,
/// when the areas came from one, at its feature's line when `lines` has
/// them) and the verdict.
pub fn check_github(report: &Report, areas_file: Option<&str>, lines: &[u32]) -> String {
    let title = "chargecov check: area not covered".to_owned();
    let annotations: Vec<Annotation> = report
        .areas
        .iter()
        .filter(|a| !a.covered)
        .map(|a| Annotation {
            level: Level::Error,
            file: areas_file.map(str::to_owned),
            line: lines.get(a.feature_index).copied(),
            title: title.clone(),
            message: uncovered_message(a),
        })
        .collect();
    let s = &report.summary;
    let summary = Annotation {
        level: Level::Notice,
        file: None,
        line: None,
        title: "chargecov check".into(),
        message: format!(
            "claim {}: {} of {} areas covered — {}",
            if s.claim_holds { "holds" } else { "fails" },
            s.areas_covered,
            s.areas_total,
            report.rule.description
        ),
    };
    github(&annotations, &summary, "the report's areas")
}

/// `check` as JUnit: a test case per area, failed when it is uncovered.
pub fn check_junit(report: &Report, areas_file: &str) -> String {
    let cases: Vec<Case> = report
        .areas
        .iter()
        .map(|a| Case {
            name: area_label(&a.id, a.name.as_deref(), a.group.as_deref()),
            failure: (!a.covered).then(|| uncovered_message(a)),
        })
        .collect();
    junit("check", areas_file, &cases)
}
