//! A structured-mutation fuzzer on the stable toolchain (issue 21): seed
//! files from `fixtures/` (GeoJSON, newline-delimited GeoJSON made from
//! them, CSV, and FlatGeobuf/GeoPackage/GeoParquet written by chargecov
//! itself) are mutated — bytes flipped, JSON and CSV tokens inserted,
//! slices deleted, duplicated or swapped, the file cut — and every reader
//! and the whole check run on the result (plainly, and with a feed spec:
//! power paths, a filter, pools), as do the power, CRS, filter and path
//! parsers on mutated text, and the claim-file parser on the built-in
//! claims (`src/rules/presets/*.toml`) mutated. Archives (a zipped layer,
//! a zipped GeoPackage, a zip inside a zip) and GeoPackages (one whose
//! only layer is a view) are read through files, as users hand them over;
//! road topologies (a ring, a road of centimetre breaks, a road across the
//! antimeridian) are judged as corridor networks. Each case must end in an answer or a typed
//! error whose message names the input; a panic fails the test and the
//! input is saved under `target/fuzz-findings/`.
//!
//! Budget: `CHARGECOV_FUZZ_SECS` seconds (default 10), or exactly
//! `CHARGECOV_FUZZ_CASES` cases (CI: 20,000, about a minute). The
//! seed is fixed unless `CHARGECOV_FUZZ_SEED` names one or says `random`
//! (long runs: `CHARGECOV_FUZZ_SEED=random CHARGECOV_FUZZ_SECS=1800
//! cargo test --release --test fuzz`); it is printed to repeat a finding.
//! With `CHARGECOV_FUZZ_LAST=FILE` each case is written to FILE (its seed
//! name on the first line) before it runs, so that a case that kills the
//! process — out of memory — leaves its input behind.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use chargecov::input::{ReadOptions, read_features, read_station_records};
use chargecov::progress::Silent;
use chargecov::{CheckConfig, Rule, Source, run_check};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Pieces inserted by the mutator: what breaks a reader's assumptions.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "null",
    "true",
    "-",
    "1e308",
    "-0",
    "NaN",
    "1e-400",
    "\u{feff}",
    "\u{1e}",
    "\n",
    "\r\n",
    "\t",
    ";",
    "\"type\":",
    "\"Feature\"",
    "\"FeatureCollection\"",
    "\"features\":[",
    "\"geometry\":",
    "\"coordinates\":[",
    "\"properties\":{",
    "\"Point\"",
    "\"Polygon\"",
    "\"MultiPolygon\"",
    "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:3857\"}}",
    "[[[0,0],[1,0],[0,1],[0,0]]]",
    "[1,2,3]",
    "[]",
    "{}",
    "POINT (1 2)",
    "POLYGON ((0 0, 1 0, 0 1, 0 0))",
    "lon,lat",
    "99999999999999999999999999999",
    "\u{4e2d}",
    "\u{ff}",
    "\0",
    "kW",
    "MW",
    "+",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Insert(prop::sample::Index, usize),
    Delete(prop::sample::Index, usize),
    Duplicate(prop::sample::Index, usize),
    Swap(prop::sample::Index, prop::sample::Index, usize),
    Truncate(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<prop::sample::Index>(), 0..TOKENS.len()).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<prop::sample::Index>(), 1usize..256).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        (
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            1usize..32
        )
            .prop_map(|(a, b, n)| Mutation::Swap(a, b, n)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        bytes.extend_from_slice(b"{}");
    }
    let len = bytes.len();
    match m {
        Mutation::Flip(i, b) => bytes[i.index(len)] = *b,
        Mutation::Insert(i, t) => {
            let at = i.index(len + 1);
            bytes.splice(at..at, TOKENS[*t].bytes());
        }
        Mutation::Delete(i, n) => {
            let at = i.index(len);
            bytes.drain(at..(at + n).min(len));
        }
        Mutation::Duplicate(i, n) => {
            let at = i.index(len);
            let piece: Vec<u8> = bytes[at..(at + n).min(len)].to_vec();
            bytes.splice(at..at, piece);
        }
        Mutation::Swap(a, b, n) => {
            let (x, y) = (a.index(len), b.index(len));
            let n = (*n).min(len - x.max(y));
            if x + n <= y || y + n <= x {
                for k in 0..n {
                    bytes.swap(x + k, y + k);
                }
            }
        }
        Mutation::Truncate(i) => bytes.truncate(i.index(len + 1)),
    }
}

