//! What the areas are coloured by: a metric, its classes and each area's
//! class. One sequential palette serves every metric, light for good and
//! dark for bad: ColorBrewer's YlOrRd (Brewer & Harrower,
//! colorbrewer2.org), which ColorBrewer marks safe for colour-blind
//! readers at every class count, with one darker red beyond it for
//! "no qualifying station at all".

use crate::check::report::{AreaReport, Report};
use crate::units::trim_float;

/// YlOrRd, 8 classes, lightest first.
const YLORRD: [&str; 8] = [
    "#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026",
];
/// Beyond the palette's darkest: no qualifying station anywhere.
const NO_STATION: &str = "#5c0017";

/// One class of a metric: its fill, the border that shows against it,
/// and its legend label.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// Fill colour.
    pub fill: &'static str,
    /// Label in the legend.
    pub label: String,
}

impl Class {
    fn new(fill: &'static str, label: impl Into<String>) -> Class {
        Class {
            fill,
            label: label.into(),
        }
    }

    /// A border colour that shows against the fill: dark grey on light
    /// fills, near-white on dark ones (WCAG relative luminance at 0.4).
    pub fn stroke(&self) -> &'static str {
        if luminance(self.fill) > 0.4 {
            "#707070"
        } else {
            "#f4f4f4"
        }
    }
}

/// WCAG 2 relative luminance of a `#rrggbb` colour.
fn luminance(hex: &str) -> f64 {
    let channel = |k: usize| {
        let v = u8::from_str_radix(hex.get(1 + 2 * k..3 + 2 * k).unwrap_or("00"), 16).unwrap_or(0)
            as f64
            / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}

/// What the areas are coloured by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metric {
    /// Covered or not, and how far (the default).
    Covered,
    /// Distance from the representative point to the nearest qualifying station.
    Distance,
    /// Share of the surface within a radius (its label as written, e.g. "5").
    Share(String),
    /// Distance of the worst-served point.
    Worst,
}

impl Metric {
    /// The name used on the command line and in the page: `covered`,
    /// `distance`, `share:5`, `worst`.
    pub fn key(&self) -> String {
        match self {
            Metric::Covered => "covered".to_owned(),
            Metric::Distance => "distance".to_owned(),
            Metric::Share(r) => format!("share:{r}"),
            Metric::Worst => "worst".to_owned(),
        }
    }

    /// Reads a key written by [`Metric::key`]; `None` if it is none.
    pub fn parse(key: &str) -> Option<Metric> {
        match key {
            "covered" => Some(Metric::Covered),
            "distance" => Some(Metric::Distance),
            "worst" => Some(Metric::Worst),
            _ => key
                .strip_prefix("share:")
                .filter(|r| !r.is_empty())
                .map(|r| Metric::Share(r.to_owned())),
        }
    }
}

/// A metric with its classes and every area's class.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    /// Which metric.
    pub metric: Metric,
    /// What it is, for the selector and the legend's heading.
    pub title: String,
    /// The classes, best first.
    pub classes: Vec<Class>,
    /// Per area (in report order): its class.
    pub of: Vec<usize>,
}

impl Scale {
    /// The classes that some area falls in, with their index.
    pub fn present(&self) -> Vec<(usize, &Class)> {
        let mut used = vec![false; self.classes.len()];
        for &c in &self.of {
            used[c] = true;
        }
        self.classes
            .iter()
            .enumerate()
            .filter(|(k, _)| used[*k])
            .collect()
    }
}

/// Classes by upper bound: the first bound at or above the value.
fn class_by(bounds: &[f64], v: f64) -> usize {
    bounds.iter().position(|&b| v <= b).unwrap_or(bounds.len())
}

fn km_label(lo: Option<f64>, hi: Option<f64>, what: &str) -> String {
    match (lo, hi) {
        (None, Some(h)) => format!("{what} ≤ {} km", trim_float(h)),
        (Some(l), Some(h)) => format!("{what} {}–{} km", trim_float(l), trim_float(h)),
        (Some(l), None) => format!("{what} > {} km", trim_float(l)),
        (None, None) => what.to_owned(),
    }
}

