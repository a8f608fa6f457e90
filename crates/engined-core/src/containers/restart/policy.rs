//! The restart policy's decisions, all pure: what `HostConfig.RestartPolicy`
//! may say (checked at create), whether a run that ended on its own is
//! followed by another one and after what delay (the back-off), and which
//! stopped containers the daemon starts again when it comes up.

use std::time::Duration;

use engine_api::types::{HostConfig, RestartPolicyName};

use crate::containers::record::{Record, Status, ZERO_TIME};

/// The first delay before a restart.
pub const FIRST_DELAY: Duration = Duration::from_millis(100);
/// The longest delay: doubling stops here.
pub const MAX_DELAY: Duration = Duration::from_secs(60);
/// A run at least this long counts as healthy: the delay starts over.
pub const HEALTHY_RUN: Duration = Duration::from_secs(10);

/// A container's restart policy, as validated at create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// `no` or empty: never.
    Never,
    Always,
    UnlessStopped,
    /// `on-failure[:max]`; `max` 0 means no limit.
    OnFailure {
        max: i64,
    },
}

impl Policy {
    /// The policy `host` asks for, or why it is not acceptable (Docker's
    /// create-time rules: a known name, a retry count only with
    /// `on-failure` and never negative, no policy on a `--rm` container).
    pub fn from_host(host: &HostConfig) -> Result<Policy, String> {
        let requested = host.restart_policy.as_ref();
        let name = requested.and_then(|p| p.name.as_ref());
        let count = requested.and_then(|p| p.maximum_retry_count).unwrap_or(0);
        let policy = match name {
            None | Some(RestartPolicyName::Empty) | Some(RestartPolicyName::No) => Policy::Never,
            Some(RestartPolicyName::Always) => Policy::Always,
            Some(RestartPolicyName::UnlessStopped) => Policy::UnlessStopped,
            Some(RestartPolicyName::OnFailure) => {
                if count < 0 {
                    return Err("maximum retry count cannot be negative".into());
                }
                Policy::OnFailure { max: count }
            }
            Some(RestartPolicyName::Other(other)) => {
                return Err(format!(
                    "invalid restart policy '{other}': it must be one of no, always, \
                     unless-stopped or on-failure"
                ))
            }
        };
        if count != 0 && !matches!(policy, Policy::OnFailure { .. }) {
            let shown = name.map_or("no", RestartPolicyName::as_str);
            return Err(format!(
                "maximum retry count cannot be used with restart policy '{shown}'"
            ));
        }
        if policy != Policy::Never && host.auto_remove.unwrap_or(false) {
            return Err("can't create 'AutoRemove' container with restart policy".into());
        }
        Ok(policy)
    }

    /// The policy of a created container; one that fails today's checks
    /// (an old record) never restarts.
    pub fn of(record: &Record) -> Policy {
        Policy::from_host(&record.host_config).unwrap_or(Policy::Never)
    }
}

/// What the daemon knows when a run ends on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    pub exit_code: i64,
    /// Restarts by policy since the last explicit start.
    pub restart_count: i64,
    /// A user stop, kill or removal asked for this end.
    pub stopped_by_user: bool,
    /// The daemon is on its way out.
    pub shutting_down: bool,
    /// How long the run lasted.
    pub ran_for: Duration,
}

/// What follows a run's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// It stays exited.
    Stay,
    /// It starts again after `after`.
    Restart { after: Duration },
}

impl Decision {
    pub fn restarts(self) -> bool {
        matches!(self, Decision::Restart { .. })
    }
}

/// Whether a run that ended like `ending` is followed by another one, and
/// after what delay: `previous` is the delay before the last restart by
/// policy since the last explicit start (`None`: there was none).
pub fn decide(policy: Policy, ending: Ending, previous: Option<Duration>) -> Decision {
    if restarts_after(policy, ending) {
        Decision::Restart {
            after: backoff(previous, ending.ran_for),
        }
    } else {
        Decision::Stay
    }
}

/// Whether a run that ended like `ending` is followed by another one.
pub fn restarts_after(policy: Policy, ending: Ending) -> bool {
    if ending.stopped_by_user || ending.shutting_down {
        return false;
    }
    match policy {
        Policy::Never => false,
        Policy::Always | Policy::UnlessStopped => true,
        Policy::OnFailure { max } => {
            ending.exit_code != 0 && (max == 0 || ending.restart_count < max)
        }
    }
}

/// Whether the daemon, coming up, starts `record` again: `always` ones
/// and `unless-stopped` ones the user did not stop, if they are stopped
/// and ran before.
pub fn starts_with_daemon(record: &Record) -> bool {
    let state = &record.state;
    let stopped = matches!(state.status, Status::Exited | Status::Created);
    let ran_before = state.started_at != ZERO_TIME;
    stopped
        && ran_before
        && match Policy::of(record) {
            Policy::Always => true,
            Policy::UnlessStopped => !state.stopped_by_user,
            _ => false,
        }
}

