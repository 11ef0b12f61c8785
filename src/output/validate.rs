//! `validate` results for people and for CI systems: text, JUnit XML (one
//! test case per check, failures carrying the offending features) and
//! GitHub workflow-command annotations. JSON is the serialised
//! [`Validation`].

use std::fmt::Write as _;

use super::xml_escape;
use crate::output::formats::ci::{Annotation, Level};
use crate::validate::Validation;
use crate::validate::checks::{CheckResult, Offender, Severity};

/// Offenders shown per check in text output (all listed ones are in JSON).
const TEXT_LISTED: usize = 20;

fn where_(o: &Offender) -> String {
    match (o.index, &o.id) {
        (Some(i), Some(id)) => format!("feature {i} (id {id})"),
        (Some(i), None) => format!("feature {i}"),
        (None, _) => "layer".to_owned(),
    }
}

fn line(o: &Offender) -> String {
    let mut s = format!("{}: {}", where_(o), o.message);
    if o.members.len() > 1 {
        let members: Vec<String> = o
            .members
            .iter()
            .map(|m| match &m.id {
                Some(id) => format!("{} ({id})", m.index),
                None => m.index.to_string(),
            })
            .collect();
        let _ = write!(s, " — features {}", members.join(", "));
    }
    s
}

fn status(c: &CheckResult) -> &'static str {
    match (c.ran, c.failed(), c.severity) {
        (false, _, _) => "skipped",
        (true, false, _) => "ok",
        (true, true, Severity::Error) => "ERROR",
        (true, true, _) => "warning",
    }
}

/// The human-readable summary.
pub fn text(v: &Validation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} validate — {}: {} records ({}; {})",
        v.tool, v.version, v.stations.path, v.stations.records, v.stations.format, v.stations.crs
    );
    for f in &v.stations.filters {
        let _ = writeln!(out, "filter: {} (not checked)", f.summary());
        if let Some(warning) = f.unseen_warning() {
            let _ = writeln!(out, "warning: {warning}");
        }
    }
    if let Some(a) = &v.areas {
        let _ = writeln!(out, "areas: {}: {} features ({})", a.path, a.records, a.crs);
    }
    let _ = writeln!(out);
    for c in &v.checks {
        let _ = writeln!(
            out,
            "{:<8} {:<17} {}{}",
            status(c),
            c.id.name(),
            c.description,
            if c.failed() {
                format!(" — {} found", c.count)
            } else {
                String::new()
            }
        );
        for o in c.listed.iter().take(TEXT_LISTED) {
            let _ = writeln!(out, "         {}", line(o));
        }
        if c.count > TEXT_LISTED.min(c.listed.len()) {
            let _ = writeln!(
                out,
                "         … and {} more (--format json lists the first {})",
                c.count - TEXT_LISTED.min(c.listed.len()),
                c.listed.len()
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}: {} error{}, {} warning{}",
        if v.summary.valid { "valid" } else { "INVALID" },
        v.summary.errors,
        if v.summary.errors == 1 { "" } else { "s" },
        v.summary.warnings,
        if v.summary.warnings == 1 { "" } else { "s" }
    );
    out
}

/// JUnit XML: one test case per check that ran; a check of severity
/// error that found something is a failure listing its offenders; a
/// warning lists them in `system-out` and passes; a check that did not
/// run is skipped.
pub fn junit(v: &Validation) -> String {
    let failures = v
        .checks
        .iter()
        .filter(|c| c.severity == Severity::Error && c.failed())
        .count();
    let skipped = v.checks.iter().filter(|c| !c.ran).count();
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"chargecov validate\" tests=\"{}\" failures=\"{failures}\">",
        v.checks.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
        xml_escape(&v.stations.path),
        v.checks.len()
    );
    for c in &v.checks {
        let _ = write!(
            out,
            "    <testcase classname=\"chargecov.validate\" name=\"{}\"",
            c.id.name()
        );
        let listing = || {
            let mut body: String = c.listed.iter().map(|o| line(o) + "\n").collect();
            if c.count > c.listed.len() {
                let _ = writeln!(body, "… and {} more", c.count - c.listed.len());
            }
            xml_escape(&body)
        };
        if !c.ran {
            out.push_str(">\n      <skipped message=\"not run\"/>\n    </testcase>\n");
        } else if c.failed() && c.severity == Severity::Error {
            let _ = write!(
                out,
                ">\n      <failure type=\"{}\" message=\"{}: {} found\">{}</failure>\n    </testcase>\n",
                c.id.name(),
                xml_escape(c.description),
                c.count,
                listing()
            );
        } else if c.failed() {
            let _ = write!(
                out,
                ">\n      <system-out>warning: {} found\n{}</system-out>\n    </testcase>\n",
                c.count,
                listing()
            );
        } else {
            out.push_str("/>\n");
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// GitHub Actions annotations: `::error` / `::warning` per offender,
/// each level capped as [`crate::output::formats::ci::github`] caps it, and a final
/// `::notice`.
pub fn github(v: &Validation) -> String {
    let mut annotations = Vec::new();
    for c in v.checks.iter().filter(|c| c.failed()) {
        let level = if c.severity == Severity::Error {
            Level::Error
        } else {
            Level::Warning
        };
        let title = format!("chargecov {}", c.id.name());
        let annotation = |message: String| Annotation {
            level,
            file: Some(v.stations.path.clone()),
            line: None,
            title: title.clone(),
            message,
        };
        annotations.extend(c.listed.iter().map(|o| annotation(line(o))));
        // Offenders beyond the listed ones still count towards the cap's
        // "and N more".
        annotations.extend((c.listed.len()..c.count).map(|_| annotation(String::new())));
    }
    let summary = Annotation {
        level: Level::Notice,
        file: None,
        line: None,
        title: "chargecov validate".into(),
        message: format!(
            "{}: {} errors, {} warnings",
            if v.summary.valid { "valid" } else { "invalid" },
            v.summary.errors,
            v.summary.warnings
        ),
    };
    crate::output::formats::ci::github(&annotations, &summary, "the JSON report (--format json)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            xml_escape("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}"
        );
        assert_eq!(
            crate::output::formats::ci::gh_property("a:b,c%\n"),
            "a%3Ab%2Cc%25%0A"
        );
        assert_eq!(
            crate::output::formats::ci::gh_data("50% of\nx"),
            "50%25 of%0Ax"
        );
    }
}
