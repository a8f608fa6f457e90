//! The restart policy's side effects: the timer that starts a container
//! again once [`crate::containers::restart::decide`]'s delay is over (unless something
//! came between), and the starts at daemon start.

use std::sync::Arc;
use std::time::Duration;

use crate::containers::lifecycle;
use crate::containers::restart::starts_with_daemon;
use crate::containers::store::Container;
use crate::containers::Services;

/// Starts `c` again after `delay`, if it is still waiting for this
/// restart then: `exits` is the number of runs ended when the restart was
/// decided, so a later run's restart never fires early.
pub fn schedule(engine: Arc<Services>, c: Arc<Container>, delay: Duration, exits: u64) {
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Err(e) = lifecycle::start_by_policy(&engine, &c, exits).await {
            tracing::warn!("container {}: restart by policy: {e}", c.id);
        }
    });
}

/// Starts, at daemon start, the containers [`starts_with_daemon`] picks.
pub async fn start_at_daemon_start(engine: &Arc<Services>) {
    for c in engine.containers.all() {
        if !starts_with_daemon(&c.record()) {
            continue;
        }
        tracing::info!("container {}: started by its restart policy", c.id);
        if let Err(e) = lifecycle::start(engine, &c).await {
            tracing::warn!("container {}: start by restart policy: {e}", c.id);
        }
    }
}
