//! Configuration reload (SIGHUP): the file again, the flags again, the
//! runtimes snapshot swapped.
//!
//! [`reload_config`] re-reads the file, re-applies the flags the daemon
//! started with (flags keep winning, and a key set both ways is again an
//! error) and checks the result. Keys that cannot change while the daemon
//! runs ([`FIXED_KEYS`]: where it listens, its directories, its TLS, the
//! networking keys) keep
//! their current value; a file that changes one gets a [`ReloadWarning`],
//! logged and returned, as dockerd ignores them on reload. The reloadable
//! keys ([`reloadable_keys`]: `runtimes`, `default-runtime`, `labels`,
//! `debug`, `live-restore`, `log-level`, and the registry keys
//! `registry-mirrors`, `insecure-registries`, `max-concurrent-downloads`,
//! `max-concurrent-uploads`, `registry-certs-dir`) take the new value only when the new file sets
//! them (flags are re-applied on top); a key the file leaves out keeps its
//! current value (dockerd's `IsValueSet` rule), so a file without `runtimes` keeps the runtimes in
//! use, and a missing default file changes nothing.
//!
//! [`reload`] does that and hands the result to
//! [`RuntimeStore::reload`](engined_core::runtimes::RuntimeStore::reload). Any error
//! leaves the current snapshot in place and is returned with its reason, for
//! the daemon to log. The daemon applies [`Reloaded::log_level`] to its
//! logger itself (see `crate::logging`).

use std::fmt;
use std::sync::Arc;

use super::{ConfigError, ConfigFile, DaemonConfig, EffectiveConfig, FileConfig};
use engined_core::runtimes::{RuntimeError, RuntimeStore, Snapshot};

/// The keys a reload never changes.
pub const FIXED_KEYS: [&str; 15] = [
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
    // The networks are set up with these at start (dockerd does not
    // reload them either).
    "bip",
    "default-address-pools",
    "iptables",
    "ip-forward",
    "userland-proxy",
];

/// Copies one key's value from the configuration in use into the new one.
type Keep = fn(&DaemonConfig, &mut DaemonConfig);

/// The keys a reload changes, each only when the new file sets it, with how
/// each one keeps its current value otherwise.
const RELOADABLE: [(&str, Keep); 14] = [
    ("runtimes", |cur, new| {
        new.runtimes.clone_from(&cur.runtimes)
    }),
    ("default-runtime", |cur, new| {
        new.default_runtime.clone_from(&cur.default_runtime)
    }),
    ("labels", |cur, new| new.labels.clone_from(&cur.labels)),
    ("debug", |cur, new| new.debug = cur.debug),
    ("live-restore", |cur, new| {
        new.live_restore = cur.live_restore
    }),
    ("log-level", |cur, new| new.log_level = cur.log_level),
    ("registry-mirrors", |cur, new| {
        new.registry_mirrors.clone_from(&cur.registry_mirrors)
    }),
    ("insecure-registries", |cur, new| {
        new.insecure_registries.clone_from(&cur.insecure_registries)
    }),
    ("max-concurrent-downloads", |cur, new| {
        new.max_concurrent_downloads = cur.max_concurrent_downloads
    }),
    ("max-concurrent-uploads", |cur, new| {
        new.max_concurrent_uploads = cur.max_concurrent_uploads
    }),
    ("registry-certs-dir", |cur, new| {
        new.registry_certs_dir.clone_from(&cur.registry_certs_dir)
    }),
    // Read at each container start: containers started after the reload
    // get the new servers, running ones keep theirs.
    ("dns", |cur, new| new.dns.clone_from(&cur.dns)),
    ("dns-search", |cur, new| {
        new.dns_search.clone_from(&cur.dns_search)
    }),
    ("dns-opts", |cur, new| {
        new.dns_opts.clone_from(&cur.dns_opts)
    }),
];

/// The `daemon.json` keys a reload changes (when the new file sets them).
pub fn reloadable_keys() -> impl Iterator<Item = &'static str> {
    RELOADABLE.into_iter().map(|(key, _)| key)
}

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
    let read = file.read()?;
    let mut new = super::merge(flags, read.clone())?;
    keep_unset(current, &mut new, &read);
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

