//! The coverage map as SVG: areas filled by coverage and distance class,
//! uncovered areas outlined, group boundaries heavier, stations by power
//! tier, a legend; in the HTML report each area also carries a hover
//! title and data attributes.
//!
//! Projection: equirectangular about the data's middle latitude (x scaled
//! by its cosine), which keeps shapes true at the scale of a province;
//! raw degrees would stretch them east–west by 1/cos(lat). Geometry is
//! simplified (Ramer–Douglas–Peucker) to a third of a pixel, so a map of a
//! thousand areas stays small.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use geo::{BoundingRect, Coord, LineString, MapCoords, MultiPolygon, Polygon, Rect, Simplify};

use crate::model::CheckRun;
use crate::report::{AreaReport, Report};

use super::xml_escape as escape;
use crate::units::km_or_dash;

/// Width of the map drawing in px (the legend is added to the right).
pub const MAP_WIDTH: f64 = 900.0;
const LEGEND_WIDTH: f64 = 250.0;
const MARGIN: f64 = 12.0;
/// Simplification tolerance, px.
const SIMPLIFY_PX: f64 = 0.35;

/// Fill classes: covered areas by the distance from their representative
/// point to the nearest qualifying station; uncovered ones by the distance
/// from the area itself.
pub const COVERED_CLASSES: [(f64, &str, &str); 4] = [
    (2_000.0, "#edf8e9", "covered, nearest ≤ 2 km"),
    (5_000.0, "#bae4b3", "covered, 2–5 km"),
    (10_000.0, "#74c476", "covered, 5–10 km"),
    (f64::INFINITY, "#31a354", "covered, > 10 km"),
];
/// The classes of uncovered areas: (upper bound in m, fill colour, legend label).
pub const UNCOVERED_CLASSES: [(f64, &str, &str); 3] = [
    (5_000.0, "#fdbe85", "uncovered, ≤ 5 km away"),
    (20_000.0, "#fd8d3c", "uncovered, 5–20 km away"),
    (f64::INFINITY, "#d94701", "uncovered, > 20 km away"),
];
const NO_STATION: (&str, &str) = ("#bdbdbd", "no qualifying station at all");
const UNCOVERED_OUTLINE: &str = "#a50f15";

/// Station markers by power tier: (at least kW, radius px, fill, label).
pub const TIERS: [(f64, f64, &str, &str); 4] = [
    (480.0, 2.2, "#000000", "≥ 480 kW"),
    (180.0, 1.7, "#54278f", "180–479 kW"),
    (60.0, 1.3, "#2171b5", "60–179 kW"),
    (0.0, 1.0, "#737373", "< 60 kW"),
];
const UNKNOWN_TIER: (f64, &str, &str) = (1.1, "#bdbdbd", "unknown power");

/// An area's fill colour and its legend label.
pub fn fill(area: &AreaReport) -> (&'static str, &'static str) {
    let classify = |classes: &[(f64, &'static str, &'static str)], d: Option<f64>| match d {
        Some(d) => classes
            .iter()
            .find(|(upto, _, _)| d <= *upto)
            .map(|&(_, c, l)| (c, l))
            .unwrap_or(NO_STATION),
        None => NO_STATION,
    };
    if area.covered {
        classify(&COVERED_CLASSES, area.nearest_distance_m)
    } else {
        classify(&UNCOVERED_CLASSES, area.boundary_distance_m)
    }
}

/// Maps lon/lat to SVG pixels.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    lon0: f64,
    lat0: f64,
    cos0: f64,
    scale: f64,
    /// The drawing's width in pixels.
    pub width: f64,
    /// The drawing's height in pixels.
    pub height: f64,
}

impl Frame {
    /// Fits `bounds` into [`MAP_WIDTH`] px wide, keeping the aspect ratio.
    pub fn fit(bounds: Rect<f64>) -> Frame {
        let lat0 = (bounds.min().y + bounds.max().y) / 2.0;
        let cos0 = lat0.to_radians().cos().max(0.01);
        let w = (bounds.width() * cos0).max(1e-9);
        let h = bounds.height().max(1e-9);
        let scale = (MAP_WIDTH - 2.0 * MARGIN) / w;
        Frame {
            lon0: bounds.min().x,
            lat0: bounds.max().y,
            cos0,
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
}

/// SVG path data of a (multi)polygon in pixels, simplified.
fn path_data(frame: &Frame, shape: &MultiPolygon<f64>) -> String {
    let projected: MultiPolygon<f64> = shape.map_coords(|c| frame.px(c));
    let simplified = projected.simplify(SIMPLIFY_PX);
    let mut d = String::new();
    let mut ring = |r: &LineString<f64>| {
        if r.0.len() < 4 {
            return;
        }
        for (k, c) in r.0.iter().take(r.0.len() - 1).enumerate() {
            let _ = write!(d, "{}{:.1} {:.1}", if k == 0 { "M" } else { "L" }, c.x, c.y);
        }
        d.push('Z');
    };
    for polygon in &simplified {
        ring(polygon.exterior());
        for hole in polygon.interiors() {
            ring(hole);
        }
    }
    d
}

/// The hover text of an area.
fn title(a: &AreaReport) -> String {
    let mut t = a.id.clone();
    if let Some(n) = &a.name {
        let _ = write!(t, " {n}");
    }
    if let Some(g) = &a.group {
        let _ = write!(t, " ({g})");
    }
    let _ = write!(
        t,
        ": {}; {} qualifying of {} stations inside; nearest qualifying {} from its centre, {} from the area",
        if a.covered { "covered" } else { "NOT covered" },
        a.qualifying_inside,
        a.stations_inside,
        km_or_dash(a.nearest_distance_m, 2),
        km_or_dash(a.boundary_distance_m, 2)
    );
    t
}

/// Whether to add hover titles and data attributes (HTML) or not (PNG).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// For the HTML page: hover titles and ids on areas.
    Interactive,
    /// For files: the picture alone.
    Static,
}

/// A suggested new site, drawn in a layer of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteMark {
    /// Where (WGS84 lon/lat).
    pub at: Coord<f64>,
    /// Its hover title.
    pub title: String,
}

