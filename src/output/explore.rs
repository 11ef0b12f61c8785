//! The explorable map of the HTML reports: a toolbar (zoom buttons, the
//! metric selector, a checkbox per layer drawn, search), the map, a panel
//! for the clicked area's facts, the legend of what is shown, the facts
//! as JSON and the script (`explore.js`) that ties them together. Still
//! one self-contained file: nothing is fetched.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value};

use super::map::{self, LegendBlock, MapInput, Metric, Scale};
use super::xml_escape as escape;

/// The page script: pan and zoom, layers, metric, panel, search.
pub const SCRIPT: &str = include_str!("explore.js");

/// The explorer's styles (added to the page's).
pub const STYLE: &str = r#"
#explorer{position:relative}
#toolbar{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;font-size:13px;margin:0 0 6px 0}
#toolbar button{font-size:15px;min-width:30px;height:28px;cursor:pointer}
#toolbar label{white-space:nowrap}
#search-box{position:relative}
#search{width:240px;font-size:13px;padding:3px 6px}
#search-results{position:absolute;z-index:3;background:#fff;border:1px solid #bbb;margin:0;padding:0;list-style:none;max-height:320px;overflow:auto;width:320px}
#search-results li{padding:4px 8px;cursor:pointer}
#search-results li:hover{background:#eef}
#search-results small{color:#666}
#map-box{position:relative;border:1px solid #ccc;overflow:hidden;background:#fff}
#map{display:block;width:100%;height:72vh;min-height:420px;cursor:grab;touch-action:none;user-select:none}
#map:focus{outline:2px solid #2171b5}
#map.dragging{cursor:grabbing}
#map path.a,#map #groups path,#map #uncovered path,#map #gaps path,#map #highlight,#map polyline{vector-effect:non-scaling-stroke}
#map path.a{stroke-width:0.5px}
#map path.a:hover{stroke:#000;stroke-width:1.5px}
#map path.dots{fill:none;stroke-linecap:round;vector-effect:non-scaling-stroke;pointer-events:none}
#map .site path.dots{pointer-events:stroke}
#map #gaps,#map #groups,#map #uncovered{pointer-events:none}
#map #highlight{fill:none;stroke:#00bfff;stroke-width:3px;pointer-events:none}
#panel{position:absolute;top:8px;right:8px;width:330px;max-height:90%;overflow:auto;background:rgba(255,255,255,0.96);border:1px solid #888;border-radius:4px;padding:8px 12px;font-size:13px;box-shadow:0 2px 8px rgba(0,0,0,0.25)}
#panel h3{margin:0 24px 2px 0;font-size:16px}
#panel p{margin:0 0 6px 0;color:#555}
#panel th{font-weight:normal;color:#444;padding:2px 8px 2px 0;vertical-align:top}
#panel td{padding:2px 0}
#panel-close{position:absolute;top:4px;right:6px;border:none;background:none;font-size:18px;cursor:pointer}
#legend{display:flex;flex-wrap:wrap;gap:4px 28px;font-size:12px;margin-top:8px}
.legend-block b{display:block;margin:4px 0 2px 0}
.legend-item{display:flex;align-items:center;gap:6px;line-height:17px}
.hint{color:#666;font-size:12px;margin:4px 0}
tr[data-i]{cursor:pointer}
tr[data-i]:hover{background:#f0f4ff}
"#;

/// One area's facts for the panel and the search.
#[derive(Serialize)]
struct AreaFacts<'a> {
    id: &'a str,
    name: Option<&'a str>,
    group: Option<&'a str>,
    covered: bool,
    inside: u32,
    qualifying: u32,
    nearest_m: Option<f64>,
    nearest_id: Option<&'a str>,
    boundary_m: Option<f64>,
    boundary_id: Option<&'a str>,
    strongest_kw: Option<f64>,
    km2: Option<f64>,
    population: Option<f64>,
    within: Option<&'a Map<String, Value>>,
    /// lon, lat, distance in m, proven.
    worst: Option<(f64, f64, f64, bool)>,
    gap_km2: Option<f64>,
    /// Ranks of the suggested sites that newly serve it.
    sites: Vec<usize>,
}

#[derive(Serialize)]
struct MetricCodes {
    key: String,
    /// One character per area: its class.
    codes: String,
}

#[derive(Serialize)]
struct MapData<'a> {
    metrics: Vec<MetricCodes>,
    radii: &'a [String],
    areas: Vec<AreaFacts<'a>>,
}

