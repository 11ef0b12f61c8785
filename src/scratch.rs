//! Temporary files and folders of a run — outputs being staged beside
//! their targets, archives extracted for reading — and their removal on
//! every way a run can end.
//!
//! Each temporary path is created *under* the registry's lock and
//! registered in the same step, so a sweep (a signal handler's, just
//! before the process ends) sees every path that exists: none can be
//! created between the sweep and the exit, because the sweep closes the
//! registry first and a closed registry refuses to create anything.
//! Putting outputs in place holds [`commit_guard`]; a sweep waits for it,
//! so an interrupted run never stops half-way through replacing files.
//!
//! What no handler can catch (an abort on memory, a stack overflow, a
//! kill -9) is cleaned up by the next run: temporary names carry the
//! process id, and [`remove_stale`] removes those of processes that no
//! longer exist.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The prefix of every temporary folder, followed by the process id.
pub const DIR_PREFIX: &str = "chargecov-";

#[derive(Default)]
struct Registry {
    paths: Vec<(PathBuf, Kind)>,
    /// Set by [`sweep`]: nothing more is created.
    closed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    File,
    Dir,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    paths: Vec::new(),
    closed: false,
});

/// Held while outputs are put in place.
static COMMIT: Mutex<()> = Mutex::new(());

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn closed_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::Interrupted,
        "the run is being interrupted; nothing more is written",
    )
}

fn create<T>(
    kind: Kind,
    make: impl FnOnce() -> io::Result<T>,
    path_of: impl Fn(&T) -> &Path,
) -> io::Result<T> {
    let mut registry = registry();
    if registry.closed {
        return Err(closed_error());
    }
    let made = make()?;
    registry.paths.push((path_of(&made).to_path_buf(), kind));
    Ok(made)
}

/// Creates a temporary file with `make` and registers it in one step;
/// [`forget`] it once it is removed or renamed into place.
pub fn create_file<T>(
    make: impl FnOnce() -> io::Result<T>,
    path_of: impl Fn(&T) -> &Path,
) -> io::Result<T> {
    create(Kind::File, make, path_of)
}

/// Registers a path about to be made by a step that cannot be split
/// (a hard link): refused once the run is being interrupted.
pub fn register_file(path: &Path) -> io::Result<()> {
    let mut registry = registry();
    if registry.closed {
        return Err(closed_error());
    }
    registry.paths.push((path.to_path_buf(), Kind::File));
    Ok(())
}

/// A new temporary folder in the system's temporary directory, named
/// `chargecov-<pid>-…`, registered until it is dropped.
pub fn temp_dir() -> io::Result<TempDir> {
    remove_stale_once();
    let prefix = format!("{DIR_PREFIX}{}-", std::process::id());
    let inner = create(
        Kind::Dir,
        || tempfile::Builder::new().prefix(&prefix).tempdir(),
        |d| d.path(),
    )?;
    Ok(TempDir { inner: Some(inner) })
}

/// A registered temporary folder, removed with its contents on drop.
#[derive(Debug)]
pub struct TempDir {
    inner: Option<tempfile::TempDir>,
}

impl TempDir {
    /// Where it is.
    pub fn path(&self) -> &Path {
        // Taken only by `drop`.
        self.inner.as_ref().expect("present until dropped").path()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(dir) = self.inner.take() {
            let path = dir.path().to_path_buf();
            drop(dir);
            forget(&path);
        }
    }
}

/// Takes a path off the registry (it was removed, or is an output now).
pub fn forget(path: &Path) {
    registry().paths.retain(|(p, _)| p != path);
}

/// The paths registered now.
#[cfg(test)]
pub(crate) fn registered() -> Vec<PathBuf> {
    registry().paths.iter().map(|(p, _)| p.clone()).collect()
}

/// The guard held while outputs are put in place; [`sweep`] waits for it.
pub fn commit_guard() -> MutexGuard<'static, ()> {
    COMMIT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Ends the run's temporary life: waits for a commit in progress, closes
