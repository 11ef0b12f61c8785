//! The printed map (`--svg`, `--png`): a title with the claim and its
//! verdict, a subtitle with the rule, the data, the date and the
//! projection, the map with uncovered areas named, a north arrow, a
//! scale bar in km, the legend of what is drawn and a source line.

use std::fmt::Write as _;

use super::layers::{self, Style};
use super::legend::{self, LegendBlock};
use super::scale::{Metric, scales};
use super::{Frame, MapInput};
use crate::output::xml_escape as escape;
use crate::units::trim_float;

const LEGEND_WIDTH: f64 = 330.0;
const TITLE_HEIGHT: f64 = 78.0;
const FOOT_HEIGHT: f64 = 52.0;
/// The size of the uncovered areas' names, px.
pub const LABEL_PX: f64 = 12.0;
/// Uncovered areas are named on the map up to this many.
pub const LABEL_AT_MOST: usize = 30;

/// Today's date (UTC) as YYYY-MM-DD; `SOURCE_DATE_EPOCH` (seconds)
/// fixes it for reproducible builds and tests.
fn today() -> String {
    date(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())
}

/// The date of `epoch` (seconds), or today's when it is absent or unreadable.
fn date(epoch: Option<&str>) -> String {
    let now = epoch
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    let d = now.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The longest 1, 2 or 5 × 10ⁿ km at most `max_px` long.
fn bar_km(km_per_px: f64, max_px: f64) -> f64 {
    let most = km_per_px * max_px;
    let mut best = 0.001;
    let mut decade = 0.001;
    while decade <= most {
        for m in [1.0, 2.0, 5.0] {
            if m * decade <= most {
                best = m * decade;
            }
        }
        decade *= 10.0;
    }
    best
}

fn scale_bar(out: &mut String, frame: &Frame, x: f64, y: f64) {
    let km = bar_km(frame.km_per_px(), 160.0);
    let px = km / frame.km_per_px();
    let half = px / 2.0;
    let _ = writeln!(
        out,
        r##"<g id="scale-bar"><rect x="{x:.1}" y="{y:.1}" width="{half:.1}" height="6" fill="#202020"/><rect x="{:.1}" y="{y:.1}" width="{half:.1}" height="6" fill="#ffffff" stroke="#202020" stroke-width="0.8"/><rect x="{x:.1}" y="{y:.1}" width="{px:.1}" height="6" fill="none" stroke="#202020" stroke-width="0.8"/>"##,
        x + half
    );
    for (at, v) in [(0.0, 0.0), (half, km / 2.0), (px, km)] {
        let _ = writeln!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="#202020">{}</text>"##,
            x + at,
            y + 18.0,
            trim_float(v)
        );
    }
    let _ = writeln!(
        out,
        r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#202020">km (true at {}° {})</text></g>"##,
        x + px + 10.0,
        y + 7.0,
        trim_float((frame.true_scale_lat().abs() * 10.0).round() / 10.0),
        if frame.true_scale_lat() < 0.0 {
            "S"
        } else {
            "N"
        }
    );
}

fn north_arrow(out: &mut String, x: f64, y: f64) {
    let _ = writeln!(
        out,
        r##"<g id="north-arrow"><rect x="{:.1}" y="{:.1}" width="26" height="46" rx="3" fill="#ffffff" fill-opacity="0.85"/><path d="M{x:.1} {y:.1}l8 22l-8 -6l-8 6z" fill="#202020" stroke="#ffffff" stroke-width="0.8"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="12" font-weight="bold" fill="#202020">N</text></g>"##,
        x - 13.0,
        y - 5.0,
        y + 36.0
    );
}

