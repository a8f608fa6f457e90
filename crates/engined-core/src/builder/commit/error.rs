//! What can go wrong committing a container, with the kind of each
//! failure taken from the service that failed.

use std::io;

use crate::containers::archive::ArchiveError;
use crate::containers::ContainerError;
use crate::images::ImageError;
use crate::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error(transparent)]
    Container(#[from] ContainerError),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl CommitError {
    /// The class of this failure (dockerd's errdefs class).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Container(e) => e.kind(),
            Self::Image(e) => e.kind(),
            Self::Archive(e) => e.kind(),
            Self::Io { .. } => ErrorKind::Server,
        }
    }

    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> CommitError {
        let context = context.into();
        move |source| CommitError::Io { context, source }
    }
}
