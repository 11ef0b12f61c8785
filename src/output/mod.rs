//! One door out: every writer. The text summary and the JSON report, area
//! tables (GeoJSON, CSV), gaps, the HTML page, the Markdown summary, the
//! map as SVG and PNG, and the `validate` and `diff` renderers — all drawn
//! from finished results, none computing coverage; files are staged and
//! committed all-or-nothing ([`staged`]). Formatting shared by the
//! writers is here too.

pub mod areas;
pub mod diff;
#[cfg(feature = "gpkg")]
pub mod gpkg;
#[cfg(feature = "render")]
pub mod html;
#[cfg(feature = "render")]
pub mod map;
#[cfg(feature = "render")]
pub mod markdown;
#[cfg(feature = "render")]
pub mod png;
pub mod staged;
pub mod text;
pub mod validate;

/// One output feature for writers of formats other than GeoJSON: its
/// geometry (in the output CRS) and its properties, in order.
pub type ShapeRecord = (
    geo::MultiPolygon<f64>,
    serde_json::Map<String, serde_json::Value>,
);

/// Text for XML, HTML and SVG: the five XML special characters escaped,
/// and the control characters XML 1.0 cannot carry replaced.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}\n"
        );
    }
}
