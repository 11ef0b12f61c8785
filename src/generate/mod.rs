//! Synthetic data at any scale: a Chongqing-like city of township-level
//! areas and charging stations, made deterministically from a seed.
//!
//! No real township boundaries can be redistributed with chargecov, so
//! its demo data (`data/`) and its benchmark data come from here:
//!
//! 1. `plane`: an equal-area plane and a hand-drawn outline of
//!    Chongqing's size and place, scaled to the number of areas;
//! 2. `tessellate`: seeds from an urban `density`, relaxed, and their
//!    Voronoi cells; those inside the outline are the areas;
//! 3. `wiggle`: each shared edge replaced once by an irregular line both
//!    neighbours use, within bounds that keep the tiling valid;
//! 4. `areas`: exclaves, enclaves, districts, kinds, codes, names,
//!    populations, and which remote townships get no ultra-fast charger;
//! 5. `stations`: anchors, ordinary stations, and real-world mess;
//! 6. [`write`]: GeoJSON and the data set's README.
//!
//! Every random choice draws from its own stream (`rng`), so the same
//! seed gives the same bytes, with any number of threads.

mod areas;
mod density;
mod names;
pub mod network;
mod plane;
mod rng;
mod stations;
mod tessellate;
mod wiggle;
mod write;

use std::path::Path;

use crate::error::{Error, Result, Setting};
use crate::output::staged::StagedOutputs;

use areas::City;
use plane::CityFrame;
use stations::{PlanStation, StationCounts};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateConfig {
    /// Township-level areas.
    pub areas: usize,
    /// Charging stations.
    pub stations: usize,
    /// The seed of every random choice.
    pub seed: u64,
}

/// The embedded demo data set (`data/`).
pub const DEMO: GenerateConfig = GenerateConfig {
    areas: 1031,
    stations: 6000,
    seed: 2024,
};

/// The smallest number of areas the generator makes (an exclave and an
/// enclave need room).
pub const MIN_AREAS: usize = 8;

/// The most areas the generator makes: a national township layer is
/// 40,000; ten times that still fits this machine (about 1 GB).
pub const MAX_AREAS: usize = 400_000;

/// The most stations the generator makes: 2,000,000 take about 460 MB
/// at peak (BENCHMARKS.md), so about 0.25 GB per million; 20 million,
/// about 5 GB.
pub const MAX_STATIONS: usize = 20_000_000;

impl GenerateConfig {
    /// The command that makes this data set.
    pub fn command(&self) -> String {
        format!(
            "chargecov generate --areas {} --stations {} --seed {} --out DIR",
            self.areas, self.stations, self.seed
        )
    }
}

/// A generated data set, in the plane, ready to write.
#[derive(Debug, Clone)]
pub struct Synthetic {
    /// What was asked for.
    pub config: GenerateConfig,
    pub(crate) city: City,
    pub(crate) stations: Vec<PlanStation>,
    pub(crate) counts: StationCounts,
}

impl Synthetic {
    /// Areas made (as asked).
    pub fn area_count(&self) -> usize {
        self.city.areas.len()
    }

    /// Districts the areas are grouped into.
    pub fn group_count(&self) -> usize {
        self.city.groups.len()
    }

    /// Stations made.
    pub fn station_count(&self) -> usize {
        self.stations.len()
    }
}

/// The files of a data set in GeoJSON, by name.
pub const FILES: [&str; 4] = [
    "areas.geojson",
    "stations.geojson",
    "outline.geojson",
    "README.md",
];

/// The format the layers of a data set are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataFormat {
    /// GeoJSON FeatureCollections (the embedded demo's format).
    #[default]
    GeoJson,
    /// GeoPackage (feature `gpkg`).
    GeoPackage,
    /// FlatGeobuf (feature `fgb`).
    FlatGeobuf,
    /// GeoParquet (feature `parquet`).
    GeoParquet,
}

impl DataFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            DataFormat::GeoJson => "geojson",
            DataFormat::GeoPackage => "gpkg",
            DataFormat::FlatGeobuf => "fgb",
            DataFormat::GeoParquet => "parquet",
        }
    }

    /// The files of a data set in this format: areas, stations, outline,
    /// README.
    pub fn files(self) -> [String; 4] {
        let ext = self.extension();
        [
            format!("areas.{ext}"),
            format!("stations.{ext}"),
            format!("outline.{ext}"),
            "README.md".to_owned(),
        ]
    }
}

