//! `docker kill`: a signal to the main process; which signals count as a
//! user stop (no restart by policy after them).

use std::sync::Arc;

use super::common::{cancel_restart, signal_or_400, wait_exit, KILL_GRACE};
use crate::containers::error::{ContainerError, Result};
use crate::containers::events::publish;
use crate::containers::record::{Record, Status};
use crate::containers::runc::{parse_signal, Runtime};
use crate::containers::state::{self, Event};
use crate::containers::store::Container;
use crate::containers::Services;

/// Whether `docker kill -s signal` counts as a user stop (no restart by
/// policy after it): SIGKILL, or the container's stop signal (SIGTERM
/// unless configured).
fn kill_stops(record: &Record, signal: i32) -> bool {
    let stop_signal = record
        .config
        .stop_signal
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(parse_signal)
        .unwrap_or(libc::SIGTERM);
    signal == libc::SIGKILL || signal == stop_signal
}

/// Sends a signal (default SIGKILL) to the container's main process.
pub async fn kill(engine: &Arc<Services>, c: &Arc<Container>, signal: &str) -> Result<()> {
    let record = c.record();
    state::check_signal(&record)?;
    let signal = if signal.is_empty() {
        libc::SIGKILL
    } else {
        signal_or_400(signal)?
    };
    let stops = kill_stops(&record, signal);
    if record.state.status == Status::Restarting {
        // No process to signal: a stopping signal ends the wait.
        if stops {
            cancel_restart(c)?;
        }
        publish(engine, "kill", &record, &[("signal", signal.to_string())]);
        return Ok(());
    }
    let exits = c.watch().borrow().exits;
    if stops {
        c.transition(Event::StoppedByUser)?;
    }
    let rt = Runtime::new(&record.runtime);
    rt.kill(&c.id, signal, false).await.map_err(|e| {
        if e.is_not_running() {
            ContainerError::NotRunning(c.id.clone())
        } else {
            ContainerError::Runtime(format!("Cannot kill container: {}: {e}", c.id))
        }
    })?;
    publish(engine, "kill", &record, &[("signal", signal.to_string())]);
    if signal == libc::SIGKILL {
        if record.state.status == Status::Paused {
            let _ = rt.resume(&c.id).await;
        }
        wait_exit(c, exits, Some(KILL_GRACE)).await;
    }
    Ok(())
}
