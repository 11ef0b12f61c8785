//! Outputs never clobber inputs or each other, are all-or-nothing, and are
//! written through special files and symbolic links rather than over
//! them; non-seekable inputs are read once (issue 21, data loss).
//! Each test states the outcome it expects; the cases are the ones the
//! adversarial review found.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::Duration;

use common::{chargecov, fixture, path_str};

const AREAS: &str = "fixtures/basic/areas.geojson";
const STATIONS: &str = "fixtures/basic/stations.geojson";

fn copy_fixtures(dir: &Path) -> (PathBuf, PathBuf) {
    let areas = dir.join("areas.geojson");
    let stations = dir.join("stations.geojson");
    std::fs::copy(fixture("basic/areas.geojson"), &areas).unwrap();
    std::fs::copy(fixture("basic/stations.geojson"), &stations).unwrap();
    (areas, stations)
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_output_naming_an_input_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let (areas, stations) = copy_fixtures(dir.path());
    let before = std::fs::read(&areas).unwrap();
    // The same file spelled another way.
    let same = dir.path().join(".").join("areas.geojson");
    let out = chargecov()
        .args(["check", "--areas", path_str(&areas), "--stations"])
        .arg(path_str(&stations))
        .args(["--report", path_str(&same)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--report") && err.contains("would overwrite the input --areas"),
        "{err}"
    );
    assert_eq!(std::fs::read(&areas).unwrap(), before, "the input changed");
    assert_eq!(names(dir.path()), ["areas.geojson", "stations.geojson"]);

    // diff: an output over a snapshot.
    let out = chargecov()
        .args(["diff", path_str(&stations), path_str(&stations), "--areas"])
        .arg(path_str(&areas))
        .args(["--changes", path_str(&stations)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("would overwrite the input OLD"));
}

#[test]
fn two_outputs_on_one_file_or_stream_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.json");
    let again = dir.path().join("sub").join("..").join("out.json");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for (first, second) in [
        (path_str(&target), path_str(&again)),
        ("-", "-"),
        ("-", "/dev/stdout"),
    ] {
        let out = chargecov()
            .args(["check", "--areas", AREAS, "--stations", STATIONS])
            .args(["--report", first, "--markdown", second])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{first} {second}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("name the same file or stream"), "{err}");
        assert!(out.stdout.is_empty(), "something was written");
    }
    assert_eq!(names(dir.path()), ["sub"]);
}

#[test]
fn a_failing_commit_replaces_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    std::fs::write(&report, "previous report").unwrap();
    let a_directory = dir.path().join("uncovered.geojson");
    std::fs::create_dir(&a_directory).unwrap();
    let out = chargecov()
        .args(["check", "--areas", AREAS, "--stations", STATIONS, "-q"])
        .args(["--report", path_str(&report), "--uncovered"])
        .arg(path_str(&a_directory))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("uncovered.geojson") && err.contains("directory"),
        "{err}"
    );
    // Said once, not twice.
    assert_eq!(err.matches("directory").count(), 1, "{err}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "previous report");
    assert_eq!(names(dir.path()), ["report.json", "uncovered.geojson"]);
}

