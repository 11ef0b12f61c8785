//! `chargecov check`: flags, and turning them into a run and its outputs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use chargecov::check::SurfaceRequest;
use chargecov::check::report::Provenance;
use chargecov::crs::{Crs, OutputCrs};
use chargecov::output;
use chargecov::output::check::areas;
use chargecov::output::check::text;
use chargecov::output::staged::StagedOutputs;
use chargecov::pools::PoolBy;
use chargecov::progress::Progress;
use chargecov::rules::claims::{Claim, ClaimKind};
use chargecov::units::trim_float;
use chargecov::{CheckConfig, CheckRun, Report, Rule, Source, demo, run_check};

use super::progress::Bars;
use super::shared::{
    AreaFieldArgs, CrsArgs, OutputArgs, RuleArgs, StationFieldArgs, check_output_targets,
    layer_format, stage_layer,
};

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
    #[command(flatten)]
    pub inputs: CheckInputs,

    /// Coordinate system of --uncovered, --areas-out, --gaps and --sites, e.g. gcj02 for an AMap base map [default: WGS84].
    ///
    /// The JSON report and the text output stay in WGS84.
    #[arg(long, value_name = "CRS", value_parser = Crs::parse, help_heading = "Coordinates")]
    pub output_crs: Option<Crs>,

    #[command(flatten)]
    pub output: OutputArgs<Format>,

    /// Write the uncovered areas with the nearest qualifying station and its distance:
    /// GeoJSON, GeoPackage (.gpkg), FlatGeobuf (.fgb), GeoParquet (.parquet) or CSV, by extension.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub uncovered: Option<PathBuf>,

    /// Write every area's facts, in the formats of --uncovered.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub areas_out: Option<PathBuf>,

    /// Write every station — or site, with pools — as points: records, points, strongest and
    /// total kW, the power the rule saw and whether it qualifies (GeoJSON, .gpkg, .fgb or .parquet).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub sites: Option<PathBuf>,

    /// Start CSV outputs with a UTF-8 byte-order mark, so that Excel opens
    /// them with Chinese (or any non-Latin) names intact.
    #[arg(long, help_heading = "Output")]
    pub csv_bom: bool,

    /// Surface coverage: the share of each area within these geodesic distances (km) of a qualifying station, e.g. 2,5,10.
    ///
    /// Also finds each area's worst-served point and a coverage-versus-radius
    /// curve (0.5–50 km). Shares are exact to 0.1 % of the area.
    #[arg(
        long,
        value_name = "KM",
        value_delimiter = ',',
        help_heading = "Surface"
    )]
    pub radius_km: Vec<String>,

    /// Area property holding a population, for population-weighted statistics.
    #[arg(long, value_name = "NAME", help_heading = "Surface")]
    pub population_field: Option<String>,

    /// Write, per area, the part farther than the largest --radius-km from every qualifying station
    /// (GeoJSON, .gpkg, .fgb or .parquet).
    #[arg(long, value_name = "FILE", help_heading = "Surface")]
    pub gaps: Option<PathBuf>,

    /// Write the coverage-versus-radius curve (CSV).
    #[arg(long, value_name = "FILE", help_heading = "Surface")]
    pub curve: Option<PathBuf>,

    /// Write a self-contained HTML report: verdict, inputs, map, distances, sortable tables.
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    pub html: Option<PathBuf>,

    /// Write a short Markdown summary (for a pull-request comment).
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    pub markdown: Option<PathBuf>,

    /// Write the map alone as SVG.
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    pub svg: Option<PathBuf>,

    /// Write the map alone as PNG (rendered in pure Rust).
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    pub png: Option<PathBuf>,

    /// Colour the map's areas by: covered (default), distance, share:R (R one of --radius-km) or worst (needs --radius-km); the HTML page opens on it.
    #[arg(
        long,
        value_name = "METRIC",
        default_value = "covered",
        help_heading = "Reports"
    )]
    pub map_metric: String,

    /// Credit the data on the printed map's source line, e.g. "© OpenStreetMap contributors".
    #[arg(long, value_name = "TEXT", help_heading = "Reports")]
    pub map_attribution: Option<String>,

    /// Drop unusable features (null geometry, bad coordinates, …) with a warning instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
}

/// What a check reads and the claim it judges: shared by `check` and
/// `suggest`.
#[derive(Debug, Args)]
pub struct CheckInputs {
    /// Boundary polygons: GeoJSON FeatureCollection of Polygon/MultiPolygon (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub areas: Option<PathBuf>,

