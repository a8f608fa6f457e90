//! `docker stats`, `docker update` and OOM kills end to end: the real
//! docker CLI against engined on real runc, with the kernel's cgroups
//! (v1 here; the paths of v2 are handled too). Limits are set with
//! `docker update` and checked both in what the CLI shows and in the
//! cgroup files the kernel enforces; a restart policy set by an update
//! decides what happens when the running container exits.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use test_support::docker_cli::code;
use test_support::engined::Engined;
use test_support::skip::can_run_containers as can_run;

const CGROUP_ROOT: &str = "/sys/fs/cgroup";

fn v2() -> bool {
    Path::new(CGROUP_ROOT).join("cgroup.controllers").exists()
}

/// A file of container `id`'s cgroup: `v1` names the controller and file
/// on cgroup v1, `v2` the file on v2.
fn cgroup_file(id: &str, v1: (&str, &str), v2_name: &str) -> PathBuf {
    if v2() {
        Path::new(CGROUP_ROOT)
            .join("engined")
            .join(id)
            .join(v2_name)
    } else {
        Path::new(CGROUP_ROOT)
            .join(v1.0)
            .join("engined")
            .join(id)
            .join(v1.1)
    }
}

fn read_trimmed(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .trim()
        .to_string()
}

fn id_of(d: &Engined, name: &str) -> String {
    d.docker(&["inspect", "-f", "{{.Id}}", name])
        .trim()
        .to_string()
}

/// `docker stats --no-stream` of one container, as the CLI's JSON line.
fn stats_line(d: &Engined, name: &str) -> serde_json::Value {
    let out = d.docker(&["stats", "--no-stream", "--format", "{{json .}}", name]);
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Now as the CLI's `--since`/`--until` take it (seconds.nanoseconds).
fn unix_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    format!("{}.{:09}", now.as_secs(), now.subsec_nanos())
}

/// "12.5%" as 12.5.
fn percent(text: &str) -> f64 {
    text.trim_end_matches('%').parse().unwrap()
}

/// A request on engined's socket; the status line and headers are
/// skipped. Returns a reader of the (chunked) body.
fn get(d: &Engined, path: &str) -> BufReader<UnixStream> {
    let mut conn = UnixStream::connect(d.dir.join("engined.sock")).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(conn, "GET {path} HTTP/1.1\r\nHost: engined\r\n\r\n").unwrap();
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            return reader;
        }
    }
}

/// The next JSON object of a chunked stream of JSON lines.
fn next_object(body: &mut BufReader<UnixStream>) -> serde_json::Value {
    let mut line = String::new();
    loop {
        line.clear();
        let n = body.read_line(&mut line).unwrap();
        assert!(n > 0, "the stream ended");
        let text = line.trim();
        if text.starts_with('{') {
            return serde_json::from_str(text).unwrap();
        }
    }
}