/// The printed map as a standalone SVG document, the areas coloured by
/// `metric` (one of [`super::scale::keys`]; covered if it is not offered).
pub fn print_svg(input: &MapInput, metric: &Metric) -> String {
    let report = input.report;
    let frame = Frame::of_areas(input.run);
    let all = scales(report);
    let scale = all.iter().find(|s| &s.metric == metric).unwrap_or(&all[0]);
    let drawn = layers::draw(input, &frame, Style::Print { scale });
    let metric_block = legend::metric_block(scale);
    let mut blocks: Vec<&LegendBlock> = vec![&metric_block];
    blocks.extend(drawn.legend.iter());
    let legend_x = frame.width + 14.0;
    let (legend_svg, legend_h) = legend::blocks_svg(&blocks, legend_x, TITLE_HEIGHT + 6.0);
    let width = frame.width + LEGEND_WIDTH;
    let body = frame.height.max(legend_h + 12.0);
    let height = TITLE_HEIGHT + body + FOOT_HEIGHT;

    let s = &report.summary;
    let verdict = if s.claim_holds {
        format!("Claim holds: all {} areas covered", s.areas_total)
    } else {
        format!(
            "Claim fails: {} of {} areas uncovered",
            s.areas_uncovered, s.areas_total
        )
    };
    let title = match &report.rule.claim {
        Some(claim) => format!("{claim} — {verdict}"),
        None => verdict,
    };
    let power = if report.rule.min_power_kw <= 0.0 && !report.rule.min_power_exclusive {
        "any station qualifies, whatever its power".to_owned()
    } else {
        format!(
            "{} {} kW per point qualifies",
            if report.rule.min_power_exclusive {
                "&gt;"
            } else {
                "≥"
            },
            trim_float(report.rule.min_power_kw)
        )
    };
    let i = &report.inputs;
    let data = format!(
        "Areas: {} ({}, {}) · stations: {} ({}) · {} · map: equirectangular, WGS84",
        i.areas.path,
        i.areas.features_used,
        i.areas.crs,
        i.stations.path,
        i.stations.features_used,
        today()
    );

    let mut out = String::with_capacity(drawn.svg.len() + 16 * 1024);
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="map" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" font-family="DejaVu Sans, Noto Sans CJK SC, sans-serif" font-size="12">"##
    );
    out.push_str(layers::DEFS);
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/><text id="title" x="14" y="26" font-size="18" font-weight="bold" fill="{}">{}</text><text id="subtitle" x="14" y="47" fill="#202020">{}; {}</text><text x="14" y="66" font-size="11" fill="#505050">{}</text>"##,
        if s.claim_holds { "#006d2c" } else { "#a50f15" },
        escape(&title),
        escape(&report.rule.description),
        power,
        escape(&data)
    );
    let _ = writeln!(
        out,
        r##"<g transform="translate(0 {TITLE_HEIGHT})"><rect width="{:.0}" height="{:.0}" fill="none" stroke="#c0c0c0"/>"##,
        frame.width, frame.height
    );
    out.push_str(&drawn.svg);
    // Name the uncovered areas when there are few enough to read.
    let uncovered: Vec<_> = report.areas.iter().filter(|a| !a.covered).collect();
    if !uncovered.is_empty() && uncovered.len() <= LABEL_AT_MOST {
        let labels: Vec<String> = uncovered
            .iter()
            .map(|a| {
                let p = frame.px(geo::Coord {
                    x: a.representative_point.lon,
                    y: a.representative_point.lat,
                });
                format!(
                    r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                    p.x,
                    p.y - 5.0,
                    escape(a.name.as_deref().unwrap_or(&a.id))
                )
            })
            .collect();
        // A white halo under the black text (drawn twice: renderers
        // differ on paint-order).
        let _ = writeln!(
            out,
            r##"<g id="label-halos" font-size="{LABEL_PX}" font-weight="bold" fill="#ffffff" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" text-anchor="middle">{}</g>"##,
            labels.concat()
        );
        let _ = writeln!(
            out,
            r##"<g id="labels" font-size="{LABEL_PX}" font-weight="bold" fill="#000000" text-anchor="middle">{}</g>"##,
            labels.concat()
        );
    }
    north_arrow(&mut out, frame.width - 26.0, 12.0);
    let _ = writeln!(out, "</g>");
    out.push_str(&legend_svg);
    let foot = TITLE_HEIGHT + body;
    scale_bar(&mut out, &frame, 14.0, foot + 10.0);
    let mut source = String::new();
    if i.synthetic {
        source
            .push_str("Synthetic demo data: invented boundaries and stations, not a real place. ");
    }
    if let Some(a) = input.attribution {
        let _ = write!(source, "Data: {a}. ");
    }
    let _ = write!(
        source,
        "Made with {} {}; distances geodesic on WGS84.",
        report.tool.name, report.tool.version
    );
    let _ = writeln!(
        out,
        r##"<text id="attribution" x="14" y="{:.1}" font-size="10" fill="#505050">{}</text>"##,
        height - 10.0,
        escape(&source)
    );
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_bar_lengths_are_round() {
        // 0.5 km/px × 160 px = 80 km at most: 50 km.
        assert_eq!(bar_km(0.5, 160.0), 50.0);
        // 0.01 km/px × 160 = 1.6 km: 1 km.
        assert_eq!(bar_km(0.01, 160.0), 1.0);
        // 2.5 km/px × 160 = 400 km: 200 km.
        assert_eq!(bar_km(2.5, 160.0), 200.0);
    }

    #[test]
    fn the_date_follows_source_date_epoch() {
        // 1,700,000,000 s after the epoch is 2023-11-14 22:13:20 UTC.
        assert_eq!(date(Some("1700000000")), "2023-11-14");
        assert_eq!(date(Some("soon")), date(None));
    }
}
