//! `chargecov corridor`: flags, and turning them into a run and its outputs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use chargecov::Source;
use chargecov::corridor::report::{CorridorProvenance, CorridorReport};
use chargecov::corridor::{
    CorridorConfig, DEFAULT_MAX_OFFSET_KM, NetworkSpec, Oneway, run_corridor,
};
use chargecov::crs::Crs;
use chargecov::input::{ReadOptions, TextEncoding};
use chargecov::output::corridor as out;
use chargecov::output::staged::StagedOutputs;
use chargecov::pools::PoolBy;
use chargecov::progress::Progress;
use chargecov::rules::Rule;
use chargecov::rules::claims::{Claim, ClaimKind};

use super::check::PoolArgs;
use super::progress::Bars;
use super::shared::{OutputArgs, StationFieldArgs, check_output_targets, stage_layer};
use super::suggest::Format;

/// Check that qualifying sites lie at most S km apart along a road network.
///
/// The roads' lines are merged into continuous paths per route (by
/// --route-field) and, for one-way carriageways, per direction of travel;
/// qualifying sites (pools, with the pool flags) within --max-offset-km of
/// a path are placed on it at a geodesic chainage; a path holds when no
/// gap — from its start to the first site, between neighbours, from the
/// last site to its end, joined across its route's junctions in the
/// direction of travel — is longer than --spacing-km. Beside this path
/// view, the network view gives the farthest any road point is from a
/// site along the roads, routes joined at their junctions.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  chargecov corridor --network motorways.geojson --stations chargers.csv --claim afir-2025-core
  chargecov corridor --network roads.gpkg --stations sites.geojson --min-power-kw 150 \\
      --spacing-km 60 --gaps gaps.geojson --suggest --suggest-out new-sites.geojson

Exit status: 0 the claim holds, 1 it does not, 2 usage or input error.")]
pub struct CorridorArgs {
    /// Roads: LineString/MultiLineString features (GeoJSON, GeoPackage, Shapefile, FlatGeobuf, …); other geometries are skipped and counted.
    #[arg(long, value_name = "FILE")]
    pub network: PathBuf,

    /// Charging stations, in any format `check` reads (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub stations: PathBuf,

    /// The property naming a line's route; a value may list several ("A 6;A 61")
    /// [default: first of ref, route, name, int_ref that any line has].
    #[arg(long, value_name = "NAME", help_heading = "Network")]
    pub route_field: Option<String>,

    /// Which lines are one-way carriageways: `tags` reads OSM's `oneway` (yes, -1, no;
    /// highway=motorway implies yes), `all` makes every line one-way in its drawn order, `none` none.
    #[arg(long, value_enum, default_value_t = OnewayArg::Tags, help_heading = "Network")]
    pub oneway: OnewayArg,

