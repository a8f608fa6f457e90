//! Configuration reload (SIGHUP): the file again, the flags again, the
//! runtimes snapshot swapped.
//!
//! [`reload_config`] re-reads the file, re-applies the flags the daemon
//! started with (flags keep winning, and a key set both ways is again an
//! error) and checks the result. Keys that cannot change while the daemon
//! runs ([`FIXED_KEYS`]: where it listens, its directories, its TLS) keep
//! their current value; a file that changes one gets a [`ReloadWarning`],
//! logged and returned, as dockerd ignores them on reload. Everything else
//! (`runtimes`, `default-runtime`, `labels`, `debug`, `log-level`) takes
//! the new value.
//!
//! [`reload`] does that and hands the result to
//! [`RuntimeStore::reload`](crate::runtimes::RuntimeStore::reload). Any error
//! leaves the current snapshot in place and is returned with its reason, for
//! the daemon to log. The daemon applies [`Reloaded::log_level`] to its
//! logger itself (see `crate::logging`).

use std::fmt;
use std::sync::Arc;

use super::{ConfigError, ConfigFile, DaemonConfig, EffectiveConfig};
use crate::runtimes::{RuntimeError, RuntimeStore, Snapshot};

/// The keys a reload never changes.
pub const FIXED_KEYS: [&str; 10] = [
    "hosts",
    "group",
    "data-root",
    "exec-root",
    "pidfile",
    "tls",
    "tlsverify",
    "tlscacert",
    "tlscert",
    "tlskey",
];

/// A key the new configuration changes but a reload cannot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReloadWarning {
    /// The key, one of [`FIXED_KEYS`].
    pub key: &'static str,
    /// The value kept (the one in use).
    pub kept: String,
    /// The value asked for, ignored.
    pub ignored: String,
}

impl fmt::Display for ReloadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot change while the daemon runs; keeping {}, ignoring {} \
             (restart the daemon to apply it)",
            self.key, self.kept, self.ignored
        )
    }
}

/// Why a reload was refused; the current configuration stays.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The file cannot be read, is invalid, or conflicts with the flags.
    #[error("configuration reload refused, keeping the current configuration: {0}")]
    Config(#[from] ConfigError),
    /// The runtimes of the new configuration are refused (or their scripts
    /// could not be written).
    #[error("configuration reload refused, keeping the current configuration: {0}")]
    Runtimes(#[from] RuntimeError),
}

/// What a reload computed from the file and the flags.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConfig {
    /// The configuration to apply (fixed keys as they were).
    pub config: EffectiveConfig,
    /// The fixed keys the file tried to change, already logged.
    pub warnings: Vec<ReloadWarning>,
}

/// What a successful [`reload`] applied.
#[derive(Debug, Clone)]
pub struct Reloaded {
    /// The new runtimes snapshot (already current in the store).
    pub snapshot: Arc<Snapshot>,
    /// The new configuration.
    pub config: EffectiveConfig,
    /// The fixed keys the file tried to change, already logged.
    pub warnings: Vec<ReloadWarning>,
}

impl Reloaded {
    /// The log level the daemon should switch to.
    pub fn log_level(&self) -> super::LogLevel {
        self.config.log_level()
    }
}

/// Reloads the configuration into `store`: re-reads `file`, re-applies
/// `flags` (the settings the command line gave, as at start) and swaps in a
/// new runtimes snapshot. On error the store is unchanged.
pub fn reload(
    store: &RuntimeStore,
    flags: &DaemonConfig,
    file: &ConfigFile,
) -> Result<Reloaded, ReloadError> {
    let current = store.load();
    let NewConfig { config, warnings } = reload_config(current.config(), flags, file)?;
    let snapshot = store.reload(config.config().clone())?;
    tracing::info!(
        generation = snapshot.generation(),
        path = %file.path().display(),
        ignored = warnings.len(),
        "configuration reloaded"
    );
    Ok(Reloaded {
        snapshot,
        config,
        warnings,
    })
}

/// Computes the configuration a reload applies, given the one in use.
pub fn reload_config(
    current: &DaemonConfig,
    flags: &DaemonConfig,
    file: &ConfigFile,
) -> Result<NewConfig, ConfigError> {
    let mut new = super::merge(flags, file.read()?)?;
    let warnings = keep_fixed(current, &mut new);
    for warning in &warnings {
        tracing::warn!(
            key = warning.key,
            kept = %warning.kept,
            ignored = %warning.ignored,
            "configuration reload: {warning}"
        );
    }
    let config = EffectiveConfig::new(new)?;
    Ok(NewConfig { config, warnings })
}

