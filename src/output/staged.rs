//! Output files written all-or-nothing.
//!
//! Outputs are rendered first (into memory, or for very large files into
//! a temporary file beside the target) and put in place together at
//! [`StagedOutputs::commit`]: every target is checked before any is
//! touched, each file is written to a temporary file beside its target and
//! renamed over it (atomic per file), and if a rename fails the targets
//! already replaced get their previous contents back. A run that fails
//! leaves no half-written file and clobbers nothing.
//!
//! What the file system cannot promise: the renames of several files are
//! not one atomic step, so a crash of the machine (not of chargecov) in
//! the middle of a commit can leave some outputs new and some old.
//!
//! Targets are resolved the way a user means them: `-` is standard
//! output; a symbolic link is followed and the file it points to is
//! replaced (the link stays); a special file (a FIFO, `/dev/stdout`, a
//! terminal) is written through, never replaced. Temporary files are
//! registered while they exist, so that a signal handler can remove them
//! ([`crate::scratch::sweep`]).

use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};
use crate::scratch;

/// The directory a file is in (`.` for a bare name) and its name.
fn dir_and_name(path: &Path) -> (&Path, String) {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (dir, name)
}

/// A temporary file beside its target, registered while it exists.
struct Temp {
    file: Option<NamedTempFile>,
    path: PathBuf,
}

impl Temp {
    fn beside(target: &Path) -> io::Result<Temp> {
        let (dir, name) = dir_and_name(target);
        scratch::remove_stale(Some(target));
        let file = scratch::create_file(
            || {
                tempfile::Builder::new()
                    .prefix(&scratch::file_prefix(&name))
                    .suffix(".part")
                    .tempfile_in(dir)
            },
            |f| f.path(),
        )?;
        let path = file.path().to_path_buf();
        Ok(Temp {
            file: Some(file),
            path,
        })
    }

    fn file(&self) -> &NamedTempFile {
        // Taken only by `persist`, which consumes the Temp.
        self.file
            .as_ref()
            .expect("temporary file present until persisted")
    }

    /// Renames the file over `target`.
    fn persist(mut self, target: &Path) -> io::Result<()> {
        let file = self.file.take().expect("persisted once");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Temporary files are private; outputs are ordinary files.
            let _ = file
                .as_file()
                .set_permissions(fs::Permissions::from_mode(0o644));
        }
        match file.persist(target) {
            Ok(_) => Ok(()),
            Err(e) => {
                // Dropping the handed-back file removes it.
                drop(e.file);
                Err(e.error)
            }
        }
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        // A NamedTempFile removes itself when dropped.
        drop(self.file.take());
        scratch::forget(&self.path);
    }
}

/// Where an output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// Standard output.
    Stdout,
    /// A FIFO, a device, a terminal: written through, never replaced.
    Special(PathBuf),
    /// A regular file (existing or not), after following symbolic links.
    File(PathBuf),
}

impl Target {
    fn of(path: &Path) -> io::Result<Target> {
        if is_stdout(path) {
            return Ok(Target::Stdout);
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory; name a file",
            )),
            // Opening the path as given follows its links to the stream.
            Ok(meta) if !meta.is_file() => Ok(Target::Special(path.to_path_buf())),
            Ok(_) => Ok(Target::File(
                fs::canonicalize(path).or_else(|_| follow_links(path))?,
            )),
            Err(_) => Ok(Target::File(follow_links(path)?)),
        }
    }
}

/// Does `path` name standard output: `-`, or a path to the same file or
/// stream (`/dev/stdout`, `/proc/self/fd/1`, the file stdout is
/// redirected to)?
pub fn is_stdout(path: &Path) -> bool {
    if path.as_os_str() == "-" {
        return true;
    }
    match (identity(Path::new("-")), identity(path)) {
        (Some(out @ Identity::Inode(..)), Some(p)) => out == p,
        _ => false,
    }
}

/// `path` with symbolic links followed, to the file they name (which may
/// not exist yet).
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

enum Content {
    Bytes(Vec<u8>),
    /// Already written to a temporary file beside the target.
    Written(Temp),
}

struct Staged {
    /// As the user named it (for messages).
    path: PathBuf,
    target: Target,
    content: Content,
}

/// Outputs rendered but not yet in place.
#[derive(Default)]
pub struct StagedOutputs {
    staged: Vec<Staged>,
}

impl StagedOutputs {
    /// Nothing staged yet.
    pub fn new() -> Self {
        StagedOutputs::default()
    }

    fn write_error(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
        move |error| Error::Write {
            path: path.to_path_buf(),
            error,
        }
    }

