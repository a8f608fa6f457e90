//! The runtime store: the current [`Snapshot`], swapped atomically on reload.
//!
//! Read-copy-update: [`RuntimeStore::load`] hands out the current
//! `Arc<Snapshot>` (lock-free, via `arc_swap`), and a request keeps it start
//! to finish. [`RuntimeStore::reload`] validates a new config, writes the
//! wrapper scripts it needs (never touching existing ones), builds a new
//! snapshot (probing features once) and swaps it in. If anything fails the
//! current snapshot stays and the error is returned for the caller to log.
//! Reloads are serialized; loads never wait for them.
//!
//! [`RuntimeStore::start`] is the daemon-start path: it empties the script
//! store of what a previous run left (but the paths it is told to keep), then
//! builds the first snapshot.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use arc_swap::ArcSwap;
use serde_json::Value;

use super::features::{probe_features, DEFAULT_FEATURES_TIMEOUT};
use super::lookup::find_executable;
use super::scripts::ScriptDir;
use super::snapshot::{RuntimeEntry, RuntimeKind, Snapshot};
use super::validate::{declared, Declared};
use super::wrapper::WrapperScript;
use super::{BUILTIN_RUNTIMES, STOCK_RUNTIME};
use crate::config::DaemonConfig;
use crate::runtimes::error::RuntimeError;

/// Whether and how `<binary> features` is asked when a snapshot is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureProbe {
    /// Never: every runtime has no features.
    Disabled,
    /// Ask each distinct binary once per snapshot, in parallel, each
    /// within `timeout`.
    Run {
        /// How long a binary gets to answer.
        timeout: Duration,
    },
}

/// How the store finds and probes binaries (not part of `daemon.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// The runc of the built-in runtimes: a name looked up on the search
    /// path, or a path. Default `runc`.
    pub runc: String,
    /// The `PATH`-style list bare names are looked up in; `None` means the
    /// daemon's `PATH` at the time of the lookup.
    pub search_path: Option<OsString>,
    /// Feature probing. Default: run, with [`DEFAULT_FEATURES_TIMEOUT`].
    pub features: FeatureProbe,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            runc: STOCK_RUNTIME.to_owned(),
            search_path: None,
            features: FeatureProbe::Run {
                timeout: DEFAULT_FEATURES_TIMEOUT,
            },
        }
    }
}

/// Holds the current runtimes snapshot of a running daemon.
#[derive(Debug)]
pub struct RuntimeStore {
    current: ArcSwap<Snapshot>,
    scripts: ScriptDir,
    data_root: PathBuf,
    options: StoreOptions,
    reload_lock: Mutex<()>,
}

impl RuntimeStore {
    /// Starts the store at daemon start: validates `config`, empties
    /// `<data-root>/runtimes/` of everything not in `keep` (see
    /// [`ScriptDir::cleanup_stale`]), then writes the scripts of `config` and
    /// builds the first snapshot (generation 1).
    pub fn start(
        config: DaemonConfig,
        options: StoreOptions,
        keep: &HashSet<PathBuf>,
    ) -> Result<Self, RuntimeError> {
        declared(&config)?;
        let data_root = config.data_root().to_path_buf();
        let scripts = ScriptDir::new(&data_root);
        scripts.ensure()?;
        let report = scripts.cleanup_stale(keep)?;
        tracing::info!(
            dir = %scripts.path().display(),
            removed = report.removed.len(),
            kept = report.kept.len(),
            "cleaned up runtime scripts of a previous run"
        );
        let snapshot = build(&scripts, &options, config, 1)?;
        Ok(Self {
            current: ArcSwap::from_pointee(snapshot),
            scripts,
            data_root,
            options,
            reload_lock: Mutex::new(()),
        })
    }