    /// Charging stations: GeoJSON Points or CSV with lon/lat columns, by extension (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub stations: Option<PathBuf>,

    #[command(flatten)]
    pub area_fields: AreaFieldArgs,

    #[command(flatten)]
    pub station_fields: StationFieldArgs,

    #[command(flatten)]
    pub crs: CrsArgs,

    #[command(flatten)]
    pub rule: RuleArgs,

    /// Judge a named policy claim (`chargecov claims` lists them, e.g. uk-rapid,
    /// cn-township-any) or a claim file (TOML): it sets the rule, so no rule flag goes with it.
    #[arg(long, value_name = "NAME|FILE", help_heading = "Rule")]
    pub claim: Option<String>,

    #[command(flatten)]
    pub pools: PoolArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
    /// JUnit XML: a test case per area, failed when it is uncovered.
    Junit,
    /// GitHub Actions annotations: an error per uncovered area (at most ten shown; with its line in a GeoJSON --areas) and the verdict.
    Github,
}

/// Pools (sites) and what a rule asks of one.
#[derive(Debug, Clone, Args)]
pub struct PoolArgs {
    /// Group station records into pools (sites) by this field: records with the same value are one site.
    #[arg(
        long,
        value_name = "NAME",
        help_heading = "Pools",
        conflicts_with = "pool_m"
    )]
    pub pool_field: Option<String>,

    /// Group station records into pools: records within this many metres of each other (transitively) are one site.
    #[arg(long, value_name = "M", help_heading = "Pools")]
    pub pool_m: Option<f64>,

    /// A site qualifies only with at least this many points of --min-power-kw or more
    /// (NEVI: 4 ports of 150 kW; UK motorway service areas: 6 chargepoints of 150 kW).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..), help_heading = "Pools")]
    pub min_points: u32,

    /// A site qualifies only with at least this much power over all its points (kW; AFIR: 400).
    #[arg(long, value_name = "KW", default_value_t = 0.0, help_heading = "Pools")]
    pub min_pool_kw: f64,
}

impl PoolArgs {
    /// The rule with the pool terms added.
    pub(super) fn rule(&self, rule: Rule) -> Rule {
        Rule {
            min_points: self.min_points,
            min_pool_kw: self.min_pool_kw,
            ..rule
        }
    }

    pub(super) fn pool_by(&self) -> Option<PoolBy> {
        match (&self.pool_field, self.pool_m) {
            (Some(_), _) => Some(PoolBy::Key),
            (None, Some(m)) => Some(PoolBy::Distance(m)),
            (None, None) => None,
        }
    }
}

impl CheckInputs {
    /// The check's configuration: no surface analysis, no population.
    pub(super) fn config(
        &self,
        claim: Option<&Claim>,
        skip_invalid: bool,
    ) -> anyhow::Result<CheckConfig> {
        let (areas, stations) = match (&self.areas, &self.stations) {
            (Some(a), Some(s)) => (Source::from_arg(a), Source::from_arg(s)),
            (None, None) => (demo::areas(), demo::stations()),
            (Some(_), None) => bail!("--areas was given without --stations; pass both"),
            (None, Some(_)) => bail!("--stations was given without --areas; pass both"),
        };
        if areas == Source::Stdin && stations == Source::Stdin {
            bail!("--areas and --stations cannot both read standard input");
        }
        let (rule, pool_by) = self.rule_and_pools(claim)?;
        let station_fields = self.station_fields.specs(
            self.pools.pool_field.as_deref(),
            &stations,
            &self.crs.stations_read(),
        )?;
        Ok(CheckConfig {
            areas,
            stations,
            area_fields: self.area_fields.specs(),
            station_fields,
            rule,
            skip_invalid,
            areas_crs: self.crs.areas_crs.clone(),
            stations_crs: self.crs.stations_crs.clone(),
            surface: None,
            population_field: None,
            areas_read: self.crs.areas_read(),
            stations_read: self.crs.stations_read(),
            pool_by,
        })
    }

