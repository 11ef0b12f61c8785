//! A zip archive holding one layer — how Shapefiles are usually handed
//! around (`zones.zip` with `zones.shp`, `.shx`, `.dbf`, `.prj`, `.cpg`).
//! The layer file is the only one in the archive, or the one named
//! (`zones.zip/zones.shp`, or the layer option); it is extracted with its
//! siblings into a temporary folder and read by its own format's reader.
//! Messages name it as `ARCHIVE.zip/MEMBER`, not the temporary copy.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Layer, Result};
use crate::fields::StationFieldSpecs;
use crate::input::format::{self, InputFormat};
use crate::input::limits::Bounded;
use crate::input::raw::{LayerMeta, RawFeature, RawLayer, RawStation};
use crate::input::{Collect, Input, LayerReader, ReadOptions, Source};

/// The reader of zip archives of one layer.
#[derive(Debug, Clone, Copy)]
pub struct Zip;

impl LayerReader for Zip {
    fn read_features(&self, input: &Input) -> Result<RawLayer<RawFeature>> {
        let layer = Extracted::from(input, Layer::Areas)?;
        let source = Source::Path(layer.path.clone());
        let inner = source.open_with(&layer.options)?;
        crate::input::read_features(&inner).map_err(|e| layer.rename(e))
    }

    fn read_stations<T: Send>(
        &self,
        input: &Input,
        fields: &StationFieldSpecs,
        convert: &(dyn Fn(Vec<RawStation>) -> T + Sync),
        sink: &mut (dyn Collect<T> + Send),
    ) -> Result<LayerMeta> {
        let layer = Extracted::from(input, Layer::Stations)?;
        let source = Source::Path(layer.path.clone());
        let inner = source.open_with(&layer.options)?;
        crate::input::read_stations(&inner, fields, convert, sink).map_err(|e| layer.rename(e))
    }
}

/// Extensions of the layer files an archive may hold.
const LAYER_FILES: [&str; 8] = [
    "shp", "gpkg", "geojson", "json", "geojsonl", "ndjson", "csv", "tsv",
];

/// How much of the layer file is looked at before extracting.
const HEAD_BYTES: u64 = 1 << 16;

/// A Shapefile's siblings, extracted with it.
const SHAPEFILE_PARTS: [&str; 5] = ["shp", "shx", "dbf", "prj", "cpg"];

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// One layer file of an archive, extracted.
struct Extracted {
    /// Keeps the temporary folder while the layer is read.
    _dir: crate::scratch::TempDir,
    path: PathBuf,
    /// How the archive is named in messages, and how the member.
    shown: String,
    options: ReadOptions,
}

