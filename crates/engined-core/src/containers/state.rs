//! The container status machine: the one place that changes a record's
//! state (status, pid, exit code, times, error, OOM and user-stop marks,
//! the restart count, the health level a start or stop implies). Each
//! verb and the exit monitor describe what happened as an [`Event`]; [`apply`] moves the record to its next state
//! or refuses the event with the error dockerd answers for that verb.
//! [`check`] asks the same question without changing anything, for verbs
//! that must be refused before they touch the runtime.

use super::error::{ContainerError, Result};
use super::health_state as health;
use super::record::{Record, Status};

/// Something that happened to a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The runtime started a new run with `pid` at `at`. `explicit` for a
    /// user's start or restart (the restart count and user-stop mark start
    /// over); not for the restart policy's.
    Started {
        pid: i64,
        at: String,
        explicit: bool,
    },
    /// The runtime refused to start the process.
    StartFailed {
        exit_code: i64,
        message: String,
    },
    /// A run the daemon did not record (it crashed in between) was found
    /// alive at daemon start.
    Adopted {
        pid: i64,
        at: String,
    },
    /// The run started with `pid` ended. `restart`: the restart policy
    /// brings it back; `lost`: its supervisor went away without a word.
    Exited {
        pid: i64,
        exit_code: i64,
        finished_at: String,
        oom_killed: bool,
        lost: bool,
        restart: bool,
    },
    /// The restart policy's start failed.
    RestartFailed {
        error: String,
    },
    Paused,
    Unpaused,
    /// A user stop, kill or removal: no restart by policy after it; a
    /// container waiting for a restart stays exited.
    StoppedByUser,
    /// Stopped with the daemon: the restart policy may bring it back.
    StoppedWithDaemon,
    /// `docker rm` (forced or not) begins.
    Removing {
        force: bool,
    },
    /// Its files could not be removed.
    RemoveFailed {
        error: String,
    },
}

impl Event {
    fn name(&self) -> &'static str {
        match self {
            Event::Started { .. } => "start",
            Event::StartFailed { .. } => "start failure",
            Event::Adopted { .. } => "adoption",
            Event::Exited { .. } => "exit",
            Event::RestartFailed { .. } => "failed restart",
            Event::Paused => "pause",
            Event::Unpaused => "unpause",
            Event::StoppedByUser => "user stop",
            Event::StoppedWithDaemon => "daemon stop",
            Event::Removing { .. } => "removal",
            Event::RemoveFailed { .. } => "failed removal",
        }
    }
}

/// Whether a start of `record` has anything to do: `Ok(false)` when it
/// already runs (a container waiting for its policy's restart counts as
/// running for an explicit start), refused when it is being removed.
pub fn start_needed(record: &Record, explicit: bool) -> Result<bool> {
    match record.state.status {
        Status::Restarting if !explicit => Ok(true),
        s if s.is_running() => Ok(false),
        Status::Removing | Status::Dead => Err(ContainerError::InvalidArgument(format!(
            "cannot start container {}: it is being removed",
            record.id
        ))),
        _ => Ok(true),
    }
}

/// Whether a signal can be sent to `record`'s processes.
pub fn check_signal(record: &Record) -> Result<()> {
    if record.state.status.is_running() {
        Ok(())
    } else {
        Err(ContainerError::NotRunning(record.id.clone()))
    }
}

/// Whether `event` may happen to `record` now, without applying it.
pub fn check(record: &Record, event: &Event) -> Result<()> {
    let mut copy = record.clone();
    apply(&mut copy, event.clone())
}

fn illegal(record: &Record, event: &Event) -> ContainerError {
    ContainerError::IllegalTransition {
        id: record.id.clone(),
        from: record.state.status.as_str(),
        event: event.name(),
    }
}

