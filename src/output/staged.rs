//! Output files written all-or-nothing.
//!
//! Each output is first written to a temporary file beside its target;
//! only when every output of the run has been written are they renamed
//! into place. A run that fails half-way leaves no half-written file and
//! does not clobber the previous one. `-` stands for standard output,
//! which is written at commit time as well.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

enum Staged {
    File(NamedTempFile, PathBuf),
    Stdout(Vec<u8>),
}

/// Outputs written but not yet in place.
#[derive(Default)]
pub struct StagedOutputs {
    staged: Vec<Staged>,
}

impl StagedOutputs {
    /// Nothing staged yet.
    pub fn new() -> Self {
        StagedOutputs::default()
    }

    /// Writes one output with `write` into a temporary place.
    pub fn stage(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<()> {
        let fail = |error| Error::Write {
            path: path.to_path_buf(),
            error,
        };
        if path.as_os_str() == "-" {
            let mut buffer = Vec::new();
            write(&mut buffer).map_err(fail)?;
            self.staged.push(Staged::Stdout(buffer));
            return Ok(());
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(fail)?;
        let mut out = BufWriter::new(temp);
        write(&mut out).map_err(fail)?;
        let temp = out.into_inner().map_err(|e| fail(e.into_error()))?;
        temp.as_file().sync_all().map_err(fail)?;
        self.staged.push(Staged::File(temp, path.to_path_buf()));
        Ok(())
    }

    /// Moves every staged output into place.
    pub fn commit(self) -> Result<()> {
        for staged in self.staged {
            match staged {
                Staged::File(temp, path) => {
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::PermissionsExt;
                        // Temporary files are private; outputs are ordinary files.
                        let _ = temp
                            .as_file()
                            .set_permissions(std::fs::Permissions::from_mode(0o644));
                    }
                    temp.persist(&path).map_err(|e| Error::Write {
                        path: path.clone(),
                        error: e.error,
                    })?;
                }
                Staged::Stdout(bytes) => {
                    let mut stdout = io::stdout().lock();
                    stdout
                        .write_all(&bytes)
                        .and_then(|()| stdout.flush())
                        .map_err(|error| Error::Write {
                            path: PathBuf::from("-"),
                            error,
                        })?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_lands_until_commit_and_failures_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.json");
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "previous").unwrap();
        let mut outputs = StagedOutputs::new();
        outputs.stage(&good, |w| w.write_all(b"{}")).unwrap();
        assert!(!good.exists());
        let err = outputs.stage(&bad, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        drop(outputs);
        assert!(!good.exists());
        assert_eq!(std::fs::read_to_string(&bad).unwrap(), "previous");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(
            leftovers.len(),
            1,
            "temporary files were left: {leftovers:?}"
        );
    }

    #[test]
    fn commit_puts_files_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let mut outputs = StagedOutputs::new();
        outputs.stage(&path, |w| w.write_all(b"done")).unwrap();
        outputs.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "done");
    }
}
