//! What `chargecov check` writes: the text summary, the area layers
//! (uncovered areas, every area's facts, gaps), the sites judged, the HTML
//! page, the Markdown summary and the CI formats.

pub mod areas;
pub mod ci;
#[cfg(feature = "render")]
pub mod html;
#[cfg(feature = "render")]
pub mod markdown;
pub mod sites;
pub mod text;
