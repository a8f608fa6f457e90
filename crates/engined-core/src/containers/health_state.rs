//! A container's health as the daemon keeps it (in the container's
//! persisted state, like dockerd's `State.Health`), the probe settings a
//! config gives with dockerd's defaults, and the rules a probe result
//! follows: exit 0 is a success (streak back to 0, `healthy`); anything
//! else a failure that counts unless the container is still `starting`
//! within its start period, `unhealthy` once the streak reaches the
//! retries. The last five results are kept, oldest first.

use std::time::Duration;

use engine_api::types::{ContainerConfig, Health, HealthStatus, HealthcheckResult};
use serde::{Deserialize, Serialize};

/// Output kept of one probe; more is cut and marked with `...`.
pub const MAX_OUTPUT: usize = 4096;
/// Results kept in the log.
pub const MAX_LOG: usize = 5;
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_START_PERIOD: Duration = Duration::ZERO;
pub const DEFAULT_START_INTERVAL: Duration = Duration::from_secs(5);
pub const DEFAULT_RETRIES: i64 = 3;

/// Where a container's health stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Starting,
    Healthy,
    Unhealthy,
}

impl Level {
    /// The name dockerd gives it (`docker ps --filter health=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Starting => "starting",
            Level::Healthy => "healthy",
            Level::Unhealthy => "unhealthy",
        }
    }

    fn api(self) -> HealthStatus {
        match self {
            Level::Starting => HealthStatus::Starting,
            Level::Healthy => HealthStatus::Healthy,
            Level::Unhealthy => HealthStatus::Unhealthy,
        }
    }
}

/// The names `docker ps --filter health=` accepts.
pub fn is_filter_value(value: &str) -> bool {
    matches!(value, "starting" | "healthy" | "unhealthy" | "none")
}

/// One probe's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    /// RFC 3339 with nanoseconds.
    pub start: String,
    pub end: String,
    pub exit_code: i64,
    pub output: String,
}

/// A container's health, persisted with its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HealthState {
    pub status: Level,
    pub failing_streak: i64,
    /// Oldest first, at most [`MAX_LOG`].
    pub log: Vec<ProbeResult>,
}

