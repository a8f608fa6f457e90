//! The errors of reading `daemon.json` and merging it with the flags; each
//! names the key it is about.

use std::fmt;
use std::io;
use std::path::PathBuf;

use engine_api::rt::host::HostError;

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
    /// A `hosts` entry is not a `unix://` or `tcp://` address.
    #[error("hosts: {source}")]
    InvalidHost {
        /// What is wrong with it (names the address).
        source: HostError,
    },
    /// A label key is given twice with different values.
    #[error("labels: conflict labels for {key}={value} and {key}={existing}")]
    LabelConflict {
        /// The key.
        key: String,
        /// The later value.
        value: String,
        /// The value given first.
        existing: String,
    },
    /// A networking key (`bip`, `default-address-pools`) with a value the
    /// network service cannot use.
    #[error("{key}: {message}")]
    Network {
        /// The key.
        key: &'static str,
        /// What is wrong, naming the value.
        message: String,
    },
    /// A key that another key makes necessary is not set.
    #[error("{key}: {reason}")]
    Missing {
        /// The key that is missing, like `tlscert`.
        key: &'static str,
        /// Why it is needed.
        reason: &'static str,
    },
    /// The configuration file named by `--config-file` does not exist.
    #[error("configuration file {} does not exist (named by --config-file)", path.display())]
    FileMissing {
        /// The file.
        path: PathBuf,
    },
    /// Keys given both as a flag and in the file (dockerd's wording).
    #[error(
        "the following directives are specified both as a flag and in the configuration file: {}",
        ConflictList(conflicts)
    )]
    Conflicts {
        /// Every conflicting key, in key order.
        conflicts: Vec<Conflict>,
    },
    /// A repeatable flag gives the same thing twice, like two
    /// `--add-runtime` of one name.
    #[error("{flag}: {value:?} is given more than once")]
    RepeatedFlag {
        /// The flag, like `--add-runtime`.
        flag: &'static str,
        /// What was repeated (for `--add-runtime`, the runtime name).
        value: String,
    },
    /// The flags' settings could not be turned into JSON to compare them
    /// with the file's (not expected: flags are checked to be UTF-8).
    #[error("command-line flags: {0}")]
    Flags(serde_json::Error),
}

struct ConflictList<'a>(&'a [Conflict]);

impl fmt::Display for ConflictList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, conflict) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{conflict}")?;
        }
        Ok(())
    }
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

/// One key given both as a flag and in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The `daemon.json` key, like `hosts` or `runtimes.crun`.
    pub key: String,
    /// The flag's value, as dockerd would print it.
    pub from_flag: String,
    /// The file's value, as dockerd would print it.
    pub from_file: String,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: (from flag: {}, from file: {})",
            self.key, self.from_flag, self.from_file
        )
    }
}
