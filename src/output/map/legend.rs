//! The legend as data: blocks of items, one block per metric and per
//! layer drawn, each listing only the classes that occur. The printed map
//! draws them in SVG, the HTML page as markup it shows and hides with the
//! layers and the metric selector.

use std::fmt::Write as _;

use super::scale::Scale;
use crate::output::xml_escape as escape;

/// How an item is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Symbol {
    /// A filled swatch with its border.
    Fill {
        /// Fill colour.
        fill: &'static str,
        /// Border colour.
        stroke: &'static str,
    },
    /// An unfilled outline.
    Outline {
        /// Its colour.
        stroke: &'static str,
        /// Its width, px.
        width: f64,
    },
    /// A hatched swatch (gaps).
    Hatch,
    /// A dot.
    Dot {
        /// Fill colour.
        fill: &'static str,
        /// Radius, px.
        r: f64,
    },
    /// A diamond (suggested sites).
    Diamond {
        /// Fill colour.
        fill: &'static str,
    },
}

/// One legend line.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    /// Its symbol.
    pub symbol: Symbol,
    /// Its text.
    pub label: String,
}

/// A heading with its items: a metric's classes or a layer's symbols.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendBlock {
    /// `metric:KEY` or the layer's element id.
    pub key: String,
    /// The heading.
    pub title: String,
    /// The lines, in order.
    pub items: Vec<LegendItem>,
}

/// The block of a metric: the classes some area falls in.
pub fn metric_block(scale: &Scale) -> LegendBlock {
    LegendBlock {
        key: format!("metric:{}", scale.metric.key()),
        title: format!("Areas: {}", scale.title),
        items: scale
            .present()
            .into_iter()
            .map(|(_, c)| LegendItem {
                symbol: Symbol::Fill {
                    fill: c.fill,
                    stroke: c.stroke(),
                },
                label: c.label.clone(),
            })
            .collect(),
    }
}

/// A symbol as SVG, drawn in a 16 × 12 box at (x, y).
pub fn symbol_svg(symbol: &Symbol, x: f64, y: f64) -> String {
    match symbol {
        Symbol::Fill { fill, stroke } => format!(
            r#"<rect x="{x:.0}" y="{y:.0}" width="16" height="12" fill="{fill}" stroke="{stroke}" stroke-width="0.8"/>"#
        ),
        Symbol::Outline { stroke, width } => format!(
            r#"<rect x="{:.0}" y="{:.0}" width="15" height="11" fill="none" stroke="{stroke}" stroke-width="{width}"/>"#,
            x + 0.5,
            y + 0.5
        ),
        Symbol::Hatch => format!(
            r##"<rect x="{x:.0}" y="{y:.0}" width="16" height="12" fill="url(#hatch)" stroke="#000000" stroke-width="0.8"/>"##
        ),
        Symbol::Dot { fill, r } => format!(
            r##"<circle cx="{:.1}" cy="{:.1}" r="{r:.1}" fill="{fill}" stroke="#ffffff" stroke-width="0.6"/>"##,
            x + 8.0,
            y + 6.0
        ),
        Symbol::Diamond { fill } => format!(
            r##"<path d="M{:.1} {:.1}l5.5 5.5l-5.5 5.5l-5.5 -5.5z" fill="{fill}" stroke="#202020"/>"##,
            x + 8.0,
            y + 0.5
        ),
    }
}

/// Legend blocks as SVG at (x, y); returns the markup and the height used.
pub fn blocks_svg(blocks: &[&LegendBlock], x: f64, y: f64) -> (String, f64) {
    let mut out = String::new();
    let mut at = y;
    for block in blocks {
        let _ = writeln!(
            out,
            r##"<text x="{x:.0}" y="{:.0}" font-weight="bold" fill="#202020">{}</text>"##,
            at + 10.0,
            escape(&block.title)
        );
        at += 18.0;
        for item in &block.items {
            out.push_str(&symbol_svg(&item.symbol, x, at));
            let _ = writeln!(
                out,
                r##"<text x="{:.0}" y="{:.0}" fill="#202020">{}</text>"##,
                x + 22.0,
                at + 10.0,
                escape(&item.label)
            );
            at += 17.0;
        }
        at += 10.0;
    }
    (out, at - y)
}

/// Legend blocks as HTML: one `<div class="legend-block" data-key>` each,
/// every symbol an inline SVG (the hatch pattern from the map's `defs`).
pub fn blocks_html(blocks: &[LegendBlock]) -> String {
    let mut out = String::new();
    for block in blocks {
        let _ = write!(
            out,
            r#"<div class="legend-block" data-key="{}"><b>{}</b>"#,
            escape(&block.key),
            escape(&block.title)
        );
        for item in &block.items {
            let _ = write!(
                out,
                r#"<div class="legend-item"><svg width="18" height="14" viewBox="-1 -1 18 14">{}</svg> {}</div>"#,
                symbol_svg(&item.symbol, 0.0, 0.0),
                escape(&item.label)
            );
        }
        out.push_str("</div>\n");
    }
    out
}
