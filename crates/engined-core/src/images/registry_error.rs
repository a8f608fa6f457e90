//! What can go wrong talking to a registry, with a kind the API layer maps
//! to a status code and dockerd's wording in the message.

/// The class of a registry failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The repository, tag or digest does not exist (or is hidden from us).
    NotFound,
    /// The request itself is wrong: a bad name, an unsupported format.
    Invalid,
    /// Content whose digest or size differs from what was announced.
    Integrity,
    /// The registry refused our credentials, or has none of them.
    Denied,
    /// The registry could not be reached or broke off.
    Unavailable,
    /// The registry answered something we cannot use.
    Protocol,
    /// Our own side failed (files under the store).
    Local,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RegistryError {
    pub kind: Kind,
    pub message: String,
}

impl RegistryError {
    /// The class of this failure, as the API reports it: dockerd answers a
    /// missing repository or tag with 404, a bad name with 400, and the
    /// rest (a broken or unreachable registry, our own disk) with 500.
    pub fn error_kind(&self) -> crate::ErrorKind {
        match self.kind {
            Kind::NotFound => crate::ErrorKind::NotFound,
            Kind::Invalid => crate::ErrorKind::InvalidParameter,
            Kind::Denied => crate::ErrorKind::Forbidden,
            Kind::Integrity | Kind::Unavailable | Kind::Protocol | Kind::Local => {
                crate::ErrorKind::Server
            }
        }
    }
}

impl RegistryError {
    pub fn new(kind: Kind, message: impl Into<String>) -> RegistryError {
        RegistryError {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> RegistryError {
        RegistryError::new(Kind::Invalid, message)
    }

    pub fn protocol(message: impl Into<String>) -> RegistryError {
        RegistryError::new(Kind::Protocol, message)
    }

    pub fn unavailable(message: impl Into<String>) -> RegistryError {
        RegistryError::new(Kind::Unavailable, message)
    }

    pub fn local(what: &str, e: impl std::fmt::Display) -> RegistryError {
        RegistryError::new(Kind::Local, format!("{what}: {e}"))
    }
}