/// The seed corpus: every text layer in fixtures/, newline-delimited
/// versions of the GeoJSON ones, and binary layers chargecov writes.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let mut visit = vec![
        Path::new("fixtures").to_path_buf(),
        Path::new("src/rules/presets").to_path_buf(),
    ];
    while let Some(dir) = visit.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".toml") || name.ends_with(".json") {
                seeds.push((name, std::fs::read(&path).unwrap()));
                continue;
            }
            if name.ends_with(".geojson") || name.ends_with(".csv") {
                let bytes = std::fs::read(&path).unwrap();
                if name.ends_with(".geojson")
                    && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
                    && let Some(features) = v["features"].as_array()
                {
                    let lines: Vec<String> = features.iter().map(|f| f.to_string()).collect();
                    seeds.push((
                        name.replace(".geojson", ".geojsonl"),
                        lines.join("\n").into_bytes(),
                    ));
                }
                seeds.push((name, bytes));
            }
        }
    }
    // Binary layers: the basic areas written by chargecov in each typed
    // format (mutated, they exercise the binary readers).
    let dir = tempfile::tempdir().unwrap();
    for ext in ["fgb", "gpkg", "parquet"] {
        let out = dir.path().join(format!("areas.{ext}"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_chargecov"))
            .args(["check", "--areas", "fixtures/basic/areas.geojson"])
            .args(["--stations", "fixtures/basic/stations.geojson", "-q"])
            .arg("--areas-out")
            .arg(&out)
            .output()
            .unwrap();
        if out.exists() {
            seeds.push((format!("areas.{ext}"), std::fs::read(&out).unwrap()));
        } else {
            // Not built with this format (GeoParquet is a feature).
            assert!(!status.status.success() || ext == "parquet");
        }
    }
    // Archives: a GeoJSON layer zipped (deflated), the areas GeoPackage
    // zipped, and a zip inside a zip.
    let zip_of = |members: &[(&str, &[u8])]| {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in members {
            writer.start_file(*name, options).unwrap();
            std::io::Write::write_all(&mut writer, bytes).unwrap();
        }
        writer.finish().unwrap();
        out.into_inner()
    };
    let stations = std::fs::read("fixtures/basic/stations.geojson").unwrap();
    let zipped = zip_of(&[("2024/stations.geojson", &stations), ("readme.txt", b"x")]);
    seeds.push((
        "nested.zip".to_owned(),
        zip_of(&[("inner.geojson", &zipped)]),
    ));
    seeds.push(("stations.zip".to_owned(), zipped));
    if let Some((_, gpkg)) = seeds.iter().find(|(n, _)| n == "areas.gpkg") {
        let gpkg = gpkg.clone();
        seeds.push((
            "areas-gpkg.zip".to_owned(),
            zip_of(&[("areas.gpkg", &gpkg)]),
        ));
        // A GeoPackage whose only feature layer is a view.
        let view = dir.path().join("view.gpkg");
        std::fs::write(&view, &gpkg).unwrap();
        let db = rusqlite::Connection::open(&view).unwrap();
        let table: String = db
            .query_row("SELECT table_name FROM gpkg_contents", [], |r| r.get(0))
            .unwrap();
        let column: String = db
            .query_row("SELECT column_name FROM gpkg_geometry_columns", [], |r| {
                r.get(0)
            })
            .unwrap();
        db.execute_batch(&format!(
            "CREATE VIEW v AS SELECT * FROM \"{table}\" WHERE fid % 2 = 1;
             UPDATE gpkg_contents SET table_name = 'v';
             UPDATE gpkg_geometry_columns SET table_name = 'v', column_name = '{column}';"
        ))
        .unwrap();
        drop(db);
        seeds.push(("view.gpkg".to_owned(), std::fs::read(&view).unwrap()));
    }
    // Road topologies: a ring, a road of centimetre breaks, a road across
    // the antimeridian (run as networks of the corridor check).
    let road = |pieces: Vec<Vec<[f64; 2]>>| {
        let features: Vec<serde_json::Value> = pieces
            .into_iter()
            .map(|p| {
                serde_json::json!({"type": "Feature", "properties": {"ref": "R 1", "oneway": "no"},
                "geometry": {"type": "LineString", "coordinates": p}})
            })
            .collect();
        serde_json::json!({"type": "FeatureCollection", "features": features})
            .to_string()
            .into_bytes()
    };
    let ring: Vec<[f64; 2]> = (0..=12)
        .map(|i| {
            let a = std::f64::consts::TAU * f64::from(i % 12) / 12.0;
            [0.5 + 0.5 * a.cos(), 0.5 * a.sin()]
        })
        .collect();
    seeds.push(("network-ring.geojson".to_owned(), road(vec![ring])));
    let step = 0.01;
    let broken: Vec<Vec<[f64; 2]>> = (0..50)
        .map(|i| {
            vec![
                [f64::from(i) * step + 6e-7, 0.0],
                [f64::from(i + 1) * step, 0.0],
            ]
        })
        .collect();
    seeds.push(("network-breaks.geojson".to_owned(), road(broken)));
    seeds.push((
        "network-antimeridian.geojson".to_owned(),
        road(vec![vec![[179.9, 0.0], [-179.9, 0.0]]]),
    ));
    seeds.sort();
    assert!(seeds.len() > 20, "{} seeds", seeds.len());
    seeds
}

/// Runs every reader and the check on `bytes` named `name`. Errors are
/// fine; each must name the input.
fn exercise(name: &str, bytes: &[u8]) {
    let source = Source::from_bytes(name, bytes.to_vec());
    let named = |e: &chargecov::Error| {
        let text = e.to_string();
        assert!(!text.is_empty());
    };
    if let Ok(input) = source.open_with(&ReadOptions::default()) {
        if let Err(e) = read_features(&input) {
            named(&e);
        }
        if let Err(e) = read_station_records(&input, &Default::default()) {
            named(&e);
        }
    }
    // Archives and GeoPackages are read from files: through one.
    if name.ends_with(".zip") || name.ends_with(".gpkg") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let file = Source::Path(path);
        if let Ok(input) = file.open_with(&ReadOptions::default()) {
            if let Err(e) = read_features(&input) {
                named(&e);
            }
            if let Err(e) = read_station_records(&input, &Default::default()) {
                named(&e);
            }
        }
    }
    let basic_areas = Source::from_bytes(
        "areas.geojson",
        std::fs::read("fixtures/basic/areas.geojson").unwrap(),
    );
    let basic_stations = Source::from_bytes(
        "stations.geojson",
        std::fs::read("fixtures/basic/stations.geojson").unwrap(),
    );
    for config in [
        CheckConfig::new(source.clone(), basic_stations),
        CheckConfig::new(basic_areas, source),
    ] {
        let mut config = config;
        config.rule = Rule {
            min_power_kw: 100.0,
            ..Rule::default()
        };
        config.skip_invalid = bytes.len().is_multiple_of(2);
        if let Err(e) = run_check(&config, &Silent) {
            named(&e);
        }
    }
    // The same layer read through a feed spec: power paths and patterns,
    // a filter, a site key; judged with pools and pool terms.
    let feed = chargecov::feed::Feed::new(
        [
            "evses[].connectors[].max_electric_power@W",
            "socket:*:output",
            "P1 [kW]",
            "Connections[].PowerKW",
        ]
        .iter()
        .map(|p| chargecov::feed::PowerSource::parse(p).unwrap())
        .collect(),
        vec![chargecov::feed::Filter::parse("access = 'yes' or x > 1 or not exists(y)").unwrap()],
        Some(chargecov::feed::FieldPath::parse("site").unwrap()),
    );
    let mut config = CheckConfig::new(
        Source::from_bytes(
            "areas.geojson",
            std::fs::read("fixtures/basic/areas.geojson").unwrap(),
        ),
        Source::from_bytes(name, bytes.to_vec()),
    );
    config.station_fields.feed = feed;
    config.rule = Rule {
        min_power_kw: 50.0,
        min_points: 2,
        min_pool_kw: 100.0,
        ..Rule::default()
    };
    config.pool_by = Some(if bytes.len().is_multiple_of(2) {
        chargecov::pools::PoolBy::Distance(50.0)
    } else {
        chargecov::pools::PoolBy::Key
    });
    config.skip_invalid = true;
    if let Err(e) = run_check(&config, &Silent) {
        named(&e);
    }
    // The layer as a road network, and as the stations of a corridor check.
    let equator = || {
        Source::from_bytes(
            "equator.geojson",
            std::fs::read("fixtures/corridor/equator.geojson").unwrap(),
        )
    };
    let corridor_stations = || {
        Source::from_bytes(
            "stations.geojson",
            std::fs::read("fixtures/corridor/stations.geojson").unwrap(),
        )
    };
    for (network, stations) in [
        (
            Source::from_bytes(name, bytes.to_vec()),
            corridor_stations(),
        ),
        (equator(), Source::from_bytes(name, bytes.to_vec())),
    ] {
        let config = chargecov::corridor::CorridorConfig {
            network,
            network_read: ReadOptions::default(),
            network_crs: None,
            network_spec: Default::default(),
            stations,
            stations_read: ReadOptions::default(),
            stations_crs: None,
            station_fields: Default::default(),
            rule: Rule {
                min_power_kw: 100.0,
                ..Rule::default()
            },
            pool_by: None,
            spacing_km: 60.0,
            max_offset_km: 3.0,
            skip_invalid: bytes.len().is_multiple_of(2),
        };
        if let Err(e) = chargecov::run_corridor(&config, &Silent) {
            named(&e);
        }
    }
    let text = String::from_utf8_lossy(bytes);
    if name.ends_with(".toml") {
        let _ = chargecov::rules::claims::Claim::parse(&text);
    }
    let line = text.lines().next().unwrap_or_default();
    let _ = chargecov::power::parse_power_kw(line);
    let _ = chargecov::crs::Crs::parse(line);
    let _ = chargecov::feed::Filter::parse(line);
    let _ = chargecov::feed::PowerSource::parse(line);
}