/// the registry (nothing more is created) and removes every registered
/// file and folder. For a signal handler just before the process exits,
/// and for the binary's last step.
pub fn sweep() {
    let _commit = commit_guard();
    let paths = {
        let mut registry = registry();
        registry.closed = true;
        std::mem::take(&mut registry.paths)
    };
    for (path, kind) in paths {
        remove(&path, kind);
    }
}

fn remove(path: &Path, kind: Kind) {
    match kind {
        Kind::File => {
            let _ = fs::remove_file(path);
        }
        Kind::Dir => {
            // A thread may still be writing into it: a file made between
            // the listing and the removal of the folder leaves it
            // non-empty, so try a few times.
            for _ in 0..10 {
                match fs::remove_dir_all(path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => continue,
                    _ => break,
                }
            }
        }
    }
}

/// The process id in a temporary name made by [`temp_dir`] or
/// [`file_prefix`]: the digits after `prefix` up to the next `-` or `.`.
fn pid_in(name: &str, prefix: &str) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?;
    let end = rest.find(['-', '.'])?;
    rest[..end].parse().ok()
}

/// Is process `pid` gone? Only where the system says so plainly (Linux's
/// `/proc`); elsewhere nothing is taken for gone.
fn is_gone(pid: u32) -> bool {
    pid != std::process::id()
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{pid}")).exists()
}

/// The prefix of a temporary file staged beside `name`: `.NAME.<pid>.`.
pub fn file_prefix(name: &str) -> String {
    format!(".{name}.{}.", std::process::id())
}

/// Removes what runs that ended without cleaning up left behind: folders
/// `chargecov-<pid>-…` in the temporary directory and, when `beside` is a
/// file's path, its staged `.NAME.<pid>.….part` / `.old` files, where
/// `<pid>` is a process that no longer exists.
pub fn remove_stale(beside: Option<&Path>) {
    let mut places = vec![(std::env::temp_dir(), DIR_PREFIX.to_owned(), Kind::Dir)];
    if let Some(target) = beside
        && let Some(name) = target.file_name().and_then(|n| n.to_str())
    {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        places = vec![(dir, format!(".{name}."), Kind::File)];
    }
    for (dir, prefix, kind) in places {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let ours = match kind {
                Kind::Dir => true,
                Kind::File => name.ends_with(".part") || name.ends_with(".old"),
            };
            if ours && pid_in(name, &prefix).is_some_and(is_gone) {
                remove(&entry.path(), kind);
            }
        }
    }
}

fn remove_stale_once() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| remove_stale(None));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_ids_are_read_from_both_kinds_of_name() {
        assert_eq!(pid_in("chargecov-4242-abc123", DIR_PREFIX), Some(4242));
        assert_eq!(pid_in(".gaps.json.77.XyZ.part", ".gaps.json."), Some(77));
        // Names of other programs, or older names without a pid.
        assert_eq!(pid_in("chargecov-abc", DIR_PREFIX), None);
        assert_eq!(pid_in(".gaps.json.XyZ.part", ".gaps.json."), None);
        assert_eq!(pid_in("other-1-x", DIR_PREFIX), None);
    }

    #[test]
    fn leftovers_of_dead_processes_go_and_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        // A pid that cannot exist (above Linux's pid_max of 2^22) and our own.
        let dead = dir.path().join(".out.json.99999999.abc.part");
        let alive = dir
            .path()
            .join(format!(".out.json.{}.abc.part", std::process::id()));
        let unrelated = dir.path().join(".out.json.99999999.abc.txt");
        for p in [&dead, &alive, &unrelated] {
            fs::write(p, "x").unwrap();
        }
        remove_stale(Some(&target));
        assert_eq!(dead.exists(), !Path::new("/proc/self").exists());
        assert!(alive.exists());
        assert!(unrelated.exists());
    }

    #[test]
    fn a_registered_folder_goes_when_dropped() {
        let dir = temp_dir().unwrap();
        let path = dir.path().to_path_buf();
        assert!(path.is_dir());
        assert!(registry().paths.iter().any(|(p, _)| *p == path));
        drop(dir);
        assert!(!path.exists());
        assert!(!registry().paths.iter().any(|(p, _)| *p == path));
    }
}
