//! The policy in use, replaced whole (read-copy-update): each request
//! reads the snapshot current when it arrives; SIGHUP loads the file
//! again and swaps a valid new policy in; an invalid file is refused with
//! its `file:line:col` in the log and the running policy stays.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::policy::{Policy, PolicyError};

/// The current policy, shared by every listener.
#[derive(Clone, Debug)]
pub struct SharedPolicy(Arc<ArcSwap<Policy>>);

impl SharedPolicy {
    /// Starts with `policy`.
    pub fn new(policy: Policy) -> SharedPolicy {
        SharedPolicy(Arc::new(ArcSwap::from_pointee(policy)))
    }

    /// The snapshot to decide one request with.
    pub fn load(&self) -> Arc<Policy> {
        self.0.load_full()
    }

    /// Loads `path` and, when valid, makes it current.
    pub fn reload(&self, path: &Path) -> Result<(), PolicyError> {
        let policy = Policy::load(path)?;
        self.0.store(Arc::new(policy));
        Ok(())
    }
}

/// Reloads `path` into `shared` on every SIGHUP, for as long as the
/// process runs.
pub async fn on_sighup(path: PathBuf, shared: SharedPolicy) -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hup = signal(SignalKind::hangup())?;
    while hup.recv().await.is_some() {
        match shared.reload(&path) {
            Ok(()) => tracing::info!("policy reloaded from {}", path.display()),
            Err(e) => tracing::error!("policy reload refused, the current policy stays: {e}"),
        }
    }
    Ok(())
}
