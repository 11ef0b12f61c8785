//! What `chargecov corridor` writes: the text summary, the stretches,
//! placed sites and suggested sites as layers, and the HTML page
//! (`html`).

#[cfg(feature = "render")]
pub mod html;

use std::fmt::Write as _;
use std::io;

use geo::{Coord, Geometry, LineString, Point};
use serde_json::{Map, Value, json};
use unicode_width::UnicodeWidthStr;

use crate::corridor::CorridorRun;
use crate::corridor::report::{CorridorReport, km3};
use crate::crs::OutputCrs;
use crate::output::layer::OutputLayer;
use crate::output::{ShapeKind, ShapeRecord};
use crate::reporting::round_deg;
use crate::units::trim_float;

fn pad(text: &str, width: usize) -> String {
    let w = text.width();
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

fn km_or_dash(v: Option<f64>) -> String {
    v.map_or("–".to_owned(), |v| format!("{v:.1}"))
}

/// Renders the report for a terminal: the claim and inputs, a table of
/// routes, the longest stretches, the notes and verdict, the suggested
/// sites.
pub fn render(report: &CorridorReport) -> String {
    let mut out = String::new();
    write_inputs(&mut out, report);
    write_routes(&mut out, report);
    write_stretches(&mut out, report);
    write_verdict(&mut out, report);
    write_suggested(&mut out, report);
    out
}

/// The claim, the network, the stations and the paths found.
fn write_inputs(out: &mut String, report: &CorridorReport) {
    let r = &report.rule;
    let s = &report.summary;
    let named = r
        .claim
        .as_ref()
        .map(|c| format!("{c}: "))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} {} — corridor claim: {named}{}, at most {} km apart along each route and direction (sites within {} km of a road)",
        report.tool.name,
        report.tool.version,
        r.description,
        trim_float(r.spacing_km),
        trim_float(r.max_offset_km)
    );
    let n = &report.inputs.network;
    let skipped: Vec<String> = n.skipped.iter().map(|(k, v)| format!("{v} {k}")).collect();
    let _ = writeln!(
        out,
        "network    {}: {} line{} ({} one-way), {:.1} km, {} route{} by {:?}{}{}",
        n.path,
        n.lines,
        if n.lines == 1 { "" } else { "s" },
        n.oneway_lines,
        n.length_km,
        s.routes,
        if s.routes == 1 { "" } else { "s" },
        n.route_field,
        if n.no_route > 0 {
            format!("; {} line(s) without a route", n.no_route)
        } else {
            String::new()
        },
        if skipped.is_empty() {
            String::new()
        } else {
            format!("; skipped {}", skipped.join(", "))
        }
    );
    let st = &report.inputs.stations;
    let pools = st
        .pools
        .as_ref()
        .map(|p| {
            format!(
                " in {} site{} ({})",
                p.pools,
                if p.pools == 1 { "" } else { "s" },
                p.by
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "stations   {}: {} record{}{pools}; {} qualif{}, {} within {} km of a road",
        st.path,
        st.features_used,
        if st.features_used == 1 { "" } else { "s" },
        s.qualifying_sites,
        if s.qualifying_sites == 1 { "ies" } else { "y" },
        s.sites_on_roads,
        trim_float(r.max_offset_km)
    );
    for f in &st.filters {
        let _ = writeln!(out, "           {}", f.summary());
    }
    let _ = writeln!(
        out,
        "paths      {} continuous path{}, {:.1} km, in {} route–direction{}",
        s.paths,
        if s.paths == 1 { "" } else { "s" },
        s.length_km,
        s.route_directions,
        if s.route_directions == 1 { "" } else { "s" }
    );
    out.push('\n');
}

/// One row per route and direction.
fn write_routes(out: &mut String, report: &CorridorReport) {
    let r = &report.rule;
    let route_w = report
        .routes
        .iter()
        .map(|x| x.route.width())
        .max()
        .unwrap_or(5)
        .max(5);
    let over = format!("over {} km", trim_float(r.spacing_km));
    let _ = writeln!(
        out,
        "{}  {}  {:>9}  {:>5}  {:>5}  {:>10}  {:>w$}  {:>11}  verdict",
        pad("route", route_w),
        pad("direction", 10),
        "length km",
        "paths",
        "sites",
        "max gap km",
        over,
        "network max",
        w = over.width()
    );
    for x in &report.routes {
        let _ = writeln!(
            out,
            "{}  {}  {:>9.1}  {:>5}  {:>5}  {:>10.1}  {:>w$}  {:>11}  {}",
            pad(&x.route, route_w),
            pad(x.direction_name(), 10),
            x.length_km,
            x.paths,
            x.sites,
            x.max_gap_km,
            x.stretches,
            km_or_dash(x.network_max_km),
            if x.holds { "holds" } else { "FAILS" },
            w = over.width()
        );
    }
    out.push('\n');
}

/// The longest stretches between sites, longest first.
fn write_stretches(out: &mut String, report: &CorridorReport) {
    let r = &report.rule;
    let s = &report.summary;
    if !report.stretches.is_empty() {
        let listed = 20;
        let _ = writeln!(
            out,
            "stretches longer than {} km: {} ({:.1} km in all)",
            trim_float(r.spacing_km),
            s.stretches,
            s.stretch_km
        );
        let mut by_length: Vec<_> = report.stretches.iter().collect();
        by_length.sort_by(|a, b| b.gap_km.total_cmp(&a.gap_km));
        for g in by_length.iter().take(listed) {
            let _ = writeln!(
                out,
                "  {} {} path {}: km {:.1}–{:.1}, {:.1} km ({})",
                g.route,
                g.direction_name(),
                g.path,
                g.start_km,
                g.end_km,
                g.gap_km,
                g.kind_name()
            );
        }
        if by_length.len() > listed {
            let _ = writeln!(
                out,
                "  … and {} more (--gaps FILE)",
                by_length.len() - listed
            );
        }
        out.push('\n');
    }
}

/// The notes, then the verdict with the network distance.
fn write_verdict(out: &mut String, report: &CorridorReport) {
    let r = &report.rule;
    let s = &report.summary;
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let network = match (s.network_max_km, s.unreached_km > 0.0) {
        (Some(m), false) => {
            format!("; along the network no road point is farther than {m:.1} km from a site")
        }
        (Some(m), true) => format!(
            "; along the network the farthest reachable road point is {m:.1} km from a site, and {:.1} km of road reach none",
            s.unreached_km
        ),
        (None, _) => String::new(),
    };
    if s.claim_holds {
        let _ = writeln!(
            out,
            "claim HOLDS: no gap longer than {} km on any path (longest {:.1} km){network}",
            trim_float(r.spacing_km),
            s.max_gap_km
        );
    } else if s.stretches == 0 && s.unreached_paths > 0 {
        let _ = writeln!(
            out,
            "claim FAILS: {} path{} ({:.1} km of road) reach{} no qualifying site along the roads{network}",
            s.unreached_paths,
            if s.unreached_paths == 1 { "" } else { "s" },
            s.unreached_path_km,
            if s.unreached_paths == 1 { "es" } else { "" },
        );
    } else {
        let _ = writeln!(
            out,
            "claim FAILS: {} stretch{} longer than {} km (longest {:.1} km){network}; {} new site{} would close {} (--suggest)",
            s.stretches,
            if s.stretches == 1 { "" } else { "es" },
            trim_float(r.spacing_km),
            s.max_gap_km,
            s.sites_to_close,
            if s.sites_to_close == 1 { "" } else { "s" },
            if s.stretches == 1 { "it" } else { "them" }
        );
    }
}

/// The first 50 suggested sites.
fn write_suggested(out: &mut String, report: &CorridorReport) {
    if let Some(suggested) = &report.suggested
        && !suggested.is_empty()
    {
        let _ = writeln!(out, "\nsuggested sites ({}):", suggested.len());
        for x in suggested.iter().take(50) {
            let _ = writeln!(
                out,
                "  {:>3}. {} {} path {} km {:.1} at {}, {}",
                x.rank,
                x.route,
                x.direction_name(),
                x.path,
                x.km,
                x.at[0],
                x.at[1]
            );
        }
        if suggested.len() > 50 {
            let _ = writeln!(
                out,
                "  … and {} more (--suggest-out FILE)",
                suggested.len() - 50
            );
        }
    }
}

impl crate::corridor::report::RouteReport {
    fn direction_name(&self) -> &'static str {
        self.direction.name()
    }
}

