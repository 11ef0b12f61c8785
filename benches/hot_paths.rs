//! Micro-benchmarks of the hot paths, on the embedded demo data (1,031
//! townships with 57–269-vertex boundaries, 6,000 stations):
//! `cargo bench --bench hot_paths`. The end-to-end national numbers are in
//! BENCHMARKS.md (`bench/national.sh`).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use geo::{BoundingRect, Intersects};

use chargecov::StationFieldSpecs;
use chargecov::assess::{PreparedArea, assess, representative_point};
use chargecov::demo;
use chargecov::index::StationIndex;
use chargecov::input::geojson;
use chargecov::model::{AreaLayer, StationLayer};
use chargecov::normalise;
use chargecov::progress::Silent;

fn station_fields() -> StationFieldSpecs {
    StationFieldSpecs::default()
}

fn layers() -> (AreaLayer, StationLayer) {
    let areas = chargecov::normalise::load_areas(
        &demo::areas(),
        &Default::default(),
        false,
        None,
        &Default::default(),
    )
    .expect("demo areas");
    let stations = chargecov::normalise::load_stations(
        &demo::stations(),
        &StationFieldSpecs::default(),
        false,
        None,
        &Default::default(),
    )
    .expect("demo stations");
    (areas, stations)
}

fn parsing(c: &mut Criterion) {
    let mut g = c.benchmark_group("parsing");
    g.throughput(Throughput::Bytes(demo::STATIONS.len() as u64));
    g.bench_function("stations geojson (read only)", |b| {
        b.iter(|| geojson::read_stations(black_box(demo::STATIONS), "demo", &station_fields()))
    });
    g.throughput(Throughput::Bytes(demo::AREAS.len() as u64));
    g.bench_function("areas geojson (read only)", |b| {
        b.iter(|| geojson::read_features(black_box(demo::AREAS), "demo"))
    });
    g.bench_function("areas geojson + normalise", |b| {
        b.iter(|| {
            let raw = geojson::read_features(black_box(demo::AREAS), "demo").unwrap();
            normalise::areas(raw, "demo", &Default::default(), false, None)
        })
    });
    g.finish();
}

fn index_build(c: &mut Criterion) {
    let (_, stations) = layers();
    let locations: Vec<_> = stations.stations.iter().map(|s| s.location).collect();
    let all = vec![true; locations.len()];
    let mut g = c.benchmark_group("index");
    g.throughput(Throughput::Elements(locations.len() as u64));
    g.bench_function("build (k-d trees for boxes and for nearest)", |b| {
        b.iter(|| StationIndex::new(black_box(locations.clone()), &all))
    });
    g.finish();
}

fn point_in_area(c: &mut Criterion) {
    let (areas, stations) = layers();
    let points: Vec<_> = stations.stations.iter().map(|s| s.location).collect();
    // The largest demo area and every station in its bounding box.
    let area = areas
        .areas
        .iter()
        .max_by_key(|a| {
            a.geometry
                .0
                .iter()
                .map(|p| p.exterior().0.len())
                .sum::<usize>()
        })
        .unwrap();
    let rect = area.geometry.bounding_rect().unwrap();
    let candidates: Vec<_> = points
        .iter()
        .copied()
        .filter(|p| rect.intersects(p))
        .collect();
    let mut g = c.benchmark_group("point in area");
    g.throughput(Throughput::Elements(candidates.len() as u64));
    g.bench_function("geo intersects", |b| {
        b.iter(|| {
            candidates
                .iter()
                .filter(|p| area.geometry.intersects(*p))
                .count()
        })
    });
    g.bench_function("prepared (banded edges, incl. preparing)", |b| {
        b.iter(|| {
            let prepared = PreparedArea::new(&area.geometry);
            candidates.iter().filter(|p| prepared.covers(**p)).count()
        })
    });
    g.finish();
}

fn nearest_and_assess(c: &mut Criterion) {
    let (areas, stations) = layers();
    let locations: Vec<_> = stations.stations.iter().map(|s| s.location).collect();
    let qualifies: Vec<bool> = stations
        .stations
        .iter()
        .map(|s| s.power_kw().is_some_and(|kw| kw >= 120.0))
        .collect();
    let index = StationIndex::new(locations, &qualifies);
    let reps: Vec<_> = areas
        .areas
        .iter()
        .map(|a| representative_point(&a.geometry).unwrap())
        .collect();
    let mut g = c.benchmark_group("per area");
    g.throughput(Throughput::Elements(areas.areas.len() as u64));
    g.bench_function("nearest qualifying station (geodesic)", |b| {
        b.iter(|| reps.iter().filter_map(|p| index.nearest(*p)).count())
    });
    g.bench_function("representative point", |b| {
        b.iter(|| {
            areas
                .areas
                .iter()
                .filter_map(|a| representative_point(&a.geometry))
                .count()
        })
    });
    let run = || {
        assess(
            &areas.areas,
            &index,
            &stations.stations,
            &qualifies,
            0.0,
            &Silent,
        )
    };
    g.bench_function("assess (containment, point, nearest; parallel)", |b| {
        b.iter(run)
    });
    let assessment = run();
    let some = 100;
    g.throughput(Throughput::Elements(some as u64));
    g.sample_size(10);
    g.bench_function("surface shares at 2 and 5 km (100 areas)", |b| {
        b.iter(|| {
            chargecov::surface::analyse(
                &areas.areas[..some],
                &assessment.facts[..some],
                &index,
                &[2.0, 5.0],
                false,
                &Silent,
            )
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    parsing,
    index_build,
    point_in_area,
    nearest_and_assess
);
criterion_main!(benches);
