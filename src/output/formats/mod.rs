//! Writers per format, shared by every command's layers and reports: the
//! typed layer formats (from [`ShapeRecord`](crate::output::ShapeRecord)s),
//! the PNG raster of an SVG, and what CI systems read.

pub mod ci;
#[cfg(feature = "fgb")]
pub mod fgb;
#[cfg(feature = "gpkg")]
pub mod gpkg;
#[cfg(feature = "parquet")]
pub mod parquet;
#[cfg(feature = "render")]
pub mod png;
