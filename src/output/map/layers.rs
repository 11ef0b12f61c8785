//! The map's layers, in drawing order: areas, gaps, group boundaries,
//! uncovered outlines, stations (or their hexagonal bins), worst-served
//! points, suggested sites; each drawn only when there is something to
//! draw, each a `<g>` with an id the page toggles, each with its legend
//! block.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use geo::{Coord, LineString, MapCoords, MultiPolygon, Polygon, Simplify};

use super::legend::{LegendBlock, LegendItem, Symbol};
use super::scale::Scale;
use super::{Frame, MapInput};
use crate::output::xml_escape as escape;
use crate::units::trim_float;

/// Above this many stations on the map, they are binned (one dot per
/// hexagonal cell, sized by its count) instead of drawn one by one.
pub const AGGREGATE_ABOVE: usize = 3_000;
/// Centre-to-corner size of a bin's hexagon, px.
const HEX_PX: f64 = 8.0;
/// Simplification tolerance, px: the explorable map is zoomed into, the
/// printed one is not.
const SIMPLIFY_EXPLORABLE_PX: f64 = 0.2;
const SIMPLIFY_PRINT_PX: f64 = 0.35;
/// The outline of an uncovered area.
pub const UNCOVERED_OUTLINE: &str = "#000000";
/// The fill of a suggested site's marker.
pub const SUGGESTED_FILL: &str = "#ffd400";
/// The worst-served point's marker.
const WORST_FILL: &str = "#3f007d";

/// Station markers by power tier: (at least kW, radius px, fill, label);
/// blues, darker for stronger, against the areas' yellows and reds.
pub const TIERS: [(f64, f64, &str, &str); 4] = [
    (480.0, 2.4, "#08306b", "≥ 480 kW"),
    (180.0, 2.0, "#2171b5", "180–479 kW"),
    (60.0, 1.7, "#6baed6", "60–179 kW"),
    (0.0, 1.4, "#9e9ac8", "< 60 kW"),
];
const UNKNOWN_TIER: (f64, &str, &str) = (1.4, "#969696", "unknown power");

/// Hatching for gaps (in the map's `defs`).
pub const DEFS: &str = r##"<defs><pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="#ffffff" fill-opacity="0.35"/><line x1="0" y1="0" x2="0" y2="5" stroke="#000000" stroke-width="1.6"/></pattern></defs>"##;

/// How the layers are written.
#[derive(Debug, Clone, Copy)]
pub enum Style<'a> {
    /// The HTML page's map: areas carry the classes of the first scale
    /// (`a m0cK`; the page's stylesheet holds every scale's colours),
    /// markers keep their size under zoom.
    Explorable {
        /// Every metric's scale, the initial one first.
        scales: &'a [Scale],
    },
    /// The printed map: colours as attributes, markers as circles.
    Print {
        /// The metric shown.
        scale: &'a Scale,
    },
}

/// The layers as SVG (without the enclosing element) and their legend.
pub struct Drawn {
    /// The layers' markup.
    pub svg: String,
    /// One block per layer drawn (not the metric's).
    pub legend: Vec<LegendBlock>,
}

/// Writes a tenth of a pixel count as the shortest SVG number.
fn push_tenths(d: &mut String, n: i64) {
    if n < 0 {
        d.push('-');
    } else if !d.is_empty() && !d.ends_with(|c: char| c.is_ascii_alphabetic()) {
        d.push(' ');
    }
    let a = n.unsigned_abs();
    let (whole, tenth) = (a / 10, a % 10);
    if whole > 0 || tenth == 0 {
        let _ = write!(d, "{whole}");
    }
    if tenth > 0 {
        let _ = write!(d, ".{tenth}");
    }
}

fn quantise(c: Coord<f64>) -> (i64, i64) {
    ((c.x * 10.0).round() as i64, (c.y * 10.0).round() as i64)
}

