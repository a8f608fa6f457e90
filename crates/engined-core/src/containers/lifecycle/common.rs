//! What the verbs share: the time stamps they record, the wait for a run to end, signal names,
//! the end of a wait for a policy restart, a finished run's `exit.json`, the wait for a
//! supervisor to go.

use std::time::{Duration, SystemTime};

use crate::containers::error::{ContainerError, Result};
use crate::containers::runc::parse_signal;
use crate::containers::state::Event;
use crate::containers::store::Container;
use crate::containers::supervisor::client;
use crate::containers::supervisor::protocol::EXIT_FILE;
use crate::containers::supervisor::Exit;
use engined_shim::logs::format_time;

/// How long `kill -9` gets to take effect before we stop waiting.
pub(super) const KILL_GRACE: Duration = Duration::from_secs(10);

pub(super) fn now() -> String {
    format_time(SystemTime::now())
}

pub(super) fn read_exit_file(c: &Container) -> Option<Exit> {
    let bytes = std::fs::read(c.layout.dir.join(EXIT_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Waits until the run counter passes `exits` or the container is not
/// running (and no run's end is still under way, so its network is
/// down); `None` waits forever. Returns whether it happened.
pub(super) async fn wait_exit(c: &Container, exits: u64, limit: Option<Duration>) -> bool {
    let mut watch = c.watch();
    let done =
        watch.wait_for(|p| p.exits > exits || (!p.status.is_running() && !p.ending) || p.removed);
    match limit {
        Some(limit) => tokio::time::timeout(limit, done)
            .await
            .is_ok_and(|r| r.is_ok()),
        None => done.await.is_ok(),
    }
}

pub(super) fn signal_or_400(text: &str) -> Result<i32> {
    parse_signal(text)
        .ok_or_else(|| ContainerError::InvalidArgument(format!("Invalid signal: {text}")))
}

/// A container waiting in `restarting` stays stopped instead, marked as
/// stopped by the user.
pub(super) fn cancel_restart(c: &Container) -> Result<()> {
    c.transition(Event::StoppedByUser).map(drop)
}

/// Waits (at most [`KILL_GRACE`]) until the supervisor at `bundle` stops
/// answering, so that it is not writing its files while the caller goes on
/// with the bundle.
pub(super) async fn wait_supervisor_gone(bundle: &std::path::Path) {
    let deadline = tokio::time::Instant::now() + KILL_GRACE;
    while client::connect(bundle).await.is_ok() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
