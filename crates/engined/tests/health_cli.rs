//! Health checks end to end: the real docker CLI's `--health-*` flags
//! against engined on real runc, with the busybox image `mini`. A passing
//! probe makes the container `healthy` (in `docker inspect`, `docker ps`
//! and its `health=` filter, and a `health_status` event); a failing one
//! `unhealthy` after its retries, with the failing streak and the last five
//! results, and no restart by the policy; a probe over its timeout fails
//! with dockerd's message; failures in the start period do not count, and
//! the start interval paces the probes meanwhile; `--no-healthcheck` has no
//! health at all.

use std::time::{Duration, Instant};

use test_support::engined::Engined;
use test_support::skip::can_run_containers as can_run;

/// engined on a fresh directory for `test`, with `mini` imported; `None`
/// (after a notice) where containers cannot run.
fn engined(test: &str) -> Option<Engined> {
    if !can_run() {
        return None;
    }
    let d = Engined::start(&Engined::test_dir(test));
    d.import_mini();
    Some(d)
}

/// `docker run -d --network none --name name ARGS...`.
fn run_detached(d: &Engined, name: &str, args: &[&str]) {
    let mut all = vec!["run", "-d", "--network", "none", "--name", name];
    all.extend_from_slice(args);
    d.docker(&all);
}

