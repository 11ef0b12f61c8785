//! `chargecov diff`: what a new station snapshot changes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use chargecov::Source;
use chargecov::diff::{DiffConfig, DiffProvenance, run_diff};
use chargecov::output::diff::{self as text};
use chargecov::output::staged::StagedOutputs;

use super::progress::Bars;
use super::shared::{
    AreaFieldArgs, CrsArgs, OutputArgs, RuleArgs, StationFieldArgs, check_output_targets,
};

/// Compare two station snapshots against the same areas and rule.
///
/// Stations are matched by id (the k-th occurrence of an id with the k-th),
/// and stations without an id by place within --match-m. Reports added,
/// removed, moved and changed-power stations, the areas that gained or
/// lost coverage, and areas whose nearest qualifying station (from the
/// area's representative point) moved by more than --distance-change-m.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  chargecov diff stations-2025-06.geojson stations-2025-07.geojson --areas townships.geojson --min-power-kw 480
  chargecov diff old.csv new.csv --areas a.geojson --format json --changes changed-areas.geojson

Exit status: 0 no area lost coverage, 1 some area lost coverage, 2 usage or input error.")]
pub struct DiffArgs {
    /// The earlier snapshot (GeoJSON or CSV).
    #[arg(value_name = "OLD")]
    pub old: PathBuf,

    /// The later snapshot (GeoJSON or CSV).
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// Boundary polygons (GeoJSON).
    #[arg(long, value_name = "FILE")]
    pub areas: PathBuf,

    #[command(flatten)]
    pub rule: RuleArgs,

    /// Stations without an id match across snapshots within this many metres.
    #[arg(
        long,
        value_name = "M",
        default_value_t = 10.0,
        help_heading = "Matching"
    )]
    pub match_m: f64,

    /// A matched station that moved farther than this many metres is reported as moved.
    #[arg(
        long,
        value_name = "M",
        default_value_t = 1.0,
        help_heading = "Matching"
    )]
    pub moved_m: f64,

    /// Report areas whose nearest qualifying station moved by more than this many metres.
    #[arg(
        long,
        value_name = "M",
        default_value_t = 1000.0,
        help_heading = "Matching"
    )]
    pub distance_change_m: f64,

    #[command(flatten)]
    pub area_fields: AreaFieldArgs,

    #[command(flatten)]
    pub station_fields: StationFieldArgs,

    #[command(flatten)]
    pub crs: CrsArgs,

    #[command(flatten)]
    pub output: OutputArgs<Format>,

    /// Write the areas that gained or lost coverage or changed distance, with before/after facts
    /// (GeoJSON, .gpkg, .fgb or .parquet).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub changes: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
    /// JUnit XML: a test case per area that lost or gained coverage, and the claim.
    Junit,
    /// GitHub Actions annotations: an error per area that lost coverage (with its line in a GeoJSON --areas).
    Github,
}

impl DiffArgs {
    pub fn run(&self) -> anyhow::Result<ExitCode> {
        let config = DiffConfig {
            old: Source::from_arg(&self.old),
            new: Source::from_arg(&self.new),
            areas: Source::from_arg(&self.areas),
            area_fields: self.area_fields.specs(),
            station_fields: self.station_fields.specs(
                None,
                &Source::from_arg(&self.new),
                &self.crs.stations_read(),
            )?,
            rule: self.rule.rule(),
            areas_crs: self.crs.areas_crs.clone(),
            stations_crs: self.crs.stations_crs.clone(),
            match_m: self.match_m,
            moved_m: self.moved_m,
            distance_change_m: self.distance_change_m,
            areas_read: self.crs.areas_read(),
            stations_read: self.crs.stations_read(),
        };
        let sources = [&config.old, &config.new, &config.areas];
        if sources.iter().filter(|s| ***s == Source::Stdin).count() > 1 {
            anyhow::bail!("only one of OLD, NEW and --areas can read standard input");
        }
        let outputs: Vec<(&str, &Path)> = [
            ("--report", &self.output.report),
            ("--changes", &self.changes),
        ]
        .into_iter()
        .filter_map(|(flag, p)| Some((flag, p.as_deref()?)))
        .collect();
        let stdout_taken = check_output_targets(
            &[
                ("OLD", &self.old),
                ("NEW", &self.new),
                ("--areas", &self.areas),
            ],
            &outputs,
        )?;
        if let Some(path) = &self.changes {
            let wgs84 = chargecov::crs::OutputCrs::wgs84();
            super::shared::layer_format("--changes", path, false, &wgs84)?;
        }
        let bars = Bars::new(self.output.quiet);
        let mut diff = run_diff(&config, &bars)?;
        if self.output.report.is_some() || self.output.format == Format::Json {
            diff.report.provenance = Some(DiffProvenance::of(&config)?);
        }
        let mut outputs = StagedOutputs::new();
        if let Some(path) = &self.output.report {
            outputs.stage(path, |w| {
                serde_json::to_writer_pretty(&mut *w, &diff.report)?;
                w.write_all(b"\n")
            })?;
        }
        if let Some(path) = &self.changes {
            let layer = chargecov::output::diff::ChangeLayer::new(&diff);
            super::shared::stage_layer(&mut outputs, path, &layer, false)?;
        }
        let stdout = match self.output.format {
            Format::Text => chargecov::output::printable(text::render(&diff.report)),
            Format::Json => {
                serde_json::to_string_pretty(&diff.report).context("serialising the diff")? + "\n"
            }
            Format::Junit => {
                chargecov::output::printable(chargecov::output::diff::diff_junit(&diff.report))
            }
            Format::Github => chargecov::output::printable(chargecov::output::diff::diff_github(
                &diff.report,
                config.areas.path().and_then(|p| p.to_str()),
                &super::shared::feature_lines(&config.areas),
            )),
        };
        if !stdout_taken {
            outputs.stage(Path::new("-"), |w| w.write_all(stdout.as_bytes()))?;
        }
        outputs.commit()?;
        Ok(if diff.report.summary.coverage_lost > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}
