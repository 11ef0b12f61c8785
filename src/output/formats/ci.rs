//! What CI systems read: GitHub Actions workflow commands (annotations)
//! and JUnit XML, written from annotations and test cases that each
//! command's renderer makes (`output::check::ci`, `output::diff`,
//! `output::validate`).
//!
//! GitHub shows at most ten annotations of each level per step, so each
//! level is capped: nine are written and the tenth says how many more
//! there are and where they are listed.

use std::fmt::Write as _;

use crate::output::xml_escape;

/// Annotations of one level GitHub shows per step.
pub const GITHUB_CAP: usize = 10;

/// Workflow-command values escape `%`, CR and LF.
pub fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command properties also escape `:` and `,`.
pub fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// An annotation's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::error`.
    Error,
    /// `::warning`.
    Warning,
    /// `::notice`.
    Notice,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// One annotation: where (file, 1-based line) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// Its level.
    pub level: Level,
    /// The file it is about.
    pub file: Option<String>,
    /// The line in it.
    pub line: Option<u32>,
    /// Its title.
    pub title: String,
    /// Its text.
    pub message: String,
}

/// The annotations as workflow commands, each level capped at
/// [`GITHUB_CAP`] (the last saying how many more `where_listed` has), then
/// the summary (never capped: it is one notice).
pub fn github(annotations: &[Annotation], summary: &Annotation, where_listed: &str) -> String {
    let mut out = String::new();
    for level in [Level::Error, Level::Warning, Level::Notice] {
        let of_level: Vec<&Annotation> = annotations.iter().filter(|a| a.level == level).collect();
        let shown = if of_level.len() > GITHUB_CAP {
            GITHUB_CAP - 1
        } else {
            of_level.len()
        };
        for a in &of_level[..shown] {
            command(&mut out, a);
        }
        if shown < of_level.len() {
            let first = of_level[0];
            command(
                &mut out,
                &Annotation {
                    level,
                    file: first.file.clone(),
                    line: None,
                    title: first.title.clone(),
                    message: format!("… and {} more: see {where_listed}", of_level.len() - shown),
                },
            );
        }
    }
    command(&mut out, summary);
    out
}

fn command(out: &mut String, a: &Annotation) {
    let mut props = Vec::new();
    if let Some(file) = &a.file {
        props.push(format!("file={}", gh_property(file)));
    }
    if let Some(line) = a.line {
        props.push(format!("line={line}"));
    }
    props.push(format!("title={}", gh_property(&a.title)));
    let _ = writeln!(
        out,
        "::{} {}::{}",
        a.level.name(),
        props.join(","),
        gh_data(&a.message)
    );
}

/// One JUnit test case: its name and, when it failed, why.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Its name.
    pub name: String,
    /// The failure's one-line message, when it failed.
    pub failure: Option<String>,
}

/// JUnit XML: one suite of `cases`.
pub fn junit(command: &str, suite: &str, cases: &[Case]) -> String {
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"chargecov {command}\" tests=\"{}\" failures=\"{failures}\">",
        cases.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        xml_escape(suite),
        cases.len()
    );
    for c in cases {
        let _ = write!(
            out,
            "    <testcase classname=\"chargecov.{command}\" name=\"{}\"",
            xml_escape(&c.name)
        );
        match &c.failure {
            Some(why) => {
                let _ = write!(
                    out,
                    ">\n      <failure type=\"{command}\" message=\"{}\"/>\n    </testcase>\n",
                    xml_escape(why)
                );
            }
            None => out.push_str("/>\n"),
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// An area as people name it: "id (name, group)".
pub(crate) fn area_label(id: &str, name: Option<&str>, group: Option<&str>) -> String {
    match (name, group) {
        (Some(n), Some(g)) => format!("{id} ({n}, {g})"),
        (Some(n), None) => format!("{id} ({n})"),
        (None, Some(g)) => format!("{id} ({g})"),
        (None, None) => id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(i: usize) -> Annotation {
        Annotation {
            level: Level::Error,
            file: Some("a,b.geojson".into()),
            line: Some(i as u32 + 2),
            title: "t: x".into(),
            message: format!("area {i}\n100%"),
        }
    }

    #[test]
    fn caps_each_level_at_ten_with_a_count() {
        let notice = Annotation {
            level: Level::Notice,
            file: None,
            line: None,
            title: "s".into(),
            message: "done".into(),
        };
        // 25 errors: 9 shown, the tenth says 16 more; the summary after.
        let text = github(
            &(0..25).map(error).collect::<Vec<_>>(),
            &notice,
            "the report",
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 11);
        assert_eq!(
            lines[0],
            "::error file=a%2Cb.geojson,line=2,title=t%3A x::area 0%0A100%25"
        );
        assert_eq!(
            lines[9],
            "::error file=a%2Cb.geojson,title=t%3A x::… and 16 more: see the report"
        );
        assert_eq!(lines[10], "::notice title=s::done");
        // Exactly ten: all shown.
        let text = github(
            &(0..10).map(error).collect::<Vec<_>>(),
            &notice,
            "the report",
        );
        assert_eq!(text.lines().count(), 11);
        assert!(!text.contains("more"));
    }

    #[test]
    fn junit_counts_failures() {
        let cases = [
            Case {
                name: "a<1>".into(),
                failure: None,
            },
            Case {
                name: "b".into(),
                failure: Some("far & away".into()),
            },
        ];
        let xml = junit("check", "x.geojson", &cases);
        assert!(xml.contains(r#"<testsuite name="x.geojson" tests="2" failures="1""#));
        assert!(xml.contains(r#"name="a&lt;1&gt;"/>"#));
        assert!(xml.contains(r#"<failure type="check" message="far &amp; away"/>"#));
    }
}
