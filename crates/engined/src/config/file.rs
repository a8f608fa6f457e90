//! Which `daemon.json` to read, and reading it with the keys it sets.
//!
//! A file named with `--config-file` must exist; the default one
//! ([`super::DEFAULT_CONFIG_FILE`]) may be absent, which is an empty
//! configuration (dockerd's rule). The keys the file sets are kept beside
//! the parsed [`DaemonConfig`]: a key present in the file conflicts with its
//! flag even when its value is empty (`"hosts": []`), as for dockerd.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{ConfigError, DaemonConfig, DEFAULT_CONFIG_FILE};

/// The configuration file of a daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    path: PathBuf,
    required: bool,
}

impl ConfigFile {
    /// A file named on the command line: it must exist.
    pub fn named(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            required: true,
        }
    }

    /// [`DEFAULT_CONFIG_FILE`]: absent means empty.
    pub fn default_file() -> Self {
        Self::optional(DEFAULT_CONFIG_FILE)
    }

    /// A file that may be absent (the default file, or a test's stand-in).
    pub fn optional(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            required: false,
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file must exist.
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// Reads and parses the file (key by key checks included).
    pub fn read(&self) -> Result<FileConfig, ConfigError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => FileConfig::from_json(&text),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                if self.required {
                    Err(ConfigError::FileMissing {
                        path: self.path.clone(),
                    })
                } else {
                    tracing::debug!(
                        path = %self.path.display(),
                        "no configuration file, using the defaults"
                    );
                    Ok(FileConfig::default())
                }
            }
            Err(source) => Err(ConfigError::Read {
                path: self.path.clone(),
                source,
            }),
        }
    }
}

/// A parsed `daemon.json` and the keys it sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileConfig {
    /// What the file says.
    pub config: DaemonConfig,
    /// The file's top-level object as written (empty for an empty file).
    pub raw: Map<String, Value>,
}

impl FileConfig {
    /// Parses and checks the text of a `daemon.json`.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let config = DaemonConfig::from_json(text)?;
        let raw = if text.trim().is_empty() {
            Map::new()
        } else {
            // Cannot fail: the text just parsed as a `DaemonConfig`, a JSON
            // object; an error would only lose the conflict check's keys.
            serde_json::from_str(text).map_err(|source| ConfigError::Parse {
                key: String::new(),
                source,
            })?
        };
        Ok(Self { config, raw })
    }

    /// Whether the file sets `key` (a top-level key, like `hosts`).
    pub fn sets(&self, key: &str) -> bool {
        self.raw.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_file_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("daemon.json");
        let err = ConfigFile::named(&path).read().unwrap_err();
        assert!(matches!(err, ConfigError::FileMissing { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("--config-file"), "{text}");
    }

    #[test]
    fn default_file_may_be_absent() {
        let dir = tempfile::tempdir().unwrap();
        let file = ConfigFile::optional(dir.path().join("daemon.json"));
        assert_eq!(file.read().unwrap(), FileConfig::default());
        assert!(!ConfigFile::default_file().is_required());
        assert_eq!(
            ConfigFile::default_file().path(),
            Path::new("/etc/engined/daemon.json")
        );
    }

    #[test]
    fn unreadable_path_is_an_error_even_when_optional() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be.
        let err = ConfigFile::optional(dir.path()).read().unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
    }

    #[test]
    fn keeps_the_keys_the_file_sets() {
        let file = FileConfig::from_json(r#"{"hosts": [], "debug": false}"#).unwrap();
        assert!(file.sets("hosts"));
        assert!(file.sets("debug"));
        assert!(!file.sets("labels"));
        assert!(file.config.hosts.is_empty());
        let empty = FileConfig::from_json(" \n").unwrap();
        assert!(empty.raw.is_empty());
    }
}
