//! What every command's report shares: which tool made it, warnings
//! listed with their layer, and the rounding of metres and degrees.

use serde::Serialize;

use crate::issues::FeatureIssue;

/// How many warnings per code a report lists before only counting.
pub const LISTED_WARNINGS_PER_CODE: usize = 1000;

/// Metres to 0.1 m.
pub fn round_m(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Degrees to 1e-7° (about 1 cm).
pub fn round_deg(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// Which tool made a report.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `chargecov`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

impl Tool {
    /// This build of chargecov.
    pub const THIS: Tool = Tool {
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
    };
}

/// A warning with its layer.
#[derive(Debug, Clone, Serialize)]
pub struct ListedWarning {
    /// `areas` or `stations`.
    pub layer: &'static str,
    /// The problem.
    #[serde(flatten)]
    pub issue: FeatureIssue,
}
