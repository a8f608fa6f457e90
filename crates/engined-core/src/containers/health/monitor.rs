//! The probe loop of one run: begun after a start (or an unpause, or
//! when the daemon finds the container running at its own start), ended
//! at the run's exit or a pause. At most one per container: beginning
//! one ends the one before. A result is recorded only while the run it
//! was begun for still runs; each change of level is a `health_status:
//! <level>` event.

use std::sync::Arc;
use std::time::Duration;

use super::probe;
use crate::containers::events::publish;
use crate::containers::health_state::{self as status, Level, ProbeSettings};
use crate::containers::record::Status;
use crate::containers::store::Container;
use crate::containers::Services;
use crate::sync::lock;
use crate::time::{now_nanos, unix_nanos_of};

/// Begins the probe loop of `c`'s current run (when it runs and has a
/// probe), ending any loop before it.
pub fn begin(engine: &Arc<Services>, c: &Arc<Container>) {
    end(c);
    let record = c.record();
    let Some(settings) = ProbeSettings::of(&record.config) else {
        return;
    };
    if record.state.status != Status::Running {
        return;
    }
    let run = Run {
        pid: record.state.pid,
        started: unix_nanos_of(&record.state.started_at),
    };
    let task = tokio::spawn(watch(engine.clone(), c.clone(), settings, run));
    *lock(&c.health_monitor) = Some(task.abort_handle());
}

/// Ends the probe loop of `c`, if one runs (a probe under way is left to
/// finish; its result is not recorded).
pub fn end(c: &Container) {
    if let Some(task) = lock(&c.health_monitor).take() {
        task.abort();
    }
}

/// At daemon start, for a container found running: its health starts
/// over, as for a new run, and the loop begins.
pub fn restored(engine: &Arc<Services>, c: &Arc<Container>) {
    if let Err(e) = c.update(|r| status::reset_for_run(&r.config, &mut r.state.health)) {
        tracing::warn!("container {}: resetting its health: {e}", c.id);
    }
    begin(engine, c);
}

/// The run a loop belongs to.
#[derive(Debug, Clone, Copy)]
struct Run {
    pid: i64,
    /// When it started (Unix nanoseconds).
    started: i64,
}

fn since(started: i64, at: i64) -> Duration {
    Duration::from_nanos(u64::try_from(at - started).unwrap_or(0))
}

async fn watch(engine: Arc<Services>, c: Arc<Container>, settings: ProbeSettings, run: Run) {
    loop {
        let level = c
            .record()
            .state
            .health
            .map_or(Level::Starting, |h| h.status);
        let delay = settings.next_delay(since(run.started, now_nanos()), level);
        tokio::time::sleep(delay).await;
        let began = now_nanos();
        let result = probe::run(&engine, &c, &settings).await;
        let recorded = c.update(|r| {
            if r.state.status != Status::Running || r.state.pid != run.pid {
                return None;
            }
            let health = r.state.health.get_or_insert_with(Default::default);
            Some(health.record(result, since(run.started, began), &settings))
        });
        match recorded {
            Ok(Some(Some(level))) => publish(
                &engine,
                &format!("health_status: {}", level.as_str()),
                &c.record(),
                &[],
            ),
            Ok(Some(None)) => {}
            // The run is over.
            Ok(None) => return,
            Err(e) => tracing::warn!("container {}: recording its health: {e}", c.id),
        }
    }
}
