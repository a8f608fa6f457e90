//! What can go wrong with a container operation, each with its kind (which
//! the daemon turns into dockerd's status) and, through `Display`, the
//! message Docker answers with.

use std::io;

use crate::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    #[error("No such container: {0}")]
    NotFound(String),
    #[error("No such exec instance: {0}")]
    ExecNotFound(String),
    #[error("No such image: {0}")]
    ImageNotFound(String),
    #[error("network {0} not found")]
    NotFoundNetwork(String),
    #[error("Conflict. The container name \"/{name}\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name.")]
    NameConflict { name: String, id: String },
    #[error("{0}")]
    InvalidName(String),
    #[error("{0}")]
    InvalidArgument(String),
    #[error("No command specified")]
    NoCommand,
    #[error("{0}")]
    Runtime(String),
    #[error("You cannot remove a running container {0}. Stop the container before attempting removal or force remove")]
    RemoveRunning(String),
    #[error("You cannot remove a paused container {0}. Unpause and then stop the container before attempting removal or force remove")]
    RemovePaused(String),
    #[error("Container {0} is not running")]
    NotRunning(String),
    #[error("Container {0} is paused, unpause the container before stopping or killing")]
    Paused(String),
    #[error("Container {0} is not paused")]
    NotPaused(String),
    #[error("Container {0} is restarting, wait until the container is running")]
    Restarting(String),
    /// The runtime refused to start the process (exit codes 126/127 and
    /// the message Docker's CLI turns into them).
    #[error("failed to create task for container: OCI runtime create failed: {0}: unknown")]
    StartFailed(String),
    #[error("{0}")]
    Supervisor(String),
    /// An event the status machine does not allow from the current status
    /// (a verb that should have been refused earlier, or a stale exit).
    #[error("container {id}: no {event} while {from}")]
    IllegalTransition {
        id: String,
        from: &'static str,
        event: &'static str,
    },
    /// A failure of the network service (connect, endpoints, namespaces).
    #[error(transparent)]
    Network(#[from] crate::networks::NetworkError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl ContainerError {
    /// The class of this failure (dockerd's errdefs class).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound(_)
            | Self::ExecNotFound(_)
            | Self::ImageNotFound(_)
            | Self::NotFoundNetwork(_) => ErrorKind::NotFound,
            Self::NameConflict { .. }
            | Self::RemoveRunning(_)
            | Self::RemovePaused(_)
            | Self::NotRunning(_)
            | Self::Paused(_)
            | Self::NotPaused(_)
            | Self::Restarting(_)
            | Self::IllegalTransition { .. } => ErrorKind::Conflict,
            Self::InvalidName(_)
            | Self::InvalidArgument(_)
            | Self::NoCommand
            | Self::Runtime(_) => ErrorKind::InvalidParameter,
            Self::StartFailed(message) if is_user_error(message) => ErrorKind::InvalidParameter,
            Self::StartFailed(_) | Self::Supervisor(_) | Self::Io { .. } => ErrorKind::Server,
            Self::Network(e) => e.kind(),
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

/// Start failures caused by the container's own config (a missing
/// executable, a bad working directory), which Docker answers with 400.
fn is_user_error(message: &str) -> bool {
    message.contains("executable file not found")
        || message.contains("no such file or directory")
        || message.contains("permission denied")
        || message.contains("not a directory")
}

pub type Result<T, E = ContainerError> = std::result::Result<T, E>;
