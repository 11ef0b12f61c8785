//! `chargecov check`: flags, and turning them into a run and its outputs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use chargecov::crs::{Crs, OutputCrs};
use chargecov::fields::{FieldSpec, defaults};
use chargecov::io::area_write;
use chargecov::io::output::StagedOutputs;
use chargecov::io::text_report;
use chargecov::{
    AreaFieldSpecs, CheckConfig, Report, Rule, Source, StationFieldSpecs, demo, run_check,
};

use super::progress::Bars;

/// Decide whether every area has a qualifying charger.
///
/// Without --areas and --stations, runs on the embedded synthetic demo
/// data (a Chongqing-like city; see `chargecov generate`).
///
/// An area is covered when at least one qualifying station lies inside it or
/// on its boundary (a station on a boundary shared by two areas covers both),
/// or — with --within-km — when one is within that geodesic distance of it.
/// All distances are geodesic metres on WGS84.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  chargecov check --min-power-kw 480        # the embedded synthetic demo data
  chargecov check --areas townships.geojson --stations stations.csv --min-power-kw 480
  chargecov check --areas zones.geojson --stations chargers.geojson \\
      --within-km 5 --report report.json --uncovered gaps.geojson
  curl -s https://example.org/stations.geojson | chargecov check --areas a.geojson --stations -

Exit status: 0 the claim holds, 1 it does not, 2 usage or input error.")]
pub struct CheckArgs {
    /// Boundary polygons: GeoJSON FeatureCollection of Polygon/MultiPolygon (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub areas: Option<PathBuf>,

    /// Charging stations: GeoJSON Points or CSV with lon/lat columns, by extension (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub stations: Option<PathBuf>,

    /// Area property used as id [default: first of adcode, code, id, …; else the feature index].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub id_field: Option<String>,

    /// Area property used as name [default: first of name, name_zh, name_en, …].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub name_field: Option<String>,

    /// Area property used to group areas, e.g. the district [default: first of district, county, group, …].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub group_field: Option<String>,

    /// Station property or column used as id [default: first of id, station_id, uid, …].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub station_id_field: Option<String>,

    /// Station property or column holding power [default: first of power_kw, max_power_kw, power, kw, …].
    ///
    /// Numbers are kW; text such as "120 kW", "0.48 MW", "22+11+3,7 kW" (the
    /// largest socket counts) and "7,4" is parsed; anything else is reported.
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub power_field: Option<String>,

    /// CSV column holding longitude [default: first of lon, lng, long, longitude, x].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub lon_field: Option<String>,

    /// CSV column holding latitude [default: first of lat, latitude, y].
    #[arg(long, value_name = "NAME", help_heading = "Fields")]
    pub lat_field: Option<String>,

    /// Coordinate system of --areas: EPSG:NNNN, a PROJ string, wgs84, cgcs2000, gcj02 (AMap, Tencent) or bd09 (Baidu)
    /// [default: the file's `crs` member, else WGS84].
    #[arg(long, value_name = "CRS", value_parser = parse_crs, help_heading = "Coordinates")]
    pub areas_crs: Option<Crs>,

    /// Coordinate system of --stations, as for --areas-crs.
    #[arg(long, value_name = "CRS", value_parser = parse_crs, help_heading = "Coordinates")]
    pub stations_crs: Option<Crs>,

    /// Coordinate system of --uncovered and --areas-out, e.g. gcj02 for an AMap base map [default: WGS84].
    ///
    /// The JSON report and the text output stay in WGS84.
    #[arg(long, value_name = "CRS", value_parser = parse_crs, help_heading = "Coordinates")]
    pub output_crs: Option<Crs>,

    /// A station qualifies when its power is at least this many kW (0: every station, even of unknown power).
    #[arg(long, value_name = "KW", default_value_t = 0.0, help_heading = "Rule")]
    pub min_power_kw: f64,

    /// A station this many metres (geodesic) outside an area's boundary still counts as inside.
    #[arg(long, value_name = "M", default_value_t = 0.0, help_heading = "Rule")]
    pub boundary_tolerance_m: f64,

    /// An area is also covered when a qualifying station is within this many km of it.
    #[arg(long, value_name = "KM", help_heading = "Rule")]
    pub within_km: Option<f64>,

    /// Format of the result on standard output.
    #[arg(long, value_enum, default_value_t = Format::Text, help_heading = "Output")]
    pub format: Format,

    /// Write the JSON report to this file.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub report: Option<PathBuf>,

    /// Write the uncovered areas as GeoJSON, with the nearest qualifying station and its distance.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub uncovered: Option<PathBuf>,

    /// Write every area's facts: GeoJSON (.geojson, .json) or CSV (.csv), by extension.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub areas_out: Option<PathBuf>,

    /// Drop unusable features (null geometry, bad coordinates, …) with a warning instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,