/// `State.Health` of `container` as JSON (`null` without one).
fn health(d: &Engined, container: &str) -> serde_json::Value {
    let text = d.docker(&["inspect", "-f", "{{json .State.Health}}", container]);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// Polls the health of `container` until `done` accepts it; panics with
/// the last one after `limit`.
fn wait_health(
    d: &Engined,
    container: &str,
    limit: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + limit;
    loop {
        let got = health(d, container);
        if done(&got) {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "{container}: health still {got} after {limit:?}\nengined log:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The `docker ps` STATUS of `name`.
fn ps_status(d: &Engined, name: &str) -> String {
    let filter = format!("name={name}");
    d.docker(&["ps", "--filter", &filter, "--format", "{{.Status}}"])
        .trim()
        .to_string()
}

/// The names `docker ps -a --filter health=value` lists, sorted.
fn ps_health(d: &Engined, value: &str) -> Vec<String> {
    let filter = format!("health={value}");
    let mut names: Vec<String> = d
        .docker(&["ps", "-a", "--filter", &filter, "--format", "{{.Names}}"])
        .lines()
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

/// The `health_status` events of `name` so far.
fn health_events(d: &Engined, name: &str) -> Vec<String> {
    let container = format!("container={name}");
    d.events("0", &["event=health_status", &container], "{{.Action}}")
        .lines()
        .map(str::to_string)
        .collect()
}

const LIMIT: Duration = Duration::from_secs(20);

fn status_is(want: &'static str) -> impl Fn(&serde_json::Value) -> bool {
    move |h| h["Status"] == want
}

#[test]
fn a_passing_probe_is_healthy_and_no_healthcheck_has_none() {
    let Some(d) = engined("health_cli_healthy") else {
        return;
    };
    run_detached(
        &d,
        "ok",
        &[
            "--health-cmd",
            "echo fine",
            "--health-interval",
            "1s",
            "mini",
            "sleep",
            "60",
        ],
    );
    run_detached(&d, "plain", &["--no-healthcheck", "mini", "sleep", "60"]);
    let first = health(&d, "ok");
    assert!(
        first["Status"] == "starting" || first["Status"] == "healthy",
        "{first}"
    );
    let h = wait_health(&d, "ok", LIMIT, status_is("healthy"));
    assert_eq!(h["FailingStreak"], 0, "{h}");
    let log = h["Log"].as_array().unwrap();
    assert!(!log.is_empty() && log.len() <= 5, "{h}");
    let last = &log[log.len() - 1];
    assert_eq!(last["ExitCode"], 0, "{h}");
    assert_eq!(last["Output"], "fine\n", "{h}");
    for key in ["Start", "End"] {
        assert!(last[key].as_str().is_some_and(|t| t.len() > 20), "{h}");
    }
    let status = ps_status(&d, "ok");
    assert!(
        status.starts_with("Up ") && status.ends_with(" (healthy)"),
        "{status}"
    );
    assert_eq!(ps_health(&d, "healthy"), ["ok"]);
    assert_eq!(ps_health(&d, "none"), ["plain"]);
    assert!(ps_health(&d, "unhealthy").is_empty());
    let bad = d.docker_fails(&["ps", "--filter", "health=sick"]);
    assert!(
        bad.contains("Unrecognised filter value for health: sick"),
        "{bad}"
    );
    assert_eq!(health_events(&d, "ok"), ["health_status: healthy"]);

    // --no-healthcheck: no health, no probes, a plain status.
    assert_eq!(health(&d, "plain"), serde_json::Value::Null);
    // Up for however long the machine took ("Up 3 seconds", "Up About a
    // minute"), with no health suffix.
    let plain = ps_status(&d, "plain");
    assert!(plain.starts_with("Up ") && !plain.contains('('), "{plain}");
    assert!(health_events(&d, "plain").is_empty());

    // A stopped container's probes are over: unhealthy, as dockerd says.
    d.docker(&["stop", "-t", "0", "ok"]);
    assert_eq!(health(&d, "ok")["Status"], "unhealthy");
    // A new run starts over.
    d.docker(&["start", "ok"]);
    let again = health(&d, "ok");
    assert!(
        again["Status"] == "starting" || again["Status"] == "healthy",
        "{again}"
    );
    wait_health(&d, "ok", LIMIT, status_is("healthy"));
}

#[test]
fn a_failing_probe_is_unhealthy_after_its_retries_and_not_restarted() {
    let Some(d) = engined("health_cli_unhealthy") else {
        return;
    };
    run_detached(
        &d,
        "bad",
        &[
            "--restart",
            "always",
            "--health-cmd",
            "echo oops; exit 1",
            "--health-interval",
            "1s",
            "--health-retries",
            "2",
            "mini",
            "sleep",
            "60",
        ],
    );
    let h = wait_health(&d, "bad", LIMIT, status_is("unhealthy"));
    assert!(h["FailingStreak"].as_i64().unwrap() >= 2, "{h}");
    let log = h["Log"].as_array().unwrap();
    assert!(log.len() >= 2, "{h}");
    for entry in log {
        assert_eq!(entry["ExitCode"], 1, "{h}");
        assert_eq!(entry["Output"], "oops\n", "{h}");
    }
    let status = ps_status(&d, "bad");
    assert!(status.ends_with(" (unhealthy)"), "{status}");
    assert_eq!(ps_health(&d, "unhealthy"), ["bad"]);
    assert_eq!(health_events(&d, "bad"), ["health_status: unhealthy"]);

    // The streak goes on; the log keeps the last five.
    let h = wait_health(&d, "bad", LIMIT, |h| {
        h["FailingStreak"].as_i64().is_some_and(|n| n >= 6)
    });
    assert_eq!(h["Log"].as_array().unwrap().len(), 5, "{h}");
    // Unhealthy is not a reason to restart.
    let state = d.docker(&[
        "inspect",
        "-f",
        "{{.State.Status}} {{.RestartCount}}",
        "bad",
    ]);
    assert_eq!(state.trim(), "running 0");
}

#[test]
fn timeouts_fail_and_the_start_period_forgives() {
    let Some(d) = engined("health_cli_timeout") else {
        return;
    };
    run_detached(
        &d,
        "slow",
        &[
            "--health-cmd",
            "sleep 10",
            "--health-interval",
            "1s",
            "--health-timeout",
            "1s",
            "--health-retries",
            "1",
            "mini",
            "sleep",
            "60",
        ],
    );
    // Failing, but within a long start period: still starting, no streak.
    run_detached(
        &d,
        "grace",
        &[
            "--health-cmd",
            "exit 1",
            "--health-interval",
            "1s",
            "--health-start-period",
            "60s",
            "mini",
            "sleep",
            "60",
        ],
    );
    // A long interval, but the start interval paces the start period
    // (while more than one interval of it is left, as in dockerd).
    run_detached(
        &d,
        "paced",
        &[
            "--health-cmd",
            "true",
            "--health-interval",
            "60s",
            "--health-start-period",
            "120s",
            "--health-start-interval",
            "1s",
            "mini",
            "sleep",
            "60",
        ],
    );
    let h = wait_health(&d, "slow", LIMIT, status_is("unhealthy"));
    let last = &h["Log"][0];
    assert_eq!(last["ExitCode"], -1, "{h}");
    assert_eq!(last["Output"], "Health check exceeded timeout (1s)", "{h}");
    let h = wait_health(&d, "grace", LIMIT, |h| {
        h["Log"].as_array().is_some_and(|l| l.len() >= 3)
    });
    assert_eq!(h["Status"], "starting", "{h}");
    assert_eq!(h["FailingStreak"], 0, "{h}");
    let status = ps_status(&d, "grace");
    assert!(status.ends_with(" (health: starting)"), "{status}");
    wait_health(&d, "paced", LIMIT, status_is("healthy"));
}