    /// Renders one output with `write` into memory; nothing is created
    /// on disk until [`StagedOutputs::commit`].
    pub fn stage(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<()> {
        let fail = Self::write_error(path);
        let target = Target::of(path).map_err(&fail)?;
        let mut bytes = Vec::new();
        write(&mut bytes).map_err(&fail)?;
        self.staged.push(Staged {
            path: path.to_path_buf(),
            target,
            content: Content::Bytes(bytes),
        });
        Ok(())
    }

    /// Renders one output with `write` straight into a temporary file
    /// beside its target: for outputs too large to hold in memory (the
    /// generator's national layers). Standard output and special files
    /// are rendered into memory as by [`StagedOutputs::stage`].
    pub fn stage_streamed(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<()> {
        let fail = Self::write_error(path);
        let target = Target::of(path).map_err(&fail)?;
        let Target::File(real) = &target else {
            return self.stage(path, write);
        };
        let temp = Temp::beside(real).map_err(&fail)?;
        let mut out = BufWriter::new(temp.file().as_file());
        write(&mut out).map_err(&fail)?;
        out.flush().map_err(&fail)?;
        drop(out);
        temp.file().as_file().sync_all().map_err(&fail)?;
        self.staged.push(Staged {
            path: path.to_path_buf(),
            target,
            content: Content::Written(temp),
        });
        Ok(())
    }

    /// Writes one output by path — for formats a library writes to a file
    /// of its own (a GeoPackage is an SQLite database): `write` gets a new
    /// temporary path beside the target. Standard output and special files
    /// cannot take such a file.
    pub fn stage_file(
        &mut self,
        path: &Path,
        write: impl FnOnce(&Path) -> io::Result<()>,
    ) -> Result<()> {
        let fail = Self::write_error(path);
        let target = Target::of(path).map_err(&fail)?;
        let Target::File(real) = &target else {
            return Err(fail(io::Error::new(
                io::ErrorKind::InvalidInput,
                "this format is a file of its own; name a file, not a stream",
            )));
        };
        let temp = Temp::beside(real).map_err(&fail)?;
        write(&temp.path).map_err(&fail)?;
        temp.file().as_file().sync_all().map_err(&fail)?;
        self.staged.push(Staged {
            path: path.to_path_buf(),
            target,
            content: Content::Written(temp),
        });
        Ok(())
    }

    /// Puts every staged output in place, all or nothing (see the module
    /// documentation for what the file system cannot promise).
    pub fn commit(self) -> Result<()> {
        self.commit_with(|temp, real| temp.persist(real))
    }

    /// [`StagedOutputs::commit`], renaming each file with `persist` (a
    /// test makes it fail half-way).
    fn commit_with(self, mut persist: impl FnMut(Temp, &Path) -> io::Result<()>) -> Result<()> {
        // 1. Every file target's directory must take a file, and every
        //    existing target must still be a file; nothing is touched yet.
        let mut files = Vec::new();
        let mut streams = Vec::new();
        for staged in self.staged {
            let path = staged.path.clone();
            let fail = Self::write_error(&path);
            match &staged.target {
                Target::File(real) => {
                    if let Ok(meta) = fs::metadata(real)
                        && meta.is_dir()
                    {
                        return Err(fail(io::Error::new(
                            io::ErrorKind::IsADirectory,
                            "is a directory; name a file",
                        )));
                    }
                    let temp = match staged.content {
                        Content::Written(temp) => temp,
                        Content::Bytes(bytes) => {
                            let temp = Temp::beside(real).map_err(&fail)?;
                            let mut file = temp.file().as_file();
                            file.write_all(&bytes).map_err(&fail)?;
                            file.sync_all().map_err(&fail)?;
                            temp
                        }
                    };
                    files.push((staged.path, real.clone(), temp));
                }
                Target::Stdout | Target::Special(_) => streams.push(staged),
            }
        }
        // 2. The previous contents are kept aside (a hard link, no copy)
        //    until every file is in place. An interrupt waits for this
        //    step to end (scratch::sweep).
        let commit = scratch::commit_guard();
        let mut kept: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
        let mut failure = None;
        for (path, real, temp) in files {
            let previous = match keep_previous(&real) {
                Ok(previous) => previous,
                Err(error) => {
                    failure = Some(Error::Write { path, error });
                    break;
                }
            };
            match persist(temp, &real) {
                Ok(()) => kept.push((real, previous)),
                Err(error) => {
                    if let Some(p) = previous {
                        let _ = fs::remove_file(&p);
                        scratch::forget(&p);
                    }
                    failure = Some(Error::Write { path, error });
                    break;
                }
            }
        }
        if let Some(error) = failure {
            // 3a. Undo: the previous contents back, new files removed.
            for (real, previous) in kept.into_iter().rev() {
                match previous {
                    Some(p) => {
                        let _ = fs::rename(&p, &real);
                        scratch::forget(&p);
                    }
                    None => {
                        let _ = fs::remove_file(&real);
                    }
                }
            }
            return Err(error);
        }
        // 3b. Done: the previous contents go.
        for (_, previous) in kept {
            if let Some(p) = previous {
                let _ = fs::remove_file(&p);
                scratch::forget(&p);
            }
        }
        drop(commit);
        // 4. Streams last: what is written to them cannot be taken back.
        for staged in streams {
            let Content::Bytes(bytes) = &staged.content else {
                continue;
            };
            let fail = Self::write_error(&staged.path);
            match &staged.target {
                Target::Stdout => {
                    let mut stdout = io::stdout().lock();
                    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                        // The reader has stopped reading (`| head`): what
                        // it wanted, it has; end quietly, as grep does.
                        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                        other => other.map_err(fail)?,
                    }
                }
                Target::Special(real) => {
                    let mut file = OpenOptions::new().write(true).open(real).map_err(&fail)?;
                    file.write_all(bytes)
                        .and_then(|()| file.flush())
                        .map_err(fail)?;
                }
                Target::File(_) => {}
            }
        }
        Ok(())
    }
}

/// A hard link to `real`'s current contents beside it (registered as
/// pending), or `None` when there is no file yet.
fn keep_previous(real: &Path) -> io::Result<Option<PathBuf>> {
    if !fs::symlink_metadata(real).is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let (dir, name) = dir_and_name(real);
    for attempt in 0..100u32 {
        let candidate = dir.join(format!("{}{attempt}.old", scratch::file_prefix(&name)));
        // Registered first: a sweep after the link removes it, and one
        // before refuses the link.
        scratch::register_file(&candidate)?;
        match fs::hard_link(real, &candidate) {
            Ok(()) => return Ok(Some(candidate)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                scratch::forget(&candidate);
                continue;
            }
            // A file system without hard links: the rename is still
            // atomic for this file, it just cannot be undone.
            Err(_) => {
                scratch::forget(&candidate);
                return Ok(None);
            }
        }
    }
    Ok(None)
}

/// Two paths that name the same file (or stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clash {
    /// Output `output` would overwrite input `input` (indexes into the
    /// lists given).
    OutputIsInput {
        /// Which output.
        output: usize,
        /// Which input.
        input: usize,
    },
    /// Outputs `first` and `second` name the same file or stream.
    SameOutput {
        /// The earlier output.
        first: usize,
        /// The later one.
        second: usize,
    },
}

