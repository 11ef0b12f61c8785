//! Invariants that hold for any input (issue 21), checked with proptest
//! over random layers handed to the library as bytes: a grid of square
//! areas of 0.1° and stations scattered over and around it with random
//! powers.
//!
//! - Permuting the stations or the areas changes no area's answer.
//! - Duplicating a station changes no verdict and no distance.
//! - The covered share of every area is monotone in the radius.
//! - Splitting an area in two keeps its station count (no station lies on
//!   the cut: station coordinates are odd multiples of 0.0005°, the cut
//!   is at a multiple of 0.05°).
//! - A GCJ-02 round trip is within 1 cm: `src/crs/offset.rs`
//!   (`round_trips_within_a_centimetre`).

use std::collections::BTreeMap;

use chargecov::check::SurfaceRequest;
use chargecov::progress::Silent;
use chargecov::{CheckConfig, Report, Rule, Source, run_check};
use proptest::prelude::*;

/// A station: position in thousandths of a degree (made odd halves
/// below) and power in kW.
type St = (i32, i32, u32);

const CELL: f64 = 0.1;

fn areas_json(columns: usize, order: &[usize], split: Option<usize>) -> String {
    let mut features = Vec::new();
    for &k in order {
        let (c, r) = (k % columns, k / columns);
        let (x0, y0) = (c as f64 * CELL, r as f64 * CELL);
        let square = |id: String, xa: f64, xb: f64| {
            format!(
                r#"{{"type":"Feature","properties":{{"code":"{id}"}},"geometry":{{"type":"Polygon","coordinates":[[[{xa},{y0}],[{xb},{y0}],[{xb},{y1}],[{xa},{y1}],[{xa},{y0}]]]}}}}"#,
                y1 = y0 + CELL
            )
        };
        if split == Some(k) {
            let mid = x0 + CELL / 2.0;
            features.push(square(format!("a{k}-west"), x0, mid));
            features.push(square(format!("a{k}-east"), mid, x0 + CELL));
        } else {
            features.push(square(format!("a{k}"), x0, x0 + CELL));
        }
    }
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

fn stations_json(stations: &[St]) -> String {
    let features: Vec<String> = stations
        .iter()
        .enumerate()
        .map(|(i, &(x, y, kw))| {
            // Odd multiples of 0.0005°: never on a cell edge or a cut.
            let (lon, lat) = (f64::from(2 * x + 1) * 0.0005, f64::from(2 * y + 1) * 0.0005);
            format!(
                r#"{{"type":"Feature","properties":{{"id":"s{i}","power_kw":{kw}}},"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

fn check(areas: String, stations: String, radii: Option<&[f64]>) -> Report {
    let mut config = CheckConfig::new(
        Source::from_bytes("areas.geojson", areas.into_bytes()),
        Source::from_bytes("stations.geojson", stations.into_bytes()),
    );
    config.rule = Rule {
        min_power_kw: 100.0,
        ..Rule::default()
    };
    if let Some(radii) = radii {
        config.surface = Some(SurfaceRequest {
            radii_km: radii.to_vec(),
            labels: radii.iter().map(|r| r.to_string()).collect(),
            gaps: false,
        });
    }
    let run = run_check(&config, &Silent).expect("a valid layer");
    Report::new(&run, false)
}

/// Per area id: stations inside, qualifying inside, verdict, distance to
/// the nearest qualifying station (to the millimetre).
fn answers(report: &Report) -> BTreeMap<String, (u32, u32, bool, Option<i64>)> {
    report
        .areas
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                (
                    a.stations_inside,
                    a.qualifying_inside,
                    a.covered,
                    a.nearest_distance_m.map(|d| (d * 1000.0).round() as i64),
                ),
            )
        })
        .collect()
}

/// A grid of 2–4 × 2–3 cells and 1–40 stations over it and a cell
/// beyond (so that some areas are empty and distances vary).
fn layers() -> impl Strategy<Value = (usize, usize, Vec<St>)> {
    (2usize..=4, 2usize..=3).prop_flat_map(|(columns, rows)| {
        let w = (columns as i32 + 1) * 100;
        let h = (rows as i32 + 1) * 100;
        let station = (
            -50..w,
            -50..h,
            prop_oneof![Just(50u32), Just(150), Just(480)],
        );
        (
            Just(columns),
            Just(rows),
            proptest::collection::vec(station, 1..40),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn permuting_stations_or_areas_changes_nothing(
        (columns, rows, stations) in layers(),
        seed in any::<u64>(),
    ) {
        let n = columns * rows;
        let order: Vec<usize> = (0..n).collect();
        let reference = answers(&check(
            areas_json(columns, &order, None),
            stations_json(&stations),
            None,
        ));
        // A permutation from the seed (a rotation and a reversal).
        let mut shuffled_areas = order.clone();
        shuffled_areas.rotate_left((seed as usize) % n);
        if seed % 2 == 0 {
            shuffled_areas.reverse();
        }
        let mut shuffled_stations = stations.clone();
        let k = (seed as usize / 7) % shuffled_stations.len();
        shuffled_stations.rotate_left(k);
        if seed % 3 == 0 {
            shuffled_stations.reverse();
        }
        let permuted = answers(&check(
            areas_json(columns, &shuffled_areas, None),
            stations_json(&shuffled_stations),
            None,
        ));
        prop_assert_eq!(permuted, reference);
    }

    #[test]
    fn duplicating_a_station_changes_no_verdict(
        (columns, rows, stations) in layers(),
        pick in any::<prop::sample::Index>(),
    ) {
        let order: Vec<usize> = (0..columns * rows).collect();
        let areas = areas_json(columns, &order, None);
        let reference = answers(&check(areas.clone(), stations_json(&stations), None));
        let mut doubled = stations.clone();
        doubled.push(stations[pick.index(stations.len())]);
        let after = answers(&check(areas, stations_json(&doubled), None));
        for (id, (_, _, covered, distance)) in &reference {
            let (_, _, covered_after, distance_after) = after[id];
            prop_assert_eq!(*covered, covered_after, "verdict of {}", id);
            prop_assert_eq!(*distance, distance_after, "distance of {}", id);
        }
    }

    #[test]
    fn the_covered_share_grows_with_the_radius(
        (columns, rows, stations) in layers(),
    ) {
        let order: Vec<usize> = (0..columns * rows).collect();
        let radii = [1.0, 3.0, 6.0, 12.0];
        let report = check(
            areas_json(columns, &order, None),
            stations_json(&stations),
            Some(&radii),
        );
        for area in &report.areas {
            let within = area.within.as_ref().expect("shares with radii");
            let shares: Vec<f64> = radii
                .iter()
                .map(|r| within[&r.to_string()].as_f64().unwrap())
                .collect();
            for pair in shares.windows(2) {
                prop_assert!(pair[0] <= pair[1] + 1e-12, "{}: {:?}", area.id, shares);
            }
        }
    }

    #[test]
    fn splitting_an_area_keeps_its_station_count(
        (columns, rows, stations) in layers(),
        pick in any::<prop::sample::Index>(),
    ) {
        let n = columns * rows;
        let order: Vec<usize> = (0..n).collect();
        let k = pick.index(n);
        let whole = answers(&check(
            areas_json(columns, &order, None),
            stations_json(&stations),
            None,
        ));
        let split = answers(&check(
            areas_json(columns, &order, Some(k)),
            stations_json(&stations),
            None,
        ));
        let (inside, qualifying, _, _) = whole[&format!("a{k}")];
        let (wi, wq, _, _) = split[&format!("a{k}-west")];
        let (ei, eq, _, _) = split[&format!("a{k}-east")];
        prop_assert_eq!(inside, wi + ei);
        prop_assert_eq!(qualifying, wq + eq);
        // Every other area is unchanged.
        for (id, answer) in &whole {
            if id != &format!("a{k}") {
                prop_assert_eq!(&split[id], answer);
            }
        }
    }
}