#[test]
fn stats_show_memory_cpu_and_pids_after_an_update() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stats_cli_figures");
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "busy",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "sleep 1000 & sleep 1000 & while :; do :; done",
    ]);
    let id = id_of(&d, "busy");

    // Before any limit: the machine's memory is the limit shown.
    let before = stats_line(&d, "busy");
    assert_eq!(before["Name"], "busy", "{before}");
    assert!(
        !before["MemUsage"].as_str().unwrap().ends_with("/ 64MiB"),
        "{before}"
    );

    let out = d.docker(&["update", "-m", "64m", "--memory-swap", "128m", "busy"]);
    assert_eq!(out.trim(), "busy");
    let limit = cgroup_file(&id, ("memory", "memory.limit_in_bytes"), "memory.max");
    assert_eq!(read_trimmed(&limit), (64u64 << 20).to_string());

    let line = stats_line(&d, "busy");
    let usage = line["MemUsage"].as_str().unwrap();
    let (used, shown_limit) = usage.split_once(" / ").unwrap();
    assert_eq!(shown_limit, "64MiB", "{line}");
    assert!(!used.starts_with("0B"), "memory in use: {line}");
    // A busy loop on one CPU: well above zero.
    let cpu = percent(line["CPUPerc"].as_str().unwrap());
    assert!(cpu > 10.0, "CPU% of a busy loop: {line}");
    let mem = percent(line["MemPerc"].as_str().unwrap());
    assert!(mem > 0.0, "{line}");
    // sh and its two sleeps.
    assert_eq!(line["PIDs"], "3", "{line}");

    // The table the CLI prints without --format has the same figures.
    let table = d.docker(&["stats", "--no-stream", "busy"]);
    assert!(table.starts_with("CONTAINER ID"), "{table}");
    assert!(table.contains("/ 64MiB"), "{table}");

    // The API's object: dockerd's shape, with the limit and the previous
    // reading a second before.
    let mut body = get(&d, "/containers/busy/stats?stream=false");
    let v = next_object(&mut body);
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["name"], "/busy");
    assert_eq!(v["memory_stats"]["limit"], 64u64 << 20);
    assert!(v["memory_stats"]["usage"].as_u64().unwrap() > 0, "{v}");
    assert!(v["memory_stats"]["stats"].is_object(), "{v}");
    assert_eq!(v["pids_stats"]["current"], 3);
    assert!(v["blkio_stats"].get("io_service_bytes_recursive").is_some());
    let total = v["cpu_stats"]["cpu_usage"]["total_usage"].as_u64().unwrap();
    let pre = v["precpu_stats"]["cpu_usage"]["total_usage"]
        .as_u64()
        .unwrap();
    assert!(pre > 0 && total > pre, "{v}");
    let system = v["cpu_stats"]["system_cpu_usage"].as_u64().unwrap();
    let pre_system = v["precpu_stats"]["system_cpu_usage"].as_u64().unwrap();
    assert!(system > pre_system, "{v}");
    assert!(v["cpu_stats"]["online_cpus"].as_u64().unwrap() >= 1);
    assert_ne!(v["preread"], "0001-01-01T00:00:00Z");
    if !v2() {
        assert!(
            v["cpu_stats"]["cpu_usage"]["percpu_usage"].is_array(),
            "{v}"
        );
        assert!(v["memory_stats"]["max_usage"].as_u64().unwrap() > 0, "{v}");
    }
    // one-shot: no previous reading.
    let v = next_object(&mut get(
        &d,
        "/containers/busy/stats?stream=false&one-shot=true",
    ));
    assert_eq!(v["preread"], "0001-01-01T00:00:00Z");
    assert_eq!(v["precpu_stats"]["cpu_usage"]["total_usage"], 0);
    assert!(v["cpu_stats"]["cpu_usage"]["total_usage"].as_u64().unwrap() > 0);
}

#[test]
fn a_stream_sends_a_reading_a_second_and_a_stopped_container_reads_as_zeros() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stats_cli_stream");
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "loop",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "while :; do :; done",
    ]);
    let started = Instant::now();
    let mut body = get(&d, "/containers/loop/stats");
    let first = next_object(&mut body);
    let second = next_object(&mut body);
    let third = next_object(&mut body);
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1800), "{took:?}");
    assert!(took < Duration::from_secs(6), "{took:?}");
    // Each reading's "pre" part is the one before.
    assert_eq!(first["preread"], "0001-01-01T00:00:00Z");
    assert_eq!(second["preread"], first["read"]);
    assert_eq!(second["precpu_stats"], first["cpu_stats"]);
    assert_eq!(third["precpu_stats"], second["cpu_stats"]);
    let total =
        |v: &serde_json::Value| v["cpu_stats"]["cpu_usage"]["total_usage"].as_u64().unwrap();
    assert!(total(&third) > total(&first));

    // stream and one-shot together are refused.
    let out = d.docker_output(&["stats", "--no-stream", "nonesuch"]);
    assert_ne!(code(&out), 0);
    let refused = {
        let mut conn = UnixStream::connect(d.dir.join("engined.sock")).unwrap();
        write!(
            conn,
            "GET /containers/loop/stats?stream=true&one-shot=true HTTP/1.1\r\nHost: e\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut conn, &mut text).unwrap();
        text
    };
    assert!(refused.starts_with("HTTP/1.1 400"), "{refused}");
    assert!(
        refused.contains("cannot have stream=true and one-shot=true"),
        "{refused}"
    );

    // Stopped: zeros at once, and the CLI's columns say so.
    d.docker(&["stop", "-t", "0", "loop"]);
    let v = next_object(&mut get(&d, "/containers/loop/stats?stream=false"));
    assert_eq!(v["read"], "0001-01-01T00:00:00Z");
    assert_eq!(v["memory_stats"], serde_json::json!({}));
    assert_eq!(v["cpu_stats"]["cpu_usage"]["total_usage"], 0);
    assert_eq!(v["name"], "/loop");
    let out = d.docker(&[
        "stats",
        "--no-stream",
        "-a",
        "--format",
        "{{.Name}} {{.MemUsage}} {{.PIDs}}",
    ]);
    assert_eq!(out.trim(), "loop 0B / 0B 0");
}