/// What a path names: a file or stream by device and inode where it
/// exists, else by its absolute path with links followed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    Inode(u64, u64),
    Path(PathBuf),
}

fn identity(path: &Path) -> Option<Identity> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let named = if path.as_os_str() == "-" {
            // Standard output, whatever it is.
            Path::new("/dev/stdout")
        } else {
            path
        };
        if let Ok(meta) = fs::metadata(named) {
            return Some(Identity::Inode(meta.dev(), meta.ino()));
        }
    }
    if path.as_os_str() == "-" {
        return Some(Identity::Path(PathBuf::from("-")));
    }
    let real = follow_links(path).ok()?;
    let absolute = if real.is_absolute() {
        real
    } else {
        std::env::current_dir().ok()?.join(real)
    };
    let dir = absolute.parent()?;
    let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    Some(Identity::Path(dir.join(absolute.file_name()?)))
}

/// The file that holds an input: the input itself, or for a path inside
/// a file (`stations.zip/2024/stations.geojson`, a member of an archive)
/// the nearest ancestor that is a file.
fn holder(path: &Path) -> PathBuf {
    if fs::symlink_metadata(path).is_ok() {
        return path.to_path_buf();
    }
    path.ancestors()
        .skip(1)
        .find(|a| !a.as_os_str().is_empty() && fs::metadata(a).is_ok())
        .filter(|a| fs::metadata(a).is_ok_and(|m| m.is_file()))
        .map_or_else(|| path.to_path_buf(), Path::to_path_buf)
}