/// Distance classes in km with the palette entries they take.
fn distance_classes(bounds_km: &[f64], fills: &[&'static str], what: &str) -> Vec<Class> {
    fills
        .iter()
        .take(bounds_km.len() + 1)
        .enumerate()
        .map(|(k, fill)| {
            let lo = k.checked_sub(1).map(|j| bounds_km[j]);
            let hi = bounds_km.get(k).copied();
            Class::new(fill, km_label(lo, hi, what))
        })
        .collect()
}

const COVERED_KM: [f64; 3] = [2.0, 5.0, 10.0];
const UNCOVERED_KM: [f64; 2] = [5.0, 20.0];
const DISTANCE_KM: [f64; 5] = [2.0, 5.0, 10.0, 20.0, 50.0];
/// Share classes by lower bound, best first.
const SHARE_AT_LEAST: [f64; 5] = [0.995, 0.9, 0.75, 0.5, 0.25];

fn covered(report: &Report) -> Scale {
    let mut classes = distance_classes(&COVERED_KM, &YLORRD[..4], "covered, nearest");
    classes.extend(distance_classes(
        &UNCOVERED_KM,
        &YLORRD[5..8],
        "uncovered, nearest",
    ));
    classes.push(Class::new(NO_STATION, "no qualifying station at all"));
    let none = classes.len() - 1;
    let of = report
        .areas
        .iter()
        .map(
            |a| match (a.covered, a.nearest_distance_m, a.boundary_distance_m) {
                (true, Some(d), _) => class_by(&COVERED_KM, d / 1000.0),
                (true, None, _) => COVERED_KM.len(),
                (false, _, Some(d)) => COVERED_KM.len() + 1 + class_by(&UNCOVERED_KM, d / 1000.0),
                (false, _, None) => none,
            },
        )
        .collect();
    // "nearest" of an uncovered area is its distance from the area itself.
    for c in &mut classes[COVERED_KM.len() + 1..none] {
        c.label = c.label.replace("nearest", "away");
    }
    Scale {
        metric: Metric::Covered,
        title: "covered under the rule".to_owned(),
        classes,
        of,
    }
}

fn distance_scale(
    report: &Report,
    metric: Metric,
    title: &str,
    what: &str,
    d: impl Fn(&AreaReport) -> Option<f64>,
) -> Scale {
    let fills = [
        YLORRD[0], YLORRD[1], YLORRD[3], YLORRD[4], YLORRD[6], YLORRD[7],
    ];
    let mut classes = distance_classes(&DISTANCE_KM, &fills, what);
    classes.push(Class::new(NO_STATION, "no qualifying station at all"));
    let none = classes.len() - 1;
    let of = report
        .areas
        .iter()
        .map(|a| d(a).map_or(none, |m| class_by(&DISTANCE_KM, m / 1000.0)))
        .collect();
    Scale {
        metric,
        title: title.to_owned(),
        classes,
        of,
    }
}

fn share(report: &Report, radius: &str) -> Scale {
    let fills = [
        YLORRD[0], YLORRD[2], YLORRD[3], YLORRD[4], YLORRD[6], YLORRD[7],
    ];
    let pct = |s: f64| trim_float(s * 100.0);
    let mut classes = vec![Class::new(fills[0], "≥ 99.5 % within")];
    for k in 1..SHARE_AT_LEAST.len() {
        classes.push(Class::new(
            fills[k],
            format!(
                "{}–{} % within",
                pct(SHARE_AT_LEAST[k]),
                pct(SHARE_AT_LEAST[k - 1])
            ),
        ));
    }
    classes.push(Class::new(
        fills[SHARE_AT_LEAST.len()],
        format!(
            "< {} % within",
            pct(SHARE_AT_LEAST[SHARE_AT_LEAST.len() - 1])
        ),
    ));
    let worst = classes.len() - 1;
    let of = report
        .areas
        .iter()
        .map(|a| {
            let s = a
                .within
                .as_ref()
                .and_then(|w| w.get(radius))
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            SHARE_AT_LEAST
                .iter()
                .position(|&at_least| s >= at_least)
                .unwrap_or(worst)
        })
        .collect();
    Scale {
        metric: Metric::Share(radius.to_owned()),
        title: format!("surface within {radius} km"),
        classes,
        of,
    }
}

/// Every metric the report can colour by: covered and distance always;
/// a share per radius and the worst-served distance with `--radius-km`.
pub fn scales(report: &Report) -> Vec<Scale> {
    let mut out = vec![
        covered(report),
        distance_scale(
            report,
            Metric::Distance,
            "nearest qualifying, from the centre",
            "centre",
            |a| a.nearest_distance_m,
        ),
    ];
    if let Some(surface) = &report.summary.surface {
        for r in &surface.radii_km {
            out.push(share(report, r));
        }
        if report.areas.iter().any(|a| a.worst_point.is_some()) {
            out.push(distance_scale(
                report,
                Metric::Worst,
                "nearest qualifying, from the worst point",
                "worst point",
                |a| a.worst_point.as_ref().map(|w| w.distance_m),
            ));
        }
    }
    out
}

/// The metric keys a report offers, for messages.
pub fn keys(report: &Report) -> Vec<String> {
    scales(report).iter().map(|s| s.metric.key()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn darker_is_worse_and_borders_show() {
        // Each palette step is darker than the last (luminance falls).
        for pair in YLORRD.windows(2) {
            assert!(luminance(pair[0]) > luminance(pair[1]), "{pair:?}");
        }
        assert!(luminance(YLORRD[7]) > luminance(NO_STATION));
        // Luminance by hand: white 1, black 0; #808080 is 0.2159.
        assert!((luminance("#ffffff") - 1.0).abs() < 1e-9);
        assert!(luminance("#000000").abs() < 1e-9);
        assert!((luminance("#808080") - 0.2159).abs() < 1e-3);
        // Light fills take a dark border, dark fills a light one.
        assert_eq!(Class::new(YLORRD[0], "").stroke(), "#707070");
        assert_eq!(Class::new(YLORRD[7], "").stroke(), "#f4f4f4");
    }

    #[test]
    fn classes_by_bound_and_keys_round_trip() {
        assert_eq!(class_by(&DISTANCE_KM, 0.0), 0);
        assert_eq!(class_by(&DISTANCE_KM, 2.0), 0);
        assert_eq!(class_by(&DISTANCE_KM, 2.01), 1);
        assert_eq!(class_by(&DISTANCE_KM, 51.0), 5);
        for m in [
            Metric::Covered,
            Metric::Distance,
            Metric::Worst,
            Metric::Share("2.5".into()),
        ] {
            assert_eq!(Metric::parse(&m.key()), Some(m));
        }
        assert_eq!(Metric::parse("share:"), None);
        assert_eq!(Metric::parse("population"), None);
        assert_eq!(
            km_label(Some(5.0), Some(20.0), "uncovered, away"),
            "uncovered, away 5–20 km"
        );
    }
}