/// The delay before a restart: 100 ms, double the `previous` one up to a
/// minute, back to 100 ms after a run of ten seconds or more.
pub fn backoff(previous: Option<Duration>, ran_for: Duration) -> Duration {
    match previous {
        Some(previous) if ran_for < HEALTHY_RUN => (previous * 2).min(MAX_DELAY),
        _ => FIRST_DELAY,
    }
}

/// How long a run from `started_at` to `finished_at` (the record's
/// RFC 3339 times) lasted; zero when they are unreadable or out of order.
pub fn run_length(started_at: &str, finished_at: &str) -> Duration {
    let time = |t: &str| humantime::parse_rfc3339_weak(t).ok();
    match (time(started_at), time(finished_at)) {
        (Some(start), Some(end)) => end.duration_since(start).unwrap_or_default(),
        _ => Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine_api::types::RestartPolicy;
    use std::time::SystemTime;

    /// A time `d` after `start`, formatted like the record's times.
    fn later(start: SystemTime, d: Duration) -> String {
        engined_shim::logs::format_time(start + d)
    }

    fn host(name: &str, count: Option<i64>, auto_remove: bool) -> HostConfig {
        HostConfig {
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyName::from(name.to_string())),
                maximum_retry_count: count,
                ..Default::default()
            }),
            auto_remove: Some(auto_remove),
            ..Default::default()
        }
    }

    fn ending(code: i64, count: i64) -> Ending {
        Ending {
            exit_code: code,
            restart_count: count,
            stopped_by_user: false,
            shutting_down: false,
            ran_for: Duration::ZERO,
        }
    }

    #[test]
    fn policies_parse_and_bad_combinations_are_refused() {
        assert_eq!(Policy::from_host(&HostConfig::default()), Ok(Policy::Never));
        assert_eq!(Policy::from_host(&host("", None, true)), Ok(Policy::Never));
        assert_eq!(
            Policy::from_host(&host("no", Some(0), true)),
            Ok(Policy::Never)
        );
        assert_eq!(
            Policy::from_host(&host("always", None, false)),
            Ok(Policy::Always)
        );
        assert_eq!(
            Policy::from_host(&host("unless-stopped", Some(0), false)),
            Ok(Policy::UnlessStopped)
        );
        assert_eq!(
            Policy::from_host(&host("on-failure", Some(3), false)),
            Ok(Policy::OnFailure { max: 3 })
        );
        assert_eq!(
            Policy::from_host(&host("on-failure", None, false)),
            Ok(Policy::OnFailure { max: 0 })
        );
        assert_eq!(
            Policy::from_host(&host("always", Some(2), false)),
            Err("maximum retry count cannot be used with restart policy 'always'".into())
        );
        assert_eq!(
            Policy::from_host(&host("no", Some(1), false)),
            Err("maximum retry count cannot be used with restart policy 'no'".into())
        );
        assert_eq!(
            Policy::from_host(&host("on-failure", Some(-1), false)),
            Err("maximum retry count cannot be negative".into())
        );
        assert_eq!(
            Policy::from_host(&host("unless-stopped", None, true)),
            Err("can't create 'AutoRemove' container with restart policy".into())
        );
        let unknown = Policy::from_host(&host("sometimes", None, false)).unwrap_err();
        assert!(unknown.contains("'sometimes'"), "{unknown}");
    }

    #[test]
    fn policy_by_exit_code_and_count() {
        use Policy::*;
        // (policy, exit code, restarts so far, restarts again)
        let table = [
            (Never, 0, 0, false),
            (Never, 1, 0, false),
            (Always, 0, 0, true),
            (Always, 137, 50, true),
            (UnlessStopped, 0, 7, true),
            (UnlessStopped, 2, 0, true),
            (OnFailure { max: 0 }, 0, 0, false),
            (OnFailure { max: 0 }, 1, 1000, true),
            (OnFailure { max: 2 }, 3, 0, true),
            (OnFailure { max: 2 }, 3, 1, true),
            (OnFailure { max: 2 }, 3, 2, false),
            (OnFailure { max: 2 }, 0, 0, false),
        ];
        for (policy, code, count, want) in table {
            assert_eq!(
                restarts_after(policy, ending(code, count)),
                want,
                "{policy:?} exit {code} after {count} restarts"
            );
        }
    }

    #[test]
    fn a_user_stop_or_a_shutdown_prevents_every_restart() {
        for policy in [
            Policy::Always,
            Policy::UnlessStopped,
            Policy::OnFailure { max: 0 },
        ] {
            let stopped = Ending {
                stopped_by_user: true,
                ..ending(137, 0)
            };
            assert!(!restarts_after(policy, stopped), "{policy:?}");
            let shutdown = Ending {
                shutting_down: true,
                ..ending(1, 0)
            };
            assert!(!restarts_after(policy, shutdown), "{policy:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_a_minute_and_resets_after_a_healthy_run() {
        let short = Duration::from_millis(50);
        let mut previous = None;
        let mut delays = Vec::new();
        for _ in 0..12 {
            let delay = backoff(previous, short);
            delays.push(delay.as_millis());
            previous = Some(delay);
        }
        assert_eq!(
            delays,
            [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]
        );
        assert_eq!(backoff(previous, Duration::from_secs(10)), FIRST_DELAY);
        assert_eq!(
            backoff(Some(FIRST_DELAY), Duration::from_secs(9)),
            Duration::from_millis(200)
        );
    }

    #[test]
    fn decisions_combine_the_policy_and_the_backoff() {
        use Policy::*;
        let ms = Duration::from_millis;
        let long = Duration::from_secs(30);
        // (policy, exit code, restarts, user stop, shutdown, ran for,
        //  previous delay, decision)
        let table = [
            (Always, 0, 0, false, false, ms(5), None, Some(ms(100))),
            (
                Always,
                0,
                1,
                false,
                false,
                ms(5),
                Some(ms(100)),
                Some(ms(200)),
            ),
            (
                Always,
                0,
                9,
                false,
                false,
                long,
                Some(ms(6400)),
                Some(ms(100)),
            ),
            (Always, 1, 0, true, false, ms(5), None, None),
            (Always, 1, 0, false, true, ms(5), None, None),
            (
                UnlessStopped,
                0,
                3,
                false,
                false,
                ms(5),
                Some(ms(800)),
                Some(ms(1600)),
            ),
            (UnlessStopped, 0, 3, true, false, ms(5), Some(ms(800)), None),
            (
                OnFailure { max: 1 },
                2,
                0,
                false,
                false,
                ms(5),
                None,
                Some(ms(100)),
            ),
            (
                OnFailure { max: 1 },
                2,
                1,
                false,
                false,
                ms(5),
                Some(ms(100)),
                None,
            ),
            (OnFailure { max: 0 }, 0, 0, false, false, ms(5), None, None),
            (Never, 1, 0, false, false, ms(5), None, None),
            (
                Always,
                0,
                20,
                false,
                false,
                ms(5),
                Some(MAX_DELAY),
                Some(MAX_DELAY),
            ),
        ];
        for (policy, code, count, user, shutdown, ran_for, previous, want) in table {
            let ending = Ending {
                stopped_by_user: user,
                shutting_down: shutdown,
                ran_for,
                ..ending(code, count)
            };
            let want = want.map_or(Decision::Stay, |after| Decision::Restart { after });
            assert_eq!(
                decide(policy, ending, previous),
                want,
                "{policy:?} {ending:?}"
            );
        }
    }

    fn record(policy: &str, status: Status, stopped_by_user: bool, started: bool) -> Record {
        let mut r: Record = serde_json::from_value(serde_json::json!({
            "id": "c".repeat(64), "name": "n", "created": ZERO_TIME, "image": "mini",
            "image_id": "sha256:x", "image_rootfs": "/r", "config": {},
            "host_config": {"RestartPolicy": {"Name": policy}},
            "path": "sh", "args": [],
            "runtime": {"name": "runc", "binary": "/usr/sbin/runc", "root": "/run/r"},
            "driver": "vfs",
            "state": {"status": "exited", "pid": 0, "exit_code": 0,
                      "started_at": ZERO_TIME, "finished_at": ZERO_TIME}
        }))
        .unwrap();
        r.state.status = status;
        r.state.stopped_by_user = stopped_by_user;
        if started {
            r.state.started_at = "2024-01-01T00:00:00.000000000Z".into();
        }
        r
    }

    #[test]
    fn old_records_load_without_restart_fields() {
        let r = record("always", Status::Exited, false, true);
        assert_eq!(r.restart_count, 0);
        assert_eq!(Policy::of(&r), Policy::Always);
    }

    #[test]
    fn daemon_start_brings_back_always_and_unless_stopped_not_stopped_by_user() {
        let cases = [
            ("always", Status::Exited, false, true, true),
            ("always", Status::Exited, true, true, true),
            ("unless-stopped", Status::Exited, false, true, true),
            ("unless-stopped", Status::Exited, true, true, false),
            ("on-failure", Status::Exited, false, true, false),
            ("no", Status::Exited, false, true, false),
            ("always", Status::Created, false, false, false),
            ("always", Status::Running, false, true, false),
            ("always", Status::Dead, false, true, false),
        ];
        for (policy, status, stopped, started, want) in cases {
            let r = record(policy, status, stopped, started);
            assert_eq!(
                starts_with_daemon(&r),
                want,
                "{policy} {status:?} stopped_by_user={stopped} started={started}"
            );
        }
    }

    #[test]
    fn run_length_comes_from_the_recorded_times() {
        let mut r = record("always", Status::Exited, false, true);
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        r.state.started_at = later(start, Duration::ZERO);
        r.state.finished_at = later(start, Duration::from_millis(12_500));
        let length = |r: &Record| run_length(&r.state.started_at, &r.state.finished_at);
        assert_eq!(length(&r), Duration::from_millis(12_500));
        r.state.finished_at = later(start, Duration::from_secs(0));
        r.state.started_at = later(start, Duration::from_secs(1));
        assert_eq!(length(&r), Duration::ZERO);
        r.state.finished_at = ZERO_TIME.into();
        assert_eq!(length(&r), Duration::ZERO);
    }
}