/// Puts the current value of every reloadable key the new file does not
/// set into `new`: such a key keeps the value in use. A flag's value needs
/// no care here: it is in the value in use too (flags won at start, and a
/// file that sets the same key again is a conflict); `--add-runtime`'s
/// runtimes are in the current runtimes as well.
fn keep_unset(current: &DaemonConfig, new: &mut DaemonConfig, file: &FileConfig) {
    for (key, keep) in RELOADABLE {
        if !file.sets(key) {
            keep(current, new);
        }
    }
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
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "(unset)".to_owned());
    check("bip", text(&current.bip), text(&new.bip));
    let pools = |c: &DaemonConfig| {
        let shown: Vec<String> = c
            .default_address_pools
            .iter()
            .map(|p| format!("{}/{}", p.base, p.size))
            .collect();
        format!("[{}]", shown.join(" "))
    };
    check("default-address-pools", pools(current), pools(new));
    let on = |v: Option<bool>| v.unwrap_or(true).to_string();
    check("iptables", on(current.iptables), on(new.iptables));
    check("ip-forward", on(current.ip_forward), on(new.ip_forward));
    check(
        "userland-proxy",
        on(current.userland_proxy),
        on(new.userland_proxy),
    );

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
    new.bip.clone_from(&current.bip);
    new.default_address_pools
        .clone_from(&current.default_address_pools);
    new.iptables = current.iptables;
    new.ip_forward = current.ip_forward;
    new.userland_proxy = current.userland_proxy;
    warnings
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::config::{LogLevel, RuntimeConfig};
    use engined_core::runtimes::{FeatureProbe, StoreOptions, STOCK_RUNTIME};

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
        // The default file gone sets no key: everything stays as it was.
        let optional = ConfigFile::optional(d.file().path());
        let reloaded = reload(&store, &d.flags(), &optional).unwrap();
        assert_eq!(
            names(&reloaded.snapshot),
            ["a", "flagged", "io.containerd.runc.v2", "runc"]
        );
    }

    /// The file every test of the unset-key rule starts the daemon with: a
    /// value for each reloadable key.
    const ALL_SET: &str = r#"{"runtimes": {"custom": {"path": "/nonexistent/custom"}},
        "default-runtime": "custom", "labels": ["zone=a"], "debug": true,
        "log-level": "warn"}"#;

    /// The reloadable keys as the snapshot in `store` holds them.
    fn reloadable(store: &RuntimeStore) -> (Vec<String>, String, Vec<String>, Option<bool>) {
        let snapshot = store.load();
        let config = snapshot.config();
        (
            config.runtimes.keys().cloned().collect(),
            snapshot.default_runtime().to_owned(),
            config.labels.clone(),
            config.debug,
        )
    }

    #[test]
    fn a_file_without_a_reloadable_key_keeps_its_value() {
        let d = Daemon::new();
        d.write(ALL_SET);
        let store = d.start();
        let before = reloadable(&store);
        assert_eq!(before.0, ["custom", "flagged"]);
        assert_eq!(before.1, "custom");
        d.write("{}");
        let reloaded = reload(&store, &d.flags(), &d.file()).unwrap();
        assert_eq!(reloadable(&store), before);
        assert_eq!(reloaded.config.labels()["zone"], "a");
        assert!(reloaded.snapshot.resolve("custom").is_ok());
        // debug wins over the kept log-level, as at start.
        assert_eq!(reloaded.log_level(), LogLevel::Debug);
        assert_eq!(reloaded.config.config().log_level, Some(LogLevel::Warn));
    }

    #[test]
    fn each_reloadable_key_changes_alone() {
        // (the file, what must change, checked on the new configuration)
        type Check = fn(&Reloaded);
        let cases: [(&str, &str, Check); 14] = [
            (
                "runtimes",
                r#"{"runtimes": {"other": {"path": "/nonexistent/other"}},
                    "default-runtime": "runc"}"#,
                |r| {
                    let keys: Vec<&String> = r.config.config().runtimes.keys().collect();
                    assert_eq!(keys, ["flagged", "other"]);
                },
            ),
            ("default-runtime", r#"{"default-runtime": "runc"}"#, |r| {
                assert_eq!(r.snapshot.default_runtime(), "runc")
            }),
            ("labels", r#"{"labels": ["zone=b", "rack=1"]}"#, |r| {
                assert_eq!(r.config.labels()["zone"], "b");
                assert_eq!(r.config.labels()["rack"], "1");
            }),
            ("debug", r#"{"debug": false}"#, |r| {
                assert_eq!(r.config.config().debug, Some(false));
                assert_eq!(r.log_level(), LogLevel::Warn);
            }),
            ("live-restore", r#"{"live-restore": true}"#, |r| {
                assert_eq!(r.config.config().live_restore, Some(true));
            }),
            ("log-level", r#"{"log-level": "error"}"#, |r| {
                assert_eq!(r.config.config().log_level, Some(LogLevel::Error));
            }),
            (
                "registry-mirrors",
                r#"{"registry-mirrors": ["http://127.0.0.1:5000"]}"#,
                |r| {
                    assert_eq!(
                        r.config.config().registry_mirrors,
                        ["http://127.0.0.1:5000"]
                    )
                },
            ),
            (
                "insecure-registries",
                r#"{"insecure-registries": ["10.0.0.0/8"]}"#,
                |r| assert_eq!(r.config.config().insecure_registries, ["10.0.0.0/8"]),
            ),
            (
                "max-concurrent-downloads",
                r#"{"max-concurrent-downloads": 1}"#,
                |r| assert_eq!(r.config.config().max_concurrent_downloads, Some(1)),
            ),
            (
                "max-concurrent-uploads",
                r#"{"max-concurrent-uploads": 2}"#,
                |r| assert_eq!(r.config.config().max_concurrent_uploads, Some(2)),
            ),
            (
                "registry-certs-dir",
                r#"{"registry-certs-dir": "/srv/certs.d"}"#,
                |r| {
                    assert_eq!(
                        r.config.config().registry_certs_dir.as_deref(),
                        Some(std::path::Path::new("/srv/certs.d"))
                    )
                },
            ),
            ("dns", r#"{"dns": ["192.0.2.53"]}"#, |r| {
                assert_eq!(r.config.config().dns, ["192.0.2.53"])
            }),
            ("dns-search", r#"{"dns-search": ["example.org"]}"#, |r| {
                assert_eq!(r.config.config().dns_search, ["example.org"])
            }),
            ("dns-opts", r#"{"dns-opts": ["ndots:2"]}"#, |r| {
                assert_eq!(r.config.config().dns_opts, ["ndots:2"])
            }),
        ];
        assert_eq!(
            reloadable_keys().collect::<Vec<_>>(),
            cases.iter().map(|c| c.0).collect::<Vec<_>>(),
            "every reloadable key has a case"
        );
        for (key, json, check) in cases {
            let d = Daemon::new();
            d.write(ALL_SET);
            let store = d.start();
            let before = store.load().config().clone();
            d.write(json);
            let reloaded = reload(&store, &d.flags(), &d.file()).unwrap();
            check(&reloaded);
            // Every other key: the value it had.
            let after = reloaded.config.config();
            let (mut expected, mut got) = (before.clone(), after.clone());
            for unchanged in [&mut expected, &mut got] {
                match key {
                    "runtimes" => {
                        unchanged.runtimes.clear();
                        // the runtimes case has to move the default away
                        // from the runtime it drops
                        unchanged.default_runtime = None;
                    }
                    "default-runtime" => unchanged.default_runtime = None,
                    "labels" => unchanged.labels.clear(),
                    "debug" => unchanged.debug = None,
                    "live-restore" => unchanged.live_restore = None,
                    "log-level" => unchanged.log_level = None,
                    "registry-mirrors" => unchanged.registry_mirrors.clear(),
                    "insecure-registries" => unchanged.insecure_registries.clear(),
                    "max-concurrent-downloads" => unchanged.max_concurrent_downloads = None,
                    "max-concurrent-uploads" => unchanged.max_concurrent_uploads = None,
                    "registry-certs-dir" => unchanged.registry_certs_dir = None,
                    "dns" => unchanged.dns.clear(),
                    "dns-search" => unchanged.dns_search.clear(),
                    "dns-opts" => unchanged.dns_opts.clear(),
                    other => panic!("no case for {other}"),
                }
            }
            assert_eq!(got, expected, "{key}: only {key} changes");
            assert_ne!(after, &before, "{key}: the reload changed nothing");
        }
    }

    #[test]
    fn a_flag_runtime_survives_a_file_without_runtimes() {
        let d = Daemon::new();
        d.write("{}");
        let store = d.start();
        d.write(r#"{"labels": ["zone=c"]}"#);
        let reloaded = reload(&store, &d.flags(), &d.file()).unwrap();
        assert!(reloaded.snapshot.resolve("flagged").is_ok());
        assert_eq!(reloaded.config.labels()["zone"], "c");
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
