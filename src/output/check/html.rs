//! One self-contained HTML file: the verdict and rule on top, the inputs,
//! the explorable map (inline SVG, see `explore`), the distribution of
//! distances, and sortable tables of the uncovered areas and the groups
//! whose rows zoom the map. No network: styles and scripts are inline.

use std::fmt::Write as _;

use crate::check::report::{AreaReport, Report};
use crate::units::trim_float;

use crate::output::explore;
use crate::output::map::{MapInput, Metric};
use crate::output::xml_escape as escape;
use crate::units::km_number;

/// The sort key of a cell: numbers sort as numbers.
fn num_attr(m: Option<f64>) -> String {
    m.map_or_else(|| "Infinity".to_owned(), |m| format!("{m}"))
}

pub(crate) const STYLE: &str = r#"
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0 auto;max-width:1200px;padding:16px;color:#202020}
h1{font-size:20px;margin:0 0 12px 0;padding:10px 14px;border-radius:4px}
h1.holds{background:#e5f5e0;border-left:6px solid #31a354}
h1.fails{background:#fee6ce;border-left:6px solid #a50f15}
h2{font-size:16px;margin:24px 0 8px 0}
table{border-collapse:collapse;font-size:13px}
th,td{padding:3px 10px;border-bottom:1px solid #e0e0e0;text-align:left}
td.n,th.n{text-align:right}
th.sort{cursor:pointer;user-select:none;background:#f5f5f5}
th.sort:after{content:" ⇅";color:#999}
.note{color:#a50f15;font-weight:bold}
"#;

pub(crate) const SCRIPT: &str = r#"
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th.sort").forEach(function (th, col) {
    var ascending = true;
    th.addEventListener("click", function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-v") || a.cells[col].textContent;
        var y = b.cells[col].getAttribute("data-v") || b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? c : -c;
      });
      ascending = !ascending;
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"#;

/// A histogram of the representative-point distances, as inline SVG.
fn histogram(report: &Report) -> String {
    let distances: Vec<f64> = report
        .areas
        .iter()
        .filter_map(|a| a.nearest_distance_m)
        .map(|m| m / 1000.0)
        .collect();
    if distances.is_empty() {
        return "<p>No qualifying station: no distances to show.</p>".to_owned();
    }
    let max = distances.iter().copied().fold(0.0, f64::max).max(1e-9);
    let step = [
        0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0,
    ]
    .into_iter()
    .find(|s| max / s <= 25.0)
    .unwrap_or(2000.0);
    let bins = (max / step).floor() as usize + 1;
    let mut counts = vec![0usize; bins];
    for d in &distances {
        counts[((d / step).floor() as usize).min(bins - 1)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let (w, h, left, bottom) = (640.0, 220.0, 44.0, 34.0);
    let bar = (w - left - 10.0) / bins as f64;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="histogram" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-size="11" font-family="DejaVu Sans, Arial, sans-serif">"##
    );
    for (k, &c) in counts.iter().enumerate() {
        let bh = (h - bottom - 10.0) * c as f64 / top;
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="#3182bd"><title>{}–{} km: {c} areas</title></rect>"##,
            left + k as f64 * bar + 0.5,
            h - bottom - bh,
            (bar - 1.0).max(0.5),
            trim_float(k as f64 * step),
            trim_float((k + 1) as f64 * step)
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{:.0}" x2="{:.0}" y2="{:.0}" stroke="#404040"/>"##,
        h - bottom,
        w - 10.0,
        h - bottom
    );
    for k in (0..=bins).step_by((bins / 8).max(1)) {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.0}" text-anchor="middle" fill="#404040">{}</text>"##,
            left + k as f64 * bar,
            h - bottom + 14.0,
            trim_float(k as f64 * step)
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.0}" y="{:.0}" text-anchor="middle" fill="#404040">km from the area's representative point to the nearest qualifying station</text>"##,
        left + (w - left) / 2.0,
        h - 4.0
    );
    let _ = writeln!(
        s,
        r##"<text x="4" y="14" fill="#404040">{} areas</text><text x="4" y="28" fill="#404040">(max {top})</text>"##,
        distances.len()
    );
    s.push_str("</svg>\n");
    s
}

/// The coverage-versus-radius curve, as inline SVG.
fn curve(surface: &crate::check::report::SurfaceSummary) -> String {
    let (w, h, left, bottom) = (640.0, 240.0, 44.0, 34.0);
    let max_r = surface.curve.last().map_or(50.0, |p| p.radius_km);
    let x = |r: f64| left + (w - left - 10.0) * r / max_r;
    let y = |share: f64| (h - bottom) - (h - bottom - 10.0) * share;
    let line = |pick: &dyn Fn(&crate::check::report::CurvePoint) -> Option<f64>| -> String {
        surface
            .curve
            .iter()
            .filter_map(|p| pick(p).map(|v| format!("{:.1},{:.1}", x(p.radius_km), y(v))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<h2>Coverage versus radius</h2><svg xmlns="http://www.w3.org/2000/svg" id="curve" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-size="11" font-family="DejaVu Sans, Arial, sans-serif">"##
    );
    crate::output::share_gridlines(&mut s, left, w - 10.0, y);
    for r in [0.0, 10.0, 20.0, 30.0, 40.0, 50.0] {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.0}" text-anchor="middle" fill="#404040">{r}</text>"##,
            x(r),
            h - bottom + 14.0
        );
    }
    let _ = writeln!(
        s,
        r##"<polyline fill="none" stroke="#31a354" stroke-width="2" points="{}"><title>share of the surface</title></polyline>"##,
        line(&|p| Some(p.share))
    );
    if surface.curve.iter().any(|p| p.share_population.is_some()) {
        let _ = writeln!(
            s,
            r##"<polyline fill="none" stroke="#54278f" stroke-width="2" stroke-dasharray="5,3" points="{}"><title>share of the population</title></polyline>"##,
            line(&|p| p.share_population)
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.0}" y="{:.0}" text-anchor="middle" fill="#404040">km to the nearest qualifying station (surface: green; population: dashed)</text>"##,
        left + (w - left) / 2.0,
        h - 4.0
    );
    s.push_str("</svg>\n");
    s
}

fn area_row(index: usize, a: &AreaReport) -> String {
    format!(
        r#"<tr data-i="{index}"><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n" data-v="{}">{}</td><td class="n" data-v="{}">{}</td><td>{}</td></tr>"#,
        escape(&a.id),
        escape(a.name.as_deref().unwrap_or("")),
        escape(a.group.as_deref().unwrap_or("")),
        a.stations_inside,
        num_attr(a.boundary_distance_m),
        km_number(a.boundary_distance_m, 2),
        num_attr(a.nearest_distance_m),
        km_number(a.nearest_distance_m, 2),
        escape(a.boundary_station_id.as_deref().unwrap_or("—"))
    )
}

/// The whole page, its map coloured first by `metric`.
pub fn render(input: &MapInput, metric: &Metric) -> String {
    render_with(input, metric, "")
}

/// The page with `section` (HTML) after the map: the verdict, the
/// inputs, the map, the distances, the power sweep, the uncovered areas
/// and the groups.
pub fn render_with(input: &MapInput, metric: &Metric, section: &str) -> String {
    let report = input.report;
    let mut out = String::with_capacity(2 << 20);
    write_head(&mut out, report);
    write_inputs(&mut out, report);
    out.push_str(&explore::section(input, metric));
    out.push_str(section);
    write_distances(&mut out, report);
    write_power_sweep(&mut out, report);
    write_uncovered(&mut out, report);
    write_groups(&mut out, report);
    let _ = writeln!(
        out,
        "<footer><p>{} {} — distances are geodesic on WGS84.</p></footer>\n<script>{SCRIPT}</script>\n<script>{}</script>\n</body>\n</html>",
        report.tool.name,
        report.tool.version,
        explore::SCRIPT
    );
    out
}

/// The document's head and the verdict as its heading.
fn write_head(out: &mut String, report: &Report) {
    let s = &report.summary;
    let (class, verdict) = if s.claim_holds {
        ("holds", "Claim holds".to_owned())
    } else {
        (
            "fails",
            format!(
                "Claim fails: {} of {} areas uncovered",
                s.areas_uncovered, s.areas_total
            ),
        )
    };
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>chargecov — {}</title>\n<style>{STYLE}{}</style>\n</head>\n<body>",
        escape(&verdict),
        explore::STYLE
    );
    let _ = writeln!(
        out,
        r#"<h1 id="verdict" class="{class}">{} — {}</h1>"#,
        escape(&verdict),
        escape(&report.rule.description)
    );
}

/// The layers read, their filters and pools, the station counts and the
/// warnings.
fn write_inputs(out: &mut String, report: &Report) {
    let s = &report.summary;
    let i = &report.inputs;
    let _ = writeln!(out, r#"<section id="inputs"><h2>Inputs</h2>"#);
    if i.synthetic {
        let _ = writeln!(
            out,
            r#"<p class="note">Synthetic demo data: invented boundaries and stations, not a fact about any real place.</p>"#
        );
    }
    if let Some(m) = &i.crs_mismatch {
        let _ = writeln!(
            out,
            r#"<p class="note">Warning: {}</p>"#,
            escape(&m.message())
        );
    }
    if let Some(m) = &i.power_missing {
        let _ = writeln!(
            out,
            r#"<p class="note">Warning: {}</p>"#,
            escape(&m.message())
        );
    }
    for f in &i.stations.filters {
        let _ = writeln!(
            out,
            r#"<p class="filter">Filter <code>{}</code> removed {} records.</p>"#,
            escape(&f.filter),
            f.removed
        );
    }
    if let Some(p) = &i.stations.pools {
        let _ = writeln!(
            out,
            r#"<p class="pools">{} records grouped into {} sites ({}; the largest has {}).</p>"#,
            p.records,
            p.pools,
            escape(&p.by),
            p.largest
        );
    }
    let _ = writeln!(
        out,
        "<table><tr><th>layer</th><th>file</th><th class=\"n\">features</th><th>coordinate system</th></tr>"
    );
    for (label, layer) in [("areas", &i.areas), ("stations", &i.stations)] {
        let _ = writeln!(
            out,
            r#"<tr><td>{label}</td><td>{}</td><td class="n">{}</td><td>{}</td></tr>"#,
            escape(&layer.path),
            layer.features_used,
            escape(&layer.crs)
        );
    }
    let _ = writeln!(
        out,
        "</table><p>{} of {} stations qualify; {} lie outside every area; {} of unknown power.</p>",
        s.stations_qualifying, s.stations_total, s.stations_outside_areas, s.stations_unknown_power
    );
    let w = &report.warnings;
    if w.count > 0 {
        let codes: Vec<String> = w.by_code.iter().map(|(c, n)| format!("{c} {n}")).collect();
        // Power values taken for a unit error change verdicts: named here.
        let implausible: Vec<String> = w
            .listed
            .iter()
            .filter(|l| l.issue.code == crate::issues::IssueCode::PowerImplausible)
            .take(10)
            .map(|l| escape(&l.issue.to_string()))
            .collect();
        let _ = writeln!(
            out,
            r#"<p class="note">Warnings: {} ({}); all are listed in the JSON report.{}</p>"#,
            w.count,
            escape(&codes.join(", ")),
            if implausible.is_empty() {
                String::new()
            } else {
                format!(
                    " Implausible power values, judged as given: {}",
                    implausible.join("; ")
                )
            }
        );
    }
    let _ = writeln!(out, "</section>");
}

/// Distance statistics, their histogram and the reach curve.
fn write_distances(out: &mut String, report: &Report) {
    let s = &report.summary;
    let _ = writeln!(out, r#"<section id="distances"><h2>Distances</h2>"#);
    if let Some(d) = &s.distance_m {
        let _ = writeln!(
            out,
            "<p>From each area's representative point to the nearest qualifying station (geodesic): mean {} km, median {} km, p90 {} km, p95 {} km, max {} km.</p>",
            km_number(Some(d.mean), 2),
            km_number(Some(d.median), 2),
            km_number(Some(d.p90), 2),
            km_number(Some(d.p95), 2),
            km_number(Some(d.max), 2)
        );
    }
    out.push_str(&histogram(report));
    if let Some(surface) = &s.surface {
        out.push_str(&curve(surface));
    }
    let _ = writeln!(out, "</section>");
}

/// The same areas at the common per-point thresholds, the rule's own
/// marked: where the claim stops holding.
fn write_power_sweep(out: &mut String, report: &Report) {
    let s = &report.summary;
    if let Some(sweep) = &s.power_sweep {
        let _ = writeln!(
            out,
            r#"<section id="power-sweep"><h2>Power thresholds</h2><p>The claim {}.</p><table><tr><th class="n">kW per point</th><th class="n">areas uncovered</th></tr>"#,
            escape(&sweep.line())
        );
        for step in &sweep.uncovered_at {
            let mark = if step.min_power_kw == report.rule.min_power_kw {
                " (this rule)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                r#"<tr><td class="n">≥ {}{mark}</td><td class="n">{}</td></tr>"#,
                trim_float(step.min_power_kw),
                step.areas_uncovered
            );
        }
        let _ = writeln!(out, "</table></section>");
    }
}

/// A sortable table of the uncovered areas.
fn write_uncovered(out: &mut String, report: &Report) {
    let uncovered: Vec<(usize, &AreaReport)> = report
        .areas
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.covered)
        .collect();
    let _ = writeln!(
        out,
        r#"<section id="uncovered-areas"><h2>Uncovered areas ({})</h2>"#,
        uncovered.len()
    );
    if uncovered.is_empty() {
        let _ = writeln!(out, "<p>None.</p>");
    } else {
        let _ = writeln!(
            out,
            r#"<table class="sortable" id="uncovered-table"><thead><tr><th class="sort">id</th><th class="sort">name</th><th class="sort">group</th><th class="sort n">stations inside</th><th class="sort n">km to nearest qualifying</th><th class="sort n">km from centre</th><th class="sort">nearest qualifying station</th></tr></thead><tbody>"#
        );
        for (i, a) in uncovered {
            let _ = writeln!(out, "{}", area_row(i, a));
        }
        let _ = writeln!(out, "</tbody></table>");
    }
    let _ = writeln!(out, "</section>");
}

/// A sortable table of the groups.
fn write_groups(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        r#"<section id="groups-section"><h2>Groups</h2><table class="sortable" id="groups-table"><thead><tr><th class="sort">group</th><th class="sort n">areas</th><th class="sort n">covered</th><th class="sort n">uncovered</th><th class="sort n">median km</th><th class="sort n">max km</th></tr></thead><tbody>"#
    );
    for g in &report.groups {
        let median = g.distance_m.as_ref().map(|d| d.median);
        let max = g.distance_m.as_ref().map(|d| d.max);
        let _ = writeln!(
            out,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n" data-v="{}">{}</td><td class="n" data-v="{}">{}</td></tr>"#,
            escape(&g.group),
            g.areas_total,
            g.areas_covered,
            g.areas_uncovered,
            num_attr(median),
            km_number(median, 2),
            num_attr(max),
            km_number(max, 2)
        );
    }
    let _ = writeln!(out, "</tbody></table></section>");
}