/// SVG path data of polygons already in pixels: quantised to a tenth of
/// a pixel, relative moves, rings that collapse dropped.
fn rings_path(shape: &MultiPolygon<f64>) -> String {
    let mut d = String::new();
    // After `z` the current point is the subpath's start.
    let mut pen = (0i64, 0i64);
    let mut ring = |r: &LineString<f64>| {
        let mut q: Vec<(i64, i64)> = Vec::with_capacity(r.0.len());
        for c in &r.0 {
            let p = quantise(*c);
            if q.last() != Some(&p) {
                q.push(p);
            }
        }
        if q.len() > 1 && q.first() == q.last() {
            q.pop();
        }
        if q.len() < 3 {
            return;
        }
        if d.is_empty() {
            d.push('M');
            push_tenths(&mut d, q[0].0);
            push_tenths(&mut d, q[0].1);
        } else {
            d.push('m');
            push_tenths(&mut d, q[0].0 - pen.0);
            push_tenths(&mut d, q[0].1 - pen.1);
        }
        d.push('l');
        for w in q.windows(2) {
            push_tenths(&mut d, w[1].0 - w[0].0);
            push_tenths(&mut d, w[1].1 - w[0].1);
        }
        d.push('z');
        pen = q[0];
    };
    for polygon in shape {
        ring(polygon.exterior());
        for hole in polygon.interiors() {
            ring(hole);
        }
    }
    d
}

/// Path data of a WGS84 (multi)polygon: projected, simplified, quantised.
fn path_data(frame: &Frame, shape: &MultiPolygon<f64>, tolerance_px: f64) -> String {
    let projected: MultiPolygon<f64> = shape.map_coords(|c| frame.px(c));
    rings_path(&projected.simplify(tolerance_px))
}

/// Points as one path of zero-length round-capped strokes: dots that keep
/// their size under zoom (`vector-effect: non-scaling-stroke`).
fn dots_path(points: &[Coord<f64>]) -> String {
    let mut d = String::new();
    let mut pen = (0i64, 0i64);
    for (k, p) in points.iter().enumerate() {
        let q = quantise(*p);
        d.push(if k == 0 { 'M' } else { 'm' });
        push_tenths(&mut d, q.0 - pen.0);
        push_tenths(&mut d, q.1 - pen.1);
        d.push_str("h0");
        pen = q;
    }
    d
}

/// Markers of one kind: circles in print, a dots path when explorable.
fn markers(out: &mut String, style: &Style, points: &[Coord<f64>], r: f64, fill: &str, halo: &str) {
    if points.is_empty() {
        return;
    }
    match style {
        Style::Explorable { .. } => {
            let d = dots_path(points);
            let _ = writeln!(
                out,
                r#"<path class="dots" d="{d}" stroke="{halo}" stroke-width="{:.1}"/><path class="dots" d="{d}" stroke="{fill}" stroke-width="{:.1}"/>"#,
                2.0 * r + 1.2,
                2.0 * r
            );
        }
        Style::Print { .. } => {
            for p in points {
                let _ = writeln!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="{r:.1}" fill="{fill}" stroke="{halo}" stroke-width="0.6"/>"#,
                    p.x, p.y
                );
            }
        }
    }
}

fn tier_of(kw: Option<f64>) -> usize {
    match kw {
        Some(kw) => TIERS
            .iter()
            .position(|t| kw >= t.0)
            .unwrap_or(TIERS.len() - 1),
        None => TIERS.len(),
    }
}

fn tier_look(t: usize) -> (f64, &'static str, &'static str) {
    if t < TIERS.len() {
        (TIERS[t].1, TIERS[t].2, TIERS[t].3)
    } else {
        UNKNOWN_TIER
    }
}

/// The axial coordinates of the pointy-top hexagon of size `s` holding `p`.
fn hex_of(p: Coord<f64>, s: f64) -> (i32, i32) {
    let q = (3f64.sqrt() / 3.0 * p.x - p.y / 3.0) / s;
    let r = (2.0 / 3.0 * p.y) / s;
    // Round in cube coordinates: fix the component that rounded worst.
    let (x, z) = (q, r);
    let y = -x - z;
    let (mut rx, ry, mut rz) = (x.round(), y.round(), z.round());
    let (dx, dy, dz) = ((rx - x).abs(), (ry - y).abs(), (rz - z).abs());
    if dx > dy && dx > dz {
        rx = -ry - rz;
    } else if dy <= dz {
        rz = -rx - ry;
    }
    (rx as i32, rz as i32)
}

