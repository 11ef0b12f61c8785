//! The library's one error type.
//!
//! Every variant names the file it is about and says what the user can do
//! next; per-feature problems carry the feature's index and id. The binary
//! maps any of these to exit status 2.

use std::fmt;
use std::path::PathBuf;

use crate::issues::FeatureIssue;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a run before a verdict is reached.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input could not be opened or read.
    #[error("cannot read {source_name}: {error}")]
    Read {
        source_name: String,
        #[source]
        error: std::io::Error,
    },

    /// The input is not well-formed JSON (or ends early).
    #[error("{source_name}: {message} at line {line}, column {column}\n  hint: {hint}")]
    Json {
        source_name: String,
        line: usize,
        column: usize,
        message: String,
        hint: &'static str,
    },

    /// The input is not shaped as the layer requires (e.g. not a
    /// FeatureCollection, empty, no coordinate columns).
    #[error("{source_name}: {message}\n  hint: {hint}")]
    Layer {
        source_name: String,
        message: String,
        hint: String,
    },

    /// The input is in a format chargecov recognises but does not read.
    #[error(
        "{source_name}: is {format}, which chargecov does not read yet\n  hint: convert it to GeoJSON, newline-delimited GeoJSON or CSV (for example with GDAL's ogr2ogr)"
    )]
    UnsupportedFormat {
        source_name: String,
        format: crate::input::InputFormat,
    },

    /// An area layer was given in a format that holds only points.
    #[error(
        "{source_name}: is {format}, which holds points, not the polygons an area layer needs\n  hint: give the areas as GeoJSON (a FeatureCollection or one Feature per line) of Polygons or MultiPolygons"
    )]
    NotAnAreaFormat {
        source_name: String,
        format: crate::input::InputFormat,
    },

    /// The layer holds no records at all.
    #[error(
        "{source_name}: the layer has no features, so there are no {what}\n  hint: check that the export selected the right layer and was not filtered to nothing"
    )]
    EmptyLayer { source_name: String, what: String },

    /// One or more features are unusable; all of them are listed.
    #[error("{}", FeatureList { source_name, issues })]
    Features {
        source_name: String,
        issues: Vec<FeatureIssue>,
    },

    /// A CSV file could not be parsed.
    #[error("{source_name}: {message}\n  hint: {hint}")]
    Csv {
        source_name: String,
        message: String,
        hint: &'static str,
    },

    /// An output file could not be written; nothing was left behind.
    #[error("cannot write {}: {error}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },

    /// Options that contradict each other or are out of range.
    #[error("{0}")]
    Config(String),
}

/// How many feature problems an error message lists before summarising.
const LISTED_ISSUES: usize = 20;

struct FeatureList<'a> {
    source_name: &'a str,
    issues: &'a [FeatureIssue],
}

impl fmt::Display for FeatureList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.issues.len();
        write!(
            f,
            "{}: {n} unusable feature{}",
            self.source_name,
            if n == 1 { "" } else { "s" }
        )?;
        for issue in self.issues.iter().take(LISTED_ISSUES) {
            write!(f, "\n  {issue}")?;
        }
        if n > LISTED_ISSUES {
            write!(f, "\n  … and {} more", n - LISTED_ISSUES)?;
        }
        let mut hints: Vec<&str> = self.issues.iter().map(|i| i.hint()).collect();
        hints.sort_unstable();
        hints.dedup();
        for hint in hints {
            write!(f, "\n  hint: {hint}")?;
        }
        write!(
            f,
            "\n  hint: or pass --skip-invalid to drop these features with a warning"
        )
    }
}
