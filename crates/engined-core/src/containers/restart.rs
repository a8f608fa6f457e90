//! Restart policies (`docker run --restart ...`): what `HostConfig.RestartPolicy`
//! may say (checked at create), whether a run that ended on its own is
//! followed by another one and after how long (the back-off), and which
//! stopped containers the daemon starts again when it comes up.
//!
//! The decisions here are pure; [`super::lifecycle`] applies them: it
//! records a restart as the `restarting` state with `RestartCount` bumped,
//! then [`schedule`] starts the container again once the delay is over,
//! unless something (a user stop, kill, removal, a new run) came between.

use std::sync::Arc;
use std::time::Duration;

use engine_api::types::{HostConfig, RestartPolicyName};

use super::lifecycle;
use super::record::{Record, Status, ZERO_TIME};
use super::store::Container;
use crate::engine::Engine;

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

/// The delay before each restart: 100 ms, doubled after every restart up
/// to a minute, back to 100 ms after a run of ten seconds or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: FIRST_DELAY }
    }
}

impl Backoff {
    /// The delay before restarting a run that lasted `ran_for`.
    pub fn delay(&mut self, ran_for: Duration) -> Duration {
        if ran_for >= HEALTHY_RUN {
            self.next = FIRST_DELAY;
        }
        let delay = self.next;
        self.next = (self.next * 2).min(MAX_DELAY);
        delay
    }
}

/// How long the run recorded in `record` lasted (zero when its times are
/// unreadable or out of order).
pub fn ran_for(record: &Record) -> Duration {
    let time = |t: &str| humantime::parse_rfc3339_weak(t).ok();
    match (
        time(&record.state.started_at),
        time(&record.state.finished_at),
    ) {
        (Some(start), Some(end)) => end.duration_since(start).unwrap_or_default(),
        _ => Duration::ZERO,
    }
}

/// The back-off delay for the run that just ended in `record`.
pub fn next_delay(c: &Container, record: &Record) -> Duration {
    c.backoff_delay(ran_for(record))
}

/// Starts `c` again after `delay`, if it is still waiting for this
/// restart then: `exits` is the number of runs ended when the restart was
/// decided, so a later run's restart never fires early.
pub fn schedule(engine: Arc<Engine>, c: Arc<Container>, delay: Duration, exits: u64) {
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Err(e) = lifecycle::start_by_policy(&engine, &c, exits).await {
            tracing::warn!("container {}: restart by policy: {e}", c.id);
        }
    });
}

/// Starts, at daemon start, the containers [`starts_with_daemon`] picks.
pub async fn start_at_daemon_start(engine: &Arc<Engine>) {
    for c in engine.containers.all() {
        if !starts_with_daemon(&c.record()) {
            continue;
        }
        tracing::info!("container {}: started by its restart policy", c.id);
        if let Err(e) = lifecycle::start(engine, &c).await {
            tracing::warn!("container {}: start by restart policy: {e}", c.id);
        }
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
        let mut b = Backoff::default();
        let short = Duration::from_millis(50);
        let delays: Vec<u128> = (0..12).map(|_| b.delay(short).as_millis()).collect();
        assert_eq!(
            delays,
            [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]
        );
        assert_eq!(b.delay(Duration::from_secs(10)), FIRST_DELAY);
        assert_eq!(b.delay(Duration::from_secs(9)), Duration::from_millis(200));
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
        assert_eq!(ran_for(&r), Duration::from_millis(12_500));
        r.state.finished_at = ZERO_TIME.into();
        assert_eq!(ran_for(&r), Duration::ZERO);
    }
}
