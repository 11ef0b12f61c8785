//! `suggest`'s outputs: the text summary, the sites as a point layer
//! (GeoJSON, or records for the typed writers), and the HTML section with
//! the coverage-versus-sites curve and the sites table.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{Map, Value, json};

use crate::crs::OutputCrs;
use crate::suggest::report::{SiteReport, SuggestReport};
use crate::units::trim_float;

use super::{ShapeKind, ShapeRecord};

/// A share as a percentage with one decimal.
fn pct(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

/// At most `n` ids, then "and N more".
fn some_ids(ids: &[String], n: usize) -> String {
    let mut text = ids.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > n {
        let _ = write!(text, " and {} more", ids.len() - n);
    }
    text
}

/// The text summary: the model, the sites, the curve's end and the
/// verdict after.
pub fn render_text(report: &SuggestReport) -> String {
    let mut out = String::new();
    write_model(&mut out, report);
    let _ = writeln!(out);
    write_sites(&mut out, report);
    let _ = writeln!(out);
    write_outcome(&mut out, report);
    out
}

/// The model, the claim, the demand, what was served before, the method
/// and how the exact solver fared.
fn write_model(out: &mut String, report: &SuggestReport) {
    let s = &report.summary;
    let model = match report.k {
        Some(k) => format!(
            "{k} new sites serving the most {} within {} km (maximal covering)",
            if report.weight == "areas" {
                "areas".to_owned()
            } else {
                report.weight.clone()
            },
            trim_float(report.covering_km)
        ),
        None => "the fewest new sites serving every area (set covering)".to_owned(),
    };
    let _ = writeln!(out, "Suggest: {model}");
    let _ = writeln!(out, "  claim: {}", report.rule);
    let _ = writeln!(
        out,
        "  demand: {} ({}); {} candidate sites",
        report.demand,
        match report.demand {
            "area" => "served as the claim judges an area",
            "representative" => "each area's representative point",
            _ => "each area's worst-served point",
        },
        s.candidates
    );
    let _ = writeln!(
        out,
        "  served before: {} of {} areas ({}){}",
        s.areas_served_before,
        s.areas_total,
        pct(s.areas_served_before as f64 / s.areas_total.max(1) as f64),
        match (s.population_served_before, s.population_total) {
            (Some(p), Some(t)) => format!(
                "; population {} of {}",
                trim_float(p.round()),
                trim_float(t.round())
            ),
            _ => String::new(),
        }
    );
    let _ = writeln!(
        out,
        "  method: {} — {}",
        report.method.name, report.method.guarantee
    );
    if let Some(e) = &report.exact {
        let line = match e.status {
            "too-large" => format!(
                "exact solve skipped: the model has {} nonzeros, over the limit of {} (--exact-max-nonzeros); the greedy sites stand",
                e.nonzeros.unwrap_or_default(),
                e.limit.unwrap_or_default()
            ),
            "failed" => format!(
                "exact solve failed ({}); the greedy sites stand",
                e.message.as_deref().unwrap_or("no reason given")
            ),
            "time-limit" => format!(
                "exact solve hit the time limit after {:.1} s: best found {} (greedy {}), not proven optimal",
                e.seconds.unwrap_or_default(),
                trim_float(e.objective.unwrap_or_default()),
                trim_float(report.method.greedy_objective)
            ),
            _ => format!(
                "exact solve: optimal {} in {:.2} s (greedy {})",
                trim_float(e.objective.unwrap_or_default()),
                e.seconds.unwrap_or_default(),
                trim_float(report.method.greedy_objective)
            ),
        };
        let _ = writeln!(out, "  {line}");
    }
}

/// A table of the first 50 sites, or why none is needed.
fn write_sites(out: &mut String, report: &SuggestReport) {
    let s = &report.summary;
    if report.sites.is_empty() {
        let _ = writeln!(
            out,
            "No new site is needed{}.",
            if s.areas_unservable > 0 {
                " that any candidate could serve"
            } else {
                ""
            }
        );
    } else {
        let _ = writeln!(
            out,
            "{:>4}  {:>11} {:>10}  {:<30} {:>6}  {:>8}  newly served",
            "rank", "lon", "lat", "candidate", "+areas", "served"
        );
        for site in report.sites.iter().take(50) {
            let _ = writeln!(out, "{}", site_line(site));
        }
        if report.sites.len() > 50 {
            let _ = writeln!(
                out,
                "  … and {} more sites (all in --out and --report)",
                report.sites.len() - 50
            );
        }
    }
}

/// What the sites serve, what no candidate can, and the claim checked
/// again with them.
fn write_outcome(out: &mut String, report: &SuggestReport) {
    let s = &report.summary;
    let _ = writeln!(
        out,
        "With {} new sites: {} of {} areas served ({}){}.",
        s.sites,
        s.areas_served_after,
        s.areas_total,
        pct(s.share_served_after),
        match (s.population_served_after, s.population_total) {
            (Some(p), Some(t)) => format!(
                "; population {} of {} ({})",
                trim_float(p.round()),
                trim_float(t.round()),
                pct(if t > 0.0 { p / t } else { 1.0 })
            ),
            _ => String::new(),
        }
    );
    if let Some(k) = report.k
        && s.sites < k
    {
        let _ = writeln!(
            out,
            "{} sites, not {k}: no further candidate serves any unserved area.",
            s.sites
        );
    }
    if !report.unservable.is_empty() {
        let _ = writeln!(
            out,
            "{} unserved areas no candidate can serve: {}",
            report.unservable.len(),
            some_ids(&report.unservable, 10)
        );
    }
    if let Some(after) = &report.after {
        if after.claim_holds {
            let _ = writeln!(
                out,
                "Checked again with these {} sites added: the claim holds.",
                s.sites
            );
        } else {
            let _ = writeln!(
                out,
                "Checked again with these {} sites added: the claim still fails — {} areas uncovered: {}",
                s.sites,
                after.areas_uncovered,
                some_ids(&after.uncovered_ids, 10)
            );
        }
    }
}

fn site_line(site: &SiteReport) -> String {
    let candidate = format!("{} {}", site.source, site.candidate_id);
    let candidate: String = if candidate.chars().count() > 30 {
        candidate.chars().take(29).chain(['…']).collect()
    } else {
        candidate
    };
    format!(
        "{:>4}  {:>11.6} {:>10.6}  {:<30} {:>6}  {:>8}  {}",
        site.rank,
        site.lon,
        site.lat,
        candidate,
        site.newly_served,
        pct(site.cumulative_share),
        some_ids(&site.newly_served_ids, 3)
    )
}

/// A site's properties, in order.
fn properties(site: &SiteReport) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("rank".into(), json!(site.rank));
    p.insert("source".into(), json!(site.source));
    p.insert("candidate_id".into(), json!(site.candidate_id));
    p.insert("newly_served".into(), json!(site.newly_served));
    p.insert(
        "newly_served_ids".into(),
        json!(site.newly_served_ids.join(",")),
    );
    p.insert("gain_population".into(), json!(site.gain_population));
    p.insert("cumulative_areas".into(), json!(site.cumulative_areas));
    p.insert("cumulative_share".into(), json!(site.cumulative_share));
    p.insert(
        "cumulative_population".into(),
        json!(site.cumulative_population),
    );
    p.insert(
        "cumulative_population_share".into(),
        json!(site.cumulative_population_share),
    );
    p
}