    /// Line ends within this many metres of each other join: breaks left by
    /// conversions do not cut a route into pieces; 0 joins only ends that
    /// agree to about 1 cm.
    #[arg(long, value_name = "M", default_value_t = chargecov::corridor::network::DEFAULT_SNAP_M,
          allow_hyphen_values = true, help_heading = "Network")]
    pub snap_m: f64,

    /// The network's layer (table) in a file that holds several.
    #[arg(long, value_name = "NAME", help_heading = "Network")]
    pub network_layer: Option<String>,

    /// Coordinate system of the network, as for --stations-crs [default: the file's, else WGS84].
    #[arg(long, value_name = "CRS", value_parser = Crs::parse, help_heading = "Network")]
    pub network_crs: Option<Crs>,

    #[command(flatten)]
    pub station_fields: StationFieldArgs,

    /// The stations' layer (table) in a file that holds several.
    #[arg(long, value_name = "NAME", help_heading = "Coordinates and encoding")]
    pub stations_layer: Option<String>,

    /// Coordinate system of the stations: EPSG:NNNN, a PROJ string, wgs84, gcj02, bd09, …
    #[arg(long, value_name = "CRS", value_parser = Crs::parse, help_heading = "Coordinates and encoding")]
    pub stations_crs: Option<Crs>,

    /// Text encoding of CSV tables and Shapefile attributes.
    #[arg(long, value_name = "ENCODING", value_parser = TextEncoding::parse, help_heading = "Coordinates and encoding")]
    pub encoding: Option<TextEncoding>,

    /// Judge a named corridor claim (afir-2025-core, afir-2027-core, us-nevi; `chargecov claims`) or a claim file.
    #[arg(long, value_name = "NAME|FILE", help_heading = "Rule")]
    pub claim: Option<String>,

    /// A site qualifies when a point has at least this many kW (0: every station).
    #[arg(long, value_name = "KW", help_heading = "Rule")]
    pub min_power_kw: Option<f64>,

    /// Qualifying sites at most this many km apart along each path [default: the claim's].
    #[arg(long, value_name = "KM", help_heading = "Rule")]
    pub spacing_km: Option<f64>,

    /// A site counts for a road within this many km (geodesic) of it
    /// [default: the claim's, else 3].
    #[arg(long, value_name = "KM", help_heading = "Rule")]
    pub max_offset_km: Option<f64>,

    #[command(flatten)]
    pub pools: PoolArgs,

    #[command(flatten)]
    pub output: OutputArgs<Format>,

    /// Write the stretches longer than the spacing as lines (route, direction, start_km, end_km, gap_km;
    /// GeoJSON, .gpkg, .fgb or .parquet).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub gaps: Option<PathBuf>,

    /// Write the qualifying sites placed on the roads as points (route, direction, chainage_km, offset_m;
    /// GeoJSON, .gpkg, .fgb or .parquet).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub stations_out: Option<PathBuf>,

    /// Place the fewest new sites so that no gap is longer than the spacing (per path, optimal), and list them.
    #[arg(long, help_heading = "Output")]
    pub suggest: bool,

    /// Write the suggested sites as points (rank, route, direction, km;
    /// GeoJSON, .gpkg, .fgb or .parquet); implies --suggest.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub suggest_out: Option<PathBuf>,

    /// Write a self-contained HTML report: verdict, the map of roads coloured by gap, routes and stretches.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub html: Option<PathBuf>,

    /// Coordinate system of --gaps, --stations-out and --suggest-out [default: WGS84].
    #[arg(long, value_name = "CRS", value_parser = Crs::parse, help_heading = "Output")]
    pub output_crs: Option<Crs>,

    /// Drop unusable features with a warning instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnewayArg {
    Tags,
    All,
    None,
}

impl CorridorArgs {
    /// The rule, pooling, spacing and offset: from --claim, overridden
    /// by nothing (a claim sets the numbers), or from the flags.
    fn rule(&self, claim: Option<&Claim>) -> anyhow::Result<(Rule, Option<PoolBy>, f64, f64)> {
        let Some(claim) = claim else {
            let Some(spacing) = self.spacing_km else {
                bail!(
                    "--spacing-km is needed without --claim (e.g. --spacing-km 60, or --claim afir-2025-core)"
                );
            };
            let rule = self.pools.rule(Rule {
                min_power_kw: self.min_power_kw.unwrap_or(0.0),
                ..Rule::default()
            });
            return Ok((
                rule,
                self.pools.pool_by(),
                spacing,
                self.max_offset_km.unwrap_or(DEFAULT_MAX_OFFSET_KM),
            ));
        };
        if claim.kind == ClaimKind::Area {
            bail!(
                "--claim {}: an area claim is judged per area with `chargecov check --claim {}`; corridor claims are afir-2025-core, afir-2027-core and us-nevi (`chargecov claims`)",
                claim.name,
                claim.name
            );
        }
        if self.min_power_kw.is_some()
            || self.spacing_km.is_some()
            || self.pools.rule(Rule::default()) != Rule::default()
        {
            bail!(
                "--claim {} sets the rule; drop --min-power-kw, --spacing-km, --min-points and --min-pool-kw, or write a claim file with your numbers",
                claim.name
            );
        }
        let pool_by = self
            .pools
            .pool_by()
            .or(claim.rule.pool_m.map(PoolBy::Distance));
        let spacing = claim
            .rule
            .spacing_km
            .context("a corridor claim has a spacing")?;
        let offset = self
            .max_offset_km
            .or(claim.rule.max_offset_km)
            .unwrap_or(DEFAULT_MAX_OFFSET_KM);
        Ok((claim.rule(), pool_by, spacing, offset))
    }

    fn check_targets(&self) -> anyhow::Result<bool> {
        let inputs = vec![
            ("--network", self.network.as_path()),
            ("--stations", self.stations.as_path()),
        ];
        let outputs: Vec<(&str, &Path)> = [
            ("--report", &self.output.report),
            ("--gaps", &self.gaps),
            ("--stations-out", &self.stations_out),
            ("--suggest-out", &self.suggest_out),
            ("--html", &self.html),
        ]
        .into_iter()
        .filter_map(|(flag, p)| Some((flag, p.as_deref()?)))
        .collect();
        check_output_targets(&inputs, &outputs)
    }

