//! Crash-safe file writes for every store of the daemon (containers,
//! images, volumes): write a temporary file beside the target, fsync it,
//! rename it into place, fsync the directory. Temporary names start with
//! [`TEMP_PREFIX`] so a store can sweep what a crash left behind when it
//! opens.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Every temporary file or directory the stores create starts with this.
pub const TEMP_PREFIX: &str = ".tmp-";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh temporary path inside `dir` (nothing is created).
pub fn temp_path(dir: &Path, hint: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    dir.join(format!(
        "{TEMP_PREFIX}{hint}-{}-{n}-{nanos}",
        std::process::id()
    ))
}

/// Flushes a directory's entries (a rename or an unlink in it) to disk.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// How much of a replacement [`write_file_with`] makes durable before it
/// returns. Every level is atomic against a crash of the daemon (readers
/// see the old content or the new one); they differ on a crash of the
/// machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// The contents and the rename are on disk: after a power loss the
    /// file has the new content.
    Full,
    /// The contents are on disk before the rename, the rename may be
    /// lost: after a power loss the file has the old content or the new
    /// one, never an empty or torn one. For state whose old value is as
    /// good after a reboot (what ran then is gone either way).
    Contents,
    /// Nothing is synced: after a power loss the file may be empty. For
    /// files made again before each use (a run's `/etc/hosts`).
    Volatile,
}

/// Replaces `path` with `bytes` atomically: readers see the old content or
/// the new one, never a mix, even across a crash.
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_file_with(path, bytes, Durability::Full)
}

/// [`write_file`] with the `durability` the caller needs.
pub fn write_file_with(path: &Path, bytes: &[u8], durability: Durability) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other(format!("{} has no parent", path.display())))?;
    let temp = temp_path(dir, "write");
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        if durability != Durability::Volatile {
            file.sync_all()?;
        }
        drop(file);
        fs::rename(&temp, path)?;
        match durability {
            Durability::Full => sync_dir(dir),
            Durability::Contents | Durability::Volatile => Ok(()),
        }
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// [`write_file`] of a value as pretty JSON.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> io::Result<()> {
    write_json_with(path, value, Durability::Full)
}

/// [`write_json`] with the `durability` the caller needs.
pub fn write_json_with<T: serde::Serialize>(
    path: &Path,
    value: &T,
    durability: Durability,
) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    write_file_with(path, &bytes, durability)
}

/// Removes the temporary files and directories a crash left in `dir`.
pub fn sweep_temps(dir: &Path) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            remove_any(&entry.path())?;
        }
    }
    Ok(())
}

/// Removes a file or a whole directory tree; a missing path is fine.
pub fn remove_any(path: &Path) -> io::Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let result = if meta.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    match result {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        write_file(&path, b"one").unwrap();
        write_file(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("f.json")]);
    }

    #[test]
    fn sweep_removes_only_temps() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(temp_path(dir.path(), "d")).unwrap();
        fs::write(temp_path(dir.path(), "f"), b"x").unwrap();
        fs::write(dir.path().join("keep"), b"x").unwrap();
        sweep_temps(dir.path()).unwrap();
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("keep")]);
    }
}