/// Applies `event` to `record`'s state, or refuses it (and changes
/// nothing).
pub fn apply(record: &mut Record, event: Event) -> Result<()> {
    let status = record.state.status;
    let id = record.id.clone();
    match event {
        Event::Started {
            pid,
            ref at,
            explicit,
        } => {
            if !start_needed(record, explicit)? {
                return Err(illegal(record, &event));
            }
            let state = &mut record.state;
            state.status = Status::Running;
            state.pid = pid;
            state.started_at = at.clone();
            state.error.clear();
            state.exit_code = 0;
            state.oom_killed = false;
            state.stopped_by_user = false;
            if explicit {
                record.restart_count = 0;
            }
            health::reset_for_run(&record.config, &mut record.state.health);
        }
        Event::StartFailed { exit_code, message } => {
            let state = &mut record.state;
            state.error = message;
            state.exit_code = exit_code;
            if state.status == Status::Running {
                state.status = Status::Exited;
            }
        }
        Event::Adopted { pid, ref at } => {
            if status.is_running() && status != Status::Restarting || status == Status::Removing {
                return Err(illegal(record, &event));
            }
            let state = &mut record.state;
            state.status = Status::Running;
            state.pid = pid;
            state.started_at = at.clone();
            state.error.clear();
            state.exit_code = 0;
            health::reset_for_run(&record.config, &mut record.state.health);
        }
        Event::Exited {
            pid,
            exit_code,
            ref finished_at,
            oom_killed,
            lost,
            restart,
        } => {
            let current = matches!(status, Status::Running | Status::Paused);
            if !current || record.state.pid != pid {
                return Err(illegal(record, &event));
            }
            if restart {
                record.state.status = Status::Restarting;
                record.restart_count += 1;
            } else {
                record.state.status = Status::Exited;
            }
            let state = &mut record.state;
            state.exit_code = exit_code;
            state.finished_at = finished_at.clone();
            state.pid = 0;
            state.oom_killed = oom_killed;
            if lost {
                state.error = "the container's supervisor exited unexpectedly".into();
            }
            health::monitor_stopped(&mut record.state.health);
        }
        Event::RestartFailed { ref error } => {
            if status != Status::Restarting {
                return Err(illegal(record, &event));
            }
            record.state.status = Status::Exited;
            if record.state.error.is_empty() {
                record.state.error = error.clone();
            }
        }
        Event::Paused => match status {
            Status::Running => {
                record.state.status = Status::Paused;
                health::monitor_stopped(&mut record.state.health);
            }
            Status::Restarting => return Err(ContainerError::Restarting(id)),
            Status::Paused => {
                return Err(ContainerError::InvalidArgument(format!(
                    "Container {id} is already paused"
                )))
            }
            _ => return Err(ContainerError::NotRunning(id)),
        },
        Event::Unpaused => match status {
            Status::Paused => record.state.status = Status::Running,
            Status::Restarting => return Err(ContainerError::Restarting(id)),
            _ => return Err(ContainerError::NotPaused(id)),
        },
        Event::StoppedByUser => {
            if status == Status::Restarting {
                record.state.status = Status::Exited;
            }
            record.state.stopped_by_user = true;
        }
        Event::StoppedWithDaemon => record.state.stopped_by_user = false,
        Event::Removing { force } => match status {
            Status::Paused if !force => return Err(ContainerError::RemovePaused(id)),
            s if s.is_running() && !force => return Err(ContainerError::RemoveRunning(id)),
            _ => record.state.status = Status::Removing,
        },
        Event::RemoveFailed { error } => {
            record.state.status = Status::Dead;
            record.state.error = error;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::containers::record::tests::sample;
    use Status::*;

    const ALL: [Status; 7] = [Created, Running, Paused, Restarting, Removing, Exited, Dead];

    fn in_state(status: Status) -> Record {
        let mut r = sample();
        r.state.status = status;
        r.state.pid = if status.is_running() { 42 } else { 0 };
        r.restart_count = 3;
        r
    }

    fn exit(restart: bool) -> Event {
        Event::Exited {
            pid: 42,
            exit_code: 137,
            finished_at: "2024-01-01T00:00:09Z".into(),
            oom_killed: true,
            lost: false,
            restart,
        }
    }

    /// The status each event leads to from each status; `None`: refused.
    #[test]
    fn every_event_from_every_status() {
        let started = |explicit| Event::Started {
            pid: 7,
            at: "2024-01-01T00:00:01Z".into(),
            explicit,
        };
        let adopted = Event::Adopted {
            pid: 7,
            at: "2024-01-01T00:00:01Z".into(),
        };
        let failed = Event::RestartFailed { error: "e".into() };
        // One column per status, in the order of ALL.
        let table: Vec<(Event, [Option<Status>; 7])> = vec![
            (
                started(true),
                [Some(Running), None, None, None, None, Some(Running), None],
            ),
            (
                started(false),
                [
                    Some(Running),
                    None,
                    None,
                    Some(Running),
                    None,
                    Some(Running),
                    None,
                ],
            ),
            (
                adopted,
                [
                    Some(Running),
                    None,
                    None,
                    Some(Running),
                    None,
                    Some(Running),
                    Some(Running),
                ],
            ),
            (
                exit(false),
                [None, Some(Exited), Some(Exited), None, None, None, None],
            ),
            (
                exit(true),
                [
                    None,
                    Some(Restarting),
                    Some(Restarting),
                    None,
                    None,
                    None,
                    None,
                ],
            ),
            (failed, [None, None, None, Some(Exited), None, None, None]),
            (
                Event::Paused,
                [None, Some(Paused), None, None, None, None, None],
            ),
            (
                Event::Unpaused,
                [None, None, Some(Running), None, None, None, None],
            ),
            (
                Event::StoppedByUser,
                [
                    Some(Created),
                    Some(Running),
                    Some(Paused),
                    Some(Exited),
                    Some(Removing),
                    Some(Exited),
                    Some(Dead),
                ],
            ),
            (
                Event::Removing { force: false },
                [
                    Some(Removing),
                    None,
                    None,
                    None,
                    Some(Removing),
                    Some(Removing),
                    Some(Removing),
                ],
            ),
            (Event::Removing { force: true }, [Some(Removing); 7]),
            (Event::RemoveFailed { error: "e".into() }, [Some(Dead); 7]),
            (
                Event::StartFailed {
                    exit_code: 127,
                    message: "m".into(),
                },
                [
                    Some(Created),
                    Some(Exited),
                    Some(Paused),
                    Some(Restarting),
                    Some(Removing),
                    Some(Exited),
                    Some(Dead),
                ],
            ),
        ];
        for (event, row) in table {
            for (from, want) in ALL.into_iter().zip(row) {
                let before = in_state(from);
                let mut r = before.clone();
                let checked = check(&r, &event);
                let got = apply(&mut r, event.clone());
                assert_eq!(checked.is_ok(), got.is_ok(), "{event:?} from {from:?}");
                match want {
                    Some(to) => {
                        assert!(got.is_ok(), "{event:?} from {from:?}: {got:?}");
                        assert_eq!(r.state.status, to, "{event:?} from {from:?}");
                    }
                    None => {
                        assert!(got.is_err(), "{event:?} from {from:?} was accepted");
                        assert_eq!(r, before, "a refused {event:?} changed the record");
                    }
                }
            }
        }
    }

    #[test]
    fn refusals_carry_dockers_messages() {
        let id = "a".repeat(64);
        let message = |status, event| {
            let mut r = in_state(status);
            let e = apply(&mut r, event).unwrap_err();
            (e.kind(), e.to_string())
        };
        let table = [
            (
                Paused,
                Event::Paused,
                crate::ErrorKind::InvalidParameter,
                format!("Container {id} is already paused"),
            ),
            (
                Exited,
                Event::Paused,
                crate::ErrorKind::Conflict,
                format!("Container {id} is not running"),
            ),
            (
                Restarting,
                Event::Paused,
                crate::ErrorKind::Conflict,
                format!("Container {id} is restarting, wait until the container is running"),
            ),
            (
                Running,
                Event::Unpaused,
                crate::ErrorKind::Conflict,
                format!("Container {id} is not paused"),
            ),
            (
                Running,
                Event::Removing { force: false },
                crate::ErrorKind::Conflict,
                format!("You cannot remove a running container {id}. Stop the container before attempting removal or force remove"),
            ),
            (
                Paused,
                Event::Removing { force: false },
                crate::ErrorKind::Conflict,
                format!("You cannot remove a paused container {id}. Unpause and then stop the container before attempting removal or force remove"),
            ),
            (
                Dead,
                Event::Started {
                    pid: 1,
                    at: String::new(),
                    explicit: true,
                },
                crate::ErrorKind::InvalidParameter,
                format!("cannot start container {id}: it is being removed"),
            ),
        ];
        for (from, event, code, text) in table {
            assert_eq!(
                message(from, event.clone()),
                (code, text),
                "{event:?} from {from:?}"
            );
        }
        let not_running = check_signal(&in_state(Created)).unwrap_err();
        assert_eq!(
            not_running.to_string(),
            format!("Container {id} is not running")
        );
        assert!(check_signal(&in_state(Restarting)).is_ok());
    }

    #[test]
    fn a_start_resets_the_run_and_an_explicit_one_the_count() {
        let mut r = in_state(Exited);
        r.state.error = "old".into();
        r.state.exit_code = 1;
        r.state.oom_killed = true;
        r.state.stopped_by_user = true;
        let start = |explicit| Event::Started {
            pid: 9,
            at: "T".into(),
            explicit,
        };
        let mut by_policy = r.clone();
        apply(&mut by_policy, start(false)).unwrap();
        assert_eq!(by_policy.restart_count, 3);
        apply(&mut r, start(true)).unwrap();
        assert_eq!(r.restart_count, 0);
        let s = &r.state;
        assert_eq!((s.pid, s.started_at.as_str(), s.exit_code), (9, "T", 0));
        assert!(s.error.is_empty() && !s.oom_killed && !s.stopped_by_user);
        assert!(start_needed(&in_state(Restarting), true).is_ok_and(|n| !n));
        assert!(start_needed(&in_state(Running), false).is_ok_and(|n| !n));
    }

    #[test]
    fn an_exit_records_the_run_and_only_the_current_one() {
        let mut r = in_state(Running);
        apply(&mut r, exit(true)).unwrap();
        let s = &r.state;
        assert_eq!((s.pid, s.exit_code, s.oom_killed), (0, 137, true));
        assert_eq!(s.finished_at, "2024-01-01T00:00:09Z");
        assert_eq!(r.restart_count, 4);
        let mut other_run = in_state(Running);
        other_run.state.pid = 43;
        assert!(apply(&mut other_run, exit(false)).is_err());
        let mut lost = in_state(Paused);
        let event = Event::Exited {
            pid: 42,
            exit_code: 255,
            finished_at: "T".into(),
            oom_killed: false,
            lost: true,
            restart: false,
        };
        apply(&mut lost, event).unwrap();
        assert_eq!(
            lost.state.error,
            "the container's supervisor exited unexpectedly"
        );
        assert_eq!(lost.restart_count, 3);
    }

    #[test]
    fn marks_errors_and_failed_restarts() {
        let mut r = in_state(Restarting);
        apply(&mut r, Event::StoppedByUser).unwrap();
        assert!(r.state.stopped_by_user);
        apply(&mut r, Event::StoppedWithDaemon).unwrap();
        assert!(!r.state.stopped_by_user);
        let mut r = in_state(Restarting);
        r.state.error = "first".into();
        apply(
            &mut r,
            Event::RestartFailed {
                error: "second".into(),
            },
        )
        .unwrap();
        assert_eq!(r.state.error, "first");
        let mut r = in_state(Restarting);
        apply(
            &mut r,
            Event::RestartFailed {
                error: "why".into(),
            },
        )
        .unwrap();
        assert_eq!(r.state.error, "why");
        apply(
            &mut r,
            Event::RemoveFailed {
                error: "busy".into(),
            },
        )
        .unwrap();
        assert_eq!((r.state.status, r.state.error.as_str()), (Dead, "busy"));
        let mut r = in_state(Running);
        let failed = Event::StartFailed {
            exit_code: 127,
            message: "not found".into(),
        };
        apply(&mut r, failed).unwrap();
        assert_eq!(
            (r.state.exit_code, r.state.error.as_str()),
            (127, "not found")
        );
    }
}
