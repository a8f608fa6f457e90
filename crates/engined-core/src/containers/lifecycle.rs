//! A container's life after create: start (bundle, supervisor, pending
//! attach clients, the runtime), the exit (recorded, announced, auto
//! removal, the restart policy), stop, kill, restart, pause, wait,
//! rename, remove, and the daemon-start restore of containers that ran
//! while it was away. Every runtime call uses the binary the container
//! recorded at start.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use engine_api::types::{ContainerWaitCondition, EventMessageType};

use super::bundle::{self, BundleOptions};
use super::error::{ContainerError, Result};
use super::record::{Record, RecordedRuntime, Status};
use super::restart::{self, Ending, Policy};
use super::rootfs;
use super::runc::{parse_signal, Runtime};
use super::state::{self, Event};
use super::store::{Container, PendingAttach};
use super::supervisor::client::{self, Connection};
use super::supervisor::protocol::EXIT_FILE;
use super::supervisor::{Exit, Reply, Request};
use crate::engine::Engine;
use engined_shim::cgroups::{self, Cgroup};
use engined_shim::logs::format_time;

/// How long `kill -9` gets to take effect before we stop waiting.
const KILL_GRACE: Duration = Duration::from_secs(10);

/// Publishes a container event with Docker's attributes: name, image,
/// the labels, and `extra`.
pub fn publish(engine: &Engine, action: &str, record: &Record, extra: &[(&str, String)]) {
    let mut attributes = BTreeMap::new();
    for (k, v) in record.config.labels.iter().flatten() {
        attributes.insert(k.clone(), v.clone());
    }
    attributes.insert("image".to_string(), record.image.clone());
    attributes.insert("name".to_string(), record.name.clone());
    for (k, v) in extra {
        attributes.insert(k.to_string(), v.clone());
    }
    engine
        .events
        .publish(EventMessageType::Container, action, &record.id, attributes);
}

fn now() -> String {
    format_time(SystemTime::now())
}

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
enum Trigger {
    /// `docker start`/`restart`, or the daemon coming up: the restart
    /// count, the user-stop mark and the back-off start over.
    Explicit,
    /// The restart policy, for a container waiting in `restarting`.
    Policy,
}