impl crate::corridor::report::StretchReport {
    fn direction_name(&self) -> &'static str {
        self.direction.name()
    }
    fn kind_name(&self) -> &'static str {
        match self.kind {
            crate::corridor::GapKind::Start => "from the path's start",
            crate::corridor::GapKind::Between => "between sites",
            crate::corridor::GapKind::End => "to the path's end",
            crate::corridor::GapKind::Whole => "no site on the path",
            crate::corridor::GapKind::Around => "round the loop, last site to first",
        }
    }
}

impl crate::corridor::report::SuggestedReport {
    fn direction_name(&self) -> &'static str {
        self.direction.name()
    }
}

fn coordinates(crs: &OutputCrs, c: Coord<f64>) -> io::Result<Value> {
    let c = crs
        .convert(c)
        .map_err(|why| io::Error::new(io::ErrorKind::InvalidData, why))?;
    Ok(if crs.is_geographic() {
        json!([round_deg(c.x), round_deg(c.y)])
    } else {
        json!([(c.x * 100.0).round() / 100.0, (c.y * 100.0).round() / 100.0])
    })
}

fn convert(crs: &OutputCrs, c: Coord<f64>) -> io::Result<Coord<f64>> {
    crs.convert(c)
        .map_err(|why| io::Error::new(io::ErrorKind::InvalidData, why))
}