/// Generates a data set.
pub fn generate(config: GenerateConfig) -> Result<Synthetic> {
    if config.areas < MIN_AREAS {
        return Err(Error::InvalidSetting {
            setting: Setting::GenerateAreas,
            value: config.areas.to_string(),
            expected: "at least 8 (the generator's smallest city)",
        });
    }
    if config.areas > MAX_AREAS {
        return Err(Error::InvalidSetting {
            setting: Setting::GenerateAreas,
            value: config.areas.to_string(),
            expected: "at most 400,000 (ten times a national township layer)",
        });
    }
    if config.stations > MAX_STATIONS {
        return Err(Error::InvalidSetting {
            setting: Setting::GenerateStations,
            value: config.stations.to_string(),
            expected: "at most 20,000,000 (about 0.25 GB of memory per million)",
        });
    }
    let counts = StationCounts::split(config.stations, config.areas).ok_or_else(|| {
        Error::TooFewStations {
            stations: config.stations,
            areas: config.areas,
            minimum: StationCounts::minimum(config.areas),
        }
    })?;
    let frame = CityFrame::for_area_count(config.areas);
    let cells = tessellate::tessellate(&frame, config.areas, config.seed);
    let boundaries = wiggle::wiggle(&cells, config.seed);
    let city = areas::build(frame, &cells, &boundaries, config.areas, config.seed);
    if city.areas.len() != config.areas {
        return Err(Error::GeneratorMiss {
            seed: config.seed,
            made: city.areas.len(),
            wanted: config.areas,
        });
    }
    let stations = stations::generate(&city, counts, config.seed);
    Ok(Synthetic {
        config,
        city,
        stations,
        counts,
    })
}

impl Synthetic {
    /// Writes every file into `dir` (created if missing), all or nothing.
    pub fn write_to_dir(&self, dir: &Path, format: DataFormat) -> Result<()> {
        if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
            return Err(Error::Write {
                path: dir.to_path_buf(),
                error: std::io::Error::new(
                    std::io::ErrorKind::NotADirectory,
                    "is a file, and the generator writes a folder of files; name a folder",
                ),
            });
        }
        std::fs::create_dir_all(dir).map_err(|error| Error::Write {
            path: dir.to_path_buf(),
            error,
        })?;
        let files = format.files();
        let mut outputs = StagedOutputs::new();
        match format {
            DataFormat::GeoJson => {
                outputs.stage_streamed(&dir.join(&files[0]), |w| write::write_areas(w, self))?;
                outputs.stage_streamed(&dir.join(&files[1]), |w| write::write_stations(w, self))?;
                outputs.stage_streamed(&dir.join(&files[2]), |w| write::write_outline(w, self))?;
            }
            typed => self.stage_typed(&mut outputs, dir, typed)?,
        }
        outputs.stage_streamed(&dir.join(&files[3]), |w| {
            write::write_readme(w, self, format)
        })?;
        outputs.commit()
    }

    /// Stages the three layers in a typed format.
    #[cfg_attr(
        not(any(feature = "gpkg", feature = "fgb", feature = "parquet")),
        allow(unused_variables, clippy::never_loop)
    )]
    fn stage_typed(
        &self,
        outputs: &mut StagedOutputs,
        dir: &Path,
        format: DataFormat,
    ) -> Result<()> {
        use crate::crs::Crs;
        use crate::output::{ShapeKind, ShapeLayer, ShapeRecord};
        let files = format.files();
        let layers: [ShapeLayer; 3] = [
            ShapeLayer {
                name: "areas",
                kind: ShapeKind::MultiPolygon,
                crs: &Crs::Wgs84,
                columns: write::area_columns(),
            },
            ShapeLayer {
                name: "stations",
                kind: ShapeKind::Point,
                crs: &Crs::Wgs84,
                columns: write::station_columns(),
            },
            ShapeLayer {
                name: "outline",
                kind: ShapeKind::MultiPolygon,
                crs: &Crs::Wgs84,
                columns: vec![("name".to_owned(), crate::output::ColumnKind::Text)],
            },
        ];
        let records = |k: usize| -> Box<dyn Iterator<Item = ShapeRecord> + '_> {
            match k {
                0 => Box::new(write::area_records(self)),
                1 => Box::new(write::station_records(self)),
                _ => Box::new(write::outline_records(self)),
            }
        };
        for (k, (layer, file)) in layers.iter().zip(&files).enumerate() {
            let path = dir.join(file);
            match format {
                #[cfg(feature = "gpkg")]
                DataFormat::GeoPackage => outputs.stage_file(&path, |temp| {
                    crate::output::formats::gpkg::write(temp, layer, records(k))
                        .map_err(std::io::Error::other)
                })?,
                #[cfg(feature = "fgb")]
                DataFormat::FlatGeobuf => outputs.stage_streamed(&path, |w| {
                    crate::output::formats::fgb::write(w, layer, records(k))
                })?,
                #[cfg(feature = "parquet")]
                DataFormat::GeoParquet => outputs.stage_streamed(&path, |w| {
                    // The writer wants a `Send` sink.
                    let mut bytes = Vec::new();
                    crate::output::formats::parquet::write(&mut bytes, layer, records(k))?;
                    w.write_all(&bytes)
                })?,
                other => {
                    let (format, feature) = match other {
                        DataFormat::GeoPackage => ("GeoPackage", "gpkg"),
                        DataFormat::FlatGeobuf => ("FlatGeobuf", "fgb"),
                        _ => ("GeoParquet", "parquet"),
                    };
                    return Err(Error::FormatNotBuilt { format, feature });
                }
            }
        }
        Ok(())
    }
}
