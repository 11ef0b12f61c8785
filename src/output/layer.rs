//! Feature layers out: the format a file's name asks for, and one staged
//! writer for every format. Every command's layers (uncovered areas, area
//! tables, gaps, sites, changes, suggested sites, corridor stretches) go
//! through [`stage`], so a format added here is a format every output
//! flag writes, and no layer is ever written in a format other than the
//! one its name asks for.

use std::io::{self, Write};
use std::path::Path;

use crate::crs::OutputCrs;
use crate::error::{Error, Result};
pub use crate::error::{FormatProblem, FormatRefusal};
use crate::output::staged::StagedOutputs;
use crate::output::{ShapeKind, ShapeLayer, ShapeRecord, property_columns};

/// A format a layer can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LayerFormat {
    /// RFC 7946 GeoJSON (`.geojson`, `.json`, standard output).
    GeoJson,
    /// The layer's facts without geometry (`.csv`), where it has them.
    Csv,
    /// OGC GeoPackage (`.gpkg`).
    GeoPackage,
    /// FlatGeobuf with its spatial index (`.fgb`).
    FlatGeobuf,
    /// GeoParquet 1.1, WKB geometry (`.parquet`, `.geoparquet`).
    GeoParquet,
}

impl LayerFormat {
    /// The format `path` asks for (`-` is standard output, GeoJSON). A
    /// layer `with_csv` has a table of facts; one without is refused as
    /// `.csv`. Never guesses: a name that asks for nothing is refused.
    pub fn of_path(path: &Path, with_csv: bool) -> std::result::Result<Self, FormatRefusal> {
        if path.as_os_str() == "-" {
            return Ok(LayerFormat::GeoJson);
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let refuse = |problem| {
            Err(FormatRefusal {
                problem,
                allowed: allowed_extensions(with_csv),
            })
        };
        match ext.as_deref() {
            Some("geojson" | "json") => Ok(LayerFormat::GeoJson),
            Some("csv") if with_csv => Ok(LayerFormat::Csv),
            Some("csv") => refuse(FormatProblem::ShapesOnly),
            Some("gpkg") if cfg!(feature = "gpkg") => Ok(LayerFormat::GeoPackage),
            Some("gpkg") => refuse(FormatProblem::NotBuilt {
                format: "GeoPackage",
                feature: "gpkg",
            }),
            Some("fgb") if cfg!(feature = "fgb") => Ok(LayerFormat::FlatGeobuf),
            Some("fgb") => refuse(FormatProblem::NotBuilt {
                format: "FlatGeobuf",
                feature: "fgb",
            }),
            Some("parquet" | "geoparquet") if cfg!(feature = "parquet") => {
                Ok(LayerFormat::GeoParquet)
            }
            Some("parquet" | "geoparquet") => refuse(FormatProblem::NotBuilt {
                format: "GeoParquet",
                feature: "parquet",
            }),
            Some(extension @ "shp") => refuse(FormatProblem::NotWritten {
                extension: extension.to_owned(),
            }),
            _ => refuse(FormatProblem::Unknown),
        }
    }

    /// The format `path` asks for, checked against the coordinate system
    /// the layer is written in (GeoParquet is written in WGS84 only).
    pub fn of_path_in(
        path: &Path,
        with_csv: bool,
        crs: &OutputCrs,
    ) -> std::result::Result<Self, FormatRefusal> {
        let format = Self::of_path(path, with_csv)?;
        #[cfg(feature = "parquet")]
        if format == LayerFormat::GeoParquet
            && let Err(why) = crate::output::formats::parquet::supports(&crs.crs())
        {
            return Err(FormatRefusal {
                problem: FormatProblem::Crs {
                    format: "GeoParquet",
                    why: why.to_string(),
                },
                allowed: allowed_extensions(with_csv),
            });
        }
        #[cfg(not(feature = "parquet"))]
        let _ = crs;
        Ok(format)
    }

    /// Whether the format is written from [`ShapeRecord`]s (typed columns).
    pub fn is_typed(self) -> bool {
        matches!(
            self,
            LayerFormat::GeoPackage | LayerFormat::FlatGeobuf | LayerFormat::GeoParquet
        )
    }
}

/// The extensions a layer can be written with in this build.
fn allowed_extensions(with_csv: bool) -> String {
    let mut names = vec![".geojson", ".json"];
    if cfg!(feature = "gpkg") {
        names.push(".gpkg");
    }
    if cfg!(feature = "fgb") {
        names.push(".fgb");
    }
    if cfg!(feature = "parquet") {
        names.push(".parquet");
    }
    if with_csv {
        names.push(".csv");
    }
    match names.split_last() {
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A layer a command writes, in whichever format its file asks for: its
/// GeoJSON (written as it is rendered, streaming), its facts as CSV where
/// it has them, and its records for the typed formats.
pub trait OutputLayer {
    /// The layer's name in formats that name layers (a GeoPackage table).
    fn name(&self) -> &str;
    /// Its geometry type.
    fn kind(&self) -> ShapeKind;
    /// The coordinate system its coordinates are written in.
    fn crs(&self) -> &OutputCrs;
    /// Writes the layer as a GeoJSON FeatureCollection; by default from
    /// its records (point and line layers; area layers stream their own).
    fn write_geojson(&self, out: &mut dyn Write) -> io::Result<()> {
        crate::output::write_features(out, self.crs(), self.records()?)
    }
    /// Whether the layer has a table of facts (`.csv`).
    fn has_csv(&self) -> bool {
        false
    }
    /// Writes the layer's facts as CSV (only asked of a layer that
    /// [`has_csv`](OutputLayer::has_csv)).
    fn write_csv(&self, _out: &mut dyn Write) -> io::Result<()> {
        Err(io::Error::other("this layer has no table of facts"))
    }
    /// The layer's features for the typed writers.
    fn records(&self) -> io::Result<Vec<ShapeRecord>>;
}

/// How a layer is written beyond its format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerOptions {
    /// Start a CSV with the UTF-8 byte-order mark (for spreadsheets).
    pub csv_bom: bool,
}

/// Stages `layer` for `path` in the format the path asks for; nothing is
/// written until the outputs are committed. A name that asks for no
/// format the layer can take is refused ([`Error::OutputFormat`]).
pub fn stage(
    outputs: &mut StagedOutputs,
    path: &Path,
    layer: &dyn OutputLayer,
    options: LayerOptions,
) -> Result<()> {
    let format =
        LayerFormat::of_path_in(path, layer.has_csv(), layer.crs()).map_err(|refusal| {
            Error::OutputFormat {
                path: path.to_path_buf(),
                refusal,
            }
        })?;
    match format {
        LayerFormat::GeoJson => outputs.stage(path, |w| layer.write_geojson(w)),
        LayerFormat::Csv => outputs.stage(path, |w| {
            if options.csv_bom {
                w.write_all("\u{feff}".as_bytes())?;
            }
            layer.write_csv(w)
        }),
        typed => stage_typed(outputs, path, typed, layer),
    }
}

/// Stages a typed format from the layer's records.
fn stage_typed(
    outputs: &mut StagedOutputs,
    path: &Path,
    format: LayerFormat,
    layer: &dyn OutputLayer,
) -> Result<()> {
    let write_error = |error| Error::Write {
        path: path.to_path_buf(),
        error,
    };
    let records = layer.records().map_err(write_error)?;
    let crs = layer.crs().crs();
    let shape = ShapeLayer {
        name: layer.name(),
        kind: layer.kind(),
        crs: &crs,
        columns: property_columns(&records),
    };
    match format {
        #[cfg(feature = "gpkg")]
        LayerFormat::GeoPackage => outputs.stage_file(path, |temp| {
            crate::output::formats::gpkg::write(temp, &shape, &records).map_err(io::Error::other)
        }),
        #[cfg(feature = "fgb")]
        LayerFormat::FlatGeobuf => outputs.stage(path, |w| {
            crate::output::formats::fgb::write(w, &shape, &records)
        }),
        #[cfg(feature = "parquet")]
        LayerFormat::GeoParquet => outputs.stage(path, |w| {
            // The writer wants a `Send` sink; the bytes are staged anyway.
            let mut bytes = Vec::new();
            crate::output::formats::parquet::write(&mut bytes, &shape, &records)?;
            w.write_all(&bytes)
        }),
        _ => {
            let _ = (shape, outputs);
            unreachable!("LayerFormat::of_path refuses a format this build leaves out")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_choose_formats_and_never_guess() {
        let of = |name: &str, csv| LayerFormat::of_path(Path::new(name), csv);
        assert_eq!(of("-", false), Ok(LayerFormat::GeoJson));
        assert_eq!(of("a.GeoJSON", false), Ok(LayerFormat::GeoJson));
        assert_eq!(of("a.json", true), Ok(LayerFormat::GeoJson));
        assert_eq!(of("a.csv", true), Ok(LayerFormat::Csv));
        assert_eq!(
            of("a.csv", false).map_err(|r| r.problem),
            Err(FormatProblem::ShapesOnly)
        );
        assert_eq!(
            of("a.shp", true).map_err(|r| r.problem),
            Err(FormatProblem::NotWritten {
                extension: "shp".into()
            })
        );
        assert_eq!(
            of("a.txt", true).map_err(|r| r.problem),
            Err(FormatProblem::Unknown)
        );
        assert_eq!(
            of("noext", true).map_err(|r| r.problem),
            Err(FormatProblem::Unknown)
        );
        let parquet = of("a.parquet", false);
        if cfg!(feature = "parquet") {
            assert_eq!(parquet, Ok(LayerFormat::GeoParquet));
        } else {
            assert_eq!(
                parquet.map_err(|r| r.problem),
                Err(FormatProblem::NotBuilt {
                    format: "GeoParquet",
                    feature: "parquet"
                })
            );
        }
        let gpkg = of("a.gpkg", false);
        assert_eq!(gpkg.is_ok(), cfg!(feature = "gpkg"));
    }

    #[test]
    fn the_allowed_list_reads_as_a_sentence() {
        // The engine alone writes GeoJSON and CSV; each format feature adds one.
        let with = allowed_extensions(true);
        assert!(with.starts_with(".geojson, .json"), "{with}");
        assert!(with.ends_with(" or .csv"), "{with}");
        assert_eq!(with.contains(".gpkg"), cfg!(feature = "gpkg"), "{with}");
        assert_eq!(
            with.contains(".parquet"),
            cfg!(feature = "parquet"),
            "{with}"
        );
        let without = allowed_extensions(false);
        assert!(!without.contains(".csv"), "{without}");
        assert!(without.contains(" or "), "{without}");
    }
}