fn properties(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("properties are built as objects"),
    }
}

/// `--gaps`: the stretches longer than the spacing, as LineStrings with
/// `route`, `direction`, `path`, `start_km`, `end_km`, `gap_km`, `kind`.
pub struct StretchLayer<'a> {
    /// The corridor judged.
    pub run: &'a CorridorRun,
    /// Its report (one stretch report per stretch, in order).
    pub report: &'a CorridorReport,
    /// The coordinate system written.
    pub crs: &'a OutputCrs,
}

impl OutputLayer for StretchLayer<'_> {
    fn name(&self) -> &str {
        "gaps"
    }
    fn kind(&self) -> ShapeKind {
        ShapeKind::LineString
    }
    fn crs(&self) -> &OutputCrs {
        self.crs
    }
    fn records(&self) -> io::Result<Vec<ShapeRecord>> {
        let (run, crs) = (self.run, self.crs);
        run.stretches()
            .zip(&self.report.stretches)
            .map(|(g, r)| {
                let path = &run.paths[g.path as usize];
                let line = path
                    .substring(g.from_m, g.to_m)
                    .into_iter()
                    .map(|c| convert(crs, c))
                    .collect::<io::Result<Vec<Coord<f64>>>>()?;
                let props = properties(json!({
                    "route": r.route,
                    "direction": r.direction.name(),
                    "path": r.path,
                    "start_km": r.start_km,
                    "end_km": r.end_km,
                    "gap_km": r.gap_km,
                    "kind": r.kind,
                }));
                Ok((Geometry::LineString(LineString::new(line)), props))
            })
            .collect()
    }
}

/// `--stations-out`: each qualifying site placed on a path, at its
/// station's position, with `route`, `direction`, `path`, `chainage_km`,
/// `offset_m` and the point on the road.
pub struct SnappedLayer<'a> {
    /// The corridor judged.
    pub run: &'a CorridorRun,
    /// The coordinate system written.
    pub crs: &'a OutputCrs,
}

impl OutputLayer for SnappedLayer<'_> {
    fn name(&self) -> &str {
        "sites_on_roads"
    }
    fn kind(&self) -> ShapeKind {
        ShapeKind::Point
    }
    fn crs(&self) -> &OutputCrs {
        self.crs
    }
    fn records(&self) -> io::Result<Vec<ShapeRecord>> {
        let (run, crs) = (self.run, self.crs);
        run.snaps
            .iter()
            .map(|s| {
                let station = &run.stations.stations[s.site as usize];
                let path = &run.paths[s.path as usize];
                let props = properties(json!({
                    "id": station.label(),
                    "record_index": station.index,
                    "power_kw": station.power_kw(),
                    "route": run.network.routes[path.route as usize],
                    "direction": path.direction.name(),
                    "path": s.path,
                    "chainage_km": km3(s.chainage_m),
                    "offset_m": (s.offset_m * 10.0).round() / 10.0,
                    "road_point": coordinates(crs, s.at)?,
                }));
                let at = convert(crs, station.location)?;
                Ok((Geometry::Point(Point(at)), props))
            })
            .collect()
    }
}

/// `--suggest-out`: the suggested new sites as Points with `rank`,
/// `route`, `direction`, `path` and `km`.
pub struct SuggestedLayer<'a> {
    /// The corridor's report, with its suggestion.
    pub report: &'a CorridorReport,
    /// The coordinate system written.
    pub crs: &'a OutputCrs,
}

impl OutputLayer for SuggestedLayer<'_> {
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
        let suggested = self.report.suggested.as_deref().unwrap_or_default();
        suggested
            .iter()
            .map(|s| {
                let props = properties(json!({
                    "rank": s.rank,
                    "route": s.route,
                    "direction": s.direction.name(),
                    "path": s.path,
                    "km": s.km,
                }));
                let at = convert(
                    self.crs,
                    Coord {
                        x: s.at[0],
                        y: s.at[1],
                    },
                )?;
                Ok((Geometry::Point(Point(at)), props))
            })
            .collect()
    }
}