/// Size classes of binned dots: (at least this many stations, radius px).
/// The largest stays within a cell (about 13.9 px between centres), with
/// room for the neighbours' halos.
const BIN_SIZES: [(usize, f64); 5] = [(200, 3.6), (50, 3.0), (10, 2.4), (2, 1.8), (1, 1.3)];

fn bin_size(count: usize) -> usize {
    BIN_SIZES
        .iter()
        .position(|&(n, _)| count >= n)
        .unwrap_or(BIN_SIZES.len() - 1)
}

/// Stations: one by one, or binned above [`AGGREGATE_ABOVE`].
fn stations(
    out: &mut String,
    input: &MapInput,
    frame: &Frame,
    style: &Style,
) -> Option<LegendBlock> {
    let located: Vec<(Coord<f64>, usize)> = input
        .run
        .stations
        .stations
        .iter()
        .map(|s| (frame.px(s.location), tier_of(s.power_kw())))
        .filter(|(p, _)| frame.shows(*p))
        .collect();
    if located.is_empty() {
        return None;
    }
    let _ = writeln!(out, r#"<g id="stations">"#);
    let mut items = Vec::new();
    if located.len() <= AGGREGATE_ABOVE {
        // Weakest first, so the strongest are on top.
        let mut by_tier: BTreeMap<std::cmp::Reverse<usize>, Vec<Coord<f64>>> = BTreeMap::new();
        for (p, t) in &located {
            by_tier.entry(std::cmp::Reverse(*t)).or_default().push(*p);
        }
        for (t, points) in &by_tier {
            let (r, fill, _) = tier_look(t.0);
            markers(out, style, points, r, fill, "#ffffff");
        }
        for t in by_tier.keys().rev() {
            let (r, fill, label) = tier_look(t.0);
            items.push(LegendItem {
                symbol: Symbol::Dot { fill, r: r * 1.4 },
                label: label.to_owned(),
            });
        }
        let _ = writeln!(out, "</g>");
        return Some(LegendBlock {
            key: "stations".to_owned(),
            title: format!("Stations ({})", located.len()),
            items,
        });
    }
    #[derive(Default)]
    struct Bin {
        count: usize,
        best: usize,
        sum: (f64, f64),
    }
    let mut bins: HashMap<(i32, i32), Bin> = HashMap::new();
    for (p, t) in &located {
        let b = bins.entry(hex_of(*p, HEX_PX)).or_insert(Bin {
            best: usize::MAX,
            ..Bin::default()
        });
        b.count += 1;
        b.best = b.best.min(*t);
        b.sum.0 += p.x;
        b.sum.1 += p.y;
    }
    // Dots grouped by (strongest tier, size class), weakest first.
    type WeakestSmallestFirst = (std::cmp::Reverse<usize>, std::cmp::Reverse<usize>);
    let mut groups: BTreeMap<WeakestSmallestFirst, Vec<Coord<f64>>> = BTreeMap::new();
    let mut keys: Vec<&(i32, i32)> = bins.keys().collect();
    keys.sort();
    for key in keys {
        let b = &bins[key];
        groups
            .entry((
                std::cmp::Reverse(b.best),
                std::cmp::Reverse(bin_size(b.count)),
            ))
            .or_default()
            .push(Coord {
                x: b.sum.0 / b.count as f64,
                y: b.sum.1 / b.count as f64,
            });
    }
    let mut tiers_present = std::collections::BTreeSet::new();
    let mut sizes_present = std::collections::BTreeSet::new();
    for ((t, size), points) in &groups {
        let (_, fill, _) = tier_look(t.0);
        markers(out, style, points, BIN_SIZES[size.0].1, fill, "#ffffff");
        tiers_present.insert(t.0);
        sizes_present.insert(size.0);
    }
    let _ = writeln!(out, "</g>");
    let cell_km = HEX_PX * 3f64.sqrt() * frame.km_per_px();
    for t in tiers_present {
        let (_, fill, label) = tier_look(t);
        items.push(LegendItem {
            symbol: Symbol::Dot { fill, r: 3.0 },
            label: format!("strongest in the cell {label}"),
        });
    }
    for s in sizes_present {
        let (n, r) = BIN_SIZES[s];
        let label = match s.checked_sub(1).map(|k| BIN_SIZES[k].0 - 1) {
            Some(upto) if upto > n => format!("{n}–{upto} stations"),
            Some(_) => format!("{n} station{}", if n == 1 { "" } else { "s" }),
            None => format!("≥ {n} stations"),
        };
        items.push(LegendItem {
            symbol: Symbol::Dot { fill: "#bdbdbd", r },
            label,
        });
    }
    Some(LegendBlock {
        key: "stations".to_owned(),
        title: format!(
            "Stations ({}) in {} km cells",
            located.len(),
            trim_float((cell_km * 10.0).round() / 10.0)
        ),
        items,
    })
}

/// Draws every layer that has something to show, bottom to top: areas,
/// gaps, group boundaries, uncovered outlines, stations, worst-served
/// points, suggested sites; each with its legend block.
pub fn draw(input: &MapInput, frame: &Frame, style: Style) -> Drawn {
    let run = input.run;
    let mut out = String::with_capacity(1 << 20);
    let mut legend = Vec::new();
    let tolerance = match style {
        Style::Explorable { .. } => SIMPLIFY_EXPLORABLE_PX,
        Style::Print { .. } => SIMPLIFY_PRINT_PX,
    };
    let paths: Vec<String> = run
        .areas
        .areas
        .iter()
        .map(|a| path_data(frame, &a.geometry, tolerance))
        .collect();
    draw_areas(&mut out, style, &paths);
    draw_gaps(&mut out, &mut legend, input, frame, tolerance);
    draw_groups(&mut out, &mut legend, input, frame, tolerance);
    draw_uncovered(&mut out, &mut legend, input, &paths);
    if let Some(block) = stations(&mut out, input, frame, &style) {
        legend.push(block);
    }
    draw_worst(&mut out, &mut legend, input, frame, style);
    draw_suggested(&mut out, &mut legend, input, frame, style);
    Drawn { svg: out, legend }
}

/// The areas, filled by the first metric's classes.
fn draw_areas(out: &mut String, style: Style, paths: &[String]) {
    let _ = writeln!(out, r#"<g id="areas" fill-rule="evenodd">"#);
    match style {
        Style::Explorable { scales } => {
            for (k, d) in paths.iter().enumerate() {
                let c = scales.first().map_or(0, |s| s.of[k]);
                let _ = writeln!(out, r#"<path class="a m0c{c}" d="{d}"/>"#);
            }
        }
        Style::Print { scale } => {
            for (k, d) in paths.iter().enumerate() {
                let class = &scale.classes[scale.of[k]];
                let _ = writeln!(
                    out,
                    r#"<path d="{d}" fill="{}" stroke="{}" stroke-width="0.4"/>"#,
                    class.fill,
                    class.stroke()
                );
            }
        }
    }
    let _ = writeln!(out, "</g>");
}

/// Gaps: the part of each area beyond the largest radius, hatched.
fn draw_gaps(
    out: &mut String,
    legend: &mut Vec<LegendBlock>,
    input: &MapInput,
    frame: &Frame,
    tolerance: f64,
) {
    let run = input.run;
    if let Some(surface) = &run.surface {
        let gaps: Vec<String> = surface
            .areas
            .iter()
            .filter_map(|a| a.gap.as_ref())
            .map(|g| path_data(frame, g, tolerance))
            .filter(|d| !d.is_empty())
            .collect();
        if !gaps.is_empty() {
            let _ = writeln!(
                out,
                r##"<g id="gaps" fill="url(#hatch)" stroke="#000000" stroke-width="0.6" fill-rule="evenodd">"##
            );
            for d in gaps {
                let _ = writeln!(out, r#"<path d="{d}"/>"#);
            }
            let _ = writeln!(out, "</g>");
            let largest = surface
                .request
                .labels
                .iter()
                .zip(&surface.request.radii_km)
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(l, _)| l.clone())
                .unwrap_or_default();
            legend.push(LegendBlock {
                key: "gaps".to_owned(),
                title: "Gaps".to_owned(),
                items: vec![LegendItem {
                    symbol: Symbol::Hatch,
                    label: format!("> {largest} km from every qualifying station"),
                }],
            });
        }
    }
}

/// Group boundaries: the outline of each group's union.
fn draw_groups(
    out: &mut String,
    legend: &mut Vec<LegendBlock>,
    input: &MapInput,
    frame: &Frame,
    tolerance: f64,
) {
    let (run, report) = (input.run, input.report);
    let mut groups: BTreeMap<&str, Vec<Polygon<f64>>> = BTreeMap::new();
    for (area, r) in run.areas.areas.iter().zip(&report.areas) {
        if let Some(g) = &r.group {
            groups
                .entry(g)
                .or_default()
                .extend(area.geometry.iter().cloned());
        }
    }
    if !groups.is_empty() {
        let _ = writeln!(
            out,
            r##"<g id="groups" fill="none" stroke="#252525" stroke-width="1.3" stroke-linejoin="round">"##
        );
        for polygons in groups.values() {
            let union = geo::unary_union(polygons.iter());
            let _ = writeln!(
                out,
                r#"<path d="{}"/>"#,
                path_data(frame, &union, tolerance)
            );
        }
        let _ = writeln!(out, "</g>");
        legend.push(LegendBlock {
            key: "groups".to_owned(),
            title: "Groups".to_owned(),
            items: vec![LegendItem {
                symbol: Symbol::Outline {
                    stroke: "#252525",
                    width: 1.3,
                },
                label: format!("group boundary ({})", groups.len()),
            }],
        });
    }
}

/// Uncovered areas outlined.
fn draw_uncovered(
    out: &mut String,
    legend: &mut Vec<LegendBlock>,
    input: &MapInput,
    paths: &[String],
) {
    let report = input.report;
    if report.areas.iter().any(|a| !a.covered) {
        let _ = writeln!(
            out,
            r##"<g id="uncovered" fill="none" stroke="{UNCOVERED_OUTLINE}" stroke-width="1.8" stroke-linejoin="round">"##
        );
        for (d, r) in paths.iter().zip(&report.areas) {
            if !r.covered {
                let _ = writeln!(out, r#"<path d="{d}"/>"#);
            }
        }
        let _ = writeln!(out, "</g>");
        legend.push(LegendBlock {
            key: "uncovered".to_owned(),
            title: "Uncovered".to_owned(),
            items: vec![LegendItem {
                symbol: Symbol::Outline {
                    stroke: UNCOVERED_OUTLINE,
                    width: 1.8,
                },
                label: format!("uncovered area ({})", report.summary.areas_uncovered),
            }],
        });
    }
}

/// The worst-served point of each area, when they were found.
fn draw_worst(
    out: &mut String,
    legend: &mut Vec<LegendBlock>,
    input: &MapInput,
    frame: &Frame,
    style: Style,
) {
    let report = input.report;
    let worst: Vec<Coord<f64>> = report
        .areas
        .iter()
        .filter_map(|a| a.worst_point.as_ref())
        .map(|w| frame.px(Coord { x: w.lon, y: w.lat }))
        .filter(|p| frame.shows(*p))
        .collect();
    if !worst.is_empty() {
        let _ = writeln!(out, r#"<g id="worst">"#);
        markers(out, &style, &worst, 2.2, WORST_FILL, "#ffffff");
        let _ = writeln!(out, "</g>");
        legend.push(LegendBlock {
            key: "worst".to_owned(),
            title: "Worst-served points".to_owned(),
            items: vec![LegendItem {
                symbol: Symbol::Dot {
                    fill: WORST_FILL,
                    r: 3.0,
                },
                label: "farthest from every qualifying station".to_owned(),
            }],
        });
    }
}

/// The suggested sites, as diamonds.
fn draw_suggested(
    out: &mut String,
    legend: &mut Vec<LegendBlock>,
    input: &MapInput,
    frame: &Frame,
    style: Style,
) {
    if !input.sites.is_empty() {
        let _ = writeln!(
            out,
            r##"<g id="suggested" fill="{SUGGESTED_FILL}" stroke="#202020" stroke-width="1">"##
        );
        for site in input.sites {
            let p = frame.px(site.at);
            match style {
                Style::Explorable { .. } => {
                    let d = dots_path(&[p]);
                    let _ = writeln!(
                        out,
                        r##"<g class="site"><title>{}</title><path class="dots" d="{d}" stroke="#202020" stroke-width="11"/><path class="dots" d="{d}" stroke="{SUGGESTED_FILL}" stroke-width="8"/></g>"##,
                        escape(&site.title())
                    );
                }
                Style::Print { .. } => {
                    let _ = writeln!(
                        out,
                        r#"<path d="M{:.1} {:.1}l5.5 5.5l-5.5 5.5l-5.5 -5.5z"/>"#,
                        p.x,
                        p.y - 5.5
                    );
                }
            }
        }
        let _ = writeln!(out, "</g>");
        legend.push(LegendBlock {
            key: "suggested".to_owned(),
            title: "Suggested".to_owned(),
            items: vec![LegendItem {
                symbol: Symbol::Diamond {
                    fill: SUGGESTED_FILL,
                },
                label: format!("suggested site ({})", input.sites.len()),
            }],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn paths_are_quantised_relative_moves() {
        // A square with a hole, in pixels: absolute start, relative steps
        // in tenths, the hole's move relative to the outer ring's start.
        let shape = MultiPolygon(vec![polygon!(
            exterior: [(x: 10.0, y: 10.0), (x: 20.04, y: 10.0), (x: 20.04, y: 20.0), (x: 10.0, y: 20.0)],
            interiors: [[(x: 12.0, y: 12.0), (x: 12.0, y: 13.56), (x: 13.0, y: 13.56)]],
        )]);
        assert_eq!(rings_path(&shape), "M10 10l10 0 0 10-10 0zm2 2l0 1.6 1 0z");
        // A ring that collapses to fewer than three points is dropped.
        let sliver = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 0.01, y: 0.0), (x: 0.0, y: 0.01)],
        ]);
        assert_eq!(rings_path(&sliver), "");
        let mut d = String::new();
        for n in [0, 5, -5, 123, -10] {
            push_tenths(&mut d, n);
        }
        assert_eq!(d, "0 .5-.5 12.3-1");
    }

    #[test]
    fn dots_are_relative_zero_length_strokes() {
        let d = dots_path(&[Coord { x: 1.0, y: 2.0 }, Coord { x: 1.5, y: 1.0 }]);
        assert_eq!(d, "M1 2h0m.5-1h0");
    }

    #[test]
    fn hexagon_bins_hold_their_points() {
        // Every point lies in the hexagon whose centre is nearest: the
        // centre of (q, r) is (s√3(q + r/2), 1.5 s r) for pointy-top hexes.
        let s = 6.0;
        let centre = |(q, r): (i32, i32)| Coord {
            x: s * 3f64.sqrt() * (q as f64 + r as f64 / 2.0),
            y: 1.5 * s * r as f64,
        };
        let dist =
            |a: Coord<f64>, b: Coord<f64>| ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
        for i in 0..40 {
            for j in 0..40 {
                let p = Coord {
                    x: i as f64 * 0.77 - 3.0,
                    y: j as f64 * 0.61 - 2.0,
                };
                let h = hex_of(p, s);
                let mine = dist(p, centre(h));
                for dq in -1..=1 {
                    for dr in -1..=1 {
                        let other = centre((h.0 + dq, h.1 + dr));
                        assert!(mine <= dist(p, other) + 1e-9, "{p:?} in {h:?}");
                    }
                }
            }
        }
    }
}
