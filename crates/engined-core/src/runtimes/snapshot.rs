//! Snapshots: one config and everything derived from it, immutable.
//!
//! A [`Snapshot`] holds the user's [`DaemonConfig`], the default runtime's
//! name, and for every runtime (built-in or configured) what it resolves to:
//! the binary to run (the wrapper script for a runtime with `runtimeArgs`,
//! else the binary itself), the configured path and arguments, and the
//! features its binary reported when the snapshot was built. A request takes
//! one snapshot ([`super::RuntimeStore::load`]) and uses it start to finish.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::error::RuntimeError;
use super::lookup::{check_executable, find_executable};
use crate::config::DaemonConfig;

/// What kind of runtime an entry is, with what it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum RuntimeKind {
    /// A built-in runtime (`runc`, `io.containerd.runc.v2`): the runc binary.
    Builtin {
        /// The runc the daemon was told to use (`runc`, or a path).
        configured_path: String,
        /// That binary as found on `PATH` when the snapshot was built (the
        /// configured name when it was not found).
        binary: PathBuf,
    },
    /// A configured `path` without `runtimeArgs`: the binary itself.
    Path {
        /// The configured `path`.
        configured_path: String,
        /// That binary as found on `PATH` when the snapshot was built (the
        /// configured path when it has a `/` or was not found).
        binary: PathBuf,
    },
    /// A configured `path` with `runtimeArgs`: run through a wrapper script.
    Wrapped {
        /// The configured `path` (what the script runs).
        configured_path: String,
        /// The configured `runtimeArgs` (inside the script).
        args: Vec<String>,
        /// The script, in `<data-root>/runtimes/`.
        script: PathBuf,
    },
    /// A configured `runtimeType`: a containerd shim, which engined cannot
    /// run (it is kept so the config round-trips and can be listed).
    Shim {
        /// The shim type.
        runtime_type: String,
        /// The shim's options, if any.
        options: Option<Map<String, Value>>,
    },
}

/// One runtime of a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeEntry {
    pub(crate) name: String,
    pub(crate) kind: RuntimeKind,
    pub(crate) features: Option<Value>,
}

impl RuntimeEntry {
    /// The runtime's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What kind of runtime it is, with what it runs.
    pub fn kind(&self) -> &RuntimeKind {
        &self.kind
    }

    /// The configured path; `None` for a shim.
    pub fn configured_path(&self) -> Option<&str> {
        match &self.kind {
            RuntimeKind::Builtin {
                configured_path, ..
            }
            | RuntimeKind::Path {
                configured_path, ..
            }
            | RuntimeKind::Wrapped {
                configured_path, ..
            } => Some(configured_path),
            RuntimeKind::Shim { .. } => None,
        }
    }

    /// The configured `runtimeArgs` (empty but for a wrapped runtime).
    pub fn args(&self) -> &[String] {
        match &self.kind {
            RuntimeKind::Wrapped { args, .. } => args,
            _ => &[],
        }
    }

    /// The binary to run: the wrapper script, or the binary itself; `None`
    /// for a shim.
    pub fn binary(&self) -> Option<&Path> {
        match &self.kind {
            RuntimeKind::Builtin { binary, .. } | RuntimeKind::Path { binary, .. } => Some(binary),
            RuntimeKind::Wrapped { script, .. } => Some(script),
            RuntimeKind::Shim { .. } => None,
        }
    }

    /// What `<binary> features` printed when the snapshot was built.
    pub fn features(&self) -> Option<&Value> {
        self.features.as_ref()
    }
}

/// A runtime resolved for use: what to run, and what it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRuntime {
    name: String,
    binary: PathBuf,
    configured_path: String,
    args: Vec<String>,
    wrapped: bool,
    search_path: Option<OsString>,
}

impl ResolvedRuntime {
    /// The runtime's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The binary to run (the wrapper script of a runtime with
    /// `runtimeArgs`). A container records this path and uses it for every
    /// later operation: it never changes or disappears while the daemon runs.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The configured path of the runtime (the one a wrapper runs).
    pub fn configured_path(&self) -> &str {
        &self.configured_path
    }

