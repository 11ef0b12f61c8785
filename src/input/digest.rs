//! The files a layer was read from, with their sizes and SHA-256, so that
//! a verdict can be audited later against exactly those bytes.

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Source;
use crate::error::{Error, Result};

/// One file behind a layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileDigest {
    /// The path as given (or the name of in-memory data).
    pub path: String,
    /// Its size in bytes, as stored (compressed files are hashed as such,
    /// as `sha256sum` would).
    pub bytes: u64,
    /// SHA-256 of those bytes, lower-case hex.
    pub sha256: String,
}

/// Sidecars of a Shapefile that change what is read.
const SHAPEFILE_PARTS: [&str; 5] = ["shp", "shx", "dbf", "prj", "cpg"];

/// The files behind `source`: a regular file (a Shapefile with each of its
/// sidecars that exists; a member of a zip archive by the archive), or
/// in-memory data by its name. Standard input and other streams (named
/// pipes) were read once and are gone: they give none, and are never
/// opened again here.
pub fn digests(source: &Source) -> Result<Vec<FileDigest>> {
    match source {
        Source::Path(path) => {
            let mut files = Vec::new();
            if path.is_file() {
                let is_shp = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
                if is_shp {
                    for ext in SHAPEFILE_PARTS {
                        let part = path.with_extension(ext);
                        if part.is_file() {
                            files.push(file_digest(&part)?);
                        }
                    }
                } else {
                    files.push(file_digest(path)?);
                }
            } else if !path.exists() {
                // `a.zip/dir/b.shp`: the nearest ancestor that is a file.
                if let Some(archive) = path.ancestors().skip(1).find(|a| a.is_file()) {
                    files.push(file_digest(archive)?);
                }
            }
            Ok(files)
        }
        Source::Bytes { name, data } => Ok(vec![bytes_digest(name, data)]),
        Source::Embedded(name, data) => Ok(vec![bytes_digest(name, data)]),
        Source::Stdin => Ok(Vec::new()),
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn bytes_digest(name: &str, data: &[u8]) -> FileDigest {
    FileDigest {
        path: name.to_owned(),
        bytes: data.len() as u64,
        sha256: hex(&Sha256::digest(data)),
    }
}

fn file_digest(path: &Path) -> Result<FileDigest> {
    let read_error = |error| Error::Read {
        source_name: path.display().to_string(),
        error,
    };
    let mut file = std::fs::File::open(path).map_err(read_error)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(read_error)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok(FileDigest {
        path: path.display().to_string(),
        bytes,
        sha256: hex(&hasher.finalize()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        // FIPS 180-2's test vector: SHA-256("abc").
        let d = digests(&Source::from_bytes("abc.txt", b"abc".to_vec())).unwrap();
        assert_eq!(
            d[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d[0].bytes, 3);
        assert!(digests(&Source::Stdin).unwrap().is_empty());
    }

    #[test]
    fn a_shapefile_with_its_sidecars_and_a_zip_member_by_its_archive() {
        let dir = tempfile::tempdir().unwrap();
        for ext in ["shp", "shx", "dbf", "prj"] {
            std::fs::write(dir.path().join(format!("a.{ext}")), ext).unwrap();
        }
        let d = digests(&Source::Path(dir.path().join("a.shp"))).unwrap();
        let names: Vec<&str> = d
            .iter()
            .map(|f| f.path.rsplit('/').next().unwrap())
            .collect();
        assert_eq!(names, ["a.shp", "a.shx", "a.dbf", "a.prj"]);
        std::fs::write(dir.path().join("b.zip"), b"zip bytes").unwrap();
        let d = digests(&Source::Path(dir.path().join("b.zip/dir/c.shp"))).unwrap();
        assert_eq!(d.len(), 1);
        assert!(d[0].path.ends_with("b.zip") && d[0].bytes == 9);
    }
}
