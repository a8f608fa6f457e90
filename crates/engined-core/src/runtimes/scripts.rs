//! The script store: `<data-root>/runtimes/`, where wrapper scripts live.
//!
//! Rules (see DESIGN.md, "The daemon"):
//! - a script is written once, atomically (temp file in the same directory,
//!   fsync, chmod 0700, rename, fsync of the directory) and never rewritten:
//!   a script that exists already has the right bytes, since its name is
//!   their digest;
//! - while the daemon runs nothing here is deleted, so a path that any
//!   snapshot ever handed out keeps working;
//! - at start, before anything else, [`ScriptDir::cleanup_stale`] empties the
//!   directory of what a previous run left, except the paths it is told to
//!   keep (the scripts still-running containers use).
//!
//! Temp files are named `.tmp-...`: they start with a `.`, which no runtime
//! name can, so they never collide with a script.

use std::collections::HashSet;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::RuntimeError;
use super::wrapper::WrapperScript;

/// The store's directory name under the data root.
pub const RUNTIMES_DIR: &str = "runtimes";

/// The permissions of a script and of the store directory.
const PRIVATE_MODE: u32 = 0o700;
/// The permissions of a data root this module has to create.
const DATA_ROOT_MODE: u32 = 0o711;

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The script store of one data root.
#[derive(Debug, Clone)]
pub struct ScriptDir {
    dir: PathBuf,
}

/// What [`ScriptDir::install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The script's path.
    pub path: PathBuf,
    /// False when the script existed already and was left alone.
    pub written: bool,
}

/// What [`ScriptDir::cleanup_stale`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanupReport {
    /// Entries removed, sorted.
    pub removed: Vec<PathBuf>,
    /// Entries kept because they were in the keep set, sorted.
    pub kept: Vec<PathBuf>,
}

impl ScriptDir {
    /// The store of `data_root`: `<data_root>/runtimes`.
    pub fn new(data_root: &Path) -> Self {
        Self {
            dir: data_root.join(RUNTIMES_DIR),
        }
    }

    /// The store's directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Creates the directory (mode 0700) and any missing parent (0711).
    pub fn ensure(&self) -> Result<(), RuntimeError> {
        if let Some(parent) = self.dir.parent() {
            DirBuilder::new()
                .recursive(true)
                .mode(DATA_ROOT_MODE)
                .create(parent)
                .map_err(|source| io_error("creating data root", parent, source))?;
        }
        match DirBuilder::new().mode(PRIVATE_MODE).create(&self.dir) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                let meta = fs::symlink_metadata(&self.dir)
                    .map_err(|source| io_error("inspecting", &self.dir, source))?;
                if !meta.is_dir() {
                    return Err(io_error(
                        "using runtime script directory",
                        &self.dir,
                        io::Error::new(
                            io::ErrorKind::AlreadyExists,
                            "exists and is not a directory",
                        ),
                    ));
                }
                if meta.permissions().mode() & 0o7777 != PRIVATE_MODE {
                    fs::set_permissions(&self.dir, fs::Permissions::from_mode(PRIVATE_MODE))
                        .map_err(|source| io_error("setting permissions of", &self.dir, source))?;
                }
            }
            Err(source) => {
                return Err(io_error(
                    "creating runtime script directory",
                    &self.dir,
                    source,
                ))
            }
        }
        Ok(())
    }

    /// Writes `script` for `runtime` unless it exists already.
    ///
    /// The directory must exist ([`Self::ensure`]).
    pub fn install(
        &self,
        runtime: &str,
        script: &WrapperScript,
    ) -> Result<Installed, RuntimeError> {
        let path = self.dir.join(script.file_name(runtime));
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => {
                return Ok(Installed {
                    path,
                    written: false,
                });
            }
            Ok(_) => {
                return Err(RuntimeError::ScriptNotAFile {
                    name: runtime.to_owned(),
                    path,
                });
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(io_error("inspecting runtime script", &path, source)),
        }

        let temp = self.dir.join(format!(
            ".tmp-{}.{}.{}",
            script.file_name(runtime),
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        if let Err(err) = self.write_new(&temp, &path, script.bytes()) {
            // Best effort: the next start removes leftovers anyway.
            let _ = fs::remove_file(&temp);
            return Err(err);
        }
        tracing::debug!(runtime, path = %path.display(), "wrote runtime wrapper script");
        Ok(Installed {
            path,
            written: true,
        })
    }

    fn write_new(&self, temp: &Path, path: &Path, bytes: &[u8]) -> Result<(), RuntimeError> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(PRIVATE_MODE)
            .open(temp)
            .map_err(|source| io_error("creating", temp, source))?;
        file.write_all(bytes)
            .map_err(|source| io_error("writing", temp, source))?;
        // The umask may have cleared bits of the creation mode.
        file.set_permissions(fs::Permissions::from_mode(PRIVATE_MODE))
            .map_err(|source| io_error("setting permissions of", temp, source))?;
        file.sync_all()
            .map_err(|source| io_error("syncing", temp, source))?;
        drop(file);
        fs::rename(temp, path).map_err(|source| io_error("renaming into place", path, source))?;
        self.sync_dir()
    }

    fn sync_dir(&self) -> Result<(), RuntimeError> {
        File::open(&self.dir)
            .and_then(|dir| dir.sync_all())
            .map_err(|source| io_error("syncing directory", &self.dir, source))
    }

    /// Removes every entry of the directory (scripts, temp files, anything
    /// else) whose path is not in `keep`, then syncs the directory.
    ///
    /// `keep` holds full paths as [`super::ResolvedRuntime::binary`] gives them
    /// (this directory joined with a file name). Run only at start, before
    /// the first snapshot is built: while the daemon runs, scripts are never
    /// deleted. The directory must exist ([`Self::ensure`]).
    pub fn cleanup_stale(&self, keep: &HashSet<PathBuf>) -> Result<CleanupReport, RuntimeError> {
        let mut report = CleanupReport::default();
        let entries =
            fs::read_dir(&self.dir).map_err(|source| io_error("listing", &self.dir, source))?;
        for entry in entries {
            let entry = entry.map_err(|source| io_error("listing", &self.dir, source))?;
            let path = self.dir.join(entry.file_name());
            if keep.contains(&path) {
                report.kept.push(path);
                continue;
            }
            let is_dir = entry
                .file_type()
                .map_err(|source| io_error("inspecting", &path, source))?
                .is_dir();
            let removed = if is_dir {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.map_err(|source| io_error("removing stale runtime script", &path, source))?;
            report.removed.push(path);
        }
        report.removed.sort();
        report.kept.sort();
        if !report.removed.is_empty() {
            self.sync_dir()?;
        }
        Ok(report)
    }
}

fn io_error(action: &'static str, path: &Path, source: io::Error) -> RuntimeError {
    RuntimeError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}
