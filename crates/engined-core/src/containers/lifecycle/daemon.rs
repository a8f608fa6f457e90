//! The daemon's own start and stop: at start, the containers that ran
//! while it was away (reconnected, their exits recorded, interrupted
//! removals finished, crash-orphaned runs adopted); at a clean stop, every
//! running container stopped.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::common::{now, wait_supervisor_gone};
use super::exit::{exited, spawn_monitor};
use super::remove::remove;
use super::stop::stop;
use crate::containers::events::publish;
use crate::containers::health;
use crate::containers::network;
use crate::containers::record::Status;
use crate::containers::restart;
use crate::containers::state::Event;
use crate::containers::store::Container;
use crate::containers::supervisor::client::{self, START_TIMEOUT};
use crate::containers::supervisor::{Reply, Request};
use crate::containers::Services;

/// A clean daemon stop without `live-restore`: every running container is
/// stopped as `docker stop` would (its stop signal, then SIGKILL after its
/// stop timeout), all at once. Not as by its user: the restart policies
/// bring them back at the next start, as dockerd's do.
pub async fn stop_for_shutdown(engine: &Arc<Services>) {
    let stops = engine
        .containers
        .all()
        .into_iter()
        .filter(|c| matches!(c.record().state.status, Status::Running | Status::Paused))
        .map(|c| async move {
            tracing::info!("container {}: stopped with the daemon", c.id);
            if let Err(e) = stop(engine, &c, None, None).await {
                tracing::warn!("container {}: stop at shutdown: {e}", c.id);
            }
            if let Err(e) = c.transition(Event::StoppedWithDaemon) {
                tracing::warn!("container {}: {e}", c.id);
            }
        });
    futures_util::future::join_all(stops).await;
}

/// At daemon start: reconnects to the supervisors of containers that were
/// running, records the exits that happened meanwhile, finishes removals
/// a crash interrupted.
pub async fn restore(engine: &Arc<Services>) {
    for c in engine.containers.all() {
        let record = c.record();
        match record.state.status {
            // The daemon went away while it restarted this one (the new
            // run is adopted) or waited to (the wait starts again).
            Status::Restarting if adopt(engine, &c).await => {}
            Status::Restarting => {
                let exits = c.watch().borrow().exits;
                super::schedule(engine.clone(), c.clone(), restart::FIRST_DELAY, exits);
            }
            s if s.is_running() => match client::open(&c.layout.bundle, &Request::Wait).await {
                Ok(conn) => {
                    spawn_monitor(engine.clone(), c.clone(), conn, record.state.pid);
                    health::restored(engine, &c);
                }
                Err(_) => exited(engine, &c, record.state.pid, None).await,
            },
            Status::Removing => {
                if let Err(e) = remove(engine, &c, true, false).await {
                    tracing::warn!("finishing the removal of {}: {e}", c.id);
                }
            }
            _ if adopt(engine, &c).await => {}
            Status::Exited if record.host_config.auto_remove.unwrap_or(false) => {
                if let Err(e) = remove(engine, &c, true, true).await {
                    tracing::warn!("auto-removing {}: {e}", c.id);
                }
            }
            _ => {}
        }
    }
    // What runs that ended meanwhile left behind (links, namespace files).
    network::restore(engine).await;
}

/// A container recorded as not running whose supervisor runs it anyway:
/// the daemon crashed between starting it and recording that. Records the
/// run and watches it; `false` when there is no such run.
async fn adopt(engine: &Arc<Services>, c: &Arc<Container>) -> bool {
    let pid = match client::request(&c.layout.bundle, &Request::State).await {
        Ok((Reply::State { pid, running: true }, _)) => pid,
        Ok((Reply::State { pid: 0, .. }, _)) => match settle_unstarted(&c.layout.bundle).await {
            Some(pid) => pid,
            None => return false,
        },
        _ => return false,
    };
    let Ok(conn) = client::open(&c.layout.bundle, &Request::Wait).await else {
        return false;
    };
    let record = c.transition(Event::Adopted {
        pid: pid as i64,
        at: now(),
    });
    match record {
        Ok(record) => {
            tracing::info!("container {}: adopted a run started before a crash", c.id);
            publish(engine, "start", &record, &[]);
            spawn_monitor(engine.clone(), c.clone(), conn, pid as i64);
            health::begin(engine, c);
            true
        }
        Err(e) => {
            tracing::error!("container {}: {e}", c.id);
            false
        }
    }
}

/// A supervisor that answers but has no run: the daemon crashed after
/// spawning it, before or while asking for the start. One that no start
/// reached is told to give up (else it would sit on the bundle until its
/// start timeout, beside the supervisor of the container's next start);
/// one that is starting the run is waited for, at most [`START_TIMEOUT`].
/// The pid of the run when there is one.
async fn settle_unstarted(bundle: &Path) -> Option<i32> {
    match client::request(bundle, &Request::Abandon).await {
        Ok((Reply::Ok, _)) => {
            wait_supervisor_gone(bundle).await;
            return None;
        }
        // The run has begun (or an older supervisor that does not know
        // the request, which then times out and goes by itself).
        Ok((Reply::Error { .. }, _)) => {}
        _ => return None,
    }
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    while tokio::time::Instant::now() < deadline {
        match client::request(bundle, &Request::State).await {
            Ok((Reply::State { pid, running: true }, _)) => return Some(pid),
            Ok((Reply::State { pid: 0, .. }, _)) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // Ended already, failed to start, or gone.
            _ => return None,
        }
    }
    None
}
