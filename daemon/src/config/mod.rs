//! The daemon's configuration: what `daemon.json` says, parsed strictly.
//!
//! Keys are dockerd's, with dockerd's spelling and meaning. Only the keys the
//! daemon implements are accepted so far (`runtimes`, `default-runtime`,
//! `data-root`); dockerd's other keys become fields of [`DaemonConfig`] as the
//! features behind them land. An unknown key, or a value of the wrong type, is
//! refused with an error naming the key ([`ConfigError`]), never ignored.
//!
//! This module checks what a key means on its own (`data-root` must be
//! absolute). Rules that relate keys to each other or to the running system
//! (a runtime's `path` or `runtimeType`, `default-runtime` naming a runtime)
//! belong to the module that owns the feature: see [`crate::runtimes`].

mod error;
mod runtime;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use error::ConfigError;
pub use runtime::RuntimeConfig;

/// Where the daemon keeps its state when `data-root` is not set.
///
/// Not dockerd's `/var/lib/docker`, so that engined and a real Docker daemon
/// on the same host never share a state directory.
pub const DEFAULT_DATA_ROOT: &str = "/var/lib/engined";

/// The contents of `daemon.json` (the part implemented so far).
///
/// A field left out of the file is `None` or empty; accessors such as
/// [`DaemonConfig::data_root`] apply dockerd's defaults. Like dockerd, an
/// empty string counts as "not set".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DaemonConfig {
    /// Extra OCI runtimes, by name (dockerd's `runtimes`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub runtimes: BTreeMap<String, RuntimeConfig>,
    /// The runtime a container gets when it names none (dockerd's
    /// `default-runtime`; `runc` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_runtime: Option<String>,
    /// The root of the daemon's persistent state (dockerd's `data-root`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_root: Option<PathBuf>,
}

impl DaemonConfig {
    /// Parses and checks the text of a `daemon.json`.
    ///
    /// A file that is empty or only whitespace is an empty configuration, as
    /// for dockerd.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Self::default());
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let config: Self = serde_path_to_error::deserialize(&mut de).map_err(|err| {
            // serde_path_to_error writes "." for the top level and "?" where
            // the syntax broke before a key was known.
            let key = err.path().to_string();
            ConfigError::Parse {
                key: if key == "." || key == "?" {
                    String::new()
                } else {
                    key
                },
                source: err.into_inner(),
            }
        })?;
        de.end().map_err(|source| ConfigError::Parse {
            key: String::new(),
            source,
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads, parses and checks a `daemon.json` file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// Checks the values that can be judged key by key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(root) = self.data_root.as_deref() {
            if !root.as_os_str().is_empty() && !root.is_absolute() {
                return Err(ConfigError::InvalidValue {
                    key: "data-root".to_owned(),
                    value: root.display().to_string(),
                    reason: "must be an absolute path",
                });
            }
        }
        Ok(())
    }

    /// The data root: `data-root` if set, else [`DEFAULT_DATA_ROOT`].
    pub fn data_root(&self) -> &Path {
        match self.data_root.as_deref() {
            Some(root) if !root.as_os_str().is_empty() => root,
            _ => Path::new(DEFAULT_DATA_ROOT),
        }
    }

    /// The default runtime's name: `default-runtime` if set, else `runc`.
    pub fn default_runtime_name(&self) -> &str {
        match self.default_runtime.as_deref() {
            Some(name) if !name.is_empty() => name,
            _ => crate::runtimes::STOCK_RUNTIME,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dockerd_runtime_keys() {
        let config = DaemonConfig::from_json(
            r#"{
                "data-root": "/srv/engined",
                "default-runtime": "crun",
                "runtimes": {
                    "crun": {"path": "/usr/bin/crun", "runtimeArgs": ["--debug"]},
                    "kata": {"runtimeType": "io.containerd.kata.v2", "options": {"ConfigPath": "/etc/kata.toml"}}
                }
            }"#,
        )
        .unwrap();
        assert_eq!(config.data_root(), Path::new("/srv/engined"));
        assert_eq!(config.default_runtime_name(), "crun");
        let crun = &config.runtimes["crun"];
        assert_eq!(crun.path(), Some("/usr/bin/crun"));
        assert_eq!(crun.args(), ["--debug".to_owned()]);
        let kata = &config.runtimes["kata"];
        assert_eq!(kata.runtime_type(), Some("io.containerd.kata.v2"));
        assert_eq!(kata.options().map(|o| o.len()), Some(1));
    }

    #[test]
    fn empty_file_and_defaults() {
        let config = DaemonConfig::from_json("  \n").unwrap();
        assert_eq!(config, DaemonConfig::default());
        assert_eq!(config.data_root(), Path::new(DEFAULT_DATA_ROOT));
        assert_eq!(config.default_runtime_name(), "runc");
        let config =
            DaemonConfig::from_json(r#"{"data-root": "", "default-runtime": ""}"#).unwrap();
        assert_eq!(config.data_root(), Path::new(DEFAULT_DATA_ROOT));
        assert_eq!(config.default_runtime_name(), "runc");
    }

    #[test]
    fn unknown_top_level_key_is_named() {
        let err =
            DaemonConfig::from_json(r#"{"runtimes": {}, "hosts": ["unix:///x"]}"#).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("`hosts`"), "{text}");
    }

    #[test]
    fn unknown_runtime_key_is_named_with_its_runtime() {
        let err =
            DaemonConfig::from_json(r#"{"runtimes": {"crun": {"path": "crun", "args": ["-x"]}}}"#)
                .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("runtimes.crun"), "{text}");
        assert!(text.contains("`args`"), "{text}");
    }

    #[test]
    fn wrong_type_names_the_key_path() {
        let err = DaemonConfig::from_json(
            r#"{"runtimes": {"crun": {"path": "crun", "runtimeArgs": [1]}}}"#,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("runtimes.crun.runtimeArgs[0]"), "{text}");
        let err = DaemonConfig::from_json(r#"{"default-runtime": 3}"#).unwrap_err();
        assert!(err.to_string().contains("default-runtime"), "{err}");
    }

    #[test]
    fn syntax_errors_are_refused() {
        assert!(DaemonConfig::from_json(r#"{} {}"#).is_err());
        let err = DaemonConfig::from_json("{").unwrap_err();
        assert!(
            err.to_string().starts_with("invalid daemon.json: EOF"),
            "{err}"
        );
    }

    #[test]
    fn relative_data_root_is_refused() {
        let err = DaemonConfig::from_json(r#"{"data-root": "var/lib/x"}"#).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("data-root:"), "{text}");
        assert!(text.contains("var/lib/x"), "{text}");
    }
}
