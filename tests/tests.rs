//! The integration tests: one target with a module per area, so that a
//! fresh `cargo test` links the whole dependency set once instead of once
//! per file. The fuzzer (`tests/fuzz.rs`) is a target of its own: it
//! silences the panic hook while it runs, which must not hide the messages
//! of tests running beside it.
//!
//! Run one area with its module name: `cargo test --test integration corridor::`.

mod common;

// The `check` command and its inputs.
mod check_crs;
mod check_errors;
mod check_fixtures;
mod claims;
mod demo;
mod feeds;
mod hostile;
mod invariants;
mod library;
mod surface;

// Readers and writers, against the reference tools.
mod fgb;
mod formats;
mod gpkg;
mod outputs;
mod peer_files;
mod roundtrip;
mod shapefile;

// The other commands.
mod corridor;
mod diff;
mod generate;
mod shell;
mod suggest;
mod validate;

// Reports and CI formats.
mod browser;
mod ci_examples;
mod ci_formats;
mod reports;

// The crate's own shape: the README's Layout, the order of modules.
mod layout;

// Real data from `../shared/data`, against shapely and pyproj.
mod real_chongqing;
mod real_germany;
mod real_shenzhen;
