//! What can go wrong reading a cgroup: the cgroup is not there (the
//! container is not running, or its runtime already removed it), a file
//! cannot be read, or a file says something we cannot parse.

use std::io;
use std::path::PathBuf;

/// The class of a [`CgroupError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The cgroup directory does not exist.
    Missing,
    /// A file exists but could not be read.
    Io,
    /// A file's content is not what the kernel writes there.
    Parse,
}

/// A failure reading one cgroup file, with the file's path.
#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    #[error("{}: no such cgroup", path.display())]
    Missing { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: {what}", path.display())]
    Parse { path: PathBuf, what: String },
}

impl CgroupError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Missing { .. } => ErrorKind::Missing,
            Self::Io { .. } => ErrorKind::Io,
            Self::Parse { .. } => ErrorKind::Parse,
        }
    }

    pub(super) fn parse(path: &std::path::Path, what: impl Into<String>) -> Self {
        Self::Parse {
            path: path.to_path_buf(),
            what: what.into(),
        }
    }
}