    /// The rule and pooling: from --claim, else from the rule flags.
    pub(super) fn rule_and_pools(
        &self,
        claim: Option<&Claim>,
    ) -> anyhow::Result<(Rule, Option<PoolBy>)> {
        let Some(claim) = claim else {
            return Ok((self.pools.rule(self.rule.rule()), self.pools.pool_by()));
        };
        if claim.kind == ClaimKind::Corridor {
            bail!(
                "--claim {}: a corridor claim (sites at most {} km apart along roads) cannot be judged per area; judge it along a road network with `chargecov corridor --network ROADS --stations … --claim {}`",
                claim.name,
                claim.rule.spacing_km.map(trim_float).unwrap_or_default(),
                claim.name
            );
        }
        let flags = self.pools.rule(self.rule.rule());
        if flags != Rule::default() {
            bail!(
                "--claim {} sets the rule; drop --min-power-kw, --boundary-tolerance-m, --within-km, --min-points and --min-pool-kw, or write a claim file with your numbers",
                claim.name
            );
        }
        let pool_by = self
            .pools
            .pool_by()
            .or(claim.rule.pool_m.map(PoolBy::Distance));
        Ok((claim.rule(), pool_by))
    }

    /// Without file arguments, the embedded synthetic demo data is used.
    pub(super) fn uses_demo(&self) -> bool {
        self.areas.is_none() && self.stations.is_none()
    }

    /// The input files, for the output-target checks.
    pub(super) fn input_paths(&self) -> Vec<(&'static str, &Path)> {
        let mut inputs = Vec::new();
        if let Some(p) = &self.areas {
            inputs.push(("--areas", p.as_path()));
        }
        if let Some(p) = &self.stations {
            inputs.push(("--stations", p.as_path()));
        }
        inputs
    }
}

impl CheckArgs {
    fn config(&self, claim: Option<&Claim>) -> anyhow::Result<CheckConfig> {
        let mut config = self.inputs.config(claim, self.skip_invalid)?;
        config.surface = self.surface_request()?;
        config.population_field = self.population_field.clone();
        Ok(config)
    }

    /// The map metric asked for, checked against the radii asked for.
    fn map_metric(&self) -> anyhow::Result<output::map::Metric> {
        use output::map::Metric;
        let radii: Vec<&str> = self.radius_km.iter().map(|r| r.trim()).collect();
        let offered = || {
            let mut keys = vec!["covered".to_owned(), "distance".to_owned()];
            keys.extend(radii.iter().map(|r| format!("share:{r}")));
            if !radii.is_empty() {
                keys.push("worst".to_owned());
            }
            keys.join(", ")
        };
        let metric = Metric::parse(self.map_metric.trim()).ok_or_else(|| {
            anyhow::anyhow!(
                "--map-metric {:?} is not a metric; this check offers {}",
                self.map_metric,
                offered()
            )
        })?;
        let ok = match &metric {
            Metric::Covered | Metric::Distance => true,
            Metric::Share(r) => radii.contains(&r.as_str()),
            Metric::Worst => !radii.is_empty(),
        };
        if !ok {
            bail!(
                "--map-metric {} needs {}; this check offers {}",
                metric.key(),
                match &metric {
                    Metric::Share(r) => format!("{r} among --radius-km (e.g. --radius-km {r})"),
                    _ => "--radius-km (e.g. --radius-km 2,5,10)".to_owned(),
                },
                offered()
            );
        }
        Ok(metric)
    }

    fn surface_request(&self) -> anyhow::Result<Option<SurfaceRequest>> {
        if self.radius_km.is_empty() {
            if self.gaps.is_some() || self.curve.is_some() {
                bail!("--gaps and --curve need --radius-km (e.g. --radius-km 2,5,10)");
            }
            return Ok(None);
        }
        let mut radii_km = Vec::new();
        let mut labels = Vec::new();
        for text in &self.radius_km {
            let label = text.trim().to_owned();
            let r: f64 = label
                .parse()
                .map_err(|_| anyhow::anyhow!("--radius-km {label:?} is not a number of km"))?;
            if !labels.contains(&label) {
                labels.push(label);
                radii_km.push(r);
            }
        }
        Ok(Some(SurfaceRequest {
            radii_km,
            labels,
            gaps: self.gaps.is_some(),
        }))
    }

    /// Refuses outputs that would overwrite an input or each other;
    /// whether an output takes standard output from the summary.
    fn check_targets(&self) -> anyhow::Result<bool> {
        let inputs = self.inputs.input_paths();
        let outputs: Vec<(&str, &Path)> = [
            ("--report", &self.output.report),
            ("--uncovered", &self.uncovered),
            ("--areas-out", &self.areas_out),
            ("--sites", &self.sites),
            ("--gaps", &self.gaps),
            ("--curve", &self.curve),
            ("--html", &self.html),
            ("--markdown", &self.markdown),
            ("--svg", &self.svg),
            ("--png", &self.png),
        ]
        .into_iter()
        .filter_map(|(flag, p)| Some((flag, p.as_deref()?)))
        .collect();
        check_output_targets(&inputs, &outputs)
    }

