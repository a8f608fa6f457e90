//! What can go wrong with volumes, each with its kind (which the daemon
//! turns into dockerd's status) and Docker's message.

use std::io;
use std::path::PathBuf;

use crate::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum VolumeError {
    #[error("get {0}: no such volume")]
    NotFound(String),
    #[error("create {0}: volume name is too short, names should be at least two alphanumeric characters")]
    NameTooShort(String),
    #[error("create {0}: \"{0}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")]
    InvalidName(String),
    #[error(
        "create {name}: error looking up volume plugin {driver}: plugin \"{driver}\" not found"
    )]
    UnknownDriver { name: String, driver: String },
    #[error("create {name}: options are not supported by engined's local driver: {options}")]
    Options { name: String, options: String },
    #[error("remove {name}: volume is in use - [{container}]")]
    InUse { name: String, container: String },
    #[error(transparent)]
    Filter(#[from] crate::filters::FilterError),
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl VolumeError {
    /// The class of this failure (dockerd's errdefs class).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound(_) | Self::UnknownDriver { .. } => ErrorKind::NotFound,
            Self::NameTooShort(_) | Self::InvalidName(_) | Self::Options { .. } => {
                ErrorKind::InvalidParameter
            }
            Self::InUse { .. } => ErrorKind::Conflict,
            Self::Filter(e) => e.kind(),
            Self::Io { .. } => ErrorKind::Server,
        }
    }

    pub(crate) fn io(
        what: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> VolumeError {
        let path = path.into();
        move |source| VolumeError::Io { what, path, source }
    }
}