    /// The configured `runtimeArgs` (already inside the wrapper: do not pass
    /// them again).
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// Whether [`Self::binary`] is a wrapper script.
    pub fn is_wrapped(&self) -> bool {
        self.wrapped
    }

    /// Checks that the runtime can run now: its configured binary exists and
    /// is executable (and for a wrapped runtime, so is the wrapper).
    ///
    /// The error names the configured path, never the wrapper script's, when
    /// the configured binary is what is missing (like dockerd's).
    pub fn preflight(&self) -> Result<(), RuntimeError> {
        find_executable(&self.configured_path, self.search_path.as_deref()).map_err(|source| {
            RuntimeError::TargetUnavailable {
                name: self.name.clone(),
                path: self.configured_path.clone(),
                source,
            }
        })?;
        if self.wrapped {
            check_executable(&self.binary).map_err(|source| RuntimeError::WrapperUnavailable {
                name: self.name.clone(),
                path: self.binary.clone(),
                target: self.configured_path.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

/// One immutable view of the runtimes config.
#[derive(Debug)]
pub struct Snapshot {
    pub(crate) generation: u64,
    pub(crate) config: DaemonConfig,
    pub(crate) default_runtime: String,
    pub(crate) runtimes: BTreeMap<String, RuntimeEntry>,
    pub(crate) search_path: Option<OsString>,
}

impl Snapshot {
    /// 1 for the snapshot built at start, one more for each successful reload.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The config this snapshot was built from.
    pub fn config(&self) -> &DaemonConfig {
        &self.config
    }

    /// The name of the default runtime.
    pub fn default_runtime(&self) -> &str {
        &self.default_runtime
    }

    /// All runtimes, built-in and configured, in name order.
    pub fn runtimes(&self) -> impl Iterator<Item = &RuntimeEntry> {
        self.runtimes.values()
    }

    /// The runtime named `name`, if any.
    pub fn get(&self, name: &str) -> Option<&RuntimeEntry> {
        self.runtimes.get(name)
    }

    /// The features of runtime `name` (empty: the default runtime).
    pub fn features(&self, name: &str) -> Option<&Value> {
        let name = if name.is_empty() {
            &self.default_runtime
        } else {
            name
        };
        self.runtimes.get(name).and_then(RuntimeEntry::features)
    }

    /// The wrapper scripts this snapshot uses.
    pub fn script_paths(&self) -> impl Iterator<Item = &Path> {
        self.runtimes.values().filter_map(|rt| match &rt.kind {
            RuntimeKind::Wrapped { script, .. } => Some(script.as_path()),
            _ => None,
        })
    }

    /// Resolves runtime `name` (empty: the default runtime) to what to run.
    ///
    /// This neither runs nor checks anything on disk; see
    /// [`ResolvedRuntime::preflight`].
    pub fn resolve(&self, name: &str) -> Result<ResolvedRuntime, RuntimeError> {
        let name = if name.is_empty() {
            &self.default_runtime
        } else {
            name
        };
        let entry = self
            .runtimes
            .get(name)
            .ok_or_else(|| RuntimeError::Unknown {
                name: name.to_owned(),
            })?;
        let (configured_path, binary, wrapped) = match &entry.kind {
            RuntimeKind::Builtin {
                configured_path,
                binary,
            }
            | RuntimeKind::Path {
                configured_path,
                binary,
            } => (configured_path, binary, false),
            RuntimeKind::Wrapped {
                configured_path,
                script,
                ..
            } => (configured_path, script, true),
            RuntimeKind::Shim { runtime_type, .. } => {
                return Err(RuntimeError::ShimUnsupported {
                    name: entry.name.clone(),
                    runtime_type: runtime_type.clone(),
                })
            }
        };
        Ok(ResolvedRuntime {
            name: entry.name.clone(),
            binary: binary.clone(),
            configured_path: configured_path.clone(),
            args: entry.args().to_vec(),
            wrapped,
            search_path: self.search_path.clone(),
        })
    }
}
