//! What a scoped operation reports: which operation, on which path (as
//! seen from inside the root) and the system's error.

use std::io;
use std::path::{Path, PathBuf};

/// A failed operation inside a root.
#[derive(Debug, thiserror::Error)]
#[error("{op} {}: {source}", shown(path))]
pub struct ScopedError {
    /// What was being done (`opening`, `removing`...).
    pub op: &'static str,
    /// The path relative to the root.
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// A root-relative path as the container sees it (`/etc/passwd`).
fn shown(path: &Path) -> String {
    Path::new("/").join(path).display().to_string()
}

impl ScopedError {
    pub(crate) fn new(op: &'static str, path: &Path, source: impl Into<io::Error>) -> Self {
        Self {
            op,
            path: path.to_path_buf(),
            source: source.into(),
        }
    }

    /// The kind of the system's error.
    pub fn kind(&self) -> io::ErrorKind {
        self.source.kind()
    }

    /// The path (or a directory on its way) does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self.errno(), Some(libc::ENOENT | libc::ENOTDIR))
    }

    /// Too many symlinks (a loop) on the way.
    pub fn is_loop(&self) -> bool {
        self.errno() == Some(libc::ELOOP)
    }

    /// The system's error number, when there is one.
    pub fn errno(&self) -> Option<i32> {
        self.source.raw_os_error()
    }
}

impl From<ScopedError> for io::Error {
    fn from(e: ScopedError) -> Self {
        io::Error::new(e.source.kind(), e)
    }
}

pub type Result<T, E = ScopedError> = std::result::Result<T, E>;
