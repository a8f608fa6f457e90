//! What can be wrong with a container's sandbox or limits: a value the
//! user gave (refused before anything runs) or a fact of the host that
//! makes the spec impossible (found when the bundle is made).

/// The two classes of spec problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecErrorKind {
    /// The request asks for something invalid (HTTP 400 at create).
    InvalidArgument,
    /// The host cannot give what was asked (a missing device, no init).
    Host,
}

/// A problem with a sandbox or limit setting, worded for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// A value dockerd would refuse, with dockerd's message.
    #[error("{0}")]
    Invalid(String),
    /// A host fact that stops the spec from being made.
    #[error("{0}")]
    Host(String),
}

impl SpecError {
    /// Which class the error is of.
    pub fn kind(&self) -> SpecErrorKind {
        match self {
            Self::Invalid(_) => SpecErrorKind::InvalidArgument,
            Self::Host(_) => SpecErrorKind::Host,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }
}