#[test]
fn a_pids_limit_is_enforced_and_lifted() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stats_cli_pids");
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "few",
        "--network",
        "none",
        "mini",
        "sleep",
        "1000",
    ]);
    let id = id_of(&d, "few");
    let pids_max = cgroup_file(&id, ("pids", "pids.max"), "pids.max");
    // Room for the runtime's own threads while it starts an exec.
    d.docker(&["update", "--pids-limit", "12", "few"]);
    assert_eq!(read_trimmed(&pids_max), "12");
    assert_eq!(d.record("few")["host_config"]["PidsLimit"], 12);
    // The init and the exec's shell count: 15 more cannot all start.
    let fork_many = "p=''; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do sleep 30 >/dev/null 2>&1 & p=\"$p $!\"; done; kill $p";
    let out = d.docker_output(&["exec", "few", "/bin/busybox", "sh", "-c", fork_many]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("can't fork"), "{out:?}");
    assert_ne!(code(&out), 0);
    let _ = d.docker_output(&["exec", "few", "/bin/busybox", "pkill", "-f", "sleep 30"]);

    // -1 lifts the limit (the CLI sends no value for 0).
    d.docker(&["update", "--pids-limit", "-1", "few"]);
    assert_eq!(read_trimmed(&pids_max), "max");
    let out = d.docker_output(&["exec", "few", "/bin/busybox", "sh", "-c", fork_many]);
    assert_eq!(code(&out), 0, "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("can't fork"));
}

#[test]
fn updates_are_checked_like_dockerd() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stats_cli_checks");
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "checked",
        "--network",
        "none",
        "mini",
        "sleep",
        "1000",
    ]);
    let id = id_of(&d, "checked");
    let err = d.docker_fails(&["update", "-m", "1m", "checked"]);
    assert!(err.contains("Minimum memory limit allowed is 6MB"), "{err}");
    let err = d.docker_fails(&["update", "-m", "64m", "--memory-swap", "32m", "checked"]);
    assert!(
        err.contains("Minimum memoryswap limit should be larger than memory limit"),
        "{err}"
    );
    d.docker(&["update", "-m", "32m", "--memory-swap", "64m", "checked"]);
    // Above the swap limit already set, without a new one.
    let err = d.docker_fails(&["update", "-m", "100m", "checked"]);
    assert!(
        err.contains(&format!(
            "Cannot update container {id}: Memory limit should be smaller than already set \
             memoryswap limit, update the memoryswap at the same time"
        )),
        "{err}"
    );
    let err = d.docker_fails(&["update", "--cpus", "999", "checked"]);
    assert!(err.contains("Range of CPUs is from 0.01 to"), "{err}");
    // Nothing of the refused updates was kept.
    let host = &d.record("checked")["host_config"];
    assert_eq!(host["Memory"], 32 << 20);
    assert_eq!(host["MemorySwap"], 64 << 20);
    let err = d.docker_fails(&["update", "-m", "32m", "nonesuch"]);
    assert!(err.contains("No such container: nonesuch"), "{err}");
}

#[test]
fn an_update_of_a_stopped_container_is_recorded_and_survives_a_daemon_restart() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stats_cli_stopped");
    let mut d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "create",
        "--name",
        "later",
        "--network",
        "none",
        "mini",
        "sleep",
        "1000",
    ]);
    let since = unix_now();
    d.docker(&[
        "update",
        "-m",
        "48m",
        "--memory-swap",
        "96m",
        "--pids-limit",
        "9",
        "--restart",
        "on-failure:2",
        "later",
    ]);
    // Announced like dockerd's updates.
    let events = d.docker(&[
        "events",
        "--since",
        &since,
        "--until",
        &unix_now(),
        "--filter",
        "event=update",
        "--format",
        "{{.Actor.Attributes.name}}",
    ]);
    assert_eq!(events.trim(), "later");
    let shown = "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}} \
                 {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}";
    let want = format!("{} {} 9 on-failure:2", 48u64 << 20, 96u64 << 20);
    assert_eq!(d.docker(&["inspect", "-f", shown, "later"]).trim(), want);
    d.stop();
    let d = Engined::start(&dir);
    assert_eq!(d.docker(&["inspect", "-f", shown, "later"]).trim(), want);
    // A restart policy that contradicts --rm is refused.
    d.docker(&[
        "create",
        "--rm",
        "--name",
        "once",
        "--network",
        "none",
        "mini",
        "true",
    ]);
    let err = d.docker_fails(&["update", "--restart", "always", "once"]);
    assert!(
        err.contains("Restart policy cannot be updated because AutoRemove is enabled"),
        "{err}"
    );
}

