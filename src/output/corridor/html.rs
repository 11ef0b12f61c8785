//! The corridor report as one self-contained HTML file: the verdict, the
//! inputs, a map of the roads coloured by the gap each stretch lies in
//! (stretches longer than the spacing drawn thick, in red), the qualifying
//! sites placed on the roads, those too far from any road, the suggested
//! sites, and sortable tables of routes and stretches. The map pans and
//! zooms and its layers toggle (the check report's explorer script). No
//! network.

use std::fmt::Write as _;

use geo::{BoundingRect, Coord, LineString, MultiPoint, Rect, Simplify};

use crate::corridor::CorridorRun;
use crate::corridor::report::CorridorReport;
use crate::units::trim_float;

use crate::output::map::Frame;
use crate::output::xml_escape as escape;

/// Simplification tolerance of road lines, px.
const SIMPLIFY_PX: f64 = 0.4;

/// Road classes by the length of the gap a stretch lies in, as a share of
/// the spacing: darker is a longer gap; red is over the spacing.
const ROAD_CLASSES: [(f64, &str, f64, &str); 3] = [
    (0.5, "#9ecae1", 1.5, "gap ≤ half the spacing"),
    (1.0, "#3182bd", 1.5, "gap ≤ the spacing"),
    (f64::INFINITY, "#cb181d", 3.5, "gap longer than the spacing"),
];
/// Placed sites by the power the rule saw (kW at least, colour, radius,
/// legend label); darker is stronger.
const TIERS: [(f64, &str, f64, &str); 3] = [
    (350.0, "#00441b", 4.5, "site on a road, ≥ 350 kW"),
    (150.0, "#238b45", 3.5, "site on a road, 150–350 kW"),
    (
        f64::NEG_INFINITY,
        "#74c476",
        3.0,
        "site on a road, < 150 kW or unknown",
    ),
];

fn tier(kw: Option<f64>) -> usize {
    let kw = kw.unwrap_or(f64::NEG_INFINITY);
    TIERS
        .iter()
        .position(|(at_least, ..)| kw >= *at_least)
        .unwrap_or(TIERS.len() - 1)
}
const OFF_ROAD: &str = "#969696";
const SUGGESTED: &str = "#6a51a3";

/// The check report's style, with road lines that answer the pointer.
fn style() -> String {
    format!(
        "{}{}#map polyline:hover{{stroke:#000}}\n#map .keep-size{{transform-box:fill-box;transform-origin:center;transform:scale(calc(1 / var(--k, 1)))}}\n",
        crate::output::check::html::STYLE,
        crate::output::explore::STYLE
    )
}

fn class_of(gap_m: f64, spacing_m: f64) -> usize {
    ROAD_CLASSES
        .iter()
        .position(|(upto, ..)| gap_m <= upto * spacing_m + crate::corridor::gaps::TOLERANCE_M)
        .unwrap_or(ROAD_CLASSES.len() - 1)
}

fn points(frame: &Frame, line: &[Coord<f64>]) -> String {
    let projected: LineString<f64> = line.iter().map(|&c| frame.px(c)).collect();
    let simplified = projected.simplify(SIMPLIFY_PX);
    let mut out = String::new();
    for (k, c) in simplified.0.iter().enumerate() {
        let _ = write!(
            out,
            "{}{:.1},{:.1}",
            if k == 0 { "" } else { " " },
            c.x,
            c.y
        );
    }
    out
}

