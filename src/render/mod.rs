//! Reports people look at: a self-contained HTML page with a map, a
//! Markdown summary for pull requests, and the map alone as SVG or PNG.
//! Everything is drawn from a finished run and its report; nothing here
//! computes coverage.

pub mod html;
pub mod map;
pub mod markdown;
pub mod png;
