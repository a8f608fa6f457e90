//! Restart policies end to end: the real docker CLI against engined on
//! real runc, with the busybox image `mini`. `on-failure:N` gives up after
//! N restarts (and `docker start` counts again from zero), `always` keeps
//! restarting until `docker stop`, `on-failure` leaves a clean exit alone,
//! bad policies are refused at create, and after a `kill -9` of engined the
//! `always` containers run again while a stopped `unless-stopped` one
//! stays stopped.

use std::time::{Duration, Instant};

use test_support::engined::Engined;
use test_support::skip::can_run_containers as can_run;

/// `docker inspect -f format container`, trimmed.
fn inspect(d: &Engined, container: &str, format: &str) -> String {
    d.docker(&["inspect", "-f", format, container])
        .trim()
        .to_string()
}

/// Polls `docker inspect -f format` until `done` accepts what it prints;
/// panics with the last answer after `limit`.
fn wait_for(
    d: &Engined,
    container: &str,
    format: &str,
    limit: Duration,
    done: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + limit;
    loop {
        let got = inspect(d, container, format);
        if done(&got) {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "{container}: `{format}` still {got:?} after {limit:?}\nengined log:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `docker run -d --network none --name name ARGS...`.
fn run_detached(d: &Engined, name: &str, args: &[&str]) {
    let mut all = vec!["run", "-d", "--network", "none", "--name", name];
    all.extend_from_slice(args);
    d.docker(&all);
}

/// The actions of container `name`'s events so far, in order.
fn actions(d: &Engined, name: &str) -> Vec<String> {
    let container = format!("container={name}");
    d.events("0", &[&container], "{{.Action}}")
        .lines()
        .map(str::to_string)
        .collect()
}

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

const STATE: &str = "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}";

#[test]
fn on_failure_gives_up_after_its_retries_and_a_start_counts_again() {
    let Some(d) = engined("restart_cli_on_failure") else {
        return;
    };

    run_detached(
        &d,
        "fails",
        &["--restart=on-failure:2", "mini", "sh", "-c", "exit 3"],
    );
    let limit = Duration::from_secs(10);
    wait_for(&d, "fails", STATE, limit, |s| s == "exited 2 3");
    // Back-offs are 100 and 200 ms: nothing more comes.
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(inspect(&d, "fails", STATE), "exited 2 3");
    // A restart by policy is a `die` then a `start`, as with dockerd.
    assert_eq!(
        actions(&d, "fails"),
        ["create", "start", "die", "start", "die", "start", "die"]
    );

    // An explicit start resets the count: two more retries, not zero.
    d.docker(&["start", "fails"]);
    wait_for(&d, "fails", STATE, limit, |s| s == "exited 2 3");
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(inspect(&d, "fails", STATE), "exited 2 3");

    // A clean exit is not a failure.
    run_detached(&d, "clean", &["--restart=on-failure", "mini", "true"]);
    wait_for(&d, "clean", STATE, limit, |s| s == "exited 0 0");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(inspect(&d, "clean", STATE), "exited 0 0");
    assert_eq!(actions(&d, "clean"), ["create", "start", "die"]);
}

#[test]
fn always_restarts_until_docker_stop() {
    let Some(d) = engined("restart_cli_always") else {
        return;
    };
    let limit = Duration::from_secs(10);

    // Ends at once, every time: restarts pile up, with waits in between
    // that inspect and ps show as `restarting`.
    run_detached(&d, "flappy", &["--restart=always", "mini", "true"]);
    wait_for(&d, "flappy", "{{.State.Restarting}}", limit, |s| {
        s == "true"
    });
    let ps = d.docker(&["ps", "--format", "{{.Names}} {{.Status}}"]);
    assert!(
        ps.lines().any(|l| l.starts_with("flappy ")),
        "a restarting container is listed by ps: {ps}"
    );
    wait_for(&d, "flappy", "{{.RestartCount}}", limit, |s| {
        s.parse::<i64>().is_ok_and(|n| n >= 3)
    });
    d.docker(&["stop", "-t", "1", "flappy"]);
    let stopped = wait_for(&d, "flappy", STATE, limit, |s| s.starts_with("exited "));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(inspect(&d, "flappy", STATE), stopped, "stopped for good");

    // Fails once, then keeps running; `docker kill` of the running one
    // is final too.
    run_detached(
        &d,
        "second",
        &[
            "--restart=always",
            "mini",
            "sh",
            "-c",
            "[ -f /tmp/ran ] && exec sleep 1000; touch /tmp/ran; exit 1",
        ],
    );
    wait_for(&d, "second", STATE, limit, |s| s == "running 1 0");
    d.docker(&["kill", "second"]);
    assert_eq!(inspect(&d, "second", STATE), "exited 1 137");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(inspect(&d, "second", STATE), "exited 1 137");
    // And `docker start` brings it back with the count at zero.
    d.docker(&["start", "second"]);
    assert_eq!(inspect(&d, "second", STATE), "running 0 0");
    // `docker rm -f` kills it without a restart getting in the way.
    d.docker(&["rm", "-f", "second"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        d.docker(&["ps", "-aq"]).lines().count(),
        1,
        "only flappy is left"
    );
}

#[test]
fn bad_policies_are_refused_at_create() {
    let Some(d) = engined("restart_cli_invalid") else {
        return;
    };
    for (policy, message) in [
        (
            "--restart=always:3",
            "maximum retry count cannot be used with restart policy 'always'",
        ),
        (
            "--restart=unless-stopped:1",
            "maximum retry count cannot be used with restart policy 'unless-stopped'",
        ),
        (
            "--restart=on-failure:-1",
            "maximum retry count cannot be negative",
        ),
        ("--restart=sometimes", "invalid restart policy 'sometimes'"),
    ] {
        let err = d.docker_fails(&["create", "--network", "none", policy, "mini", "true"]);
        assert!(err.contains(message), "{policy}: {err}");
    }
    assert_eq!(d.docker(&["ps", "-aq"]), "", "nothing was created");
}

#[test]
fn always_containers_come_back_after_a_daemon_crash() {
    let Some(mut d) = engined("restart_cli_crash") else {
        return;
    };
    let limit = Duration::from_secs(10);
    // Ends while engined is away, and keeps running on its next run.
    run_detached(
        &d,
        "ends",
        &[
            "--restart=always",
            "mini",
            "sh",
            "-c",
            "[ -f /tmp/ran ] && exec sleep 1000; touch /tmp/ran; sleep 1; exit 2",
        ],
    );
    // Stopped by the user: `always` starts it with the daemon anyway,
    // `unless-stopped` leaves it stopped, `no` too.
    for (name, policy) in [
        ("stopped-always", "always"),
        ("stopped-unless", "unless-stopped"),
        ("stopped-no", "no"),
    ] {
        let policy = format!("--restart={policy}");
        run_detached(&d, name, &[policy.as_str(), "mini", "sleep", "1000"]);
        d.docker(&["stop", "-t", "0", name]);
    }
    let dir = d.dir.clone();
    d.crash();
    std::thread::sleep(Duration::from_millis(1500));
    let d = Engined::start(&dir);

    wait_for(&d, "ends", STATE, limit, |s| s == "running 1 0");
    assert_eq!(d.docker(&["exec", "ends", "echo", "ok"]), "ok\n");
    assert_eq!(inspect(&d, "stopped-always", STATE), "running 0 0");
    assert_eq!(inspect(&d, "stopped-unless", STATE), "exited 0 137");
    assert_eq!(inspect(&d, "stopped-no", STATE), "exited 0 137");
}
