//! `chargecov generate`: synthetic data at any scale.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use chargecov::generate::network::NATIONAL_NETWORK;
use chargecov::generate::{self, DEMO, DataFormat, GenerateConfig};

/// Make a synthetic city of township-level areas and charging stations.
///
/// The city is modelled on Chongqing (an outline of its size and place,
/// its 38 district names, a dense main city and sparse mountains) and
/// scales with --areas at Chongqing's density of areas. Everything is
/// invented and labelled as synthetic. The same seed gives byte-identical
/// files; the defaults make the embedded demo data.
///
/// Writes areas, stations and outline (GeoJSON, or --format) and README.md
/// (the data set's facts and the commands that show its story) into --out.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  chargecov generate --out data                       # the embedded demo set
  chargecov generate --areas 12 --stations 60 --out /tmp/tiny
  chargecov generate --areas 40000 --stations 2000000 --out /tmp/national
  chargecov generate --areas 40000 --stations 2000000 --format gpkg --out /tmp/national-gpkg
  chargecov generate --network --out /tmp/motorways     # then: chargecov corridor --network …")]
pub struct GenerateArgs {
    /// Number of township-level areas (at least 8).
    #[arg(long, value_name = "N", default_value_t = DEMO.areas)]
    pub areas: usize,

    /// Number of charging stations (at least the number of areas, plus a few)
    /// [default: 6000; with --network, 100000].
    #[arg(long, value_name = "M")]
    pub stations: Option<usize>,

    /// Make a synthetic motorway network instead (about 35,000 km of one-way
    /// carriageways in ways of 100–300 m, junctions, service areas) with
    /// stations, for `chargecov corridor`: network.geojson and stations.geojson.
    #[arg(long, conflicts_with_all = ["areas", "format"])]
    pub network: bool,

    /// Seed of every random choice.
    #[arg(long, value_name = "S", default_value_t = DEMO.seed)]
    pub seed: u64,

    /// Directory to write into (created if missing; files in it are replaced).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Format of the three layers: geojson (the embedded demo's), gpkg,
    /// fgb or parquet (GeoParquet, when built with the `parquet` feature).
    /// Every format holds the same features, properties and coordinates.
    #[arg(long, value_name = "FORMAT", default_value = "geojson")]
    pub format: LayerFormat,

    /// No summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A `--format` of `generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayerFormat {
    Geojson,
    Gpkg,
    Fgb,
    Parquet,
}

impl GenerateArgs {
    pub fn run(&self) -> anyhow::Result<ExitCode> {
        if self.network {
            let config = generate::network::NetworkConfig {
                stations: self.stations.unwrap_or(NATIONAL_NETWORK.stations),
                seed: self.seed,
                ..NATIONAL_NETWORK
            };
            let data = generate::network::generate(config)?;
            data.write_to_dir(&self.out)?;
            if !self.quiet {
                super::say::stderr(&format!(
                    "chargecov: wrote {} motorways ({} ways, {:.0} km of carriageways) and {} stations (synthetic) to {}",
                    data.routes,
                    data.ways,
                    data.carriageway_km,
                    data.station_count,
                    self.out.display()
                ));
            }
            return Ok(ExitCode::SUCCESS);
        }
        let config = GenerateConfig {
            areas: self.areas,
            stations: self.stations.unwrap_or(DEMO.stations),
            seed: self.seed,
        };
        let data = generate::generate(config)?;
        let format = match self.format {
            LayerFormat::Geojson => DataFormat::GeoJson,
            LayerFormat::Gpkg => DataFormat::GeoPackage,
            LayerFormat::Fgb => DataFormat::FlatGeobuf,
            LayerFormat::Parquet => DataFormat::GeoParquet,
        };
        data.write_to_dir(&self.out, format)?;
        if !self.quiet {
            super::say::stderr(&format!(
                "chargecov: wrote {} areas in {} districts and {} stations (synthetic) to {}",
                data.area_count(),
                data.group_count(),
                data.station_count(),
                self.out.display()
            ));
        }
        Ok(ExitCode::SUCCESS)
    }
}