    /// No progress bars and no warnings on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_crs(text: &str) -> Result<Crs, String> {
    Crs::parse(text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AreasOutFormat {
    GeoJson,
    Csv,
}

fn areas_out_format(path: &Path) -> anyhow::Result<AreasOutFormat> {
    if path.as_os_str() == "-" {
        return Ok(AreasOutFormat::GeoJson);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("geojson" | "json") => Ok(AreasOutFormat::GeoJson),
        Some("csv") => Ok(AreasOutFormat::Csv),
        _ => bail!(
            "--areas-out {}: cannot tell the format; end the name in .geojson, .json or .csv",
            path.display()
        ),
    }
}

impl CheckArgs {
    fn config(&self) -> anyhow::Result<CheckConfig> {
        let (areas, stations) = match (&self.areas, &self.stations) {
            (Some(a), Some(s)) => (Source::from_arg(a), Source::from_arg(s)),
            (None, None) => (demo::areas(), demo::stations()),
            (Some(_), None) => bail!("--areas was given without --stations; pass both"),
            (None, Some(_)) => bail!("--stations was given without --areas; pass both"),
        };
        if areas == Source::Stdin && stations == Source::Stdin {
            bail!("--areas and --stations cannot both read standard input");
        }
        let spec = |flag: &Option<String>, list| FieldSpec::from_option(flag.as_deref(), list);
        Ok(CheckConfig {
            areas,
            stations,
            area_fields: AreaFieldSpecs {
                id: spec(&self.id_field, defaults::AREA_ID),
                name: spec(&self.name_field, defaults::AREA_NAME),
                group: spec(&self.group_field, defaults::AREA_GROUP),
            },
            station_fields: StationFieldSpecs {
                id: spec(&self.station_id_field, defaults::STATION_ID),
                power: spec(&self.power_field, defaults::POWER),
                lon: spec(&self.lon_field, defaults::LON),
                lat: spec(&self.lat_field, defaults::LAT),
            },
            rule: Rule {
                min_power_kw: self.min_power_kw,
                boundary_tolerance_m: self.boundary_tolerance_m,
                within_km: self.within_km,
            },
            skip_invalid: self.skip_invalid,
            areas_crs: self.areas_crs.clone(),
            stations_crs: self.stations_crs.clone(),
        })
    }

    /// Without file arguments, the embedded synthetic demo data is used.
    fn uses_demo(&self) -> bool {
        self.areas.is_none() && self.stations.is_none()
    }

    /// Runs the check, writes every output, and says how to exit.
    pub fn run(&self) -> anyhow::Result<ExitCode> {
        let areas_out_format = self
            .areas_out
            .as_deref()
            .map(areas_out_format)
            .transpose()?;
        let output_crs = match &self.output_crs {
            Some(crs) => {
                OutputCrs::new(crs).map_err(|why| anyhow::anyhow!("--output-crs {why}"))?
            }
            None => OutputCrs::wgs84(),
        };
        let config = self.config()?;
        let bars = Bars::new(self.quiet);
        let run = run_check(&config, &bars)?;
        let report = Report::new(&run, self.uses_demo());

        let mut outputs = StagedOutputs::new();
        if let Some(path) = &self.report {
            outputs.stage(path, |w| {
                serde_json::to_writer_pretty(&mut *w, &report)?;
                w.write_all(b"\n")
            })?;
        }
        if let Some(path) = &self.uncovered {
            outputs.stage(path, |w| {
                area_write::write_geojson(w, &run.areas.areas, &report, &output_crs, |i| {
                    !run.covered[i]
                })
            })?;
        }
        if let (Some(path), Some(format)) = (&self.areas_out, areas_out_format) {
            outputs.stage(path, |w| match format {
                AreasOutFormat::GeoJson => {
                    area_write::write_geojson(w, &run.areas.areas, &report, &output_crs, |_| true)
                }
                AreasOutFormat::Csv => area_write::write_csv(w, &report, &output_crs),
            })?;
        }
        let stdout_text = match self.format {
            Format::Text => text_report::render(&report),
            Format::Json => {
                let mut text =
                    serde_json::to_string_pretty(&report).context("serialising the report")?;
                text.push('\n');
                text
            }
        };
        outputs.stage(Path::new("-"), |w| w.write_all(stdout_text.as_bytes()))?;
        outputs.commit()?;

        if !self.quiet
            && self.format == Format::Json
            && let Some(m) = &report.inputs.crs_mismatch
        {
            eprintln!("chargecov: warning: {}", m.message());
        }
        if !self.quiet && self.format == Format::Json && report.warnings.count > 0 {
            eprintln!(
                "chargecov: {} warnings (listed in the report's `warnings`)",
                report.warnings.count
            );
        }
        Ok(if report.summary.claim_holds {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    }
}