    /// The current snapshot. Keep it for the whole of a request.
    pub fn load(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Replaces the snapshot with one built from `config`, and returns it.
    ///
    /// On error nothing changes (scripts written for the refused config stay:
    /// scripts are never deleted while the daemon runs) and the error is
    /// returned for the caller to log. `data-root` cannot change by a reload.
    pub fn reload(&self, config: DaemonConfig) -> Result<Arc<Snapshot>, RuntimeError> {
        let _serialized = self
            .reload_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        config.validate()?;
        if config.data_root() != self.data_root {
            return Err(RuntimeError::DataRootChanged {
                old: self.data_root.clone(),
                new: config.data_root().to_path_buf(),
            });
        }
        let generation = self.current.load().generation() + 1;
        self.scripts.ensure()?;
        let snapshot = Arc::new(build(&self.scripts, &self.options, config, generation)?);
        self.current.store(Arc::clone(&snapshot));
        Ok(snapshot)
    }

    /// The script store directory, `<data-root>/runtimes`.
    pub fn runtimes_dir(&self) -> &Path {
        self.scripts.path()
    }
}

/// Builds a snapshot of `config`, writing the scripts it needs.
fn build(
    scripts: &ScriptDir,
    options: &StoreOptions,
    config: DaemonConfig,
    generation: u64,
) -> Result<Snapshot, RuntimeError> {
    let search_path = options.search_path.as_deref();
    // Binaries found on disk now: those are probed for features.
    let mut probe = BTreeSet::new();
    let mut runtimes = BTreeMap::new();
    let runc = if options.runc.is_empty() {
        STOCK_RUNTIME
    } else {
        options.runc.as_str()
    };
    let runc_binary = locate(STOCK_RUNTIME, runc, search_path, &mut probe);
    for name in BUILTIN_RUNTIMES {
        let kind = RuntimeKind::Builtin {
            configured_path: runc.to_owned(),
            binary: runc_binary.clone(),
        };
        runtimes.insert(name.to_owned(), entry(name, kind));
    }

    let mut written = 0usize;
    for declared in declared(&config)? {
        let (name, kind) = match declared {
            Declared::Path {
                name,
                path,
                args: [],
            } => (
                name,
                RuntimeKind::Path {
                    configured_path: path.to_owned(),
                    binary: locate(name, path, search_path, &mut probe),
                },
            ),
            Declared::Path { name, path, args } => {
                let installed = scripts.install(name, &WrapperScript::new(path, args))?;
                written += usize::from(installed.written);
                probe.insert(installed.path.clone());
                (
                    name,
                    RuntimeKind::Wrapped {
                        configured_path: path.to_owned(),
                        args: args.to_vec(),
                        script: installed.path,
                    },
                )
            }
            Declared::Shim {
                name,
                runtime_type,
                options,
            } => (
                name,
                RuntimeKind::Shim {
                    runtime_type: runtime_type.to_owned(),
                    options: options.cloned(),
                },
            ),
        };
        runtimes.insert(name.to_owned(), entry(name, kind));
    }

    if let FeatureProbe::Run { timeout } = options.features {
        let features = probe_all(probe, timeout);
        for rt in runtimes.values_mut() {
            rt.features = rt.binary().and_then(|b| features.get(b).cloned().flatten());
        }
    }

    let default_runtime = config.default_runtime_name().to_owned();
    tracing::info!(
        generation,
        default_runtime = %default_runtime,
        runtimes = ?runtimes.keys().collect::<Vec<_>>(),
        scripts_written = written,
        "runtimes configured"
    );
    Ok(Snapshot {
        generation,
        config,
        default_runtime,
        runtimes,
        search_path: options.search_path.clone(),
    })
}

/// Finds the binary `path` of runtime `name`, adding it to the binaries to
/// probe; a binary not found is logged and kept as configured.
fn locate(
    name: &str,
    path: &str,
    search_path: Option<&OsStr>,
    probe: &mut BTreeSet<PathBuf>,
) -> PathBuf {
    match find_executable(path, search_path) {
        Ok(found) => {
            probe.insert(found.clone());
            found
        }
        Err(err) => {
            tracing::warn!(runtime = name, path, error = %err, "runtime binary not found");
            PathBuf::from(path)
        }
    }
}

fn entry(name: &str, kind: RuntimeKind) -> RuntimeEntry {
    RuntimeEntry {
        name: name.to_owned(),
        kind,
        features: None,
    }
}

/// Probes every binary in parallel; each takes at most `timeout`.
fn probe_all(binaries: BTreeSet<PathBuf>, timeout: Duration) -> BTreeMap<PathBuf, Option<Value>> {
    std::thread::scope(|scope| {
        let running: Vec<_> = binaries
            .into_iter()
            .map(|binary| {
                let job = binary.clone();
                (binary, scope.spawn(move || probe_features(&job, timeout)))
            })
            .collect();
        running
            .into_iter()
            .map(|(binary, handle)| (binary, handle.join().ok().flatten()))
            .collect()
    })
}