/// The map: roads by gap class, sites, suggested sites, and a legend of
/// the classes present; with the layers drawn (element id, label) for the
/// toolbar's checkboxes.
fn svg(run: &CorridorRun, report: &CorridorReport) -> (String, Vec<(&'static str, &'static str)>) {
    let all: MultiPoint<f64> = run
        .paths
        .iter()
        .flat_map(|p| p.coords.iter().copied())
        .map(geo::Point)
        .collect();
    let bounds = all
        .bounding_rect()
        .unwrap_or_else(|| Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 1.0 }));
    let frame = Frame::fit(bounds);
    let legend_w = 260.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg id="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" data-map-width="{mw:.0}" tabindex="0" role="img" aria-label="corridor map" font-family="DejaVu Sans, Noto Sans CJK SC, sans-serif" font-size="12"><clipPath id="map-clip"><rect width="{mw:.0}" height="{h:.0}"/></clipPath><rect width="{mw:.0}" height="{h:.0}" fill="#ffffff"/><g clip-path="url(#map-clip)"><g id="viewport"><g id="roads">"##,
        w = frame.width + legend_w,
        mw = frame.width,
        h = frame.height
    );
    let mut present = [false; 3];
    // Longer gaps drawn last, on top.
    for class in 0..ROAD_CLASSES.len() {
        let (_, colour, width, _) = ROAD_CLASSES[class];
        for g in &run.gaps {
            if class_of(g.length_m(), run.spacing_m) != class || g.length_m() <= 0.0 {
                continue;
            }
            present[class] = true;
            let path = &run.paths[g.path as usize];
            let _ = writeln!(
                out,
                r#"<polyline fill="none" stroke="{colour}" stroke-width="{width}" stroke-linecap="round" points="{}"><title>{} {} (path {}): km {:.1}–{:.1}, gap {:.1} km</title></polyline>"#,
                points(&frame, &path.substring(g.from_m, g.to_m)),
                escape(&run.network.routes[path.route as usize]),
                path.direction.name(),
                g.path,
                g.from_m / 1000.0,
                g.to_m / 1000.0,
                g.length_m() / 1000.0
            );
        }
    }
    out.push_str("</g>\n");
    let mut placed = vec![false; run.stations.stations.len()];
    for s in &run.snaps {
        placed[s.site as usize] = true;
    }
    let mut tiers_drawn = [false; TIERS.len()];
    let mut any_off = false;
    let (mut on_road, mut off_road) = (String::new(), String::new());
    for (i, station) in run.stations.stations.iter().enumerate() {
        if !run.qualifies[i] {
            continue;
        }
        let p = frame.px(station.location);
        if p.x < 0.0 || p.y < 0.0 || p.x > frame.width || p.y > frame.height {
            continue;
        }
        let title = format!(
            "{}: {} kW",
            station.label(),
            station.power_kw().map_or("?".to_owned(), trim_float)
        );
        if placed[i] {
            let t = tier(station.power_kw());
            tiers_drawn[t] = true;
            let (_, colour, radius, _) = TIERS[t];
            let _ = writeln!(
                on_road,
                r##"<circle class="site" cx="{:.1}" cy="{:.1}" r="{radius}" style="r:calc({radius}px / var(--k, 1))" fill="{colour}" stroke="#fff" stroke-width="1"><title>{}</title></circle>"##,
                p.x,
                p.y,
                escape(&title)
            );
        } else {
            any_off = true;
            let _ = writeln!(
                off_road,
                r#"<circle class="off-road" cx="{:.1}" cy="{:.1}" r="3" style="r:calc(3px / var(--k, 1))" fill="none" stroke="{OFF_ROAD}" stroke-width="1.2"><title>{} (farther than the offset from every road)</title></circle>"#,
                p.x,
                p.y,
                escape(&title)
            );
        }
    }
    let mut layers = vec![("roads", "roads")];
    if !on_road.is_empty() {
        let _ = writeln!(out, r#"<g id="sites">{on_road}</g>"#);
        layers.push(("sites", "sites on roads"));
    }
    if !off_road.is_empty() {
        let _ = writeln!(out, r#"<g id="off-road">{off_road}</g>"#);
        layers.push(("off-road", "sites off the roads"));
    }
    let suggested = report.suggested.as_deref().unwrap_or(&[]);
    if !suggested.is_empty() {
        out.push_str(r#"<g id="suggested">"#);
        layers.push(("suggested", "suggested sites"));
    }
    for s in suggested {
        let p = frame.px(Coord {
            x: s.at[0],
            y: s.at[1],
        });
        let _ = writeln!(
            out,
            r##"<path class="keep-size" d="M{:.1} {:.1}l5 5l-5 5l-5 -5z" fill="{SUGGESTED}" stroke="#fff" stroke-width="1"><title>suggested site {}: {} {} km {:.1}</title></path>"##,
            p.x,
            p.y - 5.0,
            s.rank,
            escape(&s.route),
            s.direction.name(),
            s.km
        );
    }
    if !suggested.is_empty() {
        out.push_str("</g>\n");
    }
    // The end of the viewport and of the clip.
    out.push_str("</g></g>\n");
    // Legend: only what is drawn.
    let x = frame.width + 12.0;
    let mut y = 24.0;
    let _ = writeln!(
        out,
        r#"<text x="{x:.0}" y="{y:.0}" font-weight="bold">Spacing {} km</text>"#,
        trim_float(run.spacing_m / 1000.0)
    );
    for (class, &(_, colour, width, label)) in ROAD_CLASSES.iter().enumerate() {
        if !present[class] {
            continue;
        }
        y += 20.0;
        let _ = writeln!(
            out,
            r#"<line x1="{x:.0}" y1="{:.0}" x2="{:.0}" y2="{:.0}" stroke="{colour}" stroke-width="{width}"/><text x="{:.0}" y="{:.0}">{}</text>"#,
            y - 4.0,
            x + 24.0,
            y - 4.0,
            x + 30.0,
            y,
            escape(label)
        );
    }
    let mut marks: Vec<(bool, String, &str)> = TIERS
        .iter()
        .zip(tiers_drawn)
        .map(|(&(_, colour, radius, label), drawn)| {
            (
                drawn,
                format!(
                    r#"<circle cx="{:.0}" cy="CY" r="{radius}" fill="{colour}"/>"#,
                    x + 12.0
                ),
                label,
            )
        })
        .collect();
    marks.extend([
        (
            any_off,
            format!(
                r#"<circle cx="{:.0}" cy="CY" r="3" fill="none" stroke="{OFF_ROAD}"/>"#,
                x + 12.0
            ),
            "qualifying, too far from roads",
        ),
        (
            !suggested.is_empty(),
            format!(
                r#"<path transform="translate({:.0} CY)" d="M0 -5l5 5l-5 5l-5 -5z" fill="{SUGGESTED}"/>"#,
                x + 12.0
            ),
            "suggested new site",
        ),
    ]);
    for (drawn, shape, label) in marks {
        if drawn {
            y += 20.0;
            let _ = writeln!(
                out,
                r#"{}<text x="{:.0}" y="{:.0}">{}</text>"#,
                shape.replace("CY", &format!("{:.0}", y - 4.0)),
                x + 30.0,
                y,
                escape(label)
            );
        }
    }
    out.push_str("</svg>\n");
    (out, layers)
}

/// The whole page.
pub fn render(run: &CorridorRun, report: &CorridorReport) -> String {
    let s = &report.summary;
    let r = &report.rule;
    let mut out = String::with_capacity(1 << 20);
    let (class, verdict) = if s.claim_holds {
        ("holds", "Claim holds".to_owned())
    } else {
        (
            "fails",
            format!(
                "Claim fails: {} stretch{} longer than {} km",
                s.stretches,
                if s.stretches == 1 { "" } else { "es" },
                trim_float(r.spacing_km)
            ),
        )
    };
    let claim = r
        .claim
        .as_ref()
        .map(|c| format!("{c}: "))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>chargecov corridor — {}</title>\n<style>{}</style>\n</head>\n<body>",
        escape(&verdict),
        style()
    );
    let _ = writeln!(
        out,
        r#"<h1 id="verdict" class="{class}">{} — {}{} at most {} km apart along each route and direction</h1>"#,
        escape(&verdict),
        escape(&claim),
        escape(&r.description),
        trim_float(r.spacing_km)
    );
    let n = &report.inputs.network;
    let st = &report.inputs.stations;
    let _ = writeln!(
        out,
        r#"<section id="inputs"><h2>Inputs</h2><p>Network <code>{}</code>: {} lines ({} one-way), {:.1} km, {} routes by <code>{}</code>. Stations <code>{}</code>: {} records; {} qualifying sites, {} within {} km of a road. {} continuous paths, {:.1} km.</p>"#,
        escape(&n.path),
        n.lines,
        n.oneway_lines,
        n.length_km,
        s.routes,
        escape(&n.route_field),
        escape(&st.path),
        st.features_used,
        s.qualifying_sites,
        s.sites_on_roads,
        trim_float(r.max_offset_km),
        s.paths,
        s.length_km
    );
    for note in &report.notes {
        let _ = writeln!(out, r#"<p class="note">{}</p>"#, escape(note));
    }
    out.push_str("</section>\n");
    let (map, layers) = svg(run, report);
    let _ = writeln!(
        out,
        r#"<section id="map-section"><h2>Map</h2><div id="explorer">{}<div id="map-box">{map}</div><p class="hint">Wheel, + and − zoom; drag or the arrow keys pan; 0 shows the whole map. Hover a road or a site for its facts.</p></div></section>"#,
        crate::output::explore::toolbar(&[], &layers, false)
    );
    let _ = writeln!(
        out,
        r#"<section><h2>Routes</h2><table id="routes" class="sortable"><thead><tr><th class="sort">route</th><th class="sort">direction</th><th class="sort n">length km</th><th class="sort n">paths</th><th class="sort n">sites</th><th class="sort n">max gap km</th><th class="sort n">stretches</th><th class="sort n">network max km</th><th class="sort">verdict</th></tr></thead><tbody>"#
    );
    for x in &report.routes {
        let _ = writeln!(
            out,
            r#"<tr><td>{}</td><td>{}</td><td class="n">{:.1}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{:.1}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
            escape(&x.route),
            x.direction.name(),
            x.length_km,
            x.paths,
            x.sites,
            x.max_gap_km,
            x.stretches,
            x.network_max_km
                .map_or("–".to_owned(), |v| format!("{v:.1}")),
            if x.holds { "holds" } else { "fails" }
        );
    }
    out.push_str("</tbody></table></section>\n");
    if !report.stretches.is_empty() {
        let _ = writeln!(
            out,
            r#"<section><h2>Stretches longer than {} km</h2><table id="stretches" class="sortable"><thead><tr><th class="sort">route</th><th class="sort">direction</th><th class="sort n">path</th><th class="sort n">from km</th><th class="sort n">to km</th><th class="sort n">gap km</th><th class="sort">where</th></tr></thead><tbody>"#,
            trim_float(r.spacing_km)
        );
        for g in &report.stretches {
            let _ = writeln!(
                out,
                r#"<tr><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{:.1}</td><td class="n">{:.1}</td><td class="n">{:.1}</td><td>{:?}</td></tr>"#,
                escape(&g.route),
                g.direction.name(),
                g.path,
                g.start_km,
                g.end_km,
                g.gap_km,
                g.kind
            );
        }
        out.push_str("</tbody></table></section>\n");
    }
    let _ = writeln!(
        out,
        "<p>Made by chargecov {}. Chainages and gaps are geodesic km on WGS84.</p>\n<script>{}</script>\n<script>{}</script>\n</body>\n</html>",
        report.tool.version,
        crate::output::check::html::SCRIPT,
        crate::output::explore::SCRIPT
    );
    out
}
