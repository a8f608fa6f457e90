//! One entry of `daemon.json`'s `runtimes` map, spelled as dockerd spells it.
//!
//! Either `{"path": "...", "runtimeArgs": [...]}` (an OCI runtime binary,
//! optionally with extra arguments) or `{"runtimeType": "...", "options":
//! {...}}` (a containerd shim). Which combinations are allowed is checked by
//! [`crate::runtimes`], with dockerd's rules.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A runtime as `daemon.json` declares it.
///
/// As with dockerd (Go's `omitempty`), an empty string or list counts as not
/// set; the accessors apply that rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    /// The OCI runtime binary: a name looked up on `PATH`, or a path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Arguments put before the caller's on every call of `path`.
    #[serde(
        default,
        rename = "runtimeArgs",
        skip_serializing_if = "Option::is_none"
    )]
    pub runtime_args: Option<Vec<String>>,
    /// A containerd shim type, like `io.containerd.runsc.v1`.
    #[serde(
        default,
        rename = "runtimeType",
        skip_serializing_if = "Option::is_none"
    )]
    pub runtime_type: Option<String>,
    /// Options for the shim of `runtimeType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Map<String, Value>>,
}

impl RuntimeConfig {
    /// A runtime that runs the binary at `path` (a name or a path).
    pub fn from_path(path: impl Into<String>) -> Self {
        Self {
            path: Some(path.into()),
            ..Self::default()
        }
    }

    /// A runtime that is the containerd shim `runtime_type`.
    pub fn from_type(runtime_type: impl Into<String>) -> Self {
        Self {
            runtime_type: Some(runtime_type.into()),
            ..Self::default()
        }
    }

    /// The same runtime with `runtimeArgs` set to `args`.
    pub fn with_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.runtime_args = Some(args.into_iter().map(Into::into).collect());
        self
    }

    /// The same runtime with `options` set.
    pub fn with_options(mut self, options: Map<String, Value>) -> Self {
        self.options = Some(options);
        self
    }

    /// `path`, if set and not empty.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref().filter(|p| !p.is_empty())
    }

    /// `runtimeArgs` (empty when unset).
    pub fn args(&self) -> &[String] {
        self.runtime_args.as_deref().unwrap_or_default()
    }

    /// `runtimeType`, if set and not empty.
    pub fn runtime_type(&self) -> Option<&str> {
        self.runtime_type.as_deref().filter(|t| !t.is_empty())
    }

    /// `options`, if set and not empty.
    pub fn options(&self) -> Option<&Map<String, Value>> {
        self.options.as_ref().filter(|o| !o.is_empty())
    }
}