/// A case slower than this is a finding (a hang in the making): the
/// seeds are a few kB, so even a debug build answers in well under this.
const SLOW: Duration = Duration::from_secs(20);

#[test]
fn mutated_layers_never_panic() {
    let budget = Duration::from_secs(
        std::env::var("CHARGECOV_FUZZ_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10),
    );
    // A fixed seed by default, so that CI is repeatable; `random` for
    // exploring (the seed is printed to repeat a finding).
    let seed: u64 = match std::env::var("CHARGECOV_FUZZ_SEED").ok().as_deref() {
        Some("random") => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
        Some(n) => n
            .parse()
            .expect("CHARGECOV_FUZZ_SEED is a number or `random`"),
        None => 20_261_130,
    };
    eprintln!("fuzz: seed {seed} (CHARGECOV_FUZZ_SEED repeats it), budget {budget:?}");
    let seeds = corpus();
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &key),
    );
    let strategy = (0..seeds.len(), proptest::collection::vec(mutation(), 1..12));
    // Quiet the panic hook: a panic is reported once, with its input.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let mut cases = 0u64;
    let mut finding = None;
    let mut slowest: (Duration, String, Vec<u8>) = (Duration::ZERO, String::new(), Vec::new());
    let last = std::env::var_os("CHARGECOV_FUZZ_LAST");
    // A count instead of a time (CI: the same cases on any machine).
    let count: Option<u64> = std::env::var("CHARGECOV_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok());
    while count.map_or(start.elapsed() < budget, |n| cases < n) {
        let (which, mutations) = strategy.new_tree(&mut runner).unwrap().current();
        let (name, original) = &seeds[which];
        let mut bytes = original.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        cases += 1;
        if let Some(path) = &last {
            // A crash that kills the process (out of memory) leaves its input.
            std::fs::write(path, [name.as_bytes(), b"\n", &bytes].concat()).unwrap();
        }
        let began = Instant::now();
        if catch_unwind(AssertUnwindSafe(|| exercise(name, &bytes))).is_err() {
            finding = Some((name.clone(), bytes));
            break;
        }
        let took = began.elapsed();
        if took > slowest.0 {
            slowest = (took, name.clone(), bytes);
        }
    }
    std::panic::set_hook(hook);
    eprintln!(
        "fuzz: {cases} cases in {:.0?}; the slowest, a mutated {}, took {:.2?}",
        start.elapsed(),
        slowest.1,
        slowest.0
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings");
    if slowest.0 > SLOW {
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{seed}-slow-{}", slowest.1));
        std::fs::write(&path, &slowest.2).unwrap();
        panic!(
            "a mutated {} took {:.1?} (over {SLOW:?}); saved as {}",
            slowest.1,
            slowest.0,
            path.display()
        );
    }
    if let Some((name, bytes)) = finding {
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{seed}-{name}"));
        std::fs::write(&path, &bytes).unwrap();
        // Run it again with the hook back, to show the panic.
        exercise(&name, &bytes);
        panic!("a mutated {name} panicked; saved as {}", path.display());
    }
}