impl Extracted {
    fn from(input: &Input, layer: Layer) -> Result<Extracted> {
        let name = input.name();
        let path = input.file_path(InputFormat::Zip)?;
        let archive_shown = path.display().to_string();
        let malformed = |problem: String| Error::Malformed {
            source_name: name.clone(),
            format: InputFormat::Zip,
            problem,
        };
        let file = File::open(path).map_err(|error| Error::Read {
            source_name: name.clone(),
            error,
        })?;
        let mut archive = ::zip::ZipArchive::new(file).map_err(|e| malformed(e.to_string()))?;
        let names: Vec<String> = archive
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .filter(|n| !n.ends_with('/'))
            .collect();
        let mut candidates: Vec<&String> = names
            .iter()
            .filter(|n| LAYER_FILES.contains(&extension(n).as_str()))
            .collect();
        candidates.sort();
        let wanted = input.member().or(input.layer());
        // The whole path wins; else the file name, else its stem — and
        // a name that fits several members chooses none of them.
        let matches: Vec<&String> = match wanted {
            Some(w) => {
                let exact: Vec<&String> = candidates.iter().copied().filter(|n| *n == w).collect();
                if exact.is_empty() {
                    candidates
                        .iter()
                        .copied()
                        .filter(|n| {
                            let base = n.rsplit('/').next().unwrap_or(n);
                            base == w || stem(base) == w
                        })
                        .collect()
                } else {
                    exact
                }
            }
            None => candidates.clone(),
        };
        let [chosen] = matches[..] else {
            return Err(Error::LayerChoice {
                // The archive itself: the hint names members inside it.
                source_name: if matches.len() > 1 {
                    path.display().to_string()
                } else {
                    name
                },
                layer,
                wanted: wanted.map(str::to_owned),
                available: candidates.into_iter().cloned().collect(),
                matches: if wanted.is_some() {
                    matches.into_iter().cloned().collect()
                } else {
                    Vec::new()
                },
            });
        };
        let members: Vec<&String> = if extension(chosen) == "shp" {
            names
                .iter()
                .filter(|n| {
                    stem(n) == stem(chosen) && SHAPEFILE_PARTS.contains(&extension(n).as_str())
                })
                .collect()
        } else {
            vec![chosen]
        };
        // The layer file's first bytes, before anything is extracted: an
        // archive inside the archive is refused (each level would be
        // extracted again, without end), as is a member with no data.
        let mut head = Vec::new();
        archive
            .by_name(chosen)
            .map_err(|e| malformed(format!("{chosen}: {e}")))?
            .take(HEAD_BYTES)
            .read_to_end(&mut head)
            .map_err(|e| malformed(format!("{chosen}: {e}")))?;
        if format::compression(&head) != format::Compression::None
            || format::detect(&head, Some(chosen)) == InputFormat::Zip
        {
            return Err(malformed(format!(
                "{chosen} is itself an archive or a compressed file; extract it first and read the layer file"
            )));
        }
        if head.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
            return Err(malformed(format!(
                "{chosen} holds no data in its first {} KB",
                HEAD_BYTES / 1024
            )));
        }
        // What all members together may expand to.
        let limits = input.limits();
        let archive_bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        let (allowed, _) = limits.allowance(archive_bytes);
        let refuse = || limits.refusal(format!("{name}/{chosen}"), Some(archive_bytes));
        let mut left = allowed;
        let dir = crate::scratch::temp_dir().map_err(|error| Error::Read {
            source_name: format!(
                "{name} (extracting into the temporary folder {})",
                std::env::temp_dir().display()
            ),
            error,
        })?;
        let mut path = PathBuf::new();
        for member in members {
            let base = member.rsplit('/').next().unwrap_or(member);
            let target = dir.path().join(base);
            let entry = archive
                .by_name(member)
                .map_err(|e| malformed(format!("{member}: {e}")))?;
            // The size the archive declares is checked first (no bytes
            // written); the bytes themselves are counted as they come.
            if entry.size() > left {
                return Err(refuse());
            }
            let breached = Arc::new(AtomicBool::new(false));
            let mut bounded = Bounded::new(entry, left, breached.clone());
            let mut out = File::create(&target).map_err(|error| Error::Read {
                source_name: format!("{name} (extracting {member} into {})", dir.path().display()),
                error,
            })?;
            match std::io::copy(&mut bounded, &mut out) {
                Ok(n) => left -= n,
                Err(_) if breached.load(Ordering::Relaxed) => return Err(refuse()),
                Err(e) => return Err(malformed(format!("{member}: {e}"))),
            }
            if member == chosen {
                path = target;
            }
        }
        // The member's own layer option does not apply inside a Shapefile.
        let options = ReadOptions {
            encoding: input.encoding(),
            layer: None,
            geometry_field: input.geometry_field_name().map(str::to_owned),
            limits: input.limits(),
        };
        // The member as it is in the archive, whatever name chose it.
        let shown = format!("{archive_shown}/{chosen}");
        Ok(Extracted {
            shown,
            _dir: dir,
            path,
            options,
        })
    }

    /// An error about the extracted copy, naming the archive's member.
    fn rename(&self, error: Error) -> Error {
        let temp = self.path.display().to_string();
        let dir = self.path.parent().map(Path::display).map(|d| d.to_string());
        error.with_source_name(|n| {
            if n == temp {
                self.shown.clone()
            } else if let Some(d) = &dir
                && let Some(rest) = n.strip_prefix(d.as_str())
            {
                let archive = self.shown.rsplit_once('/').map_or("", |(a, _)| a);
                format!("{archive}{rest}")
            } else {
                n.to_owned()
            }
        })
    }
}