/// Puts the current value of every fixed key into `new`, and says which
/// ones `new` asked to change (comparing the values in effect, so spelling
/// out a default is no change).
fn keep_fixed(current: &DaemonConfig, new: &mut DaemonConfig) -> Vec<ReloadWarning> {
    let mut warnings = Vec::new();
    let mut check = |key: &'static str, kept: String, ignored: String| {
        if kept != ignored {
            warnings.push(ReloadWarning { key, kept, ignored });
        }
    };
    let hosts = |c: &DaemonConfig| {
        if c.hosts.is_empty() {
            format!("[{}]", super::DEFAULT_HOST)
        } else {
            format!("[{}]", c.hosts.join(" "))
        }
    };
    let flag = |v: Option<bool>| v.unwrap_or(false).to_string();
    let file = |v: &Option<std::path::PathBuf>| match v.as_deref() {
        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
        _ => "(unset)".to_owned(),
    };
    check("hosts", hosts(current), hosts(new));
    let group = |c: &DaemonConfig| c.group.clone().unwrap_or_else(|| "(unset)".to_owned());
    check("group", group(current), group(new));
    check(
        "data-root",
        current.data_root().display().to_string(),
        new.data_root().display().to_string(),
    );
    check(
        "exec-root",
        current.exec_root().display().to_string(),
        new.exec_root().display().to_string(),
    );
    check(
        "pidfile",
        current.pidfile().display().to_string(),
        new.pidfile().display().to_string(),
    );
    check("tls", flag(current.tls), flag(new.tls));
    check("tlsverify", flag(current.tlsverify), flag(new.tlsverify));
    check("tlscacert", file(&current.tlscacert), file(&new.tlscacert));
    check("tlscert", file(&current.tlscert), file(&new.tlscert));
    check("tlskey", file(&current.tlskey), file(&new.tlskey));

    new.hosts.clone_from(&current.hosts);
    new.group.clone_from(&current.group);
    new.data_root.clone_from(&current.data_root);
    new.exec_root.clone_from(&current.exec_root);
    new.pidfile.clone_from(&current.pidfile);
    new.tls = current.tls;
    new.tlsverify = current.tlsverify;
    new.tlscacert.clone_from(&current.tlscacert);
    new.tlscert.clone_from(&current.tlscert);
    new.tlskey.clone_from(&current.tlskey);
    warnings
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::config::{LogLevel, RuntimeConfig};
    use crate::runtimes::{FeatureProbe, StoreOptions, STOCK_RUNTIME};

    /// A daemon's worth of files in a tempdir: data root, config file.
    struct Daemon {
        tmp: tempfile::TempDir,
    }

    impl Daemon {
        fn new() -> Self {
            Self {
                tmp: tempfile::tempdir().unwrap(),
            }
        }

        fn data_root(&self) -> PathBuf {
            self.tmp.path().join("data")
        }

        fn file(&self) -> ConfigFile {
            ConfigFile::named(self.tmp.path().join("daemon.json"))
        }

        fn write(&self, json: &str) {
            std::fs::write(self.file().path(), json).unwrap();
        }

        /// The flags of every test: the data root, and one `--add-runtime`.
        fn flags(&self) -> DaemonConfig {
            DaemonConfig {
                data_root: Some(self.data_root()),
                runtimes: [(
                    "flagged".to_owned(),
                    RuntimeConfig::from_path("/nonexistent/flagged"),
                )]
                .into(),
                ..DaemonConfig::default()
            }
        }

        fn start(&self) -> RuntimeStore {
            let config = crate::config::load(&self.flags(), &self.file()).unwrap();
            let options = StoreOptions {
                runc: STOCK_RUNTIME.to_owned(),
                search_path: Some(self.tmp.path().join("bin").into_os_string()),
                features: FeatureProbe::Disabled,
            };
            RuntimeStore::start(config.into_config(), options, &HashSet::new()).unwrap()
        }
    }

    fn names(snapshot: &Snapshot) -> Vec<&str> {
        snapshot.runtimes().map(|rt| rt.name()).collect()
    }

    #[test]
    fn changed_runtime_set_gives_a_new_snapshot() {
        let d = Daemon::new();
        d.write(r#"{"runtimes": {"a": {"path": "/nonexistent/a"}}}"#);
        let store = d.start();
        assert_eq!(
            names(&store.load()),
            ["a", "flagged", "io.containerd.runc.v2", "runc"]
        );
        d.write(
            r#"{"runtimes": {"b": {"path": "/nonexistent/b", "runtimeArgs": ["--x"]}},
                "default-runtime": "b", "labels": ["zone=a"], "log-level": "warn"}"#,
        );
        let reloaded = reload(&store, &d.flags(), &d.file()).unwrap();
        assert!(reloaded.warnings.is_empty(), "{:?}", reloaded.warnings);
        assert_eq!(reloaded.snapshot.generation(), 2);
        assert!(Arc::ptr_eq(&reloaded.snapshot, &store.load()));
        // The flag's runtime is still there: flags are re-applied.
        assert_eq!(
            names(&reloaded.snapshot),
            ["b", "flagged", "io.containerd.runc.v2", "runc"]
        );
        assert_eq!(reloaded.snapshot.default_runtime(), "b");
        assert!(reloaded.snapshot.resolve("b").unwrap().is_wrapped());
        assert_eq!(reloaded.config.labels()["zone"], "a");
        assert_eq!(reloaded.log_level(), LogLevel::Warn);
    }

    #[test]
    fn invalid_file_keeps_the_old_snapshot_and_says_why() {
        let d = Daemon::new();
        d.write(r#"{"runtimes": {"a": {"path": "/nonexistent/a"}}}"#);
        let store = d.start();
        let before = store.load();
        let cases = [
            ("{ not json", "invalid daemon.json"),
            (
                r#"{"runtimes": {}, "storage-driver": "x"}"#,
                "`storage-driver`",
            ),
            (r#"{"debug": "yes"}"#, "debug"),
            (r#"{"log-level": "loud"}"#, "log-level"),
            (r#"{"labels": ["a=1", "a=2"]}"#, "labels: conflict labels"),
            (
                r#"{"default-runtime": "nope"}"#,
                "default-runtime: specified default runtime 'nope'",
            ),
            (
                r#"{"runtimes": {"runc": {"path": "/x"}}}"#,
                "runtimes.runc: runtime name 'runc' is reserved",
            ),
            (
                r#"{"runtimes": {"flagged": {"path": "/x"}}}"#,
                "specified both as a flag and in the configuration file: runtimes.flagged",
            ),
            (r#"{"data-root": "/elsewhere"}"#, "data-root: (from flag: "),
        ];
        for (json, reason) in cases {
            d.write(json);
            let err = reload(&store, &d.flags(), &d.file()).unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with(
                    "configuration reload refused, keeping the current configuration: "
                ),
                "{text}"
            );
            assert!(text.contains(reason), "{json}: {text}");
            assert!(Arc::ptr_eq(&before, &store.load()), "{json}");
        }
        // The file gone: a named file must exist.
        std::fs::remove_file(d.file().path()).unwrap();
        let err = reload(&store, &d.flags(), &d.file()).unwrap_err();
        assert!(matches!(
            err,
            ReloadError::Config(ConfigError::FileMissing { .. })
        ));
        assert!(Arc::ptr_eq(&before, &store.load()));
        // The default file gone is an empty config: only the flags' runtime.
        let optional = ConfigFile::optional(d.file().path());
        let reloaded = reload(&store, &d.flags(), &optional).unwrap();
        assert_eq!(
            names(&reloaded.snapshot),
            ["flagged", "io.containerd.runc.v2", "runc"]
        );
    }

    #[test]
    fn fixed_keys_are_kept_with_a_warning() {
        let d = Daemon::new();
        d.write(r#"{"hosts": ["unix:///run/one.sock"], "debug": false}"#);
        let store = d.start();
        d.write(
            r#"{"hosts": ["unix:///run/two.sock"], "exec-root": "/run/other",
                "tls": true, "tlscert": "/c", "tlskey": "/k",
                "debug": true, "labels": ["zone=b"]}"#,
        );
        let reloaded = reload(&store, &d.flags(), &d.file()).unwrap();
        let keys: Vec<&str> = reloaded.warnings.iter().map(|w| w.key).collect();
        assert_eq!(keys, ["hosts", "exec-root", "tls", "tlscert", "tlskey"]);
        assert_eq!(
            reloaded.warnings[0],
            ReloadWarning {
                key: "hosts",
                kept: "[unix:///run/one.sock]".into(),
                ignored: "[unix:///run/two.sock]".into(),
            }
        );
        assert_eq!(
            reloaded.warnings[1].to_string(),
            "exec-root: cannot change while the daemon runs; keeping /run/engined, \
             ignoring /run/other (restart the daemon to apply it)"
        );
        // Fixed keys kept, the others applied.
        let config = reloaded.snapshot.config();
        assert_eq!(config.hosts, ["unix:///run/one.sock"]);
        assert_eq!(config.exec_root(), Path::new("/run/engined"));
        assert!(!config.tls_enabled());
        assert_eq!(reloaded.config.tls(), None);
        assert_eq!(config.debug, Some(true));
        assert_eq!(reloaded.log_level(), LogLevel::Debug);
        assert_eq!(reloaded.config.labels()["zone"], "b");
    }

    #[test]
    fn spelling_out_a_default_is_no_change() {
        let d = Daemon::new();
        d.write("{}");
        let store = d.start();
        d.write(
            r#"{"hosts": ["unix:///run/engined.sock"], "exec-root": "/run/engined",
                "pidfile": "/run/engined.pid", "tls": false}"#,
        );
        let reloaded = reload(&store, &d.flags(), &d.file()).unwrap();
        assert_eq!(reloaded.warnings, []);
    }
}