    /// Runs the check, writes every output, and says how to exit.
    pub fn run(&self) -> anyhow::Result<ExitCode> {
        let output_crs = super::shared::output_crs(self.output_crs.as_ref())?;
        for (flag, path) in [
            ("--gaps", &self.gaps),
            ("--stations-out", &self.stations_out),
            ("--suggest-out", &self.suggest_out),
        ] {
            if let Some(path) = path {
                super::shared::layer_format(flag, path, false, &output_crs)?;
            }
        }
        let (claim, claim_ref) = super::claims::resolve_flag(self.claim.as_deref())?;
        let (rule, pool_by, spacing_km, max_offset_km) = self.rule(claim.as_ref())?;
        let network = Source::from_arg(&self.network);
        let stations = Source::from_arg(&self.stations);
        if network == Source::Stdin && stations == Source::Stdin {
            bail!("--network and --stations cannot both read standard input");
        }
        let stations_read = ReadOptions {
            encoding: self.encoding,
            layer: self.stations_layer.clone(),
            geometry_field: None,
            limits: super::shared::expansion_limits(),
        };
        let station_fields = self.station_fields.specs(
            self.pools.pool_field.as_deref(),
            &stations,
            &stations_read,
        )?;
        let config = CorridorConfig {
            network,
            network_read: ReadOptions {
                encoding: self.encoding,
                layer: self.network_layer.clone(),
                geometry_field: None,
                limits: super::shared::expansion_limits(),
            },
            network_crs: self.network_crs.clone(),
            network_spec: NetworkSpec {
                route_field: self.route_field.clone(),
                oneway: match self.oneway {
                    OnewayArg::Tags => Oneway::Tags,
                    OnewayArg::All => Oneway::All,
                    OnewayArg::None => Oneway::None,
                },
                snap_m: self.snap_m,
            },
            stations,
            stations_read,
            stations_crs: self.stations_crs.clone(),
            station_fields,
            rule,
            pool_by,
            spacing_km,
            max_offset_km,
            skip_invalid: self.skip_invalid,
        };
        let stdout_taken = self.check_targets()?;
        let bars = Bars::new(self.output.quiet);
        let run = run_corridor(&config, &bars)?;
        let suggest = self.suggest || self.suggest_out.is_some();
        let claim_label = claim_ref
            .as_ref()
            .map(|c| format!("{} (version {})", c.name, c.version));
        let mut report = CorridorReport::new(&run, &config.rule, claim_label, suggest);
        if self.output.report.is_some() || self.output.format == Format::Json {
            report.provenance = Some(CorridorProvenance::of(
                &config.network,
                &config.stations,
                &config.rule,
                claim_ref,
            )?);
        }
        bars.start("writing outputs", None);
        let mut outputs = StagedOutputs::new();
        let json = || -> anyhow::Result<String> {
            let mut text =
                serde_json::to_string_pretty(&report).context("serialising the report")?;
            text.push('\n');
            Ok(text)
        };
        if let Some(path) = &self.output.report {
            let text = json()?;
            outputs.stage(path, |w| w.write_all(text.as_bytes()))?;
        }
        if let Some(path) = &self.gaps {
            let layer = out::StretchLayer {
                run: &run,
                report: &report,
                crs: &output_crs,
            };
            stage_layer(&mut outputs, path, &layer, false)?;
        }
        if let Some(path) = &self.stations_out {
            let layer = out::SnappedLayer {
                run: &run,
                crs: &output_crs,
            };
            stage_layer(&mut outputs, path, &layer, false)?;
        }
        if let Some(path) = &self.suggest_out {
            let layer = out::SuggestedLayer {
                report: &report,
                crs: &output_crs,
            };
            stage_layer(&mut outputs, path, &layer, false)?;
        }
        if let Some(path) = &self.html {
            outputs.stage(path, |w| {
                w.write_all(chargecov::output::corridor::html::render(&run, &report).as_bytes())
            })?;
        }
        if !stdout_taken {
            let text = match self.output.format {
                Format::Text => chargecov::output::printable(out::render(&report)),
                Format::Json => json()?,
            };
            outputs.stage(Path::new("-"), |w| w.write_all(text.as_bytes()))?;
        }
        outputs.commit()?;
        bars.finish();
        bars.total();
        let warnings = run.network.warnings.len() + run.stations.warnings.len();
        if !self.output.quiet && warnings > 0 {
            super::say::stderr(&format!(
                "chargecov: {warnings} warning(s) about skipped features (listed in the JSON report's `warnings`)"
            ));
        }
        Ok(if report.summary.claim_holds {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    }
}
