//! `chargecov validate`: is a station snapshot sound?

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use chargecov::output::staged::StagedOutputs;
use chargecov::output::validate as render;
use chargecov::validate::checks::{CheckId, Severity, parse_override};
use chargecov::validate::{ValidateConfig, run_validate};
use chargecov::{AreaFieldSpecs, Source};

use super::progress::Bars;
use super::shared::{CrsArgs, OutputArgs, StationFieldArgs, check_output_targets};

/// Check a station file: geometry, required fields, unique ids, power,
/// duplicates, and — with --areas — stations outside every area and a
/// coordinate-system mismatch.
///
/// Checks (default severity): geometry (error), required-fields (error,
/// with --require), unique-ids (error), power-parsed (warning),
/// power-plausible (error), exact-duplicates (warning), near-duplicates
/// (warning), outside-areas (warning, with --areas), crs-mismatch
/// (warning, with --areas). Each lists its first 1,000 offenders by
/// feature index and id, and counts the rest.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  chargecov validate stations.geojson
  chargecov validate stations.csv --require id,power_kw --format junit > validate.xml
  chargecov validate snapshot.geojson --areas townships.geojson --format github
  chargecov validate s.geojson --severity near-duplicates=error --max-warnings 10

Exit status: 0 valid (warnings allowed unless --max-warnings is exceeded),
1 invalid, 2 the file cannot be read at all.")]
pub struct ValidateArgs {
    /// Charging stations: GeoJSON Points or CSV with lon/lat columns (`-` for stdin).
    #[arg(value_name = "STATIONS")]
    pub stations: PathBuf,

    /// Boundary polygons to check the stations against (GeoJSON).
    #[arg(long, value_name = "FILE")]
    pub areas: Option<PathBuf>,

    /// Fields every station must have, not null or empty (comma-separated).
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    pub require: Vec<String>,

    /// Highest plausible power in kW.
    #[arg(long, value_name = "KW", default_value_t = 1500.0)]
    pub max_power_kw: f64,

    /// Stations closer than this (geodesic metres) but not identical are near duplicates.
    #[arg(long, value_name = "M", default_value_t = 10.0)]
    pub duplicate_m: f64,

    /// Change a check's severity: CHECK=error|warning|off (repeatable).
    #[arg(long, value_name = "CHECK=LEVEL", value_parser = parse_override)]
    pub severity: Vec<(CheckId, Severity)>,

    /// Fail (exit 1) when there are more than N warnings.
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,

    #[command(flatten)]
    pub output: OutputArgs<Format>,

    #[command(flatten)]
    pub station_fields: StationFieldArgs,

    #[command(flatten)]
    pub crs: CrsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
    Junit,
    Github,
}

impl ValidateArgs {
    pub fn run(&self) -> anyhow::Result<ExitCode> {
        let mut config = ValidateConfig::new(Source::from_arg(&self.stations));
        config.areas = self.areas.as_deref().map(Source::from_arg);
        config.station_fields =
            self.station_fields
                .specs(None, &config.stations, &self.crs.stations_read())?;
        config.area_fields = AreaFieldSpecs::default();
        config.required = self
            .require
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        config.max_power_kw = self.max_power_kw;
        config.duplicate_m = self.duplicate_m;
        config.severities = self.severity.clone();
        config.stations_crs = self.crs.stations_crs.clone();
        config.areas_crs = self.crs.areas_crs.clone();
        config.stations_read = self.crs.stations_read();
        config.areas_read = self.crs.areas_read();

        let mut inputs = vec![("STATIONS", self.stations.as_path())];
        if let Some(areas) = &self.areas {
            inputs.push(("--areas", areas.as_path()));
        }
        let report: Vec<(&str, &Path)> = self
            .output
            .report
            .iter()
            .map(|p| ("--report", p.as_path()))
            .collect();
        let stdout_taken = check_output_targets(&inputs, &report)?;
        let bars = Bars::new(self.output.quiet);
        let v = run_validate(&config, &bars)?;
        let text = match self.output.format {
            Format::Text => chargecov::output::printable(render::text(&v)),
            Format::Json => serde_json::to_string_pretty(&v)? + "\n",
            Format::Junit => chargecov::output::printable(render::junit(&v)),
            Format::Github => chargecov::output::printable(render::github(&v)),
        };
        let mut outputs = StagedOutputs::new();
        if let Some(path) = &self.output.report {
            outputs.stage(path, |w| {
                serde_json::to_writer_pretty(&mut *w, &v)?;
                w.write_all(b"\n")
            })?;
        }
        if !stdout_taken {
            outputs.stage(Path::new("-"), |w| w.write_all(text.as_bytes()))?;
        }
        outputs.commit()?;
        let too_many_warnings = self.max_warnings.is_some_and(|n| v.summary.warnings > n);
        Ok(if v.summary.valid && !too_many_warnings {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    }
}
