//! Reports people look at: a self-contained HTML page with a map, a
//! Markdown summary for pull requests, and the map alone as SVG or PNG.
//! Everything is drawn from a finished run and its report; nothing here
//! computes coverage.

pub mod html;
pub mod map;
pub mod markdown;
pub mod png;

/// Text for HTML and SVG: the five XML special characters escaped.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Metres as kilometres with two decimals; a dash for none.
pub(crate) fn km2(m: Option<f64>) -> String {
    m.map_or_else(|| "—".to_owned(), |m| format!("{:.2}", m / 1000.0))
}
