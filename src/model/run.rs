//! The results of a check run: plain data handed from the pipeline to the
//! report and the writers, so that neither imports the orchestrator.

use crate::assess::Assessment;
use crate::crs::mismatch::Suggestion;
use crate::model::{AreaLayer, StationLayer};
use crate::rules::{Rule, Verdict};
use crate::surface::AreaSurface;

/// What surface analysis to run.
#[derive(Debug, Clone, PartialEq)]
pub struct SurfaceRequest {
    /// Radii in km, in the order asked.
    pub radii_km: Vec<f64>,
    /// How each radius was written (the report's keys, e.g. "2").
    pub labels: Vec<String>,
    /// Keep the uncovered part of each area for the largest radius.
    pub gaps: bool,
}

/// The surface analysis of a run.
#[derive(Debug, Clone)]
pub struct SurfaceRun {
    /// What was asked.
    pub request: SurfaceRequest,
    /// Per area, in layer order.
    pub areas: Vec<AreaSurface>,
}

/// The result of a check, ready to be reported.
#[derive(Debug, Clone)]
pub struct CheckRun {
    /// The area layer as read.
    pub areas: AreaLayer,
    /// The station layer as read.
    pub stations: StationLayer,
    /// The rule judged by.
    pub rule: Rule,
    /// Per station (in layer order): does it qualify under the rule?
    pub qualifies: Vec<bool>,
    /// Per-area facts: containment, nearest stations.
    pub assessment: Assessment,
    /// Per area: covered under the rule?
    pub covered: Vec<bool>,
    /// The verdict on the claim.
    pub verdict: Verdict,
    /// The layers look like they are in different coordinate systems.
    pub crs_mismatch: Option<Suggestion>,
    /// Surface coverage, when asked for.
    pub surface: Option<SurfaceRun>,
    /// Per area: its population, when a population field was named.
    pub population: Option<Vec<Option<f64>>>,
}