/// Starts the container; `Ok(false)` when it already runs.
pub async fn start(engine: &Arc<Engine>, c: &Arc<Container>) -> Result<bool> {
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
pub async fn start_by_policy(engine: &Arc<Engine>, c: &Arc<Container>, exits: u64) -> Result<bool> {
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

async fn start_locked(engine: &Arc<Engine>, c: &Arc<Container>, trigger: Trigger) -> Result<bool> {
    let record = c.record();
    if !state::start_needed(&record, trigger == Trigger::Explicit)? {
        return Ok(false);
    }
    let containers = &engine.containers;
    // The runtime as configured now; recorded for every later call.
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
    let options = BundleOptions {
        runtime: runtime.clone(),
        layout: c.layout.clone(),
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

/// Waits (in the background) for the run started with `pid` to end.
fn spawn_monitor(engine: Arc<Engine>, c: Arc<Container>, mut conn: Connection, pid: i64) {
    tokio::spawn(async move {
        let exit = loop {
            match conn.next_reply().await {
                Ok(Some(Reply::Exited(exit))) => break Some(exit),
                Ok(Some(_)) => continue,
                _ => break None,
            }
        };
        exited(&engine, &c, pid, exit).await;
    });
}

fn read_exit_file(c: &Container) -> Option<Exit> {
    let bytes = std::fs::read(c.layout.dir.join(EXIT_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Records the end of the run started with `pid`: from the supervisor's
/// word, its `exit.json`, or (supervisor gone without a word) as lost.
async fn exited(engine: &Arc<Engine>, c: &Arc<Container>, pid: i64, exit: Option<Exit>) {
    let exit = match exit.or_else(|| read_exit_file(c)) {
        Some(exit) => exit,
        None => {
            // The supervisor died without recording an exit: make sure the
            // container is gone too.
            let record = c.record();
            let rt = Runtime::new(&record.runtime);
            let _ = rt.kill(&c.id, libc::SIGKILL, true).await;
            // Before the runtime's delete removes the cgroup that counts them.
            let oom_killed = Cgroup::of_container(Path::new(cgroups::ROOT), &c.id)
                .oom_kills()
                .is_ok_and(|kills| kills > 0);
            let _ = rt.delete(&c.id).await;
            let _ = rootfs::unmount(&record.driver, &c.layout);
            Exit {
                exit_code: 255,
                pid: pid as i32,
                finished_at: now(),
                oom_killed,
            }
        }
    };
    let lost = exit.exit_code == 255 && read_exit_file(c).is_none();
    let shutting_down = engine.is_shutting_down();
    let applied = c.transition_with(|r| Event::Exited {
        pid,
        exit_code: exit.exit_code as i64,
        finished_at: exit.finished_at.clone(),
        oom_killed: exit.oom_killed,
        lost,
        restart: restart::restarts_after(
            Policy::of(r),
            Ending {
                exit_code: exit.exit_code as i64,
                restart_count: r.restart_count,
                stopped_by_user: r.state.stopped_by_user,
                shutting_down,
            },
        ),
    });
    let record = match applied {
        Ok(record) => record,
        // Not the current run any more (a user's stop or removal, or a
        // newer run, recorded it first).
        Err(ContainerError::IllegalTransition { .. }) => return,
        Err(e) => {
            tracing::error!("container {}: {e}", c.id);
            return;
        }
    };
    // dockerd announces the OOM kill before the death it caused.
    if exit.oom_killed {
        publish(engine, "oom", &record, &[]);
    }
    publish(
        engine,
        "die",
        &record,
        &[("exitCode", exit.exit_code.to_string())],
    );
    c.note_exit();
    if record.state.status == Status::Restarting {
        let delay = restart::next_delay(c, &record);
        let exits = c.watch().borrow().exits;
        restart::schedule(engine.clone(), c.clone(), delay, exits);
        return;
    }
    if record.host_config.auto_remove.unwrap_or(false) {
        let engine = engine.clone();
        let c = c.clone();
        tokio::spawn(async move {
            if let Err(e) = remove(&engine, &c, true, true).await {
                tracing::warn!("auto-removing container {}: {e}", c.id);
            }
        });
    }
}

/// Waits until the run counter passes `exits` or the container is not
/// running; `None` waits forever. Returns whether it happened.
async fn wait_exit(c: &Container, exits: u64, limit: Option<Duration>) -> bool {
    let mut watch = c.watch();
    let done = watch.wait_for(|p| p.exits > exits || !p.status.is_running() || p.removed);
    match limit {
        Some(limit) => tokio::time::timeout(limit, done)
            .await
            .is_ok_and(|r| r.is_ok()),
        None => done.await.is_ok(),
    }
}

fn signal_or_400(text: &str) -> Result<i32> {
    parse_signal(text)
        .ok_or_else(|| ContainerError::InvalidArgument(format!("Invalid signal: {text}")))
}

/// Stops the container: its stop signal, then SIGKILL after the timeout.
/// `Ok(false)` when it was not running.
pub async fn stop(
    engine: &Arc<Engine>,
    c: &Arc<Container>,
    signal: Option<&str>,
    timeout: Option<i64>,
) -> Result<bool> {
    let _op = c.op.lock().await;
    stop_locked(engine, c, signal, timeout).await
}

async fn stop_locked(
    engine: &Arc<Engine>,
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

/// A container waiting in `restarting` stays stopped instead, marked as
/// stopped by the user.
fn cancel_restart(c: &Container) -> Result<()> {
    c.transition(Event::StoppedByUser).map(drop)
}

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
pub async fn kill(engine: &Arc<Engine>, c: &Arc<Container>, signal: &str) -> Result<()> {
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

/// Stops (if running) and starts again.
pub async fn restart(
    engine: &Arc<Engine>,
    c: &Arc<Container>,
    signal: Option<&str>,
    timeout: Option<i64>,
) -> Result<()> {
    let _op = c.op.lock().await;
    stop_locked(engine, c, signal, timeout).await?;
    start_locked(engine, c, Trigger::Explicit).await?;
    publish(engine, "restart", &c.record(), &[]);
    Ok(())
}

/// Freezes or thaws the container's processes.
pub async fn pause(engine: &Arc<Engine>, c: &Arc<Container>, pause: bool) -> Result<()> {
    let _op = c.op.lock().await;
    let record = c.record();
    let rt = Runtime::new(&record.runtime);
    let (event, action) = if pause {
        (Event::Paused, "pause")
    } else {
        (Event::Unpaused, "unpause")
    };
    state::check(&record, &event)?;
    let frozen = if pause {
        rt.pause(&c.id).await
    } else {
        rt.resume(&c.id).await
    };
    frozen.map_err(|e| ContainerError::Runtime(e.to_string()))?;
    let record = c.transition(event)?;
    publish(engine, action, &record, &[]);
    Ok(())
}

/// Starts waiting for `condition`: what counts as the next exit is fixed
/// now, when the request arrives (`docker run` asks before it starts the
/// container), and the returned future resolves to the exit code once the
/// condition holds. An empty condition means `not-running`; an unknown one
/// is refused at once. A container with a restart policy ends a wait at
/// each exit, with that exit's code, as dockerd's does.
pub fn wait(
    c: &Arc<Container>,
    condition: &ContainerWaitCondition,
) -> Result<impl std::future::Future<Output = i64> + Send + 'static> {
    #[derive(Clone, Copy)]
    enum Until {
        NextExit(u64),
        Removed,
        NotRunning(u64),
    }
    let mut watch = c.watch();
    let exits = watch.borrow().exits;
    let until = match condition {
        ContainerWaitCondition::NextExit => Until::NextExit(exits),
        ContainerWaitCondition::Removed => Until::Removed,
        ContainerWaitCondition::NotRunning => Until::NotRunning(exits),
        // Older clients send `condition=` with no value; dockerd reads
        // that as the default.
        ContainerWaitCondition::Other(other) if other.is_empty() => Until::NotRunning(exits),
        ContainerWaitCondition::Other(other) => {
            return Err(ContainerError::InvalidArgument(format!(
                "invalid condition: \"{other}\""
            )))
        }
    };
    let c = c.clone();
    Ok(async move {
        let result = watch
            .wait_for(|p| match until {
                Until::NextExit(exits) => p.exits > exits || p.removed,
                Until::Removed => p.removed,
                // An exit counts even when a restart policy brings the
                // container back at once (dockerd answers at the first).
                Until::NotRunning(exits) => !p.status.is_running() || p.removed || p.exits > exits,
            })
            .await
            .map(|progress| progress.exit_code);
        // A dropped sender means the container left memory: it is gone,
        // and its record holds the last exit code.
        result.unwrap_or_else(|_| c.record().state.exit_code)
    })
}

/// Gives the container a new name.
pub async fn rename(engine: &Arc<Engine>, c: &Arc<Container>, new_name: &str) -> Result<()> {
    let new_name = super::ids::validate_name(new_name)
        .map_err(ContainerError::InvalidName)?
        .to_string();
    let old = c.name();
    if old == new_name {
        return Err(ContainerError::InvalidArgument(
            "Renaming a container with the same name as its current name".into(),
        ));
    }
    engine.containers.rename(c, &new_name)?;
    publish(
        engine,
        "rename",
        &c.record(),
        &[("oldName", format!("/{old}"))],
    );
    Ok(())
}

/// Removes the container (killing it first when `force`), its files, and
/// with `volumes` its anonymous volumes.
pub async fn remove(
    engine: &Arc<Engine>,
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
    // The supervisor deletes the runtime's state itself (and records the
    // exit when it does); this is for a run it did not finish.
    let finished = record.state.status == Status::Created || read_exit_file(c).is_some();
    if !finished {
        if let Err(e) = rt.delete(&c.id).await {
            if !e.is_not_running() {
                tracing::debug!("container {}: runtime delete: {e}", c.id);
            }
        }
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

/// A clean daemon stop without `live-restore`: every running container is
/// stopped as `docker stop` would (its stop signal, then SIGKILL after its
/// stop timeout), all at once. Not as by its user: the restart policies
/// bring them back at the next start, as dockerd's do.
pub async fn stop_for_shutdown(engine: &Arc<Engine>) {
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
pub async fn restore(engine: &Arc<Engine>) {
    for c in engine.containers.all() {
        let record = c.record();
        match record.state.status {
            // The daemon went away while it restarted this one (the new
            // run is adopted) or waited to (the wait starts again).
            Status::Restarting if adopt(engine, &c).await => {}
            Status::Restarting => {
                let exits = c.watch().borrow().exits;
                restart::schedule(engine.clone(), c.clone(), restart::FIRST_DELAY, exits);
            }
            s if s.is_running() => match client::open(&c.layout.bundle, &Request::Wait).await {
                Ok(conn) => spawn_monitor(engine.clone(), c.clone(), conn, record.state.pid),
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
}

/// A container recorded as not running whose supervisor runs it anyway:
/// the daemon crashed between starting it and recording that. Records the
/// run and watches it; `false` when there is no such run.
async fn adopt(engine: &Arc<Engine>, c: &Arc<Container>) -> bool {
    let Ok((Reply::State { pid, running: true }, _)) =
        client::request(&c.layout.bundle, &Request::State).await
    else {
        return false;
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
            true
        }
        Err(e) => {
            tracing::error!("container {}: {e}", c.id);
            false
        }
    }
}
