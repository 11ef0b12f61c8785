//! `chargecov suggest`: flags, and turning them into a run and its outputs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use chargecov::check::report::Provenance;
use chargecov::crs::Crs;
use chargecov::feed::{Feed, Filter};
use chargecov::fields::{FieldSpec, defaults};
use chargecov::output;
use chargecov::output::map::SiteMark;
use chargecov::output::staged::StagedOutputs;
use chargecov::progress::Progress;
use chargecov::suggest::report::SuggestReport;
use chargecov::suggest::{
    CandidateFile, Demand, ExactLimits, Objective, SuggestConfig, run_suggest,
};
use chargecov::{Report, StationFieldSpecs};

use super::check::CheckInputs;
use super::progress::Bars;
use super::shared::{OutputArgs, check_output_targets};

/// Suggest where new chargers would close the gaps.
///
/// Chooses new sites among candidates — every area's representative and
/// worst-served points, or the points of --candidates — so that the claim
/// holds with the fewest (--cover-all: location set covering) or so that
/// --k sites serve the most areas or population within --within-km
/// (maximal covering). Existing qualifying stations stay: what they serve
/// is served. Greedy with lazy evaluation, with its guarantee stated;
/// --exact solves the model exactly (pure-Rust MILP) when it is small enough.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  chargecov suggest --min-power-kw 480 --cover-all --then-check     # the demo data
  chargecov suggest --areas townships.geojson --stations stations.csv \\
      --min-power-kw 480 --cover-all --out sites.geojson --html plan.html
  chargecov suggest --areas counties.gpkg --stations chargers.csv --within-km 10 \\
      --k 50 --population-field pop --candidates service_areas.geojson --exact

Exit status: 0 done (with --then-check: the claim holds with the sites),
1 with --then-check the claim still fails, 2 usage or input error.")]
pub struct SuggestArgs {
    #[command(flatten)]
    pub inputs: CheckInputs,

    /// The fewest new sites so that every area is covered under the rule (location set covering).
    #[arg(
        long,
        help_heading = "Model",
        conflicts_with = "k",
        required_unless_present = "k"
    )]
    pub cover_all: bool,

    /// This many new sites, serving the most areas (or population) within --within-km (maximal covering).
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        help_heading = "Model"
    )]
    pub k: Option<i64>,

    /// What stands for an area's demand: the area as the claim judges it, its
    /// representative point, or its worst-served point (both: served by a site within --within-km).
    #[arg(long, value_enum, default_value_t = DemandArg::Area, help_heading = "Model")]
    pub demand: DemandArg,

    /// Area property holding a population: the demand each area weighs (default: 1 per area).
    #[arg(long, value_name = "NAME", help_heading = "Model")]
    pub population_field: Option<String>,

    /// Candidate sites (points: service areas, fuel stations, parcels), in any station format;
    /// filtered by the stations' --where [default: every area's representative and worst-served points].
    #[arg(long, value_name = "FILE", help_heading = "Model")]
    pub candidates: Option<PathBuf>,

    /// Candidate property or column used as id [default: first of id, station_id, uid, …].
    #[arg(long, value_name = "NAME", help_heading = "Model")]
    pub candidates_id_field: Option<String>,

    /// Coordinate system of the candidates, as for --areas-crs.
    #[arg(long, value_name = "CRS", value_parser = Crs::parse, help_heading = "Model")]
    pub candidates_crs: Option<Crs>,

    /// Also solve the model exactly (pure-Rust MILP, warm-started from the greedy sites).
    #[arg(long, help_heading = "Model")]
    pub exact: bool,

    /// Stop proving optimality after this many seconds; the best sites found are kept.
    #[arg(long, value_name = "S", default_value_t = 60.0, help_heading = "Model")]
    pub time_limit_s: f64,

    /// Solve exactly only models with at most this many nonzero coefficients.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 200_000,
        help_heading = "Model"
    )]
    pub exact_max_nonzeros: usize,

    /// Judge the claim again with the suggested sites added (a qualifying station at each).
    #[arg(long, help_heading = "Model")]
    pub then_check: bool,

    /// Write the sites with rank, marginal gain and cumulative coverage:
    /// GeoJSON, GeoPackage (.gpkg), FlatGeobuf (.fgb) or GeoParquet (.parquet), by extension.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub out: Option<PathBuf>,

    /// Coordinate system of --out [default: WGS84].
    #[arg(long, value_name = "CRS", value_parser = Crs::parse, help_heading = "Output")]
    pub output_crs: Option<Crs>,

    #[command(flatten)]
    pub output: OutputArgs<Format>,

    /// Write a self-contained HTML report: the map with the sites, the curve and the sites table.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub html: Option<PathBuf>,

    /// Drop unusable features and candidates that could serve no area, with a warning, instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemandArg {
    Area,
    Representative,
    Worst,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

impl SuggestArgs {
    fn objective(&self) -> anyhow::Result<Objective> {
        match (self.cover_all, self.k) {
            (true, _) => Ok(Objective::CoverAll),
            (false, Some(k)) if k >= 1 => Ok(Objective::MaxCover { k: k as usize }),
            (false, Some(k)) => bail!("--k {k}: the number of new sites must be at least 1"),
            (false, None) => bail!("choose a model: --cover-all or --k N"),
        }
    }

