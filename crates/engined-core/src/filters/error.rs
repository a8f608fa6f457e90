//! What is wrong with a `filters` parameter, in dockerd's words
//! (`invalid filter 'key'`, `invalid filter 'key=value'`, or the time
//! reader's message for an `until` it cannot read); always the client's
//! fault.

use crate::time::TimeError;
use crate::ErrorKind;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// A key the endpoint does not accept.
    #[error("invalid filter '{0}'")]
    Key(String),
    /// A value the key cannot take (`dangling=maybe`, `status=sleepy`).
    #[error("invalid filter '{0}={1}'")]
    Value(String, String),
    /// A time filter (`until`) that is no time.
    #[error(transparent)]
    Time(#[from] TimeError),
}

impl FilterError {
    /// Every filter error is a bad parameter (400).
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidParameter
    }
}