/// Refuses outputs that would overwrite an input (or the archive an input
/// is read from), and two outputs that
/// name the same file or stream (`-` is standard output). Inputs that are
/// standard input (`-`) are not files and clash with nothing.
pub fn check_targets(inputs: &[&Path], outputs: &[&Path]) -> std::result::Result<(), Clash> {
    let inputs: Vec<Option<Identity>> = inputs
        .iter()
        .map(|p| {
            (p.as_os_str() != "-")
                .then(|| identity(&holder(p)))
                .flatten()
        })
        .collect();
    let outputs: Vec<Option<Identity>> = outputs.iter().map(|p| identity(p)).collect();
    for (o, out) in outputs.iter().enumerate() {
        let Some(out) = out else { continue };
        if let Some(input) = inputs.iter().position(|i| i.as_ref() == Some(out)) {
            return Err(Clash::OutputIsInput { output: o, input });
        }
        if let Some(first) = outputs[..o].iter().position(|p| p.as_ref() == Some(out)) {
            return Err(Clash::SameOutput { first, second: o });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn nothing_lands_until_commit_and_failures_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.json");
        let bad = dir.path().join("bad.json");
        fs::write(&bad, "previous").unwrap();
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
        assert_eq!(fs::read_to_string(&bad).unwrap(), "previous");
        assert_eq!(files_in(dir.path()), ["bad.json"]);
    }

    #[test]
    fn commit_puts_files_in_place_and_streamed_ones_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let big = dir.path().join("big.txt");
        let mut outputs = StagedOutputs::new();
        outputs.stage(&path, |w| w.write_all(b"done")).unwrap();
        outputs
            .stage_streamed(&big, |w| w.write_all(b"streamed"))
            .unwrap();
        // The streamed one waits in a registered temporary file.
        assert_eq!(files_in(dir.path()).len(), 1);
        outputs.commit().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "done");
        assert_eq!(fs::read_to_string(&big).unwrap(), "streamed");
        assert_eq!(files_in(dir.path()), ["big.txt", "out.txt"]);
        assert!(
            scratch::registered()
                .iter()
                .all(|p| !p.starts_with(dir.path()))
        );
    }

    #[test]
    fn a_failed_commit_restores_what_it_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.json");
        fs::write(&first, "old first").unwrap();
        let second = dir.path().join("second.json");
        let mut outputs = StagedOutputs::new();
        outputs
            .stage(&first, |w| w.write_all(b"new first"))
            .unwrap();
        outputs
            .stage(&second, |w| w.write_all(b"new second"))
            .unwrap();
        // The second target turns into a directory before the commit.
        fs::create_dir(&second).unwrap();
        let err = outputs.commit().unwrap_err().to_string();
        assert!(
            err.contains("second.json") && err.contains("directory"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&first).unwrap(), "old first");
        assert_eq!(files_in(dir.path()), ["first.json", "second.json"]);
    }

    #[test]
    fn a_rename_failing_midway_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.json");
        let fresh = dir.path().join("fresh.json");
        let third = dir.path().join("third.json");
        fs::write(&first, "old first").unwrap();
        fs::write(&third, "old third").unwrap();
        let mut outputs = StagedOutputs::new();
        outputs
            .stage(&first, |w| w.write_all(b"new first"))
            .unwrap();
        outputs
            .stage(&fresh, |w| w.write_all(b"new fresh"))
            .unwrap();
        outputs
            .stage(&third, |w| w.write_all(b"new third"))
            .unwrap();
        // The third rename fails, after two files are already in place.
        let mut renames = 0;
        let err = outputs
            .commit_with(|temp, real| {
                renames += 1;
                if renames == 3 {
                    return Err(io::Error::other("injected failure"));
                }
                temp.persist(real)
            })
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("third.json") && err.contains("injected"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&first).unwrap(), "old first");
        assert!(!fresh.exists());
        assert_eq!(fs::read_to_string(&third).unwrap(), "old third");
        assert_eq!(files_in(dir.path()), ["first.json", "third.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        let mut outputs = StagedOutputs::new();
        outputs.stage(&link, |w| w.write_all(b"new")).unwrap();
        outputs.commit().unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn clashes_are_found_by_file_not_by_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("areas.geojson");
        fs::write(&input, "{}").unwrap();
        let same_input = dir.path().join(".").join("areas.geojson");
        let a = dir.path().join("a.json");
        let a_again = dir.path().join("sub").join("..").join("a.json");
        fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(
            check_targets(&[&input], &[&a, &same_input]),
            Err(Clash::OutputIsInput {
                output: 1,
                input: 0
            })
        );
        assert_eq!(
            check_targets(&[&input], &[&a, &a_again]),
            Err(Clash::SameOutput {
                first: 0,
                second: 1
            })
        );
        let dash = Path::new("-");
        assert_eq!(
            check_targets(&[dash], &[dash, dash]),
            Err(Clash::SameOutput {
                first: 0,
                second: 1
            })
        );
        assert_eq!(check_targets(&[dash, &input], &[&a, dash]), Ok(()));
    }
}
