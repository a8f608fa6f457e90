//! What can go wrong recording or regenerating a layer's tar
//! ([`super::layers::tarsplit`]); beside it, as `registry_error.rs` is
//! beside `registry/`, so [`super::ImageError`] can carry it without
//! depending on the layer store.

use std::io;
use std::path::PathBuf;

use crate::scoped::ScopedError;

/// The class of a [`TarSplitError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Reading or writing the tar-split file itself failed.
    Io,
    /// The tar-split file does not parse.
    Corrupt,
    /// The layer's files no longer give its tar: changed, gone or shorter.
    Changed,
}

#[derive(Debug, thiserror::Error)]
pub enum TarSplitError {
    #[error("{what} the tar-split {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("the tar-split {} is corrupt: {why}", path.display())]
    Corrupt { path: PathBuf, why: String },
    #[error("the layer's file cannot be read: {0}")]
    Content(#[source] ScopedError),
    #[error("the layer's file /{} ends {missing} bytes early", path.display())]
    Short { path: PathBuf, missing: u64 },
    #[error("the layer's files regenerate to {actual}, not its diff ID {expected}: they changed on disk")]
    Changed { expected: String, actual: String },
}

impl TarSplitError {
    pub fn kind(&self) -> Kind {
        match self {
            Self::Io { .. } => Kind::Io,
            Self::Corrupt { .. } => Kind::Corrupt,
            Self::Content(_) | Self::Short { .. } | Self::Changed { .. } => Kind::Changed,
        }
    }

    /// The tar-split error an I/O error of a rebuilt layer tar carries.
    pub fn within(e: &io::Error) -> Option<&TarSplitError> {
        e.get_ref()?.downcast_ref::<TarSplitError>()
    }

    /// Moves `e` out of an I/O error that carries one; the I/O error back
    /// otherwise.
    pub fn take(e: io::Error) -> Result<TarSplitError, io::Error> {
        if Self::within(&e).is_none() {
            return Err(e);
        }
        match e
            .into_inner()
            .map(|inner| inner.downcast::<TarSplitError>())
        {
            Some(Ok(split)) => Ok(*split),
            Some(Err(other)) => Err(io::Error::other(other)),
            None => Err(io::Error::other("lost error")),
        }
    }
}

impl From<TarSplitError> for io::Error {
    fn from(e: TarSplitError) -> io::Error {
        io::Error::other(e)
    }
}
