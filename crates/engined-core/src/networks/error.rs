//! The network service's failures, each with its [`ErrorKind`] and
//! dockerd's wording.

use crate::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error("network {0} not found")]
    NotFound(String),
    #[error("network {term} is ambiguous ({count} matches found based on ID prefix)")]
    Ambiguous { term: String, count: usize },
    #[error("network with name {0} already exists")]
    NameConflict(String),
    /// `bridge`, `host`, `none` and `default` are the daemon's own.
    #[error("operation is not permitted on predefined {0} network ")]
    Predefined(String),
    #[error("{0} is a pre-defined network and cannot be removed")]
    PredefinedRemove(String),
    #[error("error while removing network: network {name} id {id} has active endpoints")]
    ActiveEndpoints { name: String, id: String },
    #[error("could not find plugin {0} in v1 plugin registry: plugin not found")]
    DriverNotFound(String),
    #[error("{0}")]
    InvalidArgument(String),
    /// An address pool or a requested address that cannot be had.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// Publishing a port failed (dockerd's "driver failed programming
    /// external connectivity").
    #[error("{0}")]
    Programming(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what}: {message}")]
    Netlink { what: String, message: String },
    /// `nft` refused a change of engined's NAT table.
    #[error("{what}: {message}")]
    Nat { what: String, message: String },
}

pub type Result<T> = std::result::Result<T, NetworkError>;

impl NetworkError {
    pub fn io(what: impl Into<String>, source: std::io::Error) -> NetworkError {
        NetworkError::Io {
            what: what.into(),
            source,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            NetworkError::NotFound(_) | NetworkError::DriverNotFound(_) => ErrorKind::NotFound,
            NetworkError::Ambiguous { .. } | NetworkError::InvalidArgument(_) => {
                ErrorKind::InvalidParameter
            }
            NetworkError::NameConflict(_) | NetworkError::Conflict(_) => ErrorKind::Conflict,
            NetworkError::Predefined(_)
            | NetworkError::PredefinedRemove(_)
            | NetworkError::ActiveEndpoints { .. }
            | NetworkError::Forbidden(_) => ErrorKind::Forbidden,
            NetworkError::Unavailable(_) => ErrorKind::Forbidden,
            NetworkError::Io { .. }
            | NetworkError::Netlink { .. }
            | NetworkError::Nat { .. }
            | NetworkError::Programming(_) => ErrorKind::Server,
        }
    }
}
