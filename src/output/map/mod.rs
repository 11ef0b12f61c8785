//! The coverage map as SVG, in two shapes: the explorable map of the HTML
//! report (layers the page can toggle, areas classed so a metric selector
//! can recolour them, markers that keep their size under zoom) and the
//! printed map (`--svg`, `--png`: title, subtitle, scale bar, north
//! arrow, legend of the classes present, attribution).
//!
//! Projection: equirectangular about the data's middle latitude (x scaled
//! by its cosine), which keeps shapes true at the scale of a province;
//! raw degrees would stretch them east–west by 1/cos(lat). Geometry is
//! simplified (Ramer–Douglas–Peucker) below a pixel, quantised to a tenth
//! of a pixel and written as relative moves, so 10,000 areas stay a few
//! megabytes. More than [`AGGREGATE_ABOVE`] stations are binned into
//! hexagonal cells, one dot per cell sized by its count.

mod layers;
pub mod legend;
mod print;
pub mod scale;

use geo::{BoundingRect, Coord, Rect};

use crate::check::CheckRun;
use crate::check::report::Report;

pub use layers::AGGREGATE_ABOVE;
pub use legend::{LegendBlock, LegendItem, Symbol};
pub use print::print_svg;
pub use scale::{Metric, Scale};

/// Width of the map drawing in px (the printed map adds its legend to
/// the right).
pub const MAP_WIDTH: f64 = 900.0;
const MARGIN: f64 = 12.0;

/// Maps lon/lat to SVG pixels.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    lon0: f64,
    lat0: f64,
    cos0: f64,
    lat_mid: f64,
    scale: f64,
    /// The drawing's width in pixels.
    pub width: f64,
    /// The drawing's height in pixels.
    pub height: f64,
}

impl Frame {
    /// Fits `bounds` into [`MAP_WIDTH`] px wide, keeping the aspect ratio.
    pub fn fit(bounds: Rect<f64>) -> Frame {
        let lat_mid = (bounds.min().y + bounds.max().y) / 2.0;
        let cos0 = lat_mid.to_radians().cos().max(0.01);
        let w = (bounds.width() * cos0).max(1e-9);
        let h = bounds.height().max(1e-9);
        let scale = (MAP_WIDTH - 2.0 * MARGIN) / w;
        Frame {
            lon0: bounds.min().x,
            lat0: bounds.max().y,
            cos0,
            lat_mid,
            scale,
            width: MAP_WIDTH,
            height: (h * scale + 2.0 * MARGIN).clamp(200.0, 2400.0),
        }
    }

    /// A WGS84 position in pixels.
    pub fn px(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: MARGIN + (c.x - self.lon0) * self.cos0 * self.scale,
            y: MARGIN + (self.lat0 - c.y) * self.scale,
        }
    }

    /// Kilometres per pixel along the middle latitude, where the
    /// projection's scale is true (geodesic on WGS84).
    pub fn km_per_px(&self) -> f64 {
        let a = Coord {
            x: self.lon0,
            y: self.lat_mid,
        };
        let b = Coord {
            x: self.lon0 + 1.0,
            y: self.lat_mid,
        };
        crate::geodesy::distance_m(a, b) / 1000.0 / (self.cos0 * self.scale)
    }

    /// The latitude the scale is true at.
    pub fn true_scale_lat(&self) -> f64 {
        self.lat_mid
    }

    /// Whether a pixel position falls on the drawing.
    fn shows(&self, p: Coord<f64>) -> bool {
        p.x >= 0.0 && p.y >= 0.0 && p.x <= self.width && p.y <= self.height
    }

    /// The frame of a layer of areas (a unit square when there are none).
    pub fn of_areas(run: &CheckRun) -> Frame {
        let bounds = run
            .areas
            .areas
            .iter()
            .filter_map(|a| a.geometry.bounding_rect())
            .reduce(|a, b| {
                Rect::new(
                    Coord {
                        x: a.min().x.min(b.min().x),
                        y: a.min().y.min(b.min().y),
                    },
                    Coord {
                        x: a.max().x.max(b.max().x),
                        y: a.max().y.max(b.max().y),
                    },
                )
            })
            .unwrap_or(Rect::new(
                Coord { x: 0.0, y: 0.0 },
                Coord { x: 1.0, y: 1.0 },
            ));
        Frame::fit(bounds)
    }
}

