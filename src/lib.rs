//! # chargecov
//!
//! Checks charging-infrastructure coverage claims against the map:
//! boundary polygons and charger points in, a verdict, distance
//! statistics and the uncovered areas out.
//!
//! The pipeline runs one way — read → normalise → index → assess → judge →
//! report — with one module per stage and plain data between them:
//!
//! ```
//! use chargecov::{CheckConfig, Report, Rule, Source, demo, run_check};
//! use chargecov::progress::Silent;
//! # fn main() -> chargecov::Result<()> {
//! // Files would be `Source::Path("townships.geojson".into())`; here the
//! // embedded demo city.
//! let mut config = CheckConfig::new(demo::areas(), demo::stations());
//! config.rule = Rule { min_power_kw: 480.0, ..Rule::default() };
//! let run = run_check(&config, &Silent)?;
//! let report = Report::new(&run, true);
//! println!("claim holds: {}", report.summary.claim_holds);
//! # Ok(()) }
//! ```
//!
//! Station feeds may give power in several fields or nested arrays, be
//! filtered, and be grouped into sites ([`feed`], [`pools`]); policy
//! claims are data ([`rules::claims`]). Corridor claims ("a site every 60 km
//! along the motorway") are judged on a road network ([`corridor`],
//! [`run_corridor`]).
//!
//! Layers enter through one reader seam ([`input`]) in any format it
//! reads, from files, standard input or bytes ([`Source::from_bytes`]);
//! results leave through one writer module ([`output`]). Without default
//! features the crate is the engine alone (no command line, rendering or
//! generator).
//!
//! Distances are geodesic metres on WGS84; no distance is ever compared in
//! degrees. The library never prints and never exits; errors are typed
//! ([`Error`]) and name the file, the feature and what to do.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The commands, each a folder with its config, run and report.
pub mod check;
pub mod corridor;
pub mod diff;
#[cfg(feature = "generate")]
pub mod generate;
pub mod suggest;
pub mod validate;

// One door in, one door out.
pub mod input;
pub mod output;

// The stages between them, and the plain data they hand on.
pub mod assess;
pub mod crs;
pub mod feed;
pub mod fields;
pub mod model;
pub mod normalise;
pub mod pools;
pub mod rules;
pub mod surface;

// Foundations.
pub mod demo;
pub mod error;
pub mod geodesy;
pub mod index;
pub mod issues;
pub mod power;
pub mod progress;
pub mod scratch;
pub mod units;

// Details of the stages, not an interface: what they expose is re-exported
// where it appears (e.g. [`DistanceStats`] in a report).
mod coincident;
#[doc(hidden)]
pub mod contained;
mod prepare;
mod reporting;
mod stats;
mod validity;

pub use check::{CheckConfig, CheckRun, Report, run_check};
pub use corridor::{CorridorConfig, run_corridor};
pub use diff::{DiffConfig, run_diff};
pub use error::{Error, Result};
pub use fields::{AreaFieldSpecs, StationFieldSpecs};
pub use input::{InputFormat, Source};
pub use model::{Area, Station};
pub use output::layer::{LayerFormat, OutputLayer};
pub use reporting::{ListedWarning, Tool};
pub use rules::Rule;
pub use rules::claims::Claim;
pub use stats::DistanceStats;
pub use suggest::{SuggestConfig, run_suggest};
pub use validate::{ValidateConfig, run_validate};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
