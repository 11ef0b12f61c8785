//! Readers and writers. Readers turn bytes into raw records (see
//! [`raw`]); writers render a finished [`crate::report::Report`].

pub mod area_write;
pub mod csv_read;
pub mod geojson_read;
pub mod geojson_split;
pub mod output;
pub mod raw;
pub mod source;
pub mod text_report;
