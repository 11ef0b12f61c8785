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
//! claims are data ([`claims`]). Corridor claims ("a site every 60 km
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

pub mod assess;
pub mod check;
pub mod coincident;
pub mod contained;
pub mod corridor;
pub mod crs;
pub mod demo;
pub mod diff;
pub mod error;
pub mod feed;
pub mod fields;
#[cfg(feature = "generate")]
pub mod generate;
pub mod geodesy;
pub mod index;
pub mod input;
pub mod issues;
pub mod model;
pub mod normalise;
pub mod output;
pub mod pools;
pub mod power;
pub mod prepare;
pub mod progress;
pub mod reporting;
pub mod rules;
pub mod scratch;
pub mod stats;
pub mod suggest;
pub mod surface;
pub mod units;
pub mod validate;
pub mod validity;

pub use check::{CheckConfig, run_check};
pub use check::{CheckRun, Report};
pub use corridor::{CorridorConfig, run_corridor};
pub use error::{Error, Result};
pub use fields::{AreaFieldSpecs, StationFieldSpecs};
pub use input::{InputFormat, Source};
pub use model::{Area, Station};
pub use rules::Rule;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
