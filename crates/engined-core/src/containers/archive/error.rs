//! What can go wrong copying files in or out of a container, each with the
//! HTTP status and (through `Display`) the message Docker answers with.

use std::io;

use crate::containers::ContainerError;

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
    /// The HTTP status Docker answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Container(e) => e.status(),
            Self::PathNotFound { .. } => 404,
            Self::NotADirectory(_)
            | Self::DirWithNonDir(_)
            | Self::NonDirWithDir(_)
            | Self::TooManyLinks(_)
            | Self::BadArchive(_) => 400,
            Self::ReadOnly | Self::ReadOnlyMount(_) => 403,
            Self::Io { .. } => 500,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

impl From<ArchiveError> for engine_api::rt::error::ApiError {
    fn from(e: ArchiveError) -> Self {
        Self {
            status: e.status(),
            message: e.to_string(),
        }
    }
}

pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;