/// The sites as records in `crs`, for the typed writers.
pub fn site_records(report: &SuggestReport, crs: &OutputCrs) -> io::Result<Vec<ShapeRecord>> {
    report
        .sites
        .iter()
        .map(|site| {
            let c = crs
                .convert(geo::Coord {
                    x: site.lon,
                    y: site.lat,
                })
                .map_err(|why| io::Error::new(io::ErrorKind::InvalidData, why))?;
            Ok((geo::Geometry::Point(geo::Point(c)), properties(site)))
        })
        .collect()
}

/// The sites as a GeoJSON FeatureCollection in `crs` (ids of the areas
/// each newly serves as a comma-separated list, as in the typed formats).
pub fn write_geojson(
    out: &mut dyn Write,
    report: &SuggestReport,
    crs: &OutputCrs,
) -> io::Result<()> {
    crate::output::write_features(out, crs, site_records(report, crs)?)
}

/// The suggested sites as a layer.
pub struct SuggestedLayer<'a> {
    /// The suggestion.
    pub report: &'a SuggestReport,
    /// The coordinate system written.
    pub crs: &'a OutputCrs,
}

impl crate::output::layer::OutputLayer for SuggestedLayer<'_> {
    fn name(&self) -> &str {
        "suggested_sites"
    }
    fn kind(&self) -> ShapeKind {
        ShapeKind::Point
    }
    fn crs(&self) -> &OutputCrs {
        self.crs
    }
    fn records(&self) -> io::Result<Vec<ShapeRecord>> {
        site_records(self.report, self.crs)
    }
}

