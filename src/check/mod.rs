//! `chargecov check`: does every area have a qualifying charger? The
//! pipeline (read → normalise → index → assess → judge, [`run_check`]),
//! what it is asked ([`CheckConfig`]), and the JSON report drawn from its
//! result ([`report`]), so the same run can be rendered as text, JSON and
//! GeoJSON without recomputing anything.

mod config;
pub mod report;
mod run;

pub use config::CheckConfig;
pub use report::Report;
pub use run::{CheckRun, SurfaceRequest, SurfaceRun, assess_layers, run_check};
