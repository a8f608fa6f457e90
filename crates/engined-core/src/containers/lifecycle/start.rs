//! `docker start`, and the restart policy's start: the runtime recorded
//! for the run, the bundle, the supervisor, attach clients that came
//! before the start, the runtime's start, and the watch on the new run
//! ([`super::exit`]).

use std::sync::Arc;

use super::common::now;
use super::exit::spawn_monitor;
use super::remove::remove;
use crate::containers::bundle::{self, BundleOptions};
use crate::containers::error::{ContainerError, Result};
use crate::containers::events::publish;
use crate::containers::health;
use crate::containers::network;
use crate::containers::record::{Record, RecordedRuntime, Status};
use crate::containers::rootfs;
use crate::containers::state::{self, Event};
use crate::containers::store::{Container, PendingAttach};
use crate::containers::supervisor::client;
use crate::containers::supervisor::{Reply, Request};
use crate::containers::Services;

/// Docker's exit code for a process the runtime could not start.
fn start_failure_code(message: &str) -> i64 {
    if message.contains("executable file not found")
        || message.contains("no such file or directory")
    {
        127
    } else if message.contains("permission denied") {
        126
    } else {
        128
    }
}

/// Who asks for a start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trigger {
    /// `docker start`/`restart`, or the daemon coming up: the restart
    /// count, the user-stop mark and the back-off start over.
    Explicit,
    /// The restart policy, for a container waiting in `restarting`.
    Policy,
}

/// Starts the container; `Ok(false)` when it already runs.
pub async fn start(engine: &Arc<Services>, c: &Arc<Container>) -> Result<bool> {
    let result = {
        let _op = c.op.lock().await;
        start_locked(engine, c, Trigger::Explicit).await
    };
    // A `--rm` container that cannot start is removed, as dockerd does
    // (`docker run --rm` waits for that).
    if result.is_err() && c.record().host_config.auto_remove.unwrap_or(false) {
        if let Err(e) = remove(engine, c, true, true).await {
            tracing::warn!("auto-removing container {}: {e}", c.id);
        }
    }
    result
}

/// The restart policy's start of a container waiting in `restarting`
/// since its run number `exits` ended; `Ok(false)` when that wait is over
/// (a user stopped, started or removed it meanwhile, or the daemon is
/// going down). A failed start leaves it exited.
pub async fn start_by_policy(
    engine: &Arc<Services>,
    c: &Arc<Container>,
    exits: u64,
) -> Result<bool> {
    let _op = c.op.lock().await;
    let progress = c.watch().borrow().clone();
    let record = c.record();
    if progress.removed
        || progress.exits != exits
        || record.state.status != Status::Restarting
        || record.state.stopped_by_user
        || engine.is_shutting_down()
    {
        return Ok(false);
    }
    let result = start_locked(engine, c, Trigger::Policy).await;
    if let Err(e) = &result {
        let _ = c.transition(Event::RestartFailed {
            error: e.to_string(),
        });
    }
    result
}

pub(super) async fn start_locked(
    engine: &Arc<Services>,
    c: &Arc<Container>,
    trigger: Trigger,
) -> Result<bool> {
    // A run that just ended may still be taking its namespace and
    // endpoints down; this run makes new ones at the same places.
    c.settled().await;
    let record = c.record();
    if !state::start_needed(&record, trigger == Trigger::Explicit)? {
        return Ok(false);
    }
    spawn_supervisor(engine, c, &record).await?;
    let started = begin_run(engine, c, trigger, &record).await;
    if started.is_err() {
        network::teardown(engine, &c.id).await;
    }
    started
}

/// Everything before the run: the runtime as configured now (recorded for
/// every later call), the network, the bundle, and the supervisor, which
/// then waits for `start`. The network comes up before the bundle (its
/// /etc/hosts names the address) and goes down again when a later step
/// fails.
async fn spawn_supervisor(
    engine: &Arc<Services>,
    c: &Arc<Container>,
    record: &Record,
) -> Result<()> {
    let containers = &engine.containers;
    let snapshot = engine.snapshot();
    let resolved = snapshot
        .resolve(record.runtime_name())
        .map_err(|e| ContainerError::Runtime(e.to_string()))?;
    resolved
        .preflight()
        .map_err(|e| ContainerError::Runtime(e.to_string()))?;
    let runtime = RecordedRuntime {
        name: resolved.name().to_string(),
        binary: resolved.binary().to_path_buf(),
        root: containers.runtime_root.clone(),
    };
    let run_network = network::setup(engine, record).await?;
    let spawned = async {
        let options = BundleOptions {
            runtime: runtime.clone(),
            layout: c.layout.clone(),
            network: run_network,
        };
        let prepared = {
            let record = record.clone();
            tokio::task::spawn_blocking(move || bundle::prepare(&record, &options))
                .await
                .map_err(|e| ContainerError::Supervisor(format!("preparing the bundle: {e}")))?
        }?;
        c.update(|r| r.runtime = runtime.clone())?;
        if let Err(e) = client::spawn(&containers.shim, &prepared).await {
            let _ = rootfs::unmount(&record.driver, &c.layout);
            return Err(ContainerError::Supervisor(format!(
                "starting the container's supervisor: {e}"
            )));
        }
        Ok(())
    }
    .await;
    if spawned.is_err() {
        network::teardown(engine, &c.id).await;
    }
    spawned
}

/// The run itself, once the supervisor waits: attach clients that came
/// before the start, the start request, and the record of its outcome.
async fn begin_run(
    engine: &Arc<Services>,
    c: &Arc<Container>,
    trigger: Trigger,
    record: &Record,
) -> Result<bool> {
    // Attach clients that came before the start get everything.
    for pending in c.take_pending() {
        connect_pending(&c.layout.bundle, pending).await;
    }
    let (reply, conn) = client::request(&c.layout.bundle, &Request::Start)
        .await
        .map_err(|e| ContainerError::Supervisor(format!("starting the container: {e}")))?;
    match reply {
        Reply::Started { pid } => {
            let record = c.transition(Event::Started {
                pid: pid as i64,
                at: now(),
                explicit: trigger == Trigger::Explicit,
            })?;
            if trigger == Trigger::Explicit {
                c.reset_backoff();
            }
            publish(engine, "start", &record, &[]);
            spawn_monitor(engine.clone(), c.clone(), conn, pid as i64);
            health::begin(engine, c);
            Ok(true)
        }
        Reply::Error { message } => {
            let _ = rootfs::unmount(&record.driver, &c.layout);
            let code = start_failure_code(&message);
            c.transition(Event::StartFailed {
                exit_code: code,
                message: message.clone(),
            })?;
            Err(ContainerError::StartFailed(message))
        }
        other => Err(ContainerError::Supervisor(format!(
            "unexpected supervisor reply: {}",
            String::from_utf8_lossy(&other.line()).trim()
        ))),
    }
}

async fn connect_pending(bundle: &std::path::Path, pending: PendingAttach) {
    if pending.deliver.is_closed() {
        return;
    }
    let request = Request::Attach {
        stdin: pending.stdin,
        stdout: pending.stdout,
        stderr: pending.stderr,
    };
    match client::request(bundle, &request).await {
        Ok((Reply::Ok, conn)) => {
            let _ = pending.deliver.send(conn);
        }
        Ok((other, _)) => tracing::warn!("attach: supervisor answered {other:?}"),
        Err(e) => tracing::warn!("attach: {e}"),
    }
}