/// The map with its legend as a standalone SVG document.
pub fn svg(run: &CheckRun, report: &Report, detail: Detail) -> String {
    svg_with_sites(run, report, detail, &[])
}

/// [`svg`] with suggested sites drawn on top, as gold diamonds.
pub fn svg_with_sites(
    run: &CheckRun,
    report: &Report,
    detail: Detail,
    sites: &[SiteMark],
) -> String {
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
    let frame = Frame::fit(bounds);
    let height = frame.height.max(420.0);
    let width = frame.width + LEGEND_WIDTH;
    let mut out = String::with_capacity(1 << 20);
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="map" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">"##
    );
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );

    // Areas.
    let _ = writeln!(
        out,
        r##"<g id="areas" stroke="#ffffff" stroke-width="0.4" fill-rule="evenodd">"##
    );
    for (area, r) in run.areas.areas.iter().zip(&report.areas) {
        let (colour, _) = fill(r);
        let d = path_data(&frame, &area.geometry);
        match detail {
            Detail::Interactive => {
                let _ = writeln!(
                    out,
                    r#"<path class="area{}" data-id="{}" d="{d}" fill="{colour}"><title>{}</title></path>"#,
                    if r.covered { "" } else { " uncovered" },
                    escape(&r.id),
                    escape(&title(r))
                );
            }
            Detail::Static => {
                let _ = writeln!(out, r#"<path d="{d}" fill="{colour}"/>"#);
            }
        }
    }
    let _ = writeln!(out, "</g>");

    // Group boundaries: the outline of each group's union.
    let mut groups: BTreeMap<&str, Vec<Polygon<f64>>> = BTreeMap::new();
    for (area, r) in run.areas.areas.iter().zip(&report.areas) {
        if let Some(g) = &r.group {
            groups
                .entry(g)
                .or_default()
                .extend(area.geometry.iter().cloned());
        }
    }
    let _ = writeln!(
        out,
        r##"<g id="groups" fill="none" stroke="#404040" stroke-width="1.3" stroke-linejoin="round">"##
    );
    for polygons in groups.values() {
        let union = geo::unary_union(polygons.iter());
        let _ = writeln!(out, r#"<path d="{}"/>"#, path_data(&frame, &union));
    }
    let _ = writeln!(out, "</g>");

    // Uncovered areas outlined.
    let _ = writeln!(
        out,
        r##"<g id="uncovered" fill="none" stroke="{UNCOVERED_OUTLINE}" stroke-width="1.8" stroke-linejoin="round">"##
    );
    for (area, r) in run.areas.areas.iter().zip(&report.areas) {
        if !r.covered {
            let _ = writeln!(out, r#"<path d="{}"/>"#, path_data(&frame, &area.geometry));
        }
    }
    let _ = writeln!(out, "</g>");

    // Stations, weakest first so the strongest are on top.
    let _ = writeln!(out, r#"<g id="stations">"#);
    let tier = |kw: Option<f64>| match kw {
        Some(kw) => TIERS
            .iter()
            .position(|t| kw >= t.0)
            .unwrap_or(TIERS.len() - 1),
        None => TIERS.len(),
    };
    let mut order: Vec<usize> = (0..run.stations.stations.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(tier(run.stations.stations[k].power_kw())));
    for k in order {
        let s = &run.stations.stations[k];
        let p = frame.px(s.location);
        if p.x < 0.0 || p.y < 0.0 || p.x > frame.width || p.y > height {
            continue;
        }
        let (r, colour) = match tier(s.power_kw()) {
            t if t < TIERS.len() => (TIERS[t].1, TIERS[t].2),
            _ => (UNKNOWN_TIER.0, UNKNOWN_TIER.1),
        };
        let _ = writeln!(
            out,
            r##"<circle cx="{:.1}" cy="{:.1}" r="{r}" fill="{colour}" stroke="#ffffff" stroke-width="0.3"/>"##,
            p.x, p.y
        );
    }
    let _ = writeln!(out, "</g>");
    if !sites.is_empty() {
        let _ = writeln!(
            out,
            r##"<g id="suggested" fill="{SUGGESTED_FILL}" stroke="#202020" stroke-width="1">"##
        );
        for site in sites {
            let p = frame.px(site.at);
            let (x, y, r) = (p.x, p.y, 5.5);
            let diamond = format!(
                "M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z",
                x,
                y - r,
                x + r,
                y,
                x,
                y + r,
                x - r,
                y
            );
            match detail {
                Detail::Interactive => {
                    let _ = writeln!(
                        out,
                        r#"<path class="suggested" d="{diamond}"><title>{}</title></path>"#,
                        escape(&site.title)
                    );
                }
                Detail::Static => {
                    let _ = writeln!(out, r#"<path d="{diamond}"/>"#);
                }
            }
        }
        let _ = writeln!(out, "</g>");
    }
    legend(&mut out, frame.width + 8.0, report, !sites.is_empty());
    out.push_str("</svg>\n");
    out
}

/// The fill of a suggested site's marker.
const SUGGESTED_FILL: &str = "#ffd400";

fn legend(out: &mut String, x: f64, report: &Report, suggested: bool) {
    let _ = writeln!(out, r#"<g id="legend" transform="translate({x:.0},16)">"#);
    let mut y = 0.0;
    let heading = |out: &mut String, y: &mut f64, text: &str| {
        let _ = writeln!(
            out,
            r##"<text x="0" y="{:.0}" font-weight="bold" fill="#202020">{}</text>"##,
            *y + 10.0,
            escape(text)
        );
        *y += 20.0;
    };
    heading(out, &mut y, "Areas");
    let swatches = COVERED_CLASSES
        .iter()
        .map(|&(_, c, l)| (c, l))
        .chain(UNCOVERED_CLASSES.iter().map(|&(_, c, l)| (c, l)))
        .chain(std::iter::once(NO_STATION));
    for (colour, label) in swatches {
        let _ = writeln!(
            out,
            r##"<rect x="0" y="{y:.0}" width="16" height="12" fill="{colour}" stroke="#808080" stroke-width="0.5"/><text x="22" y="{:.0}" fill="#202020">{}</text>"##,
            y + 10.0,
            escape(label)
        );
        y += 18.0;
    }
    let _ = writeln!(
        out,
        r##"<rect x="0" y="{y:.0}" width="16" height="12" fill="none" stroke="{UNCOVERED_OUTLINE}" stroke-width="1.8"/><text x="22" y="{:.0}" fill="#202020">uncovered (outlined)</text>"##,
        y + 10.0
    );
    y += 18.0;
    let _ = writeln!(
        out,
        r##"<line x1="0" y1="{:.0}" x2="16" y2="{:.0}" stroke="#404040" stroke-width="1.3"/><text x="22" y="{:.0}" fill="#202020">group boundary</text>"##,
        y + 6.0,
        y + 6.0,
        y + 10.0
    );
    y += 28.0;
    heading(out, &mut y, "Stations");
    for &(_, r, colour, label) in &TIERS {
        let _ = writeln!(
            out,
            r##"<circle cx="8" cy="{:.0}" r="{:.1}" fill="{colour}"/><text x="22" y="{:.0}" fill="#202020">{}</text>"##,
            y + 6.0,
            r * 1.6,
            y + 10.0,
            escape(label)
        );
        y += 18.0;
    }
    let _ = writeln!(
        out,
        r##"<circle cx="8" cy="{:.0}" r="{:.1}" fill="{}"/><text x="22" y="{:.0}" fill="#202020">{}</text>"##,
        y + 6.0,
        UNKNOWN_TIER.0 * 1.6,
        UNKNOWN_TIER.1,
        y + 10.0,
        UNKNOWN_TIER.2
    );
    y += 28.0;
    if suggested {
        let _ = writeln!(
            out,
            r##"<path d="M8 {:.0}L13.5 {:.0}L8 {:.0}L2.5 {:.0}Z" fill="{SUGGESTED_FILL}" stroke="#202020"/><text x="22" y="{:.0}" fill="#202020">suggested site</text>"##,
            y + 0.5,
            y + 6.0,
            y + 11.5,
            y + 6.0,
            y + 10.0
        );
        y += 28.0;
    }
    let s = &report.summary;
    let verdict = if s.claim_holds {
        "claim holds"
    } else {
        "claim fails"
    };
    heading(out, &mut y, verdict);
    let _ = writeln!(
        out,
        r##"<text x="0" y="{:.0}" fill="#202020">{} of {} areas covered</text>"##,
        y + 10.0,
        s.areas_covered,
        s.areas_total
    );
    y += 18.0;
    let _ = writeln!(
        out,
        r##"<text x="0" y="{:.0}" fill="#202020">{} {} kW qualifies</text>"##,
        y + 10.0,
        if report.rule.min_power_exclusive {
            "&gt;"
        } else {
            "≥"
        },
        crate::units::trim_float(report.rule.min_power_kw)
    );
    if report.inputs.synthetic {
        y += 18.0;
        let _ = writeln!(
            out,
            r##"<text x="0" y="{:.0}" fill="#a50f15">synthetic demo data</text>"##,
            y + 10.0
        );
    }
    let _ = writeln!(out, "</g>");
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
}
