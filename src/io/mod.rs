//! Readers and writers. Readers turn bytes into raw records (see
//! [`raw`]); writers render a finished [`crate::report::Report`].

pub mod area_write;
pub mod output;
pub mod text_report;
