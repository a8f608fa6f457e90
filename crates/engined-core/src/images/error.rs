//! What can go wrong in the image store, each with its kind (which the
//! daemon turns into dockerd's status) and Docker's message.

use std::io;
use std::path::PathBuf;

use crate::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("No such image: {0}")]
    NotFound(String),
    #[error("invalid reference format: {why}: {reference}")]
    InvalidReference { reference: String, why: String },
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("reading the image data: {0}")]
    Body(#[source] io::Error),
    #[error("invalid tar archive: {0}")]
    BadTar(String),
    #[error("invalid image archive: {0}")]
    BadArchive(String),
    #[error("{0}")]
    BadChange(String),
    #[error("corrupt image config {id}: {why}")]
    BadConfig { id: String, why: String },
    /// A 409 with Docker's message (`conflict: unable to delete ...`).
    #[error("{0}")]
    Conflict(String),
    /// A layer's tar could not be rebuilt from its files.
    #[error("layer tar: {0}")]
    Layer(#[from] super::tarsplit_error::TarSplitError),
    /// A pull failed on the registry's side (or on the way).
    #[error(transparent)]
    Registry(#[from] super::registry_error::RegistryError),
}

impl ImageError {
    /// The class of this failure (dockerd's errdefs class).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::InvalidReference { .. }
            | Self::BadTar(_)
            | Self::BadArchive(_)
            | Self::BadChange(_)
            | Self::Body(_) => ErrorKind::InvalidParameter,
            Self::Conflict(_) => ErrorKind::Conflict,
            Self::Io { .. } | Self::BadConfig { .. } | Self::Layer(_) => ErrorKind::Server,
            Self::Registry(e) => e.error_kind(),
        }
    }

    /// A failed read of a layer's tar: the tar-split error it carries, if
    /// it was rebuilt, else [`ImageError::Body`].
    pub(crate) fn layer_read(e: io::Error) -> ImageError {
        match super::tarsplit_error::TarSplitError::take(e) {
            Ok(split) => ImageError::Layer(split),
            Err(e) => ImageError::Body(e),
        }
    }

    pub(crate) fn io(
        what: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> ImageError {
        let path = path.into();
        move |source| ImageError::Io { what, path, source }
    }
}