/// A suggested new site, drawn in a layer of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteMark {
    /// Where (WGS84 lon/lat).
    pub at: Coord<f64>,
    /// Its rank (1 serves the most).
    pub rank: usize,
    /// The ids of the areas it newly serves.
    pub serves: Vec<String>,
}

impl SiteMark {
    /// Its hover text.
    pub fn title(&self) -> String {
        let shown: Vec<&str> = self.serves.iter().take(5).map(String::as_str).collect();
        format!(
            "suggested site {}: newly serves {} area{}{}",
            self.rank,
            self.serves.len(),
            if self.serves.len() == 1 { "" } else { "s" },
            if shown.is_empty() {
                String::new()
            } else {
                format!(
                    " ({}{})",
                    shown.join(", "),
                    if self.serves.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                )
            }
        )
    }
}

/// Everything a map is drawn from.
#[derive(Debug, Clone, Copy)]
pub struct MapInput<'a> {
    /// The check as run.
    pub run: &'a CheckRun,
    /// Its report.
    pub report: &'a Report,
    /// Suggested sites, if any.
    pub sites: &'a [SiteMark],
    /// An attribution for the data (the printed map's foot line).
    pub attribution: Option<&'a str>,
}

impl<'a> MapInput<'a> {
    /// A check's map without sites or attribution.
    pub fn new(run: &'a CheckRun, report: &'a Report) -> MapInput<'a> {
        MapInput {
            run,
            report,
            sites: &[],
            attribution: None,
        }
    }
}

/// The explorable map for the HTML page: the layers inside
/// `<g id="viewport">` (which the page pans and zooms), areas classed by
/// `scales[0]`'s classes (`a m0cK`), and the legend blocks, one per layer
/// drawn and one per scale.
pub fn explorable(input: &MapInput, scales: &[Scale]) -> (String, Vec<LegendBlock>) {
    let frame = Frame::of_areas(input.run);
    let drawn = layers::draw(input, &frame, layers::Style::Explorable { scales });
    let mut svg = String::with_capacity(drawn.svg.len() + 512);
    svg.push_str(&format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="map" viewBox="0 0 {w:.0} {h:.0}" tabindex="0" role="img" aria-label="coverage map" font-family="DejaVu Sans, Noto Sans CJK SC, sans-serif">"##,
        w = frame.width,
        h = frame.height
    ));
    svg.push_str(layers::DEFS);
    svg.push_str(
        r##"<rect id="map-bg" width="100%" height="100%" fill="#ffffff"/><g id="viewport">"##,
    );
    svg.push_str(&drawn.svg);
    svg.push_str("</g></svg>\n");
    let mut blocks: Vec<LegendBlock> = scales.iter().map(legend::metric_block).collect();
    blocks.extend(drawn.legend);
    (svg, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_keeps_true_shape_at_the_latitude() {
        // One degree square at 60° N: half as wide as tall on the map.
        let f = Frame::fit(Rect::new(
            Coord { x: 10.0, y: 59.5 },
            Coord { x: 11.0, y: 60.5 },
        ));
        let a = f.px(Coord { x: 10.0, y: 60.0 });
        let b = f.px(Coord { x: 11.0, y: 60.0 });
        let c = f.px(Coord { x: 10.0, y: 59.0 });
        let ratio = (b.x - a.x) / (c.y - a.y);
        assert!((ratio - 0.5).abs() < 0.01, "{ratio}");
        // North is up.
        assert!(f.px(Coord { x: 10.0, y: 60.5 }).y < f.px(Coord { x: 10.0, y: 59.5 }).y);
    }

    #[test]
    fn scale_bar_kilometres_per_pixel() {
        // A degree of longitude on the equator is 111.32 km (WGS84
        // semi-major axis × π/180); fitted into 876 px (900 − margins),
        // a pixel is 111.32 / 876 km.
        let f = Frame::fit(Rect::new(
            Coord { x: 0.0, y: -0.5 },
            Coord { x: 1.0, y: 0.5 },
        ));
        let expected = 6378.137 * std::f64::consts::PI / 180.0 / 876.0;
        assert!((f.km_per_px() - expected).abs() < 1e-6, "{}", f.km_per_px());
    }
}