/// The limits recorded by an update reach the cgroup at the next start
/// (the container's spec carries `HostConfig`'s resources).
#[test]
fn an_update_of_a_stopped_container_applies_at_start() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stats_cli_applies_at_start");
    let d = Engined::start(&dir);
    d.import_mini();
    d.docker(&[
        "create",
        "--name",
        "later",
        "--network",
        "none",
        "mini",
        "sleep",
        "1000",
    ]);
    d.docker(&[
        "update",
        "-m",
        "48m",
        "--memory-swap",
        "96m",
        "--pids-limit",
        "9",
        "later",
    ]);
    d.docker(&["start", "later"]);
    let id = id_of(&d, "later");
    let limit = cgroup_file(&id, ("memory", "memory.limit_in_bytes"), "memory.max");
    assert_eq!(read_trimmed(&limit), (48u64 << 20).to_string());
    assert_eq!(
        read_trimmed(&cgroup_file(&id, ("pids", "pids.max"), "pids.max")),
        "9"
    );
    let line = stats_line(&d, "later");
    assert!(
        line["MemUsage"].as_str().unwrap().ends_with("/ 48MiB"),
        "{line}"
    );
}

#[test]
fn an_allocation_over_the_limit_is_an_oom_kill() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stats_cli_oom");
    let d = Engined::start(&dir);
    d.import_mini();
    let since = unix_now();
    // The container waits for its limit, then dd holds a 64 MiB buffer.
    d.docker(&[
        "run",
        "-d",
        "--name",
        "hog",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "while [ ! -e /tmp/go ]; do sleep 0.1; done; \
         exec /bin/busybox dd if=/dev/zero of=/dev/null bs=64M count=1",
    ]);
    let id = id_of(&d, "hog");
    d.docker(&["update", "-m", "16m", "--memory-swap", "16m", "hog"]);
    d.docker(&["exec", "hog", "/bin/busybox", "touch", "/tmp/go"]);
    assert_eq!(d.docker(&["wait", "hog"]).trim(), "137");
    assert_eq!(
        d.docker(&[
            "inspect",
            "-f",
            "{{.State.OOMKilled}} {{.State.ExitCode}}",
            "hog"
        ])
        .trim(),
        "true 137"
    );
    // Up to now (a time to come would make the CLI wait for it).
    let until = unix_now();
    let events = d.docker(&[
        "events",
        "--since",
        &since,
        "--until",
        &until,
        "--filter",
        &format!("container={id}"),
        "--format",
        "{{.Action}}",
    ]);
    let actions: Vec<&str> = events.lines().collect();
    let oom = actions.iter().position(|a| *a == "oom");
    let die = actions.iter().position(|a| *a == "die");
    assert!(
        matches!((oom, die), (Some(o), Some(d)) if o < d),
        "oom before die: {actions:?}"
    );

    // A run that stays under its limit is not marked.
    d.docker(&["run", "--name", "fine", "--network", "none", "mini", "true"]);
    assert_eq!(
        d.docker(&["inspect", "-f", "{{.State.OOMKilled}}", "fine"])
            .trim(),
        "false"
    );
}

#[test]
fn a_restart_policy_set_by_update_governs_the_running_containers_exit() {
    if !can_run() {
        return;
    }
    let dir = Engined::test_dir("stats_cli_policy");
    let d = Engined::start(&dir);
    d.import_mini();
    // Fails once told to; after the restart the file is still there.
    d.docker(&[
        "run",
        "-d",
        "--name",
        "flaky",
        "--network",
        "none",
        "mini",
        "sh",
        "-c",
        "while [ ! -e /tmp/go ]; do sleep 0.1; done; exit 3",
    ]);
    d.docker(&["update", "--restart", "on-failure:1", "flaky"]);
    d.docker(&["exec", "flaky", "/bin/busybox", "touch", "/tmp/go"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let state = "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}";
    loop {
        let got = d.docker(&["inspect", "-f", state, "flaky"]);
        if got.trim() == "exited 1 3" {
            break;
        }
        assert!(Instant::now() < deadline, "still {got}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
