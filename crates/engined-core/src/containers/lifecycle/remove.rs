//! `docker rm`: refused for running containers unless forced (then
//! killed first), the runtime's state, the root filesystem and the
//! container's directories, with `-v` its anonymous volumes.

use std::collections::BTreeMap;
use std::sync::Arc;

use engine_api::types::EventMessageType;

use super::common::{cancel_restart, read_exit_file, wait_exit, wait_supervisor_gone, KILL_GRACE};
use crate::containers::error::{ContainerError, Result};
use crate::containers::events::publish;
use crate::containers::network;
use crate::containers::record::Status;
use crate::containers::rootfs;
use crate::containers::runc::Runtime;
use crate::containers::state::{self, Event};
use crate::containers::store::Container;
use crate::containers::supervisor::client;
use crate::containers::Services;

/// Removes the container (killing it first when `force`), its files, and
/// with `volumes` its anonymous volumes.
pub async fn remove(
    engine: &Arc<Services>,
    c: &Arc<Container>,
    force: bool,
    volumes: bool,
) -> Result<()> {
    let _op = c.op.lock().await;
    if c.watch().borrow().removed {
        return Ok(());
    }
    let record = c.record();
    state::check(&record, &Event::Removing { force })?;
    let rt = Runtime::new(&record.runtime);
    // What ends now stays ended, whatever the restart policy.
    cancel_restart(c)?;
    if matches!(record.state.status, Status::Running | Status::Paused) {
        let exits = c.watch().borrow().exits;
        // dockerd announces the SIGKILL of a forced removal, as for `kill`;
        // announced before it is sent, so that it always comes before the
        // `die` the exit monitor publishes as soon as the process is gone.
        publish(engine, "kill", &record, &[("signal", "9".into())]);
        let _ = rt.kill(&c.id, libc::SIGKILL, true).await;
        if record.state.status == Status::Paused {
            let _ = rt.resume(&c.id).await;
        }
        if !wait_exit(c, exits, Some(KILL_GRACE)).await {
            tracing::warn!(
                "container {} did not exit after SIGKILL; removing anyway",
                c.id
            );
        }
    }
    c.transition(Event::Removing { force: true })?;
    // A daemon killed between a supervisor's start and the record of the
    // run leaves a run that the record calls `created`; restore's adoption
    // can miss it when it asked before the run began. A supervisor that
    // still answers means such a run: it is deleted with the rest.
    let unrecorded_run =
        record.state.status == Status::Created && client::connect(&c.layout.bundle).await.is_ok();
    // The supervisor deletes the runtime's state itself (and records the
    // exit when it does); this is for a run it did not finish.
    let finished =
        (record.state.status == Status::Created && !unrecorded_run) || read_exit_file(c).is_some();
    if !finished {
        if let Err(e) = rt.delete(&c.id).await {
            if !e.is_not_running() {
                tracing::debug!("container {}: runtime delete: {e}", c.id);
            }
        }
    }
    if unrecorded_run {
        tracing::info!("container {}: deleted a run its record did not know", c.id);
        wait_supervisor_gone(&c.layout.bundle).await;
    }
    let layout = c.layout.clone();
    let driver = record.driver.clone();
    let removed = tokio::task::spawn_blocking(move || {
        rootfs::unmount(&driver, &layout)?;
        remove_tree(&layout.bundle)?;
        remove_tree(&layout.dir)
    })
    .await
    .map_err(|e| ContainerError::Supervisor(format!("removing files: {e}")))?;
    if let Err(e) = removed {
        let _ = c.transition(Event::RemoveFailed {
            error: e.to_string(),
        });
        return Err(ContainerError::io(
            format!("removing container {}", c.id),
            e,
        ));
    }
    network::forget(engine, &c.id).await;
    engine.containers.forget(c);
    if volumes {
        for m in record.mounts.iter().filter(|m| m.anonymous) {
            match engine
                .volumes
                .remove(&m.name, engine.containers.volume_user(&m.name))
            {
                Ok(_) => {
                    let mut attributes = BTreeMap::new();
                    attributes.insert("driver".to_string(), "local".to_string());
                    engine
                        .events
                        .publish(EventMessageType::Volume, "destroy", &m.name, attributes);
                }
                Err(e) => tracing::warn!("removing volume {}: {e}", m.name),
            }
        }
    }
    publish(engine, "destroy", &record, &[]);
    c.note_removed();
    Ok(())
}

fn remove_tree(path: &std::path::Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