    fn config(
        &self,
        claim: Option<&chargecov::rules::claims::Claim>,
    ) -> anyhow::Result<SuggestConfig> {
        let objective = self.objective()?;
        let mut check = self.inputs.config(claim, self.skip_invalid)?;
        check.population_field = self.population_field.clone();
        let demand = match self.demand {
            DemandArg::Area => Demand::Area,
            DemandArg::Representative => Demand::Representative,
            DemandArg::Worst => Demand::Worst,
        };
        // Settings the library refuses (`InvalidSetting`: --k 0,
        // --within-km ≤ 0 or missing where a distance is needed,
        // --time-limit-s ≤ 0) are worded by `advice`.
        let candidates = match &self.candidates {
            Some(path) => {
                let source = chargecov::Source::from_arg(path);
                let mut filters = Vec::new();
                for text in &self.inputs.station_fields.filters {
                    filters.push(Filter::parse(text).map_err(|e| anyhow::anyhow!("--where: {e}"))?);
                }
                let fields = StationFieldSpecs {
                    id: FieldSpec::from_option(
                        self.candidates_id_field.as_deref(),
                        defaults::STATION_ID,
                    ),
                    feed: Feed::new(Vec::new(), filters, None),
                    ..StationFieldSpecs::default()
                };
                Some(CandidateFile {
                    source,
                    fields,
                    read: self.inputs.crs.stations_read(),
                    crs: self.candidates_crs.clone(),
                })
            }
            None => None,
        };
        Ok(SuggestConfig {
            check,
            objective,
            demand,
            candidates,
            exact: self.exact.then_some(ExactLimits {
                time_limit_s: self.time_limit_s,
                max_nonzeros: self.exact_max_nonzeros,
            }),
            then_check: self.then_check,
        })
    }

    /// Refuses outputs that would overwrite an input or each other.
    fn check_targets(&self) -> anyhow::Result<bool> {
        let mut inputs = self.inputs.input_paths();
        if let Some(p) = &self.candidates {
            inputs.push(("--candidates", p.as_path()));
        }
        let outputs: Vec<(&str, &Path)> = [
            ("--out", &self.out),
            ("--report", &self.output.report),
            ("--html", &self.html),
        ]
        .into_iter()
        .filter_map(|(flag, p)| Some((flag, p.as_deref()?)))
        .collect();
        check_output_targets(&inputs, &outputs)
    }

    /// Runs the suggestion, writes every output, and says how to exit.
    pub fn run(&self) -> anyhow::Result<ExitCode> {
        let output_crs = super::shared::output_crs(self.output_crs.as_ref())?;
        if let Some(path) = &self.out {
            super::shared::layer_format("--out", path, false, &output_crs)?;
        }
        let (claim, claim_ref) = super::claims::resolve_flag(self.inputs.claim.as_deref())?;
        let config = self.config(claim.as_ref())?;
        let stdout_taken = self.check_targets()?;
        let bars = Bars::new(self.output.quiet);
        let hashing =
            (self.output.report.is_some() || self.output.format == Format::Json).then(|| {
                let (areas, stations, rule) = (
                    config.check.areas.clone(),
                    config.check.stations.clone(),
                    config.check.rule,
                );
                std::thread::spawn(move || Provenance::of(&areas, &stations, &rule, claim_ref))
            });
        let run = run_suggest(&config, &bars)?;
        bars.start("building the report", None);
        let mut report = SuggestReport::new(&run, self.population_field.as_deref());
        if let Some(hashing) = hashing {
            let provenance = hashing
                .join()
                .map_err(|_| anyhow::anyhow!("hashing the inputs failed"))??;
            report.provenance = Some(provenance);
        }
        bars.start("writing outputs", None);
        let mut outputs = StagedOutputs::new();
        if let Some(path) = &self.output.report {
            outputs.stage(path, |w| {
                serde_json::to_writer_pretty(&mut *w, &report)?;
                w.write_all(b"\n")
            })?;
        }
        if let Some(path) = &self.out {
            let layer = output::suggest::SuggestedLayer {
                report: &report,
                crs: &output_crs,
            };
            super::shared::stage_layer(&mut outputs, path, &layer, false)?;
        }
        if let Some(path) = &self.html {
            let check_report = Report::new(&run.run, self.inputs.uses_demo());
            let marks: Vec<SiteMark> = report
                .sites
                .iter()
                .map(|s| SiteMark {
                    at: geo::Coord { x: s.lon, y: s.lat },
                    rank: s.rank,
                    serves: s.newly_served_ids.clone(),
                })
                .collect();
            let section = output::suggest::html_section(&report);
            outputs.stage(path, |w| {
                w.write_all(
                    output::check::html::render_with(
                        &output::map::MapInput {
                            sites: &marks,
                            ..output::map::MapInput::new(&run.run, &check_report)
                        },
                        &output::map::Metric::Covered,
                        &section,
                    )
                    .as_bytes(),
                )
            })?;
        }
        let stdout_text = match self.output.format {
            Format::Text => output::printable(output::suggest::render_text(&report)),
            Format::Json => {
                let mut text =
                    serde_json::to_string_pretty(&report).context("serialising the report")?;
                text.push('\n');
                text
            }
        };
        if !stdout_taken {
            outputs.stage(Path::new("-"), |w| w.write_all(stdout_text.as_bytes()))?;
        }
        outputs.commit()?;
        bars.finish();
        bars.total();
        let code = match &report.after {
            Some(after) if !after.claim_holds => ExitCode::from(1),
            _ => ExitCode::SUCCESS,
        };
        Ok(code)
    }
}