/// Rounds metres to the decimetre: the page shows hundredths of a km.
fn dm(m: Option<f64>) -> Option<f64> {
    m.map(|m| (m * 10.0).round() / 10.0)
}

/// JSON safe inside `<script>`: no `</` can close the element.
fn script_json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".to_owned())
        .replace("</", "<\\/")
}

fn facts<'a>(input: &MapInput<'a>) -> Vec<AreaFacts<'a>> {
    let report = input.report;
    let mut sites_of: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for site in input.sites {
        for id in &site.serves {
            sites_of.entry(id.as_str()).or_default().push(site.rank);
        }
    }
    report
        .areas
        .iter()
        .map(|a| AreaFacts {
            id: &a.id,
            name: a.name.as_deref(),
            group: a.group.as_deref(),
            covered: a.covered,
            inside: a.stations_inside,
            qualifying: a.qualifying_inside,
            nearest_m: dm(a.nearest_distance_m),
            nearest_id: a.nearest_station_id.as_deref(),
            boundary_m: dm(a.boundary_distance_m),
            boundary_id: a.boundary_station_id.as_deref(),
            strongest_kw: a.strongest_kw,
            km2: a.area_km2,
            population: a.population,
            within: a.within.as_ref(),
            worst: a.worst_point.as_ref().map(|w| {
                (
                    w.lon,
                    w.lat,
                    dm(Some(w.distance_m)).unwrap_or(w.distance_m),
                    w.proven,
                )
            }),
            gap_km2: a.gap_km2,
            sites: sites_of.get(a.id.as_str()).cloned().unwrap_or_default(),
        })
        .collect()
}

/// A layer's checkbox label.
fn layer_label(id: &str) -> &str {
    match id {
        "gaps" => "gaps",
        "groups" => "group boundaries",
        "uncovered" => "uncovered outlines",
        "stations" => "stations",
        "worst" => "worst-served points",
        "suggested" => "suggested sites",
        other => other,
    }
}