impl HealthState {
    /// `State.Health` as dockerd's JSON has it.
    pub fn api(&self) -> Health {
        Health {
            status: Some(self.status.api()),
            failing_streak: Some(self.failing_streak),
            log: Some(
                self.log
                    .iter()
                    .map(|r| HealthcheckResult {
                        start: Some(r.start.clone()),
                        end: Some(r.end.clone()),
                        exit_code: Some(r.exit_code),
                        output: Some(r.output.clone()),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }

    /// Takes in `result` of a probe that started `since_start` after the
    /// container did; returns the new level when it changed.
    pub fn record(
        &mut self,
        result: ProbeResult,
        since_start: Duration,
        settings: &ProbeSettings,
    ) -> Option<Level> {
        let before = self.status;
        let passed = result.exit_code == 0;
        if self.log.len() >= MAX_LOG {
            self.log.drain(..=self.log.len() - MAX_LOG);
        }
        self.log.push(result);
        if passed {
            self.failing_streak = 0;
            self.status = Level::Healthy;
        } else {
            // Still starting and within the grace period: not counted.
            let grace = self.status == Level::Starting && since_start < settings.start_period;
            if !grace {
                self.failing_streak += 1;
                if self.failing_streak >= settings.retries {
                    self.status = Level::Unhealthy;
                }
            }
        }
        (self.status != before).then_some(self.status)
    }
}

/// How a container's probe runs: the command (a shell form already
/// wrapped in the shell), the intervals, the timeout, the retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSettings {
    pub command: Vec<String>,
    pub interval: Duration,
    pub timeout: Duration,
    pub start_period: Duration,
    pub start_interval: Duration,
    pub retries: i64,
}

/// A configured duration in nanoseconds; 0 (or nonsense) is the default.
fn or_default(nanos: Option<i64>, default: Duration) -> Duration {
    match nanos.and_then(|n| u64::try_from(n).ok()) {
        Some(n) if n > 0 => Duration::from_nanos(n),
        _ => default,
    }
}

impl ProbeSettings {
    /// The probe `config` asks for: `None` without a healthcheck, with
    /// `["NONE"]`, an unknown form or no command.
    pub fn of(config: &ContainerConfig) -> Option<ProbeSettings> {
        let check = config.healthcheck.as_ref()?;
        let (form, args) = check.test.as_deref()?.split_first()?;
        let command: Vec<String> = match form.as_str() {
            "CMD" => args.to_vec(),
            "CMD-SHELL" => {
                let shell = config
                    .shell
                    .clone()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
                shell.into_iter().chain(args.iter().cloned()).collect()
            }
            _ => return None,
        };
        if args.is_empty() {
            return None;
        }
        // API 1.44's StartInterval is not in our spec: read from the
        // object's undeclared keys.
        let start_interval = check.rest.get("StartInterval").and_then(|v| v.as_i64());
        Some(ProbeSettings {
            command,
            interval: or_default(check.interval, DEFAULT_INTERVAL),
            timeout: or_default(check.timeout, DEFAULT_TIMEOUT),
            start_period: or_default(check.start_period, DEFAULT_START_PERIOD),
            start_interval: or_default(start_interval, DEFAULT_START_INTERVAL),
            retries: check.retries.filter(|r| *r > 0).unwrap_or(DEFAULT_RETRIES),
        })
    }

    /// The wait before the next probe, `elapsed` after the start, with
    /// the health at `level`: the interval; within the start period the
    /// start interval while still starting, and never past the period's
    /// end (a probe runs as it ends).
    pub fn next_delay(&self, elapsed: Duration, level: Level) -> Duration {
        if elapsed >= self.start_period {
            return self.interval;
        }
        let remaining = self.start_period - elapsed;
        if remaining < self.interval {
            remaining
        } else if level == Level::Starting {
            self.start_interval
        } else {
            self.interval
        }
    }
}

/// A new run of a container with `config` and `health`: with a probe, its health starts over at
/// `starting` (the log is kept), as dockerd does at each start.
pub fn reset_for_run(config: &ContainerConfig, health: &mut Option<HealthState>) {
    if ProbeSettings::of(config).is_none() {
        return;
    }
    let health = health.get_or_insert_with(HealthState::default);
    health.status = Level::Starting;
    health.failing_streak = 0;
}

/// The probes of a container stop (exit, pause): dockerd then reports it
/// `unhealthy`.
pub fn monitor_stopped(health: &mut Option<HealthState>) {
    if let Some(h) = health.as_mut() {
        h.status = Level::Unhealthy;
    }
}

/// The health `docker ps --filter health=` sees: `none` without one.
pub fn filter_name(health: Option<&HealthState>) -> &'static str {
    health.map_or("none", |h| h.status.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine_api::types::HealthConfig;

    fn config(test: &[&str]) -> ContainerConfig {
        ContainerConfig {
            healthcheck: Some(HealthConfig {
                test: Some(test.iter().map(|s| s.to_string()).collect()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn settings(retries: i64, start_period: Duration) -> ProbeSettings {
        ProbeSettings {
            command: vec!["true".into()],
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
            start_period,
            start_interval: DEFAULT_START_INTERVAL,
            retries,
        }
    }

    fn result(code: i64, n: usize) -> ProbeResult {
        ProbeResult {
            start: format!("s{n}"),
            end: format!("e{n}"),
            exit_code: code,
            output: String::new(),
        }
    }

    #[test]
    fn forms_and_defaults_follow_dockerd() {
        assert_eq!(ProbeSettings::of(&ContainerConfig::default()), None);
        assert_eq!(ProbeSettings::of(&config(&["NONE"])), None);
        assert_eq!(ProbeSettings::of(&config(&["WHAT", "x"])), None);
        assert_eq!(ProbeSettings::of(&config(&["CMD"])), None);
        let exec = ProbeSettings::of(&config(&["CMD", "test", "-f", "/x"])).unwrap();
        assert_eq!(exec.command, ["test", "-f", "/x"]);
        assert_eq!(exec.interval, Duration::from_secs(30));
        assert_eq!(exec.timeout, Duration::from_secs(30));
        assert_eq!(exec.start_period, Duration::ZERO);
        assert_eq!(exec.start_interval, Duration::from_secs(5));
        assert_eq!(exec.retries, 3);
        let shell = ProbeSettings::of(&config(&["CMD-SHELL", "exit 1"])).unwrap();
        assert_eq!(shell.command, ["/bin/sh", "-c", "exit 1"]);
        let mut own_shell = config(&["CMD-SHELL", "exit 1"]);
        own_shell.shell = Some(vec!["/bin/ash".into(), "-ec".into()]);
        assert_eq!(
            ProbeSettings::of(&own_shell).unwrap().command,
            ["/bin/ash", "-ec", "exit 1"]
        );
        let mut set = config(&["CMD", "true"]);
        if let Some(h) = set.healthcheck.as_mut() {
            h.interval = Some(2_000_000_000);
            h.retries = Some(7);
            h.rest
                .fields_mut()
                .insert("StartInterval".into(), serde_json::json!(1_000_000_000));
        }
        let set = ProbeSettings::of(&set).unwrap();
        assert_eq!(set.interval, Duration::from_secs(2));
        assert_eq!(set.retries, 7);
        assert_eq!(set.start_interval, Duration::from_secs(1));
        // As the CLI sends it.
        let sent: ContainerConfig = serde_json::from_value(serde_json::json!({
            "Healthcheck": {"Test": ["CMD", "true"], "StartInterval": 2_000_000_000_i64}
        }))
        .unwrap();
        let sent = ProbeSettings::of(&sent).unwrap();
        assert_eq!(sent.start_interval, Duration::from_secs(2));
    }

    #[test]
    fn failures_count_up_to_the_retries_and_a_success_resets() {
        let s = settings(3, Duration::ZERO);
        let mut h = HealthState::default();
        let late = Duration::from_secs(10);
        assert_eq!(h.record(result(1, 0), late, &s), None);
        assert_eq!(h.failing_streak, 1);
        assert_eq!(h.record(result(1, 1), late, &s), None);
        assert_eq!(h.record(result(2, 2), late, &s), Some(Level::Unhealthy));
        assert_eq!(h.failing_streak, 3);
        assert_eq!(h.record(result(1, 3), late, &s), None, "stays unhealthy");
        assert_eq!(h.failing_streak, 4);
        assert_eq!(h.record(result(0, 4), late, &s), Some(Level::Healthy));
        assert_eq!(h.failing_streak, 0);
        assert_eq!(h.record(result(0, 5), late, &s), None);
    }

    #[test]
    fn failures_in_the_start_period_do_not_count_while_starting() {
        let s = settings(1, Duration::from_secs(60));
        let mut h = HealthState::default();
        assert_eq!(h.record(result(1, 0), Duration::from_secs(5), &s), None);
        assert_eq!((h.status, h.failing_streak), (Level::Starting, 0));
        // Past the period they do.
        assert_eq!(
            h.record(result(1, 1), Duration::from_secs(61), &s),
            Some(Level::Unhealthy)
        );
        // Once healthy, a failure counts even within the period.
        let mut h = HealthState::default();
        h.record(result(0, 0), Duration::from_secs(1), &s);
        assert_eq!(
            h.record(result(1, 1), Duration::from_secs(2), &s),
            Some(Level::Unhealthy)
        );
        assert_eq!(h.failing_streak, 1);
    }

    #[test]
    fn the_log_keeps_the_last_five_oldest_first() {
        let s = settings(3, Duration::ZERO);
        let mut h = HealthState::default();
        for n in 0..8 {
            h.record(result(0, n), Duration::from_secs(1), &s);
        }
        let starts: Vec<&str> = h.log.iter().map(|r| r.start.as_str()).collect();
        assert_eq!(starts, ["s3", "s4", "s5", "s6", "s7"]);
        let api = serde_json::to_value(h.api()).unwrap();
        assert_eq!(api["Status"], "healthy");
        assert_eq!(api["FailingStreak"], 0);
        assert_eq!(api["Log"].as_array().unwrap().len(), 5);
        assert_eq!(api["Log"][4]["Start"], "s7");
        assert_eq!(api["Log"][4]["ExitCode"], 0);
        assert_eq!(api["Log"][4]["Output"], "");
    }

    #[test]
    fn the_next_probe_waits_the_interval_or_the_start_interval() {
        let mut s = settings(3, Duration::ZERO);
        s.interval = Duration::from_secs(30);
        assert_eq!(s.next_delay(Duration::ZERO, Level::Starting), s.interval);
        s.start_period = Duration::from_secs(120);
        let early = Duration::from_secs(10);
        assert_eq!(s.next_delay(early, Level::Starting), DEFAULT_START_INTERVAL);
        assert_eq!(s.next_delay(early, Level::Healthy), s.interval);
        assert_eq!(
            s.next_delay(Duration::from_secs(100), Level::Starting),
            Duration::from_secs(20)
        );
        assert_eq!(
            s.next_delay(Duration::from_secs(130), Level::Starting),
            s.interval
        );
    }

    #[test]
    fn runs_start_over_and_stops_are_unhealthy() {
        let mut health = None;
        reset_for_run(&config(&[]), &mut health);
        assert_eq!(health, None, "no probe, no health");
        assert_eq!(filter_name(health.as_ref()), "none");
        let probed = config(&["CMD", "true"]);
        reset_for_run(&probed, &mut health);
        assert_eq!(filter_name(health.as_ref()), "starting");
        let s = settings(1, Duration::ZERO);
        if let Some(h) = health.as_mut() {
            h.record(result(1, 0), Duration::from_secs(1), &s);
        }
        monitor_stopped(&mut health);
        assert_eq!(filter_name(health.as_ref()), "unhealthy");
        reset_for_run(&probed, &mut health);
        let h = health.as_ref().unwrap();
        assert_eq!(
            (h.status, h.failing_streak, h.log.len()),
            (Level::Starting, 0, 1)
        );
        assert!(is_filter_value("none") && !is_filter_value("sick"));
    }
}
