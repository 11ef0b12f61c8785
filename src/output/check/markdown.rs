//! A short Markdown summary for a pull-request comment: verdict, counts,
//! the worst groups and the uncovered areas (truncated, with a count).

use std::fmt::Write as _;

use crate::check::report::Report;
use crate::units::km_or_dash;

/// Groups and uncovered areas shown at most.
const WORST_GROUPS: usize = 5;
const UNCOVERED_SHOWN: usize = 20;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The summary of a report, as Markdown.
pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let verdict = if s.claim_holds {
        "✅ claim holds".to_owned()
    } else {
        format!(
            "❌ claim fails — {} of {} areas uncovered",
            s.areas_uncovered, s.areas_total
        )
    };
    let _ = writeln!(out, "### chargecov: {verdict}\n");
    let _ = writeln!(out, "**Rule:** {}  ", report.rule.description);
    let i = &report.inputs;
    let _ = writeln!(
        out,
        "**Data:** `{}` ({} areas), `{}` ({} stations){}\n",
        i.areas.path,
        i.areas.features_used,
        i.stations.path,
        i.stations.features_used,
        if i.synthetic {
            " — synthetic demo data"
        } else {
            ""
        }
    );
    if let Some(m) = &i.crs_mismatch {
        let _ = writeln!(out, "> ⚠️ {}\n", m.message());
    }
    if let Some(m) = &i.power_missing {
        let _ = writeln!(out, "> ⚠️ {}\n", m.message());
    }
    for f in &i.stations.filters {
        let _ = writeln!(
            out,
            "**Filter:** `{}` removed {} records  ",
            f.filter, f.removed
        );
    }
    if let Some(p) = &i.stations.pools {
        let _ = writeln!(
            out,
            "**Sites:** {} records grouped into {} sites ({})\n",
            p.records, p.pools, p.by
        );
    }
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| areas covered | {} of {} ({:.1} %) |",
        s.areas_covered,
        s.areas_total,
        pct(s.areas_covered, s.areas_total)
    );
    let _ = writeln!(
        out,
        "| stations qualifying | {} of {} |",
        s.stations_qualifying, s.stations_total
    );
    if let Some(sweep) = &s.power_sweep {
        let _ = writeln!(out, "| power threshold | {} |", sweep.line());
    }
    if let Some(d) = &s.distance_m {
        let _ = writeln!(
            out,
            "| distance to the nearest qualifying station (median / p90 / max) | {} / {} / {} |",
            km_or_dash(Some(d.median), 1),
            km_or_dash(Some(d.p90), 1),
            km_or_dash(Some(d.max), 1)
        );
    }
    let _ = writeln!(out);

    let mut groups: Vec<_> = report
        .groups
        .iter()
        .filter(|g| g.areas_uncovered > 0)
        .collect();
    groups.sort_by(|a, b| {
        b.areas_uncovered
            .cmp(&a.areas_uncovered)
            .then_with(|| {
                let m = |g: &crate::check::report::GroupReport| {
                    g.distance_m.as_ref().map_or(f64::INFINITY, |d| d.median)
                };
                m(b).total_cmp(&m(a))
            })
            .then_with(|| a.group.cmp(&b.group))
    });
    if !groups.is_empty() {
        let _ = writeln!(out, "**Worst groups**\n");
        let _ = writeln!(
            out,
            "| group | uncovered | areas | median distance |\n|---|---:|---:|---:|"
        );
        for g in groups.iter().take(WORST_GROUPS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&g.group),
                g.areas_uncovered,
                g.areas_total,
                km_or_dash(g.distance_m.as_ref().map(|d| d.median), 1)
            );
        }
        if groups.len() > WORST_GROUPS {
            let _ = writeln!(
                out,
                "\n…and {} more groups with uncovered areas.",
                groups.len() - WORST_GROUPS
            );
        }
        let _ = writeln!(out);
    }

    let uncovered: Vec<_> = report.areas.iter().filter(|a| !a.covered).collect();
    if !uncovered.is_empty() {
        let _ = writeln!(out, "**Uncovered areas** ({})\n", uncovered.len());
        let _ = writeln!(
            out,
            "| id | name | group | nearest qualifying station |\n|---|---|---|---:|"
        );
        for a in uncovered.iter().take(UNCOVERED_SHOWN) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&a.id),
                cell(a.name.as_deref().unwrap_or("")),
                cell(a.group.as_deref().unwrap_or("")),
                km_or_dash(a.boundary_distance_m, 1)
            );
        }
        if uncovered.len() > UNCOVERED_SHOWN {
            let _ = writeln!(out, "\n…and {} more.", uncovered.len() - UNCOVERED_SHOWN);
        }
    }
    out
}