/// The HTML section: the coverage-versus-sites curve and the sites table.
pub fn html_section(report: &SuggestReport) -> String {
    use super::xml_escape as escape;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<section id="suggested-sites"><h2>Suggested sites ({})</h2><p>{}. Demand: {}; {}. Method: {} — {}.</p>"#,
        report.sites.len(),
        escape(match report.k {
            Some(_) => "The sites serving the most demand",
            None => "The fewest sites serving every area",
        }),
        escape(report.demand),
        escape(&report.weight),
        escape(report.method.name),
        escape(&report.method.guarantee)
    );
    // The curve: served share after each site.
    let (w, h, left, bottom) = (640.0, 220.0, 44.0, 34.0);
    let n = report.curve.len().saturating_sub(1).max(1) as f64;
    let x = |k: usize| left + (w - left - 10.0) * k as f64 / n;
    let y = |share: f64| (h - bottom) - (h - bottom - 10.0) * share;
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="suggest-curve" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-size="11" font-family="DejaVu Sans, Arial, sans-serif">"##
    );
    super::share_gridlines(&mut s, left, w - 10.0, y);
    let points = |pick: &dyn Fn(&crate::suggest::report::CurvePoint) -> Option<f64>| {
        report
            .curve
            .iter()
            .filter_map(|p| pick(p).map(|v| format!("{:.1},{:.1}", x(p.sites), y(v))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = writeln!(
        s,
        r##"<polyline fill="none" stroke="#08519c" stroke-width="2" points="{}"><title>share of areas served</title></polyline>"##,
        points(&|p| Some(p.share))
    );
    if report.curve.iter().any(|p| p.population_share.is_some()) {
        let _ = writeln!(
            s,
            r##"<polyline fill="none" stroke="#54278f" stroke-width="2" stroke-dasharray="5,3" points="{}"><title>share of the population served</title></polyline>"##,
            points(&|p| p.population_share)
        );
    }
    let last = report.curve.len().saturating_sub(1);
    for k in [0, last / 2, last] {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.0}" text-anchor="middle" fill="#404040">{k}</text>"##,
            x(k),
            h - bottom + 14.0
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.0}" y="{:.0}" text-anchor="middle" fill="#404040">new sites (areas served: blue; population: dashed)</text></svg>"##,
        left + (w - left) / 2.0,
        h - 4.0
    );
    let _ = writeln!(
        s,
        r#"<table class="sortable" id="sites-table"><thead><tr><th class="sort n">rank</th><th class="sort n">lon</th><th class="sort n">lat</th><th class="sort">candidate</th><th class="sort n">areas newly served</th><th class="sort n">served after</th><th>newly served</th></tr></thead><tbody>"#
    );
    for site in &report.sites {
        let _ = writeln!(
            s,
            r#"<tr><td class="n">{}</td><td class="n">{:.6}</td><td class="n">{:.6}</td><td>{} {}</td><td class="n">{}</td><td class="n" data-v="{}">{}</td><td>{}</td></tr>"#,
            site.rank,
            site.lon,
            site.lat,
            escape(site.source),
            escape(&site.candidate_id),
            site.newly_served,
            site.cumulative_share,
            pct(site.cumulative_share),
            escape(&some_ids(&site.newly_served_ids, 10))
        );
    }
    let _ = writeln!(s, "</tbody></table>");
    if let Some(after) = &report.after {
        let _ = writeln!(
            s,
            r#"<p id="after">{}</p>"#,
            if after.claim_holds {
                "Checked again with these sites added: the claim holds.".to_owned()
            } else {
                format!(
                    "Checked again with these sites added: the claim still fails ({} areas uncovered).",
                    after.areas_uncovered
                )
            }
        );
    }
    s.push_str("</section>\n");
    s
}
