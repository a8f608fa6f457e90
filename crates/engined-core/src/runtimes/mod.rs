//! OCI runtimes: which binary runs a container, as derived from the config.
//!
//! - [`validate`](self::validate()) / [`name`]: dockerd's rules for
//!   `runtimes` and `default-runtime`, and which runtime names are acceptable;
//! - [`wrapper`]: the bytes of the script that runs a runtime with its
//!   `runtimeArgs`, and its content-derived name `<name>.<sha256>`;
//! - [`scripts`]: the script store `<data-root>/runtimes/` (atomic writes,
//!   never rewritten or deleted while running, stale cleanup at start);
//! - [`lookup`]: finding binaries on `PATH`, the executable check;
//! - [`features`]: `<binary> features`, once per snapshot;
//! - [`snapshot`]: one immutable view of config and derived runtimes, and
//!   resolution of a name to the binary to run;
//! - [`store`]: the current snapshot behind an `ArcSwap`, start and reload.
//!
//! The built-in runtimes are dockerd's: `runc` and `io.containerd.runc.v2`,
//! both the runc binary (found on `PATH` unless a path is given in
//! [`StoreOptions::runc`]); `runc` is the default default-runtime.

pub mod error;
pub mod features;
pub mod lookup;
pub mod name;
pub mod scripts;
pub mod snapshot;
pub mod store;
mod validate;
pub mod wrapper;

#[cfg(test)]
mod tests;

pub use error::{LookupError, NameProblem, RuntimeError};
pub use features::{probe_features, DEFAULT_FEATURES_TIMEOUT};
pub use name::{validate_name, MAX_NAME_LEN};
pub use scripts::{CleanupReport, Installed, ScriptDir, RUNTIMES_DIR};
pub use snapshot::{ResolvedRuntime, RuntimeEntry, RuntimeKind, Snapshot};
pub use store::{FeatureProbe, RuntimeStore, StoreOptions};
pub use validate::validate;
pub use wrapper::{shell_quote, WrapperScript};

/// The name of the stock runtime (runc), the default `default-runtime`
/// (a configuration default, so the configuration model owns it).
pub use crate::config::STOCK_RUNTIME;

/// The name under which containerd knows the runc shim; a built-in alias of
/// runc in dockerd, and here.
pub const LINUX_V2_RUNTIME: &str = "io.containerd.runc.v2";

/// The built-in runtimes: always present, and reserved (a config cannot
/// define them).
pub const BUILTIN_RUNTIMES: [&str; 2] = [STOCK_RUNTIME, LINUX_V2_RUNTIME];
