//! What can go wrong in a build, each with its kind. A failure at an
//! instruction names the Dockerfile line it is on.

use std::io;

use super::commit::CommitError;
use super::dockerfile::expand::ExpandError;
use super::dockerfile::ParseError;
use crate::containers::ContainerError;
use crate::images::ImageError;
use crate::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// An instruction that cannot be carried out as written.
    #[error("Dockerfile line {line}: {why}")]
    Step { line: usize, why: String },
    /// dockerd's words for a RUN that failed.
    #[error("The command '{command}' returned a non-zero code: {code}")]
    RunFailed { command: String, code: i64 },
    /// The context or the request is unusable.
    #[error("{0}")]
    Request(String),
    /// What engined cannot do (a remote context: no network).
    #[error("{0}")]
    Unsupported(String),
    #[error(transparent)]
    Container(#[from] ContainerError),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Commit(#[from] CommitError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    #[error("the client went away; the build was stopped")]
    Cancelled,
}

impl BuildError {
    /// The class of this failure (dockerd's errdefs class).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Parse(_) | Self::Step { .. } | Self::Request(_) => ErrorKind::InvalidParameter,
            Self::Unsupported(_) => ErrorKind::NotImplemented,
            Self::RunFailed { .. } | Self::Io { .. } | Self::Cancelled => ErrorKind::Server,
            Self::Container(e) => e.kind(),
            Self::Image(e) => e.kind(),
            Self::Commit(e) => e.kind(),
        }
    }

    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> BuildError {
        let context = context.into();
        move |source| BuildError::Io { context, source }
    }

    /// An error at the instruction on `line`.
    pub(crate) fn step(line: usize, why: impl Into<String>) -> BuildError {
        BuildError::Step {
            line,
            why: why.into(),
        }
    }

    pub(crate) fn expand(line: usize) -> impl FnOnce(ExpandError) -> BuildError {
        move |e| BuildError::step(line, e.to_string())
    }
}
