//! `docker stop`: the stop signal, SIGKILL after the timeout; for a
//! container waiting for a policy restart, the end of that wait.

use std::sync::Arc;
use std::time::Duration;

use super::common::{cancel_restart, signal_or_400, wait_exit, KILL_GRACE};
use crate::containers::error::{ContainerError, Result};
use crate::containers::events::publish;
use crate::containers::record::Status;
use crate::containers::runc::Runtime;
use crate::containers::state::Event;
use crate::containers::store::Container;
use crate::containers::Services;

/// Stops the container: its stop signal, then SIGKILL after the timeout.
/// `Ok(false)` when it was not running.
pub async fn stop(
    engine: &Arc<Services>,
    c: &Arc<Container>,
    signal: Option<&str>,
    timeout: Option<i64>,
) -> Result<bool> {
    let _op = c.op.lock().await;
    stop_locked(engine, c, signal, timeout).await
}

pub(super) async fn stop_locked(
    engine: &Arc<Services>,
    c: &Arc<Container>,
    signal: Option<&str>,
    timeout: Option<i64>,
) -> Result<bool> {
    let record = c.record();
    if !record.state.status.is_running() {
        return Ok(false);
    }
    if record.state.status == Status::Restarting {
        // Nothing runs: the stop is the end of the wait for a restart.
        cancel_restart(c)?;
        publish(engine, "stop", &c.record(), &[]);
        return Ok(true);
    }
    let signal_text = signal
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| record.config.stop_signal.clone().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "SIGTERM".to_string());
    let signal = signal_or_400(&signal_text)?;
    let timeout = timeout.or(record.config.stop_timeout).unwrap_or(10);
    let exits = c.watch().borrow().exits;
    c.transition(Event::StoppedByUser)?;
    let rt = Runtime::new(&record.runtime);
    let paused = record.state.status == Status::Paused;
    if timeout != 0 {
        match rt.kill(&c.id, signal, false).await {
            Ok(()) => publish(engine, "kill", &record, &[("signal", signal.to_string())]),
            Err(e) if e.is_not_running() => {}
            Err(e) => tracing::warn!("container {}: stop signal: {e}", c.id),
        }
        if paused {
            let _ = rt.resume(&c.id).await;
        }
        let limit = (timeout > 0).then(|| Duration::from_secs(timeout as u64));
        if wait_exit(c, exits, limit).await {
            publish(engine, "stop", &c.record(), &[]);
            return Ok(true);
        }
    }
    match rt.kill(&c.id, libc::SIGKILL, true).await {
        Ok(()) => publish(engine, "kill", &record, &[("signal", "9".into())]),
        Err(e) if e.is_not_running() => {}
        Err(e) => {
            return Err(ContainerError::Runtime(format!(
                "cannot kill container {}: {e}",
                c.id
            )))
        }
    }
    if paused {
        let _ = rt.resume(&c.id).await;
    }
    if !wait_exit(c, exits, Some(KILL_GRACE)).await {
        return Err(ContainerError::Supervisor(format!(
            "container {} did not exit after SIGKILL",
            c.id
        )));
    }
    publish(engine, "stop", &c.record(), &[]);
    Ok(true)
}