    /// Runs the check, writes every output, and says how to exit.
    pub fn run(&self) -> anyhow::Result<ExitCode> {
        let output_crs = super::shared::output_crs(self.output_crs.as_ref())?;
        for (flag, path, with_csv) in [
            ("--uncovered", &self.uncovered, true),
            ("--areas-out", &self.areas_out, true),
            ("--sites", &self.sites, false),
            ("--gaps", &self.gaps, false),
        ] {
            if let Some(path) = path {
                layer_format(flag, path, with_csv, &output_crs)?;
            }
        }
        // The claim file is read once: its rule, its name and its digest.
        let (claim, claim_ref) = super::claims::resolve_flag(self.inputs.claim.as_deref())?;
        let config = self.config(claim.as_ref())?;
        let map_metric = self.map_metric()?;
        let stdout_taken = self.check_targets()?;
        let bars = Bars::new(self.output.quiet);
        // The JSON report records the inputs' SHA-256: hashed on a thread
        // of its own while the check runs, where reading leaves a core
        // idle part of the time (a stream is never reopened for it).
        let claim_label = claim_ref
            .as_ref()
            .map(|c| format!("{} (version {})", c.name, c.version));
        let hashing =
            (self.output.report.is_some() || self.output.format == Format::Json).then(|| {
                let (areas, stations, rule) =
                    (config.areas.clone(), config.stations.clone(), config.rule);
                std::thread::spawn(move || Provenance::of(&areas, &stations, &rule, claim_ref))
            });
        let run = run_check(&config, &bars)?;
        bars.start("building the report", None);
        let mut report = Report::new(&run, self.inputs.uses_demo());
        report.rule.claim = claim_label;
        if let Some(hashing) = hashing {
            let provenance = hashing
                .join()
                .map_err(|_| anyhow::anyhow!("hashing the inputs failed"))??;
            report.provenance = Some(provenance);
        }
        let writes_shapes =
            self.uncovered.is_some() || self.areas_out.is_some() || self.gaps.is_some();
        if writes_shapes && !self.output.quiet {
            warn_of_distortion(&run, &output_crs);
        }
        bars.start("writing outputs", None);

        let mut outputs = StagedOutputs::new();
        if let Some(path) = &self.output.report {
            outputs.stage(path, |w| {
                // A buffer of a concrete type: serde writes token by token,
                // and each token through `dyn Write` is a call that cannot
                // be inlined.
                use std::io::Write as _;
                let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut *w);
                serde_json::to_writer_pretty(&mut buffered, &report)?;
                buffered.write_all(b"\n")?;
                buffered.flush()
            })?;
        }
        self.stage_layers(&mut outputs, &run, &report, &output_crs)?;
        self.stage_maps(&mut outputs, &run, &report, &map_metric)?;
        if !stdout_taken {
            let text = self.stdout_text(&report, &config)?;
            outputs.stage(Path::new("-"), |w| w.write_all(text.as_bytes()))?;
        }
        outputs.commit()?;
        bars.finish();
        bars.total();
        self.warn_after_json(&report);

        let code = if report.summary.claim_holds {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
        // The process ends next: the system takes the memory back at once,
        // where freeing millions of records one by one takes 50 ms.
        std::mem::forget(run);
        std::mem::forget(report);
        Ok(code)
    }

    /// The layers asked for (uncovered areas, sites, all areas, gaps, the
    /// reach curve), staged in the formats their paths name.
    fn stage_layers(
        &self,
        outputs: &mut StagedOutputs,
        run: &CheckRun,
        report: &Report,
        output_crs: &OutputCrs,
    ) -> anyhow::Result<()> {
        let covered: &[bool] = &run.covered;
        let area_layer = |name, keep: fn(&[bool], usize) -> bool| areas::AreaLayer {
            name,
            areas: &run.areas.areas,
            report,
            crs: output_crs,
            keep: move |i| keep(covered, i),
        };
        if let Some(path) = &self.uncovered {
            let layer = area_layer("uncovered", |covered, i| !covered[i]);
            stage_layer(outputs, path, &layer, self.csv_bom)?;
        }
        if let Some(path) = &self.sites {
            let layer = chargecov::output::check::sites::SiteLayer {
                stations: &run.stations,
                qualifies: &run.qualifies,
                crs: output_crs,
            };
            stage_layer(outputs, path, &layer, self.csv_bom)?;
        }
        if let Some(path) = &self.areas_out {
            let layer = area_layer("areas", |_, _| true);
            stage_layer(outputs, path, &layer, self.csv_bom)?;
        }
        if let (Some(path), Some(surface)) = (&self.gaps, &run.surface) {
            let gaps: Vec<_> = surface.areas.iter().map(|a| a.gap.as_ref()).collect();
            let largest = surface
                .request
                .radii_km
                .iter()
                .zip(&surface.request.labels)
                .max_by(|a, b| a.0.total_cmp(b.0))
                .map(|(_, l)| l.as_str())
                .unwrap_or_default();
            let layer = areas::GapLayer {
                areas: &run.areas.areas,
                report,
                gaps: &gaps,
                radius_label: largest,
                crs: output_crs,
            };
            stage_layer(outputs, path, &layer, self.csv_bom)?;
        }
        if let Some(path) = &self.curve {
            outputs.stage(path, |w| {
                if self.csv_bom {
                    w.write_all("\u{feff}".as_bytes())?;
                }
                areas::write_curve(w, report)
            })?;
        }
        Ok(())
    }

