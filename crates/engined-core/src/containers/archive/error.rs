//! What can go wrong copying files in or out of a container, each with its
//! kind (which the daemon turns into dockerd's status) and, through
//! `Display`, the message Docker answers with.

use std::io;

use crate::containers::ContainerError;
use crate::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{0}")]
    Container(#[from] ContainerError),
    #[error("Could not find the file {path} in container {container}")]
    PathNotFound { path: String, container: String },
    #[error("extraction point is not a directory: {0}")]
    NotADirectory(String),
    #[error("cannot overwrite directory \"{0}\" with non-directory")]
    DirWithNonDir(String),
    #[error("cannot overwrite non-directory \"{0}\" with directory")]
    NonDirWithDir(String),
    #[error("too many levels of symbolic links resolving {0}")]
    TooManyLinks(String),
    #[error("invalid archive: {0}")]
    BadArchive(String),
    #[error("container rootfs is marked read-only")]
    ReadOnly,
    #[error("mounted volume is marked read-only: {0}")]
    ReadOnlyMount(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl ArchiveError {
    /// The class of this failure (dockerd's errdefs class).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Container(e) => e.kind(),
            Self::PathNotFound { .. } => ErrorKind::NotFound,
            Self::NotADirectory(_)
            | Self::DirWithNonDir(_)
            | Self::NonDirWithDir(_)
            | Self::TooManyLinks(_)
            | Self::BadArchive(_) => ErrorKind::InvalidParameter,
            Self::ReadOnly | Self::ReadOnlyMount(_) => ErrorKind::Forbidden,
            Self::Io { .. } => ErrorKind::Server,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;
