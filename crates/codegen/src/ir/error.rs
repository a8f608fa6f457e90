//! Errors of the IR stage: constructs the generator does not support,
//! each with the JSON pointer and line of its source.

use crate::convert::Location;

#[derive(Debug, thiserror::Error)]
pub enum IrError {
    #[error("{at}: not supported by the generator yet: {message}")]
    Unsupported { at: Location, message: String },
}

impl IrError {
    pub fn location(&self) -> &Location {
        match self {
            IrError::Unsupported { at, .. } => at,
        }
    }
}