    /// The HTML page, the Markdown summary and the printed map (SVG, PNG).
    fn stage_maps(
        &self,
        outputs: &mut StagedOutputs,
        run: &CheckRun,
        report: &Report,
        map_metric: &output::map::Metric,
    ) -> anyhow::Result<()> {
        let map_input = output::map::MapInput {
            attribution: self.map_attribution.as_deref(),
            ..output::map::MapInput::new(run, report)
        };
        if let Some(path) = &self.html {
            outputs.stage(path, |w| {
                w.write_all(output::check::html::render(&map_input, map_metric).as_bytes())
            })?;
        }
        if let Some(path) = &self.markdown {
            outputs.stage(path, |w| {
                w.write_all(output::printable(output::check::markdown::render(report)).as_bytes())
            })?;
        }
        if self.svg.is_some() || self.png.is_some() {
            let svg = output::map::print_svg(&map_input, map_metric);
            if let Some(path) = &self.svg {
                outputs.stage(path, |w| w.write_all(svg.as_bytes()))?;
            }
            if let Some(path) = &self.png {
                let (png, fonts) = output::formats::png::rasterise(&svg)
                    .map_err(|e| anyhow::anyhow!("rendering the PNG: {e}"))?;
                if !fonts && !self.output.quiet {
                    super::say::stderr(
                        "chargecov: warning: no system fonts found; the PNG's legend has no labels (install e.g. fonts-dejavu-core)",
                    );
                }
                outputs.stage(path, |w| w.write_all(&png))?;
            }
        }
        Ok(())
    }

    /// The report as `--format` asks for it on standard output.
    fn stdout_text(&self, report: &Report, config: &CheckConfig) -> anyhow::Result<String> {
        Ok(match self.output.format {
            Format::Text => output::printable(text::render(report)),
            Format::Json => {
                let mut text =
                    serde_json::to_string_pretty(report).context("serialising the report")?;
                text.push('\n');
                text
            }
            Format::Junit => output::printable(output::check::ci::check_junit(
                report,
                &report.inputs.areas.path,
            )),
            Format::Github => output::printable(output::check::ci::check_github(
                report,
                config.areas.path().and_then(|p| p.to_str()),
                &super::shared::feature_lines(&config.areas),
            )),
        })
    }

    /// With a JSON report on standard output, the warnings a person would
    /// otherwise miss, on standard error.
    fn warn_after_json(&self, report: &Report) {
        if !self.output.quiet
            && self.output.format == Format::Json
            && let Some(m) = &report.inputs.crs_mismatch
        {
            super::say::stderr(&format!("chargecov: warning: {}", m.message()));
        }
        if !self.output.quiet && self.output.format == Format::Json && report.warnings.count > 0 {
            super::say::stderr(&format!(
                "chargecov: {} warnings (listed in the report's `warnings`)",
                report.warnings.count
            ));
        }
    }
}

/// Warns when the output CRS distorts the areas' extent (e.g. a UTM zone
/// far from its meridian).
fn warn_of_distortion(run: &CheckRun, output_crs: &OutputCrs) {
    use geo::BoundingRect;
    let (west, east) = run
        .areas
        .areas
        .iter()
        .filter_map(|a| a.geometry.bounding_rect())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(w, e), r| {
            (w.min(r.min().x), e.max(r.max().x))
        });
    if let Some(warning) = (west <= east)
        .then(|| output_crs.distortion_warning(west, east))
        .flatten()
    {
        super::say::stderr(&format!("chargecov: warning: --output-crs: {warning}"));
    }
}
