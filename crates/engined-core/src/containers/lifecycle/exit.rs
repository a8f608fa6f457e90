//! The end of a run: the monitor that waits for the supervisor's word,
//! and the exit it records (from that word, `exit.json`, or as lost),
//! announces (`oom`, `die`) and follows with the restart policy's
//! restart or the `--rm` removal.

use std::path::Path;
use std::sync::Arc;

use super::common::{now, read_exit_file};
use super::remove::remove;
use crate::containers::error::ContainerError;
use crate::containers::events::publish;
use crate::containers::health;
use crate::containers::network;
use crate::containers::restart::{self, Decision, Ending, Policy};
use crate::containers::rootfs;
use crate::containers::runc::Runtime;
use crate::containers::state::Event;
use crate::containers::store::Container;
use crate::containers::supervisor::client::Connection;
use crate::containers::supervisor::{Exit, Reply};
use crate::containers::Services;
use engined_shim::cgroups::{self, Cgroup};

/// Waits (in the background) for the run started with `pid` to end.
pub(super) fn spawn_monitor(
    engine: Arc<Services>,
    c: Arc<Container>,
    mut conn: Connection,
    pid: i64,
) {
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

/// Records the end of the run started with `pid`: from the supervisor's
/// word, its `exit.json`, or (supervisor gone without a word) as lost.
pub(super) async fn exited(
    engine: &Arc<Services>,
    c: &Arc<Container>,
    pid: i64,
    exit: Option<Exit>,
) {
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
    // From here until the network is down, a stop that waits for this exit
    // and a start that follows it wait too.
    let ending = c.begin_ending();
    let shutting_down = engine.is_shutting_down();
    let previous = c.last_delay();
    let mut decision = Decision::Stay;
    let applied = c.transition_with(|r| {
        let ending = Ending {
            exit_code: exit.exit_code as i64,
            restart_count: r.restart_count,
            stopped_by_user: r.state.stopped_by_user,
            shutting_down,
            ran_for: restart::run_length(&r.state.started_at, &exit.finished_at),
        };
        decision = restart::decide(Policy::of(r), ending, previous);
        Event::Exited {
            pid,
            exit_code: exit.exit_code as i64,
            finished_at: exit.finished_at.clone(),
            oom_killed: exit.oom_killed,
            lost,
            restart: decision.restarts(),
        }
    });
    let record = match applied {
        Ok(record) => {
            health::end(c);
            record
        }
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
    // The run's endpoints and namespace go with it (a restart makes new
    // ones), before waiters hear of the exit.
    network::teardown(engine, &c.id).await;
    c.note_exit();
    drop(ending);
    if let Decision::Restart { after } = decision {
        c.set_last_delay(after);
        let exits = c.watch().borrow().exits;
        super::schedule(engine.clone(), c.clone(), after, exits);
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