/// The toolbar: zoom buttons, an optional metric selector, a checkbox per
/// layer (`(element id, label)`), and search when `search` is set.
pub fn toolbar(metrics: &[(String, String)], layers: &[(&str, &str)], search: bool) -> String {
    let mut out = String::from(
        r#"<div id="toolbar"><span><button type="button" id="zoom-in" title="Zoom in (+)">+</button> <button type="button" id="zoom-out" title="Zoom out (−)">−</button> <button type="button" id="zoom-reset" title="Whole map (0)">⤢</button></span>"#,
    );
    if !metrics.is_empty() {
        out.push_str(r#"<label>Colour areas by <select id="metric">"#);
        for (k, (key, title)) in metrics.iter().enumerate() {
            let _ = write!(
                out,
                r#"<option value="{k}" data-key="{}">{}</option>"#,
                escape(key),
                escape(title)
            );
        }
        out.push_str("</select></label>");
    }
    if !layers.is_empty() {
        out.push_str(r#"<span id="layers">Layers:"#);
        for (id, label) in layers {
            let _ = write!(
                out,
                r#" <label><input type="checkbox" data-layer="{}" checked> {}</label>"#,
                escape(id),
                escape(label)
            );
        }
        out.push_str("</span>");
    }
    if search {
        out.push_str(r#"<span id="search-box"><input id="search" type="search" placeholder="Find an area by name or id" autocomplete="off" aria-label="Find an area by name or id"><ul id="search-results" hidden></ul></span>"#);
    }
    out.push_str("</div>\n");
    out
}

/// The colours of every metric's classes: `.m{k}c{c}`.
fn metric_style(scales: &[Scale]) -> String {
    let mut out = String::new();
    for (k, s) in scales.iter().enumerate() {
        for (c, class) in s.classes.iter().enumerate() {
            let _ = write!(
                out,
                "#map .m{k}c{c}{{fill:{};stroke:{}}}",
                class.fill,
                class.stroke()
            );
        }
        out.push('\n');
    }
    out
}

/// The whole map section of a check's page, coloured first by `initial`
/// (the first metric the report offers if it offers not that one).
pub fn section(input: &MapInput, initial: &Metric) -> String {
    let mut scales = map::scale::scales(input.report);
    if let Some(k) = scales.iter().position(|s| &s.metric == initial) {
        let chosen = scales.remove(k);
        scales.insert(0, chosen);
    }
    let (svg, blocks) = map::explorable(input, &scales);
    let layers: Vec<(&str, &str)> = blocks
        .iter()
        .filter(|b| !b.key.starts_with("metric:"))
        .map(|b| (b.key.as_str(), layer_label(&b.key)))
        .collect();
    let metrics: Vec<(String, String)> = scales
        .iter()
        .map(|s| (s.metric.key(), s.title.clone()))
        .collect();
    let data = MapData {
        metrics: scales
            .iter()
            .map(|s| MetricCodes {
                key: s.metric.key(),
                codes: s
                    .of
                    .iter()
                    .map(|&c| char::from_digit(c as u32, 36).unwrap_or('0'))
                    .collect(),
            })
            .collect(),
        radii: input
            .report
            .summary
            .surface
            .as_ref()
            .map_or(&[], |s| s.radii_km.as_slice()),
        areas: facts(input),
    };
    let mut out = String::with_capacity(svg.len() + 4096);
    let _ = writeln!(
        out,
        r#"<section id="map-section"><h2>Map</h2><style>{}</style><div id="explorer">"#,
        metric_style(&scales)
    );
    out.push_str(&toolbar(&metrics, &layers, true));
    let _ = writeln!(
        out,
        r#"<div id="map-box">{svg}<aside id="panel" hidden><button type="button" id="panel-close" title="Close (Esc)">×</button><div id="panel-body"></div></aside></div>"#
    );
    out.push_str(&legend_html(&blocks));
    let _ = writeln!(
        out,
        r#"<p class="hint">Wheel, + and − zoom; drag or the arrow keys pan; 0 shows the whole map. Click an area (or a table row) for its facts.</p></div><script type="application/json" id="map-data">{}</script></section>"#,
        script_json(&data)
    );
    out
}

/// The legend under the map: the first metric's block shown, the others
/// hidden until selected.
fn legend_html(blocks: &[LegendBlock]) -> String {
    let html = map::legend::blocks_html(blocks);
    let first_metric = blocks
        .iter()
        .find(|b| b.key.starts_with("metric:"))
        .map(|b| b.key.clone());
    let mut out = String::from(r#"<div id="legend">"#);
    for line in html.lines() {
        let shown = match &first_metric {
            Some(k) if line.contains("data-key=\"metric:") => {
                line.contains(&format!("data-key=\"{}\"", escape(k)))
            }
            _ => true,
        };
        if shown {
            out.push_str(line);
        } else {
            out.push_str(&line.replacen(
                "<div class=\"legend-block\"",
                "<div hidden class=\"legend-block\"",
                1,
            ));
        }
        out.push('\n');
    }
    out.push_str("</div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_cannot_close_the_script() {
        let s = script_json(&serde_json::json!({"name": "</script><b>"}));
        assert!(!s.contains("</"), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["name"], "</script><b>");
    }

    #[test]
    fn toolbar_lists_the_layers_given() {
        let t = toolbar(&[], &[("stations", "stations"), ("gaps", "gaps")], false);
        assert_eq!(t.matches("data-layer=").count(), 2);
        assert!(!t.contains("id=\"metric\""));
        assert!(!t.contains("id=\"search\""));
    }
}
