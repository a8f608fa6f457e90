//! The errors of reading `daemon.json`; each names the key it is about.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a `daemon.json` was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The text is not JSON, has an unknown key, or a value of the wrong type.
    #[error("{}", ParseMessage { key, source })]
    Parse {
        /// The key path the error is at, like `runtimes.crun.runtimeArgs[0]`;
        /// empty at the top level (where an unknown key is named in `source`).
        key: String,
        /// What the JSON parser said (with a line and column).
        source: serde_json::Error,
    },
    /// A value is well-formed JSON but not acceptable.
    #[error("{key}: {reason} (got {value:?})")]
    InvalidValue {
        /// The key, like `data-root`.
        key: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

struct ParseMessage<'a> {
    key: &'a str,
    source: &'a serde_json::Error,
}

impl fmt::Display for ParseMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "invalid daemon.json: {}", self.source)
        } else {
            write!(f, "invalid daemon.json: {}: {}", self.key, self.source)
        }
    }
}