#[test]
fn standard_output_is_written_through_never_replaced() {
    // `--markdown /dev/stdout`: the Markdown arrives on stdout (a pipe
    // here) and takes it from the text summary; /dev/stdout stays a link.
    let out = chargecov()
        .args(["check", "--areas", AREAS, "--stations", STATIONS, "-q"])
        .args(["--markdown", "/dev/stdout"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "fixtures/basic: E is uncovered");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("### chargecov"), "{stdout}");
    assert!(
        !stdout.contains("CLAIM"),
        "the summary was written too: {stdout}"
    );
    assert!(
        std::fs::symlink_metadata("/dev/stdout")
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // `--report -`: the JSON report alone on stdout.
    let out = chargecov()
        .args(["check", "--areas", AREAS, "--stations", STATIONS, "-q"])
        .args(["--report", "-"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["areas_uncovered"], 1);
}

#[cfg(unix)]
#[test]
fn a_symlinked_target_updates_the_file_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("report.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = chargecov()
        .args(["check", "--areas", AREAS, "--stations", STATIONS, "-q"])
        .args(["--report", path_str(&link)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(report["summary"]["areas_total"], 5);
}

fn mkfifo(path: &Path) {
    let status = StdCommand::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo failed");
}

/// Runs `chargecov` with a deadline: a hang is a failure, not a stuck test.
fn run_with_deadline(args: &[&str]) -> std::process::Output {
    let mut cmd = chargecov();
    cmd.args(args).timeout(Duration::from_secs(60));
    cmd.output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_fifo_target_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = run_with_deadline(&[
        "check",
        "--areas",
        AREAS,
        "--stations",
        STATIONS,
        "-q",
        "--report",
        path_str(&fifo),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = reader.join().unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["summary"]["areas_total"], 5);
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[cfg(unix)]
#[test]
fn a_fifo_input_is_read_once_valid_or_flawed() {
    let dir = tempfile::tempdir().unwrap();
    let stations = std::fs::read(fixture("basic/stations.geojson")).unwrap();
    // A truncated text makes the parallel reader give up; the serial one
    // must not reopen the pipe (that would block forever).
    let truncated = stations[..stations.len() / 2].to_vec();
    for (text, code) in [(stations, 1), (truncated, 2)] {
        let fifo = dir.path().join(format!("stations{code}.fifo"));
        mkfifo(&fifo);
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
        };
        let out = run_with_deadline(&[
            "check",
            "--areas",
            AREAS,
            "--stations",
            path_str(&fifo),
            "-q",
        ]);
        writer.join().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[cfg(unix)]
#[test]
fn an_interrupt_while_writing_leaves_no_temporary_files() {
    // The generator streams its large layers into temporary files beside
    // the targets; SIGINT as soon as one exists must remove it.
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("chargecov"))
        .args(["generate", "--areas", "3000", "--stations", "400000", "-q"])
        .arg("--out")
        .arg(&out_dir)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let part_seen = loop {
        let parts = std::fs::read_dir(&out_dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .any(|e| e.file_name().to_string_lossy().ends_with(".part"))
            })
            .unwrap_or(false);
        if parts {
            break true;
        }
        if std::time::Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            break false;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(part_seen, "no temporary file was seen before the run ended");
    let status = StdCommand::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(130));
    let left: Vec<String> = names(&out_dir);
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[cfg(unix)]
#[test]
fn closed_and_full_streams_never_panic() {
    // `| head`: the reader goes away; the run ends quietly with its own
    // verdict. `> /dev/full`: exit 2 with a message. `2> /dev/full`: the
    // warnings are lost, the verdict stands. Never 101.
    let bin = assert_cmd::cargo::cargo_bin("chargecov");
    for args in [
        vec!["validate", "data/stations.geojson"],
        vec!["check", "--format", "json"],
        vec![
            "diff",
            "fixtures/diff/old.geojson",
            "fixtures/diff/new.geojson",
            "--areas",
            AREAS,
        ],
    ] {
        let mut child = std::process::Command::new(&bin)
            .args(&args)
            .current_dir(common::root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Close the reading end at once.
        drop(child.stdout.take());
        let code = child.wait().unwrap().code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{args:?} into a closed pipe: {code:?}"
        );

        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(&bin)
            .args(&args)
            .current_dir(common::root())
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?} > /dev/full");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("standard output") && !err.contains("panicked"),
            "{err}"
        );

        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(&bin)
            .args(&args)
            .current_dir(common::root())
            .stderr(full)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?} 2> /dev/full"
        );
    }
}

#[test]
fn the_extension_chooses_the_format_or_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // CSV: the facts of the uncovered areas only (fixtures/basic: E, far
    // from every station, at any power).
    let csv = dir.path().join("uncovered.csv");
    let out = chargecov()
        .args(["check", "--areas", AREAS, "--stations", STATIONS, "-q"])
        .args(["--uncovered", path_str(&csv)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("id,name,group,feature_index")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(rows[0].starts_with("E,"), "{text}");

    // Refused before any work: nothing is written.
    let mut refused = vec![
        ("--uncovered", "u.txt", "cannot tell the format", vec![]),
        ("--uncovered", "u.shp", "not written yet", vec![]),
        ("--gaps", "g.csv", "CSV here holds facts only", vec![]),
    ];
    if cfg!(feature = "parquet") {
        // GeoParquet states any CRS but WGS84 as PROJJSON.
        refused.push((
            "--areas-out",
            "a.parquet",
            "PROJJSON",
            vec!["--output-crs", "EPSG:3857"],
        ));
    } else {
        refused.push(("--areas-out", "a.parquet", "--features parquet", vec![]));
    }
    for (flag, name, says, extra) in refused {
        let target = dir.path().join(name);
        let mut cmd = chargecov();
        cmd.args(["check", "--areas", AREAS, "--stations", STATIONS, "-q"])
            .args([flag, path_str(&target)])
            .args(extra);
        if flag == "--gaps" {
            cmd.args(["--radius-km", "5"]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag) && err.contains(says), "{err}");
        assert!(!target.exists());
    }
}

/// Every layer flag of every command writes the format its file's name
/// asks for: the same features as its GeoJSON, with their geometry type,
/// read back by GDAL (GeoPackage, FlatGeobuf) or checked for GeoParquet's
/// framing and metadata. (`--gaps x.parquet` and `diff --changes
/// x.parquet` once wrote GeoJSON text into the `.parquet` file, and
/// `--sites x.gpkg` GeoJSON into the GeoPackage.)
#[test]
fn every_layer_flag_writes_the_format_its_name_asks_for() {
    if !common::have_tool("every_layer_flag_writes_the_format", "ogrinfo", "gdal-bin") {
        eprintln!("SKIPPED every_layer_flag_writes_the_format: no ogrinfo");
        return;
    }
    let corridor = [
        "corridor",
        "--network",
        "fixtures/corridor/equator.geojson",
        "--stations",
        "fixtures/corridor/stations.geojson",
        "--spacing-km",
        "60",
        "-q",
    ];
    let diff = [
        "diff",
        "fixtures/diff/old.geojson",
        "fixtures/diff/new.geojson",
        "--areas",
        "fixtures/basic/areas.geojson",
        "-q",
    ];
    let gaps = ["check", "--min-power-kw", "480", "--radius-km", "2,5", "-q"];
    let sites = ["check", "--min-power-kw", "480", "--pool-m", "200", "-q"];
    let suggest = ["suggest", "--min-power-kw", "480", "--cover-all", "-q"];
    // (command, flag, GDAL's geometry name)
    let cases: [(&[&str], &str, &str); 7] = [
        (&gaps, "--gaps", "Multi Polygon"),
        (&sites, "--sites", "Point"),
        (&diff, "--changes", "Multi Polygon"),
        (&corridor, "--gaps", "Line String"),
        (&corridor, "--stations-out", "Point"),
        (&corridor, "--suggest-out", "Point"),
        (&suggest, "--out", "Point"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (k, (command, flag, geometry)) in cases.into_iter().enumerate() {
        let run = |name: &str| {
            let path = dir.path().join(format!("{k}-{name}"));
            let out = chargecov()
                .args(command)
                .args([flag, path_str(&path)])
                .output()
                .unwrap();
            assert!(
                out.status.code().is_some_and(|c| c < 2),
                "{command:?} {flag} {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            path
        };
        let geojson: serde_json::Value =
            serde_json::from_slice(&std::fs::read(run("layer.geojson")).unwrap()).unwrap();
        let count = geojson["features"].as_array().unwrap().len();
        assert!(
            count > 0,
            "{command:?} {flag}: an empty layer tests nothing"
        );
        for typed in ["layer.gpkg", "layer.fgb"] {
            let path = run(typed);
            let info = StdCommand::new("ogrinfo")
                .args(["-ro", "-so", "-al", path_str(&path)])
                .output()
                .unwrap();
            let info = String::from_utf8_lossy(&info.stdout);
            assert!(
                info.contains(&format!("Feature Count: {count}\n")),
                "{command:?} {flag} {typed}: {count} features wanted\n{info}"
            );
            assert!(
                info.contains(&format!("Geometry: {geometry}\n")),
                "{command:?} {flag} {typed}: {geometry} wanted\n{info}"
            );
        }
        if cfg!(feature = "parquet") {
            let bytes = std::fs::read(run("layer.parquet")).unwrap();
            assert!(
                bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
                "{command:?} {flag}: not a Parquet file"
            );
            let text = String::from_utf8_lossy(&bytes);
            let kind = geometry.replace(' ', "");
            assert!(
                text.contains("geometry_types") && text.contains(&format!("[\"{kind}\"]")),
                "{command:?} {flag}: no GeoParquet metadata for {kind}"
            );
        }
    }
}
